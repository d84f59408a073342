"""Hostile input: every bad release, target or argument gives a correct load or one sentence.

The fixtures are built byte by byte here (nothing is downloaded). Each case checks the whole
outcome: the exit status, one line on stderr without a traceback, the previous database
byte-identical, no temporary file left, and where rows load, every value in its column.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from asylumstats.ingest import blocks as blocks_mod
from asylumstats.ingest import ingest_release
from asylumstats.ingest import load as load_mod
from asylumstats.ingest.tables import APPLICATIONS, CASES, PROCEEDINGS
from asylumstats.release import layout as layout_mod
from cli_helpers import run
from ingest_fixtures import (
    LOOKUP_FILES,
    application,
    case,
    header,
    minimal_tables,
    proceeding,
    table_bytes,
    write_release,
    zip_deflate,
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_sentence(code: int, err: str, *words: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("asylumstats: ") and "Traceback" not in err
    for w in words:
        assert w in lines[0], (w, lines[0])


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """A database from a good release, to check that failures leave it as it was."""
    db = tmp_path / "db.duckdb"
    ingest_release(write_release(tmp_path / "good"), db, progress=False)
    return db


def _ingest_fails(capsys: pytest.CaptureFixture[str], release: Path, db: Path, *words: str) -> None:
    before = _digest(db)
    code, out, err = run(capsys, "ingest", str(release), "--db", str(db))
    _one_sentence(code, err, *words)
    assert out == ""
    assert _digest(db) == before
    assert _temporaries(db.parent) == []


# -- 1. repair by types ----------------------------------------------------------------------


def _stray(fields: list[str], name: str, spec=PROCEEDINGS, after: bool = True) -> list[str]:
    """``fields`` with a stray TAB after (or before) the value of column ``name``."""
    i = [c.name for c in spec.columns].index(name)
    return [*fields[: i + 1], "", *fields[i + 1 :]] if after else [*fields[:i], "", *fields[i:]]


def test_stray_tabs_beside_codes_and_dates_repaired(tmp_path: Path) -> None:
    tables = minimal_tables()
    procs = [
        proceeding(10, 1),
        _stray(proceeding(11, 2), "BASE_CITY_CODE"),
        _stray(proceeding(12, 2, HEARING_DATE="2023-01-02 00:00:00.000"), "COMP_DATE", after=False),
        _stray(proceeding(13, 2, CRIM_IND="Y", DEC_TYPE="O", DEC_CODE="X"), "CRIM_IND"),
    ]
    apps = [
        application(100, 10, 1),
        _stray(application(101, 11, 2), "APPL_CODE", APPLICATIONS),
        _stray(application(102, 12, 2), "APPL_RECD_DATE", APPLICATIONS, after=False),
        _stray(application(103, 13, 2, APPL_DEC="D"), "APPL_DEC", APPLICATIONS, after=False),
    ]
    tables["B_TblProceeding"] = table_bytes(PROCEEDINGS, procs)
    tables["tbl_Court_Appln"] = table_bytes(APPLICATIONS, apps)
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", tables), db, progress=False)
    assert report.tables["B_TblProceeding"].repaired == 3
    assert report.tables["tbl_Court_Appln"].repaired == 3
    assert report.tables["B_TblProceeding"].quarantined == 0
    got = _rows(
        db,
        "SELECT idnproceeding, base_city_code, ij_code, comp_date::VARCHAR, hearing_date::VARCHAR,"
        " crim_ind, dec_type, dec_code, case_type FROM proceedings ORDER BY 1",
    )
    assert got[1] == (11, "NYC", "AB", "2024-03-04 00:00:00", None, None, None, None, "RMV")
    assert got[2][3:5] == ("2024-03-04 00:00:00", "2023-01-02 00:00:00")
    assert got[3][5:] == ("Y", "O", "X", "RMV")
    apps_got = _rows(db, "SELECT appl_code, appl_recd_date::VARCHAR, appl_dec FROM applications")
    assert sorted(apps_got) == [
        ("ASYL", "2021-05-06 00:00:00", "D"),
        *[("ASYL", "2021-05-06 00:00:00", "G")] * 3,
    ]


def test_ambiguous_stray_tab_quarantined_never_misplaced(tmp_path: Path) -> None:
    # DEC_CODE "X" and DEPORTED_1 "MX" could each sit one column to the right: both fit.
    bad = _stray(proceeding(11, 2, DEC_TYPE="O", DEC_CODE="X", DEPORTED_1="MX"), "DEC_TYPE")
    tables = minimal_tables()
    tables["B_TblProceeding"] = table_bytes(PROCEEDINGS, [proceeding(10, 1), bad])
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", tables), db, progress=False)
    assert report.tables["B_TblProceeding"].quarantined == 1
    assert _rows(db, "SELECT line_number, reason FROM quarantine") == [
        (3, "39 fields where the header has 38; 2 repairs fit equally well")
    ]


def test_short_row_checked_before_padding(tmp_path: Path) -> None:
    tables = minimal_tables()
    short = application(101, 11, 2)
    del short[3]  # APPL_CODE missing: the date would land in APPL_CODE
    tables["tbl_Court_Appln"] = table_bytes(APPLICATIONS, [application(100, 10, 1), short[:5]])
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", tables), db, progress=False)
    t = report.tables["tbl_Court_Appln"]
    assert (t.loaded, t.quarantined) == (1, 1)
    (reason,) = _rows(db, "SELECT reason FROM quarantine")[0]
    assert reason.startswith("short row (5 of 6 fields); APPL_CODE does not fit")


def test_header_wider_than_rows_refused(
    tmp_path: Path, old_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = header(CASES)
    head.insert(head.index("NAT"), "NEWCOL")
    tables = minimal_tables()
    tables["A_TblCase"] = table_bytes(CASES, [case(i) for i in range(1, 13)], head=head)
    release = write_release(tmp_path / "r", tables)
    _ingest_fails(capsys, release, old_db, "header has 40 fields", "12 of the first 12 rows")


def test_cr_only_line_endings(tmp_path: Path) -> None:
    tables = {k: v.replace(b"\n", b"\r") for k, v in minimal_tables().items()}
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", tables), db, progress=False)
    assert [report.tables[s].loaded for s in ("A_TblCase", "B_TblProceeding")] == [2, 2]
    assert _rows(db, "SELECT nat, lang FROM cases ORDER BY idncase") == [("MX", "SP")] * 2


def test_lookup_stray_quote_does_not_swallow_rows(tmp_path: Path) -> None:
    rows = b"".join(f"H{i:02d}\tCOURT {i}\r\n".encode() for i in range(30))
    hloc = b"HEARING_LOC_CODE\tHEARING_LOC_NAME\r\n" + rows.replace(b"COURT 3", b'COURT "3')
    lookups = {**LOOKUP_FILES, "tblLookupHloc": hloc}
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", lookups=lookups), db, progress=False)
    t = report.tables["tblLookupHloc"]
    assert (t.rows_in_file, t.loaded, t.quarantined) == (30, 30, 0)
    assert _rows(db, "SELECT hearing_loc_name FROM tbllookuphloc WHERE hearing_loc_code = 'H03'")[
        0
    ] == ('COURT "3',)


def test_renamed_optional_column_named_in_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = ["LANGUAGE_CODE" if h == "LANG" else h for h in header(CASES)]
    tables = minimal_tables()
    tables["A_TblCase"] = table_bytes(CASES, [case(1), case(2)], head=head)
    z = zip_deflate(write_release(tmp_path / "r", tables), tmp_path / "r.zip")
    code, out, err = run(capsys, "ingest", str(z), "--db", str(tmp_path / "db.duckdb"), "--json")
    assert code == 0, err
    data = json.loads(out)
    t = data["tables"]["A_TblCase"]
    assert t["missing_columns"] == ["LANG"] and t["unknown_columns"] == ["LANGUAGE_CODE"]
    sentence = (
        "A_TblCase: no column LANG in the header, so NULL in every row "
        "(the header also has LANGUAGE_CODE, not read)."
    )
    assert data["warnings"] == [sentence]
    assert f"warning: {sentence}" in " ".join(err.split())


def test_duplicate_member_names_refused(
    tmp_path: Path, old_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    top = write_release(tmp_path / "r")
    z = zip_deflate(top, tmp_path / "r.zip")
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(z, "a") as zf,
    ):
        zf.writestr(f"{top.name}/EOIR Case Data/A_TblCase.csv", b"IDNCASE\tNAT\n9\tGT\n")
    _ingest_fails(capsys, z, old_db, "holds two members named", "A_TblCase.csv")


# -- 2. every value accounted for --------------------------------------------------------------


def test_unreadable_values_kept_and_counted(tmp_path: Path) -> None:
    tables = minimal_tables()
    procs = [proceeding(10, 1), proceeding(11, 2, COMP_DATE="2024-13-45", TRANS_NBR="9" * 25)]
    tables["B_TblProceeding"] = table_bytes(PROCEEDINGS, procs)
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", tables), db, progress=False)
    t = report.tables["B_TblProceeding"]
    assert (t.loaded, t.quarantined, t.invalid_values) == (2, 0, 2)
    assert _rows(db, "SELECT comp_date, trans_nbr FROM proceedings WHERE idnproceeding = 11") == [
        (None, None)
    ]
    assert _rows(db, "SELECT * FROM invalid_values ORDER BY column_name") == [
        ("B_TblProceeding", 3, "COMP_DATE", "2024-13-45"),
        ("B_TblProceeding", 3, "TRANS_NBR", "9" * 25),
    ]
    assert any("2 date or number values" in w for w in report.all_warnings())


def test_duplicate_keys_first_row_wins(tmp_path: Path) -> None:
    tables = minimal_tables()
    apps = [
        application(100, 10, 1, APPL_DEC="G"),
        application(101, 11, 2),
        application(100, 10, 1, APPL_DEC="D"),  # same key, later in the file
        application(101, 11, 2),  # an exact repeat
    ]
    tables["tbl_Court_Appln"] = table_bytes(APPLICATIONS, apps)
    db = tmp_path / "db.duckdb"
    report = ingest_release(write_release(tmp_path / "r", tables), db, progress=False)
    t = report.tables["tbl_Court_Appln"]
    assert (t.rows_in_file, t.loaded, t.quarantined, t.duplicates) == (4, 2, 2, 2)
    assert t.duplicate_examples == [100, 101]
    assert _rows(db, "SELECT idnproceedingappln, appl_dec FROM applications ORDER BY 1") == [
        (100, "G"),
        (101, "G"),
    ]
    q = _rows(db, "SELECT line_number, reason FROM quarantine ORDER BY 1")
    assert q == [
        (
            4,
            "duplicate IDNPROCEEDINGAPPLN 100: the row at line 2 (the first in the file) is "
            "kept; values as loaded",
        ),
        (
            5,
            "duplicate IDNPROCEEDINGAPPLN 101: the row at line 3 (the first in the file) is "
            "kept; values as loaded",
        ),
    ]
    assert _rows(db, "SELECT count(*) FROM asylum_decisions")[0][0] == 2


# -- 3. the target database --------------------------------------------------------------------


def test_db_pointing_to_input_or_other_files_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    z = zip_deflate(write_release(tmp_path / "r"), tmp_path / "r.zip")
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE mine AS SELECT 1 AS x")
    con.close()
    for target, words in (
        (z, ("is the release itself",)),
        (notes, ("not an asylumstats database", "not replaced")),
        (other, ("DuckDB database not built by asylumstats",)),
    ):
        before = _digest(target)
        code, _out, err = run(capsys, "ingest", str(z), "--db", str(target))
        _one_sentence(code, err, *words)
        assert _digest(target) == before
    empty = tmp_path / "empty.duckdb"
    empty.touch()  # an empty file holds nothing to lose
    assert run(capsys, "ingest", str(z), "--db", str(empty))[0] == 0


def test_stale_temporaries_of_dead_processes_removed(tmp_path: Path, old_db: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    stale = [tmp_path / f"db.duckdb.tmp-{pid}", tmp_path / f"db.duckdb.tmp-{pid}.wal"]
    alive = tmp_path / f"db.duckdb.tmp-{os.getppid()}"  # a running process: left alone
    for p in (*stale, alive):
        p.write_bytes(b"x" * 1000)
    ingest_release(write_release(tmp_path / "two"), old_db, progress=False)
    assert not any(p.exists() for p in stale) and alive.exists()


def test_unwritable_target_one_sentence(
    tmp_path: Path,
    old_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = write_release(tmp_path / "r")

    def read_only(*_a: object, **_k: object) -> None:
        raise duckdb.IOException('Cannot open file "x": Read-only file system')

    monkeypatch.setattr(load_mod.duckdb, "connect", read_only)
    code, _out, err = run(capsys, "ingest", str(release), "--db", str(tmp_path / "new.duckdb"))
    _one_sentence(code, err, "the file system is read-only")


@pytest.mark.parametrize(
    ("problem", "said"),
    [
        ("IO Error: Could not write file: No space left on device", "not enough disk space"),
        ("IO Error: Could not write file: File too large", "size limit"),
    ],
)
def test_disk_full_and_file_too_large(
    tmp_path: Path,
    old_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    problem: str,
    said: str,
) -> None:
    def full(*_a: object, **_k: object) -> None:
        raise duckdb.IOException(problem)

    monkeypatch.setattr(load_mod, "_write_meta", full)
    _ingest_fails(capsys, write_release(tmp_path / "r"), old_db, said, "previous database")


def test_efbig_for_real(tmp_path: Path, old_db: Path) -> None:
    """``ulimit -f``: the write fails with EFBIG (Python ignores SIGXFSZ)."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    before = _digest(old_db)
    exe = Path(sys.executable).parent / "asylumstats"
    release = write_release(tmp_path / "r")
    p = subprocess.run(
        [str(exe), "ingest", str(release), "--db", str(old_db)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    _one_sentence(p.returncode, p.stderr, "size limit", "previous database is unchanged")
    assert _digest(old_db) == before and _temporaries(tmp_path) == []


# -- 4. bounded memory -------------------------------------------------------------------------


def test_over_long_line_quarantined_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocks_mod, "MAX_LINE", 1000)
    tables = minimal_tables()
    long_line = b"9" * 3500
    tables["A_TblCase"] = (
        table_bytes(CASES, [case(1)])
        + long_line
        + b"\n"
        + table_bytes(CASES, [case(2)]).split(b"\n", 1)[1]
        + b"A" * 2500  # and a last line over the limit, no newline
    )
    db = tmp_path / "db.duckdb"
    for block_size in (256, 1 << 20):
        monkeypatch.setattr(blocks_mod, "BLOCK_SIZE", block_size)
        report = ingest_release(
            write_release(tmp_path / f"r{block_size}", tables), db, progress=False
        )
        t = report.tables["A_TblCase"]
        assert (t.rows_in_file, t.loaded, t.quarantined) == (4, 2, 2)
        q = _rows(db, "SELECT line_number, length(raw_text), reason FROM quarantine ORDER BY 1")
        assert [(r[0], r[1]) for r in q] == [
            (3, 1000),
            (3, 1000),
            (3, 1000),
            (3, 500),
            (5, 1000),
            (5, 1000),
            (5, 500),
        ]
        assert q[3][2] == "line longer than 1,000 bytes; piece 4, in file order"


def test_huge_lookup_and_count_txt_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_mod, "LOOKUP_MAX", 100)
    monkeypatch.setattr(layout_mod, "COUNT_TXT_MAX", 10)
    lookups = {**LOOKUP_FILES, "tblLookupHloc": b"HEARING_LOC_CODE\tNAME\n" + b"X\tY\n" * 100}
    release = write_release(tmp_path / "r", lookups=lookups, counts={"A_TblCase": 2})
    report = ingest_release(release, tmp_path / "db.duckdb", progress=False)
    assert "tblLookupHloc" not in report.tables
    warnings = report.all_warnings()
    assert any("tblLookupHloc.csv is larger than 100 bytes" in w for w in warnings)
    assert any("Count.txt is larger than 10 bytes" in w for w in warnings)


def test_peak_memory_on_a_member_without_newline(tmp_path: Path, old_db: Path) -> None:
    """A small zip holding a 32 MB line with no newline: loaded and quarantined, bounded."""
    top = write_release(tmp_path / "r")
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(top.rglob("*")):
            name = p.relative_to(top.parent).as_posix()
            if p.name == "tbl_Court_Appln.csv":
                with zf.open(name, "w") as fh:
                    fh.write(p.read_bytes().rstrip(b"\n"))
                    for _ in range(32):
                        fh.write(b"7" * (1 << 20))
            elif p.is_file():
                zf.write(p, name)
    code = (
        "import resource, sys; from asylumstats.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "finally:\n"
        "    print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "ingest", str(z), "--db", str(tmp_path / "new.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    rss_mb = int(p.stderr.split("RSS")[-1]) / 1024
    assert rss_mb < 1536, rss_mb
    q = _rows(
        tmp_path / "new.duckdb",
        "SELECT line_number, length(raw_text), reason FROM quarantine ORDER BY 2 DESC, 3",
    )
    assert len(q) == blocks_mod.MAX_PIECES + 1 and {r[0] for r in q} == {2}  # the one row
    assert q[-1][2].startswith("line longer than 65,536 bytes: 33,554,4")


# -- 5. one sentence ---------------------------------------------------------------------------


def _mark_encrypted(z: Path, member_name: str) -> None:
    """Set the "encrypted" flag of one member in its local header and its central entry."""
    with zipfile.ZipFile(z) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(member_name))
    data = bytearray(z.read_bytes())
    data[info.header_offset + 6] |= 0x1  # local file header: flags at offset 6
    name = info.filename.encode()
    central = data.find(b"PK\x01\x02", data.find(name, info.header_offset + 30 + len(name)) - 46)
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1  # central directory entry: flags at offset 8
    z.write_bytes(bytes(data))


def test_encrypted_member(tmp_path: Path, old_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    z = zip_deflate(write_release(tmp_path / "r"), tmp_path / "enc.zip")
    _mark_encrypted(z, "A_TblCase.csv")
    _ingest_fails(capsys, z, old_db, "A_TblCase.csv is encrypted")


def test_unreadable_member(
    tmp_path: Path, old_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    top = write_release(tmp_path / "r")
    member = top / "EOIR Case Data" / "tbl_Court_Appln.csv"
    member.unlink()
    member.symlink_to(tmp_path / "nowhere.csv")
    _ingest_fails(capsys, top, old_db, "tbl_Court_Appln.csv", "cannot be read")


def test_wrong_and_older_schema_databases(
    tmp_path: Path, old_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from asylumstats.web.app import create_app

    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE mine AS SELECT 1 AS x")
    con.close()
    older = tmp_path / "older.duckdb"
    older.write_bytes(old_db.read_bytes())
    con = duckdb.connect(str(older))
    con.execute("ALTER TABLE applications DROP COLUMN appl_dec")
    con.close()
    text = tmp_path / "text.duckdb"
    text.write_text("not a database\n")
    for db, words in (
        (other, ("has no cases table",)),
        (older, ("table applications lacks the column appl_dec", "rebuild it")),
        (text, ("is not a DuckDB database",)),
    ):
        code, out, err = run(capsys, "rate", "--db", str(db))
        _one_sentence(code, err, *words)
        client = TestClient(create_app(db), raise_server_exceptions=False)
        r = client.get("/api/rates")
        assert (r.status_code, r.json()) == (500, {"error": "Internal server error."})
        r = client.get("/")
        assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
        assert str(tmp_path) not in r.text and "Traceback" not in r.text


def test_spark_without_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from asylumstats.engines import spark_engine
    from asylumstats.errors import UserError

    if SparkSession.getActiveSession() is not None:
        pytest.skip("a Spark session is already running in this process")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    with pytest.raises(UserError, match="needs Java"):
        spark_engine.get_spark_session()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["/proc/x.zip"], ("Cannot write /proc/x.zip",)),
        (["x.zip", "--seed", "-5"], ("--seed must be between 0",)),
        (["/nonexistent-folder/x.zip"], ("does not exist",)),
    ],
)
def test_sample_bad_arguments(
    args: list[str],
    words: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "sample", *args, "--cases", "5")
    _one_sentence(code, err, *words)
    assert not list(tmp_path.iterdir())


# -- 6. CSV exports ----------------------------------------------------------------------------


def test_csv_cells_cannot_start_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    from asylumstats.commands._output import print_csv
    from asylumstats.web.export import to_csv

    rows = [
        {"name": '=HYPERLINK("x")', "n": -3},
        {"name": "+1", "n": 0.5},
        {"name": "-2", "n": None},
        {"name": "@SUM(A1)", "n": True},
        {"name": "\tx", "n": 1},
        {"name": "\rx", "n": 1},
        {"name": "Smith, Ann", "n": 2},
    ]
    want = (
        'name,n\n"\'=HYPERLINK(""x"")",-3\n\'+1,0.5\n\'-2,\n\'@SUM(A1),true\n'
        "'\tx,1\n'\rx,1\n\"Smith, Ann\",2\n"
    )
    print_csv(rows, ["name", "n"])
    assert capsys.readouterr().out == want
    assert to_csv(rows, ["name", "n"]) == want

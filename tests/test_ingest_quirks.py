"""Every raw-file quirk of the release, each with its exact expected result in the database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from asylumstats.errors import UserError
from asylumstats.ingest import ingest_release
from asylumstats.ingest.tables import APPLICATIONS, CASES, PROCEEDINGS
from ingest_fixtures import (
    application,
    case,
    header,
    minimal_tables,
    proceeding,
    row,
    table_bytes,
    write_release,
)

N = len(CASES.columns)


def _case_rows() -> list[list[str | bytes]]:
    rows: list[list[str | bytes]] = []
    rows.append(case(1))  # line 2: normal
    shifted = case(2, ALIEN_CITY="SAN JUAN", ALIEN_STATE="PR", ALIEN_ZIPCODE="00901")
    shifted[1] = "SAN\tJUAN"  # line 3: one TAB in ALIEN_CITY
    rows.append(shifted)
    two = case(3, RELEASE_MONTH="7", RELEASE_YEAR="2019")
    two[1] = "NEW\tYORK"  # line 4: two shifts in two text columns
    two[CASES.columns.index(CASES.column("UPDATED_CITY"))] = "LOS\tANGELES"
    rows.append(two)
    rows.append([*case(4), "N/A"])  # line 5: trailing N/A field
    rows.append(case(5)[:13])  # line 6: short row (up to CASE_TYPE)
    nul = case(6)
    nul[1] = b"HOU\x00STON\x00"  # line 7: NUL bytes
    rows.append(nul)
    enc = case(7)
    enc[1] = b"SAN JOS\xc9"  # line 8: cp1252 É, ’ and an undefined byte
    enc[CASES.columns.index(CASES.column("UP_BOND_RSN"))] = b"O\x92BRIEN\x81"
    rows.append(enc)
    rows.append(case(8, NAT="GT ", LANG="SP  ", CASE_TYPE="RMV ", ALIEN_CITY=" EL PASO "))  # 9
    rows.append(  # line 10: null tokens; ?? is a nationality code and stays
        case(
            9,
            NAT="??",
            ALIEN_STATE="N/A",
            LANG="b6",
            CUSTODY="???",
            C_ASY_TYPE="?",
            RELEASE_MONTH="00",
            RELEASE_YEAR="0000",
            E_28_DATE="0000-00-00 00:00:00.000",
            LPR="0",
            ALIEN_ZIPCODE="   ",
            DATE_OF_ENTRY="2001-02-03",
        )
    )
    rows.append(case(10, IDNCASE="FC"))  # line 11: id not an integer
    bad = case(11)
    bad.insert(9, "2024-01-01 00:00:00.000")  # line 12: extra field in codes: no repair fits
    rows.append(bad)
    amb = case(12, DETENTION_LOCATION="A", DCO_LOCATION="C")
    amb[CASES.columns.index(CASES.column("DETENTION_LOCATION"))] = "A\tB"  # line 13: ambiguous
    rows.append(amb)
    rows.append(case(13)[:1])  # line 14: only the id: short row, padded
    rows.append(["", "HOUSTON"])  # line 15: short row without id: quarantined
    return rows


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("quirks")
    case_bytes = table_bytes(CASES, _case_rows())
    case_bytes += b"\n"  # a trailing empty line holds no data
    procs = table_bytes(  # CRLF file; proceeding 12 belongs to a missing case (orphan)
        PROCEEDINGS,
        [proceeding(10, 1), proceeding(11, 2, IJ_CODE="CD "), proceeding(12, 999)],
        eol=b"\r\n",
    )
    apps = table_bytes(
        APPLICATIONS,
        [
            application(100, 10, 1),
            application(101, 77, 1, APPL_DEC="D"),
            application(102, 11, 2, APPL_DEC=""),
        ],
    )
    apps = apps[:-1]  # last line without a newline
    top = write_release(
        root,
        {"A_TblCase": case_bytes, "B_TblProceeding": procs, "tbl_Court_Appln": apps},
        counts={"A_TblCase": 14, "B_TblProceeding": 3, "tbl_Court_Appln": 4},
    )
    report = ingest_release(top, root / "db.duckdb", progress=False)
    assert report.tables["A_TblCase"].rows_in_file == 14
    con = duckdb.connect(str(root / "db.duckdb"), read_only=True)
    yield con
    con.close()


def _case(con: duckdb.DuckDBPyConnection, idn: int) -> dict[str, Any]:
    cur = con.execute("SELECT * FROM cases WHERE idncase = ?", [idn])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, f"case {idn}: {len(rows)} rows"
    return dict(zip(names, rows[0], strict=True))


def test_normal_row(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 1)
    assert c["alien_city"] == "HOUSTON" and c["nat"] == "MX" and c["lang"] == "SP"
    assert c["e_28_date"] == datetime(2024, 9, 12)
    assert c["casepriority_code"] == "UC" and c["lpr"] == "0" and c["sex"] == "M"
    assert c["updated_city"] is None and c["release_month"] is None


def test_tab_shift_in_alien_city_repaired(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 2)
    assert c["alien_city"] == "SAN\tJUAN"
    got = (c["alien_state"], c["alien_zipcode"], c["nat"], c["lang"])
    assert got == ("PR", "00901", "MX", "SP")
    assert c["case_type"] == "RMV" and c["casepriority_code"] == "UC"


def test_two_field_shift_repaired(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 3)
    assert c["alien_city"] == "NEW\tYORK" and c["updated_city"] == "LOS\tANGELES"
    assert (c["alien_state"], c["nat"], c["release_month"], c["release_year"]) == (
        "TX",
        "MX",
        "7",
        "2019",
    )
    assert c["casepriority_code"] == "UC"


def test_trailing_na_dropped(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 4)
    assert c["casepriority_code"] == "UC" and c["nat"] == "MX"


def test_short_row_padded(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 5)
    assert c["case_type"] == "RMV"
    assert c["e_28_date"] == datetime(2024, 9, 12)
    assert c["sex"] is None and c["casepriority_code"] is None
    only_id = _case(db, 13)
    assert only_id["alien_city"] is None and only_id["nat"] is None


def test_nul_and_cp1252(db: duckdb.DuckDBPyConnection) -> None:
    assert _case(db, 6)["alien_city"] == "HOUSTON"
    c = _case(db, 7)
    assert c["alien_city"] == "SAN JOSÉ"
    assert c["up_bond_rsn"] == "O\u2019BRIEN\x81"


def test_codes_trimmed(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 8)
    assert (c["nat"], c["lang"], c["case_type"], c["alien_city"]) == ("GT", "SP", "RMV", "EL PASO")
    p = db.execute("SELECT ij_code FROM proceedings WHERE idnproceeding = 11").fetchone()
    assert p == ("CD",)


def test_null_tokens(db: duckdb.DuckDBPyConnection) -> None:
    c = _case(db, 9)
    assert c["nat"] == "??"
    for col in (
        "alien_state",
        "lang",
        "custody",
        "c_asy_type",
        "release_month",
        "release_year",
        "e_28_date",
        "alien_zipcode",
    ):
        assert c[col] is None, col
    assert c["lpr"] == "0"
    assert c["date_of_entry"] == datetime(2001, 2, 3)


def test_quarantine_has_line_numbers_and_reasons(db: duckdb.DuckDBPyConnection) -> None:
    q = db.execute(
        "SELECT line_number, raw_text, reason FROM quarantine WHERE table_name = 'A_TblCase' "
        "ORDER BY line_number"
    ).fetchall()
    assert [r[0] for r in q] == [11, 12, 13, 15]
    assert q[0][1].startswith("FC\tHOUSTON\t") and "IDNCASE is not an integer ('FC')" in q[0][2]
    assert "no repair fits" in q[1][2] and q[1][1].count("\t") == N
    assert "2 repairs fit equally well" in q[2][2]
    assert "short row" in q[3][2] and q[3][1] == "\tHOUSTON"
    ids = {r[0] for r in db.execute("SELECT idncase FROM cases").fetchall()}
    assert ids == {1, 2, 3, 4, 5, 6, 7, 8, 9, 13}


def test_report_counts(db: duckdb.DuckDBPyConnection) -> None:
    rep = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT table_name, rows_in_file, loaded, repaired, quarantined, orphans, count_txt "
            "FROM ingest_report"
        ).fetchall()
    }
    # rows, loaded, repaired (2 shifts, trailing N/A, 2 short rows), quarantined, orphans, Count
    assert rep["A_TblCase"] == (14, 10, 5, 4, 0, 14)
    assert rep["B_TblProceeding"] == (3, 3, 0, 0, 1, 3)  # proceeding 12 → case 999
    assert rep["tbl_Court_Appln"] == (3, 3, 0, 0, 1, 4)  # application 101 → proceeding 77
    assert rep["tblLookupAlienNat"][:4] == (4, 4, 0, 0)


def test_crlf_and_no_final_newline(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "SELECT idnproceeding, comp_date, custody FROM proceedings ORDER BY 1"
    ).fetchall()
    assert rows == [
        (10, datetime(2024, 3, 4), "N"),
        (11, datetime(2024, 3, 4), "N"),
        (12, datetime(2024, 3, 4), "N"),
    ]
    apps = db.execute("SELECT idnproceedingappln, appl_dec FROM applications ORDER BY 1").fetchall()
    assert apps == [(100, "G"), (101, "D"), (102, None)]


def test_lookups_loaded_quoted_and_trimmed(db: duckdb.DuckDBPyConnection) -> None:
    nat = db.execute("SELECT strcode, strdescription, nacara FROM tbllookupaliennat").fetchall()
    assert nat == [
        ("MX", "MEXICO", "N"),
        ("GT", "GUATEMALA", "N"),
        ("HO", "HONDURAS", None),
        ("??", "UNKNOWN NATIONALITY", None),
    ]
    judges = db.execute("SELECT judge_code, judge_name FROM tbllookupjudge ORDER BY 1").fetchall()
    assert judges == [("AB", "Smith, Ann"), ("CD", "Jones, Bob")]


def test_release_info(db: duckdb.DuckDBPyConnection) -> None:
    info = dict(db.execute("SELECT key, value FROM release_info").fetchall())
    assert info["release"] == "EOIR Case Data 2026-0701"
    assert info["release_date"] == "2026-07-01" and info["synthetic"] == "false"
    assert {"source", "ingested_at", "asylumstats_version"} <= set(info)


# -- schema drift ---------------------------------------------------------------------------


def test_schema_drift(tmp_path: Path) -> None:
    names = header(CASES)
    names[names.index("Sex")] = "GENDER"  # old name
    names.remove("DCO_LOCATION")  # optional column missing
    names.insert(3, "NEW_COLUMN")  # unknown column
    names = [names[0], *reversed(names[1:])]  # reordered
    names = [n.lower() if i % 2 else n for i, n in enumerate(names)]  # header case varies
    values = {
        "IDNCASE": "1",
        "ALIEN_CITY": "MIAMI",
        "NAT": "HO",
        "GENDER": "F",
        "NEW_COLUMN": "whatever",
        "CASEPRIORITY_CODE": "UC",
        "E_28_DATE": "2020-01-01",
    }
    vals = {k.lower(): v for k, v in values.items()}
    raw = ["\t".join(names), "\t".join(vals.get(n.lower(), "") for n in names)]
    shifted = {**vals, "idncase": "2", "alien_city": "FORT\tMYERS"}
    raw.append("\t".join(shifted.get(n.lower(), "") for n in names))
    tables = minimal_tables()
    tables["A_TblCase"] = ("\n".join(raw) + "\n").encode()
    top = write_release(tmp_path, tables)
    report = ingest_release(top, tmp_path / "db.duckdb", progress=False)
    assert report.tables["A_TblCase"].loaded == 2
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    got = con.execute(
        "SELECT idncase, alien_city, nat, sex, casepriority_code, e_28_date, dco_location "
        "FROM cases ORDER BY 1"
    ).fetchall()
    assert got == [
        (1, "MIAMI", "HO", "F", "UC", datetime(2020, 1, 1), None),
        (2, "FORT\tMYERS", "HO", "F", "UC", datetime(2020, 1, 1), None),
    ]
    assert "new_column" not in [d[0] for d in con.execute("SELECT * FROM cases").description]
    con.close()


def test_missing_required_column(tmp_path: Path) -> None:
    tables = minimal_tables()
    names = [n for n in header(APPLICATIONS) if n != "APPL_DEC"]
    tables["tbl_Court_Appln"] = ("\t".join(names) + "\n1\t2\t3\tASYL\t\n").encode()
    top = write_release(tmp_path, tables)
    with pytest.raises(UserError, match=r"tbl_Court_Appln\.csv has no APPL_DEC column"):
        ingest_release(top, tmp_path / "db.duckdb", progress=False)
    assert not list(tmp_path.glob("db.duckdb*"))


def test_count_txt_mismatch_reported(tmp_path: Path) -> None:
    top = write_release(tmp_path, counts={"A_TblCase": 5, "B_TblProceeding": 2})
    report = ingest_release(top, tmp_path / "db.duckdb", progress=False)
    assert report.tables["A_TblCase"].count_txt == 5
    assert [t.stem for t in report.mismatches] == ["A_TblCase"]
    assert report.tables["tbl_Court_Appln"].count_txt is None


def test_header_only_table_and_synthetic(tmp_path: Path) -> None:
    tables = minimal_tables()
    tables["tblAppeal"] = b"idnAppeal\tidncase\tidnProceeding\tstrFiledBy\r\n"
    top = write_release(tmp_path, tables, synthetic=True)
    report = ingest_release(top, tmp_path / "db.duckdb", progress=False)
    assert report.synthetic
    assert report.tables["tblAppeal"].rows_in_file == 0
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM appeals").fetchone() == (0,)
    cols = [d[0] for d in con.execute("SELECT * FROM appeals").description]
    assert cols == [
        c.db_name
        for c in __import__("asylumstats.ingest.tables", fromlist=["APPEALS"]).APPEALS.columns
    ]
    con.close()


def test_row_helper_rejects_unknown_names() -> None:
    with pytest.raises(AssertionError):
        row(CASES, {"NOPE": "1"})


def test_blank_parent_reference_loaded_as_null(tmp_path: Path) -> None:
    """A blank parent id (real appeals often lack idnProceeding) is NULL, not quarantined;
    a blank or non-integer primary key, or a non-integer parent id, is quarantined."""
    from asylumstats.ingest.tables import APPEALS

    def appeal(idn: str, case: str, proc: str) -> list[str]:
        return row(
            APPEALS,
            {
                "idnAppeal": idn,
                "idncase": case,
                "idnProceeding": proc,
                "strFiledBy": "A",
                "datAppealFiled": "2020-01-02 00:00:00.000",
            },
        )

    tables = minimal_tables()
    tables["tblAppeal"] = table_bytes(
        APPEALS,
        [
            appeal("1", "1", "10"),
            appeal("2", "1", ""),
            appeal("3", "1", "  "),
            appeal("", "1", "10"),
            appeal("5", "1", "X9"),
        ],
    )
    top = write_release(tmp_path, tables)
    report = ingest_release(top, tmp_path / "db.duckdb", progress=False)
    t = report.tables["tblAppeal"]
    assert (t.rows_in_file, t.loaded, t.quarantined, t.orphans) == (5, 3, 2, 0)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    got = con.execute("SELECT idnappeal, idncase, idnproceeding FROM appeals ORDER BY 1").fetchall()
    assert got == [(1, 1, 10), (2, 1, None), (3, 1, None)]
    lines = con.execute(
        "SELECT line_number FROM quarantine WHERE table_name = 'tblAppeal' ORDER BY 1"
    ).fetchall()
    assert lines == [(5,), (6,)]
    con.close()


@pytest.mark.parametrize(
    ("encoded", "name"),
    [
        ("\ufeffstrCode\tstrDescription\r\nCI\tCÔTE D’IVOIRE\r\n".encode("utf-16-le"), "utf-16"),
        (b"\xef\xbb\xbfstrCode\tstrDescription\nCI\tC\xc3\x94TE D\xe2\x80\x99IVOIRE\n", "utf-8"),
        (b"strCode\tstrDescription\nCI\tC\xd4TE D\x92IVOIRE\n", "cp1252"),
    ],
)
def test_lookup_encodings(tmp_path: Path, encoded: bytes, name: str) -> None:
    """Lookups in UTF-16 (NULs), UTF-8 with a BOM, or cp1252 all decode to the same text."""
    from ingest_fixtures import LOOKUP_FILES

    lookups = {**LOOKUP_FILES, "tblLookupAlienNat": encoded}
    top = write_release(tmp_path, lookups=lookups)
    ingest_release(top, tmp_path / "db.duckdb", progress=False)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    got = con.execute("SELECT strcode, strdescription FROM tbllookupaliennat").fetchall()
    con.close()
    assert got == [("CI", "CÔTE D’IVOIRE")], name

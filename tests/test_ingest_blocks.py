"""The block reader, the repairer and the value rules, below the database."""

from __future__ import annotations

import io

import duckdb
import pytest

from asylumstats.ingest.blocks import LINE, TableReader
from asylumstats.ingest.repair import Rejected, Repaired, Repairer
from asylumstats.ingest.tables import APPLICATIONS, CASES
from asylumstats.ingest.values import Rule, decode, sql_expr
from ingest_fixtures import application, case, table_bytes

CODES = {"tbllookupaliennat": frozenset({"MX", "GT", "??"})}


def _read(data: bytes, block_size: int, spec=APPLICATIONS) -> tuple[list[dict], list, int, int]:
    """Rows as the loader sees them: clean runs split here (what DuckDB's reader does, '' as
    NULL), ids checked with ``bad_id`` (what the loader does), repaired rows from Arrow."""
    reader = TableReader(spec, io.BytesIO(data), "f.csv", CODES, block_size=block_size)
    rows: list[dict] = []
    quarantine: list = []
    n = repaired = 0
    for b in reader.blocks():
        n += b.rows
        repaired += b.repaired
        quarantine += b.quarantine
        clean = b"".join(b.clean).decode("ascii").splitlines()
        lines = [first + k for first, count in b.runs for k in range(count)]
        assert len(clean) == len(lines) == b.clean_rows
        for line, text in zip(lines, clean, strict=True):
            assert text.count("\t") == reader.header.width - 1
            reason = reader.bad_id(text)
            if reason:
                quarantine.append((line, text, reason))
                continue
            fields = dict(zip(reader.csv_names, text.split("\t"), strict=True))
            rows.append({c.db_name: fields[c.db_name] or None for c in reader.known})
        if b.table is not None:
            rows += b.table.drop_columns([LINE]).to_pylist()
    quarantine.sort(key=lambda q: q[0])
    return rows, quarantine, n, repaired


def _apps_file() -> bytes:
    lines = [application(i, 10, 1) for i in range(1, 40)]
    lines[5] = [*lines[5], "EXTRA"]  # long: no text column to absorb it → quarantined
    lines[6] = lines[6][:4]  # short: padded
    lines[20] = ["x7", *lines[20][1:]]  # bad id
    data = table_bytes(APPLICATIONS, lines, eol=b"\r\n")
    return data.replace(b"\r\n30\t", b"\r\n\r\n30\t")  # an empty line before id 30


@pytest.mark.parametrize("block_size", [1 << 20, 300, 57])
def test_blocks_same_result_any_block_size(block_size: int) -> None:
    rows, quarantine, n, repaired = _read(_apps_file(), block_size)
    assert n == 39 and repaired == 1
    assert [(q[0], q[2]) for q in quarantine] == [
        (7, "7 fields where the header has 6; no repair fits every column"),
        (22, "IDNPROCEEDINGAPPLN is not an integer ('x7')"),
    ]
    ids = sorted(int(r["idnproceedingappln"]) for r in rows)
    assert ids == [i for i in range(1, 40) if i not in (6, 21)]
    short = next(r for r in rows if r["idnproceedingappln"] == "7")
    assert short["appl_recd_date"] is None and short["appl_code"] == "ASYL"


def test_clean_runs_skip_dirty_and_empty_lines() -> None:
    reader = TableReader(APPLICATIONS, io.BytesIO(_apps_file()), "f.csv", CODES)
    (block,) = list(reader.blocks())
    # Lines 2-6 clean, 7 long (quarantined), 8 short (repaired), 9-30 clean, 31 empty, 32-41
    # clean (the bad id at line 22 is structurally clean: the loader checks ids).
    assert block.runs == [(2, 5), (9, 22), (32, 10)]
    assert block.clean_rows == 37 and block.rows == 39
    assert [q[0] for q in block.quarantine] == [7]
    assert block.table is not None and block.table.column(LINE).to_pylist() == [8]
    assert b"".join(block.clean).count(b"\r\n") == 37


def test_long_and_short_line_cancelling_out() -> None:
    lines = [application(i, 10, 1) for i in range(1, 6)]
    lines[1] = [*lines[1], "EXTRA"]
    lines[2] = lines[2][:5]  # tab count of the whole block still matches
    rows, quarantine, n, repaired = _read(table_bytes(APPLICATIONS, lines), 1 << 20)
    assert n == 5 and repaired == 1 and [q[0] for q in quarantine] == [3]
    assert len(rows) == 4


def test_header_bom_nul_and_aliases() -> None:
    head = b"\xef\xbb\xbfIDNCASE\tNA\x00T\tGENDER\r\n"
    rows, quarantine, n, _ = _read(head + b"1\tMX\tF\r\n", 1 << 20, spec=CASES)
    assert rows == [{"idncase": "1", "nat": "MX", "sex": "F"}] and not quarantine


def _repairer() -> Repairer:
    rules = []
    for c in CASES.columns:
        codes = CODES["tbllookupaliennat"] if c.lookup == "tblLookupAlienNat" else frozenset()
        rules.append(Rule(c, codes, frozenset({"??"}) if codes else frozenset()))
    return Repairer(rules)


def test_repairer_cases() -> None:
    r = _repairer()
    shifted = case(1, ALIEN_CITY="A", ALIEN_STATE="TX", ALIEN_ZIPCODE="77001")
    shifted[1] = "SAN\tJUAN"
    got = r.repair("\t".join(shifted).split("\t"))
    assert isinstance(got, Repaired) and got.repaired
    assert got.row[1] == "SAN\tJUAN" and got.row[2] == "TX"
    assert isinstance(r.repair([*case(1), "N/A"]), Repaired)
    assert isinstance(r.repair([*case(1), "N/A", "", " "]), Repaired)
    too_many = r.repair([*case(1)[:3], *["X"] * 10, *case(1)[3:]])
    assert isinstance(too_many, Rejected) and "no repair fits" in too_many.reason
    assert isinstance(r.repair(["", "X"]), Rejected)


def test_decode_never_fails() -> None:
    assert decode(bytes(range(256))) == "".join(
        "\x81\x8d\x8f\x90\x9d"[[0x81, 0x8D, 0x8F, 0x90, 0x9D].index(b)]
        if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        else bytes([b]).decode("cp1252")
        for b in range(256)
        if b != 0
    )


@pytest.mark.parametrize(
    ("column", "raw", "want"),
    [
        ("NAT", "??", "??"),
        ("NAT", " ?? ", "??"),
        ("LANG", "???", None),
        ("LANG", "?", None),
        ("LANG", "SP ", "SP"),
        ("LANG", " SP", "SP"),
        ("LANG", "N/A", None),
        ("LANG", "b6", None),
        ("LANG", "   ", None),
        ("LANG", "", None),
        ("LANG", None, None),
        ("LPR", "0", "0"),
        ("RELEASE_MONTH", "00", None),
        ("RELEASE_MONTH", "07", "07"),
        ("RELEASE_YEAR", "0000", None),
        ("RELEASE_YEAR", " 2019 ", "2019"),
        ("ALIEN_CITY", " EL PASO ", "EL PASO"),
        ("ALIEN_CITY", "?X", "?X"),
        ("C_BIRTHDATE", "4/1974", "4/1974"),
    ],
)
def test_sql_expr_strings(column: str, raw: str | None, want: str | None) -> None:
    col = CASES.column(column)
    keep = frozenset({"??"}) if col.lookup == "tblLookupAlienNat" else frozenset()
    got = duckdb.sql(
        f"SELECT {sql_expr(col, 'v', keep)} FROM (SELECT ?::VARCHAR AS v)".replace(
            "?::VARCHAR", "NULL::VARCHAR" if raw is None else f"'{raw}'"
        )
    )
    assert got.fetchall() == [(want,)]


def test_sql_expr_typed() -> None:
    date = sql_expr(CASES.column("E_28_DATE"), "v")
    ident = sql_expr(CASES.column("IDNCASE"), "v")
    q = (
        f"SELECT {date}, {ident} FROM (VALUES ('2024-09-12 00:00:00.000'), ('2024-09-12'), "
        "('0000-00-00 00:00:00.000'), ('0'), (''), (' 12 ')) t(v)"
    )
    got = [r[0] for r in duckdb.sql(q).fetchall()]
    assert [g.isoformat() if g else None for g in got] == [
        "2024-09-12T00:00:00",
        "2024-09-12T00:00:00",
        None,
        None,
        None,
        None,
    ]
    assert [r[1] for r in duckdb.sql(q).fetchall()][-1] == 12

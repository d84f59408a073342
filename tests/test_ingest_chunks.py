"""Clean lines reach DuckDB's CSV reader in chunk files; row order gives back line numbers.

The loader writes runs of clean lines into chunk files and inserts each with DuckDB's CSV
reader, repaired rows from Arrow after them; a row's rowid then maps to its line number. These
tests cut a table into many tiny chunks and blocks and check, against values written here,
that every line number (quarantine, invalid values, duplicate keys) and every row is the one
of the file, whatever the cut.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from asylumstats.ingest import blocks, table_load
from asylumstats.ingest.load import ingest_release
from asylumstats.ingest.table_load import RowLines
from asylumstats.ingest.tables import APPLICATIONS, CASES, PROCEEDINGS
from ingest_fixtures import application, case, proceeding, table_bytes, write_release

N_CASES = 1500


def _cases() -> bytes:
    rows = [case(i) for i in range(1, N_CASES + 1)]
    rows[9] = case(10, E_28_DATE="2024-02-30 00:00:00.000")  # line 11: invalid date, loaded
    rows[49] = case(50, IDNCASE="5O")  # line 51: id not an integer, quarantined
    rows[99] = [*case(100)[:-1]]  # line 101: short row, padded (repaired)
    rows[149] = case(7)  # line 151: repeats the key of line 8, quarantined
    rows[199] = case(200, E_28_DATE="soon")  # line 201: invalid date, loaded
    rows[249] = case(250, IDNCASE=" 250 ")  # line 251: spaced id, loaded as 250
    rows[259] = case(260, NAT="M\xc9")  # line 261: not ASCII, read in Python
    return table_bytes(CASES, rows, eol=b"\r\n")


def _release(root: Path) -> Path:
    tables = {
        "A_TblCase": _cases(),
        "B_TblProceeding": table_bytes(PROCEEDINGS, [proceeding(10, 1), proceeding(11, 2)]),
        "tbl_Court_Appln": table_bytes(APPLICATIONS, [application(100, 10, 1)]),
    }
    return write_release(root, tables)


def _ingest(tmp_path: Path, name: str) -> duckdb.DuckDBPyConnection:
    db = tmp_path / f"{name}.duckdb"
    ingest_release(_release(tmp_path / name), db, progress=False)
    return duckdb.connect(str(db), read_only=True)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """Blocks of 700 bytes and chunks of 2 KB: dozens of chunks, many runs each."""
    mp = pytest.MonkeyPatch()
    mp.setattr(blocks, "BLOCK_SIZE", 700)
    mp.setattr(blocks.TableReader.__init__, "__defaults__", (700,))
    mp.setattr(table_load, "CHUNK_BYTES", 2048)
    calls: list[int] = []
    load_chunk = table_load._load_chunk

    def counted(*args: object) -> int:
        calls.append(1)
        return load_chunk(*args)  # type: ignore[arg-type]

    mp.setattr(table_load, "_load_chunk", counted)
    try:
        con = _ingest(tmp_path_factory.mktemp("tiny"), "tiny")
    finally:
        mp.undo()
    assert len(calls) > 20  # the cases file (after its first 64 KiB) makes dozens of chunks
    return con


def test_line_numbers_of_side_rows(tiny: duckdb.DuckDBPyConnection) -> None:
    q = tiny.execute(
        "SELECT line_number, reason FROM quarantine WHERE table_name = 'A_TblCase' ORDER BY 1"
    ).fetchall()
    assert q == [
        (51, "IDNCASE is not an integer ('5O')"),
        (
            151,
            "duplicate IDNCASE 7: the row at line 8 (the first in the file) is kept; "
            "values as loaded",
        ),
    ]
    inv = tiny.execute(
        "SELECT line_number, column_name, raw_text FROM invalid_values ORDER BY 1"
    ).fetchall()
    assert inv == [(11, "E_28_DATE", "2024-02-30 00:00:00.000"), (201, "E_28_DATE", "soon")]


def test_rows_loaded_once_each(tiny: duckdb.DuckDBPyConnection) -> None:
    ids = [r[0] for r in tiny.execute("SELECT idncase FROM cases ORDER BY 1").fetchall()]
    assert ids == [i for i in range(1, N_CASES + 1) if i not in (50, 150)]
    r = tiny.execute(
        "SELECT rows_in_file, loaded, repaired, quarantined, invalid_values, duplicates "
        "FROM ingest_report WHERE table_name = 'A_TblCase'"
    ).fetchone()
    assert r == (N_CASES, N_CASES - 2, 1, 2, 2, 1)
    nat = tiny.execute("SELECT nat FROM cases WHERE idncase = 260").fetchone()
    assert nat == ("MÉ",)
    e28 = tiny.execute("SELECT e_28_date FROM cases WHERE idncase IN (10, 200)").fetchall()
    assert e28 == [(None,), (None,)]


def test_same_database_whatever_the_cut(tiny: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    whole = _ingest(tmp_path, "whole")
    for table in ("cases", "quarantine", "invalid_values", "ingest_report", "asylum_decisions"):
        a = sorted(map(repr, tiny.execute(f"SELECT * FROM {table}").fetchall()))
        b = sorted(map(repr, whole.execute(f"SELECT * FROM {table}").fetchall()))
        assert a == b, table


def test_row_lines_maps_runs_and_single_rows() -> None:
    m = RowLines()
    m.add_runs([(2, 3), (7, 2)])  # rowids 0-2 → lines 2-4, rowids 3-4 → lines 7-8
    m.add_lines(np.array([5, 6]))  # repaired rows: rowids 5, 6
    m.add_runs([(20, 1)])
    assert m.rows == 8
    assert m.lines([0, 2, 3, 4, 5, 6, 7]) == [2, 4, 7, 8, 5, 6, 20]
    assert m.lines([]) == []

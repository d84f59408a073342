"""The other twelve data tables: written by the sample, loaded losslessly, reconciled with
Count.txt; a release without them (an older layout) still ingests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from asylumstats.ingest import ingest_release
from asylumstats.ingest.tables import DATA_TABLES, MORE_TABLES
from asylumstats.sample.release import generate_release
from cli_helpers import run
from ingest_fixtures import write_release


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("more")
    summary = generate_release(base / "s.zip", 1200, seed=21)
    return base / "s.zip", summary


def _raw_rows(z: Path, stem: str) -> tuple[list[str], list[list[str]]]:
    with zipfile.ZipFile(z) as zf:
        name = next(n for n in zf.namelist() if n.endswith(f"/{stem}.csv"))
        text = zf.read(name).decode("cp1252")
    lines = [ln for ln in text.split("\r\n") if ln]
    return lines[0].split("\t"), [ln.split("\t") for ln in lines[1:]]


def test_reconciled_with_count_txt(
    sample: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    z, summary = sample
    code, out, _ = run(capsys, "ingest", str(z), "--db", str(tmp_path / "db.duckdb"), "--json")
    assert code == 0
    tables = json.loads(out)["tables"]
    with zipfile.ZipFile(z) as zf:
        count_txt = dict(
            ln.split("\t")
            for ln in zf.read("EOIR Case Data 2026-0701/Count.txt").decode().split("\r\n")
            if ln
        )
    assert set(count_txt) == {t.stem for t in (*DATA_TABLES, *MORE_TABLES)}
    for spec in MORE_TABLES:
        t = tables[spec.stem]
        header, rows = _raw_rows(z, spec.stem)
        assert header == [c.name for c in spec.columns]
        assert t["rows_in_file"] == len(rows) == int(count_txt[spec.stem]) > 0, spec.stem
        assert t["loaded"] + t["quarantined"] == t["rows_in_file"]
        # the plants: one short row per table (repaired), one bad id in the schedule
        short = sum(len(r) < len(header) for r in rows)
        key = header.index(spec.key)
        is_id = spec.column(spec.key).kind == "id"
        bad_id = sum(len(r) > key and not r[key].isdigit() for r in rows) if is_id else 0
        assert (
            (t["repaired"], t["quarantined"])
            == (short, bad_id)
            == (
                summary["tables"][spec.stem]["repaired"],
                summary["tables"][spec.stem]["quarantined"],
            )
        )
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    try:
        # codes trimmed (the sample pads some with spaces), ids typed
        assert (
            con.execute("SELECT count(*) FROM charges WHERE charge <> trim(charge)").fetchone()[0]
            == 0
        )
        n = con.execute("SELECT count(*) FROM schedule").fetchone()[0]
        assert n == tables["tbl_schedule"]["loaded"]
        typ = con.execute("SELECT typeof(idnschedule), typeof(adj_date) FROM schedule LIMIT 1")
        assert typ.fetchone() == ("BIGINT", "TIMESTAMP")
        q = con.execute("SELECT count(*) FROM quarantine WHERE table_name = 'tbl_schedule'")
        assert q.fetchone()[0] == 1
    finally:
        con.close()


def test_release_without_the_added_tables(tmp_path: Path) -> None:
    top = write_release(tmp_path / "old")
    report = ingest_release(top, tmp_path / "db.duckdb", progress=False)
    assert not {spec.stem for spec in MORE_TABLES} & set(report.tables)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert "cases" in names and "schedule" not in names


def test_values_of_a_table_as_in_the_file(sample: tuple[Path, dict], tmp_path: Path) -> None:
    z, _ = sample
    ingest_release(z, tmp_path / "db.duckdb", progress=False)
    header, rows = _raw_rows(z, "B_TblProceedCharges")
    want = {}
    for r in rows:
        r = r + [""] * (len(header) - len(r))  # the short row is padded with NULLs
        vals = dict(zip(header, (v.strip() or None for v in r), strict=True))
        want[int(vals["IDNPRCDCHG"])] = (
            int(vals["IDNCASE"]),
            int(vals["IDNPROCEEDING"]),
            vals["CHARGE"],
            vals["CHG_STATUS"],
        )
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    try:
        got = {
            r[0]: tuple(r[1:])
            for r in con.execute(
                "SELECT idnprcdchg, idncase, idnproceeding, charge, chg_status FROM charges"
            ).fetchall()
        }
    finally:
        con.close()
    assert got == want

"""The model tables behind backlog and appeals: built at ingest, optional inputs, same rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from appeals_fixtures import LOOKUPS, RELEASE, build, hand_data, random_data
from asylumstats import model
from asylumstats.engines import open_engine
from asylumstats.metrics.appeals import appeals_rows
from asylumstats.metrics.backlog import backlog_rows
from asylumstats.metrics.filters import Filters
from asylumstats.model import appeals as appeals_model
from asylumstats.model import backlog as backlog_model
from metrics_fixtures import build_db

DERIVED = (backlog_model.TABLE, appeals_model.TABLE, appeals_model.DECISIONS_TABLE)

BACKLOG_QUERIES = [
    ("court", Filters(), {}),
    ("judge,case_type", Filters(court="HOU"), {"at": "2023-09-30"}),
    ("asylum_application,represented", Filters(), {"at": "2020-03-01"}),
    ("fiscal_year,court", Filters.parse(date_from="2015-01-01"), {}),
    ("fiscal_year,asylum_application,asylum_type", Filters(), {"case_types": "eoir"}),
    ("fiscal_year,nationality", Filters(fy=2024), {}),
]
APPEALS_QUERIES = [
    ("judge", "merits"),
    ("court,fiscal_year", "eoir"),
    ("nationality", "case"),
    ([], "case"),
]


def _results(db: Path) -> tuple[list, list]:
    with open_engine(db) as eng:
        bl = [backlog_rows(eng, by, f, **kw) for by, f, kw in BACKLOG_QUERIES]
        ap = [appeals_rows(eng, by, None, d) for by, d in APPEALS_QUERIES]
    return bl, ap


def _drop(db: Path, *tables: str) -> None:
    con = duckdb.connect(str(db))
    for t in tables:
        con.execute(f"DROP TABLE IF EXISTS {t}")
    con.close()


@pytest.fixture(scope="module")
def random_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("mb") / "r.duckdb", random_data(hand_data(), 90, 5))


def test_built_at_ingest(random_db: Path) -> None:
    with open_engine(random_db) as eng:
        for table in DERIVED:
            assert eng.has_table(table), table
        assert tuple(eng.table_columns(backlog_model.TABLE)) == backlog_model.COLUMNS
        assert set(model.MODEL_TABLES) >= set(DERIVED)
        n = eng.query(
            f"SELECT COUNT(*) FROM {backlog_model.TABLE} WHERE start IS NULL "
            "OR (next_start IS NOT NULL AND next_start < start)"
        ).rows
        assert n == [(0,)]


def test_inline_sql_gives_the_same_rows(random_db: Path, tmp_path: Path) -> None:
    expected = _results(random_db)
    assert any(expected[0]) and any(expected[1])
    old = tmp_path / "old.duckdb"
    shutil.copy(random_db, old)
    _drop(old, *DERIVED)  # a database ingested before these tables: the SQL runs inline
    with open_engine(old) as eng:
        assert not any(eng.has_table(t) for t in DERIVED)
    assert _results(old) == expected


def test_fiscal_year_grid_matches_single_dates(random_db: Path) -> None:
    with open_engine(random_db) as eng:
        by = "fiscal_year,asylum_application,case_type"
        per_fy = backlog_rows(eng, by, Filters.parse(date_from="2012-01-01"))
        assert per_fy[-1]["at"] == RELEASE.isoformat()
        for at in sorted({r["at"] for r in per_fy}):
            one = backlog_rows(eng, "asylum_application,case_type", None, at=at)
            got = [
                {k: v for k, v in r.items() if k != "fiscal_year"} for r in per_fy if r["at"] == at
            ]
            assert got == one


def test_builds_without_lookups_or_appeals(tmp_path: Path) -> None:
    data = random_data(hand_data(), 40, 2)
    bare = build_db(tmp_path / "bare.duckdb", data, {}, release_date=RELEASE.isoformat())
    full = build_db(tmp_path / "full.duckdb", data, LOOKUPS, release_date=RELEASE.isoformat())
    with open_engine(bare) as eng, open_engine(full) as ref:
        got = backlog_rows(eng, "court,nationality")
        want = backlog_rows(ref, "court,nationality")
        assert all(r["court_name"] is None and r["nationality_name"] is None for r in got)
        strip = ("court_name", "nationality_name")
        assert [{k: v for k, v in r.items() if k not in strip} for r in got] == [
            {k: v for k, v in r.items() if k not in strip} for r in want
        ]
    # a release without tblAppeal: the model builds, without the appeals tables
    _drop(bare, "appeals", *DERIVED)
    con = duckdb.connect(str(bare))
    model.build(con)
    con.close()
    with open_engine(bare) as eng:
        assert eng.has_table(backlog_model.TABLE)
        assert not eng.has_table(appeals_model.TABLE)
        assert not eng.has_table(appeals_model.DECISIONS_TABLE)
        assert backlog_rows(eng, "court") == got_court(full)


def got_court(db: Path) -> list:
    with open_engine(db) as eng:
        rows = backlog_rows(eng, "court")
    return [{**r, "court_name": None} for r in rows]


def test_grid_dates() -> None:
    con = duckdb.connect()
    sql = backlog_model.grid_date_sql("CAST(x AS DATE)", RELEASE)
    rows = con.execute(
        f"SELECT x, {sql} FROM (VALUES ('2020-09-30'), ('2020-10-01'), ('1900-05-01'), "
        f"('2026-05-01'), ('2026-07-02'), (NULL)) AS t(x)"
    ).fetchall()
    got = {x: (d.isoformat() if d else None) for x, d in rows}
    assert got == {
        "2020-09-30": "2020-09-30",
        "2020-10-01": "2021-09-30",
        "1900-05-01": "1950-09-30",
        "2026-05-01": RELEASE.isoformat(),  # the running fiscal year ends at the release
        "2026-07-02": None,  # after the release date
        None: None,
    }

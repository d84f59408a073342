"""``validate``: the published-case convention on hand-made cases, the row shape, synthetic."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from asylumstats.engines.duckdb_engine import DuckDBEngine
from asylumstats.releases.validate import FIELDS, published_case_counts, validate
from cli_helpers import run

# (idncase, [(idnproceeding, case_type, osc_date, comp_date, court)], [(id, recd, dec)])
CASES = [
    # last ASYL decision (by receipt day) is G → a grant, FY2023, NYC
    (
        1,
        [(11, "RMV", "2019-01-01", "2023-05-01", "NYC")],
        [(1, "2022-01-01", "D"), (2, "2022-06-01", "G")],
    ),
    # same receipt day: D outranks A → a denial, completed 2023-11-15 → FY2024
    (
        2,
        [(21, "RMV", "2019-01-01", "2023-11-15", "NYC")],
        [(3, "2022-06-01", "D"), (4, "2022-06-01", "A")],
    ),
    # a withholding-only case counts: denial FY2021 at SFR
    (3, [(31, "WHO", "2018-03-01", "2021-02-01", "SFR")], [(5, "2020-01-01", "D")]),
    # a deportation case does not count
    (4, [(41, "DEP", "2019-01-01", "2023-05-01", "NYC")], [(6, "2022-01-01", "G")]),
    # proceedings of two case types: left out
    (
        5,
        [
            (51, "RMV", "2019-01-01", "2021-05-01", "NYC"),
            (52, "WHO", "2019-01-01", "2022-05-01", "NYC"),
        ],
        [(7, "2020-01-01", "G")],
    ),
    # charging document before 1997-10-01: left out
    (6, [(61, "RMV", "1996-05-01", "2023-05-01", "NYC")], [(8, "2022-01-01", "G")]),
    # the last proceeding is pending: no final completion, left out
    (
        7,
        [(71, "RMV", "2019-01-01", "2021-05-01", "NYC"), (72, "RMV", "2019-01-01", None, "SFR")],
        [(9, "2020-01-01", "G")],
    ),
    # completed before the window (2020-01-01): left out
    (8, [(81, "RMV", "2015-01-01", "2019-12-31", "NYC")], [(10, "2019-01-01", "D")]),
    # last decision withdrawn: neither grant nor denial, left out
    (
        9,
        [(91, "RMV", "2015-01-01", "2022-01-10", "NYC")],
        [(11, "2019-01-01", "G"), (12, "2021-01-01", "W")],
    ),
    # court of the last proceeding: NYC, grant FY2022
    (
        10,
        [
            (101, "RMV", "2015-01-01", "2021-11-01", "SFR"),
            (102, "RMV", "2015-01-01", "2022-03-01", "NYC"),
        ],
        [(13, "2021-01-01", "G")],
    ),
]


@pytest.fixture()
def engine(tmp_path: Path) -> DuckDBEngine:
    con = duckdb.connect(str(tmp_path / "hand.duckdb"))
    con.execute(
        "CREATE TABLE proceedings (idnproceeding BIGINT, idncase BIGINT, case_type VARCHAR, "
        "osc_date TIMESTAMP, comp_date TIMESTAMP, base_city_code VARCHAR)"
    )
    con.execute(
        "CREATE TABLE applications (idnproceedingappln BIGINT, idnproceeding BIGINT, "
        "idncase BIGINT, appl_code VARCHAR, appl_recd_date TIMESTAMP, appl_dec VARCHAR)"
    )
    con.execute("CREATE TABLE tbllookupbasecity (base_city_code VARCHAR, base_state VARCHAR)")
    con.execute("INSERT INTO tbllookupbasecity VALUES ('NYC', 'NY'), ('SFR', 'CA')")
    for case, procs, apps in CASES:
        for pid, ctype, osc, comp, court in procs:
            con.execute(
                "INSERT INTO proceedings VALUES (?, ?, ?, ?, ?, ?)",
                [pid, case, ctype, osc, comp, court],
            )
        for aid, recd, dec in apps:
            con.execute(
                "INSERT INTO applications VALUES (?, ?, ?, 'ASYL', ?, ?)",
                [aid, procs[0][0], case, recd, dec],
            )
    return DuckDBEngine(con, owns=True)


def test_published_case_convention(engine: DuckDBEngine) -> None:
    got = {k: (c.grants, c.denials) for k, c in published_case_counts(engine).items()}
    assert got == {
        ("national", "", 2023): (1, 0),
        ("national", "", 2024): (0, 1),
        ("national", "", 2021): (0, 1),
        ("national", "", 2022): (1, 0),
        ("court", "NYC", 2023): (1, 0),
        ("court", "NYC", 2024): (0, 1),
        ("court", "SFR", 2021): (0, 1),
        ("court", "NYC", 2022): (1, 0),
        ("state", "NY", 2023): (1, 0),
        ("state", "NY", 2024): (0, 1),
        ("state", "CA", 2021): (0, 1),
        ("state", "NY", 2022): (1, 0),
    }


def test_validate_rows_and_statuses(engine: DuckDBEngine) -> None:
    engine.con.execute(
        "CREATE TABLE asylum_decisions AS SELECT 2021 AS fiscal_year, 'grant' AS outcome "
        "FROM range(8349) UNION ALL SELECT 2021, 'denial' FROM range(15478)"
    )
    result = validate(engine, synthetic=False)
    assert all(tuple(r) == FIELDS for r in result.rows)
    by_figure = {r["figure"]: r for r in result.rows}
    fy23 = by_figure["FY2023 national: asylum decisions (published-case)"]
    assert (fy23["published"], fy23["ours"], fy23["difference"]) == (74782, 1, 1 - 74782)
    assert fy23["tolerance"] == round(0.03 * 74782) and fy23["status"] == "outside tolerance"
    rate = by_figure["FY2023 national: approval rate (published-case)"]
    assert rate["ours"] == 1.0 and rate["status"] == "outside tolerance"
    # TRAC FY2021: 8,349 grants of 23,827 decisions, reproduced exactly here
    trac = by_figure["FY2021 national: asylum decisions (grant or deny) (merits)"]
    assert (trac["ours"], trac["difference"], trac["status"]) == (23827, 0, "ok")
    denial = by_figure["FY2021 national: denial rate (merits)"]
    assert denial["ours"] == pytest.approx(15478 / 23827, abs=1e-6) and denial["status"] == "ok"
    missing = by_figure["FY2018 national: asylum decisions (grant or deny) (merits)"]
    assert missing["ours"] is None and missing["status"] == "missing"
    assert len([r for r in result.rows if r["source"].startswith("deportationdata")]) == 721 * 3


def test_validate_cli_on_a_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asylumstats.ingest import ingest_release
    from asylumstats.sample.release import generate_release

    generate_release(tmp_path / "s.zip", 800, seed=3)
    ingest_release(tmp_path / "s.zip", tmp_path / "s.duckdb", progress=False)
    code, out, err = run(capsys, "validate", "--db", str(tmp_path / "s.duckdb"), "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(list(r) == list(FIELDS) for r in rows)
    assert {r["status"] for r in rows} == {"synthetic"}
    assert "SYNTHETIC" in err
    # the sample's release month (2026-07) has published row counts for its raw files
    pending = [r for r in rows if "cases pending on 30 September" in r["figure"]]
    assert [r["figure"][:6] for r in pending] == [f"FY{y}" for y in range(2008, 2021)]
    assert all(isinstance(r["ours"], int) and r["published"] > 100_000 for r in pending)
    counts = [r for r in rows if r["figure"].startswith("2026-07 release: rows in")]
    assert counts and all(isinstance(r["ours"], int) for r in counts)

"""Filing-year cohorts: statuses with pending cases, Kaplan–Meier and Aalen–Johansen by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from appeals_fixtures import RELEASE, AppealsData, T, build
from asylumstats.cli import main
from asylumstats.engines import Engine, open_engine
from asylumstats.metrics.cohorts import (
    aalen_johansen,
    cohort_curves,
    cohort_result,
    incidence_curves,
    kaplan_meier_median,
)
from asylumstats.metrics.filters import Filters


def cohort_data() -> AppealsData:
    """Hand cases (court NYC, judge JA1, RMV), filing dates on the ASYL applications."""
    ds = AppealsData()

    def case(cid: int, filed: tuple[int, int, int], *procs: tuple[object, str | None]) -> None:
        ds.case(cid, nat="CH", lang="MAN")
        for i, (comp, dec) in enumerate(procs):
            pid = cid * 10 + i
            ds.proc(pid, cid, comp, "JA1")  # type: ignore[arg-type]
            ds.proc_dates(osc=T(*filed), input_date=T(*filed))
            ds.app(pid, cid, dec, idn=pid * 10)
            ds.recd(T(*filed))

    # FY2019 filings
    case(1, (2019, 1, 10), (T(2020, 1, 10), "G"))  # grant after 365 days
    case(2, (2019, 3, 1), (T(2019, 9, 30), "D"))  # denial after 213 days
    case(3, (2019, 6, 1), (None, None))  # pending
    case(4, (2019, 2, 1), (T(2019, 12, 1), None))  # completed, no decision: 303 days
    ds.proceedings[-1]["absentia"] = "Y"  # an in-absentia order
    case(8, (2019, 5, 1), (None, None))  # pending
    # FY2021 filings
    case(5, (2020, 11, 1), (T(2021, 5, 1), "W"))  # other after 181 days
    case(6, (2020, 10, 15), (T(2021, 1, 1), "D"), (None, None))  # denied, reopened: pending
    case(7, (1940, 1, 1), (T(2021, 1, 1), "G"))  # implausible filing date: left out
    return ds


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = open_engine(build(tmp_path_factory.mktemp("cohorts") / "c.duckdb", cohort_data()))
    yield eng
    eng.close()


def test_statuses_waits_and_incidence(engine: Engine) -> None:
    rows = {r["filing_year"]: r for r in cohort_result(engine).rows}
    assert sorted(rows) == [2019, 2021]
    r = rows[2019]
    assert (r["filed"], r["grants"], r["denials"], r["other"], r["no_decision"]) == (5, 1, 1, 0, 1)
    assert (r["pending"], r["pending_share"], r["decisions"], r["grant_rate"]) == (2, 0.4, 2, 0.5)
    assert r["in_absentia"] == 1 and rows[2021]["in_absentia"] == 0
    # completed after 213, 303, 365 days; two pending (censored at the release)
    assert r["median_wait_decided_days"] == 303
    # Kaplan-Meier: S = 4/5 after 213, 3/5 after 303, 2/5 after 365 -> median 365
    assert r["median_wait_km_days"] == 365
    # Aalen-Johansen by 3 years: denial 1 x 1/5, other 4/5 x 1/4, grant 3/5 x 1/3
    assert r["cif_denial_3y"] == pytest.approx(0.2)
    assert r["cif_other_3y"] == pytest.approx(0.2)
    assert r["cif_grant_3y"] == pytest.approx(0.2)
    r = rows[2021]
    assert (r["filed"], r["other"], r["pending"], r["decisions"]) == (2, 1, 1, 0)
    assert r["grant_rate"] is None and r["median_wait_km_days"] == 181
    eoir = {r["filing_year"]: r for r in cohort_result(engine, None, "eoir").rows}
    assert eoir[2021]["decisions"] == 1 and eoir[2021]["grant_rate"] == 0.0
    only = cohort_result(engine, Filters(fy=2021)).rows
    assert [r["filing_year"] for r in only] == [2021]


def test_estimators_small_cases() -> None:
    import numpy as np

    days = np.array([1, 2, 3, 4])
    assert kaplan_meier_median(days, np.array([1, 0, 1, 0]), np.array([0, 1, 0, 1])) == 3
    assert kaplan_meier_median(days, np.array([1, 0, 0, 0]), np.array([0, 1, 1, 1])) is None
    cif = aalen_johansen(
        days, {"a": np.array([1, 0, 0, 0]), "b": np.array([0, 0, 1, 0])}, np.array([0, 1, 0, 1]), 10
    )
    # a: 1/4 at t=1; b: S(3-) = 3/4, at risk 2 -> 3/8
    assert cif == pytest.approx({"a": 0.25, "b": 0.375})


def test_cli(engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = build(tmp_path / "c.duckdb", cohort_data())
    main(["cohorts", "--db", str(db), "--format", "json"])
    got = json.loads(capsys.readouterr().out)
    assert [r["pending"] for r in got] == [2, 1]
    assert RELEASE.isoformat() == "2026-07-01"


def test_recent_rate_says_how_many_are_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = build(tmp_path / "c.duckdb", cohort_data())
    main(["rate", "--db", str(db), "--fy", "2019", "--format", "json"])
    err = capsys.readouterr().err
    assert "Of the 5 asylum applications filed in this window, 2 (40%) are still pending" in err
    main(["rate", "--db", str(db), "--format", "json"])
    assert "still pending" not in capsys.readouterr().err


def test_curves_by_hand(engine: Engine) -> None:
    rows = cohort_curves(engine).rows
    assert [r["years"] for r in rows[:20]] == [k / 2 for k in range(1, 21)]
    assert [r["days"] for r in rows[:3]] == [182, 365, 547]
    curve = {(r["filing_year"], r["years"]): r for r in rows}
    assert {fy for fy, _ in curve} == {2019, 2021}

    def cif(fy: int, years: float) -> tuple[object, ...]:
        r = curve[(fy, years)]
        return r["at_risk"], r["cif_grant"], r["cif_denial"], r["cif_other"]

    # FY2019: denial at 213 days, no decision at 303, grant at 365; two pending censored at
    # the release, after 2,587 (filed 2019-06-01) and 2,618 days (filed 2019-05-01)
    assert cif(2019, 0.5) == (5, 0.0, 0.0, 0.0)
    # by 365 days: denial 1 x 1/5, other 4/5 x 1/4, grant 3/5 x 1/3 (365 itself counts)
    assert cif(2019, 1.0) == pytest.approx((3, 0.2, 0.2, 0.2))
    assert cif(2019, 1.5) == pytest.approx((2, 0.2, 0.2, 0.2))
    assert cif(2019, 7.0) == pytest.approx((2, 0.2, 0.2, 0.2))  # 2,555 days: still followed
    assert cif(2019, 7.5) == (0, None, None, None)  # 2,737 days: beyond every follow-up
    # FY2021: other after 181 days (1 of 2 at risk), one pending censored at the release
    assert cif(2021, 0.5) == pytest.approx((1, 0.0, 0.0, 0.5))
    assert cif(2021, 3.0) == pytest.approx((1, 0.0, 0.0, 0.5))
    # the 3-year point is the cohorts table's cif_*_3y
    table = {r["filing_year"]: r for r in cohort_result(engine).rows}
    for fy in (2019, 2021):
        r = curve[(fy, 3.0)]
        assert (r["cif_grant"], r["cif_denial"], r["cif_other"]) == pytest.approx(
            (table[fy]["cif_grant_3y"], table[fy]["cif_denial_3y"], table[fy]["cif_other_3y"])
        )
    assert all(r["definition"] == "merits" for r in rows)


def test_incidence_curves_ties_and_censoring() -> None:
    import numpy as np

    days = np.array([1, 2, 3, 4])
    curves, at_risk = incidence_curves(
        days,
        {"a": np.array([1.0, 0, 0, 0]), "b": np.array([0.0, 0, 1, 0])},
        np.array([0.0, 1, 0, 1]),
        np.array([0, 1, 2, 3, 4, 5]),
    )
    # a: 1/4 at t=1; b: S(3-) = 3/4 (one censored at 2), at risk 2 at t=3 -> 3/8
    assert curves["a"] == pytest.approx([0.0, 0.25, 0.25, 0.25, 0.25, None])
    assert curves["b"] == [0.0, 0.0, 0.0, pytest.approx(0.375), pytest.approx(0.375), None]
    assert at_risk == [4, 4, 3, 2, 1, 0]


def test_curves_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = build(tmp_path / "c.duckdb", cohort_data())
    main(["cohorts", "--db", str(db), "--curves", "--format", "json"])
    got = json.loads(capsys.readouterr().out)
    assert len(got) == 40 and list(got[0]) == [
        "filing_year", "years", "days", "at_risk", "cif_grant", "cif_denial", "cif_other",
        "definition",
    ]  # fmt: skip
    assert got[1]["cif_grant"] == pytest.approx(0.2)
    main(["cohorts", "--db", str(db), "--curves", "--format", "csv", "--fy", "2021"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 21 and lines[1].startswith("2021,0.5,182,1,0.0,0.0,0.5")

"""The case-mix adjusted difference of ``change`` on synthetic data whose truth is known: the
grant probability of each (court, custody, period) is fixed by hand and the counts are exact,
so the standardized rates can be written out independently of the model."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from asylumstats.engines import Engine, open_engine
from asylumstats.metrics import Filters, change_result
from asylumstats.metrics.change_model import PeriodCells, adjusted_differences
from cli_helpers import run
from metrics_fixtures import D, Dataset, build_db


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


#: Log-odds of a grant by custody (shared by both courts).
LOGIT = {"N": math.log(0.6 / 0.4), "D": math.log(0.2 / 0.8)}
#: The true period effect (log-odds, current against base) per court: none at NYC.
SHIFT = {"NYC": 0.0, "SFR": 1.0}
#: Decisions per (court, period, custody): the mix moves from non-detained to detained.
MIX = {("base", "N"): 400, ("base", "D"): 100, ("current", "N"): 100, ("current", "D"): 400}
YEARS = {"base": 2018, "current": 2020}
B18, C20 = "2018-01-01..2018-12-31", "2020-01-01..2020-12-31"


def _probability(court: str, period: str, custody: str) -> float:
    return _sigmoid(LOGIT[custody] + (SHIFT[court] if period == "current" else 0.0))


def shifted_mix() -> Dataset:
    """Synthetic: exact grant counts (rounded) in each cell."""
    ds = Dataset()
    idn = 50_000
    for court in SHIFT:
        for (period, custody), n in MIX.items():
            grants = round(n * _probability(court, period, custody))
            for i in range(n):
                idn += 1
                ds.case(idn)
                day = D(YEARS[period], 3, 1 + i % 28)
                ds.proc(idn, idn, day, f"J{court}", court=court, custody=custody)
                ds.app(idn, idn, "G" if i < grants else "D")
    return ds


def true_difference(court: str) -> float:
    """Both periods' decisions pooled as the standard mix (500 + 500 per custody)."""
    weights = {c: sum(n for (_, cu), n in MIX.items() if cu == c) for c in LOGIT}
    total = sum(weights.values())

    def rate(period: str) -> float:
        return sum(w * _probability(court, period, c) for c, w in weights.items()) / total

    return rate("current") - rate("base")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("chg") / "t.duckdb", shifted_mix())


@pytest.fixture(scope="module")
def engine(db: Path) -> Iterator[Engine]:
    eng = open_engine(db)
    yield eng
    eng.close()


def test_mix_shift_alone_is_adjusted_away(engine: Engine) -> None:
    res = change_result(engine, B18, C20, ["court"], Filters(), "merits")
    rows = {r["court_code"]: r for r in res.rows}
    nyc = rows["NYC"]
    # raw: 0.6*400+0.2*100 = 260 of 500, then 0.6*100+0.2*400 = 140 of 500
    assert nyc["difference"] == pytest.approx(140 / 500 - 260 / 500)
    assert nyc["adjusted_difference"] == pytest.approx(0.0, abs=0.01)
    assert nyc["adjusted_ci_low"] < 0 < nyc["adjusted_ci_high"]
    assert nyc["adjusted_ci_high"] - nyc["adjusted_ci_low"] < 0.2
    assert nyc["adjusted_for"] == [
        "nationality",
        "represented",
        "custody",
        "asylum_type",
        "court",
        "judge",
    ]


def test_true_period_effect_is_recovered(engine: Engine) -> None:
    res = change_result(engine, B18, C20, ["court"], Filters(), "merits")
    sfr = next(r for r in res.rows if r["court_code"] == "SFR")
    want = true_difference("SFR")
    assert want == pytest.approx((0.8030 - 0.6 + 0.4047 - 0.2) / 2, abs=1e-3)
    assert sfr["adjusted_difference"] == pytest.approx(want, abs=0.01)
    assert sfr["adjusted_ci_low"] < want < sfr["adjusted_ci_high"]
    # the raw difference mixes the shift with the move to detention
    assert sfr["difference"] < want - 0.05


def test_all_courts_together_and_small_groups(engine: Engine) -> None:
    (row,) = change_result(engine, B18, C20, None, Filters(), "merits").rows
    want = (true_difference("NYC") + true_difference("SFR")) / 2  # equal mixes per court
    assert row["adjusted_ci_low"] < want < row["adjusted_ci_high"]
    # one period empty: null adjusted fields, never an error
    rows = change_result(engine, B18, "2019-01-01..2019-12-31", ["court"], Filters(), "merits").rows
    assert rows and all(r["adjusted_difference"] is None for r in rows)
    assert all(r["adjusted_ci_low"] is None and r["adjusted_ci_high"] is None for r in rows)


def test_cli_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "change", "--db", str(db), "--base", B18, "--current", C20, "--by",
        "court", "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = {r["court_code"]: r for r in json.loads(out)}
    assert rows["SFR"]["adjusted_difference"] == pytest.approx(true_difference("SFR"), abs=0.01)


def test_interval_coverage_under_binomial_noise() -> None:
    """Synthetic: 100 draws of the design above with binomial grants; the 95% intervals
    must contain the true adjusted difference in most draws, the estimates unbiased."""
    rng = np.random.default_rng(1)
    columns = ["court_code", "nationality_code", "represented", "custody", "asylum_type"]
    columns.append("judge_code")
    hits = dict.fromkeys(SHIFT, 0)
    errors: dict[str, list[float]] = {c: [] for c in SHIFT}
    draws = 100
    for _ in range(draws):
        sides: list[list[tuple[object, ...]]] = [[], []]
        for court in SHIFT:
            for (period, custody), n in MIX.items():
                grants = int(rng.binomial(n, _probability(court, period, custody)))
                side = sides[period == "current"]
                side.append((court, "CH", 1, custody, "E", f"J{court}", grants, n))
        got = adjusted_differences(PeriodCells.build(columns, ["court_code"], sides))
        for court in SHIFT:
            result = got[(court,)]
            assert result is not None
            diff, low, high = result
            hits[court] += low <= true_difference(court) <= high
            errors[court].append(diff - true_difference(court))
    for court in SHIFT:
        assert hits[court] / draws >= 0.85
        assert abs(float(np.mean(errors[court]))) < 0.01

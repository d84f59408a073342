"""Time to an asylum decision: hand-computed quantiles, implausible dates, a Python reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appeals_fixtures import build, hand_data, nearest_rank, random_data, reference_wait
from appeals_fixtures import days as span
from asylumstats.engines import Engine, open_engine
from asylumstats.errors import UserError
from asylumstats.metrics.dimensions import parse_dimensions
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.wait import nearest_rank as nearest_rank_impl
from asylumstats.metrics.wait import wait_fields, wait_result, wait_rows


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = open_engine(build(tmp_path_factory.mktemp("wait") / "w.duckdb", hand_data()))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def random_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("wait_rnd") / "r.duckdb", random_data(hand_data()))


def test_hand_quantiles(engine: Engine) -> None:
    (row,) = wait_rows(engine, "judge", Filters(judge="JS5"))
    assert row["decisions"] == 7  # the "A" (other) decision is not a merits decision
    osc = sorted(
        [
            span((2018, 1, 1), (2020, 1, 1)),
            span((2019, 1, 1), (2020, 1, 1)),
            span((2015, 3, 15), (2020, 3, 15)),
            span((2017, 1, 1), (2020, 1, 1)),
        ]
    )
    assert osc == [365, 730, 1095, 1827]
    # nearest rank: p25 → rank 1, median → 2, p75 → 3, p90 → ceil(3.6) = 4
    assert [row[f"from_osc_{q}_days"] for q in ("p25", "median", "p75", "p90")] == [
        365,
        730,
        1095,
        1827,
    ]
    # 1900-01-01, after the decision, after the release: three implausible, none missing
    assert (row["from_osc_count"], row["from_osc_missing"], row["from_osc_implausible"]) == (
        4,
        0,
        3,
    )
    recd = sorted(
        [
            span((2018, 6, 1), (2020, 1, 1)),
            span((2019, 7, 1), (2020, 1, 1)),
            span((2019, 12, 1), (2020, 1, 1)),
            span((2016, 3, 15), (2020, 3, 15)),
            span((2017, 2, 1), (2020, 1, 1)),
        ]
    )
    assert recd == [31, 184, 579, 1064, 1461]
    assert [row[f"from_receipt_{q}_days"] for q in ("p25", "median", "p75", "p90")] == [
        184,
        579,
        1064,
        1461,
    ]
    assert (
        row["from_receipt_count"],
        row["from_receipt_missing"],
        row["from_receipt_implausible"],
    ) == (5, 1, 1)
    assert row["definition"] == "merits" and row["small_sample"] is True


def test_eoir_includes_other_outcomes(engine: Engine) -> None:
    (row,) = wait_rows(engine, [], Filters(judge="JS5"), "eoir")
    assert row["decisions"] == 8
    assert row["from_osc_count"] == 5
    assert row["from_osc_median_days"] == 730  # [365, 366, 730, 1095, 1827] → rank 3


def test_fields_and_groups(engine: Engine) -> None:
    rows = wait_rows(engine, "court,nationality")
    assert [list(r) for r in rows] == [wait_fields(parse_dimensions("court,nationality"))] * len(
        rows
    )
    # appeal-fixture decisions have no dates at all: all missing, no quantiles
    nyc = [r for r in rows if r["court_code"] == "NYC"]
    assert nyc and all(r["from_osc_missing"] == r["decisions"] for r in nyc)
    assert all(r["from_osc_median_days"] is None for r in nyc)
    with pytest.raises(UserError):
        wait_rows(engine, "bogus")


def test_nearest_rank() -> None:
    for values in ([5], [1, 2], [3, 1, 2], list(range(10)), [7, 7, 7, 1]):
        for pct in (25, 50, 75, 90):
            assert nearest_rank_impl(values, pct) == nearest_rank(values, pct)
    assert nearest_rank_impl([], 50) is None
    assert nearest_rank_impl(list(range(1, 11)), 90) == 9  # rank 9 of 10, no float error


@pytest.mark.parametrize("by", [["judge"], ["court", "fiscal_year"], ["asylum_type", "month"], []])
@pytest.mark.parametrize("definition", ["merits", "eoir", "case"])
def test_reference(random_db: Path, by: list[str], definition: str) -> None:
    with open_engine(random_db) as eng:
        got = wait_result(eng, by, None, definition).rows
    ref = reference_wait(random_data(hand_data()), by, definition)
    assert [{k: r[k] for k in ref[0]} for r in got] == ref

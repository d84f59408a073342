"""The backlog: pending and administratively closed cases at a date, ages, fiscal-year ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appeals_fixtures import (
    RELEASE,
    build,
    hand_data,
    random_data,
    reference_backlog,
    reference_starts,
)
from asylumstats.engines import Engine, open_engine
from asylumstats.errors import UserError
from asylumstats.metrics.backlog import (
    backlog_fields,
    backlog_result,
    backlog_rows,
    parse_backlog_dimensions,
)
from asylumstats.metrics.filters import Filters

HOU = Filters(court="HOU")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = open_engine(build(tmp_path_factory.mktemp("backlog") / "b.duckdb", hand_data()))
    yield eng
    eng.close()


def age(start: tuple[int, int, int], at: dt.date = RELEASE) -> int:
    return (at - dt.date(*start)).days


def test_hand_at_release(engine: Engine) -> None:
    (row,) = backlog_rows(engine, "court", HOU)
    # pending: 801, 802 (second proceeding), 804 (after a change of venue), 807, 809, 810;
    # 803 administratively closed; 805 has no plausible start; 806 and 808 completed.
    ages = sorted(
        [
            age((2025, 1, 1)),
            age((2021, 5, 1)),
            age((2024, 1, 1)),
            age((2026, 1, 1)),
            age((2026, 3, 1)),
            age((2022, 7, 1)),
        ]
    )
    assert ages == [122, 181, 546, 912, 1461, 1887]
    assert row == {
        "court_code": "HOU",
        "court_name": "HOUSTON",
        "at": "2026-07-01",
        "pending": 6,
        "administratively_closed": 1,
        "median_age_days": 546,
        "age_under_1y": 2,
        "age_1_to_2y": 1,
        "age_2_to_4y": 1,
        "age_4y_plus": 2,  # 1461 days is 4y+
    }
    assert list(row) == backlog_fields(parse_backlog_dimensions("court"))


def test_case_type_and_asylum(engine: Engine) -> None:
    rows = backlog_rows(engine, "case_type", HOU)
    assert {r["case_type"]: (r["pending"], r["administratively_closed"]) for r in rows} == {
        "AOC": (1, 0),
        "CFR": (1, 0),
        "RMV": (4, 1),
    }
    rows = backlog_rows(engine, "asylum_application", HOU)
    assert {r["asylum_application"]: r["pending"] for r in rows} == {True: 2, False: 4}
    (eoir,) = backlog_rows(engine, [], HOU, case_types="eoir")
    assert (eoir["pending"], eoir["administratively_closed"]) == (5, 1)
    (rmv,) = backlog_rows(engine, [], HOU, case_types=" rmv, ")
    assert rmv["pending"] == 4


def test_at_and_fiscal_years(engine: Engine) -> None:
    (row,) = backlog_rows(engine, [], HOU, at="2023-09-30")
    assert (row["at"], row["pending"], row["administratively_closed"]) == ("2023-09-30", 3, 0)
    at = dt.date(2023, 9, 30)
    assert (
        row["median_age_days"]
        == sorted([age((2021, 5, 1), at), age((2023, 1, 1), at), age((2022, 7, 1), at)])[1]
        == 456
    )
    rows = backlog_rows(engine, "fiscal_year", Filters.parse(court="HOU", date_from="2023-01-01"))
    assert [
        (r["fiscal_year"], r["at"], r["pending"], r["administratively_closed"]) for r in rows
    ] == [
        (2023, "2023-09-30", 3, 0),
        (2024, "2024-09-30", 4, 0),  # 803 pending until its closure in 2025
        (2025, "2025-09-30", 5, 1),  # 806 completes after 2025-09-30; 808's latest completed
        (2026, "2026-07-01", 6, 1),  # the running fiscal year: the release date
    ]
    (fy24,) = backlog_rows(engine, [], Filters(court="HOU", fy=2024))
    assert (fy24["at"], fy24["pending"]) == ("2024-09-30", 4)


def test_errors(engine: Engine) -> None:
    with pytest.raises(UserError, match="Unknown backlog dimension"):
        backlog_rows(engine, "month")
    with pytest.raises(UserError, match="Bad --at date"):
        backlog_rows(engine, [], at="2024-13-01")
    with pytest.raises(UserError):
        backlog_rows(engine, "fiscal_year", at="2024-01-01")
    with pytest.raises(UserError):
        backlog_rows(engine, [], Filters.parse(date_from="2020-01-01"))
    with pytest.raises(UserError, match="Bad case type"):
        backlog_rows(engine, [], case_types="R;MV")


@pytest.mark.parametrize("at", ["2016-09-30", "2020-03-01", "2023-12-31", "2026-07-01"])
def test_reference(tmp_path_factory: pytest.TempPathFactory, at: str) -> None:
    data = random_data(hand_data(), n_cases=80)
    db = build(tmp_path_factory.mktemp("bl") / "r.duckdb", data)
    day = dt.date.fromisoformat(at)
    with open_engine(db) as eng:
        got = backlog_rows(eng, "court", None, at=at)
        total = backlog_rows(eng, [], None, at=at)
    assert [{k: r[k] for k in r if k != "court_name"} for r in got] == reference_backlog(data, day)
    assert total == reference_backlog(data, day, by_court=False)


def test_random_db_reused(tmp_path: Path) -> None:
    # several dates in one query give the same rows as one query per date
    data = random_data(hand_data(), n_cases=60, seed=3)
    db = build(tmp_path / "r.duckdb", data)
    with open_engine(db) as eng:
        per_fy = backlog_rows(eng, "fiscal_year,court", Filters.parse(date_from="2019-01-01"))
        for r in per_fy:
            at = r["at"]
            (one,) = [
                x
                for x in backlog_rows(eng, "court", None, at=at)
                if x["court_code"] == r["court_code"]
            ]
            assert {k: v for k, v in one.items() if k != "court_name"} == {
                k: v for k, v in r.items() if k not in ("fiscal_year", "court_name")
            }


ELP = Filters(court="ELP")  # a court with no asylum decision: codes are not checked


def elp(engine: Engine, by: Any, f: Filters, at: str | None = None) -> list[dict[str, Any]]:
    return backlog_result(engine, by, f, at, check=False).rows


def test_later_proceedings_start_at_their_own_input(engine: Engine) -> None:
    """Court ELP (hand data): a later proceeding starts at its own input date (or the earlier
    proceeding's completion when later), never at the case's original charging date."""
    (early,) = elp(engine, [], ELP, at="2019-09-30")
    at = dt.date(2019, 9, 30)
    # 811 was decided in 2015 and reopened in 2022: not pending in 2019 (its later
    # proceeding carries the 2014 charging date); pending: 813 (from its earlier
    # proceeding's completion, 2017-02-01) and 815 (its first proceeding, 2018-01-01)
    assert early["pending"] == 2
    assert early["median_age_days"] == age((2018, 1, 1), at) == 637
    (now,) = elp(engine, [], ELP)
    ages = sorted(age(d) for d in [(2022, 3, 1), (2024, 6, 1), (2017, 2, 1), (2018, 1, 1)])
    assert (now["pending"], now["median_age_days"]) == (4, ages[1])
    assert (now["age_1_to_2y"], now["age_4y_plus"]) == (0, 3)  # 812 from 2024-06-01: 2-4y
    rows = elp(engine, "fiscal_year", Filters.parse(court="ELP", date_from="2014-01-01"))
    assert [(r["fiscal_year"], r["pending"]) for r in rows] == [
        (2014, 1),
        (2016, 1),  # FY2015: 811 decided, nothing pending at ELP (no row)
        (2017, 1),
        (2018, 2),
        (2019, 2),
        (2020, 2),
        (2021, 2),
        (2022, 3),
        (2023, 4),
        (2024, 4),
        (2025, 4),
        (2026, 4),
    ]
    # proceedings without a plausible start (8141, 8152, ...) never empty the years
    assert elp(engine, "fiscal_year", ELP) == rows


def test_left_out_counted(engine: Engine) -> None:
    starts = reference_starts(hand_data())
    kept = sum(len(v) for v in starts.values())
    total = sum(1 for p in hand_data().proceedings if p.get("idncase") is not None)
    result = backlog_result(engine, [], ELP, check=False)
    assert result.notes["without_start"] == total - kept
    assert total - kept >= 3  # 8051 (after the release), 8141, 8152 at least

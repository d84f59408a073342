"""The backlog: pending and administratively closed cases at a date, ages, fiscal-year ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from appeals_fixtures import RELEASE, build, hand_data, random_data, reference_backlog
from asylumstats.engines import Engine, open_engine
from asylumstats.errors import UserError
from asylumstats.metrics.backlog import backlog_fields, backlog_rows, parse_backlog_dimensions
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

"""Rate rows: hand-computed counts, every dimension and definition against a Python reference,
filters, intervals, errors."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asylumstats.engines import Engine, open_engine
from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics import DIMENSIONS, Filters, parse_dimensions, rate_rows, wilson
from asylumstats.metrics.rates import VALUE_FIELDS, rate_result
from metrics_fixtures import (
    DIM_ORDER,
    build_db,
    reference_decisions,
    reference_rates,
    standard_dataset,
)

DEFINITIONS = ["merits", "eoir", "case", "protection"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    db = build_db(tmp_path_factory.mktemp("rates") / "t.duckdb", standard_dataset())
    eng = open_engine(db)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def ref() -> list[dict[str, Any]]:
    return reference_decisions(standard_dataset())


def strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    drop = {"ci_low", "ci_high", "small_sample"}
    return [{k: v for k, v in r.items() if k not in drop} for r in rows]


def one(engine: Engine, judge: str, definition: str = "merits") -> dict[str, Any]:
    got = rate_rows(engine, [], Filters(judge=judge), definition)
    assert len(got) == 1
    return {k: got[0][k] for k in ("grants", "denials", "other", "decisions", "grant_rate")}


def test_hand_counts_code_classes(engine: Engine) -> None:
    assert one(engine, "HC1") == {
        "grants": 6,
        "denials": 1,
        "other": 6,
        "decisions": 7,
        "grant_rate": 6 / 7,
    }
    assert one(engine, "HC1", "eoir") == {
        "grants": 6,
        "denials": 1,
        "other": 6,
        "decisions": 13,
        "grant_rate": 6 / 13,
    }
    # one case, one last decision: a grant
    assert one(engine, "HC1", "case") == {
        "grants": 1,
        "denials": 0,
        "other": 0,
        "decisions": 1,
        "grant_rate": 1.0,
    }


def test_hand_counts_case_type_and_pending(engine: Engine) -> None:
    assert one(engine, "HC2") == {
        "grants": 1,
        "denials": 3,
        "other": 0,
        "decisions": 4,
        "grant_rate": 0.25,
    }


def test_only_other_outcomes(engine: Engine) -> None:
    assert one(engine, "HC4") == {
        "grants": 0,
        "denials": 0,
        "other": 2,
        "decisions": 0,
        "grant_rate": None,
    }
    row = rate_rows(engine, ["judge"], Filters(judge="HC4"))[0]
    assert row["ci_low"] is None and row["ci_high"] is None and row["small_sample"] is True
    assert one(engine, "HC4", "eoir") == {
        "grants": 0,
        "denials": 0,
        "other": 2,
        "decisions": 2,
        "grant_rate": 0.0,
    }
    assert one(engine, "HC4", "case")["decisions"] == 0


def test_case_definition_tie_breaks(engine: Engine) -> None:
    # cases 500..503: last decisions D, G, D, D
    assert one(engine, "HC5", "case") == {
        "grants": 1,
        "denials": 3,
        "other": 0,
        "decisions": 4,
        "grant_rate": 0.25,
    }
    assert one(engine, "HC5") == {
        "grants": 2,
        "denials": 5,
        "other": 1,
        "decisions": 7,
        "grant_rate": 2 / 7,
    }


def test_protection(engine: Engine) -> None:
    # 60010, 60020 (denied, withholding/CAT granted), 60060 (granted), 60070 (abandoned,
    # withholding granted), 60080 (L: CAT granted on the asylum application)
    assert one(engine, "HC6", "protection") == {
        "grants": 5,
        "denials": 2,
        "other": 0,
        "decisions": 7,
        "grant_rate": 5 / 7,
    }
    assert one(engine, "HC6") == {
        "grants": 1,
        "denials": 4,
        "other": 2,
        "decisions": 5,
        "grant_rate": 0.2,
    }


def test_fiscal_year_boundary_and_month(engine: Engine) -> None:
    by_fy = rate_rows(engine, ["fiscal_year"], Filters(judge="HC3"))
    assert [(r["fiscal_year"], r["grants"], r["denials"]) for r in by_fy] == [
        (2019, 1, 0),
        (2020, 0, 1),
        (2021, 1, 0),
    ]
    by_month = rate_rows(engine, ["month"], Filters(judge="HC3"))
    assert [r["month"] for r in by_month] == ["2019-09", "2019-10", "2020-12"]
    window = Filters(judge="HC3", date_from=dt.date(2019, 9, 30), date_to=dt.date(2019, 10, 1))
    assert rate_rows(engine, [], window)[0]["decisions"] == 2  # both ends inclusive
    assert rate_rows(engine, [], Filters(judge="HC3", fy=2020))[0]["denials"] == 1


def test_row_shape(engine: Engine) -> None:
    row = rate_rows(engine, ["judge", "court"], Filters())[0]
    assert list(row) == ["judge_code", "judge_name", "court_code", "court_name", *VALUE_FIELDS]
    row = rate_rows(engine, "fiscal_year,judge", Filters())[0]  # documented order
    assert list(row)[:3] == ["judge_code", "judge_name", "fiscal_year"]
    assert rate_rows(engine, ["represented"], Filters())[0]["represented"] is False


@pytest.mark.parametrize("definition", DEFINITIONS)
@pytest.mark.parametrize("dim", DIM_ORDER)
def test_every_dimension_matches_reference(
    engine: Engine, ref: list[dict[str, Any]], dim: str, definition: str
) -> None:
    got = rate_rows(engine, [dim], Filters(), definition)
    assert strip(got) == reference_rates(ref, [dim], definition)


GROUPINGS = [
    ["judge", "fiscal_year"],
    ["court", "nationality"],
    ["nationality", "represented", "asylum_type"],
    ["custody", "language", "month"],
    ["hearing_location", "court", "judge", "fiscal_year"],
    [],
]


@pytest.mark.parametrize("definition", DEFINITIONS)
@pytest.mark.parametrize("by", GROUPINGS, ids=lambda b: "+".join(b) or "none")
def test_groupings_match_reference(
    engine: Engine, ref: list[dict[str, Any]], by: list[str], definition: str
) -> None:
    assert strip(rate_rows(engine, by, Filters(), definition)) == reference_rates(
        ref, by, definition
    )


FILTERS = [
    {"fy": 2019},
    {"fy": 2020, "court": "SFR"},
    {"date_from": dt.date(2018, 10, 1), "date_to": dt.date(2019, 3, 31)},
    {"judge": "JA1"},
    {"nationality": "??"},
    {"nationality": "CH", "judge": "JB2", "fy": 2019},
]


@pytest.mark.parametrize("definition", DEFINITIONS)
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_filters_match_reference(
    engine: Engine, ref: list[dict[str, Any]], flt: dict[str, Any], definition: str
) -> None:
    by = ["judge", "fiscal_year"]
    got = rate_rows(engine, by, Filters(**flt), definition)
    assert strip(got) == reference_rates(ref, by, definition, **flt)


def test_intervals_in_rows(engine: Engine) -> None:
    for row in rate_rows(engine, ["judge", "court"], Filters(), "eoir"):
        assert (row["ci_low"], row["ci_high"]) == wilson(row["grants"], row["decisions"])
        assert row["small_sample"] is (row["decisions"] < 25)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_known_values(successes: int, n: int, low: float, high: float) -> None:
    # Newcombe (1998), Statistics in Medicine 17:857-872, method 3.
    got = wilson(successes, n)
    assert got[0] == pytest.approx(low, abs=5e-5) and got[1] == pytest.approx(high, abs=5e-5)
    assert wilson(0, 0) == (None, None)


def test_filters_parse_and_codes() -> None:
    f = Filters.parse("2019", " 2018-10-01 ", "2019-09-30", " ja1 ", "nyc", "ch")
    assert f == Filters(2019, dt.date(2018, 10, 1), dt.date(2019, 9, 30), "JA1", "NYC", "CH")
    sql, params = f.where()
    assert "JA1" not in sql and params[-3:] == ["JA1", "NYC", "CH"]
    for bad in (
        {"date_from": "2019-02-30"},
        {"date_to": "yesterday"},
        {"fy": "FY19"},
        {"date_from": "2020-01-02", "date_to": "2020-01-01"},
    ):
        with pytest.raises(UserError):
            Filters.parse(**bad)


def test_unknown_codes(engine: Engine) -> None:
    for flt in (Filters(judge="ZZZ"), Filters(court="XYZ"), Filters(nationality="QQ")):
        with pytest.raises(NotFoundError):
            rate_rows(engine, ["judge"], flt)
    # in the lookup but without decisions: an empty result, not an error
    assert rate_rows(engine, ["judge"], Filters(judge="NOD")) == []
    # in the data but not in the lookup: fine
    assert rate_rows(engine, [], Filters(court="QQQ"))[0]["grants"] == 1
    # user input is only ever a bound parameter
    with pytest.raises(NotFoundError):
        rate_rows(engine, [], Filters(judge="X' OR '1'='1"))


def test_bad_dimension_and_definition(engine: Engine) -> None:
    with pytest.raises(UserError, match="Unknown dimension"):
        rate_rows(engine, "judge,planet", Filters())
    with pytest.raises(UserError, match="Unknown definition"):
        rate_rows(engine, ["judge"], Filters(), "trac")
    assert [d.name for d in parse_dimensions(" Month , judge,judge")] == ["judge", "month"]
    assert list(DIMENSIONS) == DIM_ORDER


def test_empty_result_and_window(engine: Engine) -> None:
    assert rate_rows(engine, ["judge"], Filters(fy=1999)) == []
    res = rate_result(engine, ["judge"], Filters(judge="HC3"))
    assert (res.first_decision, res.last_decision) == (dt.date(2019, 9, 30), dt.date(2020, 12, 31))
    assert res.release["release_date"] == "2026-07-01"


def test_groups_identical_across_definitions(engine: Engine) -> None:
    for by, n in ((["judge"], 2), (["court", "fiscal_year"], 3)):
        keys = {
            d: [tuple(r.values())[:n] for r in rate_rows(engine, by, Filters(), d)]
            for d in ("merits", "eoir", "protection")
        }
        assert keys["merits"] == keys["eoir"] == keys["protection"]


def test_all_pairs_of_dimensions(engine: Engine, ref: list[dict[str, Any]]) -> None:
    for pair in itertools.combinations(DIM_ORDER, 2):
        assert strip(rate_rows(engine, list(pair), Filters())) == reference_rates(
            ref, list(pair), "merits"
        ), pair


def test_database_path_missing(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="No database"):
        open_engine(tmp_path / "nope.duckdb")


def test_represented_at_decision(engine: Engine) -> None:
    # case 100 (HC1): a representative's E-28 of 2019-01-01, before its decisions
    rows = rate_rows(engine, ["represented_at_decision"], Filters(judge="HC1"))
    assert [r["represented_at_decision"] for r in rows] == [True]
    # HC6: case 600's E-28 is dated after its 2019 decisions; case 601 has a DHS attorney only
    rows = rate_rows(engine, ["represented_at_decision"], Filters(judge="HC6"))
    assert [r["represented_at_decision"] for r in rows] == [False]

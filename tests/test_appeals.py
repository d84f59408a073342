"""Appeals of asylum decisions: hand-computed counts, BIA outcomes and times; a Python reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appeals_fixtures import build, days, hand_data, random_data, reference_appeals
from asylumstats.engines import Engine, open_engine
from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics.appeals import appeals_fields, appeals_result, appeals_rows
from asylumstats.metrics.dimensions import parse_dimensions
from asylumstats.metrics.filters import Filters
from asylumstats.model.appeals import TABLE, build_appeals, classify_bia


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = open_engine(build(tmp_path_factory.mktemp("appeals") / "a.duckdb", hand_data()))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def random_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("appeals_rnd") / "r.duckdb", random_data(hand_data()))


def by_judge(engine: Engine, definition: str = "merits") -> dict[str, dict[str, object]]:
    return {r["judge_code"]: r for r in appeals_rows(engine, "judge", None, definition)}


def test_hand_counts_spec_rule(engine: Engine) -> None:
    ja1 = by_judge(engine)["JA1"]
    # grants: cases 1-5, 15 (second proceeding), 16 (two applications) = 8;
    # appealed by DHS (I or B): 1, 2 (two rows, counted once), 3 (B), 16 x2 = 5.
    assert (ja1["grants"], ja1["grants_appealed_by_dhs"]) == (8, 5)
    # denials: 6-11, 13, 14 = 8; by the respondent (A or B): 6, 7, 8, 13 = 4
    # (9 is appealed by DHS only, 11 by O, 14's appeal has no proceeding id).
    assert (ja1["denials"], ja1["denials_appealed_by_respondent"]) == (8, 4)
    assert ja1["dhs_appeal_share"] == 5 / 8
    assert ja1["respondent_appeal_share"] == 4 / 8
    assert 0 < ja1["dhs_appeal_ci_low"] < 5 / 8 < ja1["dhs_appeal_ci_high"] < 1
    # narrower: appeals of the IJ decision ("Case Appeal", category IJ); 7 is a DD Visa appeal.
    assert ja1["grants_case_appealed_by_dhs"] == 5
    assert ja1["denials_case_appealed_by_respondent"] == 3
    assert ja1["definition"] == "merits" and ja1["small_sample"] is True


def test_hand_bia_outcomes_and_days(engine: Engine) -> None:
    ja1 = by_judge(engine)["JA1"]
    # DHS: 1 DIS, 2 SUS (the case appeal, not the later MTR), 3 pending, 16 REM (x2).
    assert [
        ja1[f"dhs_appeals_{o}"] for o in ("dismissed", "sustained", "remanded", "other", "pending")
    ] == [1, 1, 2, 0, 1]
    # respondent: 6 REM, 7 ZZZ (other), 8 SAF (the B case appeal), 13 "dis" (dismissed).
    assert [
        ja1[f"respondent_appeals_{o}"]
        for o in ("dismissed", "sustained", "remanded", "other", "pending")
    ] == [2, 0, 1, 1, 0]
    dhs = sorted(
        [
            days((2020, 1, 10), (2020, 7, 9)),
            days((2020, 2, 1), (2020, 12, 1)),
            days((2020, 9, 8), (2021, 9, 8)),
            days((2020, 9, 8), (2021, 9, 8)),
        ]
    )
    assert dhs == [181, 304, 365, 365]
    assert (
        ja1["dhs_appeal_days_count"],
        ja1["dhs_appeal_days_p25"],
        ja1["dhs_appeal_days_median"],
        ja1["dhs_appeal_days_p75"],
    ) == (4, 181, 304, 365)
    # 13's BIA date precedes the IJ decision: left out of the times.
    resp = sorted(
        [
            days((2020, 6, 1), (2021, 6, 1)),
            days((2020, 7, 1), (2020, 9, 1)),
            days((2020, 8, 1), (2021, 2, 1)),
        ]
    )
    assert resp == [62, 184, 365]
    assert (
        ja1["respondent_appeal_days_count"],
        ja1["respondent_appeal_days_p25"],
        ja1["respondent_appeal_days_median"],
        ja1["respondent_appeal_days_p75"],
    ) == (3, 62, 184, 365)
    jb2 = by_judge(engine)["JB2"]
    assert (jb2["grants"], jb2["dhs_appeal_share"], jb2["dhs_appeal_ci_low"]) == (0, None, None)
    assert (jb2["denials"], jb2["denials_appealed_by_respondent"]) == (1, 1)
    assert jb2["respondent_appeal_days_median"] == days((2019, 5, 1), (2019, 12, 1)) == 214


def test_case_definition(engine: Engine) -> None:
    rows = by_judge(engine, "case")
    assert "JB2" not in rows  # case 15's last decision is the JA1 grant
    ja1 = rows["JA1"]
    assert (ja1["grants"], ja1["grants_appealed_by_dhs"]) == (7, 4)
    assert (ja1["denials"], ja1["denials_appealed_by_respondent"]) == (8, 4)
    assert ja1["definition"] == "case"
    # eoir counts the same grants and denials as merits
    assert [{**r, "definition": "x"} for r in appeals_rows(engine, "judge", None, "eoir")] == [
        {**r, "definition": "x"} for r in appeals_rows(engine, "judge")
    ]


def test_fields_and_filters(engine: Engine) -> None:
    rows = appeals_rows(engine, "court,fiscal_year", Filters(judge="JA1", fy=2020))
    assert [list(r) for r in rows] == [appeals_fields(parse_dimensions("court,fiscal_year"))]
    assert list(rows[0])[:7] == [
        "court_code",
        "court_name",
        "fiscal_year",
        "grants",
        "grants_appealed_by_dhs",
        "dhs_appeal_share",
        "dhs_appeal_ci_low",
    ]
    # FY2020 ends 2020-09-30: every JA1 decision is in it
    assert (rows[0]["grants"], rows[0]["denials"]) == (8, 8)
    window = appeals_rows(
        engine, [], Filters.parse(date_from="2020-06-01", date_to="2020-08-31", judge="JA1")
    )
    assert (window[0]["denials"], window[0]["denials_appealed_by_respondent"]) == (3, 3)


def test_errors(engine: Engine) -> None:
    with pytest.raises(UserError, match="Unknown dimension"):
        appeals_rows(engine, "judge,bogus")
    with pytest.raises(UserError, match="does not apply"):
        appeals_rows(engine, "judge", None, "protection")
    with pytest.raises(NotFoundError):
        appeals_rows(engine, "judge", Filters(judge="NOPE"))


def test_bia_classes() -> None:
    assert classify_bia(" sus ", True) == "sustained"
    assert classify_bia("S-L", True) == "dismissed"
    assert classify_bia("BCR", True) == "remanded"
    assert classify_bia("TER", True) == "other"
    assert classify_bia(None, True) == "other"
    assert classify_bia(None, False) == "pending"


@pytest.mark.parametrize(
    "by",
    [
        ["judge"],
        ["court", "fiscal_year"],
        ["nationality", "month"],
        ["represented", "asylum_type", "custody"],
        [],
    ],
)
@pytest.mark.parametrize("definition", ["merits", "case"])
def test_reference(random_db: Path, by: list[str], definition: str) -> None:
    with open_engine(random_db) as eng:
        got = appeals_result(eng, by, None, definition).rows
    ref = reference_appeals(random_data(hand_data()), by, definition)
    assert [{k: r[k] for k in ref[0]} for r in got] == ref


def test_materialized_table_gives_same_rows(tmp_path: Path) -> None:
    import duckdb

    from asylumstats.engines.duckdb_engine import DuckDBEngine

    db = build(tmp_path / "m.duckdb", random_data(hand_data(), n_cases=40))
    with open_engine(db) as eng:
        inline = appeals_rows(eng, "judge,fiscal_year")
    con = duckdb.connect(str(db))
    build_appeals(DuckDBEngine(con))
    con.close()
    with open_engine(db) as eng:
        assert eng.has_table(TABLE)
        assert appeals_rows(eng, "judge,fiscal_year") == inline

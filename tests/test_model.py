"""The model tables: exclusions, attribution, names from lookups, case-level tie-breaks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from asylumstats import model
from asylumstats.model import DECISION_COLUMNS
from metrics_fixtures import (
    LOOKUPS,
    Dataset,
    build_db,
    hand_dataset,
    reference_case_decisions,
    reference_decisions,
    standard_dataset,
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("model") / "t.duckdb", standard_dataset())


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_columns_and_types(db: Path) -> None:
    cols = rows(
        db,
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE table_name = 'asylum_decisions' ORDER BY column_index",
    )
    assert [c for c, _ in cols] == list(DECISION_COLUMNS)
    types = dict(cols)
    assert types["decision_date"] == "DATE"
    assert types["fiscal_year"] == "INTEGER"
    assert types["represented"] == "BOOLEAN"
    assert types["idnproceedingappln"] == "BIGINT"


def test_outcome_classes_one_code_each(db: Path) -> None:
    got = rows(
        db,
        "SELECT appl_dec, outcome FROM asylum_decisions WHERE idnproceeding = 1001 "
        "ORDER BY idnproceedingappln",
    )
    assert got == [
        ("F", "grant"),
        ("G", "grant"),
        ("C", "grant"),
        ("I", "grant"),
        ("P", "grant"),
        ("D", "denial"),
        ("A", "other"),
        ("W", "other"),
        ("M", "other"),
        ("O", "other"),
        ("S", "other"),
        ("L", "other"),
        ("G", "grant"),  # "g " trimmed, upper-cased
    ]  # T, R, blank and Z are not decisions; ASYW / 42B rows are not asylum applications


def test_proceeding_case_type_and_pending(db: Path) -> None:
    got = rows(
        db,
        "SELECT idnproceeding, case_type FROM asylum_decisions "
        "WHERE judge_code = 'HC2' ORDER BY idnproceeding",
    )
    assert got == [(2002, "RMV"), (2003, "AOC"), (2005, "DEP"), (2006, "EXC")]


def test_fiscal_year_and_month_boundary(db: Path) -> None:
    got = rows(
        db,
        "SELECT idnproceeding, decision_date, fiscal_year, month FROM asylum_decisions "
        "WHERE judge_code = 'HC3' ORDER BY idnproceeding",
    )
    assert got == [
        (3001, dt.date(2019, 9, 30), 2019, "2019-09"),
        (3002, dt.date(2019, 10, 1), 2020, "2019-10"),
        (3003, dt.date(2020, 12, 31), 2021, "2020-12"),
    ]


def test_dimensions_resolved(db: Path) -> None:
    got = rows(
        db,
        "SELECT judge_code, judge_name, court_code, court_name, hearing_location_code, "
        "hearing_location_name, nationality_code, nationality_name, language_code, "
        "language_name, custody, represented, asylum_type FROM asylum_decisions "
        "WHERE idnproceedingappln = 10010",
    )
    assert got == [
        (
            "HC1",
            "CLASS, CODE",
            "NYC",
            "NEW YORK",
            "NY1",
            "NEW YORK FEDERAL PLAZA",
            "MX",
            "MEXICO",
            "SP",
            "SPANISH",
            "D",
            True,
            "affirmative",
        )
    ]
    # codes missing from their lookups: names NULL
    got = rows(
        db,
        "SELECT judge_name, court_code, court_name, nationality_code, nationality_name, "
        "language_name FROM asylum_decisions WHERE idnproceeding = 7001",
    )
    assert got == [(None, "QQQ", None, "ZZ", None, None)]
    got = rows(
        db,
        "SELECT idnproceeding, asylum_type, represented, hearing_location_name "
        "FROM asylum_decisions WHERE judge_code = 'HC3' ORDER BY 1",
    )
    assert got == [
        (3001, "unknown", False, "SAN FRANCISCO MONTGOMERY"),  # C_ASY_TYPE blank
        (3002, "unknown", False, "SAN FRANCISCO MONTGOMERY"),  # J
        (3003, "defensive", False, None),  # E; hearing location missing from the lookup
    ]


def test_judge_with_several_lookup_rows(db: Path) -> None:
    got = dict(
        rows(
            db,
            "SELECT DISTINCT judge_code, judge_name FROM asylum_decisions "
            "WHERE judge_code IN ('JC3', 'JD4')",
        )
    )
    assert got == {"JC3": "NEWNAME, CARL", "JD4": "DOE, JANE"}  # active row; else highest id


def test_protection_flag(db: Path) -> None:
    got = rows(
        db,
        "SELECT idnproceeding, outcome, other_protection FROM asylum_decisions "
        "WHERE judge_code = 'HC6' ORDER BY idnproceeding",
    )
    assert got == [
        (6001, "denial", True),
        (6002, "denial", True),
        (6003, "denial", False),
        (6004, "denial", False),
        (6006, "grant", True),
        (6007, "other", True),
        (6008, "other", False),  # L: other under merits, protection granted under protection
    ]


def test_case_tie_breaks(db: Path) -> None:
    got = dict(
        rows(
            db,
            "SELECT idncase, idnproceedingappln FROM asylum_case_decisions "
            "WHERE idncase BETWEEN 500 AND 503",
        )
    )
    assert got == {500: 50021, 501: 50112, 502: 50212, 503: 50311}
    assert rows(db, "SELECT idnproceedingappln FROM asylum_case_decisions WHERE idncase = 100") == [
        (10026,)
    ]  # same day: a grant wins ("g ", the highest grant id)


def test_matches_reference(db: Path) -> None:
    ds = standard_dataset()
    ref = reference_decisions(ds)
    cols = [c for c in DECISION_COLUMNS if c in ref[0]]
    got = rows(db, f"SELECT {', '.join(cols)} FROM asylum_decisions")
    assert sorted(got, key=lambda r: r[0]) == sorted(
        (tuple(r[c] for c in cols) for r in ref), key=lambda r: r[0]
    )
    case_ids = rows(db, "SELECT idnproceedingappln FROM asylum_case_decisions")
    assert sorted(r[0] for r in case_ids) == sorted(
        r["idnproceedingappln"] for r in reference_case_decisions(ref)
    )


def test_sorted_for_filters(db: Path) -> None:
    got = rows(db, "SELECT fiscal_year, court_code FROM asylum_decisions")
    assert got == sorted(got, key=lambda r: (r[0], r[1] is None, r[1] or ""))


def test_missing_lookups_and_columns(tmp_path: Path) -> None:
    lookups = {
        "tbllookupjudge": [{"judge_code": "HC1", "judge_name": "NO ACTIVE COLUMN"}],
        "tbllookupbasecity": [{"base_city_code": "NYC", "base_city_name": "IMMIGRATION COURT"}],
    }
    db = build_db(tmp_path / "bare.duckdb", hand_dataset(), lookups=lookups)
    got = rows(
        db,
        "SELECT DISTINCT judge_name, court_name, hearing_location_name, "
        "nationality_name, language_name FROM asylum_decisions WHERE judge_code = 'HC1'",
    )
    assert got == [("NO ACTIVE COLUMN", None, None, None, None)]
    assert rows(db, "SELECT count(*) FROM asylum_decisions")[0][0] == len(
        reference_decisions(hand_dataset(), lookups)
    )


def test_build_is_repeatable_and_empty_ok(tmp_path: Path) -> None:
    db = build_db(tmp_path / "empty.duckdb", Dataset(), lookups={})
    con = duckdb.connect(str(db))
    try:
        model.build(con)
        assert con.execute("SELECT count(*) FROM asylum_case_decisions").fetchone() == (0,)
    finally:
        con.close()
    assert LOOKUPS  # the default lookups are untouched

"""The ``appeals``, ``wait`` and ``backlog`` commands: JSON/CSV shapes, tables, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from appeals_fixtures import build, hand_data
from asylumstats.metrics.appeals import appeals_fields
from asylumstats.metrics.backlog import backlog_fields, parse_backlog_dimensions
from asylumstats.metrics.dimensions import parse_dimensions
from asylumstats.metrics.wait import wait_fields
from cli_helpers import run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("cli_appeals") / "t.duckdb", hand_data())


def test_appeals_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "appeals", "--db", str(db), "--by", "judge", "--format", "json", "--judge", "ja1"
    )
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == appeals_fields(parse_dimensions("judge"))
    assert list(rows[0])[:6] == [
        "judge_code",
        "judge_name",
        "grants",
        "grants_appealed_by_dhs",
        "dhs_appeal_share",
        "dhs_appeal_ci_low",
    ]
    assert (
        rows[0]["grants"],
        rows[0]["grants_appealed_by_dhs"],
        rows[0]["denials"],
        rows[0]["denials_appealed_by_respondent"],
    ) == (8, 5, 8, 4)
    assert "SYNTHETIC DATA" in err


def test_appeals_csv_and_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "appeals",
        "--db",
        str(db),
        "--by",
        "court,fiscal_year",
        "--format",
        "csv",
        "--definition",
        "case",
    )
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == appeals_fields(parse_dimensions("court,fiscal_year"))
    assert {r["definition"] for r in table} == {"case"}
    code, out, _ = run(capsys, "appeals", "--db", str(db), "--by", "judge")
    assert code == 0 and "OUSLANDER" in out and "Appeals of asylum decisions" in out


def test_wait_json_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "wait", "--db", str(db), "--by", "judge", "--judge", "JS5", "--format", "json"
    )
    assert code == 0
    (row,) = json.loads(out)
    assert list(row) == wait_fields(parse_dimensions("judge"))
    assert (row["from_osc_median_days"], row["from_osc_implausible"]) == (730, 3)
    code, out, _ = run(capsys, "wait", "--db", str(db), "--format", "csv", "--fy", "2020")
    assert code == 0
    (rec,) = list(csv.DictReader(io.StringIO(out)))
    assert list(rec) == wait_fields([])
    code, out, _ = run(capsys, "wait", "--db", str(db), "--by", "court")
    assert code == 0 and "Days to an asylum decision" in out


def test_backlog_json_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "backlog",
        "--db",
        str(db),
        "--by",
        "court,case_type",
        "--court",
        "HOU",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == backlog_fields(parse_backlog_dimensions("court,case_type"))
    assert sum(r["pending"] for r in rows) == 6
    code, out, _ = run(
        capsys,
        "backlog",
        "--db",
        str(db),
        "--by",
        "fiscal_year",
        "--court",
        "HOU",
        "--from",
        "2024-01-01",
        "--format",
        "csv",
    )
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["fiscal_year"], r["at"], r["pending"]) for r in table] == [
        ("2024", "2024-09-30", "4"),
        ("2025", "2025-09-30", "5"),
        ("2026", "2026-07-01", "6"),
    ]
    code, out, _ = run(
        capsys, "backlog", "--db", str(db), "--at", "2023-09-30", "--case-type", "eoir"
    )
    assert code == 0 and "Pending cases" in out


@pytest.mark.parametrize(
    "args",
    [
        ["appeals", "--by", "judge,bogus"],
        ["appeals", "--from", "2020-02-30"],
        ["appeals", "--judge", "NOPE"],
        ["wait", "--by", "nope"],
        ["wait", "--to", "yesterday"],
        ["backlog", "--at", "2024-13-01"],
        ["backlog", "--by", "month"],
        ["backlog", "--by", "fiscal_year", "--at", "2024-01-01"],
        ["backlog", "--from", "2020-01-01"],
    ],
)
def test_errors(db: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, args[0], "--db", str(db), *args[1:], "--format", "json")
    assert code != 0
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_bad_choice(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "appeals", "--db", str(db), "--definition", "protection")
    assert code != 0 and out == "" and "Traceback" not in err


def test_missing_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in ("appeals", "wait", "backlog"):
        code, _, err = run(capsys, cmd, "--db", str(tmp_path / "none.duckdb"))
        assert code != 0 and "No database" in err and "Traceback" not in err

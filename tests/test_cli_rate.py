"""The ``rate``, profile and ``export`` commands: output shapes, notices, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from asylumstats.metrics.rates import VALUE_FIELDS
from cli_helpers import run
from metrics_fixtures import build_db, reference_decisions, reference_rates, standard_dataset


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("cli") / "t.duckdb", standard_dataset())


def test_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "rate",
        "--db",
        str(db),
        "--by",
        "judge,fiscal_year",
        "--format",
        "json",
        "--definition",
        "case",
    )
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == ["judge_code", "judge_name", "fiscal_year", *VALUE_FIELDS]
    ref = reference_rates(reference_decisions(standard_dataset()), ["judge", "fiscal_year"], "case")
    assert [{k: r[k] for k in ref[0]} for r in rows] == ref
    assert "SYNTHETIC DATA" in err


def test_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "rate",
        "--db",
        str(db),
        "--by",
        "represented,court",
        "--format",
        "csv",
        "--fy",
        "2019",
        "--nationality",
        " ch ",
    )
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == ["court_code", "court_name", "represented", *VALUE_FIELDS]
    assert {r["represented"] for r in table} <= {"true", "false"}
    assert all(r["definition"] == "merits" for r in table)


def test_empty_results(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rate", "--db", str(db), "--fy", "1990", "--format", "json")[1] == "[]\n"
    code, out, _ = run(
        capsys, "rate", "--db", str(db), "--fy", "1990", "--by", "court", "--format", "csv"
    )
    assert code == 0 and out.splitlines() == [",".join(["court_code", "court_name", *VALUE_FIELDS])]
    code, out, err = run(capsys, "rate", "--db", str(db), "--fy", "1990", "--by", "court")
    assert code == 0 and out == ""
    assert "No asylum decisions match FY1990 (Oct 1989-Sep 1990)." in err
    code, out, err = run(
        capsys, "rate", "--db", str(db), "--judge", "HC4", "--court", "NYC", "--format", "json"
    )
    assert (code, out) == (0, "[]\n") and "judge HC4, court NYC" in err


def test_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rate", "--db", str(db), "--by", "judge", "--definition", "eoir")
    assert code == 0
    assert "OUSLANDER, JOHN" in out and "eoir" in out and "2026-07-01" in out
    assert "<25 decisions" in out
    assert "SYNTHETIC DATA" in err and "SYNTHETIC" not in out


def test_not_synthetic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = build_db(
        tmp_path / "real.duckdb", standard_dataset(), synthetic=False, release_date=None
    )
    code, out, err = run(capsys, "rate", "--db", str(real), "--format", "json")
    assert code == 0 and err == "" and len(json.loads(out)) == 1


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--by", "judge,planet"], 2, "Unknown dimension 'planet'"),
        (["--from", "2019-02-30"], 2, "Bad --from date"),
        (["--judge", "ZZZ"], 3, "Unknown judge code 'ZZZ'"),
        (["--court", "XYZ"], 3, "Unknown court code 'XYZ'"),
        (["--nationality", "QQ"], 3, "Unknown nationality code 'QQ'"),
        (["--definition", "trac"], 2, "Unknown definition 'trac'"),
        (["--fy", "FY19"], 2, "Bad fiscal year 'FY19'"),
        (["--from", "2020-02-01", "--to", "2020-01-01"], 2, "is after the --to date"),
    ],
)
def test_errors(
    db: Path, capsys: pytest.CaptureFixture[str], args: list[str], status: int, message: str
) -> None:
    code, out, err = run(capsys, "rate", "--db", str(db), "--format", "json", *args)
    assert code == status and out == ""
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rate", "--db", str(tmp_path / "none.duckdb"))
    assert code != 0 and "No database" in err


def test_profiles_cli(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "judge", "ouslander", "--db", str(db), "--format", "json")
    assert code == 0 and json.loads(out)["judge_code"] == "JA1"
    code, out, _ = run(capsys, "judge", "Ouslander", "--db", str(db))
    assert code == 0 and "OUSLANDER, JOHN" in out and "nation" in out
    code, _, err = run(capsys, "judge", "smith", "--db", str(db))
    assert code == 2 and "JB2 (SMITH, ANNA)" in err
    code, out, _ = run(capsys, "court", "NYC", "--db", str(db), "--format", "json", "--fy", "2019")
    assert code == 0 and json.loads(out)["filters"]["fy"] == 2019
    code, out, _ = run(capsys, "nationality", "china", "--db", str(db), "--definition", "eoir")
    assert code == 0 and "CHINA" in out
    code, _, err = run(capsys, "nationality", "Atlantis", "--db", str(db))
    assert code == 3 and "Atlantis" in err
    code, out, err = run(capsys, "court", "NYC", "--db", str(db), "--format", "csv")
    assert code == 2 and out == "" and "table or json" in err


def test_export(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    out_dir = tmp_path / "pq"
    code, _, _ = run(capsys, "export", "--parquet", str(out_dir), "--db", str(db))
    assert code == 0
    names = {p.name for p in out_dir.glob("*.parquet")}
    for table in (
        "cases",
        "proceedings",
        "applications",
        "appeals",
        "tbllookupjudge",
        "release_info",
        "asylum_decisions",
        "asylum_case_decisions",
    ):
        assert f"{table}.parquet" in names
    con = duckdb.connect()
    n = con.execute(
        "SELECT count(*) FROM read_parquet(?)", [str(out_dir / "asylum_decisions.parquet")]
    ).fetchall()
    con.close()
    assert n == [(len(reference_decisions(standard_dataset())),)]

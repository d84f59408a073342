"""The Python API (``asylumstats.open``): the same filters and numbers as the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import asylumstats
from asylumstats.errors import UserError
from cli_helpers import run
from metrics_fixtures import build_db, reference_decisions, standard_dataset

REF = reference_decisions(standard_dataset())


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("api") / "t.duckdb", standard_dataset())


@pytest.fixture(scope="module")
def db(path: Path) -> asylumstats.Database:
    database = asylumstats.open(path)
    yield database
    database.close()


def test_rate_with_keyword_filters_exact(db: asylumstats.Database) -> None:
    res = db.rate(by="judge", nationality="CH", represented=False, **{"from": "2018-01-01"})
    want: dict[str, list[int]] = {}
    for d in REF:
        if d["nationality_code"] == "CH" and not d["represented"]:
            if d["decision_date"].isoformat() >= "2018-01-01":
                counts = want.setdefault(d["judge_code"], [0, 0, 0])
                counts[("grant", "denial", "other").index(d["outcome"])] += 1
    got = {r["judge_code"]: [r["grants"], r["denials"], r["other"]] for r in res}
    assert got == want
    assert res.definition == "merits" and res.filters["nationality"] == "CH"
    assert res.release["release_date"] == "2026-07-01"
    assert res.window["first_decision"] >= "2018-01-01"


def test_arrow_pandas_and_periods(db: asylumstats.Database) -> None:
    res = db.rate(by=["court"], period=["..2018-12-31", "2019-01-01.."], definition="eoir")
    table = res.to_arrow()
    assert table.column_names == res.fields and table.num_rows == len(res)
    assert table.schema.metadata[b"definition"] == b"eoir"
    frame = res.to_pandas()
    assert list(frame.columns) == res.fields and frame.attrs["definition"] == "eoir"
    assert frame["grants"].sum() == sum(d["outcome"] == "grant" for d in REF)
    empty = db.rate(by="court", judge="HC4", court="NYC")
    assert len(empty) == 0 and empty.to_arrow().num_rows == 0


def test_same_as_cli(db: asylumstats.Database, path: Path, capsys: pytest.CaptureFixture) -> None:
    _, out, _ = run(
        capsys, "rate", "--db", str(path), "--by", "language", "--custody", "D,N", "--format",
        "json",
    )  # fmt: skip
    assert db.rate(by="language", custody=["D", "N"]).rows == json.loads(out)
    _, out, _ = run(capsys, "judge", "JA1", "--db", str(path), "--format", "json")
    profile = db.judge("JA1")
    assert dict(profile) == json.loads(out)
    years = profile.table("by_fiscal_year")
    assert [r["fiscal_year"] for r in years] == [
        e["fiscal_year"] for e in profile["by_fiscal_year"]
    ]
    change = db.change("..2018-12-31", "2019-01-01..", by="court")
    _, out, _ = run(
        capsys, "change", "--db", str(path), "--base", "..2018-12-31", "--current",
        "2019-01-01..", "--by", "court", "--format", "json",
    )  # fmt: skip
    assert change.rows == json.loads(out)
    assert db.appeals(by="court").rows and db.wait(by="court").rows is not None


def test_bad_keywords(db: asylumstats.Database) -> None:
    with pytest.raises(UserError, match="Unknown keyword 'nationalty'"):
        db.rate(nationalty="CH")
    with pytest.raises(UserError, match="yes or no"):
        db.rate(represented="perhaps")

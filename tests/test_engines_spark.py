"""Spark (pyspark local mode) runs the very same model and metric SQL: identical rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asylumstats.engines import Engine, open_engine
from asylumstats.engines.parquet import export_parquet
from asylumstats.metrics import (
    Filters,
    court_profile,
    judge_profile,
    rate_rows,
)
from metrics_fixtures import build_db, standard_dataset

pyspark = pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("spark") / "t.duckdb", standard_dataset())


@pytest.fixture(scope="module")
def engines(
    db: Path, spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Engine]]:
    pq = tmp_path_factory.mktemp("parquet")
    export_parquet(db, pq)
    duck = open_engine(db)
    sp = open_engine(db, "spark", parquet_dir=pq, spark=spark)
    yield duck, sp
    sp.close()
    duck.close()


QUERIES: list[tuple[str, Any, Filters]] = [
    ("merits", ["judge"], Filters()),
    ("eoir", ["court", "fiscal_year"], Filters()),
    ("case", ["nationality", "month"], Filters()),
    ("protection", ["hearing_location", "language", "represented", "asylum_type"], Filters()),
    ("case", ["judge", "fiscal_year"], Filters(court="NYC")),
    ("eoir", ["custody"], Filters.parse(fy="2020", date_to="2019-12-31", nationality="??")),
    (
        "merits",
        ["court"],
        Filters.parse(
            nationality="CH,MX",
            language="MAN",
            custody="D,N",
            represented="yes",
            asylum_type="defensive,unknown",
            hearing_location="NY1,SF1",
        ),
    ),
]


def test_same_rows(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    for definition, by, flt in QUERIES:
        expected = rate_rows(duck, by, flt, definition)
        assert expected, (definition, by)
        assert rate_rows(sp, by, flt, definition) == expected, (definition, by, flt)


def test_same_model_tables(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    for table in ("asylum_decisions", "asylum_case_decisions"):
        sql = f"SELECT * FROM {table} ORDER BY idnproceedingappln"
        a, b = duck.query(sql), sp.query(sql)
        assert a.columns == b.columns and a.rows == b.rows


def test_same_profiles(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    assert judge_profile(sp, "ouslander") == judge_profile(duck, "ouslander")
    assert court_profile(sp, "SFR", "case") == court_profile(duck, "SFR", "case")


def test_cli_engine_spark(
    db: Path, engines: tuple[Engine, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from asylumstats.cli import main

    main(["rate", "--db", str(db), "--by", "court", "--format", "json", "--engine", "spark"])
    out = json.loads(capsys.readouterr().out)
    assert out == rate_rows(engines[0], ["court"], Filters())
    assert (db.parent / "t.duckdb.parquet" / "asylum_decisions.parquet").exists()

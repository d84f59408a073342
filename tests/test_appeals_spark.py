"""Spark (local mode) runs the appeals, wait and backlog SQL unchanged: identical rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from appeals_fixtures import paired_engines
from asylumstats.engines import Engine
from asylumstats.metrics.appeals import appeals_rows
from asylumstats.metrics.backlog import backlog_rows
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.wait import wait_rows

pyspark = pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java"),
]


@pytest.fixture(scope="module")
def engines(
    spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Engine]]:
    with paired_engines(spark, tmp_path_factory.mktemp("appeals_spark"), n_cases=40) as pair:
        yield pair


def test_appeals_same_rows(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    for by, flt, definition in (
        ("judge,fiscal_year", Filters(), "merits"),
        ("court", Filters.parse(date_from="2019-01-01"), "case"),
    ):
        expected = appeals_rows(duck, by, flt, definition)
        assert expected
        assert appeals_rows(sp, by, flt, definition) == expected, (by, definition)


def test_wait_same_rows(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    for by, definition in (("judge,asylum_type", "merits"), ("", "eoir")):
        expected = wait_rows(duck, by, None, definition)
        assert expected
        assert wait_rows(sp, by, None, definition) == expected, (by, definition)


def test_backlog_same_rows(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    for by, flt, at in (
        ("court,case_type,asylum_application", Filters(), None),
        ("fiscal_year,nationality", Filters.parse(date_from="2020-01-01"), None),
        ("", Filters(court="HOU"), "2024-09-30"),
    ):
        expected = backlog_rows(duck, by, flt, at)
        assert expected
        assert backlog_rows(sp, by, flt, at) == expected, (by, at)

"""Spark (local mode) runs the ``--adjust`` and cohort SQL unchanged: the same rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from appeals_fixtures import paired_engines
from asylumstats.engines import Engine
from asylumstats.metrics.adjust import adjusted_rate_result
from asylumstats.metrics.cohorts import cohort_result

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
    with paired_engines(spark, tmp_path_factory.mktemp("adjust_spark"), n_cases=80) as pair:
        yield pair


def test_adjusted_same_rows(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    for by in ("judge", "court"):
        expected = adjusted_rate_result(duck, by).rows
        assert any(r["adjusted_rate"] is not None for r in expected)
        got = adjusted_rate_result(sp, by).rows
        assert [r["adjusted_rate"] for r in got] == pytest.approx(
            [r["adjusted_rate"] for r in expected], nan_ok=True
        )
        keep = ("court_others_rate", "court_others_decisions", "p_value", "q_value")
        assert [{k: r.get(k) for k in keep} for r in got] == [
            {k: r.get(k) for k in keep} for r in expected
        ]


def test_cohorts_same_rows(engines: tuple[Engine, Engine]) -> None:
    duck, sp = engines
    expected = cohort_result(duck).rows
    assert len(expected) >= 5
    assert cohort_result(sp).rows == expected

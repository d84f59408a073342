"""DuckDB's quantile aggregate against the nearest rank, and the two ways appeals and backlog
compute their quantiles (one aggregate on DuckDB, the histogram and its running count on
Spark) giving the same rows."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

from appeals_fixtures import build, hand_data, nearest_rank, random_data
from asylumstats.engines import open_engine
from asylumstats.metrics import appeals, backlog
from asylumstats.metrics.appeals import APPEAL_QUANTILES, quantile_sql
from asylumstats.metrics.filters import Filters


def test_quantile_sql_is_the_nearest_rank() -> None:
    rng = random.Random(3)
    groups = {g: [rng.randint(0, 40) for _ in range(g)] for g in range(1, 60)}
    groups[60] = [7] * 4 + [9] * 4  # ties across the median
    con = duckdb.connect()
    con.execute("CREATE TABLE t (g INTEGER, v INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(g, v) for g, vs in groups.items() for v in vs])
    con.execute("INSERT INTO t VALUES (1, NULL), (2, NULL)")  # NULLs are left out
    pcts = [pct for _, pct in APPEAL_QUANTILES]
    cols = ", ".join(quantile_sql("v", pct) for pct in pcts)
    got = {g: list(qs) for g, *qs in con.execute(f"SELECT g, {cols} FROM t GROUP BY g").fetchall()}
    assert got == {g: [nearest_rank(vs, pct) for pct in pcts] for g, vs in groups.items()}
    assert got[60] == [7, 7, 9]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = random_data(hand_data(), n_cases=300, seed=5)
    return build(tmp_path_factory.mktemp("quantiles") / "q.duckdb", data)


Rows = list[dict[str, Any]]


def _both(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, call: Callable[[], Rows]
) -> tuple[Rows, Rows]:
    """``call()`` with the engine's quantile aggregate, then with the histogram."""
    rows = []
    for direct in (True, False):
        monkeypatch.setattr(module, "direct_quantiles", lambda engine, d=direct: d)
        rows.append(call())
    return rows[0], rows[1]


@pytest.mark.parametrize(
    ("by", "definition", "fy"),
    [("judge", "merits", None), ("court,fiscal_year", "case", None), (None, "merits", "2019")],
)
def test_appeals_paths_agree(
    db: Path, monkeypatch: pytest.MonkeyPatch, by: str | None, definition: str, fy: str | None
) -> None:
    with open_engine(db) as eng:
        f = Filters.parse(fy, None, None)
        direct, histogram = _both(
            monkeypatch, appeals, lambda: appeals.appeals_rows(eng, by, f, definition)
        )
    assert direct == histogram
    assert any(r["respondent_appeal_days_median"] is not None for r in direct)


@pytest.mark.parametrize(
    ("by", "at"), [("court", None), ("judge,asylum_application", "2020-01-01"), (None, None)]
)
def test_backlog_paths_agree(
    db: Path, monkeypatch: pytest.MonkeyPatch, by: str | None, at: str | None
) -> None:
    with open_engine(db) as eng:
        direct, histogram = _both(
            monkeypatch, backlog, lambda: backlog.backlog_rows(eng, by, None, at)
        )
    assert direct == histogram
    assert any(r["median_age_days"] is not None for r in direct)

"""The query runner shared by metrics: grouped aggregates with filters, sorted rows, release info.

A metric supplies a model table, a grouping (dimensions from the registry), filters and a list
of ``(alias, SQL aggregate)``; the runner builds one DuckDB-dialect statement and runs it on the
engine. Rows come back as dicts keyed by the dimension keys then the aggregate aliases, sorted
by the keys (NULL last) in Python, so both engines return rows in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asylumstats.metrics.dimensions import Dimension, key_columns
from asylumstats.metrics.filters import Filters

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine


def grouped_sql(
    table: str,
    dims: Sequence[Dimension],
    filters: Filters,
    aggregates: Sequence[tuple[str, str]],
) -> tuple[str, list[Any]]:
    """``(sql, params)`` of a grouped aggregate over ``table``."""
    keys = key_columns(dims)
    where, params = filters.where()
    select = ", ".join([*keys, *(f"{expr} AS {alias}" for alias, expr in aggregates)])
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    return f"SELECT {select} FROM {table} {where}{group}", params


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def sort_rows(rows: list[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Rows sorted by ``keys`` ascending, NULLs last."""
    return sorted(rows, key=lambda r: tuple(_sort_key(r[k]) for k in keys))


def run_grouped(
    engine: Engine,
    table: str,
    dims: Sequence[Dimension],
    filters: Filters,
    aggregates: Sequence[tuple[str, str]],
) -> list[dict[str, Any]]:
    """Run a grouped aggregate; rows as dicts sorted by the keys."""
    sql, params = grouped_sql(table, dims, filters, aggregates)
    return sort_rows(engine.query(sql, params).dicts(), key_columns(dims))


def release_info(engine: Engine) -> dict[str, str]:
    """The ``release_info`` key/value pairs (empty when the table is missing)."""
    memo = engine.memo
    if "release_info" not in memo:
        info: dict[str, str] = {}
        if engine.has_table("release_info"):
            rows = engine.query("SELECT key, value FROM release_info").rows
            info = {str(k): str(v) for k, v in rows if v is not None}
        memo["release_info"] = info
    return dict(memo["release_info"])


def is_synthetic(info: dict[str, str]) -> bool:
    """Whether the release is marked synthetic."""
    return str(info.get("synthetic", "")).strip().lower() == "true"


def release_day(info: dict[str, str]) -> dt.date | None:
    """The release date of ``release_info`` (None when absent or unreadable)."""
    value = (info.get("release_date") or "").strip()
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None

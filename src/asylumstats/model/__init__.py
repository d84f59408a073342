"""Derived tables built at the end of ingest: ``asylum_decisions``, ``asylum_case_decisions``,
``backlog_proceedings`` (``model/backlog.py``), and ``proceeding_appeals`` and
``decision_appeals`` (``model/appeals.py``; only when the release has a tblAppeal).

``build(con)`` runs the model SQL (``model/sql.py``) on a DuckDB connection; ``build_on(engine)``
runs the very same SQL on any engine (the Spark engine uses it over Parquet).
"""

from __future__ import annotations

from typing import Any

from asylumstats.model import appeals as _appeals
from asylumstats.model import backlog as _backlog
from asylumstats.model.sql import (
    CASE_ORDER,
    DECISION_COLUMNS,
    DECISIONS_ORDER,
    case_decisions_sql,
    decisions_sql,
)

__all__ = ["DECISION_COLUMNS", "MODEL_TABLES", "build", "build_on"]

#: The derived tables, in build order.
MODEL_TABLES: tuple[str, ...] = (
    "asylum_decisions",
    "asylum_case_decisions",
    _backlog.TABLE,
    _appeals.TABLE,
    _appeals.DECISIONS_TABLE,
)


def build_on(engine: Any) -> None:
    """Build the model tables with an :class:`asylumstats.engines.base.Engine`."""
    engine.materialize("asylum_decisions", decisions_sql(engine.table_columns), DECISIONS_ORDER)
    engine.materialize("asylum_case_decisions", case_decisions_sql(), CASE_ORDER)
    _backlog.build_backlog(engine)
    if _appeals.can_build(engine):
        _appeals.build_appeals(engine)
        _appeals.build_decision_appeals(engine)


def build(con: Any) -> None:
    """Build the model tables in an open (writable) DuckDB connection."""
    from asylumstats.engines.duckdb_engine import DuckDBEngine

    build_on(DuckDBEngine(con))

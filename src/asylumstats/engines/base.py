"""The engine interface: run DuckDB-dialect SQL with bound parameters, materialize tables."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows (tuples of plain Python values) of one query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Engine(ABC):
    """A query engine. SQL is always written in the DuckDB dialect with ``?`` parameters."""

    name: str = "engine"

    @property
    def memo(self) -> dict[Any, Any]:
        """Per-engine cache for facts that do not change while it is open (release info,
        code lists): the database is read-only to an engine."""
        cache = self.__dict__.get("_memo")
        if cache is None:
            cache = self.__dict__["_memo"] = {}
        return cache

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> QueryResult:
        """Run a SELECT with positional ``?`` parameters."""

    def query_columns(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
        """Run a SELECT; its columns as numpy arrays (for large numeric results). Engines
        with a columnar fetch override this; the default goes through :meth:`query`."""
        import numpy as np

        result = self.query(sql, params)
        cols = list(zip(*result.rows, strict=True)) if result.rows else [()] * len(result.columns)
        return {name: np.array(col) for name, col in zip(result.columns, cols, strict=True)}

    @abstractmethod
    def table_columns(self, table: str) -> list[str]:
        """Lower-case column names of ``table``; empty when the table does not exist."""

    @abstractmethod
    def materialize(self, name: str, select_sql: str, order_by: str | None = None) -> None:
        """Make the result of ``select_sql`` available as table ``name`` (replacing it)."""

    def has_table(self, table: str) -> bool:
        """Whether ``table`` exists."""
        return bool(self.table_columns(table))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

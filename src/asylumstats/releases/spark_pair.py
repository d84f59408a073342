"""Two releases' Parquet exports in one Spark session, as views ``old_<table>`` and
``new_<table>``, so that ``diff`` runs its DuckDB-dialect SQL (transpiled) on Spark."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asylumstats.engines.base import Engine, QueryResult
from asylumstats.engines.spark_engine import get_spark_session, to_spark


class SparkPair(Engine):
    """A Spark session over two export folders (local paths or cluster URLs of files)."""

    name = "spark"

    def __init__(self, old: Path, new: Path) -> None:
        root, self._owns = get_spark_session()
        self._root = root
        self.spark = root.newSession()
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        self._views: dict[str, list[str]] = {}
        for prefix, folder in (("old", Path(old)), ("new", Path(new))):
            for p in sorted(folder.glob("*.parquet")):
                df = self.spark.read.parquet(str(p))
                name = f"{prefix}_{p.name[: -len('.parquet')]}".lower()
                df.createOrReplaceTempView(name)
                self._views[name] = [c.lower() for c in df.columns]

    def query(self, sql: str, params: Sequence[Any] = ()) -> QueryResult:
        df = self.spark.sql(to_spark(sql), args=list(params) if params else None)
        return QueryResult(list(df.columns), [tuple(r) for r in df.collect()])

    def table_columns(self, table: str) -> list[str]:
        return list(self._views.get(table.lower(), []))

    def materialize(self, name: str, select_sql: str, order_by: str | None = None) -> None:
        df = self.spark.sql(to_spark(select_sql))
        df.createOrReplaceTempView(name)
        self._views[name.lower()] = [c.lower() for c in df.columns]

    def close(self) -> None:
        if self._owns:
            self._root.stop()

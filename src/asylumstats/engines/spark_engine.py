"""The Spark engine: the same DuckDB-dialect SQL, transpiled by sqlglot, over Parquet files.

Each ``<table>.parquet`` of the export folder becomes a temporary view; the model tables are
then built with the model SQL (``asylumstats.model.build_on``) and cached, exactly as ingest
builds them in DuckDB. Each engine works in its own Spark session (``newSession()``), so views
of two databases never collide; the SparkContext is shared.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlglot

from asylumstats.engines.base import Engine, QueryResult
from asylumstats.errors import UserError

#: Spark master when no session is active (``local[*]`` by default).
MASTER_ENV = "ASYLUMSTATS_SPARK_MASTER"


@lru_cache(maxsize=256)
def to_spark(sql: str) -> str:
    """Transpile one DuckDB-dialect statement to Spark SQL."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def get_spark_session() -> tuple[Any, bool]:
    """The active Spark session, else a new local one; and whether it was created here."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise UserError(
            "The Spark engine needs pyspark; install it with 'pip install asylumstats[spark]'."
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if java_executable() is None:
        raise UserError(
            "The Spark engine needs Java (17 or later): install a JDK or set JAVA_HOME, "
            "or use --engine duckdb."
        )
    builder = (
        SparkSession.builder.appName("asylumstats")
        .master(os.environ.get(MASTER_ENV, "local[*]"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("ASYLUMSTATS_SPARK_PARTITIONS", "8"))
        .config("spark.sql.session.timeZone", "UTC")
    )
    try:
        return builder.getOrCreate(), True
    except Exception as exc:  # the JVM did not start (wrong Java, no memory, ...)
        raise UserError(
            f"Spark could not start ({type(exc).__name__}); check Java and JAVA_HOME, "
            "or use --engine duckdb."
        ) from exc


def java_executable() -> str | None:
    """The ``java`` Spark would launch: ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        exe = Path(home) / "bin" / "java"
        return str(exe) if exe.is_file() else None
    return shutil.which("java")


class SparkEngine(Engine):
    """Runs the model and metric SQL on Spark over a folder of Parquet files."""

    name = "spark"

    def __init__(self, parquet_dir: str | Path, spark: Any = None) -> None:
        owns = False
        if spark is None:
            spark, owns = get_spark_session()
        self._root = spark
        self._owns = owns
        self.spark = spark.newSession()
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        self._views: dict[str, list[str]] = {}
        self._cached: list[Any] = []
        folder = str(parquet_dir)
        if "://" not in folder:
            path = Path(folder)
            if not path.is_dir():
                raise UserError(f"No Parquet export at {path}; run 'asylumstats export' first.")
            files = sorted(p for p in path.iterdir() if p.name.endswith(".parquet"))
            entries = [(p.name[: -len(".parquet")], str(p)) for p in files]
        else:  # a cluster path (s3a://, hdfs://, ...): list it through Hadoop
            entries = self._list_remote(folder)
        for name, location in entries:
            df = self.spark.read.parquet(location)
            df.createOrReplaceTempView(name)
            self._views[name.lower()] = [c.lower() for c in df.columns]
        if "applications" not in self._views:
            raise UserError(f"The folder {folder} holds no exported asylumstats tables.")
        from asylumstats.model import build_on

        build_on(self)

    def _list_remote(self, folder: str) -> list[tuple[str, str]]:
        jvm = self.spark.sparkContext._jvm
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        hpath = jvm.org.apache.hadoop.fs.Path(folder)
        fs = hpath.getFileSystem(conf)
        out = []
        for status in fs.listStatus(hpath):
            name = status.getPath().getName()
            if name.endswith(".parquet"):
                out.append((name[: -len(".parquet")], str(status.getPath())))
        return sorted(out)

    def query(self, sql: str, params: Sequence[Any] = ()) -> QueryResult:
        df = self.spark.sql(to_spark(sql), args=list(params) if params else None)
        rows = [tuple(r) for r in df.collect()]
        return QueryResult(list(df.columns), rows)

    def table_columns(self, table: str) -> list[str]:
        return list(self._views.get(table.lower(), []))

    def materialize(self, name: str, select_sql: str, order_by: str | None = None) -> None:
        df = self.spark.sql(to_spark(select_sql)).cache()
        df.createOrReplaceTempView(name)
        self._cached.append(df)
        self._views[name.lower()] = [c.lower() for c in df.columns]

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        self._cached.clear()
        if self._owns:
            self._root.stop()

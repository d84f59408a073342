"""Query engines: DuckDB (default, the database file read-only) and Spark (over Parquet).

Metrics are written once in the DuckDB dialect; ``open_engine`` returns an engine that runs
them as they are (DuckDB) or transpiled with sqlglot (Spark).
"""

from __future__ import annotations

from pathlib import Path

from asylumstats.engines.base import Engine, QueryResult
from asylumstats.errors import UserError

__all__ = ["ENGINES", "Engine", "QueryResult", "open_engine"]

ENGINES: tuple[str, ...] = ("duckdb", "spark")


def open_engine(
    db_path: str | Path | None,
    name: str = "duckdb",
    parquet_dir: str | Path | None = None,
    spark: object | None = None,
) -> Engine:
    """Open ``db_path`` with the named engine.

    ``duckdb`` opens the file read-only. ``spark`` reads ``parquet_dir`` (an ``export``
    folder, local or a cluster URL), else exports the database to a cached folder next to it
    on first use; ``spark`` may be an existing SparkSession.
    """
    if name == "duckdb":
        from asylumstats.engines.duckdb_engine import DuckDBEngine

        if db_path is None:
            raise UserError("The DuckDB engine needs a database path.")
        engine: Engine = DuckDBEngine.open(db_path)
        if not engine.has_table("asylum_decisions"):
            from asylumstats.model import build_on

            build_on(engine)  # an older database: build the model for this session
        return engine
    if name == "spark":
        from asylumstats.engines.parquet import cached_export
        from asylumstats.engines.spark_engine import SparkEngine

        if parquet_dir is None:
            if db_path is None:
                raise UserError("The Spark engine needs a database path or a Parquet folder.")
            parquet_dir = cached_export(db_path)
        return SparkEngine(parquet_dir, spark=spark)
    raise UserError(f"Unknown engine '{name}'; choose one of: {', '.join(ENGINES)}.")

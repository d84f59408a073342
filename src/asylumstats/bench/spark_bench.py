"""Spark benchmark: the same ``rate --by judge`` on Spark local mode and on DuckDB, as a ratio.

Runs in a child process (``python -m asylumstats.bench.spark_bench DB WORK RUNS``) so that the
JVM's memory and lifetime stay out of the benchmark process: it exports the database to Parquet
(``export_parquet``), opens the Spark engine (session start and model build), then times the
query ``RUNS`` times after a first call, and the same on DuckDB. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from asylumstats.bench.measure import run_process, time_calls

QUERY = "judge"  # rate_rows(engine, QUERY) on both engines


def child(db: Path, work: Path, runs: int) -> dict[str, Any]:
    from asylumstats.engines import open_engine
    from asylumstats.metrics import rate_rows

    out: dict[str, Any] = {"query": f"rate --by {QUERY}", "runs": runs}
    duck = open_engine(db, "duckdb")
    try:
        out["duckdb"] = time_calls(lambda: rate_rows(duck, QUERY), runs).as_json()
        out["rows"] = len(rate_rows(duck, QUERY))
    finally:
        duck.close()

    from asylumstats.engines.parquet import export_parquet
    from asylumstats.engines.spark_engine import SparkEngine

    folder = work / "parquet"
    started = time.perf_counter()
    export_parquet(db, folder)
    out["export_s"] = time.perf_counter() - started
    started = time.perf_counter()
    spark = SparkEngine(folder)
    out["open_s"] = time.perf_counter() - started  # session start + model build (cached)
    try:
        out["spark"] = time_calls(lambda: rate_rows(spark, QUERY), runs).as_json()
        out["spark_rows"] = len(rate_rows(spark, QUERY))
    finally:
        spark.close()
    return out


def run_spark(
    db: Path,
    work: Path,
    runs: int,
    driver_memory: str = "4g",
    timeout: float = 3600.0,
    log: Any = print,
) -> dict[str, Any]:
    """Run :func:`child` in its own process; adds the ratio spark/duckdb (p50 over p50)."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        return {"error": f"not available: pyspark is not installed ({exc})"}
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PYSPARK_SUBMIT_ARGS", f"--driver-memory {driver_memory} pyspark-shell")
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    r = run_process(
        [sys.executable, "-m", "asylumstats.bench.spark_bench", str(db), str(work), str(runs)],
        env=env,
        timeout=timeout,
    )
    result: dict[str, Any] | None = None
    for line in reversed(r.stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                result = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    if not r.ok() or result is None:
        tail = [ln for ln in r.stderr.strip().splitlines() if ln.strip()][-3:]
        return {
            "error": f"Spark run failed (exit {r.returncode}): " + " | ".join(tail)[-800:],
            "wall_s": r.wall_s,
        }
    result["wall_s"] = r.wall_s
    result["peak_rss_mib"] = r.peak_rss_mib
    result["peak_tree_rss_mib"] = r.peak_tree_rss_mib
    s, d = result.get("spark", {}), result.get("duckdb", {})
    if s.get("p50_s") and d.get("p50_s"):
        result["ratio_spark_over_duckdb"] = s["p50_s"] / d["p50_s"]
    log(
        f"  Spark: p50 {_ms(s.get('p50_s'))} vs DuckDB {_ms(d.get('p50_s'))}"
        + (
            f" ({result['ratio_spark_over_duckdb']:,.1f}×)"
            if "ratio_spark_over_duckdb" in result
            else ""
        )
    )
    return result


def _ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1000:,.0f} ms"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    result = child(Path(args[0]), Path(args[1]), int(args[2]))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m asylumstats.bench``: run every benchmark section and write the report.

Sections: dataset (generate + cache + unpack), ingest (ours vs DuckDB vs pandas), queries
(in-process and CLI), web (loopback load), Spark (ratio to DuckDB). A section whose code has not
landed, or that fails, is reported as not available with the reason; the others still run.
Results go to ``<out>/<date>.json`` and ``<out>/<date>.md``; the Markdown is also printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asylumstats.bench.dataset import NotAvailable, prepare, scale_for
from asylumstats.bench.machine import machine_info
from asylumstats.bench.report import evaluate_goals, markdown
from asylumstats.bench.web_bench import WEB_CONCURRENCY

SECTIONS = ("dataset", "ingest", "queries", "web", "spark")


def _levels(text: str) -> tuple[int, ...]:
    """``--web-concurrency``: one or more positive client counts, comma-separated."""
    try:
        levels = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError(f"client counts must be at least 1: {text!r}")
    return levels


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m asylumstats.bench",
        description="Benchmarks at national scale against DuckDB, Polars, pandas, 7-Zip and Spark.",
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of a national release (1.0 = about 12.7 M cases)",
    )
    size.add_argument(
        "--cases",
        type=int,
        default=None,
        help="number of cases instead of --scale (1,000,000 = scale 0.07874)",
    )
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument(
        "--cache",
        type=Path,
        default=Path("bench/cache"),
        help="cache folder for generated releases (default bench/cache)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("bench/results"),
        help="results folder (default bench/results)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="ingest rounds; each runs every method once, alternating (default 1)",
    )
    p.add_argument("--runs", type=int, default=20, help="in-process runs per query (default 20)")
    p.add_argument("--cli-runs", type=int, default=5, help="CLI runs per query (default 5)")
    p.add_argument(
        "--web-requests",
        type=int,
        default=200,
        help="requests per endpoint and phase (default 200)",
    )
    p.add_argument(
        "--web-concurrency",
        type=_levels,
        default=WEB_CONCURRENCY,
        help="clients in the concurrent web phases, comma-separated levels (default "
        + ",".join(map(str, WEB_CONCURRENCY))
        + ")",
    )
    p.add_argument("--spark-runs", type=int, default=3, help="Spark query runs (default 3)")
    p.add_argument("--spark-memory", default="4g", help="Spark driver memory (default 4g)")
    p.add_argument(
        "--pandas-limit-gb",
        type=float,
        default=8.0,
        help="skip pandas above this estimated memory (default 8; also ≤ half the free RAM)",
    )
    p.add_argument(
        "--skip-ingest",
        action="store_true",
        help="reuse the cached database of an earlier run instead of ingesting",
    )
    p.add_argument("--skip-spark", action="store_true", help="skip the Spark section")
    p.add_argument("--skip-web", action="store_true", help="skip the web section")
    p.add_argument("--quiet", action="store_true", help="print only the final table")
    args = p.parse_args(argv)
    if args.cases is not None:
        if args.cases < 1:
            p.error("--cases must be positive")
        args.scale = scale_for(args.cases)
    if args.scale <= 0:
        p.error("--scale must be positive")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def _section(
    results: dict[str, Any], name: str, fn: Callable[[], Any], log: Callable[[str], None]
) -> Any:
    log(f"== {name}")
    started = time.perf_counter()
    try:
        value = fn()
    except NotAvailable as exc:
        value = {"error": f"not available: {exc}"}
    except Exception as exc:
        value = {
            "error": f"{type(exc).__name__}: {exc}"[:1000],
            "traceback": traceback.format_exc()[-4000:],
        }
        log(f"   {name} failed: {value['error']}")
    if isinstance(value, dict):
        value.setdefault("section_s", time.perf_counter() - started)
    results[name] = value
    return value


def _subjects(db: Path) -> tuple[list[str], list[int]]:
    """Judges by decisions (most first) and the fiscal years, for the web load."""
    from asylumstats.engines import open_engine
    from asylumstats.metrics import rate_rows

    engine = open_engine(db, "duckdb")
    try:
        judges = sorted(
            (r for r in rate_rows(engine, "judge") if r.get("judge_code")),
            key=lambda r: -(r["grants"] + r["denials"] + r["other"]),
        )
        years = [
            int(r["fiscal_year"])
            for r in rate_rows(engine, "fiscal_year")
            if r.get("fiscal_year") is not None
        ]
    finally:
        engine.close()
    return [str(r["judge_code"]) for r in judges], years


def _output_paths(out: Path, date: str) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem, n = date, 1
    while (out / f"{stem}.json").exists() or (out / f"{stem}.md").exists():
        n += 1
        stem = f"{date}-{n}"
    return out / f"{stem}.json", out / f"{stem}.md"


def run(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    """Run the benchmark; returns the results (also written to ``args.out``)."""

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    now = dt.datetime.now()
    results: dict[str, Any] = {
        "date": now.date().isoformat(),
        "started_at": now.isoformat(timespec="seconds"),
        "command": "python -m asylumstats.bench " + " ".join(shlex.quote(a) for a in argv),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": machine_info(),
        "notes": [
            "The machine may be shared (other engineers' tests, builds): absolute times are "
            "noisy, ratios measured in the same run less so.",
            "Every ingest figure is a whole process (interpreter start and imports included); "
            "peak RSS is the kernel's high-water mark of the largest single process (wait4, "
            "reaped by a bare launcher so that the benchmark's own peak is not counted).",
        ],
    }
    cache = args.cache.resolve()
    work_root: Path | None = None
    ds = _section(
        results, "dataset", lambda: prepare(cache, args.scale, args.seed, log, args.cases), log
    )
    if not isinstance(ds, dict):
        results["dataset"] = ds.as_json()
        work_root = Path(ds.folder)
    db: Path | None = None
    if work_root is None:
        for name in SECTIONS[1:]:
            results[name] = {"error": "not available: no release (see dataset)"}
    else:
        work = work_root / "work"
        if args.skip_ingest and (work / "ours-zip.duckdb").is_file():
            results["ingest"] = {
                "skipped": "skipped (--skip-ingest); the cached database was reused"
            }
            db = work / "ours-zip.duckdb"
        else:
            from asylumstats.bench.ingest_bench import run_ingest

            ing = _section(
                results,
                "ingest",
                lambda: run_ingest(ds, work, args.repeat, args.pandas_limit_gb, log),
                log,
            )
            if ing.get("query_db") and Path(ing["query_db"]).is_file():
                db = Path(ing["query_db"])
        if db is None:
            for name in SECTIONS[2:]:
                results[name] = {"error": "not available: no database (see ingest)"}
        else:
            from asylumstats.bench.queries import run_queries

            query_db = db
            _section(
                results,
                "queries",
                lambda: run_queries(query_db, args.runs, args.cli_runs, log),
                log,
            )
            if args.skip_web:
                results["web"] = {"skipped": "skipped (--skip-web)"}
            else:
                from asylumstats.bench.web_bench import run_web

                def web() -> dict[str, Any]:
                    judges, years = _subjects(query_db)
                    return run_web(
                        query_db, judges, years, args.web_requests, args.web_concurrency, log
                    )

                _section(results, "web", web, log)
            if args.skip_spark:
                results["spark"] = {"skipped": "skipped (--skip-spark)"}
            else:
                from asylumstats.bench.spark_bench import run_spark

                _section(
                    results,
                    "spark",
                    lambda: run_spark(
                        query_db, work / "spark", args.spark_runs, args.spark_memory, log=log
                    ),
                    log,
                )
    results["goals"] = evaluate_goals(results)
    results["total_s"] = time.perf_counter() - started
    json_path, md_path = _output_paths(args.out, results["date"])
    results["files"] = {"json": str(json_path), "markdown": str(md_path)}
    text = json.dumps(results, indent=2, default=str)
    json_path.write_text(relative_to_checkout(text, Path.cwd()) + "\n")
    text = markdown(results)
    md_path.write_text(relative_to_checkout(text, Path.cwd()) + "\n")
    print(text)
    log(f"wrote {json_path} and {md_path} ({results['total_s']:.0f} s)")
    return results


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    args = parse_args(raw)
    run(args, raw)
    return 0


def relative_to_checkout(text: str, root: Path) -> str:
    """``text`` with the absolute prefix of ``root`` removed from every path in it, so that
    results name files relative to the checkout they were measured in."""
    prefix = str(root.resolve()).rstrip("/") + "/"
    return text.replace(json.dumps(prefix)[1:-1], "").replace(prefix, "")

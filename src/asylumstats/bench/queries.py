"""Query benchmark: rate, profile, appeals and backlog queries, in-process and as CLI processes.

In-process: library calls on one open DuckDB engine, a cold first call then ``runs`` timed
calls (p50/p95). CLI: ``asylumstats … --format json`` as whole processes (interpreter start,
imports and opening the database included), one warm-up then ``cli_runs`` timed runs; bare
start-up (``asylumstats --version``, ``python -c 'import asylumstats'``) is timed the same way,
apart. A query whose metric or command has not landed is reported as not available.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asylumstats.bench.measure import Timings, run_process, time_calls
from asylumstats.metrics.registry import METRICS


@dataclass(frozen=True)
class QuerySpec:
    """One benchmarked query: its library call and its CLI arguments."""

    key: str
    label: str
    kind: str  # "rate", "profile" or "other" (which goal applies)
    module: str  # asylumstats.metrics module
    function: str
    args: tuple[Any, ...]  # after the engine; "{judge}" etc. are filled in
    cli: tuple[str, ...]


QUERIES: tuple[QuerySpec, ...] = (
    QuerySpec(
        "rate_judge",
        "rate --by judge",
        "rate",
        "asylumstats.metrics.rates",
        "rate_rows",
        ("judge",),
        ("rate", "--by", "judge", "--format", "json"),
    ),
    QuerySpec(
        "rate_court_fy",
        "rate --by court,fiscal_year",
        "rate",
        "asylumstats.metrics.rates",
        "rate_rows",
        ("court,fiscal_year",),
        ("rate", "--by", "court,fiscal_year", "--format", "json"),
    ),
    QuerySpec(
        "rate_national_trend",
        "rate --by fiscal_year (national trend)",
        "rate",
        "asylumstats.metrics.rates",
        "rate_rows",
        ("fiscal_year",),
        ("rate", "--by", "fiscal_year", "--format", "json"),
    ),
    QuerySpec(
        "judge_profile",
        "judge profile",
        "profile",
        "asylumstats.metrics.profiles",
        "judge_profile",
        ("{judge}",),
        ("judge", "{judge}", "--format", "json"),
    ),
    QuerySpec(
        "court_profile",
        "court profile",
        "profile",
        "asylumstats.metrics.profiles",
        "court_profile",
        ("{court}",),
        ("court", "{court}", "--format", "json"),
    ),
    QuerySpec(
        "nationality_profile",
        "nationality profile",
        "profile",
        "asylumstats.metrics.profiles",
        "nationality_profile",
        ("{nationality}",),
        ("nationality", "{nationality}", "--format", "json"),
    ),
    QuerySpec(
        "appeals_judge",
        "appeals --by judge",
        "other",
        "asylumstats.metrics.appeals",
        "appeals_rows",
        ("judge",),
        ("appeals", "--by", "judge", "--format", "json"),
    ),
    QuerySpec(
        "backlog_court",
        "backlog --by court",
        "other",
        "asylumstats.metrics.backlog",
        "backlog_rows",
        ("court",),
        ("backlog", "--by", "court", "--format", "json"),
    ),
)


def _resolve(spec: QuerySpec) -> tuple[Callable[..., Any] | None, str | None]:
    # Where each metric lives comes from the one registry of metrics.
    registered = {
        (m.module, fn): m for m in METRICS.values() for fn in (m.function, m.rows_function) if fn
    }
    if (spec.module, spec.function) not in registered:
        return None, f"not available: {spec.module}.{spec.function} is not a registered metric"
    try:
        mod = importlib.import_module(spec.module)
    except ImportError as exc:
        return None, f"not available: {spec.module} is not importable ({exc})"
    fn = getattr(mod, spec.function, None)
    if fn is None:
        return None, f"not available: {spec.module}.{spec.function} does not exist"
    return fn, None


def _fill(values: tuple[str, ...] | tuple[Any, ...], subjects: dict[str, str]) -> list[Any]:
    return [v.format(**subjects) if isinstance(v, str) and "{" in v else v for v in values]


def pick_subjects(engine: Any) -> dict[str, str]:
    """The judge, court and nationality with the most decisions (profile subjects)."""
    from asylumstats.metrics import rate_rows

    out: dict[str, str] = {}
    for dim, key in (
        ("judge", "judge_code"),
        ("court", "court_code"),
        ("nationality", "nationality_code"),
    ):
        rows = [r for r in rate_rows(engine, dim) if r.get(key)]
        if rows:
            best = max(rows, key=lambda r: r["grants"] + r["denials"] + r["other"])
            out[dim] = str(best[key])
    return out


#: Bare start-up, measured apart from the queries: (key, label, argv after the interpreter or
#: the ``asylumstats`` command; "python" marks the interpreter).
STARTUP: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("version", "asylumstats --version", ("asylumstats", "--version")),
    ("import", "python -c 'import asylumstats'", ("python", "-c", "import asylumstats")),
)


def run_startup(cli_runs: int, log: Any = print) -> dict[str, Any]:
    """Whole-process times of bare start-up (no database opened, no query run)."""
    out: dict[str, Any] = {}
    for key, label, argv in STARTUP:
        head = _cli() if argv[0] == "asylumstats" else [sys.executable]
        t = (
            _time_cli([*head, *argv[1:]], cli_runs).as_json()
            if cli_runs > 0
            else Timings(error="skipped (--cli-runs 0)").as_json()
        )
        out[key] = {"label": label, **t}
        log(
            f"  {label}: p50 {_ms(t['p50_s'])}, p95 {_ms(t['p95_s'])}"
            + (f" ({t['error']})" if t["error"] else "")
        )
    return out


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("asylumstats")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "asylumstats"]


def run_queries(db: Path, runs: int, cli_runs: int, log: Any = print) -> dict[str, Any]:
    """Time every query in-process and as a CLI process; returns a JSON-able dict."""
    from asylumstats.engines import open_engine

    started = time.perf_counter()
    engine = open_engine(db, "duckdb")
    open_s = time.perf_counter() - started
    try:
        subjects = pick_subjects(engine)
        log(f"profile subjects: {subjects}")
        results: list[dict[str, Any]] = []
        for spec in QUERIES:
            entry: dict[str, Any] = {"key": spec.key, "label": spec.label, "kind": spec.kind}
            fn, why = _resolve(spec)
            needs = [a for a in spec.args if isinstance(a, str) and a.startswith("{")]
            missing = [n for n in needs if n.strip("{}") not in subjects]
            if fn is None:
                entry["in_process"] = Timings(error=why).as_json()
            elif missing:
                entry["in_process"] = Timings(error="no subject with decisions").as_json()
            else:
                args = _fill(spec.args, subjects)

                def call(fn: Callable[..., Any] = fn, args: list[Any] = args) -> Any:
                    return fn(engine, *args)

                entry["in_process"] = time_calls(call, runs).as_json()
            results.append(entry)
            ip = entry["in_process"]
            log(
                f"  {spec.label}: in-process p50 {_ms(ip['p50_s'])}, p95 {_ms(ip['p95_s'])}"
                + (f" ({ip['error']})" if ip["error"] else "")
            )
    finally:
        engine.close()

    cli = _cli()
    for spec, entry in zip(QUERIES, results, strict=True):
        if cli_runs <= 0:
            entry["cli"] = Timings(error="skipped (--cli-runs 0)").as_json()
            continue
        needs = [a for a in spec.cli if a.startswith("{")]
        if any(n.strip("{}") not in subjects for n in needs):
            entry["cli"] = Timings(error="no subject with decisions").as_json()
            continue
        argv = [*cli, *_fill(spec.cli, subjects), "--db", str(db)]
        entry["cli_argv"] = " ".join(["asylumstats", *argv[len(cli) :]])
        entry["cli"] = _time_cli(argv, cli_runs).as_json()
        c = entry["cli"]
        log(
            f"  {spec.label}: CLI p50 {_ms(c['p50_s'])}, p95 {_ms(c['p95_s'])}"
            + (f" ({c['error']})" if c["error"] else "")
        )
    return {
        "db": str(db),
        "startup": run_startup(cli_runs, log),
        "open_s": open_s,
        "subjects": subjects,
        "runs": runs,
        "cli_runs": cli_runs,
        "queries": results,
    }


def _time_cli(argv: list[str], runs: int) -> Timings:
    t = Timings()
    first = run_process(argv)
    if not first.ok():
        lines = [ln for ln in (first.stderr or first.stdout).strip().splitlines() if ln.strip()]
        t.error = "not available: " + (lines[-1] if lines else f"exit {first.returncode}")[:300]
        return t
    t.first_s = first.wall_s
    for _ in range(runs):
        r = run_process(argv)
        if not r.ok():
            t.error = (r.stderr.strip().splitlines() or ["failed"])[-1][:300]
            break
        t.samples.append(r.wall_s)
    return t


def _ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1000:,.0f} ms"

"""``asylumstats diff OLD NEW [--format table|json]``: what changed between two releases."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from asylumstats.cli import app
from asylumstats.commands.options import EngineName, EngineOption, OutputFormat

TOP_FIGURES = 25


@app.command("diff")
def diff(
    old: Annotated[Path, typer.Argument(help="The older release: zip, folder or database.")],
    new: Annotated[Path, typer.Argument(help="The newer release: zip, folder or database.")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """What changed between two releases: records per table and the asylum figures that moved.

    Records vanished, added and changed per table (by primary key), and the grant rates that
    moved (national by fiscal year, by judge). With --engine spark, OLD and NEW may also be
    folders written by 'asylumstats export --parquet'.
    """
    from asylumstats.commands._output import print_json
    from asylumstats.errors import UserError
    from asylumstats.releases.diff import diff_releases

    if fmt == OutputFormat.csv:
        raise UserError("diff prints a table or JSON; use --format table or --format json.")
    started = time.monotonic()
    result = diff_releases(old, new, progress=sys.stderr.isatty(), engine=engine.value)
    if fmt == OutputFormat.json:
        print_json(result)
    else:
        _print(result)
    Console(stderr=True).print(f"Compared in {time.monotonic() - started:.1f} s.")


def _print(result: dict[str, Any]) -> None:
    out = Console() if sys.stdout.isatty() else Console(width=140)
    o, n = result["old"], result["new"]
    out.print(
        f"[bold]{o['release']}[/] ({o['release_date'] or 'no date'}) → "
        f"[bold]{n['release']}[/] ({n['release_date'] or 'no date'})"
    )
    t = Table()
    for name in ("table", "old rows", "new rows", "vanished", "added", "changed", "unchanged"):
        t.add_column(name, justify="left" if name == "table" else "right", no_wrap=True)
    t.add_column("columns changed (records)")
    for stem, r in result["tables"].items():
        cols = sorted(r["changed_columns"].items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{c} {k:,}" for c, k in cols[:4]) + (" …" if len(cols) > 4 else "")
        t.add_row(
            stem,
            *(f"{r[k]:,}" for k in ("old_rows", "new_rows", "vanished", "added", "changed")),
            f"{r['unchanged']:,}",
            shown,
        )
    out.print(t)
    metrics = result["metrics"]
    if not metrics:
        out.print("No asylum figure moved (national by fiscal year, by judge).")
    else:
        out.print(f"{len(metrics)} asylum figures moved (grant rate, merits definition):")
        m = Table()
        for name in ("figure", "group", "old decisions", "old rate", "new decisions", "new rate"):
            m.add_column(name, justify="left" if name in ("figure", "group") else "right")
        m.add_column("change", justify="right")
        ranked = sorted(metrics, key=lambda r: -abs(r["change"] or 0))
        for r in ranked[:TOP_FIGURES]:
            group = r.get("fiscal_year") or f"{r.get('judge_code')} {r.get('judge_name') or ''}"
            m.add_row(
                r["figure"],
                f"FY{group}" if r["figure"] == "national" else str(group).strip(),
                f"{r['old_decisions']:,}",
                _pct(r["old_rate"]),
                f"{r['new_decisions']:,}",
                _pct(r["new_rate"]),
                "" if r["change"] is None else f"{100 * r['change']:+.1f} pts",
            )
        out.print(m)
        if len(ranked) > TOP_FIGURES:
            out.print(f"… and {len(ranked) - TOP_FIGURES} more (--format json lists all).")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"

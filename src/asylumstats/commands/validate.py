"""``asylumstats validate [--db PATH] [--format table|json]``: our figures beside published ones."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from asylumstats.cli import app
from asylumstats.commands.options import (
    DbOption,
    EngineName,
    FormatOption,
    OutputFormat,
    run_on,
    with_release,
)

SHOWN = 30


@app.command("validate")
@with_release
def validate(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """The database's figures beside published ones, like with like, within tolerances.

    Case-level outcomes FY2020-2026, TRAC's national counts, EOIR's pending cases and other
    tools' row counts, each under its own convention.
    """
    from asylumstats.commands._output import print_csv, print_json
    from asylumstats.releases.validate import FIELDS
    from asylumstats.releases.validate import validate as run

    result = run_on(db, EngineName.duckdb, run)
    err = Console(stderr=True, soft_wrap=True)
    if result.synthetic:
        err.print(
            "[bold red]SYNTHETIC DATA:[/] this database was built from a generated sample, so "
            "its figures cannot match published ones; every status is 'synthetic'."
        )
    if fmt == OutputFormat.json:
        print_json(result.rows)
    elif fmt == OutputFormat.csv:
        print_csv(result.rows, FIELDS)
    else:
        _print(result.rows, result.summary())


def _print(rows: list[dict[str, Any]], summary: dict[str, int]) -> None:
    out = Console() if sys.stdout.isatty() else Console(width=150)
    national = [r for r in rows if " national" in r["figure"] or "rows in" in r["figure"]]
    others = [r for r in rows if r not in national and r["status"] != "ok"]
    others.sort(key=lambda r: -abs(r["difference"] or 0) / max(r["tolerance"] or 1, 1e-9))
    t = Table()
    for name in ("figure", "published", "ours", "difference", "tolerance", "status", "source"):
        t.add_column(name, justify="right" if name in ("published", "ours") else "left")
    for r in [*national, *others[:SHOWN]]:
        t.add_row(
            r["figure"],
            _num(r["published"]),
            _num(r["ours"]),
            _num(r["difference"], sign=True),
            "±" + _num(r["tolerance"]),
            r["status"],
            r["source"],
        )
    out.print(t)
    if len(others) > SHOWN:
        out.print(f"… {len(others) - SHOWN} more state and court figures (--format json).")
    out.print(", ".join(f"{n:,} {status}" for status, n in sorted(summary.items())))


def _num(v: Any, sign: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and abs(v) < 1.5 and v != int(v):
        return f"{v:+.3f}" if sign else f"{v:.3f}"
    return f"{int(v):+,}" if sign else f"{int(v):,}"

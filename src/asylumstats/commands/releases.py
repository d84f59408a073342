"""``asylumstats releases [--db PATH] [--format table|json]``: the releases kept."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from asylumstats.cli import app
from asylumstats.commands.options import DbOption, FormatOption, OutputFormat
from asylumstats.paths import resolve_db


@app.command("releases")
def releases(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """The releases this database keeps (name, date, rows, ingested when, synthetic).

    Query commands choose one with --release NAME-or-DATE (default: the newest).
    """
    from asylumstats.commands._output import print_csv, print_json
    from asylumstats.errors import UserError
    from asylumstats.releases.store import list_releases

    db_path = resolve_db(db)
    kept = list_releases(db_path)
    if not kept:
        raise UserError(f"No database at {db_path}; run 'asylumstats ingest RELEASE' first.")
    rows = [r.as_json() for r in kept]
    if fmt == OutputFormat.json:
        print_json(rows)
        return
    if fmt == OutputFormat.csv:
        print_csv(rows, list(rows[0]))
        return
    out = Console() if sys.stdout.isatty() else Console(width=140)
    t = Table()
    for name in ("release", "date", "rows", "ingested", "synthetic", ""):
        t.add_column(name, justify="right" if name == "rows" else "left", no_wrap=True)
    for r in kept:
        t.add_row(
            r.release,
            r.release_date.isoformat() if r.release_date else "—",
            f"{r.rows:,}",
            r.ingested_at or "—",
            "SYNTHETIC" if r.synthetic else "no",
            "current (default)" if r.current else "",
        )
    out.print(t)

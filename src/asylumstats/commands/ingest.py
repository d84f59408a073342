"""``asylumstats ingest RELEASE [--db PATH] [--json]``: build the database from a release."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from asylumstats.cli import app
from asylumstats.commands.options import DbOption
from asylumstats.ingest.report import IngestReport
from asylumstats.paths import resolve_db


@app.command("ingest")
def ingest(
    release: Annotated[
        Path, typer.Argument(help="The release zip (Deflate or Deflate64) or an unpacked folder.")
    ],
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object with the per-file counts.")
    ] = False,
) -> None:
    """Ingest an EOIR case-data release into the database (lossless: repaired or quarantined)."""
    from asylumstats.ingest.load import ingest_release

    db_path = resolve_db(db)
    report = ingest_release(release, db_path)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json()) + "\n")
    else:
        _print_summary(report)
    err = Console(stderr=True)
    for text in report.all_warnings():
        err.print(f"[yellow]warning:[/] {escape(text)}", highlight=False)


def _print_summary(report: IngestReport) -> None:
    out = Console() if sys.stdout.isatty() else Console(width=120)
    if report.synthetic:
        out.print("[bold red]SYNTHETIC DATA[/] — generated, not published by EOIR.")
    date = report.release_date.isoformat() if report.release_date else "unknown date"
    out.print(f"Release [bold]{report.release}[/] ({date}) → {report.db_path}")
    table = Table(title=None, show_lines=False)
    for name, justify in (
        ("file", "left"),
        ("rows in file", "right"),
        ("loaded", "right"),
        ("repaired", "right"),
        ("quarantined", "right"),
        ("orphans", "right"),
        ("Count.txt", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    data = [t for t in report.tables.values() if t.kind == "data"]
    lookups = [t for t in report.tables.values() if t.kind == "lookup"]
    for t in data:
        table.add_row(
            t.stem,
            f"{t.rows_in_file:,}",
            f"{t.loaded:,}",
            f"{t.repaired:,}",
            f"{t.quarantined:,}",
            f"{t.orphans:,}",
            "" if t.count_txt is None else f"{t.count_txt:,}",
        )
    if lookups:
        table.add_row(
            f"{len(lookups)} lookups",
            f"{sum(t.rows_in_file for t in lookups):,}",
            f"{sum(t.loaded for t in lookups):,}",
            f"{sum(t.repaired for t in lookups):,}",
            f"{sum(t.quarantined for t in lookups):,}",
            "",
            "",
        )
    out.print(table)
    out.print(f"Done in {report.seconds:.1f} s.")

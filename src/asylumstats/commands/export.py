"""``asylumstats export --parquet DIR``: every table of the database as Parquet (for Spark)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from asylumstats.cli import app
from asylumstats.commands.options import DbOption, with_release
from asylumstats.paths import resolve_db


@app.command("export")
@with_release
def export(
    parquet: Annotated[
        Path, typer.Option("--parquet", help="Folder to write <table>.parquet files into.")
    ],
    db: DbOption = None,
) -> None:
    """Write the data tables, lookups and model tables as Parquet files."""
    from asylumstats.engines.parquet import export_parquet  # DuckDB, when it runs

    files = export_parquet(resolve_db(db), parquet)
    print(f"Wrote {len(files)} tables to {parquet}.", file=sys.stderr)

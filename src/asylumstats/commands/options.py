"""Options shared by several commands (``--db``, ``--format``, ``--engine``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Database file (default: $ASYLUMSTATS_DB, else a per-user data folder)."
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[EngineName, typer.Option("--engine", help="Query engine.")]

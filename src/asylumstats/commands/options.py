"""Options shared by several commands (``--db``, ``--format``, ``--engine``, ``--by``, the
filters), and :func:`run_on`, which runs a metric on the chosen database and engine."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from asylumstats.engines import open_engine
from asylumstats.metrics.dimensions import DIMENSIONS
from asylumstats.paths import resolve_db

T = TypeVar("T")

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

ByOption = Annotated[
    str | None, typer.Option("--by", help=f"Comma list of: {', '.join(DIMENSIONS)}.")
]

# The filters of a rate query; a command leaves out the ones that do not apply to it.
FyOption = Annotated[
    str | None, typer.Option("--fy", metavar="YEAR", help="Fiscal year (Oct-Sep), e.g. 2024.")
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First decision date, YYYY-MM-DD (inclusive).")
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last decision date, YYYY-MM-DD (inclusive).")
]
JudgeOption = Annotated[str | None, typer.Option("--judge", help="Judge code (IJ_CODE).")]
CourtOption = Annotated[str | None, typer.Option("--court", help="Court code (BASE_CITY_CODE).")]
NationalityOption = Annotated[
    str | None, typer.Option("--nationality", help="Nationality code (EOIR code, e.g. CH).")
]

DefinitionOption = Annotated[
    str,
    typer.Option(
        "--definition",
        metavar="merits|eoir|case|protection",
        help="merits: grants/(grants+denials) [TRAC]; eoir: grants/(grants+denials+other); "
        "case: each case's last decision, then merits; protection: asylum, withholding or CAT "
        "granted / merits decisions.",
    ),
]


def run_on(db: Path | None, engine: EngineName, metric: Callable[..., T], *args: Any) -> T:
    """``metric(eng, *args)`` with ``eng`` the chosen engine on the chosen database."""
    with open_engine(resolve_db(db), engine.value) as eng:
        return metric(eng, *args)

"""``asylumstats rate``: asylum decision outcomes grouped by any dimensions (SPEC §2, §3)."""

from __future__ import annotations

from typing import Annotated

import typer

from asylumstats.cli import app
from asylumstats.commands._output import (
    notice_if_synthetic,
    print_csv,
    print_json,
    rate_table,
    stdout_console,
)
from asylumstats.commands.options import (
    DbOption,
    EngineName,
    EngineOption,
    FormatOption,
    OutputFormat,
)
from asylumstats.engines import open_engine
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.dimensions import DIMENSIONS, key_columns
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.rates import RateResult, rate_result
from asylumstats.paths import resolve_db

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


def caption(result: RateResult) -> str:
    """Definition, window and release: what a reader needs to cite the figures."""
    window = (
        f"{result.first_decision} to {result.last_decision}" if result.first_decision else "none"
    )
    release = result.release.get("release_date") or result.release.get("release") or "unknown"
    return (
        f"Definition: {result.definition.name} = {result.definition.formula}. "
        f"Filters: {result.filters.describe()}. Decisions dated {window}. "
        f"Release: {release}. 95% Wilson intervals."
    )


@app.command("rate")
def rate(
    db: DbOption = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help=f"Comma list of: {', '.join(DIMENSIONS)}."),
    ] = None,
    fy: FyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    judge: JudgeOption = None,
    court: CourtOption = None,
    nationality: NationalityOption = None,
    definition: DefinitionOption = "merits",
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Asylum grant rates with counts and 95% intervals, grouped by any dimensions."""
    filters = Filters.parse(fy, date_from, date_to, judge, court, nationality)
    with open_engine(resolve_db(db), engine.value) as eng:
        result = rate_result(eng, by, filters, get_definition(definition))
    notice_if_synthetic(result.release)
    if fmt is OutputFormat.json:
        print_json(result.rows)
    elif fmt is OutputFormat.csv:
        print_csv(result.rows, result.fields)
    else:
        title = f"Asylum grant rate ({result.definition.name})"
        stdout_console().print(
            rate_table(result.rows, key_columns(result.by), title, caption(result))
        )

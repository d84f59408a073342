"""``asylumstats rate``: asylum decision outcomes grouped by any dimensions (SPEC §2, §3)."""

from __future__ import annotations

import sys

import typer

from asylumstats.cli import app
from asylumstats.commands._output import print_result, rate_table, release_label
from asylumstats.commands.options import (
    ByOption,
    CourtOption,
    DbOption,
    DefinitionOption,
    EngineName,
    EngineOption,
    FormatOption,
    FromOption,
    FyOption,
    JudgeOption,
    NationalityOption,
    OutputFormat,
    ToOption,
    run_on,
)
from asylumstats.errors import UserError
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.dimensions import key_columns
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.rates import RateResult, rate_result


def caption(result: RateResult) -> str:
    """Definition, window and release: what a reader needs to cite the figures."""
    window = (
        f"{result.first_decision} to {result.last_decision}" if result.first_decision else "none"
    )
    return (
        f"Definition: {result.definition.name} = {result.definition.formula}. "
        f"Filters: {result.filters.describe()}. Decisions dated {window}. "
        f"Release: {release_label(result.release)}. 95% Wilson intervals."
    )


@app.command("rate")
def rate(
    db: DbOption = None,
    by: ByOption = None,
    fy: FyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    judge: JudgeOption = None,
    court: CourtOption = None,
    nationality: NationalityOption = None,
    definition: DefinitionOption = "merits",
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
    adjust: bool = typer.Option(
        False,
        "--adjust",
        help="With --by judge or --by court: add case-mix adjusted rates (partial pooling), "
        "the court's other judges, p and q values.",
    ),
    cluster_family: bool = typer.Option(
        False,
        "--cluster-family",
        help="Add 95% intervals clustered on the family (lead case and riders).",
    ),
) -> None:
    """Asylum grant rates with counts and 95% intervals, grouped by any dimensions."""
    filters = Filters.parse(fy, date_from, date_to, judge, court, nationality)
    if adjust and cluster_family:
        raise UserError("Use either --adjust or --cluster-family, not both.")
    if adjust or cluster_family:
        from asylumstats.commands.adjusted import print_adjusted, print_clustered

        show = print_adjusted if adjust else print_clustered
        show(db, engine, by, filters, get_definition(definition), fmt, caption)
    else:
        result = run_on(db, engine, rate_result, by, filters, get_definition(definition))
    if filters.fy is not None or filters.date_from is not None:  # SPEC §6: recent periods
        from asylumstats.metrics.cohorts import pending_note

        note = run_on(db, engine, pending_note, filters)
        if note:
            print(note, file=sys.stderr)
    if adjust or cluster_family:
        return
    title = f"Asylum grant rate ({result.definition.name})"
    print_result(
        result, fmt, lambda: rate_table(result.rows, key_columns(result.by), title, caption(result))
    )

"""``asylumstats rate``: asylum decision outcomes grouped by any dimensions (SPEC §2, §3)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from asylumstats.cli import app
from asylumstats.commands._output import print_result, rate_table, release_label
from asylumstats.commands.options import (
    ByOption,
    DbOption,
    DefinitionOption,
    EngineName,
    EngineOption,
    FormatOption,
    OutputFormat,
    PeriodOption,
    run_on,
    with_filters,
)
from asylumstats.errors import UserError
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.filters import Filters, parse_periods
from asylumstats.metrics.rates import VALUE_FIELDS, RateResult, rate_result
from asylumstats.web.charts import image_format, rates_chart, save_chart

ChartOption = Annotated[
    Path | None,
    typer.Option(
        "--chart",
        metavar="FILE.png|svg",
        help="Also save the result's chart as a PNG or SVG image (one --by dimension).",
        dir_okay=False,
    ),
]


def write_chart(path: Path | None, spec: dict[str, Any] | None, what: str) -> None:
    """Save ``spec`` to ``path`` (when asked), saying where on stderr."""
    if path is None:
        return
    if spec is None or not spec["data"]["values"]:
        raise UserError(f"No chart for {what}; --chart draws rates grouped by one dimension.")
    save_chart(spec, path)
    typer.echo(f"Chart saved to {path}.", err=True)


def implausible_note(excluded: int) -> str:
    """The caption's note on decisions left out for an implausible date ("" when none)."""
    if not excluded:
        return ""
    return (
        f" {excluded:,} decision{'s' if excluded != 1 else ''} with an implausible date "
        "(before 1950 or after the release date) left out."
    )


def caption(result: RateResult) -> str:
    """Definition, window and release: what a reader needs to cite the figures."""
    window = (
        f"{result.first_decision} to {result.last_decision}" if result.first_decision else "none"
    )
    result_periods = getattr(result, "periods", ())
    periods = (
        f" Periods: {', '.join(p.label for p in result_periods)}, each on its own."
        if result_periods
        else ""
    )
    return (
        f"Definition: {result.definition.name} = {result.definition.formula}. "
        f"Filters: {result.filters.describe()}.{periods} Decisions dated {window}."
        f"{implausible_note(getattr(result, 'excluded_implausible', 0))} "
        f"Release: {release_label(result.release)}. 95% Wilson intervals."
    )


@app.command("rate")
@with_filters()
def rate(
    filters: Filters,
    db: DbOption = None,
    by: ByOption = None,
    period: PeriodOption = None,
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
    chart: ChartOption = None,
) -> None:
    """Asylum grant rates with counts and 95% intervals, grouped by any dimensions."""
    if chart is not None:
        image_format(chart)  # a bad file name fails before the query
    periods = parse_periods(period)
    d = get_definition(definition)
    if adjust and cluster_family:
        raise UserError("Use either --adjust or --cluster-family, not both.")
    if (adjust or cluster_family) and periods:
        raise UserError("--period cannot be combined with --adjust or --cluster-family.")
    if adjust or cluster_family:
        from asylumstats.commands.adjusted import print_adjusted, print_clustered

        show = print_adjusted if adjust else print_clustered
        show(db, engine, by, filters, d, fmt, caption)
    else:
        result = run_on(db, engine, rate_result, by, filters, d, True, periods)
    if filters.fy is not None or filters.date_from is not None:  # SPEC §6: recent periods
        from asylumstats.metrics.cohorts import pending_note

        note = run_on(db, engine, pending_note, filters)
        if note:
            print(note, file=sys.stderr)
    if adjust or cluster_family:
        return
    title = f"Asylum grant rate ({result.definition.name})"
    keys = result.fields[: -len(VALUE_FIELDS)]
    print_result(
        result,
        fmt,
        lambda: rate_table(result.rows, keys, title, caption(result)),
        f"No asylum decisions match {filters.describe()}"
        + (f" in {', '.join(p.label for p in periods)}" if periods else "")
        + ".",
    )
    if chart is not None:
        spec = None if periods else rates_chart(result.rows, result.by, d.name)
        write_chart(chart, spec, "these rows")

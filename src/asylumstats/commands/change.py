"""``asylumstats change``: the grant rate in a current period against a base period (SPEC §2.3),
with the Newcombe interval of the difference and a case-mix-adjusted difference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from asylumstats.cli import app
from asylumstats.commands._output import display, new_table, pct, print_result, release_label
from asylumstats.commands.options import (
    ByOption,
    DbOption,
    DefinitionOption,
    EngineName,
    EngineOption,
    FormatOption,
    OutputFormat,
    run_on,
    with_filters,
)
from asylumstats.commands.rate import ChartOption, implausible_note, write_chart
from asylumstats.metrics.change import ChangeResult, change_result
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.dimensions import display_rows, key_columns
from asylumstats.metrics.filters import Filters, Period
from asylumstats.web.charts import change_chart, image_format

if TYPE_CHECKING:
    from rich.table import Table

BaseOption = Annotated[
    str,
    typer.Option(
        "--base", metavar="START..END", help="Base period, YYYY-MM-DD..YYYY-MM-DD (open side ok)."
    ),
]
CurrentOption = Annotated[
    str,
    typer.Option(
        "--current",
        metavar="START..END",
        help="Current period, YYYY-MM-DD..YYYY-MM-DD (open side ok), e.g. 2025-01-01..",
    ),
]


def _pp(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:+.1f} pp"


def _pp_interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"{100 * low:+.1f} to {100 * high:+.1f} pp"


def change_caption(result: ChangeResult) -> str:
    """What a reader needs to cite a change table."""
    return (
        f"Definition: {result.definition.name} = {result.definition.formula}. "
        f"Base {result.base.label}, current {result.current.label}. "
        f"Filters: {result.filters.describe()}.{implausible_note(result.excluded_implausible)} "
        "Difference = current - base, 95% Newcombe hybrid-score interval; adjusted = both "
        "periods predicted on their pooled case mix by a model of "
        f"{', '.join(result.adjusted_for)} (judge as a random effect). "
        f"Release: {release_label(result.release)}."
    )


def change_table(result: ChangeResult) -> Table:
    keys = key_columns(result.by)
    table = new_table(
        title=f"Change in the asylum grant rate ({result.definition.name})",
        caption=change_caption(result),
        caption_justify="left",
    )
    for k in keys:
        table.add_column(k)
    for name in (
        "base rate",
        "base n",
        "current rate",
        "current n",
        "difference",
        "95% CI",
        "adjusted",
        "adjusted 95% CI",
        "note",
    ):
        table.add_column(name, justify="right")
    for r in display_rows(result.rows):
        note = ""
        low, high = r["diff_ci_low"], r["diff_ci_high"]
        if low is not None and high is not None and low <= 0 <= high:  # type: ignore[operator]
            note = "interval includes 0"
        table.add_row(
            *(display(r[k]) for k in keys),
            pct(r["base_rate"]),  # type: ignore[arg-type]
            f"{r['base_decisions']:,}",
            pct(r["current_rate"]),  # type: ignore[arg-type]
            f"{r['current_decisions']:,}",
            _pp(r["difference"]),  # type: ignore[arg-type]
            _pp_interval(low, high),  # type: ignore[arg-type]
            _pp(r["adjusted_difference"]),  # type: ignore[arg-type]
            _pp_interval(r["adjusted_ci_low"], r["adjusted_ci_high"]),  # type: ignore[arg-type]
            note,
        )
    return table


@app.command("change")
@with_filters()
def change(
    filters: Filters,
    base: BaseOption,
    current: CurrentOption,
    db: DbOption = None,
    by: ByOption = None,
    definition: DefinitionOption = "merits",
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
    chart: ChartOption = None,
) -> None:
    """The grant rate in a current period against a base period, with 95% intervals."""
    if chart is not None:
        image_format(chart)  # a bad file name fails before the query
    spans: tuple[Any, Any] = (Period.parse(base), Period.parse(current))
    d = get_definition(definition)
    result = run_on(db, engine, change_result, spans[0], spans[1], by, filters, d)
    print_result(
        result,
        fmt,
        lambda: change_table(result),
        f"No asylum decisions match {filters.describe()} in {spans[0]} or {spans[1]}.",
    )
    if chart is not None:
        labels = (result.base.label, result.current.label)
        spec = change_chart(result.rows, result.by, d.name, *labels)
        write_chart(chart, spec, "this change")

"""``asylumstats appeals | wait | backlog``: BIA appeals, time to decision, pending cases.

Same conventions as ``rate``: ``--by`` dimensions, the filters, ``--format table|json|csv``
(JSON and CSV carry only the data on stdout; the synthetic-data label goes to stderr),
``--engine duckdb|spark`` and ``--db``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from asylumstats.cli import app
from asylumstats.commands._output import (
    display,
    interval,
    new_table,
    pct,
    print_result,
    release_label,
)
from asylumstats.commands.options import (
    ByOption,
    DbOption,
    EngineName,
    EngineOption,
    FormatOption,
    OutputFormat,
    run_on,
    with_filters,
)
from asylumstats.metrics.appeals import appeals_result
from asylumstats.metrics.backlog import BACKLOG_DIMENSIONS, backlog_result
from asylumstats.metrics.dimensions import display_rows, key_columns
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.wait import MetricResult, wait_result

if TYPE_CHECKING:
    from rich.table import Table


class MetricDefinition(StrEnum):
    merits = "merits"
    eoir = "eoir"
    case = "case"


MetricDefinitionOption = Annotated[
    MetricDefinition,
    typer.Option(
        "--definition",
        help="merits: grant and denial decisions (application level); eoir: every asylum "
        "completion; case: each case's last asylum decision.",
    ),
]

#: A table column: its heading and how a row's cell reads.
Column = tuple[str, Callable[[dict[str, Any]], str]]


def _emit(
    result: MetricResult,
    fmt: OutputFormat,
    title: str,
    caption: str,
    columns: Sequence[Column],
) -> None:
    def table() -> Table:
        keys = key_columns(result.by)
        table = new_table(
            title=title, caption=caption, caption_justify="left", title_justify="left"
        )
        for k in keys:
            table.add_column(k)
        for name, _ in columns:
            table.add_column(name, justify="right")
        for r in display_rows(result.rows):
            table.add_row(*(display(r[k]) for k in keys), *(cell(r) for _, cell in columns))
        return table

    print_result(result, fmt, table, f"Nothing matches {result.filters.describe()}.")


def _definition_caption(result: MetricResult) -> str:
    return (
        f"Definition: {result.definition.name if result.definition else '—'}. "
        f"Filters: {result.filters.describe()}. Release: {release_label(result.release)}. "
    )


def _codes(filters: Filters) -> str:
    codes = filters.codes()
    return ", ".join(f"{dim} {'/'.join(c)}" for dim, c in codes.items()) if codes else "none"


def _n(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def _days(row: dict[str, Any], prefix: str, suffixes: Sequence[str]) -> str:
    values = [row[f"{prefix}{s}"] for s in suffixes]
    return " / ".join(_n(v) for v in values)


@app.command("appeals")
@with_filters()
def appeals(
    filters: Filters,
    db: DbOption = None,
    by: ByOption = None,
    definition: MetricDefinitionOption = MetricDefinition.merits,
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Appeals of asylum decisions to the BIA: by whom, how often, and what the BIA did."""
    result = run_on(db, engine, appeals_result, by, filters, definition.value)
    columns: list[Column] = []
    for party, base, count in (
        ("dhs", "grants", "grants_appealed_by_dhs"),
        ("respondent", "denials", "denials_appealed_by_respondent"),
    ):
        who = "DHS" if party == "dhs" else "respondent"
        columns += [
            (base, lambda r, b=base: _n(r[b])),
            (f"appealed by {who}", lambda r, c=count: _n(r[c])),
            (
                "share (95% CI)",
                lambda r, p=party: (
                    f"{pct(r[f'{p}_appeal_share'])} "
                    f"({interval(r[f'{p}_appeal_ci_low'], r[f'{p}_appeal_ci_high'])})"
                ),
            ),
            (
                "BIA dism/sust/rem/oth/pend",
                lambda r, p=party: " / ".join(
                    _n(r[f"{p}_appeals_{o}"])
                    for o in ("dismissed", "sustained", "remanded", "other", "pending")
                ),
            ),
            (
                "days to BIA p25/med/p75",
                lambda r, p=party: _days(r, f"{p}_appeal_days_", ("p25", "median", "p75")),
            ),
        ]
    caption = (
        _definition_caption(result)
        + "Appealed = the decision's proceeding has a tblAppeal row filed by I/B (DHS) or A/B "
        "(respondent). 95% Wilson intervals."
    )
    _emit(result, fmt, "Appeals of asylum decisions to the BIA", caption, columns)


@app.command("wait")
@with_filters()
def wait(
    filters: Filters,
    db: DbOption = None,
    by: ByOption = None,
    definition: MetricDefinitionOption = MetricDefinition.merits,
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Days from charging document and from application receipt to the asylum decision."""
    result = run_on(db, engine, wait_result, by, filters, definition.value)
    columns: list[Column] = [
        ("decisions", lambda r: _n(r["decisions"])),
    ]
    for span, label in (("from_osc", "from NTA"), ("from_receipt", "from receipt")):
        columns += [
            (f"{label}: n", lambda r, s=span: _n(r[f"{s}_count"])),
            (
                f"{label}: p25/median/p75/p90 days",
                lambda r, s=span: " / ".join(
                    _n(r[f"{s}_{q}_days"]) for q in ("p25", "median", "p75", "p90")
                ),
            ),
            (
                f"{label}: missing/implausible",
                lambda r, s=span: f"{_n(r[f'{s}_missing'])} / {_n(r[f'{s}_implausible'])}",
            ),
        ]
    caption = (
        _definition_caption(result)
        + "Nearest-rank quantiles; dates before 1950, after the release or after the decision "
        "are left out and counted as implausible."
    )
    _emit(result, fmt, "Days to an asylum decision", caption, columns)


@app.command("backlog")
@with_filters("fy", "date_from", "date_to")
def backlog(
    filters: Filters,
    db: DbOption = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help=f"Comma list of: {', '.join(BACKLOG_DIMENSIONS)} (fiscal_year = at the end of "
            "each fiscal year).",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Count pending cases at this date, YYYY-MM-DD (default: the release date)."
        ),
    ] = None,
    fy: Annotated[
        int | None,
        typer.Option("--fy", help="Count at the end of this fiscal year (30 September)."),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="With --by fiscal_year: first fiscal year's date, YYYY-MM-DD."),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", help="With --by fiscal_year: last fiscal year's date, YYYY-MM-DD."),
    ] = None,
    case_type: Annotated[
        str | None,
        typer.Option(
            "--case-type",
            help="Comma list of proceeding case types, e.g. RMV,DEP; 'eoir' = RMV,DEP,EXC,AOC,WHO "
            "(the scope of EOIR's published pending counts).",
        ),
    ] = None,
    next_hearing: Annotated[
        bool,
        typer.Option(
            "--next-hearing",
            help="Count the pending cases by the year of their next scheduled hearing.",
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Cases pending at a date (or at each fiscal year's end), and how long they have waited."""
    window = Filters.parse(fy, date_from, date_to)
    filters = replace(filters, fy=window.fy, date_from=window.date_from, date_to=window.date_to)
    if next_hearing:
        _next_hearing(db, engine, by, filters, at, case_type, fmt)
        return
    result = run_on(db, engine, backlog_result, by, filters, at, case_type)
    columns: list[Column] = [
        ("at", lambda r: str(r["at"])),
        ("pending", lambda r: _n(r["pending"])),
        ("admin. closed", lambda r: _n(r["administratively_closed"])),
        ("median age (days)", lambda r: _n(r["median_age_days"])),
        ("<1y", lambda r: _n(r["age_under_1y"])),
        ("1-2y", lambda r: _n(r["age_1_to_2y"])),
        ("2-4y", lambda r: _n(r["age_2_to_4y"])),
        ("4y+", lambda r: _n(r["age_4y_plus"])),
    ]
    types = result.notes.get("case_types") or []
    caption = (
        f"Pending = the case's latest proceeding begun by the date has no completion by it. "
        f"Case types: {', '.join(types) if types else 'all'}. "
        f"Filters: {_codes(result.filters)}. "
        f"Release: {release_label(result.release)}. "
        f"Left out, no plausible start date: {result.notes.get('without_start', 0):,} "
        "proceedings in the database."
    )
    _emit(result, fmt, "Pending cases (backlog)", caption, columns)


def _next_hearing(
    db: Path | None,
    engine: EngineName,
    by: str | None,
    filters: Filters,
    at: str | None,
    case_type: str | None,
    fmt: OutputFormat,
) -> None:
    from asylumstats.metrics.next_hearing import next_hearing_result

    result = run_on(db, engine, next_hearing_result, by, filters, at, case_type)
    columns: list[Column] = [
        ("next hearing in", lambda r: str(r["next_hearing_year"] or "none scheduled")),
        ("pending", lambda r: _n(r["pending"])),
        ("share", lambda r: f"{100 * r['share']:.1f}%"),
    ]
    caption = (
        f"Cases pending on {result.notes['at']} by the year of their next scheduled hearing "
        f"(tbl_schedule ADJ_DATE after that date). Filters: {_codes(result.filters)}. "
        f"Release: {release_label(result.release)}."
    )
    _emit(result, fmt, "Next scheduled hearing of pending cases", caption, columns)

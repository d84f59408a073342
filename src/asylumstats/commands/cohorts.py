"""``asylumstats cohorts``: asylum applications by filing year, pending ones included."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from asylumstats.cli import app
from asylumstats.commands._output import interval, new_table, pct, print_result, release_label
from asylumstats.commands.options import (
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
    with_release,
)
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.wait import MetricResult

if TYPE_CHECKING:
    from rich.table import Table


def _days(value: int | None) -> str:
    return "not reached" if value is None else f"{value:,}"


def cohort_table(result: MetricResult) -> Table:
    """Filing-year cohorts as a Rich table."""
    d = result.definition
    table = new_table(
        title="Asylum applications by filing year (cohorts)",
        caption=(
            f"Unit: a case with an asylum application, by the fiscal year of its first filing; "
            f"status at the release ({release_label(result.release)}). Rate: "
            f"{d.formula if d else ''} among decided cases. Waits from filing: median of "
            "completed cases only, and Kaplan-Meier median with pending cases censored. "
            "CIF: share granted / denied by 3 years (Aalen-Johansen)."
        ),
        caption_justify="left",
    )
    heads = ["filing FY", "filed", "pending", "grants", "denials", "other", "no decision"]
    heads += ["grant rate", "95% CI", "median wait (decided)", "median wait (KM)"]
    heads += ["granted by 3y", "denied by 3y"]
    for h in heads:
        table.add_column(h, justify="right")
    for r in result.rows:
        table.add_row(
            str(r["filing_year"]),
            f"{r['filed']:,}",
            f"{r['pending']:,} ({pct(r['pending_share'])})",
            f"{r['grants']:,}",
            f"{r['denials']:,}",
            f"{r['other']:,}",
            f"{r['no_decision']:,}",
            pct(r["grant_rate"]),
            interval(r["ci_low"], r["ci_high"]),
            _days(r["median_wait_decided_days"]),
            _days(r["median_wait_km_days"]),
            pct(r["cif_grant_3y"]),
            pct(r["cif_denial_3y"]),
        )
    return table


def curves_table(result: MetricResult) -> Table:
    """Cumulative-incidence curves as a Rich table."""
    table = new_table(
        title="Cumulative incidence since filing, by filing year (Aalen-Johansen)",
        caption=(
            "Share of a filing year's asylum applications granted / denied / otherwise "
            "completed by each time since filing (a year = 365 days), pending cases censored at "
            f"the release ({release_label(result.release)}); blank beyond the longest follow-up."
        ),
        caption_justify="left",
    )
    for h in ("filing FY", "years", "still followed", "granted", "denied", "other"):
        table.add_column(h, justify="right")
    for r in result.rows:
        table.add_row(
            str(r["filing_year"]),
            f"{r['years']:g}",
            f"{r['at_risk']:,}",
            *("" if r[k] is None else pct(r[k]) for k in ("cif_grant", "cif_denial", "cif_other")),
        )
    return table


@app.command("cohorts")
@with_release
def cohorts(
    db: DbOption = None,
    fy: FyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    judge: JudgeOption = None,
    court: CourtOption = None,
    nationality: NationalityOption = None,
    definition: DefinitionOption = "merits",
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = EngineName.duckdb,
    curves: Annotated[
        bool,
        typer.Option(
            "--curves",
            help="Cumulative-incidence curves: every half year since filing, up to 10 years.",
        ),
    ] = False,
) -> None:
    """Asylum applications by filing year: outcomes, pending, waits including pending cases.

    --fy, --from and --to select filing dates here."""
    # The cohort metrics (NumPy) are imported when they run, not when the command is listed.
    from asylumstats.metrics.cohorts import cohort_curves, cohort_result

    filters = Filters.parse(fy, date_from, date_to, judge, court, nationality)
    if curves:
        result = run_on(db, engine, cohort_curves, filters, get_definition(definition))
        print_result(result, fmt, lambda: curves_table(result))
        return
    result = run_on(db, engine, cohort_result, filters, get_definition(definition))
    print_result(result, fmt, lambda: cohort_table(result))

"""``asylumstats judge | court | nationality``: a profile against its court and the nation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from asylumstats.cli import app
from asylumstats.commands._output import (
    display,
    interval,
    new_table,
    notice_if_synthetic,
    pct,
    print_json,
    say,
    stdout_console,
)
from asylumstats.commands.options import (
    DbOption,
    DefinitionOption,
    EngineName,
    EngineOption,
    run_on,
    with_filters,
)
from asylumstats.errors import UserError
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.dimensions import court_label, display_rows
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.profiles import PROFILES

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

PROFILE_FORMATS = ("table", "json")
ProfileFormatOption = Annotated[
    str, typer.Option("--format", metavar="table|json", help="Output format.")
]
Profiler = Callable[..., dict[str, Any]]


#: The columns of :func:`_rate_cells`.
_RATE_COLUMNS = ("grant rate", "95% CI", "decisions", "grants / denials / other", "note")


def _rate_cells(row: dict[str, Any] | None) -> list[str]:
    if not row:
        return ["—", "—", "—", "—", ""]
    return [
        pct(row["grant_rate"]),
        interval(row["ci_low"], row["ci_high"]),
        str(row["decisions"]),
        f"{row['grants']} / {row['denials']} / {row['other']}",
        "<25 decisions" if row["small_sample"] else "",
    ]


def _rows_table(title: str, rows: list[dict[str, Any]], keys: list[str]) -> Table:
    table = new_table(title=title, title_justify="left")
    for k in keys:
        table.add_column(k)
    for name in _RATE_COLUMNS:
        table.add_column(name, justify="right")
    for r in display_rows(rows):
        table.add_row(*(display(r.get(k)) for k in keys), *_rate_cells(r))
    return table


def render(profile: dict[str, Any], console: Console) -> None:
    """Print a profile as Rich tables."""
    kind = profile["profile"]
    code, name = profile[f"{kind}_code"], profile[f"{kind}_name"]
    if kind == "court":
        name = court_label(code, name)
    window = profile["window"]
    excluded = profile.get("excluded_implausible") or 0
    console.print(
        f"[bold]{kind.title()} {code} — {name or '(no name in the lookup)'}[/]\n"
        f"Definition: {profile['definition']} = {profile['formula']}. "
        f"Decisions dated {window['first_decision'] or '—'} to {window['last_decision'] or '—'}"
        + (
            f"; {excluded:,} with an implausible date (before 1950 or after the release date) "
            "left out"
            if excluded
            else ""
        )
        + f". Release: {profile['release_date'] or 'unknown'}. 95% Wilson intervals.\n"
        + profile["comparison"]["caption"],
        highlight=False,
        markup=True,
    )
    summary = new_table(title="Overall", title_justify="left")
    summary.add_column("")
    for name in _RATE_COLUMNS:
        summary.add_column(name, justify="right")
    summary.add_row(f"this {kind}", *_rate_cells(profile["rate"]))
    if profile.get("court") is not None:
        court = profile["court"]
        summary.add_row(
            f"other judges of {court_label(court['court_code'], court['court_name'])}",
            *_rate_cells(court),
        )
    summary.add_row("nation", *_rate_cells(profile["nation"]))
    console.print(summary)
    share = profile.get("represented_share")
    console.print(f"Represented: {pct(share)} of decisions.")
    years = new_table(title="By fiscal year", title_justify="left")
    years.add_column("fiscal_year")
    comps = [c for c in ("court", "nation") if any(c in y for y in profile["by_fiscal_year"])]
    for who in ("this", *comps):
        years.add_column(f"{who} rate", justify="right")
        years.add_column(f"{who} 95% CI", justify="right")
        years.add_column(f"{who} n", justify="right")
    for y in profile["by_fiscal_year"]:
        cells = [str(y["fiscal_year"])]
        for key in ("rate", *comps):
            r = y.get(key)
            cells += _rate_cells(r)[:3] if r else ["—", "—", "—"]
        years.add_row(*cells)
    console.print(years)
    lists = (
        ("courts", "Courts", ["court_code", "court_name"]),
        ("judges", "Judges", ["judge_code", "judge_name"]),
        ("top_nationalities", "Top nationalities", ["nationality_code", "nationality_name"]),
        ("top_courts", "Top courts", ["court_code", "court_name"]),
        ("top_judges", "Top judges", ["judge_code", "judge_name"]),
    )
    for key, title, keys in lists:
        if key in profile:
            console.print(_rows_table(title, profile[key], keys))


def _run(
    profiler: Profiler,
    query: str,
    db: Any,
    engine: EngineName,
    definition: str,
    fmt: str,
    filters: Filters,
) -> None:
    fmt = fmt.strip().lower()
    if fmt not in PROFILE_FORMATS:
        raise UserError(f"Unknown format '{fmt}'; profiles print table or json.")
    profile = run_on(db, engine, profiler, query, get_definition(definition), filters)
    notice_if_synthetic({"synthetic": "true" if profile["synthetic"] else "false"})
    if not profile["decisions"] and not profile["rate"]["other"]:
        say(
            f"No asylum decisions of {profile['profile']} {profile[profile['profile'] + '_code']} "
            f"match {filters.describe()}."
        )
    if fmt == "json":
        print_json(profile)
    else:
        render(profile, stdout_console())


QueryArg = Annotated[str, typer.Argument(help="A code, or a name (case-insensitive, partial).")]


def _profile_command(kind: str, help_text: str) -> None:
    """Register ``asylumstats KIND QUERY`` with every filter but the subject's own."""
    profiler = PROFILES[kind]

    @with_filters(kind)
    def command(
        query: QueryArg,
        filters: Filters,
        db: DbOption = None,
        definition: DefinitionOption = "merits",
        fmt: ProfileFormatOption = "table",
        engine: EngineOption = EngineName.duckdb,
    ) -> None:
        _run(profiler, query, db, engine, definition, fmt, filters)

    command.__doc__ = help_text
    command.__name__ = kind
    app.command(kind)(command)


_profile_command("judge", "A judge's asylum grant rate against the court and the nation, by year.")
_profile_command(
    "court", "A court's asylum grant rate against the nation, by year, with its judges."
)
_profile_command(
    "nationality",
    "Asylum grant rate for one nationality against all, by year, top courts and judges.",
)
_profile_command(
    "language",
    "Asylum grant rate for one language against all, by year, top courts, judges and "
    "nationalities.",
)

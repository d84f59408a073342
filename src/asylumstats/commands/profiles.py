"""``asylumstats judge | court | nationality``: a profile against its court and the nation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from asylumstats.cli import app
from asylumstats.commands._output import (
    display,
    interval,
    notice_if_synthetic,
    pct,
    print_json,
    stdout_console,
)
from asylumstats.commands.options import (
    CourtOption,
    DbOption,
    DefinitionOption,
    EngineName,
    EngineOption,
    FromOption,
    FyOption,
    JudgeOption,
    NationalityOption,
    ToOption,
    run_on,
)
from asylumstats.errors import UserError
from asylumstats.metrics.definitions import get_definition
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.profiles import court_profile, judge_profile, nationality_profile

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
    table = Table(title=title, title_justify="left")
    for k in keys:
        table.add_column(k)
    for name in _RATE_COLUMNS:
        table.add_column(name, justify="right")
    for r in rows:
        table.add_row(*(display(r.get(k)) for k in keys), *_rate_cells(r))
    return table


def render(profile: dict[str, Any], console: Console) -> None:
    """Print a profile as Rich tables."""
    kind = profile["profile"]
    code, name = profile[f"{kind}_code"], profile[f"{kind}_name"]
    window = profile["window"]
    console.print(
        f"[bold]{kind.title()} {code} — {name or '(no name in the lookup)'}[/]\n"
        f"Definition: {profile['definition']} = {profile['formula']}. "
        f"Decisions dated {window['first_decision'] or '—'} to {window['last_decision'] or '—'}. "
        f"Release: {profile['release_date'] or 'unknown'}. 95% Wilson intervals."
    )
    summary = Table(title="Overall", title_justify="left")
    summary.add_column("")
    for name in _RATE_COLUMNS:
        summary.add_column(name, justify="right")
    summary.add_row(f"this {kind}", *_rate_cells(profile["rate"]))
    if profile.get("court") is not None:
        court = profile["court"]
        summary.add_row(
            f"court {court['court_code']} ({court['court_name'] or '—'})", *_rate_cells(court)
        )
    summary.add_row("nation", *_rate_cells(profile["nation"]))
    console.print(summary)
    share = profile.get("represented_share")
    console.print(f"Represented: {pct(share)} of decisions.")
    years = Table(title="By fiscal year", title_justify="left")
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
    if fmt == "json":
        print_json(profile)
    else:
        render(profile, stdout_console())


QueryArg = Annotated[str, typer.Argument(help="A code, or a name (case-insensitive, partial).")]


@app.command("judge")
def judge(
    query: QueryArg,
    db: DbOption = None,
    fy: FyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    court: CourtOption = None,
    nationality: NationalityOption = None,
    definition: DefinitionOption = "merits",
    fmt: ProfileFormatOption = "table",
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """A judge's asylum grant rate against the court and the nation, by year."""
    filters = Filters.parse(fy, date_from, date_to, None, court, nationality)
    _run(judge_profile, query, db, engine, definition, fmt, filters)


@app.command("court")
def court(
    query: QueryArg,
    db: DbOption = None,
    fy: FyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    judge: JudgeOption = None,
    nationality: NationalityOption = None,
    definition: DefinitionOption = "merits",
    fmt: ProfileFormatOption = "table",
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """A court's asylum grant rate against the nation, by year, with its judges."""
    filters = Filters.parse(fy, date_from, date_to, judge, None, nationality)
    _run(court_profile, query, db, engine, definition, fmt, filters)


@app.command("nationality")
def nationality(
    query: QueryArg,
    db: DbOption = None,
    fy: FyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    judge: JudgeOption = None,
    court: CourtOption = None,
    definition: DefinitionOption = "merits",
    fmt: ProfileFormatOption = "table",
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Asylum grant rate for one nationality against all, by year, top courts and judges."""
    filters = Filters.parse(fy, date_from, date_to, judge, court, None)
    _run(nationality_profile, query, db, engine, definition, fmt, filters)

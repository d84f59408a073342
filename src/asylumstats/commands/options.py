"""Options shared by several commands (``--db``, ``--format``, ``--engine``, ``--by``, the
filters), and :func:`run_on`, which runs a metric on the chosen database and engine."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from asylumstats.engines import open_engine
from asylumstats.metrics.dimensions import DIMENSIONS
from asylumstats.metrics.filters import Filters
from asylumstats.paths import resolve_db

T = TypeVar("T")

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Database file (default: $ASYLUMSTATS_DB, else a per-user data folder)."
    ),
]

ReleaseOption = Annotated[
    str | None,
    typer.Option(
        "--release",
        metavar="NAME|DATE",
        help="A release kept beside --db, by name or date as 'asylumstats releases' lists them "
        "(default: the one at --db, the newest).",
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

# The filters of SPEC §2.2: every query command takes them through :func:`with_filters`, which
# adds these options to the command and hands it one parsed :class:`Filters`.
_CODE_HELP = "; a comma list (or the option repeated) means any of them."
FyOption = Annotated[
    str | None, typer.Option("--fy", metavar="YEAR", help="Fiscal year (Oct-Sep), e.g. 2024.")
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First decision date, YYYY-MM-DD (inclusive).")
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last decision date, YYYY-MM-DD (inclusive).")
]
JudgeOption = Annotated[
    list[str] | None,
    typer.Option("--judge", metavar="CODE", help="Judge code (IJ_CODE)" + _CODE_HELP),
]
CourtOption = Annotated[
    list[str] | None,
    typer.Option("--court", metavar="CODE", help="Court code (BASE_CITY_CODE)" + _CODE_HELP),
]
HearingLocationOption = Annotated[
    list[str] | None,
    typer.Option("--hearing-location", metavar="CODE", help="Hearing location code" + _CODE_HELP),
]
NationalityOption = Annotated[
    list[str] | None,
    typer.Option(
        "--nationality", metavar="CODE", help="Nationality code (EOIR code, e.g. CH)" + _CODE_HELP
    ),
]
LanguageOption = Annotated[
    list[str] | None,
    typer.Option("--language", metavar="CODE", help="Language code, e.g. MAN" + _CODE_HELP),
]
CustodyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--custody", metavar="CODE", help="Proceeding custody code (D, R, N)" + _CODE_HELP
    ),
]
RepresentedOption = Annotated[
    str | None, typer.Option("--represented", metavar="yes|no", help="Represented by a lawyer.")
]
AsylumTypeOption = Annotated[
    str | None,
    typer.Option(
        "--asylum-type",
        metavar="affirmative|defensive|unknown",
        help="Affirmative, defensive or unknown (a comma list means any of them).",
    ),
]

#: Every filter option: parameter name → its annotated type (SPEC §2.2 order).
FILTER_OPTIONS: dict[str, Any] = {
    "judge": JudgeOption,
    "court": CourtOption,
    "hearing_location": HearingLocationOption,
    "nationality": NationalityOption,
    "language": LanguageOption,
    "custody": CustodyOption,
    "represented": RepresentedOption,
    "asylum_type": AsylumTypeOption,
    "fy": FyOption,
    "date_from": FromOption,
    "date_to": ToOption,
}


def _extend(
    func: Callable[..., None], extra: dict[str, Any], adapt: Callable[[dict[str, Any]], None]
) -> Callable[..., None]:
    """``func`` with the keyword options ``extra`` (name → annotated type) added to its
    signature; ``adapt`` turns the keywords typer passes into the ones ``func`` takes."""
    sig = inspect.signature(func, eval_str=True)
    params = [p for p in sig.parameters.values() if p.name not in ("filters", *extra)]
    params += [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=t)
        for n, t in extra.items()
    ]

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> None:
        adapt(kwargs)
        func(*args, **kwargs)

    del command.__wrapped__  # type: ignore[attr-defined]
    command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def with_release(func: Callable[..., None]) -> Callable[..., None]:
    """Give a command (one with a ``db`` parameter) the ``--release`` option, resolved here
    with ``--db``: the command receives ``db`` as the chosen release's file."""

    def adapt(kwargs: dict[str, Any]) -> None:
        release = kwargs.pop("release", None)
        if release and release.strip():
            kwargs["db"] = resolve_db(kwargs.get("db"), release)

    return _extend(func, {"release": ReleaseOption}, adapt)


def with_filters(*exclude: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every filter option (but ``exclude``) and ``--release``, and pass it
    ``filters``, one parsed :class:`Filters`: the one place CLI filters are declared and
    parsed."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        names = [n for n in FILTER_OPTIONS if n not in exclude]

        def adapt(kwargs: dict[str, Any]) -> None:
            raw = {n: kwargs.pop(n, None) for n in names}
            kwargs["filters"] = Filters.parse(
                raw.pop("fy", None), raw.pop("date_from", None), raw.pop("date_to", None), **raw
            )

        return with_release(_extend(func, {n: FILTER_OPTIONS[n] for n in names}, adapt))

    return decorate


PeriodOption = Annotated[
    list[str] | None,
    typer.Option(
        "--period",
        metavar="START..END",
        help="A period of decision dates, YYYY-MM-DD..YYYY-MM-DD (either side may be empty); "
        "repeat for several, each computed on its own.",
    ),
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
    """``metric(eng, *args)`` with ``eng`` the chosen engine on the chosen database (``db`` as
    :func:`with_release` passes it: already the chosen release's file)."""
    with open_engine(resolve_db(db), engine.value) as eng:
        return metric(eng, *args)

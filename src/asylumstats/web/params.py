"""Query parameters of the pages, their ``.json``/``.csv`` twins and the ``/api/*`` aliases:
one description (for parsing and for OpenAPI) and one parser (SPEC §2.2).

A parameter a view does not accept, a single-valued parameter given twice, or a value it
cannot use is a :class:`UserError` (422); nothing is silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asylumstats.errors import UserError
from asylumstats.metrics.definitions import DEFINITIONS, get_definition
from asylumstats.metrics.dimensions import DIMENSIONS, Dimension, parse_dimensions
from asylumstats.metrics.filters import (
    CODE_FILTERS,
    FILTER_PARAMS,
    Filters,
    Period,
    parse_periods,
)

#: Every query parameter: name → (description, repeatable).
PARAMS: dict[str, tuple[str, bool]] = {
    "judge": ("Judge code(s) (IJ_CODE); a comma list or repeated parameter means any.", True),
    "court": ("Court code(s) (BASE_CITY_CODE); comma list or repeated.", True),
    "hearing_location": ("Hearing location code(s); comma list or repeated.", True),
    "nationality": ("Nationality code(s), e.g. CH; comma list or repeated.", True),
    "language": ("Language code(s) of the case, e.g. MAN; comma list or repeated.", True),
    "custody": ("Custody code(s) of the proceeding (D, R, N); comma list or repeated.", True),
    "represented": ("yes or no: the case has a notice of appearance (E-28).", False),
    "asylum_type": ("affirmative, defensive or unknown; comma list or repeated.", True),
    "fy": ("Fiscal year (October-September), e.g. 2024.", False),
    "from": ("First decision date, YYYY-MM-DD (inclusive).", False),
    "to": ("Last decision date, YYYY-MM-DD (inclusive).", False),
    "definition": (f"Rate definition: {', '.join(DEFINITIONS)} (default merits).", False),
    "by": (
        f"Dimensions to group by: {', '.join(DIMENSIONS)}; comma list or repeated.",
        True,
    ),
    "period": (
        "A period START..END (dates YYYY-MM-DD, either side empty); repeat for several.",
        True,
    ),
    "adjust": (
        "true: with by=judge or by=court, add case-mix adjusted rates, the court's other "
        "judges, p and q values (as `asylumstats rate --adjust`).",
        False,
    ),
    "base": ("Base period START..END (dates YYYY-MM-DD, either side may be empty).", False),
    "current": ("Current period START..END, e.g. 2025-01-01..", False),
    "format": ("json (default for the API) or csv.", False),
    "q": ("Text to find: a code, a name, a court's city or a hearing location's city.", False),
    "limit": ("Most results (1-50, default 20).", False),
    "at": ("backlog: count pending cases at this date, YYYY-MM-DD.", False),
    "case_type": ("backlog: proceeding case types, comma list (or 'eoir').", True),
    "fragment": ("1: only the section's HTML (pages load it lazily).", False),
    "release": (
        "A kept release, by name or date as `/releases` lists them (default: the newest, or "
        "the one the server was started with); unknown: 404.",
        False,
    ),
}

#: The filters and the definition: what every rate view accepts.
RATE_VIEW: tuple[str, ...] = (*FILTER_PARAMS, "definition")


def accepts(*groups: Sequence[str], without: Sequence[str] = ()) -> tuple[str, ...]:
    """The parameters of a view: ``groups`` joined, ``without`` removed, ``format`` and
    ``release`` (every view answers for any kept release) added."""
    out: list[str] = []
    for group in groups:
        out += [p for p in group if p not in out and p not in without]
    return (*out, *(p for p in ("format", "release") if p not in out))


@dataclass(frozen=True)
class Query:
    """A request's parameters, validated."""

    filters: Filters
    definition: str = "merits"
    by: tuple[Dimension, ...] = ()
    periods: tuple[Period, ...] = ()
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """A single-valued parameter's value (None when absent)."""
        got = self.values.get(name, ())
        return got[0] if got else None

    @property
    def by_key(self) -> str:
        return ",".join(d.name for d in self.by)


def parse_query(values: Mapping[str, Sequence[str]], accepted: Sequence[str]) -> Query:
    """Validate ``values`` (parameter → every value given) against ``accepted``."""
    unknown = sorted(set(values) - set(accepted))
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        raise UserError(f"Unknown parameter {names}; this address accepts: {', '.join(accepted)}.")
    for name, got in values.items():
        if len(got) > 1 and not PARAMS.get(name, ("", False))[1]:
            raise UserError(f"Give the parameter '{name}' once, not {len(got)} times.")
    raw: dict[str, Any] = {k: list(v) for k, v in values.items()}
    filters = Filters.from_params({k: raw.get(k) for k in FILTER_PARAMS})
    definition = get_definition((raw.get("definition") or ["merits"])[0] or "merits").name
    by = tuple(parse_dimensions(",".join(raw.get("by") or [])))
    periods = parse_periods(raw.get("period"))
    fmt = (raw.get("format") or [None])[0]
    if fmt is not None and fmt.lower() not in ("json", "csv", "html"):
        raise UserError(f"Unknown format '{fmt}'; use json or csv.")
    frozen = {k: tuple(v) for k, v in values.items()}
    return Query(filters, definition, by, periods, frozen)


def openapi_parameters(accepted: Sequence[str]) -> list[dict[str, Any]]:
    """OpenAPI descriptions of the query parameters ``accepted``."""
    out = []
    for name in accepted:
        if name == "fragment":
            continue
        text, repeatable = PARAMS[name]
        schema: dict[str, Any] = {"type": "string"}
        if repeatable:
            schema = {"type": "array", "items": {"type": "string"}}
        out.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": schema,
                **({"style": "form", "explode": True} if repeatable else {}),
            }
        )
    return out


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}


def openapi_responses(has_code: bool, accepted: Sequence[str]) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of an API endpoint (404 when a code or the release
    asked for can be unknown)."""
    content = {"application/json": {"schema": ERROR_SCHEMA}}
    out: dict[int | str, dict[str, Any]] = {
        422: {
            "description": "An unknown parameter, or a value that cannot be used.",
            "content": content,
        }
    }
    unknown = []
    if has_code:
        unknown.append("the code in the path")
    if set(CODE_FILTERS) & set(accepted):
        unknown.append("a code given as a filter")
    if unknown:
        what = " or ".join(unknown)
        reason = f"{what[0].upper()}{what[1:]} is not in this release"
        if "release" in accepted:
            reason += ", or the release asked for is not kept"
    elif "release" in accepted:
        reason = "The release asked for is not kept"
    else:
        return out
    out[404] = {"description": reason + ".", "content": content}
    return out

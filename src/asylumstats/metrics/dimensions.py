"""The dimension registry: grouping dimension name → its key columns (SPEC §2.1).

A metric table (``asylum_decisions`` today; appeals, waits and backlog later) carries the key
columns under these names, so every metric groups, filters and labels the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from asylumstats.errors import UserError
from asylumstats.model.sql import COURTS, JUDGES, LANGUAGES, NATIONALITIES, Lookup


@dataclass(frozen=True)
class Dimension:
    """A grouping dimension: its row keys (= model columns), and its code lookup if any."""

    name: str
    keys: tuple[str, ...]
    label: str
    lookup: Lookup | None = None

    @property
    def code_column(self) -> str:
        """The column holding the dimension's code (its first key)."""
        return self.keys[0]

    @property
    def name_column(self) -> str | None:
        """The column holding the dimension's name, if it has one."""
        return self.keys[1] if len(self.keys) > 1 else None


_ALL: tuple[Dimension, ...] = (
    Dimension("judge", ("judge_code", "judge_name"), "Judge", JUDGES),
    Dimension("court", ("court_code", "court_name"), "Court", COURTS),
    Dimension(
        "hearing_location", ("hearing_location_code", "hearing_location_name"), "Hearing location"
    ),
    Dimension(
        "nationality", ("nationality_code", "nationality_name"), "Nationality", NATIONALITIES
    ),
    Dimension("language", ("language_code", "language_name"), "Language", LANGUAGES),
    Dimension("custody", ("custody",), "Custody"),
    Dimension("represented", ("represented",), "Represented"),
    Dimension(
        "represented_at_decision", ("represented_at_decision",), "Represented at the decision"
    ),
    Dimension("asylum_type", ("asylum_type",), "Asylum type"),
    Dimension("fiscal_year", ("fiscal_year",), "Fiscal year"),
    Dimension("month", ("month",), "Month"),
)

#: Every dimension by name, in the documented order (SPEC §2.1).
DIMENSIONS: dict[str, Dimension] = {d.name: d for d in _ALL}


def parse_dimensions(
    spec: str | Iterable[str] | None,
    available: Mapping[str, Dimension] = DIMENSIONS,
    what: str = "dimension",
) -> list[Dimension]:
    """Dimensions from a comma list (or a list of names), deduplicated, in the order of
    ``available`` (by default :data:`DIMENSIONS`, the documented order).

    Names are case-insensitive and trimmed; an unknown name is a :class:`UserError` that calls
    it an unknown ``what``.
    """
    if spec is None:
        return []
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted: set[str] = set()
    for raw in names:
        name = raw.strip().lower().replace("-", "_")
        if not name:
            continue
        if name not in available:
            raise UserError(f"Unknown {what} '{raw.strip()}'; choose from: {', '.join(available)}.")
        wanted.add(name)
    return [d for name, d in available.items() if name in wanted]


def key_columns(dims: Sequence[Dimension]) -> list[str]:
    """The row keys of a grouping, in order."""
    return [k for d in dims for k in d.keys]


def court_label(code: str | None, name: str | None) -> str | None:
    """A court as shown to people: its city and code, "NEW YORK (NYC)" (several courts share a
    city); the JSON keeps ``court_name`` as the lookup has it."""
    if code is None:
        return name
    return f"{name} ({code})" if name else code


def display_rows(rows: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    """Copies of ``rows`` for tables, charts and CSVs: ``court_name`` as "NEW YORK (NYC)", a
    list (``adjusted_for``) as a comma list."""
    out = []
    for r in rows:
        row = {k: (",".join(map(str, v)) if isinstance(v, list) else v) for k, v in r.items()}
        if "court_name" in row and "court_code" in row:
            row["court_name"] = court_label(row["court_code"], row["court_name"])  # type: ignore[arg-type]
        out.append(row)
    return out

"""Rate definitions (SPEC §3 plus ``protection``): which rows count as grants, denials, other.

Every definition is three SQL predicates over a model table plus its denominator; the SQL is
written once here and runs unchanged (or transpiled) on every engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asylumstats.errors import UserError
from asylumstats.model.outcomes import (  # re-exported: the outcome classes
    DENIAL_CODES,
    EXCLUDED_CODES,
    GRANT_CODES,
    OTHER_CODES,
    OUTCOME_RANK,
    PROTECTION_ALONGSIDE_CODES,
    PROTECTION_APPL_CODES,
    PROTECTION_ASYL_CODES,
    PROTECTION_GRANT_CODES,
    outcome_of,
    sql_list,
)

__all__ = [
    "DEFINITIONS",
    "DENIAL_CODES",
    "Definition",
    "EXCLUDED_CODES",
    "GRANT_CODES",
    "OTHER_CODES",
    "OUTCOME_RANK",
    "PLAUSIBLE_FIRST_DATE",
    "SMALL_SAMPLE",
    "case_tie_break",
    "fiscal_year_of",
    "outcome_of",
    "plausible_date",
    "plausible_sql",
    "PROTECTION_ALONGSIDE_CODES",
    "PROTECTION_APPL_CODES",
    "PROTECTION_ASYL_CODES",
    "PROTECTION_GRANT_CODES",
    "get_definition",
]


#: Fewer decisions than this get the ``small_sample`` flag (SPEC §6).
SMALL_SAMPLE = 25

#: Decisions dated before this day, or after the release date, are implausible: they are
#: left out of rates and counted in captions (``excluded_implausible``).
PLAUSIBLE_FIRST_DATE = dt.date(1950, 1, 1)


def fiscal_year_of(day: dt.date) -> int:
    """The federal fiscal year of a date: its year, plus one for October-December
    (Python twin of ``model.sql.fiscal_year_sql``)."""
    return day.year + (1 if day.month >= 10 else 0)


def case_tie_break(outcome: str, idnproceedingappln: int) -> tuple[int, int]:
    """Among a case's decisions on its latest date, the smallest key wins: grant > denial >
    other, then the highest IDNPROCEEDINGAPPLN (Python twin of ``model.sql``)."""
    return OUTCOME_RANK[outcome], -idnproceedingappln


def plausible_date(day: dt.date | None, release_date: dt.date | None) -> bool:
    """Whether a decision date is plausible: from 1950 up to the release date."""
    if day is None or day < PLAUSIBLE_FIRST_DATE:
        return False
    return release_date is None or day <= release_date


def plausible_sql(column: str, release_date: dt.date | None) -> str:
    """SQL twin of :func:`plausible_date` (constant dates only, never user input)."""
    sql = f"{column} >= DATE '{PLAUSIBLE_FIRST_DATE.isoformat()}'"
    if release_date is not None:
        sql += f" AND {column} <= DATE '{release_date.isoformat()}'"
    return f"({sql})"


@dataclass(frozen=True)
class Definition:
    """A rate definition."""

    name: str
    table: str  # model table it reads
    grant_sql: str  # predicate: the row counts as a grant
    denial_sql: str  # predicate: the row counts as a denial
    other_sql: str  # predicate: the row counts as other (never in a merits denominator)
    other_in_denominator: bool  # decisions = grants + denials (+ other when True)
    formula: str  # human-readable
    description: str

    def decisions(self, grants: int, denials: int, other: int) -> int:
        """The denominator for these counts."""
        return grants + denials + (other if self.other_in_denominator else 0)


_GRANT = "outcome = 'grant'"
_DENIAL = "outcome = 'denial'"
_OTHER = "outcome = 'other'"
#: The ``protection`` definition's extra grants (SQL over ``asylum_decisions``).
_PROTECTED = (
    f"(appl_dec IN {sql_list(PROTECTION_ASYL_CODES)} OR (other_protection AND "
    f"(outcome = 'denial' OR appl_dec IN {sql_list(PROTECTION_ALONGSIDE_CODES)})))"
)

DEFINITIONS: dict[str, Definition] = {
    "merits": Definition(
        "merits",
        "asylum_decisions",
        _GRANT,
        _DENIAL,
        _OTHER,
        False,
        "grants / (grants + denials)",
        "Application level; merits decisions only (the TRAC convention).",
    ),
    "eoir": Definition(
        "eoir",
        "asylum_decisions",
        _GRANT,
        _DENIAL,
        _OTHER,
        True,
        "grants / (grants + denials + other)",
        "Application level; every completion, including abandoned, withdrawn, not "
        "adjudicated, other, administrative closure (EOIR's published convention).",
    ),
    "case": Definition(
        "case",
        "asylum_case_decisions",
        _GRANT,
        _DENIAL,
        _OTHER,
        False,
        "grants / (grants + denials), one decision per case",
        "Case level: each case's last asylum decision, then as merits.",
    ),
    "protection": Definition(
        "protection",
        "asylum_decisions",
        f"(outcome = 'grant' OR {_PROTECTED})",
        "(outcome = 'denial' AND NOT other_protection)",
        f"(outcome = 'other' AND NOT {_PROTECTED})",
        False,
        "(asylum grants + other protection granted) / (that + asylum denials without it)",
        "Application level; protection granted counts asylum grants, asylum applications "
        "decided L (CAT granted), and asylum applications denied, abandoned, withdrawn or "
        "administratively closed in a proceeding whose ASYW or WCAT application was decided "
        "F, G, C, I, P or L.",
    ),
}


def get_definition(name: str | Definition) -> Definition:
    """The definition called ``name`` (case-insensitive); unknown → :class:`UserError`."""
    if isinstance(name, Definition):
        return name
    key = (name or "").strip().lower()
    if key not in DEFINITIONS:
        raise UserError(f"Unknown definition '{name}'; choose one of: {', '.join(DEFINITIONS)}.")
    return DEFINITIONS[key]

"""Rate definitions (SPEC §3 plus ``protection``): which rows count as grants, denials, other.

Every definition is three SQL predicates over a model table plus its denominator; the SQL is
written once here and runs unchanged (or transpiled) on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from asylumstats.errors import UserError
from asylumstats.model.outcomes import (  # re-exported: the outcome classes
    DENIAL_CODES,
    EXCLUDED_CODES,
    GRANT_CODES,
    OTHER_CODES,
    PROTECTION_ALONGSIDE_CODES,
    PROTECTION_APPL_CODES,
    PROTECTION_ASYL_CODES,
    PROTECTION_GRANT_CODES,
    sql_list,
)

__all__ = [
    "DEFINITIONS",
    "DENIAL_CODES",
    "Definition",
    "EXCLUDED_CODES",
    "GRANT_CODES",
    "OTHER_CODES",
    "PROTECTION_ALONGSIDE_CODES",
    "PROTECTION_APPL_CODES",
    "PROTECTION_ASYL_CODES",
    "PROTECTION_GRANT_CODES",
    "get_definition",
]


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

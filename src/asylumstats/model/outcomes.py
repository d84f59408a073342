"""Outcome classes of an asylum application decision (SPEC §3), the one place codes are listed.

Both the model SQL and the documentation read these constants; nothing else hard-codes them.
"""

from __future__ import annotations

#: APPL_DEC codes (trimmed, upper-case) that grant asylum.
GRANT_CODES: tuple[str, ...] = ("F", "G", "C", "I", "P")
#: APPL_DEC codes that deny asylum.
DENIAL_CODES: tuple[str, ...] = ("D",)
#: Completions that are not a merits ruling on asylum (abandoned, withdrawn, not adjudicated,
#: other, administrative closure, CAT granted instead).
OTHER_CODES: tuple[str, ...] = ("A", "W", "M", "O", "S", "L")
#: Not a decision (transfer/change of venue, reserved); blank and unknown codes are left out too.
EXCLUDED_CODES: tuple[str, ...] = ("T", "R")

#: Proceeding CASE_TYPEs whose asylum decisions count.
CASE_TYPES: tuple[str, ...] = ("RMV", "DEP", "EXC", "AOC")

#: Application codes of the related protections used by the ``protection`` definition.
PROTECTION_APPL_CODES: tuple[str, ...] = ("ASYW", "WCAT")
#: Decision codes that grant withholding (ASYW) or CAT protection (WCAT); L is "GRANT WCAT".
PROTECTION_GRANT_CODES: tuple[str, ...] = ("F", "G", "C", "I", "P", "L")
#: ASYL decision codes that themselves grant protection under ``protection``: L, "GRANT
#: WCAT" (CAT protection granted on the asylum application).
PROTECTION_ASYL_CODES: tuple[str, ...] = ("L",)
#: ASYL decision codes (abandoned, withdrawn, administratively closed) that count as
#: protection granted under ``protection`` when withholding or CAT was granted in the same
#: proceeding (the applicant gave up asylum for the protection granted).
PROTECTION_ALONGSIDE_CODES: tuple[str, ...] = ("A", "W", "S")

#: Outcome labels stored in ``asylum_decisions.outcome``.
GRANT = "grant"
DENIAL = "denial"
OTHER = "other"

#: Case-level tie-break rank of an outcome (lower wins): grant > denial > other.
OUTCOME_RANK: dict[str, int] = {GRANT: 0, DENIAL: 1, OTHER: 2}


def outcome_of(appl_dec: str | None) -> str | None:
    """The outcome class of an APPL_DEC value (``None`` when it is not a decision)."""
    code = (appl_dec or "").strip().upper()
    if code in GRANT_CODES:
        return GRANT
    if code in DENIAL_CODES:
        return DENIAL
    if code in OTHER_CODES:
        return OTHER
    return None


def sql_list(codes: tuple[str, ...]) -> str:
    """``('A', 'B')`` — an SQL IN list of constant codes (never user input)."""
    return "(" + ", ".join("'" + c.replace("'", "''") + "'" for c in codes) + ")"

"""Appeals to the BIA per proceeding: who appealed, and what the BIA did (DuckDB-dialect SQL).

``proceeding_appeals_sql()`` is a SELECT with one row per proceeding that has at least one
``appeals`` (tblAppeal) row filed by DHS or the respondent:

- ``dhs_appealed`` / ``respondent_appealed`` (0/1): a row with ``strFiledBy`` I or B / A or B
  (SPEC §2, any appeal row of the proceeding, whatever its category or type);
- ``dhs_case_appealed`` / ``respondent_case_appealed`` (0/1): the narrower rule, only rows
  that appeal the IJ's decision itself (``strAppealCategory`` IJ and ``strAppealType``
  "Case Appeal");
- ``dhs_bia_outcome`` / ``dhs_bia_date`` and ``respondent_bia_outcome`` /
  ``respondent_bia_date``: the BIA result of that party's *principal* appeal — its case appeal
  if it has one, else its earliest filed row, ties by the lowest ``idnAppeal``.

The BIA decision codes (``strBIADecision``, tblLookupBIADecision) are classed by
:data:`BIA_OUTCOME_CODES`; a row with neither a BIA decision code nor a BIA decision date is
``pending``; any other code (or a date without a code) is ``other``. The SQL can be used
inline as a subquery or materialized as the model table :data:`TABLE` (``build_appeals``).
"""

from __future__ import annotations

from typing import Any

from asylumstats.model.outcomes import DENIAL, GRANT, sql_list
from asylumstats.model.sql import case_ranks_sql

#: Name of the optional model table (used when present, else the SQL runs inline).
TABLE = "proceeding_appeals"

#: Name of the model table of appealable decisions (:func:`decision_appeals_sql`).
DECISIONS_TABLE = "decision_appeals"

#: Physical order of :data:`DECISIONS_TABLE` (as ``asylum_decisions``).
DECISIONS_ORDER = "fiscal_year, court_code, judge_code, decision_date, idnproceedingappln"

#: strFiledBy codes that count as an appeal by DHS (I = DHS/INS, B = both parties).
DHS_FILERS: tuple[str, ...] = ("I", "B")
#: Name of the model table of appealable decisions (:func:`decision_appeals_sql`).
DECISIONS_TABLE = "decision_appeals"

#: Physical order of :data:`DECISIONS_TABLE` (as ``asylum_decisions``).
DECISIONS_ORDER = "fiscal_year, court_code, judge_code, decision_date, idnproceedingappln"

#: strFiledBy codes that count as an appeal by the respondent (A = alien, B = both parties).
RESPONDENT_FILERS: tuple[str, ...] = ("A", "B")

#: The narrower "appeal of the IJ decision": strAppealCategory and strAppealType (upper-case).
CASE_APPEAL_CATEGORY = "IJ"
CASE_APPEAL_TYPE = "CASE APPEAL"

#: BIA outcome class → tblLookupBIADecision codes (descriptions in the methodology page).
BIA_OUTCOME_CODES: dict[str, tuple[str, ...]] = {
    # The IJ decision stands: dismissed, summarily dismissed, affirmed, denied.
    "dismissed": (
        "DIS",
        "D30",
        "DVD",
        "DMO",
        "DSO",
        "DUT",
        "SAD",
        "SDG",
        "SED",
        "SND",
        "SOD",
        "SUD",
        "SAF",
        "SAV",
        "S-L",
        "DEN",
        "DNS",
        "FMD",
    ),
    # The appeal wins outright.
    "sustained": ("SUS", "GRN", "GRS", "GNR"),
    # Sent back to the immigration judge.
    "remanded": ("REM", "BCR"),
}

#: The outcome classes, in report order.
BIA_OUTCOMES: tuple[str, ...] = ("dismissed", "sustained", "remanded", "other", "pending")

#: The party prefixes of the columns.
PARTIES: tuple[str, ...] = ("dhs", "respondent")

#: Columns of :data:`TABLE`, in order.
COLUMNS: tuple[str, ...] = (
    "idnproceeding",
    "dhs_appealed",
    "dhs_case_appealed",
    "dhs_bia_outcome",
    "dhs_bia_date",
    "respondent_appealed",
    "respondent_case_appealed",
    "respondent_bia_outcome",
    "respondent_bia_date",
)


def _code(expr: str) -> str:
    return f"NULLIF(upper(trim({expr})), '')"


def bia_outcome_case(code_expr: str, date_expr: str) -> str:
    """SQL CASE classing a BIA decision code (already normalised) and its date."""
    parts = [
        f"WHEN {code_expr} IN {sql_list(codes)} THEN '{name}'"
        for name, codes in BIA_OUTCOME_CODES.items()
    ]
    return (
        f"CASE {' '.join(parts)} "
        f"WHEN {code_expr} IS NULL AND {date_expr} IS NULL THEN 'pending' ELSE 'other' END"
    )


def classify_bia(code: str | None, has_date: bool) -> str:
    """The outcome class of one BIA decision code (Python twin of :func:`bia_outcome_case`)."""
    value = (code or "").strip().upper()
    for name, codes in BIA_OUTCOME_CODES.items():
        if value in codes:
            return name
    if not value and not has_date:
        return "pending"
    return "other"


def proceeding_appeals_sql() -> str:
    """SELECT with one row per appealed proceeding (columns :data:`COLUMNS`)."""
    filed_by = _code("strfiledby")
    case_appeal = (
        f"CASE WHEN {_code('strappealcategory')} = '{CASE_APPEAL_CATEGORY}' "
        f"AND {_code('strappealtype')} = '{CASE_APPEAL_TYPE}' THEN 1 ELSE 0 END"
    )
    bia_code = _code("strbiadecision")
    rows = f"""
    SELECT idnproceeding, idnappeal, {filed_by} AS filed_by, {case_appeal} AS case_appeal,
           CAST(datappealfiled AS DATE) AS filed,
           CAST(datbiadecision AS DATE) AS bia_date,
           {bia_outcome_case(bia_code, "datbiadecision")} AS bia_outcome
    FROM appeals
    WHERE idnproceeding IS NOT NULL
      AND {filed_by} IN {sql_list(tuple(sorted(set(DHS_FILERS) | set(RESPONDENT_FILERS))))}"""
    ranks = []
    cols = []
    for party, filers in (("dhs", DHS_FILERS), ("respondent", RESPONDENT_FILERS)):
        mine = f"filed_by IN {sql_list(filers)}"
        # rank 1 = the party's principal appeal (when the party has any row)
        ranks.append(
            f"row_number() OVER (PARTITION BY idnproceeding ORDER BY "
            f"CASE WHEN {mine} THEN 0 ELSE 1 END, case_appeal DESC, filed ASC NULLS LAST, "
            f"idnappeal ASC NULLS LAST) AS {party}_rn"
        )
        principal = f"{mine} AND {party}_rn = 1"
        cols += [
            f"MAX(CASE WHEN {mine} THEN 1 ELSE 0 END) AS {party}_appealed",
            f"MAX(CASE WHEN {mine} THEN case_appeal ELSE 0 END) AS {party}_case_appealed",
            f"MAX(CASE WHEN {principal} THEN bia_outcome END) AS {party}_bia_outcome",
            f"MAX(CASE WHEN {principal} THEN bia_date END) AS {party}_bia_date",
        ]
    ranked = f"SELECT r.*, {', '.join(ranks)} FROM ({rows}) AS r"
    return (
        f"SELECT idnproceeding, {', '.join(cols)}\nFROM ({ranked}) AS ranked\n"
        "GROUP BY idnproceeding"
    )


def appeals_source(engine: Any) -> str:
    """The model table when it was built, else the SQL as a parenthesised subquery."""
    if engine.has_table(TABLE):
        return TABLE
    return f"({proceeding_appeals_sql()})"


#: The ``appeals`` columns :func:`proceeding_appeals_sql` reads.
SOURCE_COLUMNS: tuple[str, ...] = (
    "idnappeal",
    "idnproceeding",
    "strfiledby",
    "strappealcategory",
    "strappealtype",
    "datappealfiled",
    "strbiadecision",
    "datbiadecision",
)


def can_build(engine: Any) -> bool:
    """Whether the release has an ``appeals`` table with the columns the SQL reads."""
    have = set(engine.table_columns("appeals"))
    return bool(have) and all(c in have for c in SOURCE_COLUMNS)


def build_appeals(engine: Any) -> None:
    """Materialize :data:`TABLE` (optional: the metrics run the SQL inline without it)."""
    engine.materialize(TABLE, proceeding_appeals_sql(), "idnproceeding")


def decision_appeals_sql(appeals: str = TABLE) -> str:
    """SELECT with one row per asylum grant or denial (every ``asylum_decisions`` column) and
    the appeal of the party that can appeal it: DHS for a grant, the respondent for a denial.

    - ``case_last``: the decision is its case's last (the row ``asylum_case_decisions``
      keeps: latest decision date, then grant > denial > other, then the highest
      ``idnproceedingappln``);
    - ``appealed`` / ``case_appealed`` (0/1): that party appealed (any row) / appealed the IJ
      decision itself;
    - ``bia_outcome`` / ``bia_date``: the BIA result of that party's principal appeal (NULL
      when not appealed).

    ``appeals`` is :data:`TABLE` or a parenthesised :func:`proceeding_appeals_sql`.
    """
    parties = ((GRANT, "dhs"), (DENIAL, "respondent"))
    appealed = " OR ".join(f"(d.outcome = '{o}' AND ap.{p}_appealed = 1)" for o, p in parties)
    case_appealed = " OR ".join(
        f"(d.outcome = '{o}' AND ap.{p}_case_appealed = 1)" for o, p in parties
    )

    def pick(column: str) -> str:
        whens = " ".join(
            f"WHEN d.outcome = '{o}' AND ap.{p}_appealed = 1 THEN ap.{p}_{column}"
            for o, p in parties
        )
        return f"CASE {whens} END"

    ranked = (
        "SELECT a.*, r.case_rn AS case_rn FROM asylum_decisions AS a "
        f"JOIN ({case_ranks_sql()}) AS r ON r.idnproceedingappln = a.idnproceedingappln"
    )
    return f"""
SELECT d.*, d.case_rn = 1 AS case_last,
  CASE WHEN {appealed} THEN 1 ELSE 0 END AS appealed,
  CASE WHEN {case_appealed} THEN 1 ELSE 0 END AS case_appealed,
  {pick("bia_outcome")} AS bia_outcome,
  {pick("bia_date")} AS bia_date
FROM ({ranked}) AS d
LEFT JOIN {appeals} AS ap ON ap.idnproceeding = d.idnproceeding
WHERE d.outcome IN ('{GRANT}', '{DENIAL}')
"""


def decisions_source(engine: Any) -> str:
    """:data:`DECISIONS_TABLE` when it was built, else its SQL as a parenthesised subquery."""
    if engine.has_table(DECISIONS_TABLE):
        return DECISIONS_TABLE
    return f"({decision_appeals_sql(appeals_source(engine))})"


def build_decision_appeals(engine: Any) -> None:
    """Materialize :data:`DECISIONS_TABLE` (after :data:`TABLE` and ``asylum_decisions``)."""
    engine.materialize(
        DECISIONS_TABLE, decision_appeals_sql(appeals_source(engine)), DECISIONS_ORDER
    )

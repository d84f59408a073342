"""The model SQL (DuckDB dialect, simple enough for sqlglot to transpile to Spark).

The statements are generated from the tables and columns that exist, so a release without a
lookup (or a lookup without ``blnActive``) still builds, with NULL names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from asylumstats.model.outcomes import (
    CASE_TYPES,
    DENIAL,
    DENIAL_CODES,
    GRANT,
    GRANT_CODES,
    OTHER,
    OTHER_CODES,
    PROTECTION_APPL_CODES,
    PROTECTION_GRANT_CODES,
    sql_list,
)
from asylumstats.sqlnames import quote_ident

#: The dimension columns (SPEC §2.1) of the model tables, in order: see :func:`dimensions_sql`.
DIMENSION_COLUMNS: tuple[str, ...] = (
    "judge_code",
    "judge_name",
    "court_code",
    "court_name",
    "hearing_location_code",
    "hearing_location_name",
    "nationality_code",
    "nationality_name",
    "language_code",
    "language_name",
    "custody",
    "represented",
    "asylum_type",
    "case_type",
)

#: Columns of ``asylum_decisions`` (and ``asylum_case_decisions``), in order.
DECISION_COLUMNS: tuple[str, ...] = (
    "idnproceedingappln",
    "idnproceeding",
    "idncase",
    "appl_dec",
    "outcome",
    "decision_date",
    "fiscal_year",
    "month",
    *DIMENSION_COLUMNS,
    "other_protection",
    "represented_at_decision",
)

#: Physical order of ``asylum_decisions``: zone maps then prune fiscal-year/court/judge filters.
DECISIONS_ORDER = "fiscal_year, court_code, judge_code, decision_date, idnproceedingappln"
CASE_ORDER = DECISIONS_ORDER

TableColumns = Callable[[str], list[str]]


@dataclass(frozen=True)
class Lookup:
    """A code → name lookup of the release used to name a dimension."""

    table: str
    code: str
    name: str


JUDGES = Lookup("tbllookupjudge", "judge_code", "judge_name")
COURTS = Lookup("tbllookupbasecity", "base_city_code", "base_city")
HEARING_LOCATIONS = Lookup("tbllookuphloc", "hearing_loc_code", "hearing_loc_name")
NATIONALITIES = Lookup("tbllookupaliennat", "strcode", "strdescription")
LANGUAGES = Lookup("tbllanguage", "strcode", "strdescription")


def code(expr: str) -> str:
    """A code column normalised: trimmed, upper-case, blank → NULL."""
    return f"NULLIF(upper(trim({expr})), '')"


def lookup_sql(lookup: Lookup, columns: TableColumns) -> str | None:
    """One (code, name) row per code, or None when the lookup or its columns are missing.

    With several rows for a code the active one (``blnActive`` true) wins, then a non-blank
    name, then the highest ``idn…`` id, then the smallest name: deterministic.
    """
    cols = columns(lookup.table)
    if lookup.code not in cols or lookup.name not in cols:
        return None
    order = []
    if "blnactive" in cols:
        order.append(
            "CASE WHEN lower(trim(blnactive)) IN ('true', '1', '-1', 't', 'y', 'yes') "
            "THEN 0 ELSE 1 END"
        )
    order.append(f"CASE WHEN NULLIF(trim({lookup.name}), '') IS NULL THEN 1 ELSE 0 END")
    idn = next((quote_ident(c) for c in cols if c.startswith("idn")), None)
    if idn:  # a column name read from the release's header: quoted
        order.append(f"length(trim({idn})) DESC, trim({idn}) DESC")
    order.append(f"trim({lookup.name})")
    return (
        "SELECT lu_code, lu_name FROM ("
        f"SELECT {code(lookup.code)} AS lu_code, NULLIF(trim({lookup.name}), '') AS lu_name, "
        f"row_number() OVER (PARTITION BY {code(lookup.code)} ORDER BY {', '.join(order)}) AS rn "
        f"FROM {lookup.table} WHERE {code(lookup.code)} IS NOT NULL"
        ") AS lu WHERE rn = 1"
    )


def _outcome_case(expr: str) -> str:
    return (
        f"CASE WHEN {expr} IN {sql_list(GRANT_CODES)} THEN '{GRANT}' "
        f"WHEN {expr} IN {sql_list(DENIAL_CODES)} THEN '{DENIAL}' "
        f"WHEN {expr} IN {sql_list(OTHER_CODES)} THEN '{OTHER}' END"
    )


# (code column, name column, lookup, key expression) of the named dimensions.
_NAMED = (
    ("judge_code", "judge_name", JUDGES, "p.ij_code"),
    ("court_code", "court_name", COURTS, "p.base_city_code"),
    ("hearing_location_code", "hearing_location_name", HEARING_LOCATIONS, "p.hearing_loc_code"),
    ("nationality_code", "nationality_name", NATIONALITIES, "c.nat"),
    ("language_code", "language_name", LANGUAGES, "c.lang"),
)


#: The ``cases`` columns :func:`dimensions_sql` reads (from ``c``).
CASE_COLUMNS: tuple[str, ...] = ("nat", "lang", "e_28_date", "c_asy_type")


def dimensions_sql(columns: TableColumns) -> tuple[list[str], list[str]]:
    """The SELECT items of :data:`DIMENSION_COLUMNS`, from a proceeding ``p`` and its case
    ``c``, and the LEFT JOINs of the lookups that name them (a missing lookup: NULL names)."""
    joins: list[str] = []
    items: list[str] = []
    for code_col, name_col, lookup, key in _NAMED:
        sub = lookup_sql(lookup, columns)
        if sub is None:
            name = "CAST(NULL AS VARCHAR)"
        else:
            alias = f"lu_{code_col}"
            joins.append(f"LEFT JOIN ({sub}) AS {alias} ON {alias}.lu_code = {code(key)}")
            name = f"{alias}.lu_name"
        items += [f"{code(key)} AS {code_col}", f"{name} AS {name_col}"]
    asy = code("c.c_asy_type")
    items += [
        f"{code('p.custody')} AS custody",
        "c.e_28_date IS NOT NULL AS represented",
        f"CASE WHEN {asy} = 'I' THEN 'affirmative' WHEN {asy} = 'E' THEN 'defensive' "
        "ELSE 'unknown' END AS asylum_type",
        f"{code('p.case_type')} AS case_type",
    ]
    return items, joins


def fiscal_year_sql(expr: str) -> str:
    """The federal fiscal year (October-September) of a date."""
    return f"(CAST(year({expr}) AS INTEGER) + CASE WHEN month({expr}) >= 10 THEN 1 ELSE 0 END)"


def first_representation_sql(columns: TableColumns) -> str | None:
    """Per case: the first E-28 date of a representative before the court (``reps_assigned``
    rows with ``STRATTYTYPE`` ALIEN and ``STRATTYLEVEL`` COURT); None without the table."""
    cols = columns("reps_assigned")
    if not {"idncase", "strattytype", "strattylevel", "e_28_date"} <= set(cols):
        return None
    return (
        "SELECT idncase, MIN(CAST(e_28_date AS DATE)) AS first_e28 FROM reps_assigned "
        f"WHERE {code('strattytype')} = 'ALIEN' AND {code('strattylevel')} = 'COURT' "
        "AND e_28_date IS NOT NULL AND idncase IS NOT NULL GROUP BY idncase"
    )


def decisions_sql(columns: TableColumns) -> str:
    """SELECT producing ``asylum_decisions`` (SPEC §3), one row per asylum decision.

    ``represented_at_decision``: the case's first representative E-28 (``reps_assigned``) is
    dated on or before the decision (NULL when the release has no such table)."""
    dims, joins = dimensions_sql(columns)
    reps = first_representation_sql(columns)
    if reps is None:
        at_decision = "CAST(NULL AS BOOLEAN)"
        reps_join = ""
    else:
        at_decision = "COALESCE(rp.first_e28 <= CAST(p.comp_date AS DATE), FALSE)"
        reps_join = f"LEFT JOIN ({reps}) AS rp ON rp.idncase = a.idncase"
    dim_items = ",\n  ".join(dims)
    comp = "p.comp_date"
    return f"""
SELECT
  a.idnproceedingappln AS idnproceedingappln,
  a.idnproceeding AS idnproceeding,
  a.idncase AS idncase,
  a.appl_dec AS appl_dec,
  a.outcome AS outcome,
  CAST({comp} AS DATE) AS decision_date,
  {fiscal_year_sql(comp)} AS fiscal_year,
  strftime(CAST({comp} AS DATE), '%Y-%m') AS month,
  {dim_items},
  pr.idnproceeding IS NOT NULL AS other_protection,
  {at_decision} AS represented_at_decision
FROM (
  SELECT idnproceedingappln, idnproceeding, idncase, {code("appl_dec")} AS appl_dec,
         {_outcome_case(code("appl_dec"))} AS outcome
  FROM applications
  WHERE {code("appl_code")} = 'ASYL'
) AS a
JOIN proceedings AS p ON p.idnproceeding = a.idnproceeding
LEFT JOIN cases AS c ON c.idncase = a.idncase
LEFT JOIN (
  SELECT idnproceeding FROM applications
  WHERE {code("appl_code")} IN {sql_list(PROTECTION_APPL_CODES)}
    AND {code("appl_dec")} IN {sql_list(PROTECTION_GRANT_CODES)}
  GROUP BY idnproceeding
) AS pr ON pr.idnproceeding = a.idnproceeding
{reps_join}
{chr(10).join(joins)}
WHERE a.outcome IS NOT NULL
  AND {comp} IS NOT NULL
  AND {code("p.case_type")} IN {sql_list(CASE_TYPES)}
"""


def case_ranks_sql() -> str:
    """Per ``asylum_decisions`` row: ``case_rn``, its rank among its case's decisions (1 =
    the case's last: latest decision date; ties: grant > denial > other, then the highest
    IDNPROCEEDINGAPPLN). The window runs on the narrow key columns only."""
    return f"""
SELECT idnproceedingappln,
  row_number() OVER (
    PARTITION BY idncase
    ORDER BY decision_date DESC,
             CASE outcome WHEN '{GRANT}' THEN 0 WHEN '{DENIAL}' THEN 1 ELSE 2 END,
             idnproceedingappln DESC
  ) AS case_rn
FROM asylum_decisions
"""


def case_decisions_sql() -> str:
    """SELECT producing ``asylum_case_decisions``: each case's last asylum decision
    (:func:`case_ranks_sql`; ``idnproceedingappln`` is the key of ``applications``)."""
    cols = ", ".join(f"a.{c}" for c in DECISION_COLUMNS)
    return f"""
SELECT {cols}
FROM asylum_decisions AS a
JOIN ({case_ranks_sql()}) AS r ON r.idnproceedingappln = a.idnproceedingappln
WHERE r.case_rn = 1
"""

"""``backlog_proceedings``: one row per proceeding, ready for the backlog at any date.

The backlog (``asylumstats backlog``, docs/methodology-appeals-wait-backlog.md) counts a case
at date D through its *latest proceeding begun by D*. Finding that proceeding needs a window
over every proceeding of the case, and naming its dimensions needs the cases, the lookups and
the asylum applications. None of that depends on D, so it is done once here:

- ``start``: the earlier of the plausible ``osc_date`` and ``input_date`` (plausible: on or
  after 1950-01-01 and on or before the release date); proceedings without one, or without an
  ``idncase``, are left out;
- ``next_start``: the start of the case's next proceeding (order: start, then
  ``idnproceeding``), so the proceeding is the case's latest begun by D exactly when
  ``start <= D AND (next_start IS NULL OR next_start > D)``;
- ``comp`` (``comp_date``) and ``admin_closed`` (1 when ``other_comp`` is an administrative
  closure code, :data:`ADMIN_CLOSURE_CODES`);
- ``live_until``: the first date at which the row no longer counts in the backlog (neither
  pending nor administratively closed): the earlier of ``next_start`` and, unless
  ``admin_closed``, ``comp``; NULL when it counts for ever. The backlog at D is therefore the
  rows with ``start <= D AND (live_until IS NULL OR live_until > D)``; of those, the ones with
  ``comp`` NULL or after D are pending and the others administratively closed;
- the dimension codes and names of SPEC §2.1 from the proceeding (judge, court, hearing
  location, custody, case type) and its case (nationality, language, represented, asylum
  type);
- ``first_asylum``: the first receipt date of the case's ASYL applications (an application
  without ``appl_recd_date`` counts from its proceeding's ``osc_date``, else ``input_date``);
- ``start_fye``, ``live_until_fye``, ``closed_fye``, ``first_asylum_fye``: ``start``,
  ``live_until``, the completion of an administratively closed proceeding and
  ``first_asylum`` moved forward to the *fiscal-year grid*, the dates ``--by fiscal_year``
  counts at (30 September of each fiscal year; the release date for the running one): the
  first grid date on or after the date, NULL after the release date. For a grid date G,
  ``x <= G`` exactly when ``x_fye <= G``, so the fiscal-year backlog can group proceedings by
  these few values before counting them at each year's end.

The SQL is generated from the tables and columns that exist (a missing lookup gives NULL
names), and is used inline by the metric when a database predates the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asylumstats.model.outcomes import sql_list
from asylumstats.model.sql import (
    CASE_COLUMNS,
    DIMENSION_COLUMNS,
    TableColumns,
    code,
    dimensions_sql,
    fiscal_year_sql,
)

#: Name of the model table.
TABLE = "backlog_proceedings"

#: Physical order: zone maps then prune court filters, and rows that stopped counting early.
ORDER = "court_code, live_until NULLS LAST, start, idnproceeding"

#: OTHER_COMP codes of an administrative closure (tblLookupCourtDecision, strDecType O):
#: A Administrative Closing - Other, B Administrative closing - Failure to Appear,
#: K Administrative Closure, M In Court Prosecutorial Discretion - Admin Closure,
#: Y Prosecutorial Discretion - Admin Close.
ADMIN_CLOSURE_CODES: tuple[str, ...] = ("A", "B", "K", "M", "Y")

#: Dates before this are implausible.
MIN_DATE = dt.date(1950, 1, 1)

#: Columns of :data:`TABLE`, in order.
COLUMNS: tuple[str, ...] = (
    "idnproceeding",
    "idncase",
    "start",
    "next_start",
    "comp",
    "admin_closed",
    "live_until",
    *DIMENSION_COLUMNS,
    "first_asylum",
    "start_fye",
    "live_until_fye",
    "closed_fye",
    "first_asylum_fye",
)


def plausible_date_sql(col: str, release: dt.date | None) -> str:
    """``col`` as a DATE when plausible (on or after :data:`MIN_DATE`, on or before the
    release date), else NULL."""
    cond = f"CAST({col} AS DATE) >= DATE '{MIN_DATE.isoformat()}'"
    if release is not None:
        cond += f" AND CAST({col} AS DATE) <= DATE '{release.isoformat()}'"
    return f"CASE WHEN {cond} THEN CAST({col} AS DATE) END"


def _least(a: str, b: str) -> str:
    return f"COALESCE(LEAST({a}, {b}), {a}, {b})"


def _greatest(a: str, b: str) -> str:
    return f"COALESCE(GREATEST({a}, {b}), {a}, {b})"


def start_sql(release: dt.date | None, alias: str = "p") -> str:
    """The start of a case's *first* proceeding: the earlier of its plausible ``osc_date``
    and ``input_date``."""
    osc = plausible_date_sql(f"{alias}.osc_date", release)
    inp = plausible_date_sql(f"{alias}.input_date", release)
    return _least(osc, inp)


def starts_sql(columns: TableColumns, release: dt.date | None) -> str:
    """Per proceeding with an ``idncase``: ``start`` (NULL when it has no plausible start).

    A case's proceedings are taken in the order of ``idnproceeding`` (EOIR numbers them as
    they are opened). The first starts at :func:`start_sql`. A later one starts at its own
    plausible ``input_date`` (its ``osc_date`` is the case's original charging document),
    or at the latest plausible start or completion of the case's earlier proceedings when
    that is later; without a plausible ``input_date`` it starts at the latest plausible
    completion of the earlier proceedings, and without that it has no start."""
    inp = plausible_date_sql("p.input_date", release)
    comp = plausible_date_sql("p.comp_date", release)
    order = "PARTITION BY p.idncase ORDER BY p.idnproceeding"
    own = f"CASE WHEN row_number() OVER ({order}) = 1 THEN {start_sql(release)} ELSE {inp} END"
    earlier = (
        "OVER (PARTITION BY idncase ORDER BY idnproceeding "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    )
    return (
        "SELECT idnproceeding, idncase, "
        f"CASE WHEN own IS NULL THEN done_before ELSE {_greatest('own', 'floor_date')} END "
        "AS start FROM ("
        f"SELECT idnproceeding, idncase, own, MAX({_greatest('own', 'done')}) {earlier} "
        f"AS floor_date, MAX(done) {earlier} AS done_before FROM ("
        f"SELECT p.idnproceeding AS idnproceeding, p.idncase AS idncase, {own} AS own, "
        f"{comp} AS done FROM proceedings AS p WHERE p.idncase IS NOT NULL) AS o) AS f"
    )


def without_start_sql(columns: TableColumns, release: dt.date | None) -> str:
    """How many proceedings (with an ``idncase``) have no plausible start (left out)."""
    return f"SELECT COUNT(*) AS n FROM ({starts_sql(columns, release)}) AS s WHERE start IS NULL"


def asylum_filed_sql() -> str:
    """Per case: the first receipt date of an ASYL application (no date: its proceeding's).

    Only the (few) applications without a receipt date are joined to their proceeding."""
    asyl = f"{code('a.appl_code')} = 'ASYL' AND a.idncase IS NOT NULL"
    dated = (
        "SELECT a.idncase AS idncase, CAST(a.appl_recd_date AS DATE) AS filed "
        f"FROM applications AS a WHERE {asyl} AND a.appl_recd_date IS NOT NULL"
    )
    undated = (
        "SELECT a.idncase AS idncase, "
        "COALESCE(CAST(p.osc_date AS DATE), CAST(p.input_date AS DATE)) AS filed "
        "FROM applications AS a LEFT JOIN proceedings AS p ON p.idnproceeding = a.idnproceeding "
        f"WHERE {asyl} AND a.appl_recd_date IS NULL"
    )
    return (
        f"SELECT idncase, MIN(filed) AS first_asylum FROM ({dated} UNION ALL {undated}) AS f "
        "GROUP BY idncase"
    )


def grid_date_sql(expr: str, release: dt.date | None) -> str:
    """The first fiscal-year grid date on or after the date ``expr`` (NULL after the release
    date): 30 September of its fiscal year, or the release date in the running one. Dates
    before 1950 (earlier than any plausible start) all map to the first grid date after it.

    Up to the release date, 30 September of the date's fiscal year is before the release
    date except in the running fiscal year, where it is on or after it: the grid date is the
    earlier of the two."""
    sep30 = f"make_date({fiscal_year_sql(expr)}, 9, 30)"
    first = f"DATE '{MIN_DATE.year}-09-30'"
    early = f"WHEN {expr} < DATE '{MIN_DATE.isoformat()}' THEN {first}"
    if release is None:
        return (
            f"CASE WHEN {expr} IS NULL OR {expr} > DATE '9999-09-30' THEN NULL {early} "
            f"ELSE {sep30} END"
        )
    lit = f"DATE '{release.isoformat()}'"
    return (
        f"CASE WHEN {expr} IS NULL OR {expr} > {lit} THEN NULL {early} "
        f"ELSE LEAST({sep30}, {lit}) END"
    )


def backlog_proceedings_sql(columns: TableColumns, release: dt.date | None) -> str:
    """SELECT producing :data:`TABLE` (columns :data:`COLUMNS`) for a release date.

    The windows (start, next start) run on narrow rows of ids and dates, and the case's
    columns are joined to those; the proceeding's other columns and the lookups are joined
    once, to their result."""
    dims, joins = dimensions_sql(columns)
    led = (
        "SELECT idnproceeding, idncase, start, LEAD(start) OVER (PARTITION BY idncase ORDER BY "
        "start ASC NULLS LAST, idnproceeding ASC NULLS LAST) AS next_start "
        f"FROM ({starts_sql(columns, release)}) AS s WHERE start IS NOT NULL"
    )
    case_cols = ", ".join(f"cs.{c} AS {c}" for c in CASE_COLUMNS)
    # ``c``: the narrow row with its case's columns (the names dimensions_sql reads from c).
    timeline = (
        "SELECT l.idnproceeding AS idnproceeding, l.start AS start, "
        f"l.next_start AS next_start, {case_cols} FROM ({led}) AS l "
        "LEFT JOIN cases AS cs ON cs.idncase = l.idncase"
    )
    base = (
        f"SELECT p.idnproceeding AS idnproceeding, p.idncase AS idncase, "
        f"c.start AS start, c.next_start AS next_start, CAST(p.comp_date AS DATE) AS comp, "
        f"CASE WHEN {code('p.other_comp')} IN {sql_list(ADMIN_CLOSURE_CODES)} "
        f"THEN 1 ELSE 0 END AS admin_closed, {', '.join(dims)}, "
        "asy.first_asylum AS first_asylum "
        f"FROM proceedings AS p JOIN ({timeline}) AS c ON c.idnproceeding = p.idnproceeding "
        f"{' '.join(joins)} "
        f"LEFT JOIN ({asylum_filed_sql()}) AS asy ON asy.idncase = p.idncase "
        "WHERE p.idncase IS NOT NULL"
    )
    ends = "CASE WHEN b.admin_closed = 1 THEN NULL ELSE b.comp END"
    until = f"COALESCE(LEAST(b.next_start, {ends}), b.next_start, {ends})"
    closed = "CASE WHEN b.admin_closed = 1 THEN b.comp END"
    timed = f"SELECT b.*, {until} AS live_until, {closed} AS closed FROM ({base}) AS b"
    cols = [f"u.{c}" for c in COLUMNS]
    cols[COLUMNS.index("start_fye")] = f"{grid_date_sql('u.start', release)} AS start_fye"
    cols[COLUMNS.index("live_until_fye")] = (
        f"{grid_date_sql('u.live_until', release)} AS live_until_fye"
    )
    cols[COLUMNS.index("closed_fye")] = f"{grid_date_sql('u.closed', release)} AS closed_fye"
    cols[COLUMNS.index("first_asylum_fye")] = (
        f"{grid_date_sql('u.first_asylum', release)} AS first_asylum_fye"
    )
    return f"SELECT {', '.join(cols)} FROM ({timed}) AS u"


def model_release_date(engine: Any) -> dt.date | None:
    """The release date of ``release_info`` (None when absent or unreadable)."""
    if not engine.has_table("release_info"):
        return None
    rows = engine.query("SELECT key, value FROM release_info").rows
    info = {str(k): str(v) for k, v in rows if v is not None}
    value = (info.get("release_date") or "").strip()
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def build_backlog(engine: Any) -> None:
    """Materialize :data:`TABLE` for the release date recorded in ``release_info``."""
    sql = backlog_proceedings_sql(engine.table_columns, model_release_date(engine))
    engine.materialize(TABLE, sql, ORDER)

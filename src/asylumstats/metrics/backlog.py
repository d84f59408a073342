"""The immigration-court backlog (``asylumstats backlog``): cases pending at a date, and their age.

A case is *pending* at date D when its latest proceeding begun by D (start = the earlier of a
plausible ``osc_date`` and ``input_date``, on or before D; ties by the highest
``idnproceeding``) has no completion by D (``comp_date`` NULL or after D). When that proceeding
was completed by D with an administrative-closure ``other_comp`` code
(:data:`ADMIN_CLOSURE_CODES`) the case is counted as *administratively closed* instead (EOIR
does not count those as pending). The age of a pending case is D minus the start of that
proceeding: median (nearest rank) and buckets under 1 year (< 365 days), 1-2 years (365-729),
2-4 years (730-1460), 4 years and more (>= 1461).

``--by fiscal_year`` counts at the end of each fiscal year (30 September; the release date for
the fiscal year still running). All attributes come from the pending proceeding (judge, court,
hearing location, custody, case type) or its case (nationality, language, represented,
asylum type, and ``asylum_application``: the case has an ASYL application received by D).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from asylumstats.errors import UserError
from asylumstats.metrics.dimensions import DIMENSIONS, Dimension, key_columns
from asylumstats.metrics.filters import Filters, check_codes, parse_date
from asylumstats.metrics.query import release_info, sort_rows
from asylumstats.metrics.wait import (
    MIN_DATE_SQL,
    MetricResult,
    as_int,
    quantile_sql,
    ranked_sql,
    release_date,
)
from asylumstats.model.outcomes import sql_list
from asylumstats.model.sql import (
    COURTS,
    HEARING_LOCATIONS,
    JUDGES,
    LANGUAGES,
    NATIONALITIES,
    lookup_sql,
)
from asylumstats.model.sql import code as norm_code

#: OTHER_COMP codes of an administrative closure (tblLookupCourtDecision, strDecType O):
#: A Administrative Closing - Other, B Administrative closing - Failure to Appear,
#: K Administrative Closure, M In Court Prosecutorial Discretion - Admin Closure,
#: Y Prosecutorial Discretion - Admin Close.
ADMIN_CLOSURE_CODES: tuple[str, ...] = ("A", "B", "K", "M", "Y")

#: The case types of EOIR's published pending counts (removal, deportation, exclusion,
#: asylum only, withholding only).
EOIR_PENDING_CASE_TYPES: tuple[str, ...] = ("RMV", "DEP", "EXC", "AOC", "WHO")

#: Age buckets: field → (lowest day count, first day count above the bucket or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("age_under_1y", 0, 365),
    ("age_1_to_2y", 365, 730),
    ("age_2_to_4y", 730, 1461),
    ("age_4y_plus", 1461, None),
)

#: Backlog-only dimensions.
CASE_TYPE = Dimension("case_type", ("case_type",), "Case type")
ASYLUM_APPLICATION = Dimension("asylum_application", ("asylum_application",), "Asylum application")

#: The dimensions of a backlog, in order (``month`` does not apply).
BACKLOG_DIMENSIONS: dict[str, Dimension] = {
    **{name: d for name, d in DIMENSIONS.items() if name not in ("month", "fiscal_year")},
    "case_type": CASE_TYPE,
    "asylum_application": ASYLUM_APPLICATION,
    "fiscal_year": DIMENSIONS["fiscal_year"],
}

_NAMED = {
    "judge": (JUDGES, "p.ij_code"),
    "court": (COURTS, "p.base_city_code"),
    "hearing_location": (HEARING_LOCATIONS, "p.hearing_loc_code"),
    "nationality": (NATIONALITIES, "c.nat"),
    "language": (LANGUAGES, "c.lang"),
}


def parse_backlog_dimensions(spec: str | Iterable[str] | None) -> list[Dimension]:
    """Backlog dimensions from a comma list; unknown names are a :class:`UserError`."""
    if spec is None:
        return []
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted: set[str] = set()
    for raw in names:
        name = raw.strip().lower().replace("-", "_")
        if not name:
            continue
        if name not in BACKLOG_DIMENSIONS:
            raise UserError(
                f"Unknown backlog dimension '{raw.strip()}'; choose from: "
                f"{', '.join(BACKLOG_DIMENSIONS)}."
            )
        wanted.add(name)
    return [d for name, d in BACKLOG_DIMENSIONS.items() if name in wanted]


def parse_case_types(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Case types from a comma list (``eoir`` = the five of EOIR's pending counts)."""
    if spec is None:
        return ()
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for raw in names:
        value = raw.strip().upper()
        if not value:
            continue
        if value == "EOIR":
            out += [c for c in EOIR_PENDING_CASE_TYPES if c not in out]
        elif not value.isalnum() or len(value) > 3:
            raise UserError(f"Bad case type '{raw.strip()}'; use codes such as RMV,DEP,EXC.")
        elif value not in out:
            out.append(value)
    return tuple(out)


def backlog_fields(by: Sequence[Dimension]) -> list[str]:
    """Fields of a backlog row, in order."""
    return [
        *key_columns(by),
        "at",
        "pending",
        "administratively_closed",
        "median_age_days",
        *(name for name, _, _ in AGE_BUCKETS),
    ]


def fiscal_year_of(day: dt.date) -> int:
    """The federal fiscal year (October-September) of a date."""
    return day.year + (1 if day.month >= 10 else 0)


def _start_sql(release: dt.date | None) -> str:
    def plausible(col: str) -> str:
        cond = f"CAST({col} AS DATE) >= {MIN_DATE_SQL}"
        if release is not None:
            cond += f" AND CAST({col} AS DATE) <= DATE '{release.isoformat()}'"
        return f"CASE WHEN {cond} THEN CAST({col} AS DATE) END"

    osc, inp = plausible("p.osc_date"), plausible("p.input_date")
    return f"COALESCE(LEAST({osc}, {inp}), {osc}, {inp})"


def proceedings_sql(columns: Any, dims: Sequence[Dimension], release: dt.date | None) -> str:
    """One row per proceeding with a plausible start: start, next start in its case,
    completion, administrative closure flag and the dimension codes (names when grouped)."""
    names = {d.name for d in dims}
    joins, cols = [], []
    for name, (lookup, key) in _NAMED.items():
        dim = DIMENSIONS[name]
        cols.append(f"{norm_code(key)} AS {dim.code_column}")
        if name in names:
            sub = lookup_sql(lookup, columns)
            alias = f"lu_{name}"
            if sub is None:
                cols.append(f"CAST(NULL AS VARCHAR) AS {dim.name_column}")
            else:
                joins.append(f"LEFT JOIN ({sub}) AS {alias} ON {alias}.lu_code = {norm_code(key)}")
                cols.append(f"{alias}.lu_name AS {dim.name_column}")
    asy = norm_code("c.c_asy_type")
    cols += [
        f"{norm_code('p.custody')} AS custody",
        "c.e_28_date IS NOT NULL AS represented",
        f"CASE WHEN {asy} = 'I' THEN 'affirmative' WHEN {asy} = 'E' THEN 'defensive' "
        "ELSE 'unknown' END AS asylum_type",
        f"{norm_code('p.case_type')} AS case_type",
    ]
    base = (
        f"SELECT p.idnproceeding AS idnproceeding, p.idncase AS idncase, "
        f"{_start_sql(release)} AS start, CAST(p.comp_date AS DATE) AS comp, "
        f"CASE WHEN {norm_code('p.other_comp')} IN {sql_list(ADMIN_CLOSURE_CODES)} "
        f"THEN 1 ELSE 0 END AS admin_closed, {', '.join(cols)} "
        f"FROM proceedings AS p LEFT JOIN cases AS c ON c.idncase = p.idncase "
        f"{' '.join(joins)} WHERE p.idncase IS NOT NULL"
    )
    return (
        "SELECT b.*, LEAD(start) OVER (PARTITION BY idncase ORDER BY start ASC NULLS LAST, "
        f"idnproceeding ASC NULLS LAST) AS next_start FROM ({base}) AS b WHERE start IS NOT NULL"
    )


def asylum_filed_sql() -> str:
    """Per case: the first receipt date of an ASYL application (no date: its proceeding's)."""
    first = (
        "COALESCE(CAST(a.appl_recd_date AS DATE), CAST(p.osc_date AS DATE), "
        "CAST(p.input_date AS DATE))"
    )
    return (
        f"SELECT a.idncase AS idncase, MIN({first}) AS first_asylum "
        "FROM applications AS a LEFT JOIN proceedings AS p ON p.idnproceeding = a.idnproceeding "
        f"WHERE {norm_code('a.appl_code')} = 'ASYL' AND a.idncase IS NOT NULL GROUP BY a.idncase"
    )


def backlog_sql(
    columns: Any,
    dims: Sequence[Dimension],
    dates: Sequence[tuple[dt.date, int | None]],
    filters: Filters,
    case_types: Sequence[str],
    release: dt.date | None,
) -> tuple[str, list[Any]]:
    """``(sql, params)`` of the grouped backlog at each of ``dates`` ((date, fiscal year))."""
    params: list[Any] = []
    date_rows = []
    for day, fy in dates:
        date_rows.append("SELECT CAST(? AS DATE) AS at_date, CAST(? AS INTEGER) AS at_fy")
        params += [day, fy]
    at_table = " UNION ALL ".join(date_rows)
    joined = (
        "SELECT l.*, dt.at_date AS at_date, dt.at_fy AS fiscal_year, "
        "CASE WHEN l.comp IS NULL OR l.comp > dt.at_date THEN 1 ELSE 0 END AS is_pending, "
        "CASE WHEN l.comp <= dt.at_date AND l.admin_closed = 1 THEN 1 ELSE 0 END AS is_closed, "
        "CASE WHEN l.comp IS NULL OR l.comp > dt.at_date "
        "THEN date_diff('day', l.start, dt.at_date) END AS age, "
        "COALESCE(asy.first_asylum <= dt.at_date, FALSE) AS asylum_application "
        f"FROM ({proceedings_sql(columns, dims, release)}) AS l "
        f"JOIN ({at_table}) AS dt ON l.start <= dt.at_date "
        "AND (l.next_start IS NULL OR l.next_start > dt.at_date) "
        f"LEFT JOIN ({asylum_filed_sql()}) AS asy ON asy.idncase = l.idncase "
        "WHERE l.comp IS NULL OR l.comp > dt.at_date OR l.admin_closed = 1"
    )
    where, fparams = filters.without("fy", "date_from", "date_to").where()
    parts = [where[len("WHERE "):]] if where else []
    params += fparams
    if case_types:
        parts.append(f"case_type IN ({', '.join('?' for _ in case_types)})")
        params += list(case_types)
    # Rows that are neither pending nor administratively closed were filtered above.
    selected = f"SELECT * FROM ({joined}) AS j" + (
        f" WHERE {' AND '.join(parts)}" if parts else ""
    )
    keys = [k for k in key_columns(dims) if k != "fiscal_year"]
    part_cols = [*keys, "at_date"]
    ranked = ranked_sql(selected, part_cols, ["age"])
    aggs = [
        "SUM(is_pending) AS pending",
        "SUM(is_closed) AS administratively_closed",
        f"{quantile_sql('age', 50)} AS median_age_days",
    ]
    for name, low, high in AGE_BUCKETS:
        cond = f"age >= {low}" + (f" AND age < {high}" if high is not None else "")
        aggs.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}")
    group_cols = [*key_columns(dims), "at_date"]
    sql = (
        f"SELECT {', '.join([*group_cols, *aggs])} FROM ({ranked}) AS r "
        f"GROUP BY {', '.join(group_cols)}"
    )
    return sql, params


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def backlog_dates(
    engine: Any,
    by_fy: bool,
    at: dt.date | None,
    filters: Filters,
    release: dt.date | None,
) -> list[tuple[dt.date, int | None]]:
    """The dates to count at: ``--at``/the release date, or the end of each fiscal year."""
    if not by_fy:
        if filters.date_from or filters.date_to:
            raise UserError(
                "--from and --to choose fiscal years with --by fiscal_year; use --at DATE."
            )
        if at is not None and filters.fy is not None:
            raise UserError("Use either --at or --fy, not both.")
        if at is not None:
            return [(at, None)]
        if filters.fy is not None:
            end = dt.date(filters.fy, 9, 30)
            return [(min(end, release) if release else end, None)]
        if release is None:
            raise UserError("This database has no release date; pass --at YYYY-MM-DD.")
        return [(release, None)]
    if at is not None:
        raise UserError("--at does not combine with --by fiscal_year; use --fy, --from, --to.")
    if filters.fy is not None:
        first = last = filters.fy
    else:
        if filters.date_to is not None:
            last = fiscal_year_of(filters.date_to)
        elif release is not None:
            last = fiscal_year_of(release)
        else:
            raise UserError("This database has no release date; pass --to YYYY-MM-DD.")
        if filters.date_from is not None:
            first = fiscal_year_of(filters.date_from)
        else:
            found = engine.query(
                f"SELECT MIN(CAST(osc_date AS DATE)), MIN(CAST(input_date AS DATE)) "
                f"FROM proceedings WHERE CAST(osc_date AS DATE) >= {MIN_DATE_SQL} "
                f"OR CAST(input_date AS DATE) >= {MIN_DATE_SQL}"
            ).rows
            starts = [d for d in (_as_date(v) for v in (found[0] if found else ())) if d]
            plausible = [d for d in starts if d >= dt.date(1950, 1, 1)]
            first = fiscal_year_of(min(plausible)) if plausible else last
    out = []
    for fy in range(first, last + 1):
        end = dt.date(fy, 9, 30)
        if release is not None and end > release:
            if fiscal_year_of(release) != fy:
                continue
            end = release
        out.append((end, fy))
    if not out:
        raise UserError("No fiscal year ends in the chosen window.")
    return out


def backlog_result(
    engine: Any,
    by: str | Sequence[str] | None = None,
    filters: Filters | None = None,
    at: str | dt.date | None = None,
    case_types: str | Sequence[str] | None = None,
    check: bool = True,
) -> MetricResult:
    """Pending and administratively closed cases at a date (or each fiscal year's end)."""
    dims = parse_backlog_dimensions(by)
    f = filters or Filters()
    day = parse_date(at, "--at date")
    types = parse_case_types(case_types)
    if check:
        check_codes(engine, f)
    info = release_info(engine)
    release = release_date(info)
    by_fy = any(d.name == "fiscal_year" for d in dims)
    dates = backlog_dates(engine, by_fy, day, f, release)
    sql, params = backlog_sql(engine.table_columns, dims, dates, f, types, release)
    keys = key_columns(dims)
    fields = backlog_fields(dims)
    rows = []
    for r in engine.query(sql, params).dicts():
        row: dict[str, Any] = {k: r[k] for k in keys}
        at_day = _as_date(r["at_date"])
        row["at"] = at_day.isoformat() if at_day else None
        row["pending"] = int(r["pending"] or 0)
        row["administratively_closed"] = int(r["administratively_closed"] or 0)
        row["median_age_days"] = as_int(r["median_age_days"])
        for name, _, _ in AGE_BUCKETS:
            row[name] = int(r[name] or 0)
        if "asylum_application" in row and row["asylum_application"] is not None:
            row["asylum_application"] = bool(row["asylum_application"])
        if "represented" in row and row["represented"] is not None:
            row["represented"] = bool(row["represented"])
        if "fiscal_year" in row and row["fiscal_year"] is not None:
            row["fiscal_year"] = int(row["fiscal_year"])
        rows.append(row)
    return MetricResult(
        rows=sort_rows(rows, [*keys, "at"]),
        fields=fields,
        by=dims,
        filters=f,
        definition=None,
        release=info,
        notes={
            "dates": [d.isoformat() for d, _ in dates],
            "case_types": list(types),
            "release_date": release.isoformat() if release else None,
        },
    )


def backlog_rows(
    engine: Any,
    by: str | Sequence[str] | None = None,
    filters: Filters | None = None,
    at: str | dt.date | None = None,
    case_types: str | Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Backlog rows: keys, at, pending, administratively_closed, median age, age buckets."""
    return backlog_result(engine, by, filters, at, case_types).rows

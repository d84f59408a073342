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
from typing import TYPE_CHECKING, Any

from asylumstats.errors import UserError
from asylumstats.metrics.appeals import (
    cumulative_sql,
    direct_quantiles,
    histogram_quantile_sql,
    quantile_sql,
)
from asylumstats.metrics.dimensions import DIMENSIONS, Dimension, key_columns, parse_dimensions
from asylumstats.metrics.filters import Filters, check_codes, parse_date
from asylumstats.metrics.query import release_info, sort_rows
from asylumstats.metrics.wait import (
    MetricResult,
    as_int,
    release_date,
)
from asylumstats.model.backlog import ADMIN_CLOSURE_CODES, backlog_proceedings_sql
from asylumstats.model.backlog import TABLE as BACKLOG_TABLE

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

__all__ = ["ADMIN_CLOSURE_CODES", "backlog_result", "backlog_rows"]

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
    **{
        name: d
        for name, d in DIMENSIONS.items()
        if name not in ("month", "fiscal_year", "represented_at_decision")
    },
    "case_type": CASE_TYPE,
    "asylum_application": ASYLUM_APPLICATION,
    "fiscal_year": DIMENSIONS["fiscal_year"],
}


def parse_backlog_dimensions(spec: str | Iterable[str] | None) -> list[Dimension]:
    """Backlog dimensions from a comma list; unknown names are a :class:`UserError`."""
    return parse_dimensions(spec, BACKLOG_DIMENSIONS, "backlog dimension")


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


def backlog_source(engine: Engine, release: dt.date | None) -> str:
    """The model table :data:`~asylumstats.model.backlog.TABLE` when it was built, else its
    SQL as a parenthesised subquery (a database ingested before the table existed)."""
    if engine.has_table(BACKLOG_TABLE):
        return BACKLOG_TABLE
    return f"({backlog_proceedings_sql(engine.table_columns, release)})"


def backlog_sql(
    source: str,
    dims: Sequence[Dimension],
    dates: Sequence[tuple[dt.date, int | None]],
    filters: Filters,
    case_types: Sequence[str],
    grid: bool = False,
    direct: bool = False,
) -> tuple[str, list[Any]]:
    """``(sql, params)`` of the grouped backlog at each of ``dates`` ((date, fiscal year)).

    ``source`` is ``backlog_proceedings`` (or its SQL): the rows counting at a date D are
    those with ``start <= D`` and ``live_until`` NULL or after D. With ``grid`` (every date is
    a fiscal-year end of the grid, as for ``--by fiscal_year``) the rows are first counted per
    group, start and grid dates (``*_fye``), then those counts are spread over the years. The
    nearest-rank median age is taken from a histogram (pending cases per group, date and age
    in days) with a running count, which picks the very value a ``row_number()`` over every
    pending case would. With ``direct`` (an engine whose quantile aggregate is the
    nearest-rank one, :func:`~asylumstats.metrics.appeals.direct_quantiles`) and no grid, one
    aggregate over the rows counting at each date gives everything instead.
    """
    params: list[Any] = []
    keys = [k for k in key_columns(dims) if k != "fiscal_year"]
    plain = [k for k in keys if k != "asylum_application"]
    asylum = "asylum_application" in keys
    where, fparams = filters.without("fy", "date_from", "date_to").where()
    parts = [where[len("WHERE ") :]] if where else []
    if case_types:
        parts.append(f"case_type IN ({', '.join('?' for _ in case_types)})")
    if grid:
        first, last = min(d for d, _ in dates), max(d for d, _ in dates)
        parts += [
            "(live_until_fye IS NULL OR live_until_fye > start_fye)",
            f"start_fye <= DATE '{last.isoformat()}'",
            f"(live_until_fye IS NULL OR live_until_fye > DATE '{first.isoformat()}')",
        ]
        cols = [*plain, "start", "start_fye", "live_until_fye", "closed_fye"]
        cols += ["first_asylum_fye"] if asylum else []
        rows = (
            f"(SELECT {', '.join(cols)}, COUNT(*) AS w FROM {source} AS l"
            + (f" WHERE {' AND '.join(parts)}" if parts else "")
            + f" GROUP BY {', '.join(cols)})"
        )
        params += fparams + list(case_types)
        begun, until, closed, filed = (
            "start_fye",
            "live_until_fye",
            "closed_fye",
            "first_asylum_fye",
        )
        weight, parts = "l.w", []
    else:
        rows = source
        begun, until, closed, filed = "start", "live_until", "comp", "first_asylum"
        weight = "1"
    date_rows = []
    for day, fy in dates:
        date_rows.append("SELECT CAST(? AS DATE) AS at_date, CAST(? AS INTEGER) AS at_fy")
        params += [day, fy]
    at_table = " UNION ALL ".join(date_rows)
    if not grid:
        params += fparams + list(case_types)
    wanted = [f"l.{k} AS {k}" for k in plain]
    if asylum:
        wanted.append(f"COALESCE(l.{filed} <= dt.at_date, FALSE) AS asylum_application")
    # Every row counting at a date is pending or (when not) administratively closed; in the
    # grid, ``closed_fye`` is NULL unless the proceeding was administratively closed.
    pending = f"l.{closed} IS NULL OR l.{closed} > dt.at_date"
    selected = (
        f"SELECT {', '.join([*wanted, 'dt.at_date AS at_date', 'dt.at_fy AS fiscal_year'])}, "
        f"{weight} AS w, CASE WHEN {pending} THEN 1 ELSE 0 END AS is_pending, "
        f"CASE WHEN {pending} THEN date_diff('day', l.start, dt.at_date) END AS age "
        f"FROM {rows} AS l JOIN ({at_table}) AS dt ON l.{begun} <= dt.at_date "
        f"AND (l.{until} IS NULL OR l.{until} > dt.at_date)"
        + (f" WHERE {' AND '.join(parts)}" if parts else "")
    )
    group_cols = [*key_columns(dims), "at_date"]
    if direct and not grid:  # every row weighs 1: the quantile straight from the rows
        aggs = [
            "CAST(SUM(is_pending) AS BIGINT) AS pending",
            "CAST(SUM(1 - is_pending) AS BIGINT) AS administratively_closed",
            f"{quantile_sql('age', 50)} AS median_age_days",
            *_bucket_sums("1"),
        ]
        sql = (
            f"SELECT {', '.join([*group_cols, *aggs])} FROM ({selected}) AS s "
            f"GROUP BY {', '.join(group_cols)}"
        )
        return sql, params
    part_cols = [*keys, "at_date"]
    histogram = (
        f"SELECT {', '.join(group_cols)}, age, "
        "CAST(SUM(is_pending * w) AS BIGINT) AS n_pending, "
        "CAST(SUM((1 - is_pending) * w) AS BIGINT) AS n_closed "
        f"FROM ({selected}) AS s GROUP BY {', '.join([*group_cols, 'age'])}"
    )
    ranked = cumulative_sql(histogram, part_cols, [("age", "n_pending")])
    aggs = [
        "SUM(n_pending) AS pending",
        "SUM(n_closed) AS administratively_closed",
        f"{histogram_quantile_sql('age', 50)} AS median_age_days",
        *_bucket_sums("n_pending"),
    ]
    sql = (
        f"SELECT {', '.join([*group_cols, *aggs])} FROM ({ranked}) AS r "
        f"GROUP BY {', '.join(group_cols)}"
    )
    return sql, params


def _bucket_sums(weight: str) -> list[str]:
    """Per age bucket, the sum of ``weight`` over the rows whose age falls in it."""
    out = []
    for name, low, high in AGE_BUCKETS:
        cond = f"age >= {low}" + (f" AND age < {high}" if high is not None else "")
        out.append(f"SUM(CASE WHEN {cond} THEN {weight} ELSE 0 END) AS {name}")
    return out


def without_start(engine: Any, source: str) -> int:
    """Proceedings (with a case id) of the whole database left out of the backlog because
    they have no plausible start date (:func:`~asylumstats.model.backlog.starts_sql`)."""
    memo = getattr(engine, "memo", {})
    if "backlog_without_start" not in memo:
        rows = engine.query(
            "SELECT (SELECT COUNT(*) FROM proceedings WHERE idncase IS NOT NULL) - "
            f"(SELECT COUNT(*) FROM {source} AS s)"
        ).rows
        memo["backlog_without_start"] = int(rows[0][0] or 0) if rows else 0
    return int(memo["backlog_without_start"])


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def backlog_dates(
    engine: Engine,
    by_fy: bool,
    at: dt.date | None,
    filters: Filters,
    release: dt.date | None,
    source: str = BACKLOG_TABLE,
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
            # the first plausible start of any proceeding (proceedings without one are
            # left out of the backlog, so they cannot move or empty the years)
            memo = engine.memo
            if "backlog_first_start" not in memo:  # the database is read-only to an engine
                found = engine.query(f"SELECT MIN(start) FROM {source} AS s").rows
                memo["backlog_first_start"] = _as_date(found[0][0]) if found else None
            begun = memo["backlog_first_start"]
            first = fiscal_year_of(begun) if begun else last
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
    engine: Engine,
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
    source = backlog_source(engine, release)
    dates = backlog_dates(engine, by_fy, day, f, release, source)
    sql, params = backlog_sql(
        source, dims, dates, f, types, grid=by_fy, direct=direct_quantiles(engine)
    )
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
            "without_start": without_start(engine, source),
        },
    )


def backlog_rows(
    engine: Engine,
    by: str | Sequence[str] | None = None,
    filters: Filters | None = None,
    at: str | dt.date | None = None,
    case_types: str | Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Backlog rows: keys, at, pending, administratively_closed, median age, age buckets."""
    return backlog_result(engine, by, filters, at, case_types).rows

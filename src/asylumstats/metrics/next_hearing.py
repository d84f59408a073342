"""How far ahead pending cases have a hearing booked (``asylumstats backlog --next-hearing``).

For each case pending at a date D (the backlog's rule: its latest proceeding begun by D has
no completion by D; see ``metrics.backlog``), its *next scheduled hearing* is the earliest
``tbl_schedule.ADJ_DATE`` after D of that proceeding. Rows count the pending cases by the
calendar year of that hearing (``next_hearing_year``; NULL = no hearing scheduled after D),
grouped by any backlog dimension (``--by court`` gives the answer per court), with each year's
share of the group's pending cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from asylumstats.engines.base import Engine
from asylumstats.errors import UserError
from asylumstats.metrics.backlog import backlog_source, parse_backlog_dimensions, parse_case_types
from asylumstats.metrics.dimensions import key_columns
from asylumstats.metrics.filters import Filters, check_codes, parse_date
from asylumstats.metrics.query import release_info, sort_rows
from asylumstats.metrics.wait import MetricResult, release_date

SCHEDULE_TABLE = "schedule"


def next_hearing_fields(keys: Sequence[str]) -> list[str]:
    return [*keys, "next_hearing_year", "pending", "share"]


def next_hearing_sql(
    source: str, keys: Sequence[str], filters: Filters, case_types: Sequence[str], at: dt.date
) -> tuple[str, list[Any]]:
    """``(sql, params)``: pending cases at ``at`` by group and year of the next hearing."""
    where, params = filters.without("fy", "date_from", "date_to").where()
    parts = [where[len("WHERE ") :]] if where else []
    if case_types:
        parts.append(f"l.case_type IN ({', '.join('?' for _ in case_types)})")
        params = [*params, *case_types]
    day = f"DATE '{at.isoformat()}'"
    parts += [
        f"l.start <= {day}",
        f"(l.live_until IS NULL OR l.live_until > {day})",
        f"(l.comp IS NULL OR l.comp > {day})",
    ]
    cols = ", ".join(f"l.{k} AS {k}" for k in keys)
    group = ", ".join([*keys, "next_hearing_year"])
    sql = (
        f"SELECT {group}, COUNT(*) AS pending FROM ("
        f"SELECT {cols}{', ' if keys else ''}year(h.next_hearing) AS next_hearing_year "
        f"FROM {source} AS l LEFT JOIN ("
        f"SELECT idnproceeding, MIN(CAST(adj_date AS DATE)) AS next_hearing "
        f"FROM {SCHEDULE_TABLE} WHERE CAST(adj_date AS DATE) > {day} GROUP BY idnproceeding"
        f") AS h ON h.idnproceeding = l.idnproceeding WHERE {' AND '.join(parts)}"
        f") AS p GROUP BY {group}"
    )
    return sql, params


def next_hearing_result(
    engine: Engine,
    by: str | Sequence[str] | None = None,
    filters: Filters | None = None,
    at: str | dt.date | None = None,
    case_types: str | Sequence[str] | None = None,
    check: bool = True,
) -> MetricResult:
    """Pending cases at ``at`` (default: the release date) by year of their next hearing."""
    dims = [d for d in parse_backlog_dimensions(by) if d.name != "fiscal_year"]
    if len(dims) != len(parse_backlog_dimensions(by)):
        raise UserError("--next-hearing counts at one date; leave fiscal_year out of --by.")
    if not engine.has_table(SCHEDULE_TABLE):
        raise UserError(
            "This database has no hearing schedule (tbl_schedule); ingest a release that has it."
        )
    f = filters or Filters()
    if check:
        check_codes(engine, f)
    info = release_info(engine)
    day = parse_date(at, "--at date") or release_date(info)
    if day is None:
        raise UserError("The release date is unknown; give the date to count at with --at.")
    types = parse_case_types(case_types)
    keys = [k for k in key_columns(dims)]
    sql, params = next_hearing_sql(backlog_source(engine, release_date(info)), keys, f, types, day)
    raw = engine.query(sql, params).dicts()
    totals: dict[tuple[Any, ...], int] = {}
    for r in raw:
        g = tuple(r[k] for k in keys)
        totals[g] = totals.get(g, 0) + int(r["pending"])
    rows = []
    for r in raw:
        row = {k: r[k] for k in keys}
        if "represented" in row and row["represented"] is not None:
            row["represented"] = bool(row["represented"])
        year = r["next_hearing_year"]
        row["next_hearing_year"] = None if year is None else int(year)
        row["pending"] = int(r["pending"])
        row["share"] = row["pending"] / totals[tuple(r[k] for k in keys)]
        rows.append(row)
    return MetricResult(
        rows=sort_rows(rows, [*keys, "next_hearing_year"]),
        fields=next_hearing_fields(keys),
        by=dims,
        filters=f,
        definition=None,
        release=info,
        notes={"at": day.isoformat(), "case_types": list(types)},
    )

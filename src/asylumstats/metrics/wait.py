"""Time to an asylum decision (``asylumstats wait``), and the exact quantiles shared by metrics.

For each asylum decision (SPEC §3) the days from the proceeding's charging document
(``proceedings.osc_date``) and from the application's receipt (``applications.appl_recd_date``)
to the decision date; per group the count, median, p25, p75 and p90, plus how many decisions
had no such date (``missing``) and how many had an implausible one (``implausible``: before
1950, after the release date, or after the decision), which are left out of the quantiles.

Quantiles use the nearest-rank definition: the p-quantile of n sorted values is the value at
rank ceil(p·n) (1-based). It is computed in SQL from ``row_number()`` and an integer
comparison (``rank * 100 >= p * n``), so DuckDB and Spark return the very same day counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asylumstats.errors import UserError
from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.dimensions import Dimension, key_columns, parse_dimensions
from asylumstats.metrics.filters import Filters, check_codes
from asylumstats.metrics.query import release_info, sort_rows

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

#: Dates before this are implausible.
MIN_DATE = dt.date(1950, 1, 1)
MIN_DATE_SQL = f"DATE '{MIN_DATE.isoformat()}'"

#: Definitions the appeals and wait metrics accept (``protection`` is a rate-only notion).
METRIC_DEFINITIONS: tuple[str, ...] = ("merits", "eoir", "case")

#: Fewer decisions than this get the ``small_sample`` flag (SPEC §6).
SMALL_SAMPLE = 25

#: The spans measured: field prefix → (SQL of the start date, description).
SPANS: dict[str, tuple[str, str]] = {
    "from_osc": ("p.osc_date", "charging document (OSC_DATE)"),
    "from_receipt": ("a.appl_recd_date", "asylum application receipt (APPL_RECD_DATE)"),
}

#: Quantiles reported for each span: suffix → percent.
WAIT_QUANTILES: tuple[tuple[str, int], ...] = (
    ("median", 50),
    ("p25", 25),
    ("p75", 75),
    ("p90", 90),
)

# --- exact quantiles in SQL ----------------------------------------------------------------


def ranked_sql(source: str, partition: Sequence[str], measures: Sequence[str]) -> str:
    """``source`` (a SELECT) with ``<m>__rn`` (rank among non-NULL values, ascending) and
    ``<m>__n`` (how many non-NULL values) for each measure column, per ``partition``."""
    over = f"PARTITION BY {', '.join(partition)} " if partition else ""
    extra = []
    for m in measures:
        extra.append(f"row_number() OVER ({over}ORDER BY {m} ASC NULLS LAST) AS {m}__rn")
        extra.append(f"COUNT({m}) OVER ({over.strip()}) AS {m}__n")
    return f"SELECT src.*, {', '.join(extra)} FROM ({source}) AS src"


def quantile_sql(measure: str, percent: int) -> str:
    """Aggregate: the nearest-rank ``percent`` quantile of ``measure`` (over a ranked_sql)."""
    return (
        f"MIN(CASE WHEN {measure} IS NOT NULL AND {measure}__rn * 100 >= {percent} * {measure}__n "
        f"THEN {measure} END)"
    )


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """Python twin of :func:`quantile_sql` (for tests and documentation)."""
    data = sorted(values)
    if not data:
        return None
    n = len(data)
    rank = max(1, -(-percent * n // 100))
    return data[rank - 1]


def days_sql(start: str, end: str) -> str:
    """Whole days from ``start`` to ``end`` (both cast to DATE)."""
    return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"


def plausible_sql(start: str, end: str, release: dt.date | None) -> str:
    """SQL predicate: both dates are plausible and ``start`` is not after ``end``."""
    s, e = f"CAST({start} AS DATE)", f"CAST({end} AS DATE)"
    parts = [f"{s} >= {MIN_DATE_SQL}", f"{e} >= {MIN_DATE_SQL}", f"{s} <= {e}"]
    if release is not None:
        lit = f"DATE '{release.isoformat()}'"
        parts += [f"{s} <= {lit}", f"{e} <= {lit}"]
    return "(" + " AND ".join(parts) + ")"


# --- shared plumbing for the decision-level metrics ------------------------------------------


def metric_definition(name: str | Definition) -> Definition:
    """A definition accepted by the appeals and wait metrics (merits, eoir, case)."""
    d = get_definition(name)
    if d.name not in METRIC_DEFINITIONS:
        raise UserError(
            f"The definition '{d.name}' does not apply here; choose one of: "
            f"{', '.join(METRIC_DEFINITIONS)}."
        )
    return d


def outcome_predicate(d: Definition) -> str:
    """The decisions a definition counts: merits and case grants and denials, eoir all."""
    return "TRUE" if d.other_in_denominator else "outcome IN ('grant', 'denial')"


def release_date(info: dict[str, str]) -> dt.date | None:
    """The release date of ``release_info`` (None when absent or unreadable)."""
    value = (info.get("release_date") or "").strip()
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def as_int(value: Any) -> int | None:
    """An SQL integer result as a Python int (None stays None)."""
    return None if value is None else int(value)


@dataclass
class MetricResult:
    """Rows of a metric plus what a reader needs to cite them."""

    rows: list[dict[str, Any]]
    fields: list[str]
    by: list[Dimension]
    filters: Filters
    definition: Definition | None
    release: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)


# --- the wait metric -----------------------------------------------------------------------


def wait_fields(by: Sequence[Dimension]) -> list[str]:
    """Fields of a wait row, in order."""
    out = [*key_columns(by), "decisions"]
    for span in SPANS:
        out.append(f"{span}_count")
        out += [f"{span}_{q}_days" for q, _ in WAIT_QUANTILES]
        out += [f"{span}_missing", f"{span}_implausible"]
    return [*out, "definition", "small_sample"]


def wait_sql(
    table: str,
    predicate: str,
    dims: Sequence[Dimension],
    filters: Filters,
    release: dt.date | None,
) -> tuple[str, list[Any]]:
    """``(sql, params)`` of the grouped wait query."""
    keys = key_columns(dims)
    where, params = filters.where()
    inner_where = f"{where} AND {predicate}" if where else f"WHERE {predicate}"
    decisions = f"SELECT * FROM {table} {inner_where}"
    cols = [f"d.{k} AS {k}" for k in keys]
    for span, (start, _) in SPANS.items():
        ok = plausible_sql(start, "d.decision_date", release)
        cols.append(f"CASE WHEN {ok} THEN {days_sql(start, 'd.decision_date')} END AS {span}")
        cols.append(f"CASE WHEN {start} IS NULL THEN 1 ELSE 0 END AS {span}__missing")
        cols.append(f"CASE WHEN {start} IS NOT NULL AND NOT {ok} THEN 1 ELSE 0 END AS {span}__bad")
    base = (
        f"SELECT {', '.join(cols) if cols else '1 AS one'} FROM ({decisions}) AS d "
        "LEFT JOIN proceedings AS p ON p.idnproceeding = d.idnproceeding "
        "LEFT JOIN applications AS a ON a.idnproceedingappln = d.idnproceedingappln"
    )
    ranked = ranked_sql(base, keys, list(SPANS))
    aggs = ["COUNT(*) AS decisions"]
    for span in SPANS:
        aggs.append(f"COUNT({span}) AS {span}_count")
        aggs += [f"{quantile_sql(span, pct)} AS {span}_{q}_days" for q, pct in WAIT_QUANTILES]
        aggs.append(f"SUM({span}__missing) AS {span}_missing")
        aggs.append(f"SUM({span}__bad) AS {span}_implausible")
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    select = ", ".join([*keys, *aggs])
    return f"SELECT {select} FROM ({ranked}) AS r{group}", params


def wait_result(
    engine: Engine,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
    check: bool = True,
) -> MetricResult:
    """Days from charging document and from application receipt to the asylum decision."""
    d = metric_definition(definition)
    dims = parse_dimensions(by)
    f = filters or Filters()
    if check:
        check_codes(engine, f)
    info = release_info(engine)
    release = release_date(info)
    sql, params = wait_sql(d.table, outcome_predicate(d), dims, f, release)
    keys = key_columns(dims)
    raw = engine.query(sql, params).dicts()
    rows = []
    for r in raw:
        n = int(r["decisions"] or 0)
        if n == 0:
            continue
        row: dict[str, Any] = {k: r[k] for k in keys}
        row["decisions"] = n
        for span in SPANS:
            row[f"{span}_count"] = int(r[f"{span}_count"] or 0)
            for q, _ in WAIT_QUANTILES:
                row[f"{span}_{q}_days"] = as_int(r[f"{span}_{q}_days"])
            row[f"{span}_missing"] = int(r[f"{span}_missing"] or 0)
            row[f"{span}_implausible"] = int(r[f"{span}_implausible"] or 0)
        row["definition"] = d.name
        row["small_sample"] = n < SMALL_SAMPLE
        rows.append(row)
    return MetricResult(
        rows=sort_rows(rows, keys),
        fields=wait_fields(dims),
        by=dims,
        filters=f,
        definition=d,
        release=info,
        notes={"release_date": release.isoformat() if release else None},
    )


def wait_rows(
    engine: Engine,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> list[dict[str, Any]]:
    """Wait rows: keys, decisions, then per span count, quantiles, missing, implausible."""
    return wait_result(engine, by, filters, definition).rows

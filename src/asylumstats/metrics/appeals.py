"""Appeals of asylum decisions to the BIA (``asylumstats appeals``), grouped like ``rate``.

Per group of asylum decisions (SPEC §3; ``case`` uses each case's last decision): how many
grants DHS appealed and how many denials the respondent appealed (SPEC §2: any tblAppeal row on
the decision's proceeding filed by I or B, resp. A or B; decisions are counted, not appeal
rows), the shares with 95% Wilson intervals, the narrower counts of appeals of the IJ decision
itself ("Case Appeal" rows), the BIA outcome of each appealed decision's principal appeal
(dismissed, sustained, remanded, other, pending) and the days from the IJ decision to the BIA
decision (nearest-rank median, p25, p75). Appeals of ``other`` outcomes are not counted, so
``eoir`` gives the same rows as ``merits``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asylumstats.errors import UserError
from asylumstats.metrics.definitions import Definition
from asylumstats.metrics.dimensions import Dimension, key_columns, parse_dimensions
from asylumstats.metrics.filters import Filters, check_codes
from asylumstats.metrics.intervals import wilson
from asylumstats.metrics.query import release_info, sort_rows
from asylumstats.metrics.wait import (
    SMALL_SAMPLE,
    MetricResult,
    as_int,
    days_sql,
    metric_definition,
    plausible_sql,
    release_date,
)
from asylumstats.model.appeals import BIA_OUTCOMES, decisions_source

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

#: The two appeal directions: prefix → (decision outcome appealed, count field, base field).
DIRECTIONS: dict[str, tuple[str, str, str]] = {
    "dhs": ("grant", "grants_appealed_by_dhs", "grants"),
    "respondent": ("denial", "denials_appealed_by_respondent", "denials"),
}

#: Quantiles of the days from IJ decision to BIA decision: suffix → percent.
APPEAL_QUANTILES: tuple[tuple[str, int], ...] = (("median", 50), ("p25", 25), ("p75", 75))


def appeals_fields(by: Sequence[Dimension]) -> list[str]:
    """Fields of an appeals row, in order."""
    out = [*key_columns(by)]
    for party, (_, count, base) in DIRECTIONS.items():
        out += [
            base,
            count,
            f"{party}_appeal_share",
            f"{party}_appeal_ci_low",
            f"{party}_appeal_ci_high",
            f"{base}_case_appealed_by_{party}",
        ]
    for party in DIRECTIONS:
        out += [f"{party}_appeals_{o}" for o in BIA_OUTCOMES]
    for party in DIRECTIONS:
        out.append(f"{party}_appeal_days_count")
        out += [f"{party}_appeal_days_{q}" for q, _ in APPEAL_QUANTILES]
    return [*out, "definition", "small_sample"]


def cumulative_sql(
    histogram: str, partition: Sequence[str], measures: Sequence[tuple[str, str]]
) -> str:
    """``histogram`` (a SELECT with, per measure, a value column and the count of rows having
    that value) with ``<value>__cum`` (rows with a value up to this one, ascending, NULLs
    last) and ``<value>__n`` (rows with a non-NULL value) per ``partition``.

    :func:`histogram_quantile_sql` then gives the same nearest-rank quantile as
    ``wait.quantile_sql`` over one row per value, from far fewer rows (one per distinct value).
    """
    over = f"PARTITION BY {', '.join(partition)}" if partition else ""
    extra = []
    for value, count in measures:
        extra.append(
            f"SUM(CASE WHEN {value} IS NOT NULL THEN {count} ELSE 0 END) OVER ({over} "
            f"ORDER BY {value} ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
            f"AS {value}__cum"
        )
        extra.append(
            f"SUM(CASE WHEN {value} IS NOT NULL THEN {count} ELSE 0 END) OVER ({over}) "
            f"AS {value}__n"
        )
    return f"SELECT h.*, {', '.join(extra)} FROM ({histogram}) AS h"


def histogram_quantile_sql(value: str, percent: int) -> str:
    """Aggregate over a :func:`cumulative_sql`: the nearest-rank ``percent`` quantile, the
    smallest value ``v`` with ``(rows <= v) * 100 >= percent * rows``."""
    return (
        f"MIN(CASE WHEN {value} IS NOT NULL AND {value}__cum * 100 >= {percent} * {value}__n "
        f"THEN {value} END)"
    )


def direct_quantiles(engine: Engine) -> bool:
    """Whether the engine's own quantile aggregate gives the nearest-rank quantile.

    DuckDB's ``quantile_disc(x, q)`` is the value of rank ``max(1, ceil(q * n))`` among the
    ``n`` non-NULL values: the smallest ``v`` with ``(values <= v) * 100 >= percent * n``,
    for the quartiles (q = 0.25, 0.5, 0.75, exact in binary). One aggregate over the rows then
    replaces the histogram and its running count, whose window was most of these queries'
    time. sqlglot writes it for Spark as the approximate ``percentile_approx``, so on Spark the
    quantiles still come from :func:`cumulative_sql`.
    """
    return engine.name == "duckdb"


def quantile_sql(value: str, percent: int) -> str:
    """The nearest-rank ``percent`` quantile of ``value`` (NULLs left out) as a DuckDB aggregate
    (see :func:`direct_quantiles`)."""
    return f"quantile_disc({value}, {percent / 100!r})"


def appeals_sql(
    engine: Engine, table: str, dims: Sequence[Dimension], filters: Filters, release: Any
) -> tuple[str, list[Any]]:
    """``(sql, params)`` of the grouped appeals query.

    Reads ``decision_appeals`` (one row per grant or denial with its appeal; the SQL inline
    when a database predates the table): the case definition (``table``
    ``asylum_case_decisions``) keeps each case's last decision. On DuckDB the counts come from
    the decisions counted per outcome and appeal state (a few rows per group) and the exact
    quantiles from the engine's aggregate over the decisions with a time to the BIA decision
    (:func:`direct_quantiles`), joined by group; on Spark the decisions are counted per outcome,
    appeal state and days to the BIA decision: a histogram, so the exact quantiles need a
    window over distinct day counts only, not over every decision.
    """
    keys = key_columns(dims)
    where, params = filters.where()
    parts = [where[len("WHERE ") :]] if where else []
    if table == "asylum_case_decisions":
        parts.append("case_last")
    elif table != "asylum_decisions":
        raise UserError(f"The appeals metric does not read {table}.")
    ok = plausible_sql("decision_date", "bia_date", release)
    state = ["outcome", "appealed", "case_appealed", "bia_outcome"]
    base = (
        f"SELECT {', '.join([*keys, *state])}, CASE WHEN appealed = 1 AND bia_date IS NOT NULL "
        f"AND {ok} THEN {days_sql('decision_date', 'bia_date')} END AS days "
        f"FROM {decisions_source(engine)} AS d" + (f" WHERE {' AND '.join(parts)}" if parts else "")
    )
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    direct = direct_quantiles(engine)
    if direct:  # the counts from a histogram without the days: a few rows per group
        timed = "timed"
        rows = (
            f"SELECT {', '.join([*keys, *state])}, days IS NOT NULL AS timed, COUNT(*) AS n "
            f"FROM ({base}) AS b GROUP BY {', '.join([*keys, *state, 'timed'])}"
        )
    else:  # with the days, and their running count for the quantiles
        timed = "days IS NOT NULL"
        histogram = (
            f"SELECT {', '.join([*keys, *state, 'days'])}, COUNT(*) AS n FROM ({base}) AS b "
            f"GROUP BY {', '.join([*keys, *state, 'days'])}"
        )
        rows = cumulative_sql(histogram, [*keys, "outcome"], [("days", "n")])
    aggs: list[str] = []
    quantiles: list[str] = []
    for party, (outcome, _, _) in DIRECTIONS.items():
        mine = f"outcome = '{outcome}'"

        def count(cond: str, alias: str, mine: str = mine) -> str:
            return f"SUM(CASE WHEN {mine}{cond} THEN n ELSE 0 END) AS {alias}"

        aggs += [
            count("", f"n_{outcome}"),
            count(" AND appealed = 1", f"{party}_appealed"),
            count(" AND case_appealed = 1", f"{party}_case_appealed"),
        ]
        aggs += [count(f" AND bia_outcome = '{o}'", f"{party}_bia_{o}") for o in BIA_OUTCOMES]
        aggs.append(count(f" AND {timed}", f"{party}_days_count"))
        quantiles += [
            f"{quantile_sql(f'CASE WHEN {mine} THEN days END', pct)} AS {party}_days_{q}"
            if direct
            else f"MIN(CASE WHEN {mine} AND days IS NOT NULL AND days__cum * 100 >= {pct} * "
            f"days__n THEN days END) AS {party}_days_{q}"
            for q, pct in APPEAL_QUANTILES
        ]
    if not direct:
        return f"SELECT {', '.join([*keys, *aggs, *quantiles])} FROM ({rows}) AS r{group}", params
    # The quantiles from the decisions with a time to the BIA decision only, joined by group.
    counts = f"SELECT {', '.join([*keys, *aggs])} FROM ({rows}) AS r{group}"
    times = (
        f"SELECT {', '.join([*keys, *quantiles])} FROM ({base}) AS b WHERE days IS NOT NULL" + group
    )
    picked = ", ".join(f"t.{q.rsplit(' AS ', 1)[1]}" for q in quantiles)
    on = " AND ".join(f"c.{k} IS NOT DISTINCT FROM t.{k}" for k in keys)
    join = f"LEFT JOIN ({times}) AS t ON {on}" if keys else f"CROSS JOIN ({times}) AS t"
    return f"SELECT c.*, {picked} FROM ({counts}) AS c {join}", params + params


def appeals_result(
    engine: Engine,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
    check: bool = True,
) -> MetricResult:
    """Appeal counts, shares, BIA outcomes and times, grouped by ``by``."""
    d = metric_definition(definition)
    dims = parse_dimensions(by)
    f = filters or Filters()
    if not engine.has_table("appeals"):
        raise UserError("This database has no appeals table; re-run 'asylumstats ingest'.")
    if check:
        check_codes(engine, f)
    info = release_info(engine)
    sql, params = appeals_sql(engine, d.table, dims, f, release_date(info))
    keys = key_columns(dims)
    rows = []
    for r in engine.query(sql, params).dicts():
        row: dict[str, Any] = {k: r[k] for k in keys}
        total = 0
        for party, (outcome, count, base) in DIRECTIONS.items():
            n, k = int(r[f"n_{outcome}"] or 0), int(r[f"{party}_appealed"] or 0)
            total += n
            low, high = wilson(k, n)
            row.update(
                {
                    base: n,
                    count: k,
                    f"{party}_appeal_share": (k / n) if n else None,
                    f"{party}_appeal_ci_low": low,
                    f"{party}_appeal_ci_high": high,
                    f"{base}_case_appealed_by_{party}": int(r[f"{party}_case_appealed"] or 0),
                }
            )
        if total == 0:
            continue
        for party in DIRECTIONS:
            for o in BIA_OUTCOMES:
                row[f"{party}_appeals_{o}"] = int(r[f"{party}_bia_{o}"] or 0)
        for party in DIRECTIONS:
            row[f"{party}_appeal_days_count"] = int(r[f"{party}_days_count"] or 0)
            for q, _ in APPEAL_QUANTILES:
                row[f"{party}_appeal_days_{q}"] = as_int(r[f"{party}_days_{q}"])
        row["definition"] = d.name
        row["small_sample"] = total < SMALL_SAMPLE
        rows.append(row)
    fields = appeals_fields(dims)
    return MetricResult(
        rows=sort_rows([{f_: r[f_] for f_ in fields} for r in rows], keys),
        fields=fields,
        by=dims,
        filters=f,
        definition=d,
        release=info,
    )


def appeals_rows(
    engine: Engine,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> list[dict[str, Any]]:
    """Appeals rows (keys of SPEC §2.1 then the fields of :func:`appeals_fields`)."""
    return appeals_result(engine, by, filters, definition).rows

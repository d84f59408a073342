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
from typing import Any

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
    quantile_sql,
    ranked_sql,
    release_date,
)
from asylumstats.model.appeals import BIA_OUTCOMES, appeals_source

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


def appeals_sql(
    engine: Any, table: str, dims: Sequence[Dimension], filters: Filters, release: Any
) -> tuple[str, list[Any]]:
    """``(sql, params)`` of the grouped appeals query."""
    keys = key_columns(dims)
    where, params = filters.where()
    predicate = "outcome IN ('grant', 'denial')"
    inner_where = f"{where} AND {predicate}" if where else f"WHERE {predicate}"
    decisions = f"SELECT * FROM {table} {inner_where}"
    cols = [f"d.{k} AS {k}" for k in keys]
    for party, (outcome, _, _) in DIRECTIONS.items():
        mine = f"d.outcome = '{outcome}'"
        appealed = f"{mine} AND ap.{party}_appealed = 1"
        bia_date = f"ap.{party}_bia_date"
        ok = plausible_sql("d.decision_date", bia_date, release)
        cols += [
            f"CASE WHEN {mine} THEN 1 ELSE 0 END AS is_{outcome}",
            f"CASE WHEN {appealed} THEN 1 ELSE 0 END AS {party}_appealed",
            f"CASE WHEN {mine} AND ap.{party}_case_appealed = 1 THEN 1 ELSE 0 END "
            f"AS {party}_case_appealed",
            f"CASE WHEN {appealed} THEN ap.{party}_bia_outcome END AS {party}_bia_outcome",
            f"CASE WHEN {appealed} AND {bia_date} IS NOT NULL AND {ok} "
            f"THEN {days_sql('d.decision_date', bia_date)} END AS {party}_days",
        ]
    base = (
        f"SELECT {', '.join(cols)} FROM ({decisions}) AS d "
        f"LEFT JOIN {appeals_source(engine)} AS ap ON ap.idnproceeding = d.idnproceeding"
    )
    ranked = ranked_sql(base, keys, [f"{p}_days" for p in DIRECTIONS])
    aggs = []
    for party, (outcome, _, _) in DIRECTIONS.items():
        aggs += [
            f"SUM(is_{outcome}) AS n_{outcome}",
            f"SUM({party}_appealed) AS {party}_appealed",
            f"SUM({party}_case_appealed) AS {party}_case_appealed",
        ]
        aggs += [
            f"SUM(CASE WHEN {party}_bia_outcome = '{o}' THEN 1 ELSE 0 END) AS {party}_bia_{o}"
            for o in BIA_OUTCOMES
        ]
        aggs.append(f"COUNT({party}_days) AS {party}_days_count")
        aggs += [
            f"{quantile_sql(f'{party}_days', pct)} AS {party}_days_{q}"
            for q, pct in APPEAL_QUANTILES
        ]
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    return f"SELECT {', '.join([*keys, *aggs])} FROM ({ranked}) AS r{group}", params


def appeals_result(
    engine: Any,
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
            row.update({
                base: n,
                count: k,
                f"{party}_appeal_share": (k / n) if n else None,
                f"{party}_appeal_ci_low": low,
                f"{party}_appeal_ci_high": high,
                f"{base}_case_appealed_by_{party}": int(r[f"{party}_case_appealed"] or 0),
            })
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
    engine: Any,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> list[dict[str, Any]]:
    """Appeals rows (keys of SPEC §2.1 then the fields of :func:`appeals_fields`)."""
    return appeals_result(engine, by, filters, definition).rows

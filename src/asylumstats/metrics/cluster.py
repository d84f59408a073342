"""Intervals clustered on the family (``rate --cluster-family``).

Family members' cases (a lead case and its riders, ``tbl_Lead_Rider``) are usually decided
together, so their decisions are not independent and the Wilson interval, which assumes they
are, is too narrow. With ``--cluster-family`` each rate row also gets a cluster-robust
(linearization, "sandwich") 95% interval of the ratio grants / decisions, with the families
as clusters:

    p = G / N,   Var(p) = C / (C - 1) * sum over families f of (g_f - p n_f)^2 / N^2,

C the number of families in the row, g_f and n_f the family's grants and decisions. A case
belongs to the family of the lowest lead case it is a rider of, else to its own. Also:
``families`` and ``design_effect`` (Var(p) over the binomial p(1 - p) / N).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asylumstats.metrics.definitions import Definition
from asylumstats.metrics.dimensions import key_columns
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.rates import RateResult, rate_result, row_fields

#: Fields added to each row by ``--cluster-family``.
CLUSTER_FIELDS: tuple[str, ...] = (
    "families",
    "cluster_ci_low",
    "cluster_ci_high",
    "design_effect",
)
Z95 = 1.959963984540054


def family_sql(engine: Any) -> str:
    """``(idncase, family)`` for the cases with a lead: the lowest lead case of a rider."""
    cols = engine.table_columns("lead_rider")
    if not {"idnleadcase", "idnridercase"} <= set(cols):
        return "SELECT CAST(NULL AS BIGINT) AS idncase, CAST(NULL AS BIGINT) AS family"
    return (
        "SELECT idnridercase AS idncase, MIN(idnleadcase) AS family FROM lead_rider "
        "WHERE idnridercase IS NOT NULL AND idnleadcase IS NOT NULL GROUP BY idnridercase"
    )


def cluster_interval(pairs: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """``families``, the clustered 95% interval and the design effect of (grants, decisions)
    per family (families without decisions are left out)."""
    pairs = [(g, n) for g, n in pairs if n > 0]
    c = len(pairs)
    total = sum(n for _, n in pairs)
    out: dict[str, Any] = {
        "families": c,
        "cluster_ci_low": None,
        "cluster_ci_high": None,
        "design_effect": None,
    }
    if c < 2 or total == 0:
        return out
    p = sum(g for g, _ in pairs) / total
    var = c / (c - 1) * sum((g - p * n) ** 2 for g, n in pairs) / total**2
    half = Z95 * math.sqrt(var)
    out["cluster_ci_low"] = max(0.0, p - half)
    out["cluster_ci_high"] = min(1.0, p + half)
    binomial = p * (1 - p) / total
    out["design_effect"] = var / binomial if binomial > 0 else None
    return out


def cluster_fields(
    engine: Any, dims: Sequence[Any], filters: Filters, d: Definition
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Per row key (the dimension key values): the clustered fields."""
    keys = key_columns(dims)
    trials = f"({d.grant_sql}) OR ({d.denial_sql})"
    if d.other_in_denominator:
        trials += f" OR ({d.other_sql})"
    where, params = filters.where()
    cols = ", ".join([*(f"t.{k} AS {k}" for k in keys), "COALESCE(fm.family, t.idncase) AS fam"])
    sql = (
        f"SELECT {', '.join([*keys, 'fam'])}, SUM(g) AS g, SUM(n) AS n FROM ("
        f"SELECT {cols}, "
        f"CASE WHEN {d.grant_sql} THEN 1 ELSE 0 END AS g, "
        f"CASE WHEN {trials} THEN 1 ELSE 0 END AS n "
        f"FROM (SELECT * FROM {d.table} {where}) AS t "
        f"LEFT JOIN ({family_sql(engine)}) AS fm ON fm.idncase = t.idncase) AS x "
        f"GROUP BY {', '.join([*keys, 'fam'])}"
    )
    groups: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
    for row in engine.query(sql, params).rows:
        key = tuple(row[: len(keys)])
        groups.setdefault(key, []).append((int(row[-2] or 0), int(row[-1] or 0)))
    return {key: cluster_interval(pairs) for key, pairs in groups.items()}


@dataclass
class ClusteredRateResult(RateResult):
    """A :class:`RateResult` whose rows carry the ``--cluster-family`` fields."""

    @property
    def fields(self) -> list[str]:
        return [*row_fields(self.by), *CLUSTER_FIELDS]


def clustered_rate_result(
    engine: Any,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> ClusteredRateResult:
    """``rate_result`` plus the family-clustered interval of each row."""
    f = filters or Filters()
    result = rate_result(engine, by, f, definition)
    fields = cluster_fields(engine, result.by, f, result.definition)
    keys = key_columns(result.by)
    empty = cluster_interval([])
    for row in result.rows:
        row.update(fields.get(tuple(row[k] for k in keys), empty))
    return ClusteredRateResult(**vars(result))

"""Change between two periods (SPEC §2.3): counts and rates of each, their difference with the
Newcombe hybrid-score interval, and a difference adjusted for case mix.

The difference is ``current_rate - base_rate``. Its 95% interval is Newcombe's method 10
(Newcombe 1998, *Statistics in Medicine* 17:873-890), built from the two Wilson intervals::

    low  = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)

with ``p1, l1, u1`` the current rate and its Wilson bounds and ``p2, l2, u2`` the base's.

The adjusted difference standardizes both periods to one case mix (direct standardization):
strata are the combinations of nationality, representation, custody, asylum type and court;
the standard population is both periods' decisions pooled, over the strata that have decisions
in both periods; each period's adjusted rate is the weighted mean of its stratum rates. Its
interval treats the weights as fixed: variance = sum of w^2 (q1(1-q1)/n1 + q2(1-q2)/n2) with
q = (x + 1) / (n + 2) in each stratum (the Agresti-Caffo adjustment, so that strata with rates
of 0 or 1 still carry uncertainty), normal 95% bounds, clipped to [-1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asylumstats.metrics.definitions import Definition, get_definition, plausible_sql
from asylumstats.metrics.dimensions import DIMENSIONS, Dimension, key_columns, parse_dimensions
from asylumstats.metrics.filters import Filters, Period, check_codes
from asylumstats.metrics.intervals import Z95, wilson
from asylumstats.metrics.query import release_day, release_info, sort_rows
from asylumstats.metrics.rates import rate_result
from asylumstats.sqlnames import quote_ident

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

#: The dimensions the adjusted difference standardizes over.
ADJUST_FOR: tuple[str, ...] = ("nationality", "represented", "custody", "asylum_type", "court")

_COUNTS = ("grants", "denials", "other", "decisions", "rate")

#: Fields of a change row after its keys (SPEC §2.3).
CHANGE_FIELDS: tuple[str, ...] = (
    *(f"base_{c}" for c in _COUNTS),
    *(f"current_{c}" for c in _COUNTS),
    "difference",
    "diff_ci_low",
    "diff_ci_high",
    "adjusted_difference",
    "adjusted_ci_low",
    "adjusted_ci_high",
    "adjusted_for",
    "definition",
)


def newcombe(
    x1: int, n1: int, x2: int, n2: int, z: float = Z95
) -> tuple[float | None, float | None]:
    """95% Newcombe hybrid-score interval for ``x1/n1 - x2/n2`` (None when a side is empty)."""
    if n1 <= 0 or n2 <= 0:
        return None, None
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    assert l1 is not None and u1 is not None and l2 is not None and u2 is not None
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


Stratum = tuple[int, int]  # (grants, decisions)


def standardized_difference(
    strata: dict[Any, tuple[Stratum, Stratum]], z: float = Z95
) -> tuple[float | None, float | None, float | None]:
    """``(difference, low, high)`` directly standardized over ``strata``: stratum → ((base
    grants, base decisions), (current grants, current decisions)); weights = pooled decisions
    of the strata present in both periods."""
    common = {k: v for k, v in strata.items() if v[0][1] > 0 and v[1][1] > 0}
    total = sum(b[1] + c[1] for b, c in common.values())
    if not total:
        return None, None, None
    diff = var = 0.0
    for (xb, nb), (xc, nc) in common.values():
        w = (nb + nc) / total
        pb, pc = xb / nb, xc / nc
        diff += w * (pc - pb)
        qb, qc = (xb + 1) / (nb + 2), (xc + 1) / (nc + 2)
        var += w * w * (qc * (1 - qc) / nc + qb * (1 - qb) / nb)
    half = z * math.sqrt(var)
    return diff, max(-1.0, diff - half), min(1.0, diff + half)


@dataclass
class ChangeResult:
    """Change rows plus what a reader needs to cite them."""

    rows: list[dict[str, Any]]
    definition: Definition
    by: list[Dimension]
    filters: Filters
    base: Period
    current: Period
    release: dict[str, str] = field(default_factory=dict)
    excluded_implausible: int = 0
    adjusted_for: tuple[str, ...] = ADJUST_FOR

    @property
    def fields(self) -> list[str]:
        return [*key_columns(self.by), *CHANGE_FIELDS]


def _index(rows: list[dict[str, Any]], keys: Sequence[str]) -> dict[tuple[Any, ...], Any]:
    return {tuple(r[k] for k in keys): r for r in rows}


def _side(prefix: str, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {f"{prefix}_{c}": (None if c == "rate" else 0) for c in _COUNTS}
    return {
        f"{prefix}_grants": row["grants"],
        f"{prefix}_denials": row["denials"],
        f"{prefix}_other": row["other"],
        f"{prefix}_decisions": row["decisions"],
        f"{prefix}_rate": row["grant_rate"],
    }


def _strata(
    engine: Engine, d: Definition, dims: Sequence[Dimension], f: Filters, ok: str
) -> list[tuple[tuple[Any, ...], tuple[Any, ...], Stratum]]:
    """``(group codes, stratum codes, (grants, decisions))`` of one period: counts by the
    grouping and the :data:`ADJUST_FOR` dimensions, plausible dates only (one lean query)."""
    if f.date_from and f.date_to and f.date_from > f.date_to:
        return []
    group = [quote_ident(x.code_column) for x in dims]
    names = {x.name for x in dims}
    strata = [quote_ident(DIMENSIONS[n].code_column) for n in ADJUST_FOR if n not in names]
    conditions, params = f.conditions()
    where = " AND ".join([*conditions, ok])
    counts = ", ".join(
        f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END)"
        for sql in (d.grant_sql, d.denial_sql, d.other_sql)
    )
    cols = [*group, *strata]
    sql = (
        f"SELECT {', '.join([*cols, counts])} FROM {quote_ident(d.table)} WHERE {where} "
        f"GROUP BY {', '.join(cols)}"
        if cols
        else f"SELECT {counts} FROM {quote_ident(d.table)} WHERE {where}"
    )
    out = []
    n = len(group)
    for row in engine.query(sql, params).rows:
        g, dn, o = (int(v or 0) for v in row[len(cols) :])
        out.append((tuple(row[:n]), tuple(row[n : len(cols)]), (g, d.decisions(g, dn, o))))
    return out


def change_result(
    engine: Engine,
    base: Period | str,
    current: Period | str,
    by: str | Sequence[str] | None = None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> ChangeResult:
    """One row per group present in either period (SPEC §2.3)."""
    d = get_definition(definition)
    dims = parse_dimensions(by)
    f = filters or Filters()
    check_codes(engine, f)
    spans = (Period.parse(base), Period.parse(current))
    keys = key_columns(dims)
    results = [rate_result(engine, [x.name for x in dims], f, d, False, [p]) for p in spans]
    b_rows, c_rows = (_index(r.rows, keys) for r in results)
    ok = plausible_sql("decision_date", release_day(results[0].release))
    per_group: dict[tuple[Any, ...], dict[Any, tuple[Stratum, Stratum]]] = {}
    for side, span in enumerate(spans):
        for group, stratum, counts in _strata(
            engine, d, dims, f.with_window(span.start, span.end), ok
        ):
            pair = per_group.setdefault(group, {}).setdefault(stratum, ((0, 0), (0, 0)))
            per_group[group][stratum] = (counts, pair[1]) if side == 0 else (pair[0], counts)
    codes = [x.code_column for x in dims]
    rows = []
    for group in {*b_rows, *c_rows}:
        b, c = b_rows.get(group), c_rows.get(group)
        row: dict[str, Any] = dict(zip(keys, group, strict=True))
        row.update(_side("base", b))
        row.update(_side("current", c))
        br, cr = row["base_rate"], row["current_rate"]
        row["difference"] = (cr - br) if br is not None and cr is not None else None
        low, high = newcombe(
            row["current_grants"],
            row["current_decisions"],
            row["base_grants"],
            row["base_decisions"],
        )
        row["diff_ci_low"], row["diff_ci_high"] = low, high
        group_codes = tuple(row[c] for c in codes)
        adj, a_low, a_high = standardized_difference(per_group.get(group_codes, {}))
        row["adjusted_difference"] = adj
        row["adjusted_ci_low"], row["adjusted_ci_high"] = a_low, a_high
        row["adjusted_for"] = list(ADJUST_FOR)
        row["definition"] = d.name
        rows.append(row)
    return ChangeResult(
        rows=sort_rows(rows, keys),
        definition=d,
        by=dims,
        filters=f,
        base=spans[0],
        current=spans[1],
        release=release_info(engine),
        excluded_implausible=sum(r.excluded_implausible for r in results),
    )

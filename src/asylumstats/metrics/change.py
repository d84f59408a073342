"""Change between two periods (SPEC §2.3): counts and rates of each, their difference with the
Newcombe hybrid-score interval, and a difference adjusted for case mix.

The difference is ``current_rate - base_rate``. Its 95% interval is Newcombe's method 10
(Newcombe 1998, *Statistics in Medicine* 17:873-890), built from the two Wilson intervals::

    low  = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)

with ``p1, l1, u1`` the current rate and its Wilson bounds and ``p2, l2, u2`` the base's.

The adjusted difference comes from the model of judges' adjusted rates
(:mod:`asylumstats.metrics.adjust`), fitted on grouped binomial counts of both periods: one
cell per (group, period, custody, represented, asylum type, nationality, court, judge) with
its grants and decisions. Stage one, over all the cells:

    logit P(grant) = intercept + custody + represented + asylum type + nationality + court
                     + period + judge,

the judge a N(0, tau^2) random effect, weak ridge priors on the rest. Stage two: with those
effects held as an offset, each group gets its own base and current effect (one-parameter
binomial fits, all groups at once). Each period's adjusted rate is the mean predicted grant
share over one standard case mix, the group's decisions of both periods pooled (every cell
with its own court and judge, the period set to base, then to current); the adjusted
difference is current minus base. Its 95% interval is the delta method: the variance of the
group's two period effects plus that of the shared effects (stage one's posterior covariance,
the period effects moving with them), clipped to [-1, 1]. A group with no decision in one of
the periods, or a fit that fails, has null adjusted fields (:mod:`.change_model`).
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

#: The dimensions the adjusted difference is adjusted for (the judge: a random effect).
ADJUST_FOR: tuple[str, ...] = (
    "nationality",
    "represented",
    "custody",
    "asylum_type",
    "court",
    "judge",
)

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


def _cells(
    engine: Engine, d: Definition, dims: Sequence[Dimension], f: Filters, ok: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The model's cells of one period: ``(columns, rows)``, a row being the values of the
    grouping and :data:`ADJUST_FOR` code columns, then grants and decisions (one lean query
    over plausible dates)."""
    cols = list(dict.fromkeys([*(x.code_column for x in dims), *_ADJUST_COLUMNS]))
    if f.date_from and f.date_to and f.date_from > f.date_to:
        return cols, []
    conditions, params = f.conditions()
    where = " AND ".join([*conditions, ok])
    counts = ", ".join(
        f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END)"
        for sql in (d.grant_sql, d.denial_sql, d.other_sql)
    )
    quoted = ", ".join(quote_ident(c) for c in cols)
    sql = (  # a fixed order of the cells: the float sums do not vary between runs
        f"SELECT {quoted}, {counts} FROM {quote_ident(d.table)} WHERE {where} "
        f"GROUP BY {quoted} ORDER BY {quoted}"
    )
    out = []
    for row in engine.query(sql, params).rows:
        g, dn, o = (int(v or 0) for v in row[len(cols) :])
        out.append((*row[: len(cols)], g, d.decisions(g, dn, o)))
    return cols, out


#: The code columns of :data:`ADJUST_FOR`.
_ADJUST_COLUMNS: tuple[str, ...] = tuple(DIMENSIONS[n].code_column for n in ADJUST_FOR)


def _adjusted_by_group(
    engine: Engine,
    d: Definition,
    dims: Sequence[Dimension],
    f: Filters,
    spans: Sequence[Period],
    ok: str,
) -> dict[tuple[Any, ...], tuple[float, float, float] | None]:
    """Per group (its code values): the adjusted difference and its interval, or None."""
    # The model (NumPy) is imported only for --adjust: a plain change needs neither.
    from asylumstats.metrics.change_model import PeriodCells, adjusted_differences

    columns: list[str] = []
    sides: list[list[tuple[Any, ...]]] = []
    for span in spans:
        columns, rows = _cells(engine, d, dims, f.with_window(span.start, span.end), ok)
        sides.append(rows)
    cells = PeriodCells.build(columns, [x.code_column for x in dims], sides)
    return adjusted_differences(cells)


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
    adjusted = _adjusted_by_group(engine, d, dims, f, spans, ok)
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
        adj = adjusted.get(group_codes)
        row["adjusted_difference"] = adj[0] if adj else None
        row["adjusted_ci_low"], row["adjusted_ci_high"] = (adj[1], adj[2]) if adj else (None, None)
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

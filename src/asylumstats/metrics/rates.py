"""Asylum grant rates grouped by any dimensions, under each definition, with Wilson intervals.

``rate_rows`` is the single source of rate rows for the CLI and the web API (SPEC §2.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.dimensions import Dimension, key_columns, parse_dimensions
from asylumstats.metrics.filters import Filters, check_codes
from asylumstats.metrics.intervals import wilson
from asylumstats.metrics.query import release_info, run_grouped

#: Fewer decisions than this get the ``small_sample`` flag (SPEC §6).
SMALL_SAMPLE = 25

#: Count and rate fields of a row, after the keys.
VALUE_FIELDS: tuple[str, ...] = (
    "grants",
    "denials",
    "other",
    "decisions",
    "grant_rate",
    "ci_low",
    "ci_high",
    "definition",
    "small_sample",
)


def row_fields(by: Sequence[Dimension]) -> list[str]:
    """All fields of a rate row for this grouping, in order."""
    return [*key_columns(by), *VALUE_FIELDS]


def make_row(
    keys: dict[str, Any], grants: int, denials: int, other: int, definition: Definition
) -> dict[str, Any]:
    """A rate row from its keys and counts (SPEC §2.1 order)."""
    decisions = definition.decisions(grants, denials, other)
    low, high = wilson(grants, decisions)
    row = dict(keys)
    row.update(
        grants=grants,
        denials=denials,
        other=other,
        decisions=decisions,
        grant_rate=(grants / decisions) if decisions else None,
        ci_low=low,
        ci_high=high,
        definition=definition.name,
        small_sample=decisions < SMALL_SAMPLE,
    )
    return row


def combine(
    rows: Iterable[dict[str, Any]], definition: str | Definition, keys: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One row summing the counts of ``rows`` (with ``keys``), its rate recomputed."""
    d = get_definition(definition)
    g = dn = o = 0
    for r in rows:
        g += r["grants"]
        dn += r["denials"]
        o += r["other"]
    return make_row(keys or {}, g, dn, o, d)


@dataclass
class RateResult:
    """Rate rows plus what a reader needs to cite them."""

    rows: list[dict[str, Any]]
    definition: Definition
    by: list[Dimension]
    filters: Filters
    first_decision: dt.date | None = None
    last_decision: dt.date | None = None
    release: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> list[str]:
        return row_fields(self.by)


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def rate_result(
    engine: Any,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
    check: bool = True,
) -> RateResult:
    """Rates grouped by ``by`` under ``definition`` with ``filters``.

    A group appears when it holds at least one decision of any outcome. Unknown filter codes
    raise :class:`asylumstats.errors.NotFoundError` (unless ``check`` is False).
    """
    d = get_definition(definition)
    dims = parse_dimensions(by)
    f = filters or Filters()
    if check:
        check_codes(engine, f)
    aggregates = [
        ("n_grants", f"SUM(CASE WHEN {d.grant_sql} THEN 1 ELSE 0 END)"),
        ("n_denials", f"SUM(CASE WHEN {d.denial_sql} THEN 1 ELSE 0 END)"),
        ("n_other", f"SUM(CASE WHEN {d.other_sql} THEN 1 ELSE 0 END)"),
        ("first_decision", "MIN(decision_date)"),
        ("last_decision", "MAX(decision_date)"),
    ]
    raw = run_grouped(engine, d.table, dims, f, aggregates)
    keys = key_columns(dims)
    rows = []
    firsts: list[dt.date] = []
    lasts: list[dt.date] = []
    for r in raw:
        g, dn, o = int(r["n_grants"] or 0), int(r["n_denials"] or 0), int(r["n_other"] or 0)
        if g + dn + o == 0:
            continue
        rows.append(make_row({k: r[k] for k in keys}, g, dn, o, d))
        first, last = _as_date(r["first_decision"]), _as_date(r["last_decision"])
        if first is not None and last is not None:
            firsts.append(first)
            lasts.append(last)
    return RateResult(
        rows=rows,
        definition=d,
        by=dims,
        filters=f,
        first_decision=min(firsts) if firsts else None,
        last_decision=max(lasts) if lasts else None,
        release=release_info(engine),
    )


def rate_rows(
    engine: Any,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> list[dict[str, Any]]:
    """Rate rows (SPEC §2.1): keys, grants, denials, other, decisions, grant_rate, ci_low,
    ci_high, definition, small_sample; sorted by the keys."""
    return rate_result(engine, by, filters, definition).rows

"""Asylum grant rates grouped by any dimensions, under each definition, with Wilson intervals.

``rate_result`` is the single source of rate rows for the CLI, the web pages, the JSON API and
the Python API (SPEC §2.1). Decisions with an implausible date (before 1950 or after the
release date) are left out and counted (``excluded_implausible``). With ``periods`` each
period is computed on its own under the other filters and rows start with a ``period`` key
(SPEC §2.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asylumstats.metrics.definitions import (
    SMALL_SAMPLE,
    Definition,
    get_definition,
    plausible_sql,
)
from asylumstats.metrics.dimensions import Dimension, key_columns, parse_dimensions
from asylumstats.metrics.filters import Filters, Period, check_codes, parse_periods
from asylumstats.metrics.intervals import wilson
from asylumstats.metrics.query import grouped_sql, release_day, release_info, sort_rows

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

__all__ = ["SMALL_SAMPLE", "VALUE_FIELDS", "RateResult", "combine", "rate_result", "rate_rows"]

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


def row_fields(by: Sequence[Dimension], periods: bool = False) -> list[str]:
    """All fields of a rate row for this grouping, in order."""
    return [*(["period"] if periods else []), *key_columns(by), *VALUE_FIELDS]


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
    periods: tuple[Period, ...] = ()
    #: Decisions matching the filters whose date is before 1950 or after the release date.
    excluded_implausible: int = 0

    @property
    def fields(self) -> list[str]:
        return row_fields(self.by, bool(self.periods))

    @property
    def window(self) -> dict[str, str | None]:
        """First and last decision date of the rows (ISO dates or null)."""
        return {
            "first_decision": self.first_decision.isoformat() if self.first_decision else None,
            "last_decision": self.last_decision.isoformat() if self.last_decision else None,
        }


def as_date(value: Any) -> dt.date | None:
    """An SQL date/timestamp result as a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _aggregates(d: Definition, ok: str) -> list[tuple[str, str]]:
    return [
        ("n_grants", f"SUM(CASE WHEN {ok} AND {d.grant_sql} THEN 1 ELSE 0 END)"),
        ("n_denials", f"SUM(CASE WHEN {ok} AND {d.denial_sql} THEN 1 ELSE 0 END)"),
        ("n_other", f"SUM(CASE WHEN {ok} AND {d.other_sql} THEN 1 ELSE 0 END)"),
        ("n_implausible", f"SUM(CASE WHEN {ok} THEN 0 ELSE 1 END)"),
        ("first_decision", f"MIN(CASE WHEN {ok} THEN decision_date END)"),
        ("last_decision", f"MAX(CASE WHEN {ok} THEN decision_date END)"),
    ]


def _one_window(
    engine: Engine, d: Definition, dims: Sequence[Dimension], f: Filters, ok: str
) -> tuple[list[dict[str, Any]], int, list[dt.date], list[dt.date]]:
    sql, params = grouped_sql(d.table, dims, f, _aggregates(d, ok))
    raw = sort_rows(engine.query(sql, params).dicts(), key_columns(dims))
    keys = key_columns(dims)
    rows, firsts, lasts = [], [], []
    implausible = 0
    for r in raw:
        implausible += int(r["n_implausible"] or 0)
        g, dn, o = int(r["n_grants"] or 0), int(r["n_denials"] or 0), int(r["n_other"] or 0)
        if g + dn + o == 0:
            continue
        rows.append(make_row({k: r[k] for k in keys}, g, dn, o, d))
        first, last = as_date(r["first_decision"]), as_date(r["last_decision"])
        if first is not None and last is not None:
            firsts.append(first)
            lasts.append(last)
    return rows, implausible, firsts, lasts


def rate_result(
    engine: Engine,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
    check: bool = True,
    periods: Sequence[Period | str] | None = None,
) -> RateResult:
    """Rates grouped by ``by`` under ``definition`` with ``filters`` (and ``periods``).

    A group appears when it holds at least one plausible decision of any outcome. Unknown
    filter codes raise :class:`asylumstats.errors.NotFoundError` (unless ``check`` is False).
    """
    d = get_definition(definition)
    dims = parse_dimensions(by)
    f = filters or Filters()
    spans = parse_periods(periods)
    if check:
        check_codes(engine, f)
    info = release_info(engine)
    ok = plausible_sql("decision_date", release_day(info))
    rows: list[dict[str, Any]] = []
    firsts: list[dt.date] = []
    lasts: list[dt.date] = []
    implausible = 0
    for span in spans or (None,):
        scoped = f if span is None else f.with_window(span.start, span.end)
        if span is not None and scoped.date_from and scoped.date_to:
            if scoped.date_from > scoped.date_to:  # the period lies outside --from/--to
                continue
        got, n_bad, fs, ls = _one_window(engine, d, dims, scoped, ok)
        if span is not None:
            got = [{"period": span.label, **r} for r in got]
        rows += got
        implausible += n_bad
        firsts += fs
        lasts += ls
    return RateResult(
        rows=rows,
        definition=d,
        by=dims,
        filters=f,
        first_decision=min(firsts) if firsts else None,
        last_decision=max(lasts) if lasts else None,
        release=info,
        periods=spans,
        excluded_implausible=implausible,
    )


def rate_rows(
    engine: Engine,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
    periods: Sequence[Period | str] | None = None,
) -> list[dict[str, Any]]:
    """Rate rows (SPEC §2.1): keys, grants, denials, other, decisions, grant_rate, ci_low,
    ci_high, definition, small_sample; sorted by the keys."""
    return rate_result(engine, by, filters, definition, periods=periods).rows


def regroup(result: RateResult, by: str | Sequence[str] | None) -> RateResult:
    """``result`` summed up to a coarser grouping ``by`` (a subset of its dimensions): the
    same rows :func:`rate_result` gives for ``by`` with the same filters, from one query."""
    dims = parse_dimensions(by)
    if not {d.name for d in dims} <= {d.name for d in result.by} or result.periods:
        raise ValueError("regroup needs a subset of the result's dimensions and no periods")
    keys = key_columns(dims)
    sums: dict[tuple[Any, ...], list[int]] = {}
    for r in result.rows:
        counts = sums.setdefault(tuple(r[k] for k in keys), [0, 0, 0])
        counts[0] += r["grants"]
        counts[1] += r["denials"]
        counts[2] += r["other"]
    rows = [
        make_row(dict(zip(keys, group, strict=True)), g, dn, o, result.definition)
        for group, (g, dn, o) in sums.items()
    ]
    return RateResult(
        rows=sort_rows(rows, keys),
        definition=result.definition,
        by=dims,
        filters=result.filters,
        first_decision=result.first_decision,
        last_decision=result.last_decision,
        release=result.release,
        excluded_implausible=result.excluded_implausible,
    )

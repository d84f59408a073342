"""Filing-year cohorts (``asylumstats cohorts``): what became of the asylum applications filed
in each fiscal year, with the pending ones as their own column.

A rate computed over decisions of a recent period leans toward fast outcomes: most of that
period's applications are still undecided. A cohort follows the applications *filed* in a
year instead. Unit: a case with an ASYL application on a counted case type (SPEC §3), filed
at its earliest plausible ``APPL_RECD_DATE`` (1950-01-01 .. release date). Its status at the
release: ``pending`` when the case's latest proceeding (highest ``IDNPROCEEDING``) has no
completion; else the outcome of its last asylum decision (as the ``case`` definition, classed
by the chosen definition's predicates); else ``no_decision`` (completed with no asylum
decision recorded). ``in_absentia`` counts the completed cases whose latest proceeding is an
in-absentia order (``ABSENTIA`` Y), whatever their status. Dimensions come from the latest
proceeding and the case.

Waits from filing: ``median_wait_decided_days`` (nearest rank over completed cases only),
``median_wait_km_days`` (Kaplan–Meier median of time to completion with pending cases
censored at the release date; null while fewer than half are completed), and cumulative
incidence at 3 years of grant, denial and other completion (Aalen–Johansen, competing risks,
pending censored). ``cohort_curves`` gives the whole cumulative-incidence curves: per filing
year, every half year since filing up to 10 years, null beyond the cohort's longest follow-up.
All computed from grouped counts (filing year, status, days) in numpy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from asylumstats.errors import UserError
from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.filters import Filters, check_codes
from asylumstats.metrics.intervals import wilson
from asylumstats.metrics.query import release_info
from asylumstats.metrics.wait import MetricResult, release_date
from asylumstats.model.outcomes import CASE_TYPES, sql_list
from asylumstats.model.sql import code, dimensions_sql, fiscal_year_sql

#: Statuses of a case in its cohort, in column order.
STATUSES: tuple[str, ...] = ("grant", "denial", "other", "no_decision", "pending")
#: The horizon of the cumulative incidences.
CIF_DAYS = 3 * 365
#: Points of the curves: years since filing (a year = 365 days).
CURVE_YEARS: tuple[float, ...] = tuple(k / 2 for k in range(1, 21))
CURVE_FIELDS: tuple[str, ...] = (
    "filing_year",
    "years",
    "days",
    "at_risk",
    "cif_grant",
    "cif_denial",
    "cif_other",
    "definition",
)
FIELDS: tuple[str, ...] = (
    "filing_year",
    "filed",
    "grants",
    "denials",
    "other",
    "no_decision",
    "in_absentia",
    "pending",
    "pending_share",
    "decisions",
    "grant_rate",
    "ci_low",
    "ci_high",
    "median_wait_decided_days",
    "median_wait_km_days",
    "cif_grant_3y",
    "cif_denial_3y",
    "cif_other_3y",
    "definition",
)


def cohort_source_sql(columns: Any, release: dt.date | None, d: Definition) -> str:
    """One row per case with an asylum application: filing date and year, status, days from
    filing to completion (or to the release for pending cases), dimension columns."""
    dims, joins = dimensions_sql(columns)
    recd = "CAST(a.appl_recd_date AS DATE)"
    upper = f" AND {recd} <= DATE '{release.isoformat()}'" if release else ""
    filed = (
        f"SELECT a.idncase AS idncase, MIN({recd}) AS filing_date FROM applications AS a "
        "JOIN proceedings AS p ON p.idnproceeding = a.idnproceeding "
        f"WHERE {code('a.appl_code')} = 'ASYL' AND {code('p.case_type')} IN "
        f"{sql_list(CASE_TYPES)} AND a.idncase IS NOT NULL "
        f"AND {recd} >= DATE '1950-01-01'{upper} GROUP BY a.idncase"
    )
    latest = (
        "SELECT * FROM (SELECT p.*, row_number() OVER (PARTITION BY p.idncase "
        "ORDER BY p.idnproceeding DESC) AS rn FROM proceedings AS p "
        "WHERE p.idncase IS NOT NULL) AS lp WHERE rn = 1"
    )
    status = (
        "CASE WHEN p.comp_date IS NULL THEN 'pending' "
        "WHEN k.outcome IS NULL THEN 'no_decision' "
        f"WHEN {_on('k', d.grant_sql)} THEN 'grant' "
        f"WHEN {_on('k', d.denial_sql)} THEN 'denial' ELSE 'other' END"
    )
    end = (
        "CASE WHEN p.comp_date IS NULL THEN "
        + (f"DATE '{release.isoformat()}'" if release else "CAST(NULL AS DATE)")
        + " WHEN k.outcome IS NULL THEN CAST(p.comp_date AS DATE) ELSE k.decision_date END"
    )
    return (
        f"SELECT f.filing_date AS filing_date, {fiscal_year_sql('f.filing_date')} AS filing_year, "
        f"{status} AS status, date_diff('day', f.filing_date, {end}) AS days, "
        f"CASE WHEN p.comp_date IS NOT NULL AND {code('p.absentia')} = 'Y' THEN 1 ELSE 0 END "
        "AS absentia, "
        f"{', '.join(dims)} "
        f"FROM ({filed}) AS f JOIN ({latest}) AS p ON p.idncase = f.idncase "
        "LEFT JOIN cases AS c ON c.idncase = f.idncase "
        "LEFT JOIN asylum_case_decisions AS k ON k.idncase = f.idncase "
        f"{' '.join(joins)}"
    )


def _on(alias: str, predicate: str) -> str:
    """A definition predicate (over ``outcome``, ``appl_dec``, ``other_protection``) applied
    to the columns of table alias ``alias``."""
    out = predicate
    for col in ("other_protection", "appl_dec", "outcome"):
        out = out.replace(col, f"{alias}.{col}")
    return out


def kaplan_meier_median(days: np.ndarray, events: np.ndarray, censored: np.ndarray) -> int | None:
    """Kaplan–Meier median: the first time at which the survival (not yet completed) falls
    to 0.5 or below. ``days`` sorted unique times with event and censoring counts; a
    censored case at time t is still at risk at t."""
    at_risk = float(events.sum() + censored.sum())
    surv = 1.0
    for t, e, c in zip(days.tolist(), events.tolist(), censored.tolist(), strict=True):
        if at_risk <= 0:
            break
        if e:
            surv *= 1.0 - e / at_risk
            if surv <= 0.5 + 1e-12:
                return int(t)
        at_risk -= e + c
    return None


def aalen_johansen(
    days: np.ndarray, by_cause: dict[str, np.ndarray], censored: np.ndarray, horizon: int
) -> dict[str, float | None]:
    """Cumulative incidence of each cause by ``horizon`` days (Aalen–Johansen): the sum over
    event times t <= horizon of S(t-) d_k(t) / n(t), S the all-cause Kaplan–Meier survival."""
    total_events = sum(by_cause.values())
    at_risk = float(total_events.sum() + censored.sum())  # type: ignore[union-attr]
    if at_risk <= 0:
        return dict.fromkeys(by_cause)
    surv = 1.0
    cif = dict.fromkeys(by_cause, 0.0)
    for i, t in enumerate(days.tolist()):
        if t > horizon or at_risk <= 0:
            break
        e = float(total_events[i])  # type: ignore[index]
        if e:
            for k, dk in by_cause.items():
                cif[k] += surv * float(dk[i]) / at_risk  # type: ignore[operator]
            surv *= 1.0 - e / at_risk
        at_risk -= e + float(censored[i])
    return {k: float(v) for k, v in cif.items()}


def incidence_curves(
    days: np.ndarray, by_cause: dict[str, np.ndarray], censored: np.ndarray, horizons: np.ndarray
) -> tuple[dict[str, list[float | None]], list[int]]:
    """Aalen–Johansen cumulative incidence of each cause at each horizon (days), and the
    number still at risk there (neither completed nor censored before it). ``days``: sorted
    unique times with per-cause event and censoring counts. Null beyond the last time seen
    (no case of the group is followed that long)."""
    events = np.zeros(len(days))
    for counts in by_cause.values():
        events = events + counts
    leaving = events + censored
    at_risk = leaving.sum() - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
    safe = np.where(at_risk > 0, at_risk, 1.0)
    hazard = np.where(at_risk > 0, events / safe, 0.0)
    surv_before = np.concatenate([[1.0], np.cumprod(1.0 - hazard)[:-1]])
    last = int(days[-1]) if len(days) else -1
    idx = np.searchsorted(days, horizons, side="right") - 1  # last time <= horizon
    curves: dict[str, list[float | None]] = {}
    for cause, counts in by_cause.items():
        cif = np.cumsum(surv_before * np.where(at_risk > 0, counts / safe, 0.0))
        curves[cause] = [
            None if h > last else (float(cif[i]) if i >= 0 else 0.0)
            for h, i in zip(horizons.tolist(), idx.tolist(), strict=True)
        ]
    after = np.searchsorted(days, horizons, side="left")  # first time >= horizon
    total = float(leaving.sum())
    still = [int(round(total - float(leaving[:a].sum()))) for a in after.tolist()]
    return curves, still


def nearest_rank_median(days: np.ndarray, counts: np.ndarray) -> int | None:
    """Nearest-rank median of values ``days`` (sorted) with multiplicities ``counts``."""
    n = int(counts.sum())
    if n == 0:
        return None
    rank = -(-n // 2)  # ceil(n / 2)
    return int(days[np.searchsorted(np.cumsum(counts), rank)])


Counts = dict[int, dict[str, dict[int, int]]]


def _cohort_counts(
    engine: Any, f: Filters, d: Definition
) -> tuple[Counts, dict[int, int], dict[str, str], dt.date | None]:
    """Per filing year, per status, per days since filing: the number of cases; the
    in-absentia counts per filing year; the release info and date."""
    check_codes(engine, f)
    info = release_info(engine)
    release = release_date(info)
    source = cohort_source_sql(engine.table_columns, release, d)
    where, params = f.where(date_column="filing_date", fy_column="filing_year")
    sql = (
        f"SELECT filing_year, status, days, COUNT(*) AS n, SUM(absentia) AS n_absentia "
        f"FROM ({source}) AS s {where} GROUP BY filing_year, status, days"
    )
    counts: Counts = {}
    absentia: dict[int, int] = {}
    for fy, status, days, n, n_abs in engine.query(sql, params).rows:
        if fy is None:
            continue
        absentia[int(fy)] = absentia.get(int(fy), 0) + int(n_abs or 0)
        per = counts.setdefault(int(fy), {s: {} for s in STATUSES})
        key = max(int(days), 0) if days is not None else 0
        per[status][key] = per[status].get(key, 0) + int(n)
    return counts, absentia, info, release


def cohort_result(
    engine: Any, filters: Filters | None = None, definition: str | Definition = "merits"
) -> MetricResult:
    """One row per filing fiscal year (``--fy`` picks a filing year; ``--from``/``--to`` a
    filing-date window; code filters the latest proceeding's judge/court or the case's
    nationality)."""
    d = get_definition(definition)
    f = filters or Filters()
    counts, absentia, info, release = _cohort_counts(engine, f, d)
    rows = [_row(fy, counts[fy], d, absentia[fy]) for fy in sorted(counts)]
    return MetricResult(
        rows=rows,
        fields=list(FIELDS),
        by=[],
        filters=f,
        definition=d,
        release=info,
        notes={"release_date": release.isoformat() if release else None},
    )


def cohort_curves(
    engine: Any, filters: Filters | None = None, definition: str | Definition = "merits"
) -> MetricResult:
    """``cohorts --curves``: per filing year and point of :data:`CURVE_YEARS`, the cumulative
    incidence of grant, denial and other completion (pending cases censored)."""
    d = get_definition(definition)
    f = filters or Filters()
    counts, _, info, release = _cohort_counts(engine, f, d)
    horizons = np.array([int(y * 365) for y in CURVE_YEARS], dtype=np.int64)
    rows: list[dict[str, Any]] = []
    for fy in sorted(counts):
        times, causes, censored = _series(counts[fy])
        curves, at_risk = incidence_curves(times, causes, censored, horizons)
        for i, years in enumerate(CURVE_YEARS):
            rows.append(
                {
                    "filing_year": fy,
                    "years": years,
                    "days": int(horizons[i]),
                    "at_risk": at_risk[i],
                    **{f"cif_{k}": curves[k][i] for k in ("grant", "denial", "other")},
                    "definition": d.name,
                }
            )
    return MetricResult(
        rows=rows,
        fields=list(CURVE_FIELDS),
        by=[],
        filters=f,
        definition=d,
        release=info,
        notes={"release_date": release.isoformat() if release else None},
    )


def _series(
    per: dict[str, dict[int, int]],
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Sorted times; per cause (grant, denial, other with no decision) the completions at
    each time; the pending cases censored at each time."""
    times = np.array(sorted({t for s in STATUSES for t in per[s]}), dtype=np.int64)

    def series(*statuses: str) -> np.ndarray:
        return np.array(
            [sum(per[s].get(t, 0) for s in statuses) for t in times.tolist()], dtype=float
        )

    causes = {
        "grant": series("grant"),
        "denial": series("denial"),
        "other": series("other", "no_decision"),
    }
    return times, causes, series("pending")


def _row(fy: int, per: dict[str, dict[int, int]], d: Definition, absentia: int) -> dict[str, Any]:
    total = {s: sum(per[s].values()) for s in STATUSES}
    grants, denials, other = total["grant"], total["denial"], total["other"]
    decisions = d.decisions(grants, denials, other)
    low, high = wilson(grants, decisions)
    filed = sum(total.values())
    times, causes, censored = _series(per)
    done = causes["grant"] + causes["denial"] + causes["other"]
    cif = aalen_johansen(times, causes, censored, CIF_DAYS)
    return {
        "filing_year": fy,
        "filed": filed,
        "grants": grants,
        "denials": denials,
        "other": other,
        "no_decision": total["no_decision"],
        "in_absentia": absentia,
        "pending": total["pending"],
        "pending_share": total["pending"] / filed if filed else None,
        "decisions": decisions,
        "grant_rate": grants / decisions if decisions else None,
        "ci_low": low,
        "ci_high": high,
        "median_wait_decided_days": nearest_rank_median(times, done) if len(times) else None,
        "median_wait_km_days": kaplan_meier_median(times, done, censored) if len(times) else None,
        "cif_grant_3y": cif["grant"],
        "cif_denial_3y": cif["denial"],
        "cif_other_3y": cif["other"],
        "definition": d.name,
    }


def pending_note(engine: Any, filters: Filters) -> str | None:
    """For a recent window (``--fy``/``--from``): how many asylum applications filed in it
    are still pending (SPEC §6); None when no window is set."""
    if filters.fy is None and filters.date_from is None:
        return None
    try:
        res = cohort_result(engine, filters.without("judge"), "merits")
    except UserError:
        return None
    filed = sum(r["filed"] for r in res.rows)
    pending = sum(r["pending"] for r in res.rows)
    if not filed:
        return None
    return (
        f"Of the {filed:,} asylum applications filed in this window, {pending:,} "
        f"({100 * pending / filed:.0f}%) are still pending: recent decisions lean toward "
        "fast outcomes."
    )

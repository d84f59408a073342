"""The case-mix adjusted difference of ``change``: the model of :mod:`.adjust` fitted on both
periods' cells, then a base and a current effect per group with the rest held fixed, each
period predicted on the group's pooled case mix (the formulas: :mod:`.change` and the
methodology). Two stages keep the fit small whatever the number of groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from asylumstats.metrics.adjust import Z95, Factor, Fit, fit_model

#: Ridge penalty (1 / prior variance) per model column; nationality has many rare levels.
_RIDGE = {"nationality_code": 0.1}
_RIDGE_DEFAULT = 0.01
#: The fixed covariates (court and judge are the model's own factors).
_FIXED = ("custody", "represented", "asylum_type", "nationality_code")


def _factorize(values: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """Per value the index of its level; levels in order of first appearance."""
    index: dict[Any, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), np.int64, len(values))
    return codes, list(index)


@dataclass
class PeriodCells:
    """Grouped counts of both periods: ``group`` (index into ``groups``) and ``period`` (0
    base, 1 current) per cell, the covariate columns, grants and decisions."""

    columns: dict[str, np.ndarray]
    levels: dict[str, list[Any]]
    group: np.ndarray
    groups: list[tuple[Any, ...]]
    period: np.ndarray
    grants: np.ndarray
    trials: np.ndarray

    @classmethod
    def build(
        cls, columns: Sequence[str], group_columns: Sequence[str], sides: Sequence[list[Any]]
    ) -> PeriodCells:
        """From the rows of each period (the values of ``columns``, grants, decisions)."""
        rows = [r for side in sides for r in side]
        period = np.concatenate([np.full(len(side), i, np.int64) for i, side in enumerate(sides)])
        width = len(columns)
        codes: dict[str, np.ndarray] = {}
        levels: dict[str, list[Any]] = {}
        for i, col in enumerate(columns):
            codes[col], levels[col] = _factorize([r[i] for r in rows])
        where = [list(columns).index(c) for c in group_columns]
        group, groups = _factorize([tuple(r[i] for i in where) for r in rows])
        return cls(
            codes,
            levels,
            group,
            groups,
            period,
            np.array([r[width] for r in rows], dtype=float),
            np.array([r[width + 1] for r in rows], dtype=float),
        )

    def factor(self, col: str) -> Factor:
        return Factor(self.columns[col], len(self.levels[col]), _RIDGE.get(col, _RIDGE_DEFAULT))


def fit_periods(cells: PeriodCells) -> Fit:
    """Stage one: the model over every group's cells with one period effect (the last fixed
    factor), the court, and the judge as a random effect."""
    from threadpoolctl import threadpool_limits

    period = Factor(cells.period, 2, _RIDGE_DEFAULT)
    with threadpool_limits(limits=1, user_api="blas"):
        return fit_model(
            [*(cells.factor(c) for c in _FIXED), period],
            cells.factor("court_code"),
            cells.factor("judge_code"),
            cells.grants,
            cells.trials,
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def period_effects(
    offset: np.ndarray,
    key: np.ndarray,
    size: int,
    grants: np.ndarray,
    trials: np.ndarray,
    start: np.ndarray,
    iterations: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """Stage two: per key (group x period) the effect b maximising the binomial likelihood
    of its cells with the fitted ``offset`` held fixed (and a weak ridge), by Newton steps
    for all keys at once; returns b and its variance (inverse information)."""
    b = start.astype(float).copy()
    info = np.full(size, _RIDGE_DEFAULT)
    for _ in range(iterations):
        p = _sigmoid(offset + b[key])
        score = np.bincount(key, grants - trials * p, size) - _RIDGE_DEFAULT * b
        info = np.bincount(key, trials * p * (1 - p), size) + _RIDGE_DEFAULT
        step = np.clip(score / info, -3.0, 3.0)
        b += step
        if np.abs(step).max(initial=0.0) < 1e-8:
            break
    return b, 1.0 / info


def _shared_variance(
    fit: Fit, cells: PeriodCells, offset: np.ndarray, b: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """Per group: the variance the difference takes from the shared effects (intercept,
    covariates, court, judges), by the delta method over stage one's posterior covariance;
    the period effects of stage two move with them (implicit function: db = -mean x)."""
    ng = len(cells.groups)
    g, w = cells.group, cells.trials
    safe = np.maximum(total, 1e-12)[g]
    own = _sigmoid(offset + b[g * 2 + cells.period])
    info = w * own * (1 - own)
    coef = np.zeros(len(w))
    for period, sign in ((0, -1.0), (1, 1.0)):
        p = _sigmoid(offset + b[g * 2 + period])
        slope = w * p * (1 - p) / safe  # d rate / d eta, per cell
        in_period = cells.period == period
        sum_slope = np.bincount(g, slope, ng)
        sum_info = np.maximum(np.bincount(g[in_period], info[in_period], ng), 1e-12)
        coef += sign * slope
        coef[in_period] -= sign * (sum_slope / sum_info)[g[in_period]] * info[in_period]
    grad = np.zeros((ng, len(fit.beta)))
    grad[:, 0] = np.bincount(g, coef, ng)
    factors = [*(cells.factor(c) for c in _FIXED), None, cells.factor("court_code")]
    for f, at in zip(factors, fit.offsets, strict=True):
        if f is not None:
            block = np.bincount(g * f.size + f.codes, coef, ng * f.size)
            grad[:, at : at + f.size] = block.reshape(ng, f.size)
    nj = len(fit.judge_eff)
    judge = cells.columns["judge_code"]
    grad_u = np.bincount(g * nj + judge, coef, ng * nj).reshape(ng, nj)
    lead = grad - grad_u @ fit.m
    return ((lead @ fit.s_inv) * lead).sum(1) + (grad_u**2 / fit.d[None, :]).sum(1)


def adjusted_differences(
    cells: PeriodCells,
) -> dict[tuple[Any, ...], tuple[float, float, float] | None]:
    """Per group (its code values): ``(difference, low, high)``, or None when the group has
    no decision in a period or the model cannot be fitted."""
    if not len(cells.trials) or cells.trials.sum() <= 0:
        return {}
    try:
        fit = fit_periods(cells)
    except (np.linalg.LinAlgError, FloatingPointError, ValueError):
        return dict.fromkeys(cells.groups)
    offset_at = fit.offsets[len(_FIXED)]
    judge, court = cells.columns["judge_code"], cells.columns["court_code"]
    fitted = fit.beta[offset_at + cells.period]
    offset = fit.base - fitted + fit.court_eff[court] + fit.judge_eff[judge]
    ng = len(cells.groups)
    key = cells.group * 2 + cells.period
    start = np.tile(fit.beta[offset_at : offset_at + 2], ng)
    b, var_b = period_effects(offset, key, 2 * ng, cells.grants, cells.trials, start)
    weights = cells.trials
    total = np.bincount(cells.group, weights, ng)
    rates, slopes = [], []
    for period in (0, 1):
        p = _sigmoid(offset + b[cells.group * 2 + period])
        safe = np.maximum(total, 1e-12)
        rates.append(np.bincount(cells.group, weights * p, ng) / safe)
        slopes.append(np.bincount(cells.group, weights * p * (1 - p), ng) / safe)
    seen = np.bincount(key, weights, 2 * ng).reshape(ng, 2)
    diff = rates[1] - rates[0]
    var = slopes[1] ** 2 * var_b[1::2] + slopes[0] ** 2 * var_b[0::2]
    var += _shared_variance(fit, cells, offset, b, total)
    half = Z95 * np.sqrt(np.maximum(var, 0.0))
    out: dict[tuple[Any, ...], tuple[float, float, float] | None] = {}
    for i, group in enumerate(cells.groups):
        got = (
            float(diff[i]),
            float(max(-1.0, diff[i] - half[i])),
            float(min(1.0, diff[i] + half[i])),
        )
        ok = seen[i, 0] > 0 and seen[i, 1] > 0 and all(np.isfinite(got))
        out[group] = got if ok else None
    return out

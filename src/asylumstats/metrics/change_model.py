"""The case-mix adjusted difference of ``change``: the model of :mod:`.adjust` fitted on both
periods' cells, with a period effect per group, then each period predicted on the group's
pooled case mix (the formulas: :mod:`asylumstats.metrics.change` and the methodology)."""

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
    """The model with a period effect per group (factor ``group x period``, the last fixed)."""
    from threadpoolctl import threadpool_limits

    group_period = Factor(cells.group * 2 + cells.period, 2 * len(cells.groups), _RIDGE_DEFAULT)
    with threadpool_limits(limits=1, user_api="blas"):
        return fit_model(
            [*(cells.factor(c) for c in _FIXED), group_period],
            cells.factor("court_code"),
            cells.factor("judge_code"),
            cells.grants,
            cells.trials,
        )


def _difference(fit: Fit, cells: PeriodCells, group: int) -> tuple[float, float, float] | None:
    """The adjusted difference of one group and its delta-method 95% interval."""
    own = (cells.group == group) & (cells.trials > 0)
    weights = cells.trials[own]
    total = float(weights.sum())
    if not cells.trials[own & (cells.period == 0)].sum() or not (
        cells.trials[own & (cells.period == 1)].sum()
    ):
        return None
    gp_offset = fit.offsets[len(_FIXED)]
    judge, court = cells.columns["judge_code"][own], cells.columns["court_code"][own]
    own_period = fit.beta[gp_offset + 2 * group + cells.period[own]]
    eta = fit.base[own] - own_period + fit.court_eff[court] + fit.judge_eff[judge]
    rates, slopes = [], []
    for period in (0, 1):
        p = 1.0 / (1.0 + np.exp(-(eta + fit.beta[gp_offset + 2 * group + period])))
        rates.append(float((weights * p).sum()) / total)
        slopes.append(weights * p * (1 - p) / total)
    delta = slopes[1] - slopes[0]  # d(difference) / d(linear predictor), per cell
    grad = np.zeros(len(fit.beta))
    grad[0] = delta.sum()
    factors = [*(cells.factor(c) for c in _FIXED), None, cells.factor("court_code")]
    for f, offset in zip(factors, fit.offsets, strict=True):
        if f is not None:
            grad[offset : offset + f.size] = np.bincount(f.codes[own], delta, f.size)
    grad[gp_offset + 2 * group] = -slopes[0].sum()
    grad[gp_offset + 2 * group + 1] = slopes[1].sum()
    grad_u = np.bincount(judge, delta, len(fit.judge_eff))
    lead = grad - fit.m.T @ grad_u
    var = float(lead @ fit.s_inv @ lead + (grad_u**2 / fit.d).sum())
    diff = rates[1] - rates[0]
    half = Z95 * float(np.sqrt(max(var, 0.0)))
    return diff, max(-1.0, diff - half), min(1.0, diff + half)


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
    out: dict[tuple[Any, ...], tuple[float, float, float] | None] = {}
    for i, key in enumerate(cells.groups):
        got = _difference(fit, cells, i)
        out[key] = got if got is None or all(np.isfinite(got)) else None
    return out

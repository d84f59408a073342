"""Judges and courts compared fairly (SPEC §2.4): case-mix adjusted rates with partial pooling,
the comparison with the judge's court, a p-value and a Benjamini–Hochberg q-value.

The model (docs/methodology.md, "Adjusted rates") is fitted on grouped binomial counts: one
cell per (judge, court, fiscal year, custody, represented, asylum type, nationality) with its
grants and its decisions under the chosen definition, so national data is a few hundred
thousand cells, not millions of rows. On the log-odds scale

    logit P(grant) = intercept + fiscal year + custody + represented + asylum type
                     + nationality + court + judge,

with the judge effects drawn from N(0, tau^2) (a random effect: a judge with few decisions is
pulled toward the court) and weak ridge priors on the other effects. It is fitted by penalised
Newton steps, one factor at a time, with tau^2 re-estimated by the EM update of the Laplace
approximation (empirical Bayes). A judge's adjusted rate is the mean predicted grant share of
the judge, at the judge's main court, over the standard case mix: every cell of the query
weighted by its decisions. Everything is numpy: no statistics package on the import path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from asylumstats.errors import UserError
from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.dimensions import Dimension, parse_dimensions
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.rates import RateResult, rate_result, row_fields

#: The dimensions a judge's or court's rate is adjusted for (the ``adjusted_for`` list).
ADJUSTED_FOR: tuple[str, ...] = (
    "fiscal_year",
    "custody",
    "represented",
    "asylum_type",
    "nationality",
    "court",
)
#: Model columns of the covariates, in the order of :data:`ADJUSTED_FOR` (court last).
_COVARIATES: tuple[str, ...] = (
    "fiscal_year",
    "custody",
    "represented",
    "asylum_type",
    "nationality_code",
    "court_code",
)
#: Ridge penalty (1 / prior variance) of the fixed effects; nationality has many rare levels.
_RIDGE = {"nationality_code": 0.1}
_RIDGE_DEFAULT = 0.01
#: Fields added to each row by ``--adjust``.
JUDGE_FIELDS: tuple[str, ...] = (
    "adjusted_rate",
    "adjusted_ci_low",
    "adjusted_ci_high",
    "adjusted_for",
    "court_others_rate",
    "court_others_decisions",
    "p_value",
    "q_value",
)
COURT_FIELDS: tuple[str, ...] = (
    "adjusted_rate",
    "adjusted_ci_low",
    "adjusted_ci_high",
    "adjusted_for",
)
Z95 = 1.959963984540054


# ---------------------------------------------------------------------------- cells
#: The factor columns of a cell: the judge, then the covariates.
_FACTORS: tuple[str, ...] = ("judge_code", *_COVARIATES)


@dataclass
class Cells:
    """Grouped counts. ``codes[col]`` holds, per cell, the index of the cell's value in
    ``levels[col]`` (the sorted distinct values, NULL last); ``grants``, ``trials`` (the
    definition's decisions) and ``any_outcome`` (decisions of any outcome) are counts."""

    codes: dict[str, np.ndarray]
    levels: dict[str, list[Any]]
    grants: np.ndarray
    trials: np.ndarray
    any_outcome: np.ndarray


def cells_sql(definition: Definition, filters: Filters) -> tuple[str, list[Any]]:
    """The grouped-count query of the model: one row per cell, the factor values as their
    0-based rank among the distinct values (NULL last), so only integers come back."""
    d = definition
    trials = f"({d.grant_sql}) OR ({d.denial_sql})"
    if d.other_in_denominator:
        trials += f" OR ({d.other_sql})"
    where, params = filters.where()
    grouped = (
        f"SELECT {', '.join(_FACTORS)}, "
        f"SUM(CASE WHEN {d.grant_sql} THEN 1 ELSE 0 END) AS n_grants, "
        f"SUM(CASE WHEN {trials} THEN 1 ELSE 0 END) AS n_trials, "
        "COUNT(*) AS n_any "
        f"FROM {d.table} {where} GROUP BY {', '.join(_FACTORS)}"
    )
    levels = ", ".join(
        f"l{i} AS (SELECT v, row_number() OVER (ORDER BY v NULLS LAST) - 1 AS r "
        f"FROM (SELECT DISTINCT {c} AS v FROM g) AS d)"
        for i, c in enumerate(_FACTORS)
    )
    joins = " ".join(
        f"JOIN l{i} ON l{i}.v IS NOT DISTINCT FROM g.{c}" for i, c in enumerate(_FACTORS)
    )
    ranks = ", ".join(f"l{i}.r AS {c}" for i, c in enumerate(_FACTORS))
    sql = (
        f"WITH g AS ({grouped}), {levels} "
        f"SELECT {ranks}, n_grants, n_trials, n_any FROM g {joins} "
        f"ORDER BY {', '.join(_FACTORS)}"  # a fixed order: the sums do not vary
    )
    return sql, params


def levels_sql(column: str, definition: Definition, filters: Filters) -> tuple[str, list[Any]]:
    """The distinct values of a factor column, in the order of :func:`cells_sql`'s ranks."""
    where, params = filters.where()
    return (
        f"SELECT {column} FROM (SELECT DISTINCT {column} FROM {definition.table} {where}) AS v "
        f"ORDER BY {column} NULLS LAST",
        params,
    )


def load_cells(engine: Any, definition: Definition, filters: Filters) -> Cells:
    """Run :func:`cells_sql` (and :func:`levels_sql`) and return the cells as arrays."""
    sql, params = cells_sql(definition, filters)
    got = engine.query_columns(sql, params)
    names = [*_FACTORS, "n_grants", "n_trials", "n_any"]
    n = len(got[names[0]]) if names[0] in got else 0
    data = np.zeros((n, len(names)), dtype=np.int64)
    for i, name in enumerate(names):
        if n:
            data[:, i] = np.asarray(got[name], dtype=np.int64)
    levels = {}
    for col in _FACTORS:
        lsql, lparams = levels_sql(col, definition, filters)
        levels[col] = [r[0] for r in engine.query(lsql, lparams).rows]
    return Cells(
        codes={c: data[:, i] for i, c in enumerate(_FACTORS)},
        levels=levels,
        grants=data[:, -3].astype(float),
        trials=data[:, -2].astype(float),
        any_outcome=data[:, -1].astype(float),
    )


# ---------------------------------------------------------------------------- the fit
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass
class Factor:
    """One factor of the model: per-cell level index, number of levels, ridge penalty."""

    codes: np.ndarray
    size: int
    ridge: float


@dataclass
class Fit:
    """The fitted model. ``base``: per cell, the linear predictor without court and judge.
    ``beta`` holds the intercept, fixed and court effects (factor ``i`` of the fixed ones, then
    the court, from ``offsets[i]``); ``s_inv`` is their posterior covariance; ``m`` and ``d``
    give the judges' part of the inverse penalised Hessian: Cov(rest, judge j) = -s_inv @ m[j],
    Var(judge j) = 1/d_j + m[j] s_inv m[j]. ``mix``: the mean design row of the standard mix
    (trial-weighted)."""

    base: np.ndarray
    court_eff: np.ndarray
    judge_eff: np.ndarray
    s_inv: np.ndarray
    m: np.ndarray
    d: np.ndarray
    court_offset: int
    mix: np.ndarray
    tau2: float
    iterations: int
    beta: np.ndarray
    offsets: list[int]

    @property
    def judge_var(self) -> np.ndarray:
        return 1.0 / self.d + ((self.m @ self.s_inv) * self.m).sum(1)

    def variance(self, rest: np.ndarray, judges: np.ndarray) -> np.ndarray:
        """Var of (mix + rest) . beta + judges . u, per row of ``rest`` (rows x rest
        parameters: the court part) and ``judges`` (rows x judges), judge-judge covariances
        left out (they are small)."""
        lin = (self.mix[None, :] + rest) @ self.s_inv
        a = (lin * (self.mix[None, :] + rest)).sum(1)
        cross = -((lin @ self.m.T) * judges).sum(1)
        return a + 2 * cross + (judges**2 * self.judge_var[None, :]).sum(1)


def _cross(a: Factor, b: Factor, w: np.ndarray) -> np.ndarray:
    """The (a levels x b levels) block of X' W X: summed weights per pair of levels."""
    return np.bincount(a.codes * b.size + b.codes, w, a.size * b.size).reshape(a.size, b.size)


def _blocks(
    rest: Sequence[Factor], judge: Factor, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X' W X in blocks: ``a`` (intercept and the fixed factors, with the court), ``b``
    (those against the judges) and ``d`` (the judges: diagonal, one judge per cell)."""
    offsets = list(np.cumsum([1] + [f.size for f in rest])[:-1])
    size = 1 + sum(f.size for f in rest)
    a = np.zeros((size, size))
    a[0, 0] = w.sum()
    b = np.zeros((size, judge.size))
    d = np.bincount(judge.codes, w, judge.size)
    b[0] = d
    for i, f in enumerate(rest):
        oi = offsets[i]
        col = np.bincount(f.codes, w, f.size)
        a[0, oi : oi + f.size] = a[oi : oi + f.size, 0] = col
        a[oi : oi + f.size, oi : oi + f.size] = np.diag(col)
        b[oi : oi + f.size] = _cross(f, judge, w)
        for j in range(i + 1, len(rest)):
            g, oj = rest[j], offsets[j]
            block = _cross(f, g, w)
            a[oi : oi + f.size, oj : oj + g.size] = block
            a[oj : oj + g.size, oi : oi + f.size] = block.T
    return a, b, d


def fit_model(
    fixed: Sequence[Factor],
    court: Factor,
    judge: Factor,
    grants: np.ndarray,
    trials: np.ndarray,
    max_iter: int = 200,
) -> Fit:
    """Penalised binomial fit by Newton steps on all effects at once, the judge effects a
    N(0, tau^2) random effect whose variance is re-estimated after each step by the EM update
    of the Laplace approximation (tau^2 = mean of u_j^2 + Var(u_j)), until both settle.

    The judges' block of the Hessian is diagonal (a cell has one judge), so each step solves
    the small system of the other effects (a Schur complement) and then the judges'."""
    rest = [*fixed, court]
    offsets = list(np.cumsum([1] + [f.size for f in rest])[:-1])
    size = 1 + sum(f.size for f in rest)
    ok = trials > 0
    y, n = grants[ok], trials[ok]
    sub = [Factor(f.codes[ok], f.size, f.ridge) for f in rest]
    jsub = Factor(judge.codes[ok], judge.size, 0.0)
    beta = np.zeros(size)
    u = np.zeros(judge.size)
    total = max(float(n.sum()), 1.0)
    p0 = min(max(float(y.sum()) / total, 1e-3), 1 - 1e-3)
    beta[0] = math.log(p0 / (1 - p0))
    seen = np.bincount(jsub.codes, n, judge.size) > 0
    tau2 = 0.5
    penalty = np.zeros(size)
    for f, o in zip(rest, offsets, strict=True):
        penalty[o : o + f.size] = f.ridge
    penalty[0] = 1e-8
    s_inv = np.eye(size)
    m = np.zeros((judge.size, size))
    d = np.ones(judge.size)
    history: list[float] = []
    for _it in range(max_iter):
        eta = beta[0] + u[jsub.codes]
        for f, o in zip(sub, offsets, strict=True):
            eta += beta[o + f.codes]
        p = _sigmoid(eta)
        w = n * p * (1 - p)
        r = y - n * p
        ga = np.zeros(size)
        ga[0] = r.sum()
        for f, o in zip(sub, offsets, strict=True):
            ga[o : o + f.size] = np.bincount(f.codes, r, f.size)
        ga -= penalty * beta
        gd = np.bincount(jsub.codes, r, judge.size) - u / tau2
        a, b, d = _blocks(sub, jsub, w)
        a += np.diag(penalty)
        d = d + 1.0 / tau2
        m = b.T / d[:, None]  # D^-1 B'
        s_inv = np.linalg.inv(a - b @ m)
        step_a = s_inv @ (ga - m.T @ gd)
        step_d = gd / d - m @ step_a
        biggest = float(max(np.abs(step_a).max(), np.abs(step_d).max(initial=0.0)))
        if biggest > 3:
            step_a *= 3 / biggest
            step_d *= 3 / biggest
        beta += step_a
        u += step_d
        var_u = 1.0 / d + ((m @ s_inv) * m).sum(1)
        if biggest > 1e-3:  # the effects first settle for the current tau^2
            continue
        new_tau2 = float(np.mean(u[seen] ** 2 + var_u[seen])) if seen.any() else tau2
        settled = abs(new_tau2 - tau2) < 1e-4 * max(tau2, 1e-3)
        history.append(new_tau2)
        if len(history) == 3:  # EM converges linearly: Aitken's extrapolation speeds it up
            t0, t1, t2 = history
            denom = t2 - 2 * t1 + t0
            ratio = (t2 - t1) / (t1 - t0) if t1 != t0 else 0.0
            if 0 < ratio < 0.95 and denom != 0:
                new_tau2 = min(max(t2 - (t2 - t1) ** 2 / denom, t2 / 4), 4 * t2)
            history = []
        tau2 = min(max(new_tau2, 1e-4), 25.0)
        if settled:
            break
    base = np.full(len(grants), beta[0])
    for f, o in zip(fixed, offsets[: len(fixed)], strict=True):
        base += beta[o + f.codes]
    mix = np.zeros(size)
    mix[0] = 1.0
    for f, o in zip(sub[: len(fixed)], offsets[: len(fixed)], strict=True):
        mix[o : o + f.size] = np.bincount(f.codes, n, f.size) / total
    co, cs = offsets[-1], court.size
    return Fit(
        base=base,
        court_eff=beta[co : co + cs].copy(),
        judge_eff=u,
        s_inv=s_inv,
        m=m,
        d=d,
        court_offset=co,
        mix=mix,
        tau2=tau2,
        iterations=_it + 1,
        beta=beta,
        offsets=[int(o) for o in offsets],
    )


class Standardizer:
    """F(theta): the mean of sigmoid(base + theta) over the standard case mix (weights:
    decisions). Cells with (almost) the same base are merged, so it is cheap to evaluate for
    every judge at once; F is increasing, so an interval for theta maps to one for F."""

    def __init__(self, base: np.ndarray, weights: np.ndarray) -> None:
        keep = weights > 0
        rounded = np.round(base[keep], 3)
        values, inverse = np.unique(rounded, return_inverse=True)
        self.values = values
        self.weights = np.bincount(inverse, weights[keep], len(values))
        self.total = float(self.weights.sum())

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        if self.total <= 0 or not len(theta):
            return np.full(len(theta), np.nan)
        out = np.empty(len(theta))
        for a in range(0, len(theta), 256):
            t = theta[a : a + 256, None]
            out[a : a + 256] = (_sigmoid(self.values[None, :] + t) * self.weights).sum(1)
        return out / self.total


# ---------------------------------------------------------------------------- tests
def two_proportion_p(g1: int, n1: int, g2: int, n2: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test (the Pearson chi-square test of
    the 2x2 table, no continuity correction); None when either group is empty."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (g1 + g2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 1.0
    z = (g1 / n1 - g2 / n2) / math.sqrt(var)
    return math.erfc(abs(z) / math.sqrt(2))


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values) of the non-null p-values:
    q_(i) = min over k >= i of p_(k) m / k, capped at 1; None stays None."""
    idx = [i for i, p in enumerate(p_values) if p is not None]
    m = len(idx)
    out: list[float | None] = [None] * len(p_values)
    order = sorted(idx, key=lambda i: p_values[i])  # type: ignore[arg-type,return-value]
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, float(p_values[i]) * m / rank)  # type: ignore[arg-type]
        out[i] = running
    return out


# ---------------------------------------------------------------------------- entry points
@dataclass
class Adjusted:
    """The fit over the cells of a query, ready to give per-judge and per-court fields."""

    cells: Cells
    fit: Fit
    judges: list[Any]
    courts: list[Any]
    judge_codes: np.ndarray
    court_codes: np.ndarray
    standard: Standardizer


def adjust(engine: Any, filters: Filters, definition: Definition) -> Adjusted:
    """Load the cells of the query (the judge and court filters dropped, so the model sees
    every judge of the window) and fit the model."""
    cells = load_cells(engine, definition, filters.without("judge", "court"))

    def factor(col: str) -> Factor:
        ridge = _RIDGE.get(col, _RIDGE_DEFAULT)
        return Factor(cells.codes[col], len(cells.levels[col]), ridge)

    from threadpoolctl import threadpool_limits

    # the matrices are small (a few hundred rows): one BLAS thread is faster, and much
    # faster on a busy machine, than a pool of threads competing for its cores
    with threadpool_limits(limits=1, user_api="blas"):
        fit = fit_model(
            [factor(col) for col in _COVARIATES[:-1]],
            factor("court_code"),
            factor("judge_code"),
            cells.grants,
            cells.trials,
        )
    return Adjusted(
        cells,
        fit,
        cells.levels["judge_code"],
        cells.levels["court_code"],
        cells.codes["judge_code"],
        cells.codes["court_code"],
        Standardizer(fit.base, cells.trials),
    )


def _interval(a: Adjusted, theta: np.ndarray, var: np.ndarray) -> list[np.ndarray]:
    sd = np.sqrt(np.clip(var, 0.0, 25.0))
    return [a.standard(theta), a.standard(theta - Z95 * sd), a.standard(theta + Z95 * sd)]


def main_courts(a: Adjusted) -> np.ndarray:
    """Per judge level: the court level with most decisions of any outcome (ties: the
    alphabetically first court code; levels are sorted, so the lowest level)."""
    nj, nc = len(a.judges), len(a.courts)
    counts = np.bincount(a.judge_codes * nc + a.court_codes, a.cells.any_outcome, nj * nc)
    return counts.reshape(nj, nc).argmax(axis=1)


def _court_others(a: Adjusted, main: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per judge level: grants and decisions at the judge's main court, over the judge's
    fiscal years (those with a decision of any outcome), by anyone but the judge."""
    c = a.cells
    fyi = c.codes["fiscal_year"]
    nf, nc, nj = len(c.levels["fiscal_year"]), len(a.courts), len(a.judges)
    court_g = np.bincount(a.court_codes * nf + fyi, c.grants, nc * nf).reshape(nc, nf)
    court_n = np.bincount(a.court_codes * nf + fyi, c.trials, nc * nf).reshape(nc, nf)
    years = np.bincount(a.judge_codes * nf + fyi, c.any_outcome, nj * nf).reshape(nj, nf) > 0
    at_main = a.court_codes == main[a.judge_codes]
    key = a.judge_codes[at_main] * nf + fyi[at_main]
    own_g = np.bincount(key, c.grants[at_main], nj * nf).reshape(nj, nf)
    own_n = np.bincount(key, c.trials[at_main], nj * nf).reshape(nj, nf)
    others_g = (np.where(years, court_g[main], 0) - own_g).sum(1)
    others_n = (np.where(years, court_n[main], 0) - own_n).sum(1)
    return others_g, others_n


def judge_fields(a: Adjusted, definition: Definition) -> dict[str, dict[str, Any]]:
    """Per judge code: the adjusted rate and interval, the court's other judges, p and q."""
    f, c = a.fit, a.cells
    main = main_courts(a)
    nj = len(a.judges)
    theta = f.court_eff[main] + f.judge_eff
    rest = np.zeros((nj, len(f.mix)))
    rest[np.arange(nj), f.court_offset + main] = 1.0
    var = np.concatenate(
        [f.variance(rest[i : i + 512], np.eye(nj)[i : i + 512]) for i in range(0, nj, 512)]
    )
    rate, low, high = _interval(a, theta, var)
    others_g, others_n = _court_others(a, main)
    own_g = np.bincount(a.judge_codes, c.grants, len(a.judges))
    own_n = np.bincount(a.judge_codes, c.trials, len(a.judges))
    out: dict[str, dict[str, Any]] = {}
    for j, code in enumerate(a.judges):
        if code is None:
            continue
        has = own_n[j] > 0
        on = int(round(others_n[j]))
        out[str(code)] = {
            "adjusted_rate": float(rate[j]) if has else None,
            "adjusted_ci_low": float(low[j]) if has else None,
            "adjusted_ci_high": float(high[j]) if has else None,
            "adjusted_for": list(ADJUSTED_FOR),
            "court_others_rate": float(others_g[j] / others_n[j]) if on > 0 else None,
            "court_others_decisions": on,
            "p_value": two_proportion_p(
                int(round(own_g[j])), int(round(own_n[j])), int(round(others_g[j])), on
            ),
            "q_value": None,
        }
    return out


def court_fields(a: Adjusted) -> dict[str, dict[str, Any]]:
    """Per court code: the adjusted rate (the court effect plus its judges' effects weighted
    by their decisions there) and interval."""
    f, c = a.fit, a.cells
    nc, nj = len(a.courts), len(a.judges)
    share = np.bincount(a.court_codes * nj + a.judge_codes, c.trials, nc * nj).reshape(nc, nj)
    total = share.sum(1)
    share = share / np.maximum(total, 1e-12)[:, None]
    theta = f.court_eff + share @ f.judge_eff
    rest = np.zeros((nc, len(f.mix)))
    rest[np.arange(nc), f.court_offset + np.arange(nc)] = 1.0
    var = f.variance(rest, share)
    rate, low, high = _interval(a, theta, var)
    out: dict[str, dict[str, Any]] = {}
    for i, code in enumerate(a.courts):
        if code is None:
            continue
        has = total[i] > 0
        out[str(code)] = {
            "adjusted_rate": float(rate[i]) if has else None,
            "adjusted_ci_low": float(low[i]) if has else None,
            "adjusted_ci_high": float(high[i]) if has else None,
            "adjusted_for": [d for d in ADJUSTED_FOR if d != "court"],
        }
    return out


def adjusted_fields(
    engine: Any,
    filters: Filters,
    definition: str | Definition,
    by: str | Sequence[str] | Sequence[Dimension] | None,
) -> tuple[str, dict[str, dict[str, Any]]]:
    """The ``--adjust`` fields per row key: ``(key column, {code: fields})`` for ``--by
    judge`` (``judge_code``) or ``--by court`` (``court_code``); other groupings are a
    :class:`UserError`."""
    d = get_definition(definition)
    dims = by if by and isinstance(list(by)[0], Dimension) else parse_dimensions(by)  # type: ignore[arg-type]
    names = [dim.name for dim in dims]  # type: ignore[union-attr]
    if names not in (["judge"], ["court"]):
        raise UserError("--adjust works with --by judge or --by court.")
    a = adjust(engine, filters, d)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        if names == ["judge"]:
            return "judge_code", judge_fields(a, d)
        return "court_code", court_fields(a)


def add_adjusted(
    rows: list[dict[str, Any]], key: str, fields: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows with their adjusted fields added (in place); with ``q_value`` computed by
    Benjamini–Hochberg over the rows' p-values."""
    names = JUDGE_FIELDS if key == "judge_code" else COURT_FIELDS
    for row in rows:
        extra = fields.get(str(row.get(key)), {})
        for name in names:
            row[name] = extra.get(name, [] if name == "adjusted_for" else None)
    if key == "judge_code":
        qs = benjamini_hochberg([r["p_value"] for r in rows])
        for row, q in zip(rows, qs, strict=True):
            row["q_value"] = q
    return rows


@dataclass
class AdjustedRateResult(RateResult):
    """A :class:`RateResult` whose rows carry the ``--adjust`` fields."""

    key: str = "judge_code"

    @property
    def fields(self) -> list[str]:
        extra = JUDGE_FIELDS if self.key == "judge_code" else COURT_FIELDS
        return [*row_fields(self.by), *extra]


def adjusted_rate_result(
    engine: Any,
    by: str | Sequence[str] | None,
    filters: Filters | None = None,
    definition: str | Definition = "merits",
) -> AdjustedRateResult:
    """``rate_result`` plus the adjusted fields (``rate --by judge|court --adjust``)."""
    f = filters or Filters()
    result = rate_result(engine, by, f, definition)
    key, fields = adjusted_fields(engine, f, result.definition, result.by)
    add_adjusted(result.rows, key, fields)
    return AdjustedRateResult(**vars(result), key=key)

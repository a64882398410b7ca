"""τ² estimators and the O(k) statistics of the random-effects model (DL, PM, REML)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from b12stats.errors import OptionError
from b12stats.stats.meta._options import REML_MAXITER, REML_THRESHOLD, ROOT_XTOL


@dataclass(frozen=True)
class _PStats:
    """What the fits need of ``P = W - w w'/Σw`` (``w = 1/(v + τ²)``), in O(k) memory.

    P is never formed (k x k would need 8 k² bytes: 18 GiB at k = 50,000). For
    the intercept-only model, with ``s = Σ w``:
    ``P y = w (y - μ̂)``, ``y'Py = Σ w (y - μ̂)²``, ``tr P = Σ w - Σ w²/s`` and
    ``tr(PP) = Σ w² - 2 Σ w³/s + (Σ w²)²/s²``.
    """

    py: np.ndarray
    ypy: float
    trace: float
    trace_pp: float


def _p_stats(yi: np.ndarray, vi: np.ndarray, tau2: float) -> _PStats:
    w = 1.0 / (vi + tau2)
    s = float(w.sum())
    mu = float(np.sum(w * yi) / s)
    resid = yi - mu
    py = w * resid
    sw2 = float(np.sum(w * w))
    return _PStats(
        py=py,
        ypy=float(np.sum(py * resid)),
        trace=s - sw2 / s,
        trace_pp=sw2 - 2.0 * float(np.sum(w**3)) / s + sw2 * sw2 / (s * s),
    )


def _q_gen(yi: np.ndarray, vi: np.ndarray, tau2: float) -> float:
    """Generalised Q statistic ``Σ w_i (y_i - μ̂(τ²))²`` with ``w = 1/(v + τ²)``."""
    w = 1.0 / (vi + tau2)
    mu = float(np.sum(w * yi) / np.sum(w))
    return float(np.sum(w * (yi - mu) ** 2))


def _solve_q(yi: np.ndarray, vi: np.ndarray, target: float) -> float:
    """Smallest τ² ≥ 0 with generalised Q equal to ``target`` (Q decreases in τ²)."""
    if _q_gen(yi, vi, 0.0) <= target:
        return 0.0
    upper = max(100.0, 10.0 * float(np.var(yi, ddof=1)) if yi.size > 1 else 100.0)
    for _ in range(60):
        if _q_gen(yi, vi, upper) < target:
            break
        upper *= 10.0
    else:  # pragma: no cover - Q tends to 0 as τ² grows, so this cannot happen
        raise OptionError("could not bracket τ² for the generalised Q equation")
    root = optimize.brentq(
        lambda t: _q_gen(yi, vi, t) - target, 0.0, upper, xtol=ROOT_XTOL, rtol=1e-15
    )
    return float(root)


def _reml_loglik(yi: np.ndarray, vi: np.ndarray, tau2: float) -> float:
    """Restricted log-likelihood of the intercept-only model (up to a constant)."""
    w = 1.0 / (vi + tau2)
    mu = float(np.sum(w * yi) / np.sum(w))
    return float(
        -0.5 * np.sum(np.log(vi + tau2))
        - 0.5 * math.log(w.sum())
        - 0.5 * np.sum(w * (yi - mu) ** 2)
    )


def _reml_score(yi: np.ndarray, vi: np.ndarray, tau2: float) -> float:
    """Twice the REML score ``y'PPy - tr P`` at ``τ²`` (decreasing through the maximum)."""
    ps = _p_stats(yi, vi, tau2)
    return float(ps.py @ ps.py) - ps.trace


def _reml_root(yi: np.ndarray, vi: np.ndarray) -> float:
    """REML τ² as the root of the score on ``[0, upper]`` (Brent); 0 if the score is <= 0 there."""
    if _reml_score(yi, vi, 0.0) <= 0.0:
        return 0.0
    upper = max(float(np.var(yi)), float(np.max(vi)))
    for _ in range(60):
        if _reml_score(yi, vi, upper) < 0.0:
            break
        upper *= 10.0
    else:  # pragma: no cover - y'PPy -> 0 and tr P -> 0 like 1/τ² and (k-1)/τ²
        raise OptionError("could not bracket the REML τ²; try method='PM' or 'DL'")
    root = optimize.brentq(
        lambda t: _reml_score(yi, vi, t), 0.0, upper, xtol=ROOT_XTOL, rtol=1e-15
    )
    return float(root)


def _tau2_reml(yi: np.ndarray, vi: np.ndarray, notes: list[str]) -> tuple[float, float]:
    """REML τ² by Fisher scoring (metafor's algorithm); returns ``(tau2, se_tau2)``.

    Fisher scoring takes the expected information for the curvature; when the
    sampling variances differ widely and τ² is small but positive the steps
    overshoot and the iterates oscillate with growing amplitude (k = 2,000
    effects with ``vi`` from 0.001 to 0.05; metafor's remedy is ``stepadj``).
    When scoring has not converged in :data:`REML_MAXITER` iterations, τ² is
    the root of the REML score equation on ``[0, upper]`` by Brent's method
    (the same maximum, found by bracketing), and a note says so. The checks
    at the boundary τ² = 0 follow in both cases.
    """
    k = yi.size
    # starting value: Hedges (HE) estimator, as metafor
    rss = float(np.sum((yi - yi.mean()) ** 2))
    tr_pv = float(vi.sum() * (k - 1) / k)
    tau2 = max(0.0, (rss - tr_pv) / (k - 1))
    for _ in range(REML_MAXITER):
        ps = _p_stats(yi, vi, tau2)
        adj = (float(ps.py @ ps.py) - ps.trace) / ps.trace_pp
        if tau2 + adj < 0.0:
            if tau2 == 0.0:
                break  # score points below the boundary: maximum at τ² = 0
            while tau2 + adj < 0.0:
                adj /= 2.0
        tau2 += adj
        if abs(adj) < REML_THRESHOLD:
            break
    else:
        tau2 = _reml_root(yi, vi)
        notes.append(
            f"REML: Fisher scoring oscillated without converging in {REML_MAXITER} "
            "iterations; τ² is the root of the REML score equation (Brent's method)"
        )
    if 0.0 < tau2 < 1e3 * REML_THRESHOLD:
        # iterating towards the boundary: settle at 0 if the score there is <= 0
        ps0 = _p_stats(yi, vi, 0.0)
        if float(ps0.py @ ps0.py) - ps0.trace <= 0.0:
            tau2 = 0.0
    if tau2 > 0.0 and _reml_loglik(yi, vi, 0.0) > _reml_loglik(yi, vi, tau2) + 1e-10:
        notes.append("REML: Fisher scoring stopped at a local maximum; τ² set to 0 (as metafor)")
        tau2 = 0.0
    return tau2, math.sqrt(2.0 / _p_stats(yi, vi, tau2).trace_pp)

"""Random-effects meta-analysis of correlations (Fisher z), aligned with R's metafor.

Layers, from generic to specific:

* :func:`rma` pools generic effect sizes ``yi`` with sampling variances ``vi``
  (equal-effects model or random-effects model with τ² by DerSimonian-Laird,
  REML or Paule-Mandel; Wald *z* or Knapp-Hartung *t* inference) and returns
  an :class:`RmaFit`.
* :func:`meta_correlations` pools correlations ``r`` with sample sizes ``n``
  on the Fisher-z scale (``yi = atanh(r)``, ``vi = 1/(n - 3)``, metafor's
  ``measure = "ZCOR"``) and back-transforms to *r*; it returns a
  :class:`MetaResult`. :func:`leave_one_out` and :func:`subgroup` repeat it.
* :func:`pool_table` pools a tidy table of published correlations, group by
  group, refusing (or, on request, listing and skipping) rows that cannot be
  pooled: rows without *r* or *n*, adjusted coefficients mixed with raw
  correlations, different variable pairs in one pool, non-primary sources.

Formulas (intercept-only model, ``k`` studies, ``w_i = 1/(v_i + τ²)``)::

    estimate  μ̂ = Σ w_i y_i / Σ w_i,       Var(μ̂) = 1 / Σ w_i
    Q         = Σ (y_i - ȳ_EE)² / v_i        (equal-effects weights, k - 1 df)
    DL        τ² = max(0, (Q - (k - 1)) / (Σ 1/v_i - Σ 1/v_i² / Σ 1/v_i))
    PM        τ² solves Σ w_i (y_i - μ̂(τ²))² = k - 1 (0 if Q < k - 1)
    REML      Fisher scoring  τ² += (y'PPy - tr P) / tr(PP),
              P = W - w w' / Σ w_i  (metafor's algorithm, run to convergence)
    knha      Var(μ̂) · Σ w_i (y_i - μ̂)² / (k - 1), t with k - 1 df
    PI        μ̂ ± c · sqrt(SE(μ̂)² + τ²), c the same normal or t quantile as the CI
    I², H²    I² = 100 τ² / (τ² + s²), H² = 1 + τ²/s², with the "typical"
              within-study variance s² = (k - 1) / (Σ 1/v_i - Σ 1/v_i² / Σ 1/v_i);
              for the equal-effects model I² = max(0, 100 (Q - (k-1)) / Q), H² = Q/(k-1)
    τ² CI     Q-profile: Σ w_i(τ²) (y_i - μ̂(τ²))² equal to the χ²_{k-1}
              quantiles 1 - α/2 (lower bound) and α/2 (upper bound)

With one study nothing about heterogeneity can be estimated (τ², Q, I², H² and
the prediction interval are NaN, and Knapp-Hartung has 0 degrees of freedom);
with few studies a τ² truncated at 0 is reported with a note saying that it is
not evidence of homogeneity.

References
----------
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
*J Stat Softw* 36(3):1-48. doi:10.18637/jss.v036.i03

DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. *Control Clin
Trials* 7:177-188. doi:10.1016/0197-2456(86)90046-2

Paule RC, Mandel J (1982). Consensus values and weighting factors. *J Res Natl
Bur Stand* 87:377-385. doi:10.6028/jres.087.022

Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression
with a single covariate. *Stat Med* 22:2693-2710. doi:10.1002/sim.1482

Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
meta-analysis. *Stat Med* 26:37-52. doi:10.1002/sim.2514

Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis.
*Stat Med* 21:1539-1558. doi:10.1002/sim.1186
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from b12stats._validation import (
    UNIT_OPEN,
    Integral,
    Interval,
    Options,
    cluster_ids,
    numeric_array,
    validate_params,
)
from b12stats.errors import DataValidationError, OptionError

__all__ = [
    "METHODS",
    "TESTS",
    "MetaResult",
    "MetaTable",
    "RmaFit",
    "leave_one_out",
    "meta_correlations",
    "pool_table",
    "rma",
    "subgroup",
]

#: τ² estimators (``"EE"`` is the equal-effects model, τ² = 0 by assumption).
METHODS = ("REML", "DL", "PM", "EE")
#: Inference for the pooled estimate: Wald ``"z"`` or Knapp-Hartung ``"knha"``.
TESTS = ("z", "knha")

#: Convergence threshold on the change in τ² for REML Fisher scoring (metafor's
#: default is 1e-5; we iterate further so results match a converged metafor fit).
REML_THRESHOLD = 1e-12
#: Maximum Fisher-scoring iterations.
REML_MAXITER = 1000
#: Absolute tolerance on τ² for the root finders (PM, Q-profile).
ROOT_XTOL = 1e-15

SUMMARY_COLUMNS = (
    "group",
    "k",
    "n_total",
    "estimate_z",
    "se_z",
    "statistic",
    "df",
    "p_value",
    "ci_low_z",
    "ci_high_z",
    "pi_low_z",
    "pi_high_z",
    "estimate_r",
    "ci_low_r",
    "ci_high_r",
    "pi_low_r",
    "pi_high_r",
    "tau2",
    "tau2_ci_low",
    "tau2_ci_high",
    "tau",
    "i2",
    "i2_ci_low",
    "i2_ci_high",
    "h2",
    "h2_ci_low",
    "h2_ci_high",
    "q",
    "q_df",
    "q_p_value",
    "method",
    "test",
    "conf_level",
    "note",
)

STUDY_COLUMNS = (
    "group",
    "label",
    "r",
    "n",
    "z",
    "vi",
    "ci_low_z",
    "ci_high_z",
    "ci_low_r",
    "ci_high_r",
    "weight_pct",
)


# ---------------------------------------------------------------------------
# generic random-effects model
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RmaFit:
    """Result of :func:`rma` (intercept-only meta-analytic model).

    All quantities are on the scale of ``yi``. Quantities that cannot be
    estimated from the data at hand are NaN and ``notes`` says why.
    """

    k: int
    method: str
    test: str
    conf_level: float
    estimate: float
    se: float
    statistic: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_se: float
    tau2_ci_low: float
    tau2_ci_high: float
    i2: float
    i2_ci_low: float
    i2_ci_high: float
    h2: float
    h2_ci_low: float
    h2_ci_high: float
    q: float
    q_df: float
    q_p_value: float
    s2w: float
    vt: float
    yi: np.ndarray = field(repr=False)
    vi: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def tau(self) -> float:
        """τ, the standard deviation of the true effects."""
        return math.sqrt(self.tau2) if self.tau2 >= 0 else math.nan

    @property
    def note(self) -> str:
        """The notes joined into one line."""
        return "; ".join(self.notes)

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy summary (columns do not depend on the options).

        Examples
        --------
        >>> fit = rma([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], method="DL")
        >>> list(fit.to_frame().columns[:5])
        ['k', 'estimate', 'se', 'statistic', 'df']
        """
        row = {
            "k": self.k,
            "estimate": self.estimate,
            "se": self.se,
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "tau2": self.tau2,
            "tau2_se": self.tau2_se,
            "tau2_ci_low": self.tau2_ci_low,
            "tau2_ci_high": self.tau2_ci_high,
            "tau": self.tau,
            "i2": self.i2,
            "i2_ci_low": self.i2_ci_low,
            "i2_ci_high": self.i2_ci_high,
            "h2": self.h2,
            "h2_ci_low": self.h2_ci_low,
            "h2_ci_high": self.h2_ci_high,
            "q": self.q,
            "q_df": self.q_df,
            "q_p_value": self.q_p_value,
            "method": self.method,
            "test": self.test,
            "conf_level": self.conf_level,
            "note": self.note,
        }
        return pd.DataFrame([row])


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


def _tau2_reml(yi: np.ndarray, vi: np.ndarray, notes: list[str]) -> tuple[float, float]:
    """REML τ² by Fisher scoring (metafor's algorithm); returns ``(tau2, se_tau2)``."""
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
        raise OptionError(
            f"REML Fisher scoring did not converge in {REML_MAXITER} iterations; "
            "try method='PM' or 'DL'"
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


def _check_arrays(yi: Any, vi: Any) -> tuple[np.ndarray, np.ndarray]:
    y = numeric_array("yi", yi, ndim=(0, 1), error=DataValidationError).ravel()
    v = numeric_array("vi", vi, ndim=(0, 1), error=DataValidationError).ravel()
    if y.shape != v.shape:
        raise OptionError(f"yi and vi differ in length ({y.size} vs {v.size})")
    if y.size == 0:
        raise OptionError("nothing to pool: no studies")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise DataValidationError(f"yi[{bad[0]}] is not a finite number ({y[bad[0]]})")
    bad = np.flatnonzero(~np.isfinite(v) | (v <= 0))
    if bad.size:
        raise DataValidationError(f"vi[{bad[0]}] must be a finite positive variance ({v[bad[0]]})")
    return y, v


_POOL_OPTIONS: dict[str, list[Any]] = {
    "method": [Options(METHODS)],
    "test": [Options(TESTS)],
    "conf_level": [UNIT_OPEN],
}
_LABELS = [None, "sequence"]


@validate_params(_POOL_OPTIONS)
def rma(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
) -> RmaFit:
    """Pool effect sizes with an equal-effects or random-effects model.

    Mirrors ``metafor::rma(yi, vi, method=, test=)`` for the intercept-only
    model, with ``predict()`` (prediction interval) and ``confint()``
    (Q-profile CI of τ², I² and H²). See the module docstring for formulas.

    Parameters
    ----------
    yi, vi
        Effect sizes and their sampling variances (``vi > 0``).
    method
        ``"REML"`` (default), ``"DL"`` (DerSimonian-Laird), ``"PM"``
        (Paule-Mandel) or ``"EE"`` (equal-effects model, τ² = 0 assumed).
    test
        ``"z"`` (Wald, normal quantiles) or ``"knha"`` (Knapp-Hartung
        variance with *t* quantiles on k - 1 df, also for the prediction
        interval, as metafor's ``predict()``).
    conf_level
        Confidence level of the CI, the prediction interval and the τ² CI.

    Returns
    -------
    RmaFit

    References
    ----------
    Viechtbauer W (2010). *J Stat Softw* 36(3). doi:10.18637/jss.v036.i03

    Examples
    --------
    >>> fit = rma([0.10, 0.30, 0.35, 0.05], [0.01, 0.02, 0.015, 0.012], method="DL")
    >>> round(fit.estimate, 4), round(fit.tau2, 4), fit.k
    (0.1837, 0.0077, 4)
    """
    y, v = _check_arrays(yi, vi)
    k = y.size
    alpha = 1.0 - conf_level
    notes: list[str] = []
    nan = math.nan
    is_ee = method == "EE"

    # --- heterogeneity statistics (equal-effects weights) -----------------
    p0 = _p_stats(y, v, 0.0)
    if k > 1:
        q = max(0.0, p0.ypy)
        q_df = float(k - 1)
        q_p = float(stats.chi2.sf(q, k - 1))
        vt = (k - 1) / p0.trace
    else:
        q = q_df = q_p = vt = nan

    # --- τ² ----------------------------------------------------------------
    tau2_se = nan
    if is_ee:
        tau2 = 0.0
        notes.append("equal-effects model: τ² fixed at 0 by assumption, not estimated")
    elif k == 1:
        tau2 = nan
        notes.append("k = 1: τ², Q, I², H² and the prediction interval cannot be estimated")
    elif method == "DL":
        tr_p = p0.trace
        tau2 = max(0.0, (q - (k - 1)) / tr_p)
        tau2_se = math.sqrt((2 * (k - 1) + 4 * tau2 * tr_p + 2 * tau2**2 * p0.trace_pp) / tr_p**2)
    elif method == "PM":
        tau2 = _solve_q(y, v, float(k - 1))
        wt = 1.0 / (v + tau2)
        tau2_se = math.sqrt(2 * k**2 / (k - 1) / float(wt.sum()) ** 2)
    else:  # REML
        tau2, tau2_se = _tau2_reml(y, v, notes)

    # --- pooled estimate ---------------------------------------------------
    tau2_w = 0.0 if (is_ee or math.isnan(tau2)) else tau2
    w = 1.0 / (v + tau2_w)
    estimate = float(np.sum(w * y) / w.sum())
    var = 1.0 / float(w.sum())
    s2w = 1.0
    if test == "knha":
        if k == 1:
            s2w = nan
            notes.append("k = 1: Knapp-Hartung has 0 degrees of freedom; no SE or CI")
        else:
            rss = float(np.sum(w * (y - estimate) ** 2))
            s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - 1)
        df = float(k - 1) if k > 1 else nan
        crit = float(stats.t.ppf(1 - alpha / 2, df)) if k > 1 else nan
    else:
        df = nan
        crit = float(stats.norm.ppf(1 - alpha / 2))
    se = math.sqrt(var * s2w) if not math.isnan(s2w) else nan
    if se > 0 or math.isnan(se):
        statistic = estimate / se
    else:  # Knapp-Hartung scale 0 (identical effects): as R (and metafor), est / 0 = ±Inf
        statistic = math.copysign(math.inf, estimate) if estimate != 0 else nan
    if test == "knha":
        p_value = float(2 * stats.t.sf(abs(statistic), df)) if k > 1 else nan
    else:
        p_value = float(2 * stats.norm.sf(abs(statistic)))
    ci_low, ci_high = estimate - crit * se, estimate + crit * se

    # --- prediction interval (metafor predict(), pi.type = "default") ------
    if is_ee or k == 1:
        pi_low = pi_high = nan
    else:
        half = crit * math.sqrt(se**2 + tau2)
        pi_low, pi_high = estimate - half, estimate + half

    # --- I², H² -------------------------------------------------------------
    if k == 1:
        i2 = h2 = nan
    elif is_ee:
        i2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
    else:
        i2 = 100 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1

    # --- Q-profile CI for τ² (metafor confint()) ----------------------------
    tau2_ci_low = tau2_ci_high = nan
    if not is_ee and k > 1:
        crit_u = float(stats.chi2.ppf(1 - alpha / 2, k - 1))
        crit_l = float(stats.chi2.ppf(alpha / 2, k - 1))
        tau2_ci_low = _solve_q(y, v, crit_u)
        tau2_ci_high = _solve_q(y, v, crit_l)
        if tau2_ci_high == 0.0:
            notes.append(
                f"Q = {q:.3g} is below the {alpha / 2:g} quantile of χ²({k - 1}): "
                "the Q-profile CI for τ² is the null set, reported as [0, 0]"
            )
    if math.isnan(tau2_ci_low):
        i2_lo = i2_hi = h2_lo = h2_hi = nan
    else:
        i2_lo = 100 * tau2_ci_low / (vt + tau2_ci_low)
        i2_hi = 100 * tau2_ci_high / (vt + tau2_ci_high)
        h2_lo = tau2_ci_low / vt + 1
        h2_hi = tau2_ci_high / vt + 1

    # --- honest notes on few studies --------------------------------------
    if not is_ee and k > 1 and tau2 == 0.0:
        notes.append(
            f"τ² estimated at its boundary 0 from k = {k} studies (Q = {q:.3g} on {k - 1} df); "
            f"this is not evidence of homogeneity: τ² CI [{tau2_ci_low:.3g}, {tau2_ci_high:.3g}]"
        )
    elif not is_ee and k == 2:
        notes.append("k = 2: τ² rests on 1 degree of freedom and is very imprecise")
    if test == "knha" and k == 2:
        notes.append("k = 2: Knapp-Hartung t has 1 df, so the CI is very wide")

    weights = 100.0 * w / w.sum()
    return RmaFit(
        k=k,
        method=method,
        test=test,
        conf_level=conf_level,
        estimate=estimate,
        se=se,
        statistic=statistic,
        df=df,
        p_value=p_value,
        ci_low=ci_low,
        ci_high=ci_high,
        pi_low=pi_low,
        pi_high=pi_high,
        tau2=tau2,
        tau2_se=tau2_se,
        tau2_ci_low=tau2_ci_low,
        tau2_ci_high=tau2_ci_high,
        i2=i2,
        i2_ci_low=i2_lo,
        i2_ci_high=i2_hi,
        h2=h2,
        h2_ci_low=h2_lo,
        h2_ci_high=h2_hi,
        q=q,
        q_df=q_df,
        q_p_value=q_p,
        s2w=s2w,
        vt=vt,
        yi=y,
        vi=v,
        weights=weights,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------
# correlations on the Fisher-z scale
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MetaResult:
    """Pooled correlation: an :class:`RmaFit` on Fisher z plus the study data.

    Attributes
    ----------
    fit
        The model on the z scale (``yi = atanh(r)``, ``vi = 1/(n - 3)``).
    r, n
        The pooled correlations and sample sizes.
    labels
        One label per study.
    group
        Name of the pool (e.g. the variable pair), ``"all"`` by default.
    """

    fit: RmaFit
    r: np.ndarray = field(repr=False)
    n: np.ndarray = field(repr=False)
    labels: tuple[str, ...] = field(repr=False)
    group: str = "all"
    extra_notes: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of studies."""
        return self.fit.k

    @property
    def estimate_r(self) -> float:
        """Pooled estimate back-transformed to r (``tanh`` of the pooled z)."""
        return math.tanh(self.fit.estimate)

    @property
    def notes(self) -> tuple[str, ...]:
        """Model notes followed by notes about the pooled rows."""
        return self.fit.notes + self.extra_notes

    def to_frame(self) -> pd.DataFrame:
        """One-row summary on the z scale and back-transformed to r.

        Columns are :data:`SUMMARY_COLUMNS` whatever the options.

        Examples
        --------
        >>> res = meta_correlations([0.3, 0.5, 0.2], [40, 60, 100], method="DL")
        >>> row = res.to_frame().iloc[0]
        >>> int(row["k"]), round(float(row["estimate_r"]), 3), row["method"]
        (3, 0.332, 'DL')
        """
        f = self.fit
        row = {
            "group": self.group,
            "k": f.k,
            "n_total": int(np.sum(self.n)),
            "estimate_z": f.estimate,
            "se_z": f.se,
            "statistic": f.statistic,
            "df": f.df,
            "p_value": f.p_value,
            "ci_low_z": f.ci_low,
            "ci_high_z": f.ci_high,
            "pi_low_z": f.pi_low,
            "pi_high_z": f.pi_high,
            "estimate_r": math.tanh(f.estimate),
            "ci_low_r": math.tanh(f.ci_low),
            "ci_high_r": math.tanh(f.ci_high),
            "pi_low_r": math.tanh(f.pi_low),
            "pi_high_r": math.tanh(f.pi_high),
            "tau2": f.tau2,
            "tau2_ci_low": f.tau2_ci_low,
            "tau2_ci_high": f.tau2_ci_high,
            "tau": f.tau,
            "i2": f.i2,
            "i2_ci_low": f.i2_ci_low,
            "i2_ci_high": f.i2_ci_high,
            "h2": f.h2,
            "h2_ci_low": f.h2_ci_low,
            "h2_ci_high": f.h2_ci_high,
            "q": f.q,
            "q_df": f.q_df,
            "q_p_value": f.q_p_value,
            "method": f.method,
            "test": f.test,
            "conf_level": f.conf_level,
            "note": "; ".join(self.notes),
        }
        return pd.DataFrame([row], columns=list(SUMMARY_COLUMNS))

    def studies(self) -> pd.DataFrame:
        """Study-level table: r, n, z, its variance, normal CIs and weights (%).

        Study CIs are ``z ± z_{1-α/2} / sqrt(n - 3)`` (as metafor's forest
        plot); ``weight_pct`` is ``100 w_i / Σ w`` with the model's weights.

        Examples
        --------
        >>> res = meta_correlations([0.3, 0.5], [40, 60], method="EE")
        >>> res.studies()["weight_pct"].round(1).tolist()
        [39.4, 60.6]
        """
        f = self.fit
        crit = float(stats.norm.ppf(0.5 + f.conf_level / 2))
        half = crit * np.sqrt(f.vi)
        return pd.DataFrame(
            {
                "group": self.group,
                "label": list(self.labels),
                "r": self.r,
                "n": self.n,
                "z": f.yi,
                "vi": f.vi,
                "ci_low_z": f.yi - half,
                "ci_high_z": f.yi + half,
                "ci_low_r": np.tanh(f.yi - half),
                "ci_high_r": np.tanh(f.yi + half),
                "weight_pct": f.weights,
            },
            columns=list(STUDY_COLUMNS),
        )


def _check_correlations(
    r: Any, n: Any, labels: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    r_arr = numeric_array("r", r, ndim=(0, 1), error=DataValidationError).ravel()
    n_arr = numeric_array("n", n, ndim=(0, 1), error=DataValidationError).ravel()
    if r_arr.shape != n_arr.shape:
        raise OptionError(f"r and n differ in length ({r_arr.size} vs {n_arr.size})")
    if r_arr.size == 0:
        raise OptionError("nothing to pool: no correlations")
    if labels is None:
        labs = tuple(f"study {i + 1}" for i in range(r_arr.size))
    else:
        labs = tuple(str(x) for x in labels)
        if len(labs) != r_arr.size:
            raise OptionError(f"labels has {len(labs)} entries for {r_arr.size} correlations")
    for i, (ri, ni) in enumerate(zip(r_arr, n_arr, strict=True)):
        where = f"{labs[i]} (position {i})"
        if not np.isfinite(ri):
            raise DataValidationError(f"{where}: r is missing or not finite")
        if not -1.0 < ri < 1.0:
            raise DataValidationError(
                f"{where}: r = {ri:g} must lie strictly between -1 and 1 "
                "(Fisher z is infinite at ±1)"
            )
        if not np.isfinite(ni):
            what = "missing" if np.isnan(ni) else f"not finite ({ni:g})"
            raise DataValidationError(
                f"{where}: n is {what}; a correlation without n cannot be pooled"
            )
        if ni != math.floor(ni) or ni < 4:
            raise DataValidationError(
                f"{where}: n = {ni:g} must be a whole number of at least 4 (variance 1/(n - 3))"
            )
    return r_arr, n_arr, labs


@validate_params({**_POOL_OPTIONS, "labels": _LABELS, "group": ["str"]})
def meta_correlations(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
    group: str = "all",
) -> MetaResult:
    """Pool correlation coefficients on the Fisher-z scale.

    Each ``r`` becomes ``z = atanh(r)`` with sampling variance ``1/(n - 3)``
    (metafor's ``escalc(measure = "ZCOR")``); the z values are pooled by
    :func:`rma` and the estimate, CI and prediction interval are
    back-transformed with ``tanh`` (metafor's ``transf.ztor``).

    Parameters
    ----------
    r
        Correlations, strictly between -1 and 1.
    n
        Sample sizes, whole numbers of at least 4.
    method, test, conf_level
        See :func:`rma`.
    labels
        Study labels (default ``"study 1"``, ...).
    group
        Name of this pool, carried into the output tables.

    Returns
    -------
    MetaResult

    References
    ----------
    Fisher RA (1921). On the "probable error" of a coefficient of correlation
    deduced from a small sample. *Metron* 1:3-32.
    Viechtbauer W (2010). *J Stat Softw* 36(3). doi:10.18637/jss.v036.i03

    Examples
    --------
    >>> res = meta_correlations([0.36, 0.51, 0.20, 0.31], [90, 40, 67, 100])
    >>> round(res.estimate_r, 3), res.k, res.fit.method
    (0.33, 4, 'REML')
    """
    r_arr, n_arr, labs = _check_correlations(r, n, labels)
    fit = rma(
        np.arctanh(r_arr), 1.0 / (n_arr - 3.0), method=method, test=test, conf_level=conf_level
    )
    return MetaResult(fit=fit, r=r_arr, n=n_arr.astype(int), labels=labs, group=group)


@validate_params({**_POOL_OPTIONS, "labels": _LABELS})
def leave_one_out(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pool the correlations again without each study in turn.

    Returns one row per omitted study: ``omitted`` (its label) followed by
    :data:`SUMMARY_COLUMNS` (``group`` is ``"without <label>"``). As metafor's
    ``leave1out()``.

    Examples
    --------
    >>> loo = leave_one_out([0.36, 0.51, 0.20, 0.31], [90, 40, 67, 100], method="DL")
    >>> loo["omitted"].tolist()
    ['study 1', 'study 2', 'study 3', 'study 4']
    >>> loo["k"].tolist()
    [3, 3, 3, 3]
    """
    r_arr, n_arr, labs = _check_correlations(r, n, labels)
    if r_arr.size < 2:
        raise OptionError("leave-one-out needs at least 2 studies")
    rows = []
    for i, lab in enumerate(labs):
        keep = np.arange(r_arr.size) != i
        res = meta_correlations(
            r_arr[keep],
            n_arr[keep],
            method=method,
            test=test,
            conf_level=conf_level,
            labels=[x for j, x in enumerate(labs) if j != i],
            group=f"without {lab}",
        )
        frame = res.to_frame()
        frame.insert(0, "omitted", lab)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


@validate_params({**_POOL_OPTIONS, "labels": _LABELS, "groups": ["sequence"]})
def subgroup(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    groups: Sequence[Any],
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pool each subgroup separately (separate τ² per subgroup, as metafor's
    ``rma(..., subset = group == g)``).

    Returns one row per subgroup (:data:`SUMMARY_COLUMNS`, ``group`` holding
    the subgroup value as text), in order of first appearance, followed by a
    row ``group = "between subgroups"`` with the Wald test of equal subgroup
    means on the z scale: ``q = Σ (μ̂_g - μ̄)² / SE_g²`` with ``G - 1`` df
    (``q``, ``q_df``, ``q_p_value``; other columns NaN).

    Examples
    --------
    >>> out = subgroup([0.3, 0.4, 0.1, 0.15], [50, 60, 80, 70], ["a", "a", "b", "b"],
    ...                method="DL")
    >>> out["group"].tolist()
    ['a', 'b', 'between subgroups']
    >>> round(float(out["q_p_value"].iloc[-1]), 3)
    0.054
    """
    r_arr, n_arr, labs = _check_correlations(r, n, labels)
    g_arr = np.asarray(list(groups), dtype=object)
    cluster_ids("groups", g_arr)
    if g_arr.size != r_arr.size:
        raise OptionError(f"groups has {g_arr.size} entries for {r_arr.size} correlations")
    if pd.isna(g_arr).any():
        raise OptionError("groups has missing values; give every study a subgroup")
    names = list(dict.fromkeys(g_arr.tolist()))
    results = []
    for g in names:
        mask = g_arr == g
        results.append(
            meta_correlations(
                r_arr[mask],
                n_arr[mask],
                method=method,
                test=test,
                conf_level=conf_level,
                labels=[x for x, m in zip(labs, mask, strict=True) if m],
                group=str(g),
            )
        )
    frame = pd.concat([res.to_frame() for res in results], ignore_index=True)
    return pd.concat([frame, _between_row(results, method, test, conf_level)], ignore_index=True)


def _between_row(
    results: Sequence[MetaResult], method: str, test: str, conf_level: float
) -> pd.DataFrame:
    est = np.array([res.fit.estimate for res in results])
    se = np.array([res.fit.se for res in results])
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, math.nan)
    row.update(group="between subgroups", method=method, test=test, conf_level=conf_level)
    row["k"] = int(sum(res.k for res in results))
    row["n_total"] = int(sum(int(np.sum(res.n)) for res in results))
    ok = np.isfinite(se) & (se > 0)
    if ok.sum() >= 2:
        w = 1.0 / se[ok] ** 2
        mu = float(np.sum(w * est[ok]) / w.sum())
        q = float(np.sum(w * (est[ok] - mu) ** 2))
        row.update(q=q, q_df=float(ok.sum() - 1), q_p_value=float(stats.chi2.sf(q, ok.sum() - 1)))
        row["note"] = "Wald test of equal subgroup means (z scale)"
    else:
        row["note"] = "fewer than 2 subgroups with a standard error: no test of differences"
    return pd.DataFrame([row], columns=list(SUMMARY_COLUMNS))


# ---------------------------------------------------------------------------
# tables of published correlations
# ---------------------------------------------------------------------------

EXCLUDED_COLUMNS = ("row", "label", "group", "reason")
_ADJUSTED_COEFFICIENTS = frozenset({"adjusted", "partial", "semipartial", "regression"})


@dataclass(frozen=True, eq=False)
class MetaTable:
    """Result of :func:`pool_table`: one :class:`MetaResult` per pool.

    Attributes
    ----------
    results
        The pools, in order of first appearance of their group.
    excluded
        Rows left out, with the reason (columns :data:`EXCLUDED_COLUMNS`).
    """

    results: tuple[MetaResult, ...]
    excluded: pd.DataFrame

    @property
    def unpooled_groups(self) -> tuple[str, ...]:
        """Groups whose every row was left out (so they have no pooled estimate)."""
        pooled = {res.group for res in self.results}
        return tuple(g for g in dict.fromkeys(self.excluded["group"]) if g not in pooled)

    def to_frame(self) -> pd.DataFrame:
        """One row per pool (:data:`SUMMARY_COLUMNS`)."""
        return pd.concat([res.to_frame() for res in self.results], ignore_index=True)

    def studies(self) -> pd.DataFrame:
        """Study rows of every pool (:data:`STUDY_COLUMNS`)."""
        return pd.concat([res.studies() for res in self.results], ignore_index=True)

    def leave_one_out(self) -> pd.DataFrame:
        """:func:`leave_one_out` for every pool with at least 2 studies.

        Columns: ``pool`` (the pool's group), ``omitted``, then
        :data:`SUMMARY_COLUMNS`; empty (same columns) when no pool has 2 studies.
        """
        frames = []
        for res in self.results:
            if res.k < 2:
                continue
            f = res.fit
            loo = leave_one_out(
                res.r,
                res.n,
                method=f.method,
                test=f.test,
                conf_level=f.conf_level,
                labels=res.labels,
            )
            loo.insert(0, "pool", res.group)
            frames.append(loo)
        if not frames:
            return pd.DataFrame(columns=["pool", "omitted", *SUMMARY_COLUMNS])
        return pd.concat(frames, ignore_index=True)


def _truthy(value: Any) -> bool:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "y", "t")
    return bool(value)


@validate_params(
    {
        **_POOL_OPTIONS,
        "frame": ["dataframe"],
        "r": ["str"],
        "n": ["str"],
        "label": [None, "str"],
        "by": [None, "str-list"],
        "source_kinds": [None, "str-list"],
        "on_unpoolable": [Options(("raise", "skip"))],
        "file": [None, "str", os.PathLike],
        "first_line": [Interval(Integral, 0, None)],
    }
)
def pool_table(
    frame: pd.DataFrame,
    *,
    r: str = "r",
    n: str = "n",
    label: str | None = None,
    by: Sequence[str] | None = None,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    source_kinds: Sequence[str] | None = None,
    on_unpoolable: str = "raise",
    file: str | None = None,
    first_line: int = 2,
) -> MetaTable:
    """Pool a table of correlations, group by group, refusing what is not poolable.

    Rows that cannot be pooled are rows without ``r`` or ``n``, adjusted
    coefficients (column ``adjusted`` true, or ``coefficient`` one of
    ``adjusted``, ``partial``, ``semipartial``, ``regression``) in a pool
    that also holds raw correlations, rows whose ``source_kind`` is not in
    ``source_kinds``, and secondary-source rows repeating a primary row of
    the same ``cohort`` and variable pair. Rows with impossible values (r
    outside (-1, 1), n < 4 or not whole, text where a number belongs) are
    always an error.

    If the table has ``var_x`` and ``var_y`` columns, each pool must hold
    one unordered variable pair: put ``"pair"`` in ``by`` to pool pairs
    separately, otherwise several pairs are an error.

    Parameters
    ----------
    frame
        One correlation per row.
    r, n, label
        Column names of the coefficient, the sample size and the study label
        (default: ``row_id`` if present, else the line or row number).
    by
        Columns defining separate pools (subgroups); ``"pair"`` is the
        unordered pair ``var_x``/``var_y``.
    method, test, conf_level
        See :func:`rma`.
    source_kinds
        If given and the table has ``source_kind``, pool only these kinds.
    on_unpoolable
        ``"raise"`` (a :class:`~b12stats.errors.DataValidationError` naming the
        rows) or ``"skip"`` (leave them out and list them in ``excluded``;
        adjusted coefficients are then always left out).
    file, first_line
        Name the file in error messages; a row with integer index ``i`` is on
        line ``first_line + i`` (2 when line 1 is the header and the index
        counts data lines from 0, as ``pandas.read_csv`` gives).

    Returns
    -------
    MetaTable

    Examples
    --------
    >>> df = pd.DataFrame({"r": [0.3, 0.5, 0.2, 0.4], "n": [40, 60, None, 80],
    ...                    "var_x": ["milk"] * 4, "var_y": ["infant_blood"] * 4})
    >>> out = pool_table(df, on_unpoolable="skip", by=["pair"], method="DL")
    >>> out.to_frame()[["group", "k"]].to_dict("records")
    [{'group': 'pair=infant_blood~milk', 'k': 3}]
    >>> out.excluded["reason"].tolist()
    ['no n (sample size not reported)']
    """
    by_cols = [by] if isinstance(by, str) else list(by or [])
    has_pair = "var_x" in frame.columns and "var_y" in frame.columns
    needed = [r, n] + ([label] if label else []) + [c for c in by_cols if c != "pair"]
    for col in needed:
        if col not in frame.columns:
            raise DataValidationError(
                f"no such column (columns are: {', '.join(map(str, frame.columns))})",
                file=file,
                column=col,
            )
    if "pair" in by_cols and not has_pair and "pair" not in frame.columns:
        raise OptionError("by='pair' needs columns var_x and var_y")
    # line numbers: the frame's integer index counts data lines from 0 (a reader may
    # drop blank lines but keep the index); otherwise positions
    if file is not None and pd.api.types.is_integer_dtype(frame.index):
        line_of = [first_line + int(x) for x in frame.index]
    else:
        line_of = [first_line + i for i in range(len(frame))]
    data = frame.reset_index(drop=True)

    def cell(i: int, col: str) -> Any:
        return data[col].iloc[i]

    def where(i: int) -> dict[str, Any]:
        return {"file": file, "line": line_of[i]} if file is not None else {}

    def row_name(i: int) -> str:
        if "row_id" in data.columns and not pd.isna(cell(i, "row_id")):
            return str(cell(i, "row_id"))
        return f"line {line_of[i]}" if file is not None else f"row {i}"

    labels = [
        str(cell(i, label)) if label and not pd.isna(cell(i, label)) else row_name(i)
        for i in range(len(data))
    ]

    def numeric(col: str) -> pd.Series:
        values = pd.to_numeric(data[col], errors="coerce").astype(float)
        raw = data[col]
        blank = raw.isna() | raw.astype(str).str.strip().eq("")
        for j in np.flatnonzero(values.isna().to_numpy() & ~blank.to_numpy()):
            raise DataValidationError(
                f"not a number: {raw.iloc[j]!r}", column=col, **where(int(j))
            )
        return values

    r_val = numeric(r)
    n_val = numeric(n)
    for i in range(len(data)):
        ri, ni = r_val.iloc[i], n_val.iloc[i]
        if not pd.isna(ri) and not -1.0 < ri < 1.0:
            what = "outside [-1, 1]" if abs(ri) > 1 else "±1 (Fisher z is infinite)"
            raise DataValidationError(f"r = {ri:g} is {what}", column=r, **where(i))
        if not pd.isna(ni) and (ni != math.floor(ni) or ni < 4):
            raise DataValidationError(
                f"n = {ni:g} must be a whole number of at least 4 (the variance of Fisher z "
                "is 1/(n - 3))",
                column=n,
                **where(i),
            )

    excluded: list[tuple[int, str]] = []
    keep = np.ones(len(data), dtype=bool)

    def drop(i: int, reason: str, column: str | None = None) -> None:
        if on_unpoolable == "raise":
            raise DataValidationError(reason, column=column, **where(i))
        keep[i] = False
        excluded.append((i, reason))

    kinds = data["source_kind"].astype("string") if "source_kind" in data.columns else None
    if source_kinds is not None and kinds is not None:
        for i in range(len(data)):
            if kinds.iloc[i] not in source_kinds:
                drop(
                    i,
                    f"source kind {kinds.iloc[i]!s} is not pooled (pooling: "
                    f"{', '.join(source_kinds)})",
                    "source_kind",
                )
    for i in range(len(data)):
        if keep[i] and pd.isna(r_val.iloc[i]):
            printed = cell(i, "p_text") if "p_text" in data.columns else None
            if printed is None or pd.isna(printed) or not str(printed).strip():
                drop(i, "no r (not printed)", r)
            else:
                drop(i, f"no r (only '{printed}' printed)", r)
        elif keep[i] and pd.isna(n_val.iloc[i]):
            drop(i, "no n (sample size not reported)", n)

    pair = None
    if has_pair:
        pair = pd.Series(
            [
                "~".join(sorted((str(a), str(b))))
                for a, b in zip(data["var_x"], data["var_y"], strict=True)
            ]
        )
    elif "pair" in data.columns:
        pair = data["pair"].astype(str)

    # secondary rows repeating a primary row (same cohort, same pair)
    if kinds is not None and "cohort" in data.columns:
        primary: dict[tuple[str, str], str] = {}
        for i in range(len(data)):
            if keep[i] and kinds.iloc[i] == "primary":
                ck = (str(cell(i, "cohort")), "" if pair is None else pair.iloc[i])
                primary.setdefault(ck, row_name(i))
        for i in range(len(data)):
            if keep[i] and kinds.iloc[i] == "secondary":
                ck = (str(cell(i, "cohort")), "" if pair is None else pair.iloc[i])
                if ck in primary:
                    drop(i, f"repeats primary row {primary[ck]} (same cohort and pair)")

    adjusted = np.zeros(len(data), dtype=bool)
    if "adjusted" in data.columns:
        adjusted |= np.array([_truthy(x) for x in data["adjusted"]])
    if "coefficient" in data.columns:
        adjusted |= (
            (data["coefficient"].astype("string").str.lower().isin(_ADJUSTED_COEFFICIENTS))
            .fillna(False)
            .to_numpy(dtype=bool)
        )

    # group keys
    def key_of(i: int) -> tuple[str, ...]:
        parts = []
        for col in by_cols:
            value = pair.iloc[i] if col == "pair" and pair is not None else cell(i, col)
            parts.append(f"{col}={'NA' if pd.isna(value) else value}")
        return tuple(parts)

    groups: dict[tuple[str, ...], list[int]] = {}
    for j in np.flatnonzero(keep):
        groups.setdefault(key_of(int(j)), []).append(int(j))

    results = []
    for key, rows in groups.items():
        name = ", ".join(key) if key else "all"
        if pair is not None and "pair" not in by_cols:
            pairs = dict.fromkeys(pair.iloc[rows].tolist())
            if len(pairs) > 1:
                listing = "; ".join(
                    f"{p}: {', '.join(row_name(i) for i in rows if pair.iloc[i] == p)}"
                    for p in pairs
                )
                raise DataValidationError(
                    f"pool {name!r} mixes variable pairs ({listing}); pool each pair "
                    "separately (by=['pair'], CLI --by pair)",
                    file=file,
                )
        adj_rows = [i for i in rows if adjusted[i]]
        if adj_rows and (len(adj_rows) < len(rows) or on_unpoolable == "skip"):
            if on_unpoolable == "raise":
                raise DataValidationError(
                    f"pool {name!r} mixes adjusted coefficients (rows "
                    f"{', '.join(row_name(i) for i in adj_rows)}) with raw correlations; "
                    "remove them or pool them separately",
                    file=file,
                )
            for i in adj_rows:
                drop(i, "adjusted coefficient, not a raw correlation")
            rows = [i for i in rows if not adjusted[i]]
            if not rows:
                continue
        extra: list[str] = []
        if adj_rows and len(adj_rows) == len(rows):
            extra.append("all rows are adjusted coefficients")
        if "cohort" in data.columns:
            counts = data.loc[rows, "cohort"].value_counts()
            for cohort, count in counts[counts > 1].items():
                extra.append(f"cohort {cohort} contributes {count} rows (not independent)")
        if kinds is not None:
            secondary = [labels[i] for i in rows if kinds.iloc[i] == "secondary"]
            if secondary:
                extra.append(f"includes secondary-source rows: {', '.join(secondary)}")
        res = meta_correlations(
            r_val.iloc[rows].to_numpy(),
            n_val.iloc[rows].to_numpy(),
            method=method,
            test=test,
            conf_level=conf_level,
            labels=[
                labels[i]
                + (" [secondary]" if kinds is not None and kinds.iloc[i] == "secondary" else "")
                for i in rows
            ],
            group=name,
        )
        results.append(
            MetaResult(
                fit=res.fit,
                r=res.r,
                n=res.n,
                labels=res.labels,
                group=res.group,
                extra_notes=tuple(extra),
            )
        )
    if not results:
        reasons = "; ".join(f"{row_name(i)}: {reason}" for i, reason in excluded[:5])
        raise DataValidationError(f"nothing left to pool ({reasons})", file=file)
    excluded_frame = pd.DataFrame(
        [
            (row_name(i), labels[i], ", ".join(key_of(i)) or "all", reason)
            for i, reason in excluded
        ],
        columns=list(EXCLUDED_COLUMNS),
    )
    return MetaTable(results=tuple(results), excluded=excluded_frame)

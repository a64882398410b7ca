"""The generic random-effects model: :func:`rma` and its result :class:`RmaFit`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats._validation import (
    numeric_array,
    validate_params,
)
from b12stats.errors import DataValidationError, OptionError
from b12stats.stats.meta._options import _POOL_OPTIONS
from b12stats.stats.meta.tau2 import _p_stats, _solve_q, _tau2_reml


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

"""From printed quartiles to a distribution: log-normal fits, prevalences, mean and SD.

Vitamin B12 concentrations are right-skewed and papers print the median and
quartiles (Q1, median, Q3). On the log scale a log-normal's quartiles are
``mu + sigma * z_k`` with ``z = (Phi^-1(0.25), 0, Phi^-1(0.75)) = (-0.6745, 0, 0.6745)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import (
    UNIT_OPEN,
    Interval,
    Options,
    Real,
    broadcast,
    numeric_array,
    validate_params,
)
from b12stats.errors import OptionError
from b12stats.stats import _scipy_stats as stats  # norm, t without importing scipy.stats

__all__ = [
    "LognormalFit",
    "lognormal_from_quartiles",
    "mean_sd_from_quartiles",
    "prevalence_from_quartiles",
]

#: probabilities of the quartiles and their standard-normal quantiles
_P = np.array([0.25, 0.5, 0.75])
_Z = stats.norm.ppf(_P)

#: default tolerance on the log-scale asymmetry for calling the quartiles
#: "exactly" log-normal. Rounding integer-printed quartiles of 100-400 pmol/L
#: moves the asymmetry by up to about 0.01-0.02, so 0.02 separates rounding
#: from real skewness on the log scale.
DEFAULT_RTOL = 0.02


def _check_quartiles(q1: Any, median: Any, q3: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, m, b = _quartile_arrays(q1, median, q3)
    for name, x in (("q1", a), ("median", m), ("q3", b)):
        if np.any(x <= 0):
            raise OptionError(
                f"{name} must be > 0 for a log-normal fit, got {np.ravel(x)[:3].tolist()}"
            )
    if np.any(~((a < m) & (m < b))):
        bad = np.flatnonzero(~((a < m) & (m < b)))[0]
        raise OptionError(
            "quartiles must satisfy q1 < median < q3; got "
            f"q1={np.ravel(a)[bad]}, median={np.ravel(m)[bad]}, q3={np.ravel(b)[bad]}"
        )
    return a, m, b


def _quartile_arrays(q1: Any, median: Any, q3: Any) -> tuple[np.ndarray, ...]:
    """The quartiles as finite float arrays of one shape (or an error naming one)."""
    return tuple(
        broadcast(
            q1=numeric_array("q1", q1, finite=True),
            median=numeric_array("median", median, finite=True),
            q3=numeric_array("q3", q3, finite=True),
        )
    )


@dataclass(frozen=True)
class LognormalFit:
    """A log-normal distribution fitted to three printed quartiles.

    Attributes
    ----------
    mu, sigma
        Mean and SD of log(X).
    exact
        Whether the quartiles are symmetric on the log scale within ``rtol``
        (then one log-normal passes through all three).
    method
        ``"exact"`` (``mu = log median``) or ``"least_squares"``.
    asymmetry
        ``(log q3 - 2 log m + log q1) / (log q3 - log q1)``: 0 for a log-normal,
        positive when the upper half is longer on the log scale.
    residuals
        ``log q_k - (mu + sigma z_k)`` for the three quartiles.
    rtol
        The tolerance used for ``exact``.
    q1, median, q3
        The inputs.
    """

    mu: float
    sigma: float
    exact: bool
    method: str
    asymmetry: float
    residuals: tuple[float, float, float]
    rtol: float
    q1: float
    median: float
    q3: float

    @property
    def misfit(self) -> float:
        """Root mean square of the log-scale residuals (0 when exact)."""
        return float(np.sqrt(np.mean(np.square(self.residuals))))

    def _dist(self) -> Any:
        return stats.lognorm(s=self.sigma, scale=np.exp(self.mu))

    def quantile(self, p: Any) -> float | np.ndarray:
        """Quantile function, ``exp(mu + sigma * Phi^-1(p))``."""
        out = self._dist().ppf(p)
        return float(out) if np.ndim(out) == 0 else out

    def cdf(self, x: Any) -> float | np.ndarray:
        """Distribution function, ``Phi((log x - mu) / sigma)``."""
        out = self._dist().cdf(x)
        return float(out) if np.ndim(out) == 0 else out

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame of the fit."""
        return pd.DataFrame(
            {
                "q1": [self.q1],
                "median": [self.median],
                "q3": [self.q3],
                "mu": [self.mu],
                "sigma": [self.sigma],
                "exact": [self.exact],
                "asymmetry": [self.asymmetry],
                "misfit": [self.misfit],
                "residual_q1": [self.residuals[0]],
                "residual_median": [self.residuals[1]],
                "residual_q3": [self.residuals[2]],
                "rtol": [self.rtol],
                "method": [self.method],
            }
        )


@validate_params(
    {
        "q1": [Interval(Real, None, None)],
        "median": [Interval(Real, None, None)],
        "q3": [Interval(Real, None, None)],
        "rtol": [Interval(Real, 0, None)],
    }
)
def lognormal_from_quartiles(
    q1: float, median: float, q3: float, *, rtol: float = DEFAULT_RTOL
) -> LognormalFit:
    """Fit a log-normal to printed quartiles.

    With ``y = log(q1, median, q3)`` and ``z = (-0.6745, 0, 0.6745)``:
    if ``|asymmetry| <= rtol`` the quartiles are taken as exactly log-normal
    (``method="exact"``): ``mu = log median``, ``sigma = (y3 - y1) / (2 z3)``.
    Otherwise (``method="least_squares"``) ``(mu, sigma)`` minimise
    ``sum_k (y_k - mu - sigma z_k)**2``; as ``sum z = 0`` this is
    ``mu = mean(y)``, ``sigma = (y3 - y1) / (2 z3)``. (The two differ only in mu.)

    Parameters
    ----------
    q1, median, q3
        Printed quartiles, ``0 < q1 < median < q3``.
    rtol
        Tolerance on ``|asymmetry|`` (a share of the log-IQR) under which the
        quartiles count as exactly log-normal; default 0.02 (see
        :data:`DEFAULT_RTOL`).

    Examples
    --------
    >>> fit = lognormal_from_quartiles(193, 276, 399)
    >>> fit.method, round(fit.mu, 4), round(fit.sigma, 4), round(fit.cdf(220), 3)
    ('exact', 5.6204, 0.5384, 0.337)
    >>> lognormal_from_quartiles(61, 113, 199).method
    'least_squares'
    """
    a, m, b = _check_quartiles(q1, median, q3)
    y = np.log([float(a), float(m), float(b)])
    asym = float((y[2] - 2 * y[1] + y[0]) / (y[2] - y[0]))
    sigma = float((y[2] - y[0]) / (2 * _Z[2]))
    exact = abs(asym) <= rtol
    mu = float(y[1]) if exact else float(np.mean(y))
    res = y - (mu + sigma * _Z)
    return LognormalFit(
        mu=mu,
        sigma=sigma,
        exact=bool(exact),
        method="exact" if exact else "least_squares",
        asymmetry=asym,
        residuals=(float(res[0]), float(res[1]), float(res[2])),
        rtol=float(rtol),
        q1=float(a),
        median=float(m),
        q3=float(b),
    )


_SIDES = ("below", "at_or_below", "above", "at_or_above")
_PREV_METHODS = ("delta",)
_FIT_METHODS = ("auto", "least_squares", "exact")


def _quantile_cov(sigma: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Asymptotic covariance of the sample quartiles of N(mu, sigma^2), shape (..., 3, 3).

    ``Cov(q_i, q_j) = p_i (1 - p_j) / (n f(q_i) f(q_j))`` for ``p_i <= p_j``,
    with ``f(q_p) = phi(z_p) / sigma``.
    """
    pi, pj = np.meshgrid(_P, _P, indexing="ij")
    num = np.minimum(pi, pj) * (1.0 - np.maximum(pi, pj))
    phi = stats.norm.pdf(_Z)
    base = num / np.outer(phi, phi)
    return base * (sigma**2 / n)[..., None, None]


@validate_params(
    {
        "side": [Options(_SIDES)],
        "conf_level": [UNIT_OPEN],
        "method": [Options(_PREV_METHODS)],
        "fit": [Options(_FIT_METHODS)],
        "rtol": [Interval(Real, 0, None)],
    }
)
def prevalence_from_quartiles(
    q1: Any,
    median: Any,
    q3: Any,
    cutoff: Any,
    *,
    side: str = "below",
    n: Any = None,
    conf_level: float = 0.95,
    method: str = "delta",
    fit: str = "auto",
    rtol: float = DEFAULT_RTOL,
) -> pd.DataFrame:
    """Share of a population beyond a cut-off implied by its printed quartiles.

    The quartiles are fitted by a log-normal (:func:`lognormal_from_quartiles`);
    with ``w = (log cutoff - mu) / sigma`` the share below is ``Phi(w)`` (for a
    continuous distribution "below" and "at or below" are the same).

    Uncertainty (``method="delta"``): the printed quartiles are treated as
    sample quartiles of n log-normal values. On the log scale their asymptotic
    covariance is ``Cov(q_i, q_j) = p_i (1 - p_j) / (n f(q_i) f(q_j))``
    (``p_i <= p_j``, ``f(q_p) = phi(z_p) / sigma``); ``(mu, sigma)`` are linear
    in the log quartiles, so ``Var(w)`` follows by the delta method with
    gradient ``(-1/sigma, -w/sigma)``. The interval is ``Phi(w ± z se_w)``
    (a Wald interval on the probit scale, so it stays in (0, 1)); ``se`` is
    ``phi(w) se_w``. It reflects sampling only, not the error of the log-normal
    assumption (see ``asymmetry``). Without ``n`` the CI is NaN, said in ``note``.
    Reference for the asymptotics: Serfling RJ (1980) Approximation Theorems of
    Mathematical Statistics, section 2.3, doi:10.1002/9780470316481.

    Parameters
    ----------
    q1, median, q3, cutoff
        Scalars or arrays (broadcast), in the same unit.
    side
        ``"below"``, ``"at_or_below"``, ``"above"`` or ``"at_or_above"``.
    n
        Sample size (scalar or array); ``None`` or NaN when unknown.
    conf_level
        Confidence level of the interval.
    method
        ``"delta"`` (the only one so far).
    fit
        ``"auto"`` (exact when the quartiles are log-symmetric within ``rtol``,
        else least squares), ``"least_squares"`` or ``"exact"`` (``mu = log median``).

    Returns
    -------
    DataFrame
        ``estimate, se, ci_low, ci_high, n, cutoff, side, mu, sigma, asymmetry,
        fit, conf_level, method, note``, one row per input.

    Examples
    --------
    >>> res = prevalence_from_quartiles(193, 276, 399, 220, side="at_or_below")
    >>> round(float(res.estimate.iloc[0]), 3), res.note.iloc[0]
    (0.337, 'n unknown: point estimate only, no interval')
    >>> res = prevalence_from_quartiles(61, 113, 199, 310, n=286)
    >>> res[["estimate", "ci_low", "ci_high"]].round(3)
       estimate  ci_low  ci_high
    0     0.879   0.834    0.915
    """
    a, m, b = _check_quartiles(q1, median, q3)
    c = numeric_array("cutoff", cutoff, finite=True)
    if np.any(c <= 0):
        raise OptionError(f"cutoff must be a positive number, got {np.ravel(c)[:3].tolist()}")
    n_arr = numeric_array("n", np.nan if n is None else n)
    known = ~np.isnan(n_arr)
    if (
        np.any(np.isinf(n_arr))
        or np.any(n_arr[known] < 2)
        or np.any(n_arr[known] != np.round(n_arr[known]))
    ):
        raise OptionError(
            f"n must be a whole number >= 2 (NaN: unknown), got {np.ravel(n_arr)[:3].tolist()}"
        )
    a, m, b, c, n_arr = broadcast(q1=a, median=m, q3=b, cutoff=c, n=n_arr)
    a, m, b, c, n_arr = (np.ravel(x) for x in (a, m, b, c, n_arr))
    y = np.log(np.stack([a, m, b], axis=-1))
    asym = (y[:, 2] - 2 * y[:, 1] + y[:, 0]) / (y[:, 2] - y[:, 0])
    sigma = (y[:, 2] - y[:, 0]) / (2 * _Z[2])
    use_exact = np.abs(asym) <= rtol if fit == "auto" else np.full(a.shape, fit == "exact")
    mu = np.where(use_exact, y[:, 1], y.mean(axis=1))
    w = (np.log(c) - mu) / sigma
    below = side in ("below", "at_or_below")
    est = stats.norm.cdf(w) if below else stats.norm.sf(w)

    # linear maps from log quartiles to (mu, sigma)
    l_sigma = np.array([-1.0, 0.0, 1.0]) / (2 * _Z[2])
    l_mu = np.where(use_exact[:, None], np.array([0.0, 1.0, 0.0]), np.full(3, 1.0 / 3.0))
    grad = -(l_mu + w[:, None] * l_sigma) / sigma[:, None]  # d w / d y
    with np.errstate(invalid="ignore"):
        cov = _quantile_cov(sigma, n_arr)
        var_w = np.einsum("ki,kij,kj->k", grad, cov, grad)
    se_w = np.sqrt(var_w)
    crit = stats.norm.ppf(0.5 + conf_level / 2.0)
    lo_w, hi_w = w - crit * se_w, w + crit * se_w
    if below:
        ci_low, ci_high = stats.norm.cdf(lo_w), stats.norm.cdf(hi_w)
    else:
        ci_low, ci_high = stats.norm.sf(hi_w), stats.norm.sf(lo_w)
    note = np.where(
        np.isfinite(n_arr),
        "sampling error of the quartiles only; log-normal assumed",
        "n unknown: point estimate only, no interval",
    )
    return pd.DataFrame(
        {
            "estimate": est,
            "se": stats.norm.pdf(w) * se_w,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "n": pd.array([int(x) if np.isfinite(x) else None for x in n_arr], dtype="Int64"),
            "cutoff": c,
            "side": side,
            "mu": mu,
            "sigma": sigma,
            "asymmetry": asym,
            "fit": np.where(use_exact, "exact", "least_squares"),
            "conf_level": conf_level,
            "method": "lognormal_" + method,
            "note": note,
        }
    )


_MEAN_SD_METHODS = ("wan", "luo_wan", "shi_lognormal")


@validate_params({"method": [Options(_MEAN_SD_METHODS)]})
def mean_sd_from_quartiles(
    q1: Any,
    median: Any,
    q3: Any,
    n: Any,
    *,
    method: str = "wan",
) -> pd.DataFrame:
    """Estimate the sample mean and SD from the median, quartiles and n.

    ``method="wan"`` (Wan et al. 2014, scenario C3, eq. 14 and 16):
    ``mean = (q1 + m + q3) / 3``, ``sd = (q3 - q1) / eta(n)`` with
    ``eta(n) = 2 Phi^-1((0.75 n - 0.125) / (n + 0.25))``.
    Wan X, Wang W, Liu J, Tong T (2014) BMC Med Res Methodol 14:135,
    doi:10.1186/1471-2288-14-135.

    ``method="luo_wan"``: mean of Luo et al. (2018, Stat Methods Med Res
    27:1785, doi:10.1177/0962280216669183), ``w = 0.7 + 0.39 / n``,
    ``mean = w (q1 + q3) / 2 + (1 - w) m``; SD of Wan. (metafor's normal default.)

    ``method="shi_lognormal"``: Shi, Tong, Wang & Genton (2020) for log-normal data, as
    metafor's ``conv.fivenum(..., dist="lnorm", transf=TRUE)`` computes it for
    the quartile case (source of wviechtb/metafor, ``R/conv.fivenum.r``): on the
    log scale ``mu = w (y1 + y3) / 2 + (1 - w) y2`` (Luo weight above),
    ``s = (y3 - y1) / eta(n) / sqrt(1 + 1.58 / n)``; then with
    ``s4 = ((y3 - y1) / eta)^4 / (1 + 19.2 / n^1.2)``,
    ``mean = exp(mu + s^2/2) / (1 + 0.57 s^2/n + 0.75 s4/n)`` and
    ``sd^2 = exp(2mu + 2s^2) / (1 + 2.28 s^2/n + 12 s4/n)
    - exp(2mu + s^2) / (1 + 2.28 s^2/n + 3 s4/n)``.
    Shi J, Tong T, Wang Y, Genton MG (2020) Estimating the mean and variance
    from the five-number summary of a log-normal distribution. Stat Interface
    13:519-531, doi:10.4310/sii.2020.v13.n4.a9. metafor by default
    (``test=TRUE``) returns NA when the skewness test below is significant;
    here the estimates are always returned and the test is reported in
    ``skew_statistic``, ``skew_critical``, ``skew_significant``
    (``|y1 + y3 - 2 y2| / (y3 - y1)`` on the analysis scale against
    ``2.65 / sqrt(n) - 6 / n^2``): Shi J, Luo D, Wan X, Liu Y, Liu J, Bian Z,
    Tong T (2023) Detecting the skewness of data from the five-number summary
    and its application in meta-analysis. Stat Methods Med Res 32:1338-1360,
    doi:10.1177/09622802231172043.

    Returns
    -------
    DataFrame
        ``mean, sd, n, skew_statistic, skew_critical, skew_significant, method``.

    Examples
    --------
    >>> mean_sd_from_quartiles(193, 276, 399, 100)[["mean", "sd"]].round(2)
         mean      sd
    0  289.33  154.95
    """
    lognormal = method == "shi_lognormal"
    if lognormal:
        a, m, b = _check_quartiles(q1, median, q3)
    else:
        a, m, b = _quartile_arrays(q1, median, q3)
        if np.any(~((a < m) & (m < b))):
            raise OptionError("quartiles must satisfy q1 < median < q3")
    n_arr = numeric_array("n", n, finite=True)
    if np.any(n_arr < 5) or np.any(n_arr != np.round(n_arr)):
        raise OptionError(
            f"n must be a whole number >= 5 (as in metafor), got {np.ravel(n_arr)[:3].tolist()}"
        )
    a, m, b, n_arr = (np.ravel(x) for x in broadcast(q1=a, median=m, q3=b, n=n_arr))
    if lognormal:
        a, m, b = np.log(a), np.log(m), np.log(b)
    eta = 2.0 * stats.norm.ppf((0.75 * n_arr - 0.125) / (n_arr + 0.25))
    tval = np.abs((a + b - 2 * m) / (b - a))
    crit = 2.65 / np.sqrt(n_arr) - 6.0 / n_arr**2
    if method == "wan":
        mean = (a + m + b) / 3.0
        sd = (b - a) / eta
    else:
        weight = 0.7 + 0.39 / n_arr
        mean = weight * (a + b) / 2.0 + (1.0 - weight) * m
        sd = (b - a) / eta
    if lognormal:
        sd = sd / np.sqrt(1.0 + 1.58 / n_arr)
        s4 = ((b - a) / eta) ** 4 / (1.0 + 19.2 / n_arr**1.2)
        s2 = sd**2
        phi2 = 1.0 + 0.57 * s2 / n_arr + 0.75 * s4 / n_arr
        phi21 = 1.0 + 2.28 * s2 / n_arr + 12.0 * s4 / n_arr
        phi22 = 1.0 + 2.28 * s2 / n_arr + 3.0 * s4 / n_arr
        bt_mean = np.exp(mean + s2 / 2.0) / phi2
        bt_sd = np.sqrt(np.exp(2 * mean + 2 * s2) / phi21 - np.exp(2 * mean + s2) / phi22)
        mean, sd = bt_mean, bt_sd
    return pd.DataFrame(
        {
            "mean": mean,
            "sd": sd,
            "n": n_arr.astype(int),
            "skew_statistic": tval,
            "skew_critical": crit,
            "skew_significant": tval >= crit,
            "method": method,
        }
    )


@validate_params(
    {
        "gm": [Interval(Real, None, None)],
        "ci_low": [Interval(Real, None, None)],
        "ci_high": [Interval(Real, None, None)],
        "n": [Interval(Real, None, None)],
        "cutoff": [Interval(Real, None, None)],
        "side": [Options(_SIDES)],
        "ci_level": [UNIT_OPEN],
        "conf_level": [UNIT_OPEN],
    }
)
def prevalence_from_gm_ci(
    gm: float,
    ci_low: float,
    ci_high: float,
    n: int,
    cutoff: float,
    *,
    side: str = "below",
    ci_level: float = 0.95,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Share beyond a cut-off implied by a geometric mean, its CI and n (log-normal values).

    The log-scale SD ``sigma`` comes from the CI. A CI symmetric on the
    linear scale (``GM ± z_c SE``, the delta method with ``SE(GM) = GM sigma
    / sqrt(n)``) gives ``sigma = (hi - lo) / (2 z_c) sqrt(n) / GM``; one
    symmetric on the log scale gives ``sigma = (log hi - log lo) / (2 z_c)
    sqrt(n)``, ``z_c = Phi^-1(1/2 + ci_level/2)``. The CI is read as linear
    when its midpoint is at least as close to the GM as ``sqrt(lo hi)`` is.

    With ``mu = log GM`` and ``w = (log cutoff - mu) / sigma`` the share
    below is ``Phi(w)``. As ``Var(mu) = sigma^2 / n`` and ``Var(sigma) ~
    sigma^2 / (2 n)`` (the large-sample variance of a normal quantile
    estimate, as for Bland & Altman's limits of agreement),
    ``se(w) = sqrt((1 + w^2 / 2) / n)`` and the interval is
    ``Phi(w ± z se(w))`` with ``z = Phi^-1(1/2 + conf_level/2)``.

    Parameters
    ----------
    gm, ci_low, ci_high
        Geometric mean and its CI (positive, same unit as ``cutoff``).
    n
        Sample size behind the CI (>= 2).
    cutoff
        The cut-off (positive).
    side
        ``"below"``, ``"at_or_below"``, ``"above"`` or ``"at_or_above"``.
    ci_level
        Level of the printed CI.
    conf_level
        Level of the interval returned.

    Returns
    -------
    DataFrame
        One row: ``estimate, ci_low, ci_high, n, cutoff, side, mu, sigma,
        ci_scale`` (``"linear"`` or ``"log"``), ``conf_level, method``.

    References
    ----------
    Bland JM, Altman DG (1986) Statistical methods for assessing agreement
    between two methods of clinical measurement. Lancet (1986, i) (the SE of
    the limits ``mean ± z SD``, ``sqrt((1 + z^2/2) s^2 / n)``, about
    ``sqrt(3 s^2 / n)`` for ``z = 1.96``).

    Examples
    --------
    >>> res = prevalence_from_gm_ci(100.0, 90.2, 109.8, 100, 100.0)
    >>> res[["estimate", "ci_low", "ci_high"]].round(3)
       estimate  ci_low  ci_high
    0       0.5   0.422    0.578
    >>> res["ci_scale"].iloc[0], round(float(res["sigma"].iloc[0]), 3)
    ('linear', 0.5)
    """
    gm, lo, hi, c = float(gm), float(ci_low), float(ci_high), float(cutoff)
    if not all(np.isfinite(x) and x > 0 for x in (gm, lo, hi, c)):
        raise OptionError(
            f"gm, ci_low, ci_high and cutoff must be positive numbers, got {(gm, lo, hi, c)}"
        )
    if not lo < hi:
        raise OptionError(f"ci_low must be below ci_high, got {lo!r} and {hi!r}")
    if not (isinstance(n, int | np.integer) and n >= 2):
        raise OptionError(f"n must be a whole number >= 2, got {n!r}")
    zc = float(stats.norm.ppf(0.5 + ci_level / 2.0))
    linear = abs((lo + hi) / 2.0 - gm) <= abs(math.sqrt(lo * hi) - gm)
    if linear:
        sigma = (hi - lo) / (2.0 * zc) * math.sqrt(n) / gm
    else:
        sigma = (math.log(hi) - math.log(lo)) / (2.0 * zc) * math.sqrt(n)
    w = (math.log(c) - math.log(gm)) / sigma
    se_w = math.sqrt((1.0 + w * w / 2.0) / n)
    zcrit = stats.norm.ppf(0.5 + conf_level / 2.0)
    if side in ("below", "at_or_below"):
        est = float(stats.norm.cdf(w))
        ci_lo, ci_hi = (float(stats.norm.cdf(w + k * zcrit * se_w)) for k in (-1, 1))
    else:
        est = float(stats.norm.sf(w))
        ci_lo, ci_hi = (float(stats.norm.sf(w + k * zcrit * se_w)) for k in (1, -1))
    return pd.DataFrame(
        {
            "estimate": [est],
            "ci_low": [ci_lo],
            "ci_high": [ci_hi],
            "n": [int(n)],
            "cutoff": [c],
            "side": [side],
            "mu": [math.log(gm)],
            "sigma": [sigma],
            "ci_scale": ["linear" if linear else "log"],
            "conf_level": [conf_level],
            "method": ["lognormal_gm_ci"],
        }
    )


__all__ += ["prevalence_from_gm_ci"]

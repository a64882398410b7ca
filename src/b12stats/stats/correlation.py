"""Pearson correlations: Fisher z, P values, consistency of printed (r, P, n), power.

All P values follow R's ``cor.test`` for Pearson's r:
``t = r * sqrt((n - 2) / (1 - r**2))`` with ``n - 2`` degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import (
    UNIT_OPEN,
    Integral,
    Interval,
    Limit,
    Options,
    Real,
    broadcast,
    numeric_array,
    validate_params,
)
from b12stats.errors import OptionError
from b12stats.stats import _scipy_stats as stats  # norm, t without importing scipy.stats
from b12stats.stats.printed import PrintedP, parse_number, parse_p, rounding_interval

__all__ = [
    "NInterval",
    "check_r_p_n",
    "compare_correlations",
    "fisher_z_ci",
    "n_for_power_correlation",
    "n_interval_from_r_p",
    "p_from_r",
    "power_correlation",
    "r_to_z",
    "z_to_r",
]

_ALTERNATIVES = ("two-sided", "less", "greater")
_ALTERNATIVE = [Options(_ALTERNATIVES)]
#: Largest n_max of :func:`n_interval_from_r_p`: it evaluates P at every n up to n_max
#: (a few float arrays of that length, 80 MB each at the limit).
N_SCAN_MAX = 10_000_000


def _check_r(r: Any, *, open_interval: bool = False, name: str = "r") -> np.ndarray:
    arr = numeric_array(name, r)
    if np.any(np.isnan(arr)):
        raise OptionError(f"{name} contains NaN")
    bad = (np.abs(arr) >= 1.0) if open_interval else (np.abs(arr) > 1.0)
    if np.any(bad):
        rng = "(-1, 1)" if open_interval else "[-1, 1]"
        raise OptionError(f"{name} must lie in {rng}; got {arr[bad].ravel()[:3].tolist()}")
    return arr


def _check_n(n: Any, minimum: int, why: str, name: str = "n") -> np.ndarray:
    arr = numeric_array(name, n, finite=True)
    if np.any(arr != np.round(arr)):
        raise OptionError(f"{name} must be whole numbers, got {np.ravel(arr)[:3].tolist()}")
    if np.any(arr < minimum):
        raise OptionError(f"{name} must be >= {minimum} ({why}); got {np.ravel(arr)[:3].tolist()}")
    return arr


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def r_to_z(r: Any) -> float | np.ndarray:
    """Fisher's z transform, ``z = atanh(r) = 0.5 * log((1 + r) / (1 - r))``.

    Fisher RA (1921) Metron 1:3-32.

    Examples
    --------
    >>> round(r_to_z(0.5), 6)
    0.549306
    """
    return _scalar_or_array(np.arctanh(_check_r(r, open_interval=True)))


def z_to_r(z: Any) -> float | np.ndarray:
    """Inverse of :func:`r_to_z`, ``r = tanh(z)``.

    Examples
    --------
    >>> round(z_to_r(r_to_z(0.36)), 12)
    0.36
    """
    return _scalar_or_array(np.tanh(numeric_array("z", z)))


@validate_params({"conf_level": [UNIT_OPEN]})
def fisher_z_ci(r: Any, n: Any, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Confidence interval for a correlation via Fisher's z.

    ``se_z = 1 / sqrt(n - 3)``; the interval ``tanh(atanh(r) ± z_{(1+c)/2} se_z)``
    (Fisher 1921; as in R ``cor.test``, which however uses the same formula).

    Returns
    -------
    DataFrame
        One row per (r, n): ``estimate, se_z, ci_low, ci_high, n, conf_level, method``.

    Examples
    --------
    >>> fisher_z_ci(0.51, 40).round(4)[["estimate", "ci_low", "ci_high"]]
       estimate  ci_low  ci_high
    0      0.51   0.236   0.7089
    """
    r_arr, n_arr = broadcast(
        r=_check_r(r, open_interval=True), n=_check_n(n, 4, "Fisher z needs n - 3 > 0")
    )
    se = 1.0 / np.sqrt(n_arr - 3.0)
    crit = stats.norm.ppf(0.5 + conf_level / 2.0)
    z = np.arctanh(r_arr)
    return pd.DataFrame(
        {
            "estimate": np.ravel(r_arr),
            "se_z": np.ravel(se),
            "ci_low": np.ravel(np.tanh(z - crit * se)),
            "ci_high": np.ravel(np.tanh(z + crit * se)),
            "n": np.ravel(n_arr).astype(int),
            "conf_level": conf_level,
            "method": "fisher_z",
        }
    )


def _p_from_r(r: np.ndarray, n: np.ndarray, alternative: str) -> np.ndarray:
    df = n - 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(df / (1.0 - r * r))
    t = np.where(np.abs(r) >= 1.0, np.copysign(np.inf, r), t)
    if alternative == "two-sided":
        return np.minimum(2.0 * stats.t.sf(np.abs(t), df), 1.0)
    if alternative == "greater":
        return stats.t.sf(t, df)
    return stats.t.cdf(t, df)


@validate_params({"alternative": _ALTERNATIVE})
def p_from_r(r: Any, n: Any, *, alternative: str = "two-sided") -> float | np.ndarray:
    """P value of Pearson's r under H0: rho = 0, as R's ``cor.test``.

    ``t = r * sqrt((n - 2) / (1 - r**2))``, Student t with ``n - 2`` df.

    Examples
    --------
    >>> round(p_from_r(0.51, 40), 5)
    0.00077
    >>> round(p_from_r(0.20, 67), 3)
    0.105
    """
    r_arr = _check_r(r)
    n_arr = _check_n(n, 3, "the t test needs n - 2 >= 1 degrees of freedom")
    r_arr, n_arr = broadcast(r=r_arr, n=n_arr)
    return _scalar_or_array(_p_from_r(r_arr, n_arr, alternative))


@dataclass(frozen=True)
class NInterval:
    """Sample sizes compatible with a printed (r, P) pair.

    Attributes
    ----------
    n_min, n_max
        Smallest and largest compatible n (``None`` when no n in the scanned
        range works).
    capped
        ``True`` when ``n_max`` equals the end of the scanned range, i.e. larger
        n may also be compatible.
    contiguous
        Whether the compatible n form one run (they do for the two-sided and
        correctly signed one-sided tests, as P is monotone in n).
    r_text, p_text, alternative
        The inputs.
    """

    n_min: int | None
    n_max: int | None
    capped: bool
    contiguous: bool
    r_text: str
    p_text: str
    alternative: str
    n_values: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        """``True`` when no n is compatible."""
        return self.n_min is None

    def contains(self, n: int) -> bool:
        """Whether sample size ``n`` is compatible with the printed r and P."""
        if self.n_min is None or self.n_max is None:
            return False
        if self.contiguous:
            return self.n_min <= n <= self.n_max or (self.capped and n > self.n_max)
        return n in self.n_values

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame."""
        return pd.DataFrame(
            {
                "r_text": [self.r_text],
                "p_text": [self.p_text],
                "alternative": [self.alternative],
                "n_min": pd.array([self.n_min], dtype="Int64"),
                "n_max": pd.array([self.n_max], dtype="Int64"),
                "capped": [self.capped],
                "contiguous": [self.contiguous],
            }
        )


def _r_interval(r_text: str | float) -> tuple[float, float, float]:
    if isinstance(r_text, str):
        try:
            num = parse_number(r_text)
        except OptionError as exc:
            raise OptionError(f"r_text must be a printed correlation ('0.20'): {exc}") from None
        if num.decimals is None:
            raise OptionError(f"r must be printed with digits, got {r_text!r}")
        value = num.value
        lo, hi = rounding_interval(value, num.decimals)
    else:
        value = float(r_text)
        lo = hi = value
    _check_r(value)
    return value, max(lo, -1.0), min(hi, 1.0)


def _p_range(r_lo: float, r_hi: float, n: np.ndarray, alternative: str) -> tuple[Any, Any]:
    """Range [p_low, p_high] of P over r in [r_lo, r_hi] at each n (P monotone in r)."""
    if alternative == "two-sided":
        a_lo = 0.0 if r_lo <= 0.0 <= r_hi else min(abs(r_lo), abs(r_hi))
        a_hi = max(abs(r_lo), abs(r_hi))
        return _p_from_r(np.full_like(n, a_hi), n, alternative), _p_from_r(
            np.full_like(n, a_lo), n, alternative
        )
    p_at_lo = _p_from_r(np.full_like(n, r_lo), n, alternative)
    p_at_hi = _p_from_r(np.full_like(n, r_hi), n, alternative)
    if alternative == "greater":
        return p_at_hi, p_at_lo
    return p_at_lo, p_at_hi


def _compatible(printed: PrintedP, p_low: np.ndarray, p_high: np.ndarray) -> np.ndarray:
    lo, hi = printed.interval()
    rel = printed.relation
    if rel == "<":
        return p_low < hi
    if rel == "<=":
        return p_low <= hi
    if rel == ">":
        return p_high > lo
    if rel == ">=":
        return p_high >= lo
    return (p_low <= hi) & (p_high >= lo)


_R_TEXT = ["str", Interval(Real, -1, 1)]


@validate_params(
    {
        "r_text": _R_TEXT,
        "p_text": ["str"],
        "alternative": _ALTERNATIVE,
        "n_max": [Limit(3, N_SCAN_MAX, "every n up to n_max is evaluated")],
    }
)
def n_interval_from_r_p(
    r_text: str,
    p_text: str,
    *,
    alternative: str = "two-sided",
    n_max: int = 100_000,
) -> NInterval:
    """Sample sizes n for which a printed r and a printed P can both be true.

    n is compatible when some r in the rounding interval of the printed r and
    some P in the set the printed P stands for (:meth:`PrintedP.interval`)
    satisfy ``P = p_from_r(r, n)``. As P is monotone in r, at each n the P
    values over ``[r_lo, r_hi]`` fill ``[p(r_hi, n), p(r_lo, n)]`` (two-sided:
    in ``|r|``); n is compatible when that range meets the printed P's set.
    Every n from 3 to ``n_max`` is checked (vectorised), so the answer is exact
    within that range.

    Parameters
    ----------
    r_text, p_text
        As printed, e.g. ``"0.20"`` or ``"r = 0.20"``, and ``"p = 0.27"``.
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
    n_max
        Largest n scanned.

    Examples
    --------
    >>> iv = n_interval_from_r_p("0.20", "0.27")
    >>> iv.n_min, iv.n_max, iv.contains(67)
    (31, 34, False)
    """
    printed = parse_p(p_text)
    _, r_lo, r_hi = _r_interval(r_text)
    n = np.arange(3, int(n_max) + 1, dtype=float)
    p_low, p_high = _p_range(r_lo, r_hi, n, alternative)
    ok = _compatible(printed, p_low, p_high)
    hits = n[ok].astype(int)
    if hits.size == 0:
        return NInterval(None, None, False, True, str(r_text), p_text, alternative)
    contiguous = bool(hits[-1] - hits[0] + 1 == hits.size)
    return NInterval(
        int(hits[0]),
        int(hits[-1]),
        bool(hits[-1] == n_max),
        contiguous,
        str(r_text),
        p_text,
        alternative,
        () if contiguous else tuple(int(h) for h in hits),
    )


@validate_params(
    {
        "r_text": _R_TEXT,
        "p_text": ["str"],
        "n": [Interval(Integral, 3, None)],
        "alternative": _ALTERNATIVE,
        "n_max": [Limit(3, N_SCAN_MAX, "every n up to n_max is evaluated")],
    }
)
def check_r_p_n(
    r_text: str,
    p_text: str,
    n: int,
    *,
    alternative: str = "two-sided",
    n_max: int = 100_000,
) -> pd.DataFrame:
    """Recompute P from a printed r and n and compare with the printed P.

    Returns
    -------
    DataFrame
        One row: ``r, n, p_text, p_recomputed`` (at the printed r),
        ``p_low, p_high`` (range over the rounding interval of r),
        ``consistent`` (that range meets the printed P's set),
        ``n_min, n_max`` (from :func:`n_interval_from_r_p`), ``alternative, method``.

    Examples
    --------
    >>> row = check_r_p_n("0.51", "p = 0.003", 40).iloc[0]
    >>> bool(row.consistent), round(float(row.p_recomputed), 5)
    (False, 0.00077)
    """
    n_arr = np.asarray(n, dtype=float)
    printed = parse_p(p_text)
    value, r_lo, r_hi = _r_interval(r_text)
    n1 = np.atleast_1d(n_arr.astype(float))
    p_low, p_high = _p_range(r_lo, r_hi, n1, alternative)
    p_at = _p_from_r(np.array([value]), n1, alternative)
    consistent = bool(_compatible(printed, p_low, p_high)[0])
    iv = n_interval_from_r_p(r_text, p_text, alternative=alternative, n_max=n_max)
    return pd.DataFrame(
        {
            "r": [value],
            "n": [int(n1[0])],
            "p_text": [p_text],
            "p_recomputed": [float(p_at[0])],
            "p_low": [float(p_low[0])],
            "p_high": [float(p_high[0])],
            "consistent": [consistent],
            "n_min": pd.array([iv.n_min], dtype="Int64"),
            "n_max": pd.array([iv.n_max], dtype="Int64"),
            "alternative": [alternative],
            "method": ["pearson_t"],
        }
    )


@validate_params({"conf_level": [UNIT_OPEN], "alternative": _ALTERNATIVE})
def compare_correlations(
    r1: Any,
    n1: Any,
    r2: Any,
    n2: Any,
    *,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Compare two correlations from independent groups.

    Test (Fisher 1925): ``z = (atanh r1 - atanh r2) / sqrt(1/(n1-3) + 1/(n2-3))``,
    standard normal. Interval for ``r1 - r2`` (Zou 2007, eq. 9-10): with
    ``(l_i, u_i)`` the Fisher-z intervals of each r,
    ``L = r1 - r2 - sqrt((r1 - l1)**2 + (u2 - r2)**2)`` and
    ``U = r1 - r2 + sqrt((u1 - r1)**2 + (r2 - l2)**2)``. The interval is two-sided
    at ``conf_level`` whatever ``alternative`` is, as in R cocor.

    References: Zou GY (2007) Psychol Methods 12:399-413,
    doi:10.1037/1082-989X.12.4.399; Diedenhofen B, Musch J (2015) cocor,
    PLoS ONE 10:e0121945, doi:10.1371/journal.pone.0121945.

    Returns
    -------
    DataFrame
        One row per pair: ``estimate`` (r1 - r2), ``statistic`` (Fisher z),
        ``p_value``, ``ci_low, ci_high`` (Zou), ``r1, n1, r2, n2, conf_level,
        alternative, method``.

    Examples
    --------
    >>> res = compare_correlations(0.51, 40, 0.20, 67)
    >>> res[["statistic", "p_value", "ci_low", "ci_high"]].round(4)
       statistic  p_value  ci_low  ci_high
    0     1.7431   0.0813 -0.0414   0.6234
    """
    a1, m1, a2, m2 = broadcast(
        r1=_check_r(r1, open_interval=True, name="r1"),
        n1=_check_n(n1, 4, "Fisher z needs n - 3 > 0", name="n1"),
        r2=_check_r(r2, open_interval=True, name="r2"),
        n2=_check_n(n2, 4, "Fisher z needs n - 3 > 0", name="n2"),
    )
    z = (np.arctanh(a1) - np.arctanh(a2)) / np.sqrt(1.0 / (m1 - 3.0) + 1.0 / (m2 - 3.0))
    if alternative == "two-sided":
        p = 2.0 * stats.norm.sf(np.abs(z))
    elif alternative == "greater":
        p = stats.norm.sf(z)
    else:
        p = stats.norm.cdf(z)
    crit = stats.norm.ppf(0.5 + conf_level / 2.0)
    l1 = np.tanh(np.arctanh(a1) - crit / np.sqrt(m1 - 3.0))
    u1 = np.tanh(np.arctanh(a1) + crit / np.sqrt(m1 - 3.0))
    l2 = np.tanh(np.arctanh(a2) - crit / np.sqrt(m2 - 3.0))
    u2 = np.tanh(np.arctanh(a2) + crit / np.sqrt(m2 - 3.0))
    d = a1 - a2
    low = d - np.sqrt((a1 - l1) ** 2 + (u2 - a2) ** 2)
    high = d + np.sqrt((u1 - a1) ** 2 + (a2 - l2) ** 2)
    return pd.DataFrame(
        {
            "estimate": np.ravel(d),
            "statistic": np.ravel(z),
            "p_value": np.ravel(p),
            "ci_low": np.ravel(low),
            "ci_high": np.ravel(high),
            "r1": np.ravel(a1),
            "n1": np.ravel(m1).astype(int),
            "r2": np.ravel(a2),
            "n2": np.ravel(m2).astype(int),
            "conf_level": conf_level,
            "alternative": alternative,
            "method": "fisher1925_z_test+zou2007_ci",
        }
    )


_POWER_METHODS = ("fisher_z", "exact")


def _power_exact(r: float, n: int, alpha: float, alternative: str) -> float:
    """Exact power of the t test of H0: rho = 0 for bivariate normal data.

    Given x, ``t`` is noncentral t with ``n - 2`` df and noncentrality
    ``rho / sqrt(1 - rho**2) * sqrt(W)``, ``W ~ chi2(n - 1)``; integrate over W.
    """
    from scipy import integrate

    df = n - 2
    k = r / np.sqrt(1.0 - r * r)
    if alternative == "two-sided":
        tc = stats.t.ppf(1.0 - alpha / 2.0, df)

        def cond(w: float) -> float:
            nc = k * np.sqrt(w)
            return float(stats.nct.sf(tc, df, nc) + stats.nct.cdf(-tc, df, nc))
    elif alternative == "greater":
        tc = stats.t.ppf(1.0 - alpha, df)

        def cond(w: float) -> float:
            return float(stats.nct.sf(tc, df, k * np.sqrt(w)))
    else:
        tc = stats.t.ppf(1.0 - alpha, df)

        def cond(w: float) -> float:
            return float(stats.nct.cdf(-tc, df, k * np.sqrt(w)))

    if r == 0.0:
        return alpha
    chi = stats.chi2(n - 1)
    lo, hi = chi.ppf(1e-12), chi.isf(1e-12)
    val, _ = integrate.quad(lambda w: chi.pdf(w) * cond(w), lo, hi, epsabs=1e-12, limit=200)
    return float(val)


@validate_params(
    {
        "r": [Interval(Real, -1, 1, closed="neither")],
        "n": [Interval(Integral, 4, None)],
        "alpha": [UNIT_OPEN],
        "alternative": _ALTERNATIVE,
        "method": [Options(_POWER_METHODS)],
    }
)
def power_correlation(
    r: float,
    n: int,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "fisher_z",
) -> float:
    """Power of the test of H0: rho = 0 at true correlation ``r`` and size ``n``.

    ``method="fisher_z"`` (default): normal approximation on Fisher's z,
    ``delta = atanh(r) * sqrt(n - 3)``; two-sided power
    ``Phi(delta - z_{1-alpha/2}) + Phi(-delta - z_{1-alpha/2})``, one-sided
    ``Phi(±delta - z_{1-alpha})``. ``method="exact"``: the power of the t test
    that ``cor.test`` runs, for bivariate normal data, by integrating the
    noncentral t over the chi-square distributed sum of squares of x.
    The approximation is within about 0.01 of the exact power for n >= 40 and
    0.04 for n >= 12 (it is lower than the exact power for small n).

    Examples
    --------
    >>> round(power_correlation(0.3, 84), 3)
    0.796
    >>> round(power_correlation(0.3, 84, method="exact"), 3)
    0.8
    """
    r, n = float(r), int(n)
    if method == "exact":
        return _power_exact(r, n, alpha, alternative)
    delta = np.arctanh(r) * np.sqrt(n - 3.0)
    if alternative == "two-sided":
        zc = stats.norm.ppf(1.0 - alpha / 2.0)
        return float(stats.norm.cdf(delta - zc) + stats.norm.cdf(-delta - zc))
    zc = stats.norm.ppf(1.0 - alpha)
    return float(stats.norm.cdf(delta - zc if alternative == "greater" else -delta - zc))


@validate_params(
    {
        "r": [Interval(Real, -1, 1, closed="neither")],
        "power": [UNIT_OPEN],
        "alpha": [UNIT_OPEN],
        "alternative": _ALTERNATIVE,
        "method": [Options(_POWER_METHODS)],
        "n_max": [Interval(Integral, 4, None)],
    }
)
def n_for_power_correlation(
    r: float,
    power: float,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "fisher_z",
    n_max: int = 10_000_000,
) -> int:
    """Smallest n with :func:`power_correlation` ``>= power``.

    Starts from the closed form ``n = ((z_{1-alpha/2} + z_power) / atanh(r))**2 + 3``
    and steps to the smallest integer that reaches the power.

    Examples
    --------
    >>> n_for_power_correlation(0.3, 0.8), n_for_power_correlation(0.3, 0.8, method="exact")
    (85, 84)
    """
    r = float(r)
    if r == 0.0:
        raise OptionError("r = 0: no sample size gives power above alpha")
    if (alternative == "greater" and r < 0) or (alternative == "less" and r > 0):
        raise OptionError(f"r = {r} points away from alternative={alternative!r}")
    za = stats.norm.ppf(1.0 - (alpha / 2.0 if alternative == "two-sided" else alpha))
    guess = int(np.ceil(((za + stats.norm.ppf(power)) / np.arctanh(abs(r))) ** 2 + 3.0))
    n = max(guess, 4)

    def pw(m: int) -> float:
        return power_correlation(r, m, alpha=alpha, alternative=alternative, method=method)

    while n > 4 and pw(n - 1) >= power:
        n -= 1
    while pw(n) < power:
        n += 1
        if n > n_max:
            raise OptionError(f"power {power} not reached with n <= {n_max}")
    return n


@validate_params({"alpha": [UNIT_OPEN]})
def r_critical(n: Any, *, alpha: float = 0.05) -> float | np.ndarray:
    """Smallest ``|r|`` with two-sided P < ``alpha`` at sample size ``n``.

    Inverting ``cor.test``'s t test (``t = r sqrt(df / (1 - r^2))``, ``df =
    n - 2``, solved for ``r``): ``r_c = t_c / sqrt(df + t_c^2)`` with
    ``t_c = t_{1 - alpha/2, df}``, the values tabulated as critical values of
    the correlation coefficient.

    Parameters
    ----------
    n
        Sample size (scalar or array, each > 2; need not be whole, e.g. for
        a partial r the effective ``n - k``).
    alpha
        Two-sided level, strictly between 0 and 1.

    Returns
    -------
    float or ndarray
        The critical ``|r|``; ``p_from_r(r_critical(n), n) == alpha``.

    Examples
    --------
    >>> round(r_critical(10), 4), round(r_critical(30, alpha=0.01), 4)
    (0.6319, 0.4629)
    """
    n_arr = numeric_array("n", n, finite=True)
    if np.any(n_arr <= 2):
        raise OptionError(f"n must be > 2, got {np.ravel(n_arr)[:3].tolist()}")
    df = n_arr - 2.0
    t = stats.t.isf(alpha / 2.0, df)
    return _scalar_or_array(t / np.sqrt(df + t * t))


__all__ += ["r_critical"]

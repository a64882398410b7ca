"""Effects printed with a confidence interval, and printed ratios.

Altman DG, Bland JM (2011) How to obtain the P value from a confidence
interval. BMJ 343:d2090, doi:10.1136/bmj.d2090: for a ratio (or a percent
difference, ``1 + p/100``) work on the log scale, ``SE = (log hi - log lo) /
(2 z)``, ``z = log est / SE``, ``P = 2 (1 - Phi(|z|))``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import (
    UNIT_OPEN,
    Integral,
    Interval,
    Options,
    Real,
    broadcast,
    numeric_array,
    validate_params,
)
from b12stats.errors import OptionError
from b12stats.stats import _scipy_stats as stats  # norm, t without importing scipy.stats
from b12stats.stats.printed import decimals as _decimals
from b12stats.stats.printed import parse_number, parse_p, rounding_interval

__all__ = ["check_p_against_ci", "check_ratio", "effect_from_ci", "ratio"]

_SCALES = ("percent_difference", "ratio")
_PRINTED = ["str", Interval(Real, None, None)]
_DECIMALS = [None, Interval(Integral, 0, None)]


def _to_log(x: np.ndarray, scale: str, what: str) -> np.ndarray:
    ratio_ = 1.0 + x / 100.0 if scale == "percent_difference" else x
    if np.any(~np.isfinite(ratio_)) or np.any(ratio_ <= 0):
        lim = "> -100" if scale == "percent_difference" else "> 0"
        raise OptionError(f"{what} must be {lim} on scale {scale!r}, got {np.ravel(x).tolist()}")
    return np.log(ratio_)


@validate_params({"scale": [Options(_SCALES)], "conf_level": [UNIT_OPEN]})
def effect_from_ci(
    estimate: Any,
    ci_low: Any,
    ci_high: Any,
    *,
    scale: str = "percent_difference",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Standard error, z and P of a ratio-type effect from its printed CI.

    With ``L = log`` of the ratio (``1 + p/100`` for a percent difference):
    ``se = (L(hi) - L(lo)) / (2 z_{(1+c)/2})``, ``statistic = L(est) / se``,
    ``p_value = 2 (1 - Phi(|statistic|))`` (Altman & Bland 2011, BMJ 343:d2090,
    doi:10.1136/bmj.d2090). ``asymmetry = |(L(hi) - L(est)) - (L(est) - L(lo))|``
    divided by the half-width ``(L(hi) - L(lo)) / 2``: near 0 when the CI was
    computed on the log scale, as the method assumes.

    Returns
    -------
    DataFrame
        ``estimate, se, ci_low, ci_high`` (log scale), ``statistic, p_value,
        asymmetry, printed_estimate, printed_ci_low, printed_ci_high, scale,
        conf_level, method``.

    Examples
    --------
    >>> res = effect_from_ci(15.9, 1.91, 31.9)
    >>> res[["se", "statistic", "p_value"]].round(4)
           se  statistic  p_value
    0  0.0658     2.2423   0.0249
    """
    e, lo, hi = broadcast(
        estimate=numeric_array("estimate", estimate),
        ci_low=numeric_array("ci_low", ci_low),
        ci_high=numeric_array("ci_high", ci_high),
    )
    e, lo, hi = (np.ravel(x) for x in (e, lo, hi))
    if np.any(~((lo < e) & (e < hi))):
        raise OptionError(
            f"need ci_low < estimate < ci_high, got {lo.tolist()}, {e.tolist()}, {hi.tolist()}"
        )
    le, llo, lhi = (
        _to_log(x, scale, w) for x, w in ((e, "estimate"), (lo, "ci_low"), (hi, "ci_high"))
    )
    crit = stats.norm.ppf(0.5 + conf_level / 2.0)
    se = (lhi - llo) / (2.0 * crit)
    z = le / se
    asym = np.abs((lhi - le) - (le - llo)) / ((lhi - llo) / 2.0)
    return pd.DataFrame(
        {
            "estimate": le,
            "se": se,
            "ci_low": llo,
            "ci_high": lhi,
            "statistic": z,
            "p_value": 2.0 * stats.norm.sf(np.abs(z)),
            "asymmetry": asym,
            "printed_estimate": e,
            "printed_ci_low": lo,
            "printed_ci_high": hi,
            "scale": scale,
            "conf_level": conf_level,
            "method": "altman_bland_2011_log",
        }
    )


def _float_decimals(value: float) -> int:
    """Decimals of a float's shortest repr (``1.91`` -> 2, ``17.0`` -> 0)."""
    if not np.isfinite(value):
        raise OptionError(f"value must be finite, got {value!r}")
    if value == int(value):
        return 0
    text = np.format_float_positional(value, trim="-")
    return _decimals(text)


def _value_interval(x: str | float, decimals: int | None, what: str) -> tuple[float, float, float]:
    """Printed value and its rounding interval; decimals from the text or given."""
    d: int | None
    if isinstance(x, str):
        num = parse_number(x)
        if num.decimals is None:
            raise OptionError(f"{what} must be printed with digits, got {x!r}")
        value, d = num.value, num.decimals if decimals is None else decimals
    else:
        value = float(x)
        if not np.isfinite(value):
            raise OptionError(f"{what} must be finite, got {x!r}")
        d = decimals
    if d is None:
        return value, value, value
    lo, hi = rounding_interval(value, d)
    return value, lo, hi


@validate_params(
    {
        "p_text": ["str"],
        "estimate": _PRINTED,
        "ci_low": _PRINTED,
        "ci_high": _PRINTED,
        "scale": [Options(_SCALES)],
        "conf_level": [UNIT_OPEN],
        "decimals": _DECIMALS,
        "estimate_decimals": _DECIMALS,
        "ci_low_decimals": _DECIMALS,
        "ci_high_decimals": _DECIMALS,
        "infer_decimals": ["boolean"],
    }
)
def check_p_against_ci(
    p_text: str,
    estimate: str | float,
    ci_low: str | float,
    ci_high: str | float,
    *,
    scale: str = "percent_difference",
    conf_level: float = 0.95,
    decimals: int | None = None,
    estimate_decimals: int | None = None,
    ci_low_decimals: int | None = None,
    ci_high_decimals: int | None = None,
    infer_decimals: bool = True,
) -> pd.DataFrame:
    """Is a printed P compatible with a printed estimate and CI, given rounding?

    Each of the estimate and the bounds stands for its rounding interval. Its
    decimals come, first to last, from ``<name>_decimals``, from ``decimals``
    (all three), from the text when given as a string (``"17.0"`` -> 1), or,
    for a float with ``infer_decimals=True``, from its shortest repr (``1.91``
    -> 2; trailing zeros are lost, ``17.0`` -> 0, which widens the interval:
    pass strings or decimals when you have them). With ``infer_decimals=False``
    a float without decimals is taken as exact. ``|z| = |L(est)| / se`` with
    ``se = (L(hi) - L(lo)) / (2 z_c)`` is monotone in each input, so the P range
    over the box of rounding intervals is reached at its corners:
    smallest P with the largest ``|L(est)|`` and the narrowest CI, largest P with
    the smallest ``|L(est)|`` (0 if the interval spans no effect) and the widest
    CI. The printed P is consistent when its set (:meth:`PrintedP.interval`)
    meets ``[p_low, p_high]`` (Altman & Bland 2011, doi:10.1136/bmj.d2090).

    Returns
    -------
    DataFrame
        One row: ``p_text, p_recomputed`` (at the printed numbers),
        ``p_low, p_high, consistent, printed_p_low, printed_p_high, scale, method``.

    Examples
    --------
    >>> row = check_p_against_ci("P = 0.025", "15.9", "1.91", "31.9").iloc[0]
    >>> bool(row.consistent), round(float(row.p_low), 4), round(float(row.p_high), 4)
    (True, 0.0243, 0.0256)
    """
    printed = parse_p(p_text)

    def dec(x: str | float, own: int | None) -> int | None:
        if own is not None:
            return own
        if decimals is not None:
            return decimals
        if isinstance(x, str) or not infer_decimals:
            return None
        return _float_decimals(float(x))

    e, e_lo, e_hi = _value_interval(estimate, dec(estimate, estimate_decimals), "estimate")
    lo, lo_lo, lo_hi = _value_interval(ci_low, dec(ci_low, ci_low_decimals), "ci_low")
    hi, hi_lo, hi_hi = _value_interval(ci_high, dec(ci_high, ci_high_decimals), "ci_high")
    point = effect_from_ci(e, lo, hi, scale=scale, conf_level=conf_level).iloc[0]
    crit = stats.norm.ppf(0.5 + conf_level / 2.0)
    le = _to_log(np.array([e_lo, e_hi]), scale, "estimate")
    l_lo = _to_log(np.array([lo_lo, lo_hi]), scale, "ci_low")
    l_hi = _to_log(np.array([hi_lo, hi_hi]), scale, "ci_high")
    abs_max = float(np.max(np.abs(le)))
    abs_min = 0.0 if le[0] <= 0.0 <= le[1] else float(np.min(np.abs(le)))
    se_min = (l_hi[0] - l_lo[1]) / (2.0 * crit)
    se_max = (l_hi[1] - l_lo[0]) / (2.0 * crit)
    if se_min <= 0:
        raise OptionError("the CI bounds' rounding intervals overlap: the CI has no width")
    p_low = float(2.0 * stats.norm.sf(abs_max / se_min))
    p_high = float(2.0 * stats.norm.sf(abs_min / se_max))
    iv = printed.interval()
    return pd.DataFrame(
        {
            "p_text": [p_text],
            "p_recomputed": [float(point.p_value)],
            "p_low": [p_low],
            "p_high": [p_high],
            "consistent": [printed.intersects(p_low, p_high)],
            "printed_p_low": [iv[0]],
            "printed_p_high": [iv[1]],
            "scale": [scale],
            "method": ["altman_bland_2011_log_rounding"],
        }
    )


def ratio(numerator: Any, denominator: Any) -> float | np.ndarray:
    """The ratio of two concentrations, ``numerator / denominator`` (vectorised).

    Raises
    ------
    OptionError
        For a negative numerator or denominator (a concentration is >= 0) or
        a zero denominator. NaN (a missing value) gives NaN.

    Examples
    --------
    >>> round(ratio(348, 171), 4)
    2.0351
    """
    num, den = broadcast(
        numerator=numeric_array("numerator", numerator),
        denominator=numeric_array("denominator", denominator),
    )
    for name, values in (("numerator", num), ("denominator", den)):
        if np.any(values < 0):
            raise OptionError(
                f"{name} must be a concentration >= 0; got {values[values < 0].flat[0]:g}"
            )
    if np.any(den == 0):
        raise OptionError("ratio: denominator is zero")
    out = num / den
    return float(out) if np.ndim(out) == 0 else out


def _num_and_decimals(x: str | float, decimals: int | None, what: str) -> tuple[float, int]:
    if isinstance(x, str):
        num = parse_number(x)
        if num.decimals is None:
            raise OptionError(f"{what} must be printed with digits, got {x!r}")
        return num.value, num.decimals if decimals is None else decimals
    value = float(x)
    return value, _float_decimals(value) if decimals is None else decimals


@validate_params(
    {
        "numerator": _PRINTED,
        "denominator": _PRINTED,
        "printed_text": ["str"],
        "numerator_decimals": _DECIMALS,
        "denominator_decimals": _DECIMALS,
    }
)
def check_ratio(
    numerator: str | float,
    denominator: str | float,
    printed_text: str,
    *,
    numerator_decimals: int | None = None,
    denominator_decimals: int | None = None,
) -> pd.DataFrame:
    """Reproduce a printed ratio (``"2.03x"``) from printed numerator and denominator.

    ``reproduced_exact``: the ratio of the printed inputs lies in the rounding
    interval of the printed ratio (it rounds to the printed digits).
    ``consistent_with_rounding``: the ratio over the inputs' rounding intervals,
    ``[num_lo / den_hi, num_hi / den_lo]`` (positive inputs), meets the printed
    ratio's rounding interval. Decimals of the inputs are read from strings, or
    given, or inferred from the float (integers: 0).

    Returns
    -------
    DataFrame
        One row: ``numerator, denominator, ratio, printed, printed_value,
        printed_decimals, ratio_low, ratio_high, reproduced_exact,
        consistent_with_rounding``.

    Examples
    --------
    >>> row = check_ratio(348, 171, "2.03x").iloc[0]
    >>> bool(row.reproduced_exact), bool(row.consistent_with_rounding)
    (False, True)
    """
    nv, nd = _num_and_decimals(numerator, numerator_decimals, "numerator")
    dv, dd = _num_and_decimals(denominator, denominator_decimals, "denominator")
    if nv <= 0 or dv <= 0:
        raise OptionError("check_ratio needs positive numerator and denominator")
    printed = parse_number(printed_text)
    if printed.decimals is None:
        raise OptionError(f"printed ratio must have digits, got {printed_text!r}")
    p_lo, p_hi = rounding_interval(printed.value, printed.decimals)
    n_lo, n_hi = rounding_interval(nv, nd)
    d_lo, d_hi = rounding_interval(dv, dd)
    if d_lo <= 0:
        raise OptionError("denominator's rounding interval reaches 0")
    r = nv / dv
    r_lo, r_hi = n_lo / d_hi, n_hi / d_lo
    return pd.DataFrame(
        {
            "numerator": [nv],
            "denominator": [dv],
            "ratio": [r],
            "printed": [printed_text],
            "printed_value": [printed.value],
            "printed_decimals": [printed.decimals],
            "ratio_low": [r_lo],
            "ratio_high": [r_hi],
            "reproduced_exact": [bool(p_lo <= r <= p_hi)],
            "consistent_with_rounding": [bool(r_lo <= p_hi and r_hi >= p_lo)],
        }
    )


@validate_params(
    {
        "numerator": [Interval(Real, 0, None, closed="neither")],
        "numerator_ci": ["sequence"],
        "denominator": [Interval(Real, 0, None, closed="neither")],
        "denominator_ci": ["sequence"],
        "ci_level": [UNIT_OPEN],
        "conf_level": [UNIT_OPEN],
    }
)
def ratio_from_cis(
    numerator: float,
    numerator_ci: tuple[float, float],
    denominator: float,
    denominator_ci: tuple[float, float],
    *,
    ci_level: float = 0.95,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Ratio of two independent estimates printed with CIs: delta-method CI and z test.

    Each CI is read as symmetric on the linear scale, ``se = (hi - lo) /
    (2 z_c)`` with ``z_c = Phi^-1(1/2 + ci_level/2)``. By the delta method
    ``se(log a) = se(a) / a`` (Oehlert 1992), and for independent estimates
    the variances of the logs add (Altman & Bland 2003)::

        se(log a/b) = sqrt((se_a / a)**2 + (se_b / b)**2)
        CI = (a/b) exp(± z se),   z_stat = log(a/b) / se,   P = 2 Phi(-|z_stat|)

    with ``z = Phi^-1(1/2 + conf_level/2)``. The interval excludes 1 exactly
    when ``P < 1 - conf_level``.

    Parameters
    ----------
    numerator, denominator
        The two estimates (positive).
    numerator_ci, denominator_ci
        Their ``(low, high)`` confidence bounds, ``low <= high``.
    ci_level
        Level of the printed CIs.
    conf_level
        Level of the interval returned.

    Returns
    -------
    DataFrame
        One row: ``estimate, se, ci_low, ci_high, statistic, p_value,
        conf_level, method``; ``se`` is that of ``log(a/b)``.

    References
    ----------
    Oehlert GW (1992) A note on the delta method. Am Stat 46(1). Altman DG, Bland JM (2003)
    Interaction revisited: the difference between two estimates. BMJ 326:219,
    doi:10.1136/bmj.326.7382.219.

    Examples
    --------
    >>> res = ratio_from_cis(200.0, (180.4, 219.6), 100.0, (90.2, 109.8))
    >>> res[["estimate", "ci_low", "ci_high"]].round(3)
       estimate  ci_low  ci_high
    0       2.0   1.741    2.297
    >>> float(res["p_value"].iloc[0]) < 1e-10
    True
    """
    a, b = float(numerator), float(denominator)
    (a_lo, a_hi), (b_lo, b_hi) = (
        tuple(numeric_array(name, ci, ndim=1).tolist()[:2])
        for name, ci in (("numerator_ci", numerator_ci), ("denominator_ci", denominator_ci))
    )
    for what, v, lo, hi in (("numerator", a, a_lo, a_hi), ("denominator", b, b_lo, b_hi)):
        if not (np.isfinite(v) and v > 0):
            raise OptionError(f"{what} must be a positive number, got {v!r}")
        if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi):
            raise OptionError(
                f"{what}_ci must be finite (low, high) with low <= high, got {(lo, hi)}"
            )
    zl = float(stats.norm.ppf(0.5 + ci_level / 2.0))
    sa, sb = (a_hi - a_lo) / (2.0 * zl), (b_hi - b_lo) / (2.0 * zl)
    est = a / b
    se_log = math.hypot(sa / a, sb / b)
    if se_log <= 0:
        raise OptionError("the CIs have zero width: the ratio has no standard error")
    zc = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    z = math.log(est) / se_log
    return pd.DataFrame(
        {
            "estimate": [est],
            "se": [se_log],
            "ci_low": [est * math.exp(-zc * se_log)],
            "ci_high": [est * math.exp(zc * se_log)],
            "statistic": [z],
            "p_value": [float(2.0 * stats.norm.sf(abs(z)))],
            "conf_level": [conf_level],
            "method": ["delta_log_ratio"],
        }
    )


__all__ += ["ratio_from_cis"]

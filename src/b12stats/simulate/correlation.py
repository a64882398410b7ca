"""Closed-form maps between a latent log-scale correlation and a correlation on a stated scale.

See :mod:`b12stats.simulate` for the model and the references.
"""

from __future__ import annotations

import math
import numbers

from b12stats.errors import OptionError, check_option

__all__ = [
    "CORRELATION_SCALES",
    "latent_correlation",
    "observed_correlation",
    "observed_correlation_range",
]

#: scales a published correlation can be stated on
CORRELATION_SCALES = ("pearson_log", "pearson", "spearman")


def _pearson_sigmas(sigma_milk: float | None, sigma_infant: float | None) -> tuple[float, float]:
    """The log-SDs the ``"pearson"`` scale needs, checked (OptionError if missing or not > 0)."""
    if sigma_milk is None or sigma_infant is None:
        raise OptionError("the 'pearson' scale needs sigma_milk and sigma_infant")
    for name, s in (("sigma_milk", sigma_milk), ("sigma_infant", sigma_infant)):
        if not (isinstance(s, numbers.Real) and math.isfinite(s) and s > 0):
            raise OptionError(f"{name} must be a finite number > 0, got {s!r}")
    return sigma_milk, sigma_infant


def _lognormal_factor(sigma_milk: float, sigma_infant: float) -> float:
    return math.sqrt(math.expm1(sigma_milk**2) * math.expm1(sigma_infant**2))


def observed_correlation(
    rho: float,
    scale: str,
    *,
    sigma_milk: float | None = None,
    sigma_infant: float | None = None,
) -> float:
    """Population correlation on ``scale`` of a bivariate normal log scale with correlation rho.

    * ``"pearson_log"``: ``rho``.
    * ``"spearman"``: ``(6 / pi) asin(rho / 2)`` (Kruskal 1958,
      doi:10.1080/01621459.1958.10501481).
    * ``"pearson"``: ``(exp(rho s1 s2) - 1) / sqrt((exp(s1^2) - 1)(exp(s2^2) - 1))``,
      the correlation of a bivariate log-normal (Johnson & Kotz 1972); needs
      the log-SDs ``sigma_milk`` and ``sigma_infant``.

    Parameters
    ----------
    rho
        Latent correlation of (log milk, log infant), in [-1, 1].
    scale
        One of :data:`CORRELATION_SCALES`.
    sigma_milk, sigma_infant
        Log-scale SDs (only for ``"pearson"``).

    Examples
    --------
    >>> round(observed_correlation(0.5, "spearman"), 6)
    0.482584
    >>> round(observed_correlation(0.5, "pearson", sigma_milk=0.9, sigma_infant=0.5), 4)
    0.4238
    """
    check_option("correlation scale", scale, CORRELATION_SCALES)
    if not (isinstance(rho, numbers.Real) and -1.0 <= rho <= 1.0):
        raise OptionError(f"rho (the latent correlation) must lie in [-1, 1], got {rho!r}")
    rho = float(rho)
    if scale == "pearson_log":
        return rho
    if scale == "spearman":
        return 6.0 / math.pi * math.asin(rho / 2.0)
    s_milk, s_infant = _pearson_sigmas(sigma_milk, sigma_infant)
    return math.expm1(rho * s_milk * s_infant) / _lognormal_factor(s_milk, s_infant)


def observed_correlation_range(
    scale: str, *, sigma_milk: float | None = None, sigma_infant: float | None = None
) -> tuple[float, float]:
    """Attainable correlations on ``scale`` (those of latent rho = -1 and rho = 1).

    Examples
    --------
    >>> lo, hi = observed_correlation_range("pearson", sigma_milk=1.5, sigma_infant=1.5)
    >>> round(lo, 4), round(hi, 4)
    (-0.1054, 1.0)
    """
    kw = {"sigma_milk": sigma_milk, "sigma_infant": sigma_infant}
    return observed_correlation(-1.0, scale, **kw), observed_correlation(1.0, scale, **kw)


def latent_correlation(
    r: float,
    scale: str,
    *,
    sigma_milk: float | None = None,
    sigma_infant: float | None = None,
) -> float:
    """Latent (log-scale normal) correlation giving correlation ``r`` on ``scale``, in closed form.

    Inverse of :func:`observed_correlation`:

    * ``"pearson_log"``: ``rho = r``;
    * ``"spearman"``: ``rho = 2 sin(pi r / 6)`` (Kruskal 1958);
    * ``"pearson"``: ``rho = log(1 + r sqrt((exp(s1^2) - 1)(exp(s2^2) - 1))) / (s1 s2)``
      (bivariate log-normal, Johnson & Kotz 1972).

    Raises
    ------
    OptionError
        If ``r`` is outside the attainable range (given in the message).

    Examples
    --------
    >>> round(latent_correlation(0.3, "spearman"), 6)
    0.312869
    >>> rho = latent_correlation(0.3, "pearson", sigma_milk=0.9, sigma_infant=0.5)
    >>> round(rho, 4)
    0.3652
    >>> round(observed_correlation(rho, "pearson", sigma_milk=0.9, sigma_infant=0.5), 12)
    0.3
    """
    check_option("correlation scale", scale, CORRELATION_SCALES)
    if not (isinstance(r, numbers.Real) and math.isfinite(r)):
        raise OptionError(f"r (the correlation) must be a finite number, got {r!r}")
    r = float(r)
    if scale in ("pearson_log", "spearman"):
        if not -1.0 <= r <= 1.0:
            raise OptionError(f"r must lie in [-1, 1] on scale {scale!r}, got {r}")
        return r if scale == "pearson_log" else 2.0 * math.sin(math.pi * r / 6.0)
    s_milk, s_infant = _pearson_sigmas(sigma_milk, sigma_infant)
    lo, hi = observed_correlation_range(scale, sigma_milk=s_milk, sigma_infant=s_infant)
    if not lo <= r <= hi:
        raise OptionError(
            f"r = {r}, a Pearson correlation on concentrations, is not attainable by log-normal "
            f"marginals with log-SDs {s_milk:.4g} and {s_infant:.4g}: "
            f"attainable range is [{lo:.4f}, {hi:.4f}]"
        )
    rho = math.log1p(r * _lognormal_factor(s_milk, s_infant)) / (s_milk * s_infant)
    return min(1.0, max(-1.0, rho))  # clip rounding at the ends of the range

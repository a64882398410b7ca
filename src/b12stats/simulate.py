"""Simulated mother-infant dyad cohorts rebuilt from published summaries.

A :class:`Design` describes a cohort: the log-normal marginals of milk B12 and
infant serum B12 (pmol/L), their target correlation and the scale it is stated
on, clusters (number, sizes, intra-cluster correlations), covariates and their
effects on infant B12. Built-in designs (:func:`get_design`, :data:`DESIGN_NAMES`)
read every published number from the bundled ``data/`` tables by row id; every
number that is not published is a named, documented assumption
(``design.assumptions``) the user can change with ``design.replace(...)``.

Model
-----
A latent Gaussian model on the log scale. With standard normal cluster effects
``a_c, b_c`` and dyad-level ``e_i, f_i`` (all independent)::

    X_i = sqrt(icc_milk) a_c + sqrt(1 - icc_milk) e_i                 (var 1)
    Z_i = sqrt(icc_z) b_c + sqrt(1 - icc_z) f_i                       (var 1)
    log milk_i   = mu_m + sigma_m X_i
    log infant_i = mu_i + C_i + sigma_i (rho X_i + sqrt(1 - v_c - rho^2) Z_i)

``C_i = sum_k beta_k (x_ik - E x_k)`` is the covariate part (``beta_k`` = change
in log infant B12 per unit of covariate ``k``; covariates independent of each
other and of the clusters), ``v_c = Var(C) / sigma_i^2`` its share of the
infant log-variance, and ``icc_z = (icc_infant - rho^2 icc_milk) / (1 - v_c -
rho^2)``. Then, exactly,

* ``log milk ~ N(mu_m, sigma_m^2)``; ``E log infant = mu_i`` and
  ``SD log infant = sigma_i`` (the infant log is exactly normal when all
  effects are 0, the default for every unpublished effect);
* ``corr(log milk, log infant) = rho`` (the *latent* correlation);
* the intra-cluster correlations of log milk and log infant are ``icc_milk``
  and ``icc_infant``.

Infant B12 depends on milk B12 (the path the studies examine) plus an
infant-specific cluster effect; milk and infant cluster effects are therefore
correlated through milk.

Correlation scales
------------------
The published correlation is converted to ``rho`` in closed form
(:func:`latent_correlation`; inverse :func:`observed_correlation`):

* ``"pearson_log"`` (Pearson on log concentrations): ``rho = r``.
* ``"spearman"``: for a bivariate normal ``r_S = (6 / pi) asin(rho / 2)``
  (Kruskal 1958), so ``rho = 2 sin(pi r_S / 6)``; ranks are invariant under the
  monotone ``exp``, so this holds for the concentrations.
* ``"pearson"`` (Pearson on concentrations): for a bivariate log-normal
  ``r = (exp(rho s_m s_i) - 1) / sqrt((exp(s_m^2) - 1)(exp(s_i^2) - 1))``
  (Johnson & Kotz 1972, ch. 46; Johnson 1987 ch. 5), so
  ``rho = log(1 + r sqrt((exp(s_m^2) - 1)(exp(s_i^2) - 1))) / (s_m s_i)``;
  ``r`` is attainable only within the range obtained at ``rho = -1, 1``.

The Spearman and concentration-Pearson maps are exact for the bivariate normal
log scale, i.e. when the covariate effects are 0; non-zero effects of
non-normal covariates (binary, uniform, ...) make them approximations.

References
----------
Kruskal WH (1958). Ordinal measures of association. J Am Stat Assoc
53:814-861. doi:10.1080/01621459.1958.10501481

Johnson NL, Kotz S (1972). Distributions in Statistics: Continuous
Multivariate Distributions. Wiley. (Bivariate log-normal moments.)

Johnson ME (1987). Multivariate Statistical Simulation. Wiley.
doi:10.1002/9781118150740

Williams AM et al. (2018). J Nutr 148:86-93. doi:10.1093/jn/nxx009

Williams AM et al. (2016). J Nutr 146:1125-31. doi:10.3945/jn.115.228189

Chebaya P et al. (2017). Nutrients 9:270. doi:10.3390/nu9030270
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from b12stats._io import write_csv, write_text
from b12stats._version import __version__
from b12stats.errors import OptionError, check_option
from b12stats.stats.quartiles import lognormal_from_quartiles

__all__ = [
    "CLUSTER_SIZE_MODELS",
    "CORRELATION_SCALES",
    "DESIGN_NAMES",
    "Covariate",
    "Design",
    "LognormalMarginal",
    "SimArrays",
    "cluster_labels",
    "get_design",
    "latent_correlation",
    "list_designs",
    "observed_correlation",
    "observed_correlation_range",
    "simulate_arrays",
    "simulate_cohort",
    "write_cohort",
]

#: scales a published correlation can be stated on
CORRELATION_SCALES = ("pearson_log", "pearson", "spearman")

#: how dyads are split into clusters
CLUSTER_SIZE_MODELS = ("equal", "multinomial")

#: covariate distributions and their parameters
COVARIATE_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "bernoulli": ("p",),
    "binomial": ("size", "p"),
    "normal": ("mean", "sd"),
    "truncnormal": ("mean", "sd", "low", "high"),
}

#: the columns every simulated cohort has, before the covariates
CORE_COLUMNS = ("dyad", "cluster", "milk_b12", "infant_b12", "adequate")

#: printed format of floats in written cohorts (fixed, so files are reproducible)
FLOAT_FORMAT = "%.4f"

_WEEKS_PER_MONTH = 365.25 / 12 / 7


# --------------------------------------------------------------------------- #
# closed-form correlation maps
# --------------------------------------------------------------------------- #
def _check_sigmas(sigma_milk: float, sigma_infant: float) -> None:
    for name, s in (("sigma_milk", sigma_milk), ("sigma_infant", sigma_infant)):
        if not (isinstance(s, numbers.Real) and math.isfinite(s) and s > 0):
            raise OptionError(f"{name} must be a finite number > 0, got {s!r}")


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
        raise OptionError(f"latent correlation must lie in [-1, 1], got {rho!r}")
    rho = float(rho)
    if scale == "pearson_log":
        return rho
    if scale == "spearman":
        return 6.0 / math.pi * math.asin(rho / 2.0)
    if sigma_milk is None or sigma_infant is None:
        raise OptionError("the 'pearson' scale needs sigma_milk and sigma_infant")
    _check_sigmas(sigma_milk, sigma_infant)
    return math.expm1(rho * sigma_milk * sigma_infant) / _lognormal_factor(
        sigma_milk, sigma_infant
    )


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
    >>> round(latent_correlation(0.36, "spearman"), 6)
    0.374763
    >>> rho = latent_correlation(0.36, "pearson", sigma_milk=0.8766, sigma_infant=0.5384)
    >>> round(rho, 4)
    0.4291
    >>> round(observed_correlation(rho, "pearson", sigma_milk=0.8766, sigma_infant=0.5384), 12)
    0.36
    """
    check_option("correlation scale", scale, CORRELATION_SCALES)
    if not (isinstance(r, numbers.Real) and math.isfinite(r)):
        raise OptionError(f"correlation must be a finite number, got {r!r}")
    r = float(r)
    if scale in ("pearson_log", "spearman"):
        if not -1.0 <= r <= 1.0:
            raise OptionError(f"correlation on scale {scale!r} must lie in [-1, 1], got {r}")
        return r if scale == "pearson_log" else 2.0 * math.sin(math.pi * r / 6.0)
    if sigma_milk is None or sigma_infant is None:
        raise OptionError("the 'pearson' scale needs sigma_milk and sigma_infant")
    _check_sigmas(sigma_milk, sigma_infant)
    lo, hi = observed_correlation_range(scale, sigma_milk=sigma_milk, sigma_infant=sigma_infant)
    if not lo <= r <= hi:
        raise OptionError(
            f"a Pearson correlation of {r} on concentrations is not attainable by log-normal "
            f"marginals with log-SDs {sigma_milk:.4g} and {sigma_infant:.4g}: "
            f"attainable range is [{lo:.4f}, {hi:.4f}]"
        )
    rho = math.log1p(r * _lognormal_factor(sigma_milk, sigma_infant)) / (sigma_milk * sigma_infant)
    return min(1.0, max(-1.0, rho))  # clip rounding at the ends of the range


# --------------------------------------------------------------------------- #
# building blocks
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class LognormalMarginal:
    """A log-normal marginal: ``log X ~ N(mu, sigma^2)`` (concentrations in pmol/L).

    Attributes
    ----------
    mu, sigma
        Mean and SD of the natural log of the concentration.
    method
        How it was obtained (e.g. ``"quartiles (least squares)"``).

    Examples
    --------
    >>> m = LognormalMarginal(mu=math.log(276), sigma=0.5384)
    >>> round(m.median, 6), round(m.quantile(0.75), 1), round(m.cdf(220), 3)
    (276.0, 396.8, 0.337)
    """

    mu: float
    sigma: float
    method: str = "given"

    def __post_init__(self) -> None:
        if not (isinstance(self.mu, numbers.Real) and math.isfinite(self.mu)):
            raise OptionError(f"mu must be a finite number, got {self.mu!r}")
        if not (isinstance(self.sigma, numbers.Real) and math.isfinite(self.sigma)):
            raise OptionError(f"sigma must be a finite number, got {self.sigma!r}")
        if self.sigma <= 0:
            raise OptionError(f"sigma must be > 0, got {self.sigma!r}")

    @classmethod
    def from_quartiles(cls, q1: float, median: float, q3: float) -> LognormalMarginal:
        """Fit printed quartiles (:func:`~b12stats.stats.quartiles.lognormal_from_quartiles`)."""
        fit = lognormal_from_quartiles(q1, median, q3)
        method = "exact" if fit.exact else "least squares"
        return cls(
            mu=fit.mu,
            sigma=fit.sigma,
            method=f"quartiles {q1:g}/{median:g}/{q3:g} ({method} log-normal fit)",
        )

    @classmethod
    def from_geometric_mean_ci(
        cls, gm: float, ci_low: float, ci_high: float, n: int, *, conf_level: float = 0.95
    ) -> LognormalMarginal:
        """Log-normal from a geometric mean and its t-based CI on the log scale.

        ``mu = log GM``; ``sigma = sqrt(n) (log hi - log lo) / (2 t_{n-1, (1+level)/2})``.

        Examples
        --------
        >>> m = LognormalMarginal.from_geometric_mean_ci(506, 459, 552, 124)
        >>> round(m.median, 6), round(m.sigma, 4)
        (506.0, 0.519)
        """
        if not (0 < ci_low < gm < ci_high):
            raise OptionError(
                f"need 0 < ci_low < gm < ci_high, got {ci_low!r}, {gm!r}, {ci_high!r}"
            )
        if not (isinstance(n, numbers.Integral) and n >= 2):
            raise OptionError(f"n must be an integer >= 2, got {n!r}")
        t = float(stats.t.ppf(0.5 + conf_level / 2.0, int(n) - 1))
        sigma = math.sqrt(int(n)) * (math.log(ci_high) - math.log(ci_low)) / (2.0 * t)
        return cls(
            mu=math.log(gm),
            sigma=sigma,
            method=f"geometric mean {gm:g} ({100 * conf_level:g}% CI {ci_low:g}, {ci_high:g}), "
            f"n = {int(n)}",
        )

    @property
    def median(self) -> float:
        """``exp(mu)`` (also the geometric mean)."""
        return math.exp(self.mu)

    def quantile(self, p: Any) -> Any:
        """``exp(mu + sigma Phi^-1(p))``."""
        out = np.exp(self.mu + self.sigma * stats.norm.ppf(p))
        return float(out) if np.ndim(out) == 0 else out

    def cdf(self, x: Any) -> Any:
        """``Phi((log x - mu) / sigma)``."""
        out = stats.norm.cdf((np.log(x) - self.mu) / self.sigma)
        return float(out) if np.ndim(out) == 0 else out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description."""
        return {
            "distribution": "lognormal",
            "mu": float(self.mu),
            "sigma": float(self.sigma),
            "median": self.median,
            "q1": self.quantile(0.25),
            "q3": self.quantile(0.75),
            "method": self.method,
        }


@dataclass(frozen=True)
class Covariate:
    """A dyad-level covariate and its effect on infant B12.

    Attributes
    ----------
    name
        Column name (snake_case).
    distribution
        ``"uniform"`` (low, high), ``"bernoulli"`` (p), ``"binomial"`` (size, p),
        ``"normal"`` (mean, sd) or ``"truncnormal"`` (mean, sd, low, high;
        a normal restricted to [low, high]).
    params
        The distribution's parameters, in that order.
    effect
        Change in log infant B12 per unit of the covariate (``exp(effect)`` is
        the ratio of geometric means). 0 means no effect.
    unit
        Unit of the covariate.
    explanation
        Where the distribution and the effect come from.

    Examples
    --------
    >>> c = Covariate("infant_female", "bernoulli", (0.5,))
    >>> c.mean, c.variance
    (0.5, 0.25)
    """

    name: str
    distribution: str
    params: tuple[float, ...]
    effect: float = 0.0
    unit: str = ""
    explanation: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            raise OptionError(f"covariate name must be an identifier, got {self.name!r}")
        check_option("covariate distribution", self.distribution, tuple(COVARIATE_DISTRIBUTIONS))
        names = COVARIATE_DISTRIBUTIONS[self.distribution]
        object.__setattr__(self, "params", tuple(float(p) for p in self.params))
        if len(self.params) != len(names):
            raise OptionError(
                f"covariate {self.name!r}: a {self.distribution} needs parameters "
                f"({', '.join(names)}), got {self.params!r}"
            )
        if not all(math.isfinite(p) for p in self.params):
            raise OptionError(f"covariate {self.name!r}: parameters must be finite")
        if not (isinstance(self.effect, numbers.Real) and math.isfinite(self.effect)):
            raise OptionError(f"covariate {self.name!r}: effect must be a finite number")
        p = dict(zip(names, self.params, strict=True))
        ok = {
            "uniform": lambda: p["low"] < p["high"],
            "bernoulli": lambda: 0 <= p["p"] <= 1,
            "binomial": lambda: (
                p["size"] >= 1 and p["size"] == int(p["size"]) and 0 <= p["p"] <= 1
            ),
            "normal": lambda: p["sd"] >= 0,
            "truncnormal": lambda: p["sd"] > 0 and p["low"] < p["high"],
        }[self.distribution]()
        if not ok:
            raise OptionError(
                f"covariate {self.name!r}: invalid {self.distribution} parameters {dict(p)}"
            )

    def _truncnorm(self) -> Any:
        m, s, lo, hi = self.params
        return stats.truncnorm((lo - m) / s, (hi - m) / s, loc=m, scale=s)

    @property
    def mean(self) -> float:
        """Population mean of the covariate."""
        d, p = self.distribution, self.params
        if d == "uniform":
            return (p[0] + p[1]) / 2.0
        if d == "bernoulli":
            return p[0]
        if d == "binomial":
            return p[0] * p[1]
        if d == "normal":
            return p[0]
        return float(self._truncnorm().mean())

    @property
    def variance(self) -> float:
        """Population variance of the covariate."""
        d, p = self.distribution, self.params
        if d == "uniform":
            return (p[1] - p[0]) ** 2 / 12.0
        if d == "bernoulli":
            return p[0] * (1.0 - p[0])
        if d == "binomial":
            return p[0] * p[1] * (1.0 - p[1])
        if d == "normal":
            return p[1] ** 2
        return float(self._truncnorm().var())

    @property
    def is_integer(self) -> bool:
        """Whether values are whole numbers (written without decimals)."""
        return self.distribution in ("bernoulli", "binomial")

    def draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Draw independent values (float64 array of ``shape``)."""
        d, p = self.distribution, self.params
        if d == "uniform":
            return rng.uniform(p[0], p[1], size=shape)
        if d == "bernoulli":
            return (rng.random(shape) < p[0]).astype(float)
        if d == "binomial":
            return rng.binomial(int(p[0]), p[1], size=shape).astype(float)
        if d == "normal":
            return rng.normal(p[0], p[1], size=shape)
        m, sd, lo, hi = p  # inverse-CDF draw of the truncated normal
        cut_lo, cut_hi = special.ndtr((lo - m) / sd), special.ndtr((hi - m) / sd)
        u = rng.random(shape)
        return np.clip(m + sd * special.ndtri(cut_lo + u * (cut_hi - cut_lo)), lo, hi)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "params": dict(
                zip(COVARIATE_DISTRIBUTIONS[self.distribution], self.params, strict=True)
            ),
            "effect": float(self.effect),
            "unit": self.unit,
            "explanation": self.explanation,
        }


# --------------------------------------------------------------------------- #
# the design
# --------------------------------------------------------------------------- #
_PUBLISHED = "published"
_ASSUMED = "assumed"
_USER = "set by user"


@dataclass(frozen=True)
class Design:
    """A simulated cohort of mother-infant dyads (see the module docstring for the model).

    Attributes
    ----------
    name, description
        Identification.
    milk, infant
        Log-normal marginals of milk B12 and infant serum B12 (pmol/L).
    correlation, correlation_scale
        Target milk-infant correlation and the scale it is stated on (one of
        :data:`CORRELATION_SCALES`); converted exactly to :attr:`latent_correlation`.
    n_dyads, n_clusters
        Default cohort size and number of clusters (``n_clusters == n_dyads``
        means independent dyads).
    cluster_sizes
        ``"equal"`` (sizes as equal as possible) or ``"multinomial"`` (each
        cluster gets one dyad, the rest are spread at random with equal
        probabilities, drawn once per call).
    icc_milk, icc_infant
        Intra-cluster correlations of log milk and log infant B12, in [0, 1).
    covariates
        Dyad-level covariates with their effects on log infant B12.
    adequacy_cutoff
        Infant B12 above this (pmol/L) counts as adequate.
    flags
        Warnings about what the design rests on (the report prints them).
    assumptions
        ``name -> (value, explanation)`` for every number that is not published.
    sources
        ``parameter -> row id`` of the ``data/`` rows the published numbers come from.

    Examples
    --------
    >>> d = get_design("kenya")
    >>> round(d.infant.median), d.correlation, d.correlation_scale
    (276, 0.36, 'pearson_log')
    >>> d2 = d.replace(correlation=0.2, n_dyads=500)
    >>> d2.correlation, d2.n_dyads, d2.assumptions["correlation"][0]
    (0.2, 500, 0.2)
    """

    name: str
    description: str
    milk: LognormalMarginal
    infant: LognormalMarginal
    correlation: float
    correlation_scale: str = "pearson_log"
    n_dyads: int = 100
    n_clusters: int = 100
    cluster_sizes: str = "equal"
    icc_milk: float = 0.0
    icc_infant: float = 0.0
    covariates: tuple[Covariate, ...] = ()
    adequacy_cutoff: float = 220.0
    flags: tuple[str, ...] = ()
    assumptions: Mapping[str, tuple[Any, str]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.milk, LognormalMarginal) or not isinstance(
            self.infant, LognormalMarginal
        ):
            raise OptionError("milk and infant must be LognormalMarginal objects")
        check_option("correlation scale", self.correlation_scale, CORRELATION_SCALES)
        check_option("cluster size model", self.cluster_sizes, CLUSTER_SIZE_MODELS)
        _check_n_dyads_clusters(self.n_dyads, self.n_clusters)
        for nm in ("icc_milk", "icc_infant"):
            v = getattr(self, nm)
            if not (isinstance(v, numbers.Real) and 0.0 <= float(v) < 1.0):
                raise OptionError(f"{nm} must lie in [0, 1), got {v!r}")
        if not (
            isinstance(self.adequacy_cutoff, numbers.Real)
            and math.isfinite(self.adequacy_cutoff)
            and self.adequacy_cutoff > 0
        ):
            raise OptionError(f"adequacy_cutoff must be > 0, got {self.adequacy_cutoff!r}")
        object.__setattr__(self, "covariates", tuple(self.covariates))
        object.__setattr__(self, "flags", tuple(str(f) for f in self.flags))
        object.__setattr__(self, "assumptions", dict(self.assumptions))
        object.__setattr__(self, "sources", dict(self.sources))
        names = [c.name for c in self.covariates]
        if not all(isinstance(c, Covariate) for c in self.covariates):
            raise OptionError("covariates must be Covariate objects")
        clash = sorted((set(names) & set(CORE_COLUMNS)) | {n for n in names if names.count(n) > 1})
        if clash:
            raise OptionError(f"covariate names must be unique and not core columns: {clash}")
        self._latent()  # validates correlation, ICCs and covariate effects together

    # -- derived model parameters ------------------------------------------------
    @property
    def latent_correlation(self) -> float:
        """Correlation of (log milk, log infant) giving :attr:`correlation` on its scale."""
        return latent_correlation(
            self.correlation,
            self.correlation_scale,
            sigma_milk=self.milk.sigma,
            sigma_infant=self.infant.sigma,
        )

    @property
    def covariate_variance_share(self) -> float:
        """``v_c``: share of the infant log-variance due to the covariates."""
        var = sum(c.effect**2 * c.variance for c in self.covariates)
        return float(var / self.infant.sigma**2)

    def _latent(self) -> tuple[float, float, float]:
        """(rho, icc_z, coef_z) of the model; raise OptionError when not attainable."""
        rho = self.latent_correlation
        vc = self.covariate_variance_share
        rest = 1.0 - vc - rho**2
        if rest < -1e-12:
            raise OptionError(
                f"covariate effects explain {vc:.4f} of the infant log-variance and the milk "
                f"correlation {rho**2:.4f} (latent rho = {rho:.4f}); together they exceed 1: "
                "reduce the effects or the correlation"
            )
        rest = max(rest, 0.0)
        floor = rho**2 * self.icc_milk
        top = floor + rest
        if not (floor - 1e-12 <= self.icc_infant <= top + 1e-12):
            raise OptionError(
                f"icc_infant = {self.icc_infant} is not attainable with icc_milk = "
                f"{self.icc_milk}, latent correlation {rho:.4f} and covariate share {vc:.4f}: "
                f"infant B12 inherits rho^2 * icc_milk = {floor:.4f} of its cluster variance "
                f"through milk, so icc_infant must lie in [{floor:.4f}, {top:.4f}]"
            )
        icc_z = 0.0 if rest == 0.0 else min(1.0, max(0.0, (self.icc_infant - floor) / rest))
        return rho, icc_z, math.sqrt(rest)

    @property
    def marginals(self) -> dict[str, LognormalMarginal]:
        """``{"milk_b12": milk, "infant_b12": infant}``."""
        return {"milk_b12": self.milk, "infant_b12": self.infant}

    # -- changing and describing ------------------------------------------------
    def replace(self, **changes: Any) -> Design:
        """A copy with fields changed (:func:`dataclasses.replace`), provenance updated.

        A changed published parameter loses its source row; every changed
        parameter is recorded in :attr:`assumptions` as set by the user.
        ``effects={"name": value}`` changes covariate effects.
        """
        known = {f.name for f in dataclasses.fields(self)} | {"effects"}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise OptionError(
                f"unknown design field(s) {unknown}; expected some of: {', '.join(sorted(known))}"
            )
        effects = changes.pop("effects", None)
        if effects is not None:
            changes["covariates"] = _with_effects(
                changes.get("covariates", self.covariates), effects
            )
        assumptions = dict(changes.pop("assumptions", self.assumptions))
        sources = dict(changes.pop("sources", self.sources))
        for key, value in changes.items():
            if key in ("name", "description", "flags", "covariates"):
                continue
            old = getattr(self, key)
            if value == old:
                continue
            if key in ("milk", "infant"):
                for sub in ("mu", "sigma"):
                    sources.pop(f"{key}_{sub}", None)
                    assumptions.pop(f"{key}_{sub}", None)
            sources.pop(key, None)
            assumptions[key] = (
                _jsonable(value),
                f"set by the user (design default: {_short(old)})",
            )
        if effects is not None:
            for name, value in effects.items():
                assumptions[f"effect_{name}"] = (float(value), "set by the user")
        return dataclasses.replace(self, assumptions=assumptions, sources=sources, **changes)

    def with_effects(self, **effects: float) -> Design:
        """A copy with the named covariates' effects (log infant B12 per unit) changed.

        Examples
        --------
        >>> d = get_design("kenya").with_effects(exclusive_bf=0.1)
        >>> round(d.covariate_variance_share, 4)
        0.0086
        """
        return self.replace(effects=effects)

    def describe(self) -> pd.DataFrame:
        """One row per parameter: value, status (published / assumed / set by user), source, why.

        Columns: ``parameter, value, status, source_row, explanation``.
        ``status`` is ``"published"`` for a number read from a primary (or
        reference) source row, ``"published (secondary)"`` or ``"published
        (lay)"`` when its row comes from a secondary or lay source (e.g. the
        summary page behind the ``canada`` and ``cambodia`` designs),
        ``"assumed"``, ``"derived"`` or ``"set by user"``.

        Examples
        --------
        >>> desc = get_design("canada").describe().set_index("parameter")
        >>> desc.loc["milk_mu", "status"], desc.loc["n_dyads", "status"]
        ('published (secondary)', 'published (secondary)')
        >>> get_design("kenya").describe().set_index("parameter").loc["infant_mu", "status"]
        'published'
        """
        rows: list[dict[str, Any]] = []

        def add(param: str, value: Any, explanation: str, default: str = _ASSUMED) -> None:
            key = param
            if param not in self.assumptions and param.split("_")[0] in ("milk", "infant"):
                whole = param.split("_")[0]
                if whole in self.assumptions:  # the whole marginal was replaced
                    key = whole
            src = self.sources.get(key)
            if key in self.assumptions:
                by_user = self.assumptions[key][1].startswith("set by the user")
                status = _USER if by_user else _ASSUMED
                explanation = self.assumptions[key][1]
            elif src is not None:
                kind = _source_kind(src)
                # a number printed only by a secondary or lay source is not a
                # primary published number: say so in the status itself
                status = (
                    _PUBLISHED
                    if kind in (None, "primary", "reference")
                    else f"{_PUBLISHED} ({kind})"
                )
            else:
                status = default
            rows.append(
                {
                    "parameter": param,
                    "value": value,
                    "status": status,
                    "source_row": src,
                    "explanation": explanation,
                }
            )

        for comp, marg in (("milk", self.milk), ("infant", self.infant)):
            add(f"{comp}_mu", round(marg.mu, 6), f"mean of log {comp} B12; {marg.method}")
            add(f"{comp}_sigma", round(marg.sigma, 6), f"SD of log {comp} B12; {marg.method}")
        add("correlation", self.correlation, "target milk-infant correlation")
        add(
            "correlation_scale",
            self.correlation_scale,
            "scale of the target correlation",
        )
        add(
            "latent_correlation",
            round(self.latent_correlation, 6),
            "correlation of log milk and log infant B12 giving the target (closed form)",
            "derived",
        )
        add("n_dyads", self.n_dyads, "number of dyads")
        add("n_clusters", self.n_clusters, "number of clusters")
        add("cluster_sizes", self.cluster_sizes, "cluster size model")
        add("icc_milk", self.icc_milk, "intra-cluster correlation of log milk B12")
        add("icc_infant", self.icc_infant, "intra-cluster correlation of log infant B12")
        add("adequacy_cutoff", self.adequacy_cutoff, "infant B12 above this is adequate")
        for c in self.covariates:
            pars = ", ".join(
                f"{k}={v:g}"
                for k, v in zip(COVARIATE_DISTRIBUTIONS[c.distribution], c.params, strict=True)
            )
            add(f"covariate_{c.name}", f"{c.distribution}({pars})", c.explanation)
            add(
                f"effect_{c.name}",
                c.effect,
                f"change in log infant B12 per {c.unit or 'unit'} of {c.name}",
            )
        known = {r["parameter"] for r in rows} | {"milk", "infant"}  # marginals shown above
        for key, (value, why) in self.assumptions.items():
            if key not in known:
                rows.append(
                    {
                        "parameter": key,
                        "value": value,
                        "status": _USER if why.startswith("set by the user") else _ASSUMED,
                        "source_row": self.sources.get(key),
                        "explanation": why,
                    }
                )
        return pd.DataFrame(
            rows, columns=["parameter", "value", "status", "source_row", "explanation"]
        )

    def targets(self, *, milk_threshold: float | None = None) -> pd.DataFrame:
        """Population values the design implies (what a large simulation should reproduce).

        Quartiles of milk and infant B12, the share of infants at or below
        :attr:`adequacy_cutoff`, the share of milk below ``milk_threshold``
        (default: the 310 pmol/L behind the Adequate Intake, row
        ``w18_milk_ai_level``) and the milk-infant correlation on each scale
        (:func:`observed_correlation` of :attr:`latent_correlation`). Exact
        when all covariate effects are 0 (otherwise the infant quantities are
        approximations, see the module docstring).

        Returns
        -------
        pandas.DataFrame
            Columns ``quantity, value``.

        Examples
        --------
        >>> t = get_design("kenya").targets().set_index("quantity")["value"].to_dict()
        >>> round(t["infant_median"], 1), round(t["infant_share_at_or_below_cutoff"], 3)
        (276.0, 0.337)
        >>> round(t["milk_share_below_threshold"], 3), round(t["correlation_spearman"], 3)
        (0.879, 0.346)
        """
        if milk_threshold is None:
            milk_threshold = float(_get("reference_values", "w18_milk_ai_level")["value"])
        rows: list[tuple[str, float]] = []
        for comp, marg in (("milk", self.milk), ("infant", self.infant)):
            q = marg.quantile(np.array([0.25, 0.5, 0.75]))
            rows += [(f"{comp}_q1", q[0]), (f"{comp}_median", q[1]), (f"{comp}_q3", q[2])]
        rows.append(("infant_share_at_or_below_cutoff", self.infant.cdf(self.adequacy_cutoff)))
        rows.append(("milk_share_below_threshold", self.milk.cdf(milk_threshold)))
        for scale in CORRELATION_SCALES:
            r = observed_correlation(
                self.latent_correlation,
                scale,
                sigma_milk=self.milk.sigma,
                sigma_infant=self.infant.sigma,
            )
            rows.append((f"correlation_{scale}", r))
        return pd.DataFrame(
            {"quantity": [r[0] for r in rows], "value": [float(r[1]) for r in rows]}
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description (for sidecars and reports)."""
        return {
            "name": self.name,
            "description": self.description,
            "milk": self.milk.to_dict(),
            "infant": self.infant.to_dict(),
            "correlation": float(self.correlation),
            "correlation_scale": self.correlation_scale,
            "latent_correlation": self.latent_correlation,
            "n_dyads": int(self.n_dyads),
            "n_clusters": int(self.n_clusters),
            "cluster_sizes": self.cluster_sizes,
            "icc_milk": float(self.icc_milk),
            "icc_infant": float(self.icc_infant),
            "covariates": [c.to_dict() for c in self.covariates],
            "adequacy_cutoff": float(self.adequacy_cutoff),
            "flags": list(self.flags),
            "assumptions": {
                k: {"value": _jsonable(v), "explanation": why}
                for k, (v, why) in self.assumptions.items()
            },
            "sources": dict(self.sources),
        }


def _short(value: Any) -> str:
    if isinstance(value, LognormalMarginal):
        return f"log-normal(mu={value.mu:.4g}, sigma={value.sigma:.4g})"
    return repr(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, LognormalMarginal | Covariate):
        return value.to_dict()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _with_effects(
    covariates: tuple[Covariate, ...], effects: Mapping[str, float]
) -> tuple[Covariate, ...]:
    names = {c.name for c in covariates}
    unknown = sorted(set(effects) - names)
    if unknown:
        raise OptionError(
            f"unknown covariate(s) {unknown}; the design has: {', '.join(sorted(names))}"
        )
    return tuple(
        dataclasses.replace(c, effect=float(effects[c.name])) if c.name in effects else c
        for c in covariates
    )


def _check_n_dyads_clusters(n_dyads: Any, n_clusters: Any) -> None:
    for nm, v in (("n_dyads", n_dyads), ("n_clusters", n_clusters)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise OptionError(f"{nm} must be an integer, got {v!r}")
    if n_dyads < 2:
        raise OptionError(f"n_dyads must be >= 2, got {n_dyads}")
    if not 1 <= n_clusters <= n_dyads:
        raise OptionError(
            f"n_clusters must lie between 1 and n_dyads = {n_dyads}, got {n_clusters}"
        )


# --------------------------------------------------------------------------- #
# simulation
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class SimArrays:
    """Replicated simulated cohorts sharing one cluster structure.

    Attributes
    ----------
    cluster
        ``(N,)`` int cluster label (1..K) of each dyad, sorted, shared by all replicates.
    milk_b12, infant_b12
        ``(R, N)`` concentrations, pmol/L.
    adequate
        ``(R, N)`` int 0/1, ``infant_b12 > design.adequacy_cutoff``.
    covariates
        ``name -> (R, N)`` float arrays.
    """

    cluster: np.ndarray
    milk_b12: np.ndarray
    infant_b12: np.ndarray
    adequate: np.ndarray
    covariates: dict[str, np.ndarray]

    @property
    def reps(self) -> int:
        """Number of replicates R."""
        return int(self.milk_b12.shape[0])

    @property
    def n_dyads(self) -> int:
        """Number of dyads N."""
        return int(self.milk_b12.shape[1])


def cluster_labels(
    n_dyads: int, n_clusters: int, *, sizes: str = "equal", rng: Any = None
) -> np.ndarray:
    """Sorted cluster labels 1..K for N dyads.

    ``"equal"``: sizes ``N // K`` or ``N // K + 1`` (the larger ones first);
    ``"multinomial"``: one dyad per cluster plus a multinomial split of the
    other ``N - K`` with equal probabilities (drawn from ``rng``).

    Examples
    --------
    >>> cluster_labels(7, 3).tolist()
    [1, 1, 1, 2, 2, 3, 3]
    """
    _check_n_dyads_clusters(n_dyads, n_clusters)
    check_option("cluster size model", sizes, CLUSTER_SIZE_MODELS)
    if sizes == "equal":
        base, extra = divmod(int(n_dyads), int(n_clusters))
        counts = np.full(int(n_clusters), base, dtype=np.int64)
        counts[:extra] += 1
    else:
        gen = np.random.default_rng(rng)
        counts = 1 + gen.multinomial(
            int(n_dyads - n_clusters), np.full(n_clusters, 1 / n_clusters)
        )
    return np.repeat(np.arange(1, int(n_clusters) + 1, dtype=np.int64), counts)


def simulate_arrays(
    design: Design,
    *,
    n_dyads: int | None = None,
    n_clusters: int | None = None,
    reps: int = 1,
    rng: Any = None,
) -> SimArrays:
    """Simulate ``reps`` cohorts at once (vectorised; no loop over replicates).

    Parameters
    ----------
    design
        The cohort design.
    n_dyads, n_clusters
        Cohort size and number of clusters (default: the design's). When only
        ``n_dyads`` is given, the number of clusters keeps the design's mean
        cluster size, ``round(n_dyads * design.n_clusters / design.n_dyads)``.
    reps
        Number of replicates R.
    rng
        A :class:`numpy.random.Generator` or seed.

    Returns
    -------
    SimArrays
        Cluster labels ``(N,)`` shared by the replicates; ``(R, N)`` arrays.

    Notes
    -----
    Draw order (so a seed fixes everything): cluster sizes (``"multinomial"``
    only), milk cluster effects ``(R, K)``, infant cluster effects ``(R, K)``,
    milk dyad terms ``(R, N)``, infant dyad terms ``(R, N)``, then each
    covariate ``(R, N)`` in design order.

    Examples
    --------
    >>> sim = simulate_arrays(get_design("kenya"), n_dyads=120, n_clusters=30, reps=4, rng=1)
    >>> sim.milk_b12.shape, sim.cluster.shape, int(sim.cluster.max())
    ((4, 120), (120,), 30)
    """
    n = design.n_dyads if n_dyads is None else n_dyads
    k = design.n_clusters if n_clusters is None else n_clusters
    if n_clusters is None and n_dyads is not None:  # keep the design's mean cluster size
        k = max(1, min(int(n), round(int(n) * design.n_clusters / design.n_dyads)))
    _check_n_dyads_clusters(n, k)
    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral) or reps < 1:
        raise OptionError(f"reps must be an integer >= 1, got {reps!r}")
    gen = np.random.default_rng(rng)
    n, k, reps = int(n), int(k), int(reps)
    cluster = cluster_labels(n, k, sizes=design.cluster_sizes, rng=gen)
    idx = cluster - 1
    rho, icc_z, coef_z = design._latent()

    a = gen.standard_normal((reps, k))
    b = gen.standard_normal((reps, k))
    e = gen.standard_normal((reps, n))
    f = gen.standard_normal((reps, n))
    x = math.sqrt(design.icc_milk) * a[:, idx] + math.sqrt(1.0 - design.icc_milk) * e
    z = math.sqrt(icc_z) * b[:, idx] + math.sqrt(1.0 - icc_z) * f
    covs: dict[str, np.ndarray] = {}
    shift = np.zeros((reps, n))
    for c in design.covariates:
        values = c.draw(gen, (reps, n))
        covs[c.name] = values
        if c.effect != 0.0:
            shift += c.effect * (values - c.mean)
    log_milk = design.milk.mu + design.milk.sigma * x
    log_inf = design.infant.mu + shift + design.infant.sigma * (rho * x + coef_z * z)
    milk = np.exp(log_milk)
    infant = np.exp(log_inf)
    adequate = (infant > design.adequacy_cutoff).astype(np.int64)
    return SimArrays(
        cluster=cluster, milk_b12=milk, infant_b12=infant, adequate=adequate, covariates=covs
    )


def simulate_cohort(
    design: Design,
    *,
    n_dyads: int | None = None,
    n_clusters: int | None = None,
    rng: Any = None,
) -> pd.DataFrame:
    """One simulated cohort as a tidy frame, one row per dyad.

    Columns ``dyad, cluster, milk_b12, infant_b12, adequate`` then the design's
    covariates (binary and count covariates as integers). Built on
    :func:`simulate_arrays` with ``reps=1``.

    Examples
    --------
    >>> df = simulate_cohort(get_design("kenya"), n_dyads=10, n_clusters=5, rng=2)
    >>> list(df.columns)[:5], len(df)
    (['dyad', 'cluster', 'milk_b12', 'infant_b12', 'adequate'], 10)
    """
    sim = simulate_arrays(design, n_dyads=n_dyads, n_clusters=n_clusters, reps=1, rng=rng)
    cols: dict[str, Any] = {
        "dyad": np.arange(1, sim.n_dyads + 1, dtype=np.int64),
        "cluster": sim.cluster,
        "milk_b12": sim.milk_b12[0],
        "infant_b12": sim.infant_b12[0],
        "adequate": sim.adequate[0],
    }
    for c in design.covariates:
        v = sim.covariates[c.name][0]
        cols[c.name] = v.astype(np.int64) if c.is_integer else v
    return pd.DataFrame(cols)


def write_cohort(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    design: Design,
    seed: int | None,
    sidecar: bool = True,
) -> Path | None:
    """Write a simulated cohort as CSV (fixed float format) plus a JSON sidecar.

    Floats are printed with :data:`FLOAT_FORMAT`; ``adequate`` is recomputed
    from the printed infant B12 so the file is self-consistent. The sidecar
    ``<path>.json`` holds the design (:meth:`Design.to_dict`), the seed, the
    numbers of dyads and clusters, the columns and the package version — no
    timestamps, so the same seed gives byte-identical files. Returns the
    sidecar's path (or None).
    """
    path = Path(path)
    out = frame.copy()
    printed = pd.to_numeric(out["infant_b12"].map(lambda v: FLOAT_FORMAT % v))
    out["adequate"] = (printed > design.adequacy_cutoff).astype(np.int64)
    write_csv(path, out, float_format=FLOAT_FORMAT)
    if not sidecar:
        return None
    meta = {
        "b12stats_version": __version__,
        "seed": seed,
        "n_dyads": len(out),
        "n_clusters": int(out["cluster"].nunique()),
        "columns": {
            "dyad": "dyad id (1..N)",
            "cluster": "cluster id (1..K)",
            "milk_b12": "milk vitamin B12, pmol/L",
            "infant_b12": "infant serum vitamin B12, pmol/L",
            "adequate": f"1 if infant_b12 > {design.adequacy_cutoff:g} pmol/L else 0",
            **{c.name: f"{c.name} ({c.unit})" if c.unit else c.name for c in design.covariates},
        },
        "design": design.to_dict(),
    }
    side = path.with_name(path.name + ".json")
    write_text(side, json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return side


# --------------------------------------------------------------------------- #
# built-in designs
# --------------------------------------------------------------------------- #
@functools.cache
def _row(table: str, row_id: str) -> tuple[tuple[str, Any], ...]:
    from b12stats.data import load_table

    frame = load_table(table)
    hit = frame[frame["row_id"] == row_id]
    if len(hit) != 1:  # pragma: no cover - the bundled data are validated
        raise OptionError(f"row {row_id!r} not found in table {table!r}")
    rec = hit.iloc[0].to_dict()
    return tuple((str(k), (None if _isna(v) else v)) for k, v in rec.items())


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


#: bundled tables whose rows a design can cite in ``Design.sources``
_SOURCE_TABLES = ("concentrations", "correlations", "cohorts", "reference_values", "effects")


@functools.cache
def _source_kind(row_id: str) -> str | None:
    """``source_kind`` (primary / secondary / lay / reference) of a bundled data row, if any."""
    from b12stats.data import load_table

    for table in _SOURCE_TABLES:
        frame = load_table(table)
        if "source_kind" not in frame.columns:  # pragma: no cover - schema has it
            continue
        hit = frame.loc[frame["row_id"] == row_id, "source_kind"]
        if len(hit) == 1:
            return str(hit.iloc[0])
    return None


def _get(table: str, row_id: str) -> dict[str, Any]:
    return dict(_row(table, row_id))


def _quartile_marginal(row_id: str) -> LognormalMarginal:
    r = _get("concentrations", row_id)
    return LognormalMarginal.from_quartiles(r["q1"], r["value"], r["q3"])


def _gm_marginal(row_id: str) -> LognormalMarginal:
    r = _get("concentrations", row_id)
    if r["statistic"] != "geometric_mean":  # pragma: no cover
        raise OptionError(f"row {row_id} is not a geometric mean")
    return LognormalMarginal.from_geometric_mean_ci(
        r["value"], r["ci_low"], r["ci_high"], int(r["n"]), conf_level=float(r["ci_level"])
    )


def _n_of(row_id: str) -> int:
    return int(_get("cohorts", row_id)["value_num"])


def _cutoff() -> float:
    return float(_get("reference_values", "w18_adequacy")["value"])


def _months(weeks: float) -> float:
    return round(weeks / _WEEKS_PER_MONTH, 4)


def _standard_covariates(age_low: float, age_high: float, age_why: str) -> tuple[Covariate, ...]:
    none = "no published effect: 0 by default (change with design.with_effects)"
    return (
        Covariate(
            "infant_age_months",
            "uniform",
            (age_low, age_high),
            unit="month",
            explanation=f"{age_why}; uniform spread within it is an assumption; effect: {none}",
        ),
        Covariate(
            "infant_female",
            "bernoulli",
            (0.5,),
            unit="0/1",
            explanation=f"assumed 50% girls; effect: {none}",
        ),
        Covariate(
            "exclusive_bf",
            "bernoulli",
            (0.5,),
            unit="0/1",
            explanation=f"share exclusively breastfed not published: assumed 50%; effect: {none}",
        ),
        Covariate(
            "maternal_age",
            "truncnormal",
            (26.0, 6.0, 15.0, 49.0),
            unit="year",
            explanation="not published: assumed normal(26, 6) years restricted to 15-49; "
            f"effect: {none}",
        ),
        Covariate(
            "asf_score",
            "binomial",
            (4.0, 0.35),
            unit="food group",
            explanation="animal-source-food score (number of 4 groups: meat, fish, eggs, dairy, "
            f"eaten recently) not published: assumed binomial(4, 0.35); effect: {none}",
        ),
    )


def _kenya() -> Design:
    milk = _quartile_marginal("w16_milk")
    infant = _quartile_marginal("w18_infant")
    r = _get("correlations", "w18_milk_inf")
    n = _n_of("w16_n")
    assumptions = {
        "correlation_scale": (
            "pearson_log",
            "Williams 2018 does not say which r = 0.36 is; assumed Pearson on log "
            "concentrations, usual for right-skewed B12 (the paper's models used GEE). "
            "Change with correlation_scale='pearson' or 'spearman'.",
        ),
        "n_dyads": (
            n,
            "number of dyads not published in Williams 2018; default = the 286 women of "
            "the same sub-study (Williams 2016, cohorts row w16_n)",
        ),
        "n_clusters": (
            60,
            "number of WASH Benefits Kenya clusters in the sub-study not published; assumed 60 "
            "(about 5 dyads per cluster)",
        ),
        "cluster_sizes": ("equal", "cluster sizes not published; assumed as equal as possible"),
        "icc_milk": (
            0.05,
            "not published; assumed 0.05 on the log scale (typical of biomarkers in "
            "community-randomised trials, 0.01-0.10)",
        ),
        "icc_infant": (0.05, "not published; assumed 0.05 on the log scale (as icc_milk)"),
    }
    return Design(
        name="kenya",
        description=(
            "Unsupplemented mother-infant dyads, rural western Kenya, 1-6 months postpartum, "
            "nested in the WASH Benefits Kenya cluster-randomised trial (Williams 2018, "
            "doi:10.1093/jn/nxx009; milk from Williams 2016, doi:10.3945/jn.115.228189)"
        ),
        milk=milk,
        infant=infant,
        correlation=float(r["r"]),
        correlation_scale="pearson_log",
        n_dyads=n,
        n_clusters=60,
        cluster_sizes="equal",
        icc_milk=0.05,
        icc_infant=0.05,
        covariates=_standard_covariates(
            1.0, 6.0, "infants 1-6 months postpartum (cohorts row w18_time)"
        ),
        adequacy_cutoff=_cutoff(),
        flags=(
            "milk quartiles are those of the 286 women of Williams 2016; the 2018 dyad sample "
            "is probably drawn from them but its milk quartiles are not published",
            "numbers of dyads and clusters, intra-cluster correlations and the scale of "
            "r = 0.36 are assumptions",
        ),
        assumptions=assumptions,
        sources={
            "milk_mu": "w16_milk",
            "milk_sigma": "w16_milk",
            "infant_mu": "w18_infant",
            "infant_sigma": "w18_infant",
            "correlation": "w18_milk_inf",
            "n_dyads": "w16_n",
            "adequacy_cutoff": "w18_adequacy",
        },
    )


_CHEBAYA_AGES = {
    "can": (7.0, 9.0, "infants assessed at 8 weeks postpartum (row {time}); 7-9 weeks assumed"),
    "cam": (3.0, 27.0, "infants 3-27 weeks postpartum (row {time})"),
}


def _chebaya_covariates(country: str, time_row: str) -> tuple[Covariate, ...]:
    lo, hi, why = _CHEBAYA_AGES[country]
    return _standard_covariates(_months(lo), _months(hi), why.format(time=time_row))


def _summary(country: str) -> Design:
    label = {"can": "Canada (Vancouver)", "cam": "Cambodia (Prey Veng)"}[country]
    med_milk = float(_get("concentrations", f"sum_{country}_milk")["value"])
    med_inf = float(_get("concentrations", f"sum_{country}_inf")["value"])
    prim_milk = _gm_marginal(f"ch17_{country}_milk")
    prim_inf = _gm_marginal(f"ch17_{country}_inf")
    r = _get("correlations", f"sum_{country}_mat_inf")
    n = _n_of(f"sum_{country}_n")
    milk = LognormalMarginal(
        mu=math.log(med_milk),
        sigma=prim_milk.sigma,
        method=f"median {med_milk:g} (summary page); log-SD borrowed from Chebaya 2017's 95% CI",
    )
    infant = LognormalMarginal(
        mu=math.log(med_inf),
        sigma=prim_inf.sigma,
        method=f"median {med_inf:g} (summary page); log-SD borrowed from Chebaya 2017's 95% CI",
    )
    assumptions = {
        "milk_sigma": (
            prim_milk.sigma,
            "the summary page gives no spread; log-SD borrowed from the primary paper's "
            f"geometric-mean 95% CI (row ch17_{country}_milk): sqrt(n) (log hi - log lo) / (2 t)",
        ),
        "infant_sigma": (
            prim_inf.sigma,
            "the summary page gives no spread; log-SD borrowed from the primary paper's "
            f"geometric-mean 95% CI (row ch17_{country}_inf)",
        ),
        "correlation": (
            float(r["r"]),
            f"milk-infant r not given anywhere; the summary page's maternal-infant r = {r['r']:g} "
            f"(row sum_{country}_mat_inf, itself unsupported by the primary paper) used as a "
            "proxy",
        ),
        "correlation_scale": ("pearson_log", "type of r not stated; assumed Pearson on logs"),
        "n_clusters": (n, "no clustering: independent dyads (one dyad per cluster)"),
        "icc_milk": (0.0, "independent dyads"),
        "icc_infant": (0.0, "independent dyads"),
    }
    return Design(
        name={"can": "canada", "cam": "cambodia"}[country],
        description=(
            f"{label} dyads as reported by the secondary summary page of Chebaya 2017 "
            "(PMID 28287490): medians, n and a maternal-infant r the primary paper does not "
            "contain"
        ),
        milk=milk,
        infant=infant,
        correlation=float(r["r"]),
        correlation_scale="pearson_log",
        n_dyads=n,
        n_clusters=n,
        icc_milk=0.0,
        icc_infant=0.0,
        covariates=_chebaya_covariates(country, f"sum_{country}_time"),
        adequacy_cutoff=_cutoff(),
        flags=(
            "rests on the secondary summary page's unsupported numbers (n, medians and r are "
            "not in the primary paper, doi:10.3390/nu9030270)",
            "milk-infant correlation is the summary page's maternal-infant r used as a proxy",
            "log-SDs are not on the summary page: borrowed from the primary paper's 95% CIs",
        ),
        assumptions=assumptions,
        sources={
            "milk_mu": f"sum_{country}_milk",
            "infant_mu": f"sum_{country}_inf",
            "n_dyads": f"sum_{country}_n",
            "adequacy_cutoff": "w18_adequacy",
        },
    )


def _critical_r(n: int, alpha: float = 0.05) -> float:
    t = float(stats.t.ppf(1 - alpha / 2, n - 2))
    return t / math.sqrt(n - 2 + t * t)


def _primary(country: str) -> Design:
    label = {"can": "Canada (Vancouver)", "cam": "Cambodia (Prey Veng)"}[country]
    milk = _gm_marginal(f"ch17_{country}_milk")
    infant = _gm_marginal(f"ch17_{country}_inf")
    n = _n_of(f"ch17_{country}_n")
    rc = _critical_r(n)
    if country == "can":
        r = float(_get("correlations", "w18_milk_inf")["r"])
        corr_why = (
            f"milk-infant r not published (only p < 0.05, row ch17_can_milk_inf, so r > "
            f"{rc:.3f} at n = {n}); assumed r = {r:g} borrowed from Kenya (row w18_milk_inf)"
        )
        supp = "mothers took a B12-containing supplement (row ch17_can_supp)"
    else:
        r = round(rc / 2.0, 3)
        corr_why = (
            "milk-infant r not published and not significant (row ch17_cam_milk_inf), so "
            f"|r| < {rc:.3f} at n = {n}; assumed half that critical value"
        )
        supp = "unsupplemented (row ch17_cam_supp)"
    sig_why = (
        "log-SD from the 95% CI of the geometric mean, sigma = sqrt(n) (log hi - log lo) / "
        "(2 t_{n-1}); the printed CI is nearly symmetric on the concentration scale, so "
        "this is approximate"
    )
    assumptions = {
        "milk_sigma": (milk.sigma, sig_why),
        "infant_sigma": (infant.sigma, sig_why),
        "correlation": (r, corr_why),
        "correlation_scale": ("pearson_log", "type of r not stated; assumed Pearson on logs"),
        "n_clusters": (n, "no clustering: independent dyads (one dyad per cluster)"),
        "icc_milk": (0.0, "independent dyads"),
        "icc_infant": (0.0, "independent dyads"),
    }
    return Design(
        name={"can": "canada_primary", "cam": "cambodia_primary"}[country],
        description=(
            f"{label} dyads from Chebaya 2017's primary abstract (doi:10.3390/nu9030270): "
            f"geometric means with 95% CI, n = {n}; {supp}"
        ),
        milk=milk,
        infant=infant,
        correlation=r,
        correlation_scale="pearson_log",
        n_dyads=n,
        n_clusters=n,
        icc_milk=0.0,
        icc_infant=0.0,
        covariates=_chebaya_covariates(country, f"ch17_{country}_time"),
        adequacy_cutoff=_cutoff(),
        flags=(
            "log-SDs derived from CI widths of geometric means (approximate)",
            "milk-infant correlation not published: assumed",
        ),
        assumptions=assumptions,
        sources={
            "milk_mu": f"ch17_{country}_milk",
            "milk_sigma": f"ch17_{country}_milk",
            "infant_mu": f"ch17_{country}_inf",
            "infant_sigma": f"ch17_{country}_inf",
            "n_dyads": f"ch17_{country}_n",
            "adequacy_cutoff": "w18_adequacy",
        },
    )


_BUILDERS: dict[str, Callable[[], Design]] = {
    "kenya": _kenya,
    "canada": lambda: _summary("can"),
    "cambodia": lambda: _summary("cam"),
    "canada_primary": lambda: _primary("can"),
    "cambodia_primary": lambda: _primary("cam"),
}

#: names of the built-in designs
DESIGN_NAMES: tuple[str, ...] = tuple(_BUILDERS)


def get_design(name: str) -> Design:
    """A built-in design by name (one of :data:`DESIGN_NAMES`), read from ``data/``.

    Examples
    --------
    >>> d = get_design("canada")
    >>> d.n_dyads, round(d.milk.median), d.flags[0][:40]
    (40, 347, "rests on the secondary summary page's un")
    """
    check_option("design", name, DESIGN_NAMES)
    return _BUILDERS[name]()


def list_designs() -> pd.DataFrame:
    """The built-in designs: ``name, n_dyads, n_clusters, flagged, description``.

    Examples
    --------
    >>> list(list_designs()["name"])[:3]
    ['kenya', 'canada', 'cambodia']
    """
    rows = []
    for name in DESIGN_NAMES:
        d = get_design(name)
        rows.append(
            {
                "name": name,
                "n_dyads": d.n_dyads,
                "n_clusters": d.n_clusters,
                "flags": len(d.flags),
                "description": d.description,
            }
        )
    return pd.DataFrame(rows, columns=["name", "n_dyads", "n_clusters", "flags", "description"])

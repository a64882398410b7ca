"""The design of a simulated cohort: log-normal marginals, covariates, clusters, provenance."""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from b12stats.errors import OptionError, check_option
from b12stats.simulate.correlation import (
    CORRELATION_SCALES,
    latent_correlation,
    observed_correlation,
)
from b12stats.stats import _scipy_stats as stats  # norm, t without importing scipy.stats
from b12stats.stats.quartiles import lognormal_from_quartiles

__all__ = [
    "CLUSTER_SIZE_MODELS",
    "CORE_COLUMNS",
    "COVARIATE_DISTRIBUTIONS",
    "Covariate",
    "Design",
    "LognormalMarginal",
]

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
    >>> m = LognormalMarginal(mu=math.log(300), sigma=0.5)
    >>> round(m.median, 6), round(m.quantile(0.75), 1), round(m.cdf(220), 3)
    (300.0, 420.3, 0.268)
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
        >>> m = LognormalMarginal.from_geometric_mean_ci(500, 450, 550, 100)
        >>> round(m.median, 6), round(m.sigma, 4)
        (500.0, 0.5057)
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

    @functools.cached_property
    def mean(self) -> float:
        """Population mean of the covariate (computed once: the covariate is frozen)."""
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

    @functools.cached_property
    def variance(self) -> float:
        """Population variance of the covariate (computed once: the covariate is frozen)."""
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
    milk_threshold
        Milk B12 level (pmol/L) whose share below it :meth:`targets` reports, or None.
    plausible
        ``parameter -> values``: the plausible range of an assumed number (names as
        in :meth:`describe`, e.g. ``icc_infant``), what a sensitivity analysis
        varies (:func:`b12stats.power.sensitivity`); from the design file's
        ``plausible = [...]`` keys.

    Examples
    --------
    >>> from b12stats.simulate import get_design
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
    milk_threshold: float | None = None
    plausible: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

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
        object.__setattr__(
            self, "plausible", {str(k): tuple(v) for k, v in dict(self.plausible).items()}
        )
        names = [c.name for c in self.covariates]
        if not all(isinstance(c, Covariate) for c in self.covariates):
            raise OptionError("covariates must be Covariate objects")
        clash = sorted((set(names) & set(CORE_COLUMNS)) | {n for n in names if names.count(n) > 1})
        if clash:
            raise OptionError(f"covariate names must be unique and not core columns: {clash}")
        if self.milk_threshold is not None and not (
            isinstance(self.milk_threshold, numbers.Real)
            and math.isfinite(self.milk_threshold)
            and self.milk_threshold > 0
        ):
            raise OptionError(f"milk_threshold must be > 0, got {self.milk_threshold!r}")
        self._latent()  # validates correlation, ICCs and covariate effects together

    # -- design files -------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path, *, rows: Any = None) -> Design:
        """Read a design file (format: ``data/designs/README.md``).

        Published numbers are read from the data rows the file names, through
        ``rows`` (a :data:`~b12stats.simulate.files.RowLookup` or a mapping
        ``{table: {row_id: row}}``; by default the registered provider's,
        :mod:`b12stats.simulate.registry`: the bundled tables); assumed
        numbers are taken with their reasons. Any problem raises one
        :class:`~b12stats.errors.DataValidationError` naming the file, the key
        and, where it can be found, the line.

        Examples
        --------
        >>> from b12stats.designs import design_dir
        >>> d = Design.from_toml(design_dir() / "kenya.toml")
        >>> d.name, d.n_dyads, "correlation" in d.sources
        ('kenya', 286, True)
        >>> d.describe().set_index("parameter").loc["correlation", "status"]
        'published'
        """
        from b12stats.simulate.files import read_design

        return read_design(path, rows=rows)

    def to_toml(self, path: str | Path | None = None) -> str:
        """The design as a resolved TOML design file; written to ``path`` when given.

        Every number is written as its value, with the data row it was read
        from (``source``) and the reason it was assumed (``reason``), so the
        file does not depend on any data table; :meth:`from_toml` reads it
        back to an equal design.

        Examples
        --------
        >>> from b12stats.simulate import get_design
        >>> text = get_design("kenya").to_toml()
        >>> "[correlation]" in text and "source = " in text
        True
        """
        from b12stats.simulate.files import write_design

        return write_design(self, path)

    # -- derived model parameters ------------------------------------------------
    @property
    def latent_correlation(self) -> float:
        """Correlation of (log milk, log infant) giving :attr:`correlation` on its scale."""
        try:
            return latent_correlation(
                self.correlation,
                self.correlation_scale,
                sigma_milk=self.milk.sigma,
                sigma_infant=self.infant.sigma,
            )
        except OptionError as exc:  # r is the design's correlation
            raise OptionError(f"the design's correlation: {exc}") from None

    @property
    def covariate_variance_share(self) -> float:
        """``v_c``: share of the infant log-variance due to the covariates."""
        var = sum(c.effect**2 * c.variance for c in self.covariates)
        return float(var / self.infant.sigma**2)

    def _latent(self) -> tuple[float, float, float]:
        """(rho, icc_z, coef_z) of the model; raise OptionError when not attainable."""
        return self._latent_parts

    @functools.cached_property
    def _latent_parts(self) -> tuple[float, float, float]:
        # computed once per (frozen) design: the truncated-normal variances are not cheap
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
        >>> from b12stats.simulate import get_design
        >>> d = get_design("kenya").with_effects(exclusive_bf=0.1)
        >>> round(d.covariate_variance_share, 4)
        0.0086
        """
        return self.replace(effects=effects)

    def describe(self, *, source_kind: Callable[[str], str | None] | None = None) -> pd.DataFrame:
        """One row per parameter: value, status (published / assumed / set by user), source, why.

        Columns: ``parameter, value, status, source_row, explanation``.
        ``source_kind`` maps a row id to the kind of its source (default: the
        registered provider's, :mod:`b12stats.simulate.registry`: the bundled
        tables; give your own for rows of your data package).
        ``status`` is ``"published"`` for a number read from a primary (or
        reference) source row, ``"published (secondary)"`` or ``"published
        (lay)"`` when its row comes from a secondary or lay source (e.g. the
        summary page behind the ``canada`` and ``cambodia`` designs),
        ``"assumed"``, ``"derived"`` or ``"set by user"``.

        Examples
        --------
        >>> from b12stats.simulate import get_design
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
                from b12stats.simulate.registry import hook

                kinds = source_kind or hook("source_kind", required=False)
                kind = kinds(src) if kinds is not None else None
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
        (default: the design's :attr:`milk_threshold`; left out when neither is
        set) and the milk-infant correlation on each scale
        (:func:`observed_correlation` of :attr:`latent_correlation`). Exact
        when all covariate effects are 0 (otherwise the infant quantities are
        approximations, see the module docstring).

        Returns
        -------
        pandas.DataFrame
            Columns ``quantity, value``.

        Examples
        --------
        >>> from b12stats.simulate import get_design
        >>> t = get_design("kenya").targets().set_index("quantity")["value"].to_dict()
        >>> round(t["infant_median"], 1), round(t["infant_share_at_or_below_cutoff"], 3)
        (276.0, 0.337)
        >>> round(t["milk_share_below_threshold"], 3), round(t["correlation_spearman"], 3)
        (0.879, 0.346)
        """
        if milk_threshold is None:
            milk_threshold = self.milk_threshold
        rows: list[tuple[str, float]] = []
        for comp, marg in (("milk", self.milk), ("infant", self.infant)):
            q = marg.quantile(np.array([0.25, 0.5, 0.75]))
            rows += [(f"{comp}_q1", q[0]), (f"{comp}_median", q[1]), (f"{comp}_q3", q[2])]
        rows.append(("infant_share_at_or_below_cutoff", self.infant.cdf(self.adequacy_cutoff)))
        if milk_threshold is not None:
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
            "milk_threshold": None if self.milk_threshold is None else float(self.milk_threshold),
            "plausible": {k: _jsonable(v) for k, v in self.plausible.items()},
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

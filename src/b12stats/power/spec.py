"""What a power simulation is: the design, the model and its test, as one frozen spec.

:class:`PowerSpec` holds everything that defines the simulated experiment
except the scenarios (numbers of dyads and clusters), the seed and where it
runs; :func:`b12stats.power.power`, :func:`~b12stats.power.replicate_estimates`
and :func:`~b12stats.power.sample_size` build one from their keyword arguments.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from b12stats._validation import (
    UNIT_OPEN,
    Options,
    Real,
    as_design,
    check_params,
)
from b12stats.errors import OptionError
from b12stats.power._options import (
    ALTERNATIVES,
    CHUNK_SIZE,
    COV_STRUCTS,
    COV_TYPES,
    MIN_CLUSTERS,
    MIN_DYADS,
    MODELS,
    SCALES,
)

__all__ = ["POWER_OPTIONS", "PowerSpec", "default_cov_struct"]

_SPEC_CONSTRAINTS: dict[str, list[Any]] = {
    "model": [Options(MODELS)],
    "scale": [Options(SCALES)],
    "cov_struct": [None, Options(COV_STRUCTS)],
    "cov_type": [Options(COV_TYPES)],
    "covariates": [None, "str-list"],
    "alpha": [UNIT_OPEN],
    "alternative": [Options(ALTERNATIVES)],
    "true_value": [None, Real],
}


@dataclass(frozen=True)
class PowerSpec:
    """The simulated experiment: design, analysis model, its test, and the replicates.

    Parameters
    ----------
    design : Design or str
        A :class:`b12stats.simulate.Design` or a design name.
    model : {"linear", "trend"}
        The analysis model (see :mod:`b12stats.power`).
    scale : {"log", "raw"}
        Linear model only: log-log (default) or pmol/L on pmol/L.
    covariates : sequence of str or "all", optional
        Design covariates added to the model; default none for ``"linear"``,
        all for ``"trend"``. Stored resolved, as a tuple of names.
    cov_struct : {"exchangeable", "independence"}, optional
        Working correlation; None picks :func:`default_cov_struct` for the
        scenarios run (:meth:`for_scenarios`).
    cov_type : {"robust", "bias_reduced"}
        SE of the tested coefficient.
    alpha, alternative
        Level and direction of the Wald test.
    true_value : float, optional
        Coverage target (None: computed, see :func:`b12stats.power.power`).
    reps : int
        Replicates per scenario.
    chunk_size : int
        Replicates per task and per random stream.

    Examples
    --------
    >>> spec = PowerSpec("kenya", model="trend")
    >>> spec.covariates[:2], spec.family, spec.cov_struct
    (('infant_age_months', 'infant_female'), 'binomial', None)
    >>> spec.for_scenarios([(100, 20)]).cov_struct
    'exchangeable'
    """

    design: Any
    model: str = "linear"
    scale: str = "log"
    covariates: Sequence[str] | str | None = None
    cov_struct: str | None = None
    cov_type: str = "robust"
    alpha: float = 0.05
    alternative: str = "two-sided"
    true_value: float | None = None
    reps: int = 1000
    chunk_size: int = CHUNK_SIZE

    def __post_init__(self) -> None:
        check_params(
            **{name: getattr(self, name) for name in _SPEC_CONSTRAINTS},
            constraints=_SPEC_CONSTRAINTS,
        )
        design = _resolve_design(self.design)
        covs = _design_covariates(design, self.covariates, self.model)
        known = [c.name for c in getattr(design, "covariates", ())]
        for name in covs:
            if name not in known:
                raise OptionError(
                    f"unknown covariate {name!r}; the design simulates: "
                    f"{', '.join(known) or 'none'}"
                )
        object.__setattr__(self, "design", design)
        object.__setattr__(self, "covariates", covs)
        object.__setattr__(self, "alpha", float(self.alpha))
        object.__setattr__(self, "reps", _check_int("reps", self.reps, 1))
        object.__setattr__(self, "chunk_size", _check_int("chunk_size", self.chunk_size, 1))

    @property
    def family(self) -> str:
        """The GEE family of the model: ``"gaussian"`` or ``"binomial"``."""
        return "gaussian" if self.model == "linear" else "binomial"

    @property
    def design_name(self) -> str:
        """The design's name (``"custom"`` for an unnamed design)."""
        return _design_name(self.design)

    def for_scenarios(self, scenarios: list[tuple[int, int]]) -> PowerSpec:
        """This spec with the working correlation settled for these scenarios.

        Raises
        ------
        OptionError
            An exchangeable correlation where some scenario has one dyad per
            cluster (nothing to estimate it from).
        """
        spec = self
        if self.cov_struct is None:
            spec = dataclasses.replace(self, cov_struct=_default_for(self.design, scenarios))
        if spec.cov_struct == "exchangeable":
            for n, c in scenarios:
                if c == n:
                    raise OptionError(
                        f"n_clusters = n_dyads = {n}: independent dyads have no within-cluster "
                        "pairs to estimate an exchangeable correlation; use "
                        "cov_struct='independence' (--cov-struct independence on the command "
                        "line)"
                    )
        return spec

    @property
    def method(self) -> str:
        """What is simulated and tested, e.g. for the ``method`` column of a power table."""
        family = "gaussian" if self.model == "linear" else "binomial-logit"
        term = (
            ("log-log " if self.scale == "log" else "raw ") + "milk slope"
            if self.model == "linear"
            else "milk quartile score"
        )
        se_kind = "robust" if self.cov_type == "robust" else "bias-reduced robust (Mancl-DeRouen)"
        return (
            f"simulated GEE {family} {self.cov_struct}, {se_kind} Wald z ({self.alternative}) "
            f"on {term}"
        )


#: Options of :func:`b12stats.power.power` that :func:`~b12stats.power.sample_size` and
#: :func:`~b12stats.power.sensitivity` pass through (``**options``), with their defaults.
POWER_OPTIONS: dict[str, Any] = {
    "scale": "log",
    "covariates": None,
    "cov_struct": None,
    "alpha": 0.05,
    "alternative": "two-sided",
    "true_value": None,
    "chunk_size": CHUNK_SIZE,
    "cov_type": "robust",
}


def _spec_with(
    design: Any, *, model: str, reps: int, options: dict[str, Any], caller: str
) -> PowerSpec:
    """The spec of ``caller``'s ``**options`` (:data:`POWER_OPTIONS`; unknown ones refused)."""
    unknown = sorted(set(options) - set(POWER_OPTIONS))
    if unknown:
        raise OptionError(
            f"unknown option(s) {unknown}; {caller} passes on: {', '.join(POWER_OPTIONS)}"
        )
    return PowerSpec(design, model=model, reps=reps, **(POWER_OPTIONS | options))


def _resolve_design(design: Any) -> Any:
    return as_design("design", design)


def default_cov_struct(
    design: Any, n_dyads: Any = None, n_clusters: Any = None
) -> tuple[str, str]:
    """The default working correlation for a design and scenarios, and why.

    ``"independence"`` when every scenario has one dyad per cluster (no
    within-cluster pairs to estimate an exchangeable correlation from; by
    default the scenarios keep the design's dyads per cluster), else
    ``"exchangeable"``. Returns ``(cov_struct, reason)``.

    Examples
    --------
    >>> default_cov_struct("canada")[0], default_cov_struct("kenya")[0]
    ('independence', 'exchangeable')
    """
    design = _resolve_design(design)
    return _default_cov_struct(design, _scenarios(design, n_dyads, n_clusters))


def _default_cov_struct(design: Any, scenarios: list[tuple[int, int]]) -> tuple[str, str]:
    del design  # the scenarios fitted decide, whatever the design's own clusters
    if all(c == n for n, c in scenarios):
        return "independence", (
            "one dyad per cluster: no within-cluster pairs to estimate an exchangeable "
            "correlation from"
        )
    return "exchangeable", "dyads share clusters"


def _default_for(design: Any, scenarios: list[tuple[int, int]]) -> str:
    return _default_cov_struct(design, scenarios)[0]


def _design_name(design: Any) -> str:
    return str(getattr(design, "name", "") or "custom")


def _design_covariates(design: Any, covariates: Sequence[str] | str | None, model: str) -> tuple:
    """Resolve the covariate names entering the model."""
    if covariates is None:
        covariates = "all" if model == "trend" else ()
    if isinstance(covariates, str):
        if covariates != "all":
            return (covariates,)
        return tuple(c.name for c in getattr(design, "covariates", ()))
    return tuple(covariates)


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise OptionError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _int_list(name: str, value: Any, minimum: int) -> list[int]:
    values = [value] if np.ndim(value) == 0 else list(value)
    if not values:
        raise OptionError(f"{name} must not be empty")
    return [_check_int(name, v, minimum) for v in values]


def _seed_from(rng: Any) -> int:
    """A non-negative integer seed: ``rng`` itself if an int, else drawn from it."""
    check_params(rng=rng, constraints={"rng": ["rng"]})
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    return int(np.random.default_rng(rng).integers(2**63 - 1))


def _scenarios(design: Any, n_dyads: Any, n_clusters: Any) -> list[tuple[int, int]]:
    dyads = _int_list("n_dyads", design.n_dyads if n_dyads is None else n_dyads, MIN_DYADS)
    if n_clusters is None:
        ratio = design.n_clusters / design.n_dyads
        pairs = [(n, min(n, max(MIN_CLUSTERS, round(n * ratio)))) for n in dyads]
    else:
        clusters = _int_list("n_clusters", n_clusters, MIN_CLUSTERS)
        pairs = list(itertools.product(dyads, clusters))
    for n, c in pairs:
        if c > n:
            raise OptionError(f"n_clusters ({c}) cannot exceed n_dyads ({n})")
    return list(dict.fromkeys(pairs))

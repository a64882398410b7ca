"""Simulated mother-infant dyad cohorts rebuilt from published summaries.

A :class:`Design` describes a cohort: the log-normal marginals of milk B12 and
infant serum B12 (pmol/L), their target correlation and the scale it is stated
on, clusters (number, sizes, intra-cluster correlations), covariates and their
effects on infant B12. A design is a TOML file (:meth:`Design.from_toml`,
:meth:`Design.to_toml`; format in ``data/designs/README.md``) that names the
data rows its published numbers are read from and gives every assumed number
with its reason. The built-in designs (:func:`get_design`, :data:`DESIGN_NAMES`)
are the files in ``data/designs/``; any assumption can be changed with
``design.replace(...)``.

Modules: :mod:`~b12stats.simulate.correlation` (correlation scales),
:mod:`~b12stats.simulate.design` (the design object),
:mod:`~b12stats.simulate.engine` (simulation), :mod:`~b12stats.simulate.files`
(design files), :mod:`~b12stats.simulate.registry` (plugin hooks).

This package is the simulation *core*: it reads no data table. Design names,
the data rows a design file cites and the built-in designs come from the
domain module :mod:`b12stats.designs`, registered through
:mod:`~b12stats.simulate.registry` (imported on first use). ``get_design``
takes a Design, a built-in name or a ``.toml`` path; ``DESIGN_NAMES``,
``design_dir``, ``design_names`` and ``list_designs`` are re-exported from
:mod:`b12stats.designs` on first access.

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
"""

from __future__ import annotations

from typing import Any

from b12stats.simulate.correlation import (
    CORRELATION_SCALES,
    latent_correlation,
    observed_correlation,
    observed_correlation_range,
)
from b12stats.simulate.design import (
    CLUSTER_SIZE_MODELS,
    CORE_COLUMNS,
    COVARIATE_DISTRIBUTIONS,
    Covariate,
    Design,
    LognormalMarginal,
)
from b12stats.simulate.engine import (
    FLOAT_FORMAT,
    SimArrays,
    cluster_labels,
    simulate_arrays,
    simulate_cohort,
    write_cohort,
)
from b12stats.simulate.registry import hook as _hook
from b12stats.simulate.registry import resolve_design as get_design

__all__ = [
    "CLUSTER_SIZE_MODELS",
    "CORE_COLUMNS",
    "CORRELATION_SCALES",
    "COVARIATE_DISTRIBUTIONS",
    "DESIGN_NAMES",
    "FLOAT_FORMAT",
    "Covariate",
    "Design",
    "LognormalMarginal",
    "SimArrays",
    "cluster_labels",
    "design_dir",
    "design_names",
    "get_design",
    "latent_correlation",
    "list_designs",
    "observed_correlation",
    "observed_correlation_range",
    "simulate_arrays",
    "simulate_cohort",
    "write_cohort",
]

#: names re-exported from the design provider (:mod:`b12stats.designs`) on first access
_FROM_PROVIDER = ("DESIGN_NAMES", "design_dir", "design_names", "list_designs")


def __getattr__(name: str) -> Any:
    if name in _FROM_PROVIDER:
        return getattr(_hook("builtin"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

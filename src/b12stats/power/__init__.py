r"""Power and sample size by simulation: simulate the design, fit the GEE, repeat.

A researcher planning a dyad study asks how many dyads (and clusters) are needed
to detect the milk-infant association, or the milk-quartile trend in infant
adequacy, in a population like a published one. With clustered recruitment,
log-normal concentrations and a dichotomised outcome there is no honest closed
form; the answer is a Monte Carlo experiment (Arnold et al. 2011):

1. draw ``reps`` cohorts of the planned size from a design
   (:func:`b12stats.simulate.simulate_arrays`);
2. fit the analysis model to each with the batched GEE engine
   (:func:`b12stats.models.batch.fit_gee_batch`);
3. count how often the Wald test of the tested coefficient rejects at ``alpha``.

:func:`power` does this for a grid of scenarios (numbers of dyads and clusters)
and returns one row per scenario with the power, its Monte Carlo standard error,
and the usual performance measures of the estimator (Morris et al. 2019).
:func:`sensitivity` reruns the grid for every variant of the design's unpublished
assumptions (ICCs, clusters, the scale of r, covariate effects; one row per
scenario, :class:`SensitivityResult`).
:func:`sample_size` finds the smallest number of dyads reaching a target power,
on a grid or by bisection; :func:`smallest_n` picks it from a power table
already computed, and :class:`PowerResult` prints a table with it.

What is simulated (design, model, test, replicates) is one frozen
:class:`PowerSpec`; the functions build it from their keyword arguments.
Modules: :mod:`~b12stats.power.spec`, :mod:`~b12stats.power.run`,
:mod:`~b12stats.power.sample_size`, :mod:`~b12stats.power.results`,
:mod:`~b12stats.power.sensitivity`,
:mod:`~b12stats.power.executor` (where the chunks run).

Models (``model=``)
-------------------
``"linear"``
    Gaussian GEE (identity link) of infant B12 on milk B12, by default on the
    log-log scale (``scale="log"``: ``log(infant) ~ 1 + log(milk)``), the natural
    scale for log-normal concentrations; the tested coefficient is the slope (an
    elasticity). ``scale="raw"`` regresses pmol/L on pmol/L as the papers do.
``"trend"``
    Logistic GEE of ``adequate`` (infant B12 above the design's adequacy cut-off)
    on the milk-quartile score 0-3 (sample quartiles within each replicate,
    :func:`quartile_scores`) plus the design's covariates; the tested
    coefficient is the score (the P-trend of the papers).

Both use an exchangeable working correlation by default (``cov_struct=``;
independence when every cluster holds one dyad, :func:`default_cov_struct`)
and the robust (sandwich) SE of R geepack and ``b12stats fit``
(``cov_type="robust"``); with fewer than about 40 clusters that SE is biased
downward and ``cov_type="bias_reduced"`` (Mancl & DeRouen 2001) gives
tests and intervals closer to their nominal level (see :func:`power`).

Determinism and scale-out
-------------------------
The replicates of each scenario are split into chunks of ``chunk_size`` (fixed,
*not* derived from the number of workers). Chunk ``k`` of the scenario with
``n_dyads = n`` and ``n_clusters = c`` draws its data from the generator seeded
by ``SeedSequence(seed, spawn_key=(n, c, k))`` -- the node ``(n, c, k)`` of the
tree that :meth:`numpy.random.SeedSequence.spawn` grows from ``seed`` -- so
every chunk has its own independent stream that depends only on ``seed`` and
on *which* chunk it is. Chunks are submitted to any
:class:`concurrent.futures.Executor` (a process pool, or a ``dask.distributed``
``Client.get_executor()``) and gathered in submission order, hence results are
identical for any number of workers and any executor, and a scenario's results
do not depend on which other scenarios are in the grid.

References
----------
Arnold BF, Hogan DR, Colford JM, Hubbard AE (2011). Simulation methods to
estimate design power: an overview for applied research. BMC Med Res Methodol
11:94. doi:10.1186/1471-2288-11-94

Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate
statistical methods. Stat Med 38:2074-2102. doi:10.1002/sim.8086

Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear
models. Biometrika 73:13-22. doi:10.1093/biomet/73.1.13
"""

from __future__ import annotations

from b12stats.power._model import quartile_scores, true_value_groups
from b12stats.power._options import (
    ALTERNATIVES,
    CHUNK_SIZE,
    COLUMNS,
    COV_STRUCTS,
    COV_TYPES,
    GEE_DDOF_SCALE,
    MAX_CHUNK_CELLS,
    MAX_IN_FLIGHT,
    MAX_REPLICATES,
    MIN_CLUSTERS,
    MIN_DYADS,
    MODELS,
    SCALES,
    TRUE_VALUE_DYADS,
    TRUE_VALUE_REPS,
    TRUE_VALUE_SEED,
)
from b12stats.power.executor import Runner
from b12stats.power.results import (
    SAMPLE_SIZE_MCSE_BOUND,
    PowerResult,
    SampleSizeResult,
    smallest_n,
)
from b12stats.power.run import power, replicate_estimates
from b12stats.power.sample_size import sample_size
from b12stats.power.sensitivity import (
    SensitivityResult,
    parse_vary,
    plausible_vary,
    sensitivity,
    variants,
    varied_parameters,
)
from b12stats.power.spec import POWER_OPTIONS, PowerSpec, default_cov_struct

__all__ = [
    "ALTERNATIVES",
    "CHUNK_SIZE",
    "COLUMNS",
    "COV_STRUCTS",
    "COV_TYPES",
    "GEE_DDOF_SCALE",
    "MAX_CHUNK_CELLS",
    "MAX_IN_FLIGHT",
    "MAX_REPLICATES",
    "MIN_CLUSTERS",
    "MIN_DYADS",
    "MODELS",
    "POWER_OPTIONS",
    "SAMPLE_SIZE_MCSE_BOUND",
    "SCALES",
    "TRUE_VALUE_DYADS",
    "TRUE_VALUE_REPS",
    "TRUE_VALUE_SEED",
    "PowerResult",
    "PowerSpec",
    "Runner",
    "SampleSizeResult",
    "SensitivityResult",
    "default_cov_struct",
    "parse_vary",
    "plausible_vary",
    "power",
    "quartile_scores",
    "replicate_estimates",
    "sample_size",
    "sensitivity",
    "smallest_n",
    "true_value_groups",
    "variants",
    "varied_parameters",
]

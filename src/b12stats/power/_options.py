"""Options, limits and output columns of the power simulations."""

from __future__ import annotations

from b12stats.models._options import BATCH_COV_TYPES
from b12stats.models._options import COV_STRUCTS as COV_STRUCTS

MODELS = ("linear", "trend")
SCALES = ("log", "raw")
#: Sandwich variants of the tested coefficient's SE (:func:`b12stats.models.batch.fit_gee_batch`).
COV_TYPES = BATCH_COV_TYPES
ALTERNATIVES = ("two-sided", "greater", "less")

#: Replicates per chunk (one seed and one executor task per chunk). Fixed so that
#: results never depend on the number of workers; large enough that the batched
#: GEE amortises its Python overhead, small enough to balance two workers.
CHUNK_SIZE = 100

#: Degrees of freedom subtracted in the GEE scale and exchangeable-correlation
#: moment estimators. 0 is R geepack's estimator, the one ``b12stats fit``
#: (:func:`b12stats.models.fit_gee`) uses, so a simulated power analysis fits the
#: same model a researcher then fits on real data (statsmodels' default is p).
GEE_DDOF_SCALE = 0
#: The large-sample limit of the tested coefficient, when it has no closed form
#: (the coverage target), is the mean estimate over TRUE_VALUE_REPS cohorts of
#: TRUE_VALUE_DYADS dyads: 400,000 dyads in all, so its Monte Carlo SE is about
#: 1/35 of the SE at 300 dyads; many moderate replicates fit much faster in
#: the batched engine than one huge cohort, and their O(1/n) small-sample bias
#: is negligible at n = 10,000.
TRUE_VALUE_DYADS = 10_000
TRUE_VALUE_REPS = 40
#: Fixed seed of that simulation, independent of the user's seed, so that the
#: coverage target is the same number in every run.
TRUE_VALUE_SEED = 20180186
#: Smallest planned study accepted: the quartile score needs 4 groups and the
#: robust (sandwich) variance needs a handful of clusters to mean anything.
MIN_DYADS = 8
#: Most replicates (reps x scenarios) of one call: each keeps its estimate, SE and
#: convergence flag in memory, and at about a millisecond per fit 10**7 take hours.
MAX_REPLICATES = 10_000_000
#: Most simulated values per (chunk_size x n_dyads) array; a chunk holds about ten such
#: float arrays at once (80 MB each at the limit).
MAX_CHUNK_CELLS = 10_000_000
#: Most chunks submitted to an executor and not yet collected.
MAX_IN_FLIGHT = 64
MIN_CLUSTERS = 2

#: Columns of :func:`b12stats.power.power`, in order.
COLUMNS = (
    "design",
    "model",
    "n_dyads",
    "n_clusters",
    "reps",
    "power",
    "power_mcse",
    "mean_estimate",
    "bias",
    "bias_mcse",
    "empirical_sd",
    "mean_se",
    "coverage",
    "coverage_mcse",
    "true_value",
    "nonconverged_share",
    "alpha",
    "seed",
    "method",
)

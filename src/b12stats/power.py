r"""Power and sample size by simulation: simulate the design, fit the GEE, repeat.

A researcher planning a dyad study asks how many dyads (and clusters) are needed
to detect the milk-infant association, or the milk-quartile trend in infant
adequacy, in a population like a published one. With clustered recruitment,
log-normal concentrations and a dichotomised outcome there is no honest closed
form; the answer is a Monte Carlo experiment (Arnold et al. 2011):

1. draw ``reps`` cohorts of the planned size from a design
   (:func:`b12stats.simulate.simulate_arrays`);
2. fit the analysis model to each with the batched GEE engine
   (:func:`b12stats.batch_gee.fit_gee_batch`);
3. count how often the Wald test of the tested coefficient rejects at ``alpha``.

:func:`power` does this for a grid of scenarios (numbers of dyads and clusters)
and returns one row per scenario with the power, its Monte Carlo standard error,
and the usual performance measures of the estimator (Morris et al. 2019).
:func:`sample_size` finds the smallest number of dyads reaching a target power,
on a grid or by bisection.

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

import collections
import concurrent.futures as cf
import contextlib
import itertools
import logging
import math
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats._validation import (
    UNIT_OPEN,
    Interval,
    Options,
    Real,
    as_design,
    check_params,
    check_workers,
    numeric_array,
)
from b12stats.errors import OptionError

__all__ = [
    "COLUMNS",
    "MODELS",
    "SampleSizeResult",
    "default_cov_struct",
    "power",
    "quartile_scores",
    "replicate_estimates",
    "sample_size",
]

logger = logging.getLogger(__name__)

MODELS = ("linear", "trend")
SCALES = ("log", "raw")
COV_STRUCTS = ("exchangeable", "independence")
#: Sandwich variants of the tested coefficient's SE (:func:`b12stats.batch_gee.fit_gee_batch`).
COV_TYPES = ("robust", "bias_reduced")
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
_RUN_CONSTRAINTS: dict[str, list[Any]] = {
    "model": [Options(MODELS)],
    "scale": [Options(SCALES)],
    "cov_struct": [Options(COV_STRUCTS)],
    "cov_type": [Options(COV_TYPES)],
    "covariates": [None, "str-list"],
    "progress": [None, "boolean"],
}
#: Most replicates (reps x scenarios) of one call: each keeps its estimate, SE and
#: convergence flag in memory, and at about a millisecond per fit 10**7 take hours.
MAX_REPLICATES = 10_000_000
#: Most simulated values per (chunk_size x n_dyads) array; a chunk holds about ten such
#: float arrays at once (80 MB each at the limit).
MAX_CHUNK_CELLS = 10_000_000
#: Most chunks submitted to an executor and not yet collected.
MAX_IN_FLIGHT = 64
MIN_CLUSTERS = 2

#: Columns of :func:`power`, in order.
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


# --------------------------------------------------------------------------- helpers


def quartile_scores(x: Any) -> np.ndarray:
    """Milk-quartile score 0-3 of each value within its row (vectorised).

    Row by row this equals :func:`b12stats.models.milk_quartile` (``pandas.qcut``
    at the type-7 sample quartiles, right-closed intervals) for data without
    ties: with ranks :math:`k = 0, \\dots, N-1`, the type-7 quartile
    :math:`q_j` lies in :math:`[x_{(h_j)}, x_{(h_j + 1)})` with
    :math:`h_j = \\lfloor (N-1) j / 4 \\rfloor`, so

    .. math:: Q(x_{(k)}) = \\sum_{j=1}^{3} [\\, k > h_j \\,].

    Ties are broken by position (continuous simulated data have none).

    Parameters
    ----------
    x : array_like, shape (N,) or (R, N)

    Returns
    -------
    ndarray of float, same shape
        0, 1, 2 or 3.

    Examples
    --------
    >>> quartile_scores([110, 250, 300, 180, 420, 95, 510, 330]).tolist()
    [0.0, 1.0, 2.0, 1.0, 3.0, 0.0, 3.0, 2.0]
    """
    arr = numeric_array("x", x)
    if arr.ndim not in (1, 2) or arr.shape[-1] < 4:
        raise OptionError(f"x must have shape (N,) or (R, N) with N >= 4, got {arr.shape}")
    n = arr.shape[-1]
    order = np.argsort(arr, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(n), order.shape), axis=-1)
    cuts = np.floor((n - 1) * np.array([0.25, 0.5, 0.75])).astype(int)
    score = np.zeros(arr.shape, dtype=float)
    for h in cuts:
        score += ranks > h
    return score


def _simulate_arrays(design: Any, *, n_dyads: int, n_clusters: int, reps: int, rng: Any) -> Any:
    """Indirection to :func:`b12stats.simulate.simulate_arrays` (imported lazily)."""
    from b12stats.simulate import simulate_arrays

    return simulate_arrays(design, n_dyads=n_dyads, n_clusters=n_clusters, reps=reps, rng=rng)


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


def _model_arrays(
    sim: Any, *, model: str, scale: str, covariates: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Outcome (R, N), design matrix (R, N, p), groups (N,) and term names.

    The tested coefficient is column 1 of the design matrix.
    """
    covs = dict(getattr(sim, "covariates", {}) or {})
    names = covariates
    for name in names:
        if name not in covs:
            raise OptionError(
                f"unknown covariate {name!r}; the design simulates: {', '.join(covs) or 'none'}"
            )
    if model == "linear":
        milk = np.asarray(sim.milk_b12, dtype=float)
        infant = np.asarray(sim.infant_b12, dtype=float)
        if scale == "log":
            y, x, term = np.log(infant), np.log(milk), "log_milk_b12"
        else:
            y, x, term = infant, milk, "milk_b12"
    else:
        y = np.asarray(sim.adequate, dtype=float)
        x, term = quartile_scores(sim.milk_b12), "milk_quartile_score"
    columns = [np.ones_like(x), x] + [np.asarray(covs[c], dtype=float) for c in names]
    X = np.stack(columns, axis=-1)
    return y, X, np.asarray(sim.cluster), ("const", term, *names)


@dataclass(frozen=True)
class _Chunk:
    """One executor task: ``reps`` replicates of one scenario (picklable)."""

    design: Any
    model: str
    scale: str
    covariates: tuple
    cov_struct: str
    n_dyads: int
    n_clusters: int
    reps: int
    seed: int
    index: int
    simulate: Callable[..., Any]
    cov_type: str = "robust"


def _run_chunk(task: _Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate and fit one chunk; return (estimate, se, converged) of the tested term."""
    from b12stats.batch_gee import fit_gee_batch

    seq = np.random.SeedSequence(task.seed, spawn_key=(task.n_dyads, task.n_clusters, task.index))
    sim = task.simulate(
        task.design,
        n_dyads=task.n_dyads,
        n_clusters=task.n_clusters,
        reps=task.reps,
        rng=np.random.default_rng(seq),
    )
    y, X, groups, names = _model_arrays(
        sim, model=task.model, scale=task.scale, covariates=task.covariates
    )
    res = fit_gee_batch(
        y,
        X,
        groups,
        family="gaussian" if task.model == "linear" else "binomial",
        cov_struct=task.cov_struct,
        term_names=names,
        ddof_scale=GEE_DDOF_SCALE,
        cov_type=task.cov_type,
    )
    return res.params[:, 1].copy(), res.bse[:, 1].copy(), res.converged.copy()


def _progress_default(progress: bool | None) -> bool:
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


class _NoBar:
    """Stand-in for a disabled progress bar."""

    def update(self, n: int = 1) -> None:
        """Do nothing."""


def _execute(
    tasks: Iterable[_Chunk],
    *,
    n_tasks: int,
    executor: cf.Executor | None,
    workers: int,
    progress: bool,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Run the chunks inline, on a process pool, or on ``executor``; results in order.

    ``tasks`` is consumed lazily: at most :data:`MAX_IN_FLIGHT` chunks are
    submitted and not yet collected at any time, so neither the tasks nor
    their pending futures are all built up front.
    """

    def bar() -> Any:
        if not progress:  # no tqdm object at all: tqdm starts a monitor thread
            return contextlib.nullcontext(_NoBar())
        from tqdm.auto import tqdm

        return tqdm(total=n_tasks, desc="power", unit="chunk")

    with contextlib.ExitStack() as stack:
        if executor is None and workers > 1:
            executor = stack.enter_context(
                cf.ProcessPoolExecutor(workers, mp_context=_mp_context())
            )
        if executor is None:
            out = []
            with bar() as pbar:
                for task in tasks:
                    out.append(_run_chunk(task))
                    pbar.update(1)
            return out
        todo = iter(tasks)
        # submit (a fork pool starts its processes here) before the progress bar,
        # which may start a monitor thread
        pending = collections.deque(
            executor.submit(_run_chunk, task) for task in itertools.islice(todo, MAX_IN_FLIGHT)
        )
        out = []
        try:
            with bar() as pbar:
                while pending:
                    out.append(pending.popleft().result())
                    pbar.update(1)
                    task = next(todo, None)
                    if task is not None:
                        pending.append(executor.submit(_run_chunk, task))
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
        return out


def _mp_context() -> multiprocessing.context.BaseContext:
    """Start method of the worker processes.

    ``fork`` (instant start-up, the parent's imports inherited) where it is
    available and the parent runs a single Python thread; otherwise
    ``forkserver`` or ``spawn``, which do not fork a process holding other
    threads (a dask client, a GUI) -- a fork there can deadlock the child.
    OpenBLAS re-creates its own thread pool in a forked child (``pthread_atfork``).
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


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


# ---------------------------------------------------------------- the coverage target

_TRUE_CACHE: dict[tuple, float] = {}


def _analytic_slope(design: Any) -> float | None:
    """Log-log slope ``rho * sigma_infant / sigma_milk`` of the design, if it has one.

    In the latent model of :mod:`b12stats.simulate` (log milk
    ``= mu_m + sigma_m X``, log infant ``= mu_i + C + sigma_i (rho X + c Z)``
    with ``Z``, the covariate part ``C`` and the infant cluster effects
    independent of ``X``), ``E[log infant | all log milk values of the cluster,
    covariates] = const + C + (rho sigma_i / sigma_m) log milk``: the mean model
    of the log-log GEE is correct, with or without the covariates, so the GEE
    (any working correlation) is consistent for this slope.
    """
    try:
        rho = float(design.latent_correlation)
        return rho * float(design.infant.sigma) / float(design.milk.sigma)
    except AttributeError:
        return None


def _true_value(
    design: Any,
    *,
    model: str,
    scale: str,
    covariates: tuple,
    cov_struct: str,
    n_dyads: int,
    n_clusters: int,
    simulate: Callable[..., Any],
) -> float:
    """The value the tested coefficient estimates in large samples (coverage target)."""
    if model == "linear" and scale == "log":
        slope = _analytic_slope(design)
        if slope is not None:
            return slope
    # No closed form: the probability limit of the GEE estimator, estimated by
    # large simulated cohorts with the scenario's mean cluster size (under a
    # misspecified mean model the exchangeable GEE limit depends on it, weakly).
    size = round(n_dyads / n_clusters, 1)
    big_c = max(MIN_CLUSTERS, round(TRUE_VALUE_DYADS / size))
    big_n = max(big_c, round(big_c * size))
    key = (repr(design), model, scale, covariates, cov_struct, big_n, big_c)
    if key not in _TRUE_CACHE:
        from b12stats.batch_gee import fit_gee_batch

        sim = simulate(
            design,
            n_dyads=big_n,
            n_clusters=big_c,
            reps=TRUE_VALUE_REPS,
            rng=np.random.default_rng(TRUE_VALUE_SEED),
        )
        y, X, groups, names = _model_arrays(sim, model=model, scale=scale, covariates=covariates)
        res = fit_gee_batch(
            y,
            X,
            groups,
            family="gaussian" if model == "linear" else "binomial",
            cov_struct=cov_struct,
            term_names=names,
            ddof_scale=GEE_DDOF_SCALE,
        )
        _TRUE_CACHE[key] = float(np.nanmean(res.params[:, 1]))
    return _TRUE_CACHE[key]


# ---------------------------------------------------------------------------- power


def _summarise(
    est: np.ndarray,
    se: np.ndarray,
    ok: np.ndarray,
    *,
    alpha: float,
    alternative: str,
    true_value: float,
) -> dict[str, float]:
    reps = est.size
    n_ok = int(ok.sum())
    nonconv = 1.0 - n_ok / reps
    if n_ok == 0:
        nan = math.nan
        keys = (
            "power", "power_mcse", "mean_estimate", "bias", "bias_mcse", "empirical_sd",
            "mean_se", "coverage", "coverage_mcse",
        )  # fmt: skip
        return dict.fromkeys(keys, nan) | {"nonconverged_share": nonconv}
    e, s = est[ok], se[ok]
    z = e / s
    if alternative == "two-sided":
        reject = np.abs(z) > stats.norm.ppf(1 - alpha / 2)
    elif alternative == "greater":
        reject = z > stats.norm.ppf(1 - alpha)
    else:
        reject = z < stats.norm.ppf(alpha)
    pw = float(reject.mean())
    zc = stats.norm.ppf(1 - alpha / 2)
    coverage = (
        float(np.mean((e - zc * s <= true_value) & (true_value <= e + zc * s)))
        if math.isfinite(true_value)
        else math.nan
    )
    sd = float(e.std(ddof=1)) if n_ok > 1 else math.nan
    return {
        "power": pw,
        "power_mcse": math.sqrt(pw * (1 - pw) / n_ok),
        "mean_estimate": float(e.mean()),
        "bias": float(e.mean()) - true_value,
        "bias_mcse": sd / math.sqrt(n_ok),
        "empirical_sd": sd,
        "mean_se": float(s.mean()),
        "coverage": coverage,
        "coverage_mcse": math.sqrt(coverage * (1 - coverage) / n_ok),
        "nonconverged_share": nonconv,
    }


def power(
    design: Any,
    *,
    n_dyads: int | Sequence[int] | None = None,
    n_clusters: int | Sequence[int] | None = None,
    reps: int = 1000,
    model: str = "linear",
    scale: str = "log",
    covariates: Sequence[str] | str | None = None,
    cov_struct: str | None = None,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    true_value: float | None = None,
    rng: Any = None,
    executor: cf.Executor | None = None,
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    progress: bool | None = None,
    cov_type: str = "robust",
) -> pd.DataFrame:
    r"""Simulated power of the GEE Wald test, one row per scenario.

    For each scenario (``n_dyads``, ``n_clusters``) draw ``reps`` cohorts from
    ``design``, fit the model (see the module docstring) and test
    :math:`H_0: \beta_1 = 0` with the robust Wald statistic
    :math:`z = \hat\beta_1 / \widehat{se}` against the normal distribution (as
    statsmodels GEE and R geepack do). Over the :math:`R'` replicates whose fit
    converged (Morris et al. 2019, doi:10.1002/sim.8086, Table 6):

    .. math::

        \widehat{\text{power}} = \frac{1}{R'}\sum_r [\text{reject}_r],\qquad
        \text{MCSE} = \sqrt{\widehat{\text{power}}(1-\widehat{\text{power}})/R'},

    ``mean_estimate`` :math:`\bar\beta_1`, ``empirical_sd`` (SD of
    :math:`\hat\beta_1` over replicates, ``ddof=1``) against ``mean_se`` (mean
    model-based robust SE; equal in large samples if the sandwich is
    unbiased), and ``coverage``: the share of Wald intervals
    :math:`\hat\beta_1 \pm z_{1-\alpha/2}\,\widehat{se}` containing
    ``true_value``, with ``coverage_mcse`` :math:`\sqrt{c(1-c)/R'}`; ``bias``
    :math:`\bar\beta_1 - \beta_{true}` with ``bias_mcse``
    :math:`\mathrm{SD}(\hat\beta_1)/\sqrt{R'}` (Morris et al. 2019, Table 6).
    ``nonconverged_share`` is :math:`1 - R'/R`; non-converged
    fits (including separated logistic fits) are left out of every other
    column.

    Parameters
    ----------
    design : Design or str
        A :class:`b12stats.simulate.Design` or a design name
        (:func:`b12stats.simulate.get_design`).
    n_dyads : int or sequence of int, optional
        Planned numbers of dyads (default: the design's).
    n_clusters : int or sequence of int, optional
        Planned numbers of clusters. Default: keep the design's dyads per
        cluster (``round(n_dyads * design.n_clusters / design.n_dyads)``). Two
        sequences give every combination (rows ordered by ``n_dyads`` first).
    reps : int
        Replicates per scenario.
    model : {"linear", "trend"}
        ``"linear"``: Gaussian GEE of infant on milk B12, tested term the milk
        slope. ``"trend"``: logistic GEE of adequacy on the milk-quartile score
        0-3 (+ covariates), tested term the score.
    scale : {"log", "raw"}
        Linear model only: ``log(infant) ~ log(milk)`` (default; the slope is
        an elasticity) or pmol/L on pmol/L.
    covariates : sequence of str or "all", optional
        Design covariates added to the model. Default: none for ``"linear"``
        (the papers' unadjusted model), all the design simulates for
        ``"trend"``.
    cov_struct : {"exchangeable", "independence"}, optional
        Working correlation. Default: :func:`default_cov_struct` (exchangeable,
        or independence when every cluster holds one dyad).
    alpha : float
        Significance level of the test; the intervals for ``coverage`` have
        level ``1 - alpha``.
    alternative : {"two-sided", "greater", "less"}
    true_value : float, optional
        Coverage target. Default: for the log-log linear model the slope
        implied by the design, computed analytically as
        :math:`\rho\,\sigma_{\log infant}/\sigma_{\log milk}` (latent
        correlation and log-scale SDs; exact because the design's covariates
        and infant cluster effects are independent of milk); otherwise -- for
        the raw-scale linear model (a straight line is misspecified for
        log-normal data) and for the trend model (the score coefficient is
        not a parameter of the latent-normal design) -- the large-sample limit
        of the estimator,
        estimated once (cached per process) as the mean estimate of the same
        model over ``TRUE_VALUE_REPS`` simulated cohorts of ``TRUE_VALUE_DYADS``
        dyads with the scenario's mean cluster size (rounded to 0.1), drawn
        with the fixed seed ``TRUE_VALUE_SEED`` (Monte Carlo SE about 0.004 for
        the Kenya trend score). Pass ``math.nan`` to skip coverage.
    rng : int, Generator or None
        Seed. An int is used as is; otherwise one integer seed is drawn from
        ``np.random.default_rng(rng)``. The seed is reported in column ``seed``
        and reproduces the table exactly.
    executor : concurrent.futures.Executor, optional
        Where to run the chunks (e.g. ``ProcessPoolExecutor`` or a
        ``dask.distributed`` ``Client.get_executor()``). Overrides ``workers``.
    workers : int
        Without ``executor``: 1 runs inline, more starts a process pool of that
        size (``fork`` when the caller runs a single thread on a platform that
        has it, else ``forkserver`` or ``spawn``; see ``_mp_context``).
    chunk_size : int
        Replicates per task and per random stream. Part of the random stream
        definition: change it and the replicates change.
    progress : bool, optional
        tqdm bar over chunks; default: only when stderr is a terminal.
    cov_type : {"robust", "bias_reduced"}
        SE of the tested coefficient: the Liang-Zeger sandwich (default; what
        ``b12stats fit`` and geepack's ``san.se`` report) or Mancl & DeRouen's
        bias-reduced sandwich (``b12stats.models.fit_gee(cov_type=
        "bias_reduced")``). See Notes.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``method`` describes model and test.

    Notes
    -----
    With few clusters the robust sandwich is biased downward: fitted
    residuals are shrunk towards zero, by more the fewer the clusters
    (Mancl & DeRouen 2001, doi:10.1111/j.0006-341X.2001.00126.x). The
    robust Wald test is then liberal and its intervals undercover; this is a
    property of the estimator the papers used, not a simulation error. For
    the Kenya design's linear model (seed 7, 4,000 replicates) at 100 dyads
    in 21 clusters: ``empirical_sd`` 0.059 against ``mean_se`` 0.054,
    coverage 0.917 and size 0.083 (at ``correlation=0``); at 286 dyads in 60
    clusters coverage 0.943. ``cov_type="bias_reduced"`` removes most of
    that bias (coverage about 0.94 at 21 clusters); the remaining shortfall
    comes from the normal reference distribution.

    Raises
    ------
    OptionError
        Unknown model/scale/cov_struct/alternative, ``reps < 1``, ``n_clusters
        > n_dyads``, fewer than 8 dyads or 2 clusters, ``alpha`` outside (0, 1).

    Examples
    --------
    >>> tab = power("kenya", n_dyads=[40, 80], reps=200, rng=1)
    >>> tab[["n_dyads", "n_clusters", "reps", "true_value"]].round(3)
       n_dyads  n_clusters  reps  true_value
    0       40           8   200       0.221
    1       80          17   200       0.221
    >>> bool(0.5 < tab["power"][0] < tab["power"][1] < 1)
    True

    With 8 clusters the robust Wald test is liberal (size above ``alpha``:
    0.147 for the Kenya linear model at 40 dyads, 0.088 with
    ``cov_type="bias_reduced"``), so check the null too:
    ``power(design.replace(correlation=0.0), ...)``.
    """
    design = _resolve_design(design)
    scenarios = _scenarios(design, n_dyads, n_clusters)
    return _power_scenarios(
        design,
        scenarios,
        reps=reps,
        model=model,
        scale=scale,
        covariates=covariates,
        cov_struct=cov_struct,
        alpha=alpha,
        alternative=alternative,
        true_value=true_value,
        seed=_seed_from(rng),
        executor=executor,
        workers=workers,
        chunk_size=chunk_size,
        progress=progress,
        cov_type=cov_type,
    )


def _replicate_arrays(
    design: Any,
    scenarios: list[tuple[int, int]],
    *,
    reps: int,
    model: str,
    scale: str,
    covariates: Sequence[str] | str | None,
    cov_struct: str,
    seed: int,
    executor: cf.Executor | None,
    workers: int,
    chunk_size: int,
    progress: bool | None,
    cov_type: str = "robust",
) -> tuple[tuple, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Simulate and fit every replicate of every scenario.

    Returns the covariates used and, per scenario in order, the arrays
    (estimate, se, converged) of the tested coefficient over its replicates.
    """
    check_params(
        model=model,
        scale=scale,
        cov_struct=cov_struct,
        cov_type=cov_type,
        covariates=covariates,
        progress=progress,
        constraints=_RUN_CONSTRAINTS,
    )
    reps = _check_int("reps", reps, 1)
    chunk_size = _check_int("chunk_size", chunk_size, 1)
    workers = check_workers(workers)
    total = reps * len(scenarios)
    if total > MAX_REPLICATES:
        raise OptionError(
            f"reps x scenarios = {total:,} replicates exceeds the limit of {MAX_REPLICATES:,}: "
            "every replicate's estimate is kept in memory, and so many fits would run for days"
        )
    widest = max(n for n, _ in scenarios)
    if min(chunk_size, reps) * widest > MAX_CHUNK_CELLS:
        raise OptionError(
            f"chunk_size x n_dyads = {min(chunk_size, reps) * widest:,} simulated values per "
            f"array exceeds the limit of {MAX_CHUNK_CELLS:,} (a chunk holds about ten such "
            "arrays in memory); lower chunk_size or n_dyads"
        )
    if executor is not None and not hasattr(executor, "submit"):
        raise OptionError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    covs = _design_covariates(design, covariates, model)
    known = [c.name for c in getattr(design, "covariates", ())]
    for name in covs:
        if name not in known:
            raise OptionError(
                f"unknown covariate {name!r}; the design simulates: {', '.join(known) or 'none'}"
            )
    if cov_struct == "exchangeable":
        for n, c in scenarios:
            if c == n:
                raise OptionError(
                    f"n_clusters = n_dyads = {n}: independent dyads have no within-cluster "
                    "pairs to estimate an exchangeable correlation; use "
                    "cov_struct='independence' (--cov-struct independence on the command line)"
                )
    simulate = _simulate_arrays

    n_chunks = math.ceil(reps / chunk_size)
    tasks = (
        _Chunk(
            design=design,
            model=model,
            scale=scale,
            covariates=covs,
            cov_struct=cov_struct,
            n_dyads=n,
            n_clusters=c,
            reps=min(chunk_size, reps - k * chunk_size),
            seed=seed,
            index=k,
            simulate=simulate,
            cov_type=cov_type,
        )
        for n, c in scenarios
        for k in range(n_chunks)
    )
    n_tasks = len(scenarios) * n_chunks
    logger.info(
        "power: %d scenarios x %d replicates in %d chunks (seed %d)",
        len(scenarios),
        reps,
        n_tasks,
        seed,
    )
    results = _execute(
        tasks,
        n_tasks=n_tasks,
        executor=executor,
        workers=workers,
        progress=_progress_default(progress),
    )
    per_scenario = []
    for i in range(len(scenarios)):
        chunk = results[i * n_chunks : (i + 1) * n_chunks]
        per_scenario.append(
            (
                np.concatenate([r[0] for r in chunk]),
                np.concatenate([r[1] for r in chunk]),
                np.concatenate([r[2] for r in chunk]),
            )
        )
    return covs, per_scenario


def _power_scenarios(
    design: Any,
    scenarios: list[tuple[int, int]],
    *,
    reps: int,
    model: str,
    scale: str,
    covariates: Sequence[str] | str | None,
    cov_struct: str | None,
    alpha: float,
    alternative: str,
    true_value: float | None,
    seed: int,
    executor: cf.Executor | None,
    workers: int,
    chunk_size: int,
    progress: bool | None,
    cov_type: str = "robust",
) -> pd.DataFrame:
    """:func:`power` for an explicit list of (n_dyads, n_clusters) pairs."""
    if cov_struct is None:
        cov_struct = _default_for(design, scenarios)
    check_params(
        alpha=alpha,
        alternative=alternative,
        true_value=true_value,
        constraints={
            "alpha": [UNIT_OPEN],
            "alternative": [Options(ALTERNATIVES)],
            "true_value": [None, Real],
        },
    )
    covs, per_scenario = _replicate_arrays(
        design,
        scenarios,
        reps=reps,
        model=model,
        scale=scale,
        covariates=covariates,
        cov_struct=cov_struct,
        seed=seed,
        executor=executor,
        workers=workers,
        chunk_size=chunk_size,
        progress=progress,
        cov_type=cov_type,
    )
    simulate = _simulate_arrays

    family = "gaussian" if model == "linear" else "binomial-logit"
    term = (
        ("log-log " if scale == "log" else "raw ") + "milk slope"
        if model == "linear"
        else "milk quartile score"
    )
    se_kind = "robust" if cov_type == "robust" else "bias-reduced robust (Mancl-DeRouen)"
    method = f"simulated GEE {family} {cov_struct}, {se_kind} Wald z ({alternative}) on {term}"
    rows = []
    for (n, c), (est, se, ok) in zip(scenarios, per_scenario, strict=True):
        target = (
            float(true_value)
            if true_value is not None
            else _true_value(
                design,
                model=model,
                scale=scale,
                covariates=covs,
                cov_struct=cov_struct,
                n_dyads=n,
                n_clusters=c,
                simulate=simulate,
            )
        )
        summary = _summarise(est, se, ok, alpha=alpha, alternative=alternative, true_value=target)
        rows.append(
            {
                "design": _design_name(design),
                "model": model,
                "n_dyads": n,
                "n_clusters": c,
                "reps": reps,
                **summary,
                "true_value": target,
                "alpha": float(alpha),
                "seed": seed,
                "method": method,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def replicate_estimates(
    design: Any,
    *,
    n_dyads: int | None = None,
    n_clusters: int | None = None,
    reps: int = 1000,
    model: str = "trend",
    scale: str = "log",
    covariates: Sequence[str] | str | None = None,
    cov_struct: str | None = None,
    rng: Any = None,
    executor: cf.Executor | None = None,
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    progress: bool | None = None,
    cov_type: str = "robust",
) -> pd.DataFrame:
    r"""The tested coefficient of every simulated replicate, with its Wald test.

    The same simulation and fits as :func:`power` (same seed, same replicates),
    kept replicate by replicate, so that one can ask how a published test
    statistic sits among cohorts like the published one: e.g. the distribution
    of the milk-quartile trend test's P across Kenya-like cohorts, against the
    published P-trend = 0.03.

    Parameters
    ----------
    design, n_dyads, n_clusters, reps, model, scale, covariates, cov_struct, rng,
    executor, workers, chunk_size, progress, cov_type
        As for :func:`power`, for one scenario.

    Returns
    -------
    pandas.DataFrame
        One row per replicate: ``replicate, n_dyads, n_clusters, estimate, se,
        statistic, p_value, converged, seed``; ``statistic = estimate / se`` and
        ``p_value = 2 (1 - Phi(|statistic|))`` (Wald z with the ``cov_type`` SE,
        two-sided); NaN where the fit did not converge.

    Examples
    --------
    >>> from b12stats.simulate import get_design
    >>> est = replicate_estimates(get_design("kenya"), n_dyads=120, n_clusters=30,
    ...                           reps=20, model="trend", rng=1)
    >>> list(est.columns[:4]), len(est)
    (['replicate', 'n_dyads', 'n_clusters', 'estimate'], 20)
    >>> bool(((est.p_value >= 0) & (est.p_value <= 1)).all())
    True
    """
    design = _resolve_design(design)
    scenarios = _scenarios(design, n_dyads, n_clusters)
    if len(scenarios) != 1:
        raise OptionError("replicate_estimates takes one scenario: one n_dyads and one n_clusters")
    seed = _seed_from(rng)
    if cov_struct is None:
        cov_struct = _default_for(design, scenarios)
    _, per_scenario = _replicate_arrays(
        design,
        scenarios,
        reps=reps,
        model=model,
        scale=scale,
        covariates=covariates,
        cov_struct=cov_struct,
        seed=seed,
        executor=executor,
        workers=workers,
        chunk_size=chunk_size,
        progress=progress,
        cov_type=cov_type,
    )
    (n, c), (est, se, ok) = scenarios[0], per_scenario[0]
    z = np.where(ok, est / se, np.nan)
    return pd.DataFrame(
        {
            "replicate": np.arange(est.size),
            "n_dyads": n,
            "n_clusters": c,
            "estimate": np.where(ok, est, np.nan),
            "se": np.where(ok, se, np.nan),
            "statistic": z,
            "p_value": 2.0 * stats.norm.sf(np.abs(z)),
            "converged": ok.astype(bool),
            "seed": seed,
        }
    )


# ---------------------------------------------------------------------- sample size


@dataclass(frozen=True)
class SampleSizeResult:
    """Smallest number of dyads reaching a target power (:func:`sample_size`).

    Attributes
    ----------
    n_dyads, n_clusters : int or None
        The smallest evaluated ``n_dyads`` whose simulated power reaches
        ``target_power`` (None if none does), and its clusters.
    power, power_mcse : float
        Simulated power there and its Monte Carlo SE.
    n_dyads_low, n_dyads_high : int or None
        Monte Carlo uncertainty of the answer: the smallest evaluated n whose
        power's upper bound ``power + 2 MCSE`` reaches the target, and the
        smallest whose lower bound ``power - 2 MCSE`` does (None if none).
    target_power : float
    search : str
        ``"grid"`` or ``"bisection"``.
    curve : pandas.DataFrame
        Every evaluated scenario (rows of :func:`power`), sorted by ``n_dyads``.
    """

    n_dyads: int | None
    n_clusters: int | None
    power: float
    power_mcse: float
    n_dyads_low: int | None
    n_dyads_high: int | None
    target_power: float
    search: str
    curve: pd.DataFrame

    @property
    def reached(self) -> bool:
        """Whether some evaluated n reached the target."""
        return self.n_dyads is not None

    def to_frame(self) -> pd.DataFrame:
        """One-row table: the answer, its MC uncertainty, and how it was found."""
        first = self.curve.iloc[0] if len(self.curve) else None
        return pd.DataFrame(
            [
                {
                    "target_power": self.target_power,
                    "n_dyads": self.n_dyads,
                    "n_clusters": self.n_clusters,
                    "power": self.power,
                    "power_mcse": self.power_mcse,
                    "n_dyads_low": self.n_dyads_low,
                    "n_dyads_high": self.n_dyads_high,
                    "reached": self.reached,
                    "search": self.search,
                    "reps": None if first is None else int(first["reps"]),
                    "seed": None if first is None else int(first["seed"]),
                    "method": None if first is None else first["method"],
                }
            ]
        )


#: Defaults of :func:`power` options that :func:`sample_size` passes through.
_POWER_DEFAULTS: dict[str, Any] = {
    "scale": "log",
    "covariates": None,
    "cov_struct": None,
    "alpha": 0.05,
    "alternative": "two-sided",
    "true_value": None,
    "chunk_size": CHUNK_SIZE,
    "cov_type": "robust",
}

#: Monte Carlo bounds used by :class:`SampleSizeResult`: power +- this many MCSEs.
SAMPLE_SIZE_MCSE_BOUND = 2.0


def _first_reaching(curve: pd.DataFrame, values: Iterable[float], target: float) -> int | None:
    hit = [int(n) for n, v in zip(curve["n_dyads"], values, strict=True) if v >= target]
    return min(hit) if hit else None


def sample_size(
    design: Any,
    *,
    target_power: float = 0.8,
    n_grid: Sequence[int] | None = None,
    n_min: int | None = None,
    n_max: int | None = None,
    n_tol: int = 10,
    dyads_per_cluster: float | None = None,
    n_clusters: int | None = None,
    reps: int = 1000,
    model: str = "linear",
    rng: Any = None,
    executor: cf.Executor | None = None,
    workers: int = 1,
    progress: bool | None = None,
    **options: Any,
) -> SampleSizeResult:
    """Smallest number of dyads whose simulated power reaches ``target_power``.

    Two searches:

    * grid (``n_grid``): :func:`power` at every n of the grid in one run; the
      answer is the smallest n with power ``>= target_power``.
    * bisection (``n_min``, ``n_max``): assumes power increases with n; halves
      the bracket ``[n_min, n_max]`` until it is at most ``n_tol`` wide, one
      :func:`power` run per step, and answers the smallest evaluated n reaching
      the target. Because every n has its own random stream, the result for a
      given seed is reproducible.

    Either way the answer carries Monte Carlo error: near the target a
    simulated power of 0.80 with ``reps=1000`` has MCSE 0.013.
    ``n_dyads_low``/``n_dyads_high`` bracket the answer by the smallest
    evaluated n whose power +- ``SAMPLE_SIZE_MCSE_BOUND`` MCSE reaches the
    target. Raise ``reps`` to narrow it.

    Parameters
    ----------
    design
        As in :func:`power`.
    target_power : float
        In (0, 1).
    n_grid : sequence of int, optional
        Candidate numbers of dyads (grid search).
    n_min, n_max, n_tol : int, optional
        Bracket and final width (bisection search); ignored with ``n_grid``.
    dyads_per_cluster : float, optional
        Cluster size kept while n varies (``n_clusters = round(n / size)``);
        default the design's. Exclusive with ``n_clusters``.
    n_clusters : int, optional
        A fixed number of clusters instead (more dyads per cluster as n grows).
    reps, model, rng, executor, workers, progress, **options
        Passed to :func:`power` (e.g. ``scale``, ``cov_struct``, ``alpha``).

    Returns
    -------
    SampleSizeResult

    Examples
    --------
    >>> res = sample_size("kenya", n_grid=[20, 200], reps=100, rng=1)
    >>> res.n_dyads, res.n_clusters, res.search
    (200, 42, 'grid')
    """
    check_params(target_power=target_power, constraints={"target_power": [UNIT_OPEN]})
    if dyads_per_cluster is not None and n_clusters is not None:
        raise OptionError("give dyads_per_cluster or n_clusters, not both")
    design = _resolve_design(design)
    if dyads_per_cluster is None and n_clusters is None:
        dyads_per_cluster = design.n_dyads / design.n_clusters
    check_params(
        dyads_per_cluster=dyads_per_cluster,
        constraints={"dyads_per_cluster": [Interval(Real, 1, None)]},
    )
    seed = _seed_from(rng)
    workers = check_workers(workers)
    unknown = sorted(set(options) - set(_POWER_DEFAULTS))
    if unknown:
        raise OptionError(
            f"unknown option(s) {unknown}; sample_size passes on: {', '.join(_POWER_DEFAULTS)}"
        )
    size = dyads_per_cluster

    def clusters_for(n: int) -> int:
        if n_clusters is not None:
            return int(n_clusters)
        return min(n, max(MIN_CLUSTERS, round(n / float(size or 1.0))))

    with contextlib.ExitStack() as stack:
        if executor is None and workers > 1 and n_grid is None:
            # one pool for every bisection step, not one per step
            executor = stack.enter_context(
                cf.ProcessPoolExecutor(workers, mp_context=_mp_context())
            )

        def run(ns: list[int]) -> pd.DataFrame:
            pairs = [(n, clusters_for(n)) for n in ns]
            for n, c in pairs:
                if c > n:
                    raise OptionError(f"n_clusters ({c}) cannot exceed n_dyads ({n})")
            return _power_scenarios(
                design,
                pairs,
                reps=reps,
                model=model,
                seed=seed,
                executor=executor,
                workers=workers,
                progress=progress,
                **(_POWER_DEFAULTS | options),
            )

        if n_grid is not None:
            # one run: all scenarios share one executor round
            curve = run(sorted(set(_int_list("n_grid", n_grid, MIN_DYADS))))
            search = "grid"
        else:
            if n_min is None or n_max is None:
                raise OptionError("give n_grid, or both n_min and n_max for a bisection search")
            lo = _check_int("n_min", n_min, MIN_DYADS)
            hi = _check_int("n_max", n_max, MIN_DYADS)
            tol = _check_int("n_tol", n_tol, 1)
            if lo >= hi:
                raise OptionError(f"n_min ({lo}) must be below n_max ({hi})")
            curve = run([lo, hi])
            p_lo, p_hi = curve["power"].to_numpy()
            if not p_lo >= target_power and p_hi >= target_power:
                while hi - lo > tol:
                    mid = (lo + hi) // 2
                    row = run([mid])
                    curve = pd.concat([curve, row], ignore_index=True)
                    if row["power"].iloc[0] >= target_power:
                        hi = mid
                    else:
                        lo = mid
            search = "bisection"
    curve = curve.sort_values("n_dyads", kind="stable").reset_index(drop=True)
    pw = curve["power"].to_numpy(dtype=float)
    mcse = curve["power_mcse"].to_numpy(dtype=float)
    n_best = _first_reaching(curve, pw, target_power)
    best = None if n_best is None else curve.loc[curve["n_dyads"] == n_best].iloc[0]
    k = SAMPLE_SIZE_MCSE_BOUND
    return SampleSizeResult(
        n_dyads=n_best,
        n_clusters=None if best is None else int(best["n_clusters"]),
        power=math.nan if best is None else float(best["power"]),
        power_mcse=math.nan if best is None else float(best["power_mcse"]),
        n_dyads_low=_first_reaching(curve, pw + k * mcse, target_power),
        n_dyads_high=_first_reaching(curve, pw - k * mcse, target_power),
        target_power=float(target_power),
        search=search,
        curve=curve,
    )

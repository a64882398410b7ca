"""Power by simulation: :func:`power` (one row per scenario) and :func:`replicate_estimates`."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import logging
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats.errors import OptionError
from b12stats.power._model import (
    _TRUE_CACHE,
    _analytic_true_value,
    _simulate_arrays,
    _simulate_true_value,
    _true_value,
    _true_value_key,
    _true_value_size,
)
from b12stats.power._options import (
    CHUNK_SIZE,
    COLUMNS,
    MAX_CHUNK_CELLS,
    MAX_REPLICATES,
    TRUE_VALUE_REPS,
    TRUE_VALUE_SEED,
)
from b12stats.power.executor import Runner, _Chunk
from b12stats.power.spec import PowerSpec, _resolve_design, _scenarios, _seed_from

__all__ = ["power", "replicate_estimates"]

logger = logging.getLogger("b12stats.power")


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
    seed = _seed_from(rng)
    spec = PowerSpec(
        design,
        model=model,
        scale=scale,
        covariates=covariates,
        cov_struct=cov_struct,
        cov_type=cov_type,
        alpha=alpha,
        alternative=alternative,
        true_value=true_value,
        reps=reps,
        chunk_size=chunk_size,
    )
    runner = Runner(executor=executor, workers=workers, progress=progress)
    return _power_table(spec.for_scenarios(scenarios), scenarios, seed, runner)


#: One simulated experiment of a run: a spec and its (n_dyads, n_clusters) scenarios.
_Job = tuple[PowerSpec, list[tuple[int, int]]]


def _check_size(jobs: Sequence[_Job]) -> None:
    """Refuse runs too large for memory (:data:`MAX_REPLICATES`, :data:`MAX_CHUNK_CELLS`)."""
    total = sum(spec.reps * len(scenarios) for spec, scenarios in jobs)
    if total > MAX_REPLICATES:
        raise OptionError(
            f"reps x scenarios = {total:,} replicates exceeds the limit of {MAX_REPLICATES:,}: "
            "every replicate's estimate is kept in memory, and so many fits would run for days"
        )
    for spec, scenarios in jobs:
        widest = max(n for n, _ in scenarios)
        if min(spec.chunk_size, spec.reps) * widest > MAX_CHUNK_CELLS:
            raise OptionError(
                f"chunk_size x n_dyads = {min(spec.chunk_size, spec.reps) * widest:,} simulated "
                f"values per array exceeds the limit of {MAX_CHUNK_CELLS:,} (a chunk holds "
                "about ten such arrays in memory); lower chunk_size or n_dyads"
            )


def _chunks(spec: PowerSpec, scenarios: list[tuple[int, int]], seed: int) -> Iterator[_Chunk]:
    """The tasks of one job: chunk ``k`` of scenario ``(n, c)`` seeded by ``(seed, n, c, k)``."""
    n_chunks = math.ceil(spec.reps / spec.chunk_size)
    for n, c in scenarios:
        for k in range(n_chunks):
            yield _Chunk(
                spec=spec,
                n_dyads=n,
                n_clusters=c,
                reps=min(spec.chunk_size, spec.reps - k * spec.chunk_size),
                seed=seed,
                index=k,
                simulate=_simulate_arrays,
            )


def _true_value_chunks(jobs: Sequence[_Job]) -> dict[tuple, _Chunk]:
    """One task per coverage target the jobs need that is not cached yet (no duplicates).

    The task simulates the large cohorts of :func:`~b12stats.power._model._true_value`
    with its fixed seed and fits the model; the mean of its estimates is the target.
    """
    todo: dict[tuple, _Chunk] = {}
    for spec, scenarios in jobs:
        if spec.true_value is not None or _analytic_true_value(spec) is not None:
            continue
        for n, c in scenarios:
            key = _true_value_key(spec, n_dyads=n, n_clusters=c)
            if key in _TRUE_CACHE or key in todo:
                continue
            big_n, big_c = _true_value_size(n, c)
            todo[key] = _Chunk(
                spec=dataclasses.replace(spec, cov_type="robust"),  # estimates only
                n_dyads=big_n,
                n_clusters=big_c,
                reps=TRUE_VALUE_REPS,
                seed=TRUE_VALUE_SEED,
                index=0,
                simulate=_simulate_true_value,
            )
    return todo


def _run_jobs(
    jobs: Sequence[_Job], seed: int, runner: Runner, *, true_values: bool = True
) -> list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Simulate and fit every replicate of every job, in one executor run.

    With ``true_values``, the coverage targets not yet cached are computed in
    the same run (their tasks first: they are the largest), so that a pool
    starts once and one progress bar covers everything. Returns, per job and
    per scenario in order, the arrays (estimate, se, converged) of the tested
    coefficient over its replicates.
    """
    _check_size(jobs)
    targets = _true_value_chunks(jobs) if true_values else {}
    n_tasks = len(targets) + sum(
        len(scenarios) * math.ceil(spec.reps / spec.chunk_size) for spec, scenarios in jobs
    )
    logger.info(
        "power: %d scenarios in %d tasks, %d of them coverage targets (seed %d)",
        sum(len(scenarios) for _, scenarios in jobs),
        n_tasks,
        len(targets),
        seed,
    )
    tasks = itertools.chain(
        targets.values(), *(_chunks(spec, scenarios, seed) for spec, scenarios in jobs)
    )
    results = iter(runner.run(tasks, n_tasks))
    for key in targets:  # the first results: one per target
        _TRUE_CACHE[key] = float(np.nanmean(next(results)[0]))
    out = []
    for spec, scenarios in jobs:
        n_chunks = math.ceil(spec.reps / spec.chunk_size)
        per_scenario = []
        for _ in scenarios:
            chunk = list(itertools.islice(results, n_chunks))
            per_scenario.append(tuple(np.concatenate([r[i] for r in chunk]) for i in range(3)))
        out.append(per_scenario)
    return out


def _replicate_arrays(
    spec: PowerSpec, scenarios: list[tuple[int, int]], seed: int, runner: Runner
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The arrays (estimate, se, converged) of every scenario of one spec (no coverage target)."""
    return _run_jobs([(spec, scenarios)], seed, runner, true_values=False)[0]


def _power_tables(
    jobs: Sequence[_Job],
    seed: int,
    runner: Runner,
    *,
    arrays: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] | None = None,
) -> list[pd.DataFrame]:
    """The rows of :func:`power` for each job, all run through ``runner`` at once.

    ``arrays``: the jobs' replicates already run by :func:`_run_jobs` (with
    their coverage targets).
    """
    if arrays is None:
        arrays = _run_jobs(jobs, seed, runner)
    return [
        _rows_of(spec, scenarios, per_scenario, seed)
        for (spec, scenarios), per_scenario in zip(jobs, arrays, strict=True)
    ]


def _power_table(
    spec: PowerSpec, scenarios: list[tuple[int, int]], seed: int, runner: Runner
) -> pd.DataFrame:
    """The rows of :func:`power` for an explicit list of (n_dyads, n_clusters) pairs."""
    return _power_tables([(spec, scenarios)], seed, runner)[0]


def _rows_of(
    spec: PowerSpec,
    scenarios: list[tuple[int, int]],
    per_scenario: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    seed: int,
) -> pd.DataFrame:
    method = spec.method
    rows = []
    for (n, c), (est, se, ok) in zip(scenarios, per_scenario, strict=True):
        target = (
            float(spec.true_value)
            if spec.true_value is not None
            else _true_value(spec, n_dyads=n, n_clusters=c, simulate=_simulate_arrays)
        )
        summary = _summarise(
            est,
            se,
            ok,
            alpha=spec.alpha,
            alternative=spec.alternative,
            true_value=target,
        )
        rows.append(
            {
                "design": spec.design_name,
                "model": spec.model,
                "n_dyads": n,
                "n_clusters": c,
                "reps": spec.reps,
                **summary,
                "true_value": target,
                "alpha": spec.alpha,
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
    spec = PowerSpec(
        design,
        model=model,
        scale=scale,
        covariates=covariates,
        cov_struct=cov_struct,
        cov_type=cov_type,
        reps=reps,
        chunk_size=chunk_size,
    ).for_scenarios(scenarios)
    per_scenario = _replicate_arrays(
        spec,
        scenarios,
        seed,
        Runner(executor=executor, workers=workers, progress=progress),
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

"""The analysis model of a power simulation: its arrays, its fit and its true value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from b12stats._validation import numeric_array
from b12stats.errors import OptionError
from b12stats.power._options import (
    GEE_DDOF_SCALE,
    MIN_CLUSTERS,
    TRUE_VALUE_DYADS,
    TRUE_VALUE_REPS,
    TRUE_VALUE_SEED,
)
from b12stats.power.spec import PowerSpec

__all__ = ["fit_tested", "quartile_scores"]


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
    cuts = np.floor((n - 1) * np.array([0.25, 0.5, 0.75])).astype(int)
    # x_(h_j) by selection (linear time): k > h_j is x > x_(h_j) unless a tie
    # straddles the cut, i.e. unless exactly h_j + 1 values are <= x_(h_j)
    rows = arr.reshape(-1, n)
    cut_values = np.partition(rows, cuts, axis=-1)[:, cuts]
    score = np.zeros(rows.shape, dtype=float)
    exact = ~np.isnan(rows).any(axis=-1)  # NaN ranks last, as in a sort
    for j, h in enumerate(cuts):
        score += rows > cut_values[:, j, None]
        exact &= np.count_nonzero(rows <= cut_values[:, j, None], axis=-1) == h + 1
    tied = np.flatnonzero(~exact)
    if tied.size:  # ranks, ties broken by position
        order = np.argsort(rows[tied], axis=-1, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.broadcast_to(np.arange(n), order.shape), axis=-1)
        score[tied] = (ranks[..., None] > cuts).sum(axis=-1)
    score = score.reshape(arr.shape)
    return score


def _simulate_arrays(design: Any, *, n_dyads: int, n_clusters: int, reps: int, rng: Any) -> Any:
    """Indirection to :func:`b12stats.simulate.simulate_arrays` (imported lazily).

    Covariates without an effect are drawn only if the model reads them
    (``lazy_covariates``): every caller passes a generator of the chunk's own.
    """
    from b12stats.simulate import simulate_arrays

    return simulate_arrays(
        design, n_dyads=n_dyads, n_clusters=n_clusters, reps=reps, rng=rng, lazy_covariates=True
    )


def _model_arrays(
    sim: Any, *, model: str, scale: str, covariates: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Outcome (R, N), design matrix (R, N, p), groups (N,) and term names.

    The tested coefficient is column 1 of the design matrix.
    """
    covs = getattr(sim, "covariates", None) or {}  # a mapping: read only what is used
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
    # stacked as (R, p, N) and returned as its (R, N, p) view: the batched engine
    # works on the transposed layout, so it needs no copy
    X = np.swapaxes(np.stack(columns, axis=-2), -1, -2)
    return y, X, np.asarray(sim.cluster), ("const", term, *names)


#: Coverage targets already computed in this process: :func:`_true_value_key` -> value.
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


def _analytic_true_value(spec: PowerSpec) -> float | None:
    """The coverage target in closed form, where there is one (log-log linear model)."""
    if spec.model == "linear" and spec.scale == "log":
        return _analytic_slope(spec.design)
    return None


def _true_value_size(n_dyads: int, n_clusters: int) -> tuple[int, int]:
    """Dyads and clusters of the large cohorts behind the coverage target.

    ``TRUE_VALUE_DYADS`` dyads with the scenario's mean cluster size rounded to
    0.1 (under a misspecified mean model the exchangeable GEE limit depends on
    it, weakly).
    """
    size = round(n_dyads / n_clusters, 1)
    big_c = max(MIN_CLUSTERS, round(TRUE_VALUE_DYADS / size))
    return max(big_c, round(big_c * size)), big_c


def _simulation_key(design: Any) -> Any:
    """What the simulated cohorts depend on (not the name, texts or default counts).

    Two designs with equal keys simulate identical cohorts for the same
    ``n_dyads``, ``n_clusters``, ``reps`` and generator
    (:func:`b12stats.simulate.simulate_arrays` reads nothing else).
    """
    try:
        return (
            design.milk.mu,
            design.milk.sigma,
            design.infant.mu,
            design.infant.sigma,
            design.correlation,
            design.correlation_scale,
            design.icc_milk,
            design.icc_infant,
            design.cluster_sizes,
            design.adequacy_cutoff,
            tuple((c.name, c.distribution, c.params, c.effect) for c in design.covariates),
        )
    except AttributeError:
        return repr(design)


def _true_value_key(spec: PowerSpec, *, n_dyads: int, n_clusters: int) -> tuple:
    """Cache key of the simulated coverage target: the simulated design and the fitted model."""
    return (
        _simulation_key(spec.design),
        spec.model,
        spec.scale,
        spec.covariates,
        spec.cov_struct,
        *_true_value_size(n_dyads, n_clusters),
    )


def true_value_groups(
    design: Any, n_dyads: Any = None, n_clusters: Any = None
) -> list[list[tuple[int, int]]]:
    """The scenarios of a power grid, grouped by the simulated coverage target they share.

    :func:`~b12stats.power.power` estimates the target of a model without a
    closed form once per size of its large cohorts (:func:`_true_value_size`:
    the scenario's mean cluster size rounded to 0.1), about a second each;
    the groups can be computed in processes of their own. ``n_dyads`` and
    ``n_clusters`` as for :func:`~b12stats.power.power`.

    Examples
    --------
    >>> true_value_groups("kenya", [100, 200], [20, 40])  # 5, 2.5, 10 and 5 dyads per cluster
    [[(100, 20), (200, 40)], [(100, 40)], [(200, 20)]]
    """
    from b12stats.power.spec import _resolve_design, _scenarios

    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for n, c in _scenarios(_resolve_design(design), n_dyads, n_clusters):
        groups.setdefault(_true_value_size(n, c), []).append((n, c))
    return list(groups.values())


def _simulate_true_value(
    design: Any, *, n_dyads: int, n_clusters: int, reps: int, rng: Any
) -> Any:
    """The large cohorts of the coverage target: always drawn with ``TRUE_VALUE_SEED``.

    ``rng`` is ignored, so that the target is the same number in every run
    whichever executor task computes it.
    """
    del rng
    return _simulate_arrays(
        design,
        n_dyads=n_dyads,
        n_clusters=n_clusters,
        reps=reps,
        rng=np.random.default_rng(TRUE_VALUE_SEED),
    )


def _true_value(
    spec: PowerSpec, *, n_dyads: int, n_clusters: int, simulate: Callable[..., Any]
) -> float:
    """The value the tested coefficient estimates in large samples (coverage target).

    Closed form for the log-log linear model; otherwise the mean estimate over
    ``TRUE_VALUE_REPS`` simulated cohorts of about ``TRUE_VALUE_DYADS`` dyads
    (:func:`_true_value_size`), cached per process by :func:`_true_value_key`.
    :func:`b12stats.power.run._fill_true_values` computes missing ones through
    the executor, in parallel, before they are looked up here.
    """
    exact = _analytic_true_value(spec)
    if exact is not None:
        return exact
    key = _true_value_key(spec, n_dyads=n_dyads, n_clusters=n_clusters)
    if key not in _TRUE_CACHE:
        big_n, big_c = _true_value_size(n_dyads, n_clusters)
        sim = simulate(
            spec.design,
            n_dyads=big_n,
            n_clusters=big_c,
            reps=TRUE_VALUE_REPS,
            rng=np.random.default_rng(TRUE_VALUE_SEED),
        )
        _TRUE_CACHE[key] = float(np.nanmean(fit_tested(spec, sim).params[:, 1]))
    return _TRUE_CACHE[key]


def fit_tested(spec: PowerSpec, sim: Any, *, cov_type: str = "robust") -> Any:
    """Fit the spec's model to every replicate of ``sim`` (the batched GEE engine).

    The tested coefficient is column 1 (``res.params[:, 1]``, ``res.bse[:, 1]``).
    """
    from b12stats.models.batch import fit_gee_batch

    y, X, groups, names = _model_arrays(
        sim, model=spec.model, scale=spec.scale, covariates=spec.covariates
    )
    return fit_gee_batch(
        y,
        X,
        groups,
        family=spec.family,
        cov_struct=spec.cov_struct,
        term_names=names,
        ddof_scale=GEE_DDOF_SCALE,
        cov_type=cov_type,
    )

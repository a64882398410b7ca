"""Batched GEE: one marginal model fitted to many replicate datasets at once.

Simulation studies (power, bias, coverage) fit the *same* model to thousands of
datasets of the *same* shape: the same cluster labels and the same number of
observations, only the outcome (and possibly the covariates) differ. Looping
``statsmodels`` GEE over the replicates costs tens of milliseconds per fit,
almost all of it Python overhead over tiny per-cluster matrices. This module
runs the identical algorithm in compiled code (numba kernels,
:mod:`b12stats.models._gee_kernels`): each replicate's GLM start, GEE
iterations and sandwich run without returning to Python, on data sorted by
cluster so that every cluster sum is a contiguous run, and the exchangeable
working correlation is inverted in closed form. Every replicate is computed on
its own with sums in a fixed order, so the results do not depend on the chunk
size or on which replicates are fitted together.

``statsmodels`` stays the engine for a single fit (:mod:`b12stats.models.gee`);
this engine (:mod:`b12stats.models._batch_engine`) reproduces ``sm.GEE(...).fit()``
with default settings replicate by replicate (see :func:`fit_gee_batch` for
exactly what is mirrored), or
``sm.GEE(...).fit(ddof_scale=0)`` -- R geepack's estimator, the one
:func:`b12stats.models.fit_gee` uses -- with ``fit_gee_batch(..., ddof_scale=0)``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats._validation import (
    UNIT_OPEN,
    Integral,
    Interval,
    Options,
    Real,
    check_params,
    cluster_ids,
    numeric_array,
    validate_params,
)
from b12stats.errors import OptionError
from b12stats.models._batch_engine import (
    DIVERGED_LINPRED,
    SEPARATION_LINPRED,
    _fit_chunk,
)
from b12stats.models._options import BATCH_COV_TYPES as COV_TYPES
from b12stats.models._options import COV_STRUCTS, FAMILIES, LEVERAGE_COND

__all__ = [
    "DEFAULT_MAXITER",
    "DEFAULT_TOL",
    "DIVERGED_LINPRED",
    "LEVERAGE_COND",
    "SEPARATION_LINPRED",
    "STATUS",
    "BatchGEEResult",
    "fit_gee_batch",
]

logger = logging.getLogger("b12stats.batch_gee")

#: statsmodels ``GEE.fit`` defaults, mirrored.
DEFAULT_MAXITER = 60
DEFAULT_TOL = 1e-6
#: Target size in bytes of the covariates of one chunk, (chunk, N, p), when
#: ``chunk_size`` is not given: it bounds the memory of the per-chunk results.
_CHUNK_BYTES = 4 * 2**20
#: Values of :attr:`BatchGEEResult.status`.
STATUS = (
    "converged",  # score norm below tol (after at least one dependence update)
    "maxiter",  # iteration limit reached first
    "separation",  # binomial: the GLM start has fitted probabilities at 0 or 1
    "diverged",  # the GEE iteration ran off (|linear predictor| beyond bounds)
    "singular",  # D'V^-1 D not invertible (collinear design), or (bias_reduced)
    # a cluster with leverage 1, where I - H_ii is singular
    "nonfinite",  # NaN or infinity appeared
)


@dataclass(frozen=True)
class BatchGEEResult:
    """Estimates from :func:`fit_gee_batch`, one row per replicate.

    Attributes
    ----------
    params, bse : ndarray, shape (R, p)
        Coefficients and robust (sandwich) standard errors; NaN where the
        replicate did not converge.
    cov_robust : ndarray, shape (R, p, p)
        Robust covariance matrix of the coefficients (NaN if not converged):
        the sandwich of ``cov_type``.
    alpha : ndarray, shape (R,)
        Exchangeable working correlation (NaN for independence or failures).
    scale : ndarray, shape (R,)
        Scale (dispersion): Pearson chi-square over ``N - ddof_scale`` for
        Gaussian, 1 for binomial (statsmodels' convention); NaN for failures.
    converged : ndarray of bool, shape (R,)
    n_iter : ndarray of int, shape (R,)
        GEE iterations used (statsmodels' ``len(fit_history["params"])``).
    status : ndarray of str, shape (R,)
        ``"converged"`` or why not: ``"maxiter"``, ``"separation"``,
        ``"diverged"``, ``"singular"``, ``"nonfinite"``.
    family, cov_struct : str
    term_names : tuple of str
    nobs, n_groups : int
    ddof_scale : int
        The degrees of freedom subtracted in the scale and alpha estimators:
        p (statsmodels' default) or the value passed to :func:`fit_gee_batch`
        (0 for geepack's estimator).
    cov_type : str
        ``"robust"`` (Liang-Zeger sandwich) or ``"bias_reduced"``
        (Mancl-DeRouen); ``bse`` and ``cov_robust`` are of this type.
    """

    params: np.ndarray
    bse: np.ndarray
    cov_robust: np.ndarray
    alpha: np.ndarray
    scale: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    status: np.ndarray
    family: str
    cov_struct: str
    term_names: tuple[str, ...]
    nobs: int
    n_groups: int
    ddof_scale: int
    cov_type: str = "robust"

    @property
    def method(self) -> str:
        """``"gee-batch <family> <cov_struct>"``, plus ``" ddof_scale=<d>"`` when
        ``ddof_scale`` is not statsmodels' default p and ``" bias_reduced"`` for
        the Mancl-DeRouen covariance."""
        base = f"gee-batch {self.family} {self.cov_struct}"
        if self.ddof_scale != len(self.term_names):
            base += f" ddof_scale={self.ddof_scale}"
        if self.cov_type != "robust":
            base += f" {self.cov_type}"
        return base

    @property
    def n_replicates(self) -> int:
        """Number of replicates R."""
        return int(self.params.shape[0])

    def to_frame(self, *, conf_level: float = 0.95) -> pd.DataFrame:
        """Long tidy table: one row per replicate and term.

        Columns: ``replicate, term, estimate, se, ci_low, ci_high, statistic,
        p_value, alpha, scale, converged, n_iter, status, n, method``. Wald
        statistics ``estimate / se`` with normal reference (as statsmodels GEE).

        Examples
        --------
        >>> rng = np.random.default_rng(1)
        >>> g = np.repeat(np.arange(10), 4)
        >>> X = np.column_stack([np.ones(40), rng.normal(size=40)])
        >>> y = 1 + 0.5 * X[:, 1] + rng.normal(size=(3, 40))
        >>> res = fit_gee_batch(y, X, g, term_names=["const", "x"])
        >>> frame = res.to_frame()
        >>> frame.shape
        (6, 15)
        >>> list(frame.columns[:4])
        ['replicate', 'term', 'estimate', 'se']
        """
        check_params(conf_level=conf_level, constraints={"conf_level": [UNIT_OPEN]})
        r, p = self.params.shape
        est = self.params.ravel()
        se = self.bse.ravel()
        z = stats.norm.ppf(0.5 + conf_level / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = est / se
        return pd.DataFrame(
            {
                "replicate": np.repeat(np.arange(r), p),
                "term": np.tile(np.asarray(self.term_names, dtype=object), r),
                "estimate": est,
                "se": se,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "statistic": stat,
                "p_value": 2 * stats.norm.sf(np.abs(stat)),
                "alpha": np.repeat(self.alpha, p),
                "scale": np.repeat(self.scale, p),
                "converged": np.repeat(self.converged, p),
                "n_iter": np.repeat(self.n_iter, p),
                "status": np.repeat(self.status.astype(object), p),
                "n": self.nobs,
                "method": self.method,
            }
        )


@validate_params(
    {
        "family": [Options(FAMILIES)],
        "cov_struct": [Options(COV_STRUCTS)],
        "cov_type": [Options(COV_TYPES)],
        "maxiter": [Interval(Integral, 1, None)],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "chunk_size": [None, Interval(Integral, 1, None)],
        "term_names": [None, "str-list"],
        "ddof_scale": [None, Interval(Integral, 0, None)],
    }
)
def fit_gee_batch(
    y: Any,
    X: Any,
    groups: Any,
    *,
    family: str = "gaussian",
    cov_struct: str = "exchangeable",
    maxiter: int = DEFAULT_MAXITER,
    tol: float = DEFAULT_TOL,
    chunk_size: int | None = None,
    term_names: Sequence[str] | None = None,
    ddof_scale: int | None = None,
    cov_type: str = "robust",
) -> BatchGEEResult:
    r"""Fit the same GEE to R replicate datasets at once.

    Parameters
    ----------
    y : array_like, shape (R, N)
        Outcomes: row r is replicate r. A 1-d array is one replicate. For
        ``family="binomial"`` every value must be 0 or 1.
    X : array_like, shape (N, p) or (R, N, p)
        Covariates (include the intercept column yourself), shared by all
        replicates or one design per replicate.
    groups : array_like, shape (N,)
        Cluster labels, shared by all replicates. Clusters may differ in size.
    family : {"gaussian", "binomial"}
        Gaussian with identity link, or binomial with logit link.
    cov_struct : {"exchangeable", "independence"}
        Working correlation.
    maxiter, tol : int, float
        statsmodels' ``maxiter`` and ``ctol``: iterate until the Euclidean norm
        of the estimating function is below ``tol`` (after at least one update
        of the working correlation) or ``maxiter`` iterations.
    chunk_size : int, optional
        Replicates processed together; bounds memory (default: about 4 MB
        per work array, e.g. 305 replicates for N = 286, p = 6).
    term_names : sequence of str, optional
        Names of the p columns of X (default: the columns of a DataFrame X,
        else ``x0, x1, ...``).
    ddof_scale : int, optional
        Degrees of freedom subtracted in the moment estimators of the scale
        and of the exchangeable correlation, with the meaning of statsmodels'
        ``GEE.fit(ddof_scale=...)``: ``None`` (default) is statsmodels' default
        ``p``; ``0`` gives R geepack's estimator, the one
        :func:`b12stats.models.fit_gee` (``b12stats fit``) uses. Must satisfy
        ``0 <= ddof_scale < N`` and, for the exchangeable structure, be smaller
        than the number of within-cluster pairs. See Notes.
    cov_type : {"robust", "bias_reduced"}
        ``"robust"``: the Liang-Zeger sandwich (statsmodels' default);
        ``"bias_reduced"``: Mancl & DeRouen's (2001) small-sample correction,
        as statsmodels ``fit(cov_type="bias_reduced")`` (see Notes).

    Returns
    -------
    BatchGEEResult
        ``params``, ``bse`` (robust), ``alpha``, ``scale``, ``converged``,
        ``n_iter``, ``status``; rows that did not converge are NaN.

    Notes
    -----
    With cluster i of size :math:`m_i`, :math:`A_i = \operatorname{diag}(v(\mu_{ij}))`,
    :math:`D_i = \partial\mu_i/\partial\beta` and exchangeable working correlation
    :math:`R_i = (1-\alpha) I + \alpha 1 1'` (Liang & Zeger, 1986,
    doi:10.1093/biomet/73.1.13), each iteration takes the Fisher-scoring step

    .. math:: \beta \leftarrow \beta + \Big(\sum_i D_i' V_i^{-1} D_i\Big)^{-1}
              \sum_i D_i' V_i^{-1}(y_i - \mu_i),\quad
              V_i = A_i^{1/2} R_i A_i^{1/2},

    using :math:`R_i^{-1} = \{I - \alpha/(1 - \alpha + m_i\alpha)\, 1 1'\}/(1-\alpha)`,
    so every cluster term is a sum over the cluster's rows. The sandwich
    covariance is :math:`B^{-1} (\sum_i u_i u_i') B^{-1}` with
    :math:`B = \sum_i D_i' V_i^{-1} D_i`, :math:`u_i = D_i' V_i^{-1}(y_i-\mu_i)`.

    With few clusters the sandwich is biased downward (the residuals
    :math:`y_i - \hat\mu_i` are shrunk by fitting) and robust Wald tests are
    liberal. ``cov_type="bias_reduced"`` (Mancl & DeRouen 2001,
    doi:10.1111/j.0006-341X.2001.00126.x) replaces :math:`u_i` by
    :math:`D_i' V_i^{-1}(I - H_{ii})^{-1}(y_i-\mu_i)` with
    :math:`H_{ii} = D_i B^{-1} D_i' V_i^{-1}`; by the Woodbury identity this
    equals :math:`(I_p - B_i B^{-1})^{-1} u_i` with
    :math:`B_i = D_i' V_i^{-1} D_i`, which is how it is computed.

    The iteration mirrors statsmodels 0.14/0.15 ``GEE.fit(ddof_scale=...)``
    (other settings at their defaults) step by step: start from the
    ``GLM(...).fit()`` estimates (IRLS, deviance tolerance 1e-8),
    :math:`\alpha = 0` for the first step, the convergence test on the norm of
    the (unscaled) estimating function computed *before* the step, and after
    each step the moment update of ``Exchangeable.update`` with Pearson
    residuals :math:`e_{ij}`, :math:`N = \sum_i m_i` observations,
    :math:`K = \sum_i m_i(m_i-1)/2` within-cluster pairs and
    :math:`d` = ``ddof_scale``:

    .. math:: \hat\phi = \frac{\sum_{ij} e_{ij}^2}{N - d},\qquad
              \hat\alpha = \frac{\sum_i \sum_{j<k} e_{ij} e_{ik} / \hat\phi}{K - d}.

    The two conventions:

    * ``ddof_scale=None`` (:math:`d = p`, statsmodels' default):
      :math:`\hat\phi = \sum e^2/(N-p)`,
      :math:`\hat\alpha = \sum_i\sum_{j<k} e_{ij}e_{ik} / \{\hat\phi\,(K-p)\}`.
    * ``ddof_scale=0`` (R geepack's ``geeglm``, Halekoh, Højsgaard & Yan 2006,
      doi:10.18637/jss.v015.i02; also :func:`b12stats.models.fit_gee`):
      :math:`\hat\phi = \sum e^2/N`,
      :math:`\hat\alpha = \sum_i\sum_{j<k} e_{ij}e_{ik} / (\hat\phi\, K)`,
      no degrees-of-freedom correction.

    :math:`d` changes :math:`\hat\alpha`, hence the coefficients and robust
    SEs of the exchangeable model (typically in the 3rd-4th digit), and the
    reported Gaussian ``scale``; the independence model's coefficients and
    robust SEs do not depend on it (the scale cancels in the sandwich). Binomial
    ``scale`` is reported as 1 either way (statsmodels), but the Pearson
    :math:`\hat\phi` above still enters :math:`\hat\alpha`.

    Replicates are marked ``converged=False`` (and their estimates set to NaN)
    when the iteration limit is reached, when the binomial outcome is
    (quasi-)completely separated by the covariates (checked by linear
    programming whenever the GLM start has some :math:`|x'\beta|` >
    ``SEPARATION_LINPRED``; statsmodels may return finite but meaningless
    estimates there), when the GEE iteration diverges (some :math:`|x'\beta|` >
    ``DIVERGED_LINPRED``), when a matrix is singular (for
    ``cov_type="bias_reduced"`` also some cluster's :math:`I - H_{ii}`: a
    cluster with leverage 1, where the correction is undefined and statsmodels
    returns numerical noise),
    or when non-finite numbers appear (statsmodels itself returns estimates in
    most of these cases). Like statsmodels, an estimate :math:`\hat\alpha`
    outside :math:`(-1/(m_i - 1), 1)` is kept although it makes the working
    correlation of clusters of size :math:`m_i` indefinite (the estimating
    equations stay unbiased and the sandwich valid): this happens with few,
    strongly correlated clusters (:math:`\hat\alpha > 1`) or with negative
    within-cluster correlation and large clusters. Check ``alpha``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(np.arange(30), rng.integers(2, 7, size=30))
    >>> n = groups.size
    >>> X = np.column_stack([np.ones(n), rng.normal(size=n)])
    >>> u = rng.normal(size=(200, 30))[:, groups]  # shared cluster effects
    >>> eta = -0.3 + 0.8 * X[:, 1] + u
    >>> y = (rng.random((200, n)) < 1 / (1 + np.exp(-eta))).astype(float)
    >>> res = fit_gee_batch(y, X, groups, family="binomial")
    >>> res.params.shape, bool(res.converged.all())
    ((200, 2), True)
    >>> bool(0.5 < np.median(res.params[:, 1]) < 0.8)
    True

    geepack's estimator (as ``b12stats fit``): no degrees-of-freedom correction

    >>> res0 = fit_gee_batch(y, X, groups, family="binomial", ddof_scale=0)
    >>> res0.ddof_scale, res0.method
    (0, 'gee-batch binomial exchangeable ddof_scale=0')
    >>> bool(np.max(np.abs(res0.params - res.params)) < 0.05)
    True
    """
    maxiter = int(maxiter)
    if term_names is None and isinstance(X, pd.DataFrame):
        term_names = [str(c) for c in X.columns]
    y = numeric_array("y", y)
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2:
        raise OptionError(f"y must have shape (R, N) (replicates x observations), got {y.shape}")
    r, n = y.shape
    X = numeric_array("X", X)
    if X.ndim not in (2, 3):
        raise OptionError(f"X must have shape (N, p) or (R, N, p), got {X.shape}")
    if X.shape[-2] != n or (X.ndim == 3 and X.shape[0] != r):
        want = f"({n}, p) or ({r}, {n}, p)"
        raise OptionError(f"X has shape {X.shape}, but y has shape {y.shape}: expected X {want}")
    p = X.shape[-1]
    if groups is None or isinstance(groups, str):
        raise OptionError(f"groups must be one cluster id per observation; got {groups!r}")
    groups = cluster_ids("groups", groups)
    if groups.shape[0] != n:
        raise OptionError(
            f"groups must be one label per observation (length {n}), got shape {groups.shape}"
        )
    if r == 0:
        raise OptionError("y holds no replicates")
    if not np.all(np.isfinite(y)):
        raise OptionError("y contains NaN or infinite values")
    if not np.all(np.isfinite(X)):
        raise OptionError("X contains NaN or infinite values")
    if family == "binomial" and not np.all((y == 0) | (y == 1)):
        raise OptionError("family='binomial' needs y coded 0/1; y has other values")
    if n <= p:
        raise OptionError(f"need more observations ({n}) than covariates ({p})")
    ddof = p if ddof_scale is None else int(ddof_scale)  # None: statsmodels' default
    if ddof >= n:
        raise OptionError(f"ddof_scale ({ddof}) must be smaller than the observations ({n})")
    if term_names is None:
        names = tuple(f"x{j}" for j in range(p))
    else:
        names = tuple(str(t) for t in term_names)
        if len(names) != p:
            raise OptionError(f"term_names has {len(names)} names for {p} columns of X")
    chunk_size = max(1, _CHUNK_BYTES // (8 * n * p)) if chunk_size is None else int(chunk_size)

    # sort observations by cluster so cluster sums are contiguous segments
    _, codes = np.unique(groups, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    exchangeable = cov_struct == "exchangeable"
    n_pairs = int(np.sum(sizes * (sizes - 1)) // 2)
    if exchangeable and n_pairs <= ddof:
        what = "covariates" if ddof_scale is None else f"ddof_scale ({ddof})"
        raise OptionError(
            f"exchangeable correlation needs more within-cluster pairs ({n_pairs}) than "
            f"{what}; clusters are (nearly) all singletons"
        )
    in_order = bool(np.all(order[1:] > order[:-1]))
    starts = starts.astype(np.int64)

    def sorted_rows(a: np.ndarray) -> np.ndarray:
        """Observations (axis 1) sorted by cluster, X transposed to (rows, p, N): the
        kernels run over contiguous covariate columns (no copy for such a view)."""
        a = a if in_order else a[:, order]
        return np.ascontiguousarray(np.swapaxes(a, 1, 2) if a.ndim == 3 else a)

    shared = sorted_rows(X[None]) if X.ndim == 2 else None
    parts: list[dict[str, np.ndarray]] = []
    with np.errstate(all="ignore"):
        for lo in range(0, r, chunk_size):
            hi = min(r, lo + chunk_size)
            parts.append(
                _fit_chunk(
                    sorted_rows(y[lo:hi]),
                    shared if shared is not None else sorted_rows(X[lo:hi]),
                    starts,
                    family,
                    exchangeable,
                    maxiter,
                    tol,
                    ddof,
                    cov_type == "bias_reduced",
                )
            )
    res = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    converged = res["status"] == "converged"
    with np.errstate(invalid="ignore"):
        bse = np.sqrt(np.diagonal(res["cov_robust"], axis1=1, axis2=2))
    n_fail = int(np.sum(~converged))
    if n_fail:
        counts = pd.Series(res["status"][~converged]).value_counts().to_dict()
        logger.info("%d of %d replicates did not converge: %s", n_fail, r, counts)
    return BatchGEEResult(
        params=res["params"],
        bse=bse,
        cov_robust=res["cov_robust"],
        alpha=res["alpha"],
        scale=res["scale"],
        converged=converged,
        n_iter=res["n_iter"],
        status=res["status"].astype(object).astype(str),
        family=family,
        cov_struct=cov_struct,
        term_names=names,
        nobs=n,
        n_groups=int(sizes.size),
        ddof_scale=ddof,
        cov_type=cov_type,
    )

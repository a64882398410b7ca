"""The batched GEE engine behind :func:`b12stats.models.batch.fit_gee_batch`.

``fit_gee_batch`` checks the input, sorts it by cluster, cuts the replicates
into chunks and calls :func:`_fit_chunk` on each: the GLM start and the GEE
iteration of every replicate run in the compiled kernels of
:mod:`b12stats.models._gee_kernels` (numba, imported here on first use), the
rare linear-programming check for separation in between.
"""

from __future__ import annotations

import numpy as np

from b12stats.models._options import LEVERAGE_COND

#: statsmodels ``GLM.fit`` (IRLS) defaults used for the starting values.
_GLM_MAXITER = 100
_GLM_TOL = 1e-8
#: A binomial GLM start whose linear predictor exceeds this in absolute value
#: for some observation (fitted probability within ~3e-7 of 0 or 1) is checked
#: for (quasi-)complete separation by linear programming (IRLS on separated
#: data stops with ``|x'b|`` around 18-25 on the separated observations).
SEPARATION_LINPRED = 15.0
#: A binomial GEE iteration whose linear predictor exceeds this in absolute
#: value (fitted probability within 2e-22 of 0 or 1) has diverged.
DIVERGED_LINPRED = 50.0


def _separated(X: np.ndarray, y: np.ndarray) -> bool:
    """True if the 0/1 outcome is (quasi-)completely separated by the columns of X.

    Separation means some direction b != 0 has s_i x_i'b >= 0 for all i (s_i = +1
    for y_i = 1, -1 for y_i = 0) with at least one strict inequality: then the
    likelihood keeps increasing along b and no finite MLE exists (Albert &
    Anderson 1984, doi:10.1093/biomet/71.1.1). Linear programme of Konis K
    (2007, Linear programming algorithms for detecting separated data in binary
    logistic regression models, DPhil thesis, University of Oxford): maximise
    sum_i s_i x_i'b subject to s_i x_i'b >= 0 and sum_i s_i x_i'b <= 1;
    the optimum is 1 under separation and 0 otherwise.
    """
    from scipy.optimize import linprog

    a = np.where(y > 0.5, 1.0, -1.0)[:, None] * X
    scale = np.abs(a).max(axis=0)
    a = a / np.where(scale > 0, scale, 1.0)  # column scaling for the LP tolerances
    total = a.sum(axis=0)
    res = linprog(
        -total,
        A_ub=np.vstack([-a, total[None, :]]),
        b_ub=np.concatenate([np.zeros(len(a)), [1.0]]),
        bounds=[(None, None)] * a.shape[1],
        method="highs",
    )
    return bool(res.status == 0 and -res.fun > 0.5)


def _fit_chunk(
    y: np.ndarray,
    XT: np.ndarray,
    starts: np.ndarray,
    family: str,
    exchangeable: bool,
    maxiter: int,
    tol: float,
    ddof: int,
    bias_reduced: bool = False,
) -> dict[str, np.ndarray]:
    """Fit one chunk sorted by cluster: y (R, N) and the transposed covariates
    XT (1, p, N) shared or (R, p, N)."""
    from b12stats.models import _gee_kernels as kern

    # one array type for the kernels (C-contiguous, writeable), so that they are
    # compiled once: a read-only array would be a second numba signature
    need = ("C", "W", "A")
    y = np.require(y, dtype=float, requirements=need)
    XT = np.require(XT, dtype=float, requirements=need)
    starts = np.require(starts, dtype=np.int64, requirements=need)
    binomial = family == "binomial"
    beta, status, extreme = kern.glm_start(
        y, XT, binomial, _GLM_MAXITER, _GLM_TOL, SEPARATION_LINPRED
    )
    for i in np.flatnonzero(extreme):  # extreme or failed GLM starts: check separation exactly
        if _separated((XT[0] if XT.shape[0] == 1 else XT[i]).T, y[i]):
            status[i] = kern.SEPARATION
    params, cov, alpha, scale, n_iter, gee_status = kern.gee_fit(
        y, XT, starts, beta, status == kern.STARTED, binomial, exchangeable, int(maxiter),
        float(tol), int(ddof), bool(bias_reduced), DIVERGED_LINPRED, LEVERAGE_COND,
    )  # fmt: skip
    status = np.where(status == kern.STARTED, gee_status, status)
    return {
        "params": params,
        "cov_robust": cov,
        "alpha": alpha,
        "scale": scale,
        "n_iter": n_iter,
        "status": np.asarray(kern.STATUS_NAMES)[status],
    }

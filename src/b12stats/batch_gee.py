"""Batched GEE: one marginal model fitted to many replicate datasets at once.

Simulation studies (power, bias, coverage) fit the *same* model to thousands of
datasets of the *same* shape: the same cluster labels and the same number of
observations, only the outcome (and possibly the covariates) differ. Looping
``statsmodels`` GEE over the replicates costs tens of milliseconds per fit,
almost all of it Python overhead over tiny per-cluster matrices. This module
runs the identical algorithm vectorised across replicates: every step is an
array operation over a ``(replicates, observations)`` block, the per-cluster
sums are segment reductions (:func:`numpy.add.reduceat` on data sorted by
cluster) and the exchangeable working correlation is inverted in closed form.

``statsmodels`` stays the engine for a single fit (:mod:`b12stats.models`);
this engine reproduces ``sm.GEE(...).fit()`` with default settings replicate
by replicate (see :func:`fit_gee_batch` for exactly what is mirrored), or
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
from scipy import special, stats

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

__all__ = ["BatchGEEResult", "fit_gee_batch"]

logger = logging.getLogger(__name__)

FAMILIES = ("gaussian", "binomial")
COV_STRUCTS = ("exchangeable", "independence")
#: Sandwich variants: Liang-Zeger's robust covariance, or Mancl & DeRouen's
#: bias-reduced one (statsmodels ``cov_type="bias_reduced"``).
COV_TYPES = ("robust", "bias_reduced")

#: statsmodels ``GEE.fit`` defaults, mirrored.
DEFAULT_MAXITER = 60
DEFAULT_TOL = 1e-6
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
#: Target size in bytes of the largest per-chunk work array, (chunk, N, p),
#: when ``chunk_size`` is not given. Small enough to stay in cache: on the
#: Kenya-like benchmark chunks of 128-512 replicates ran ~20% faster than 2,000.
_CHUNK_BYTES = 4 * 2**20
_EPS = float(np.finfo(float).eps)
#: Condition number of some cluster's ``I - B_i B^-1`` above which the
#: Mancl-DeRouen correction is undefined (a cluster with leverage 1, e.g. the
#: only cluster where a covariate is non-zero): measured about 1e17 there
#: against 1-10 in regular designs.
LEVERAGE_COND = 1e10

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


class _Design:
    """Covariates sorted by cluster, shared or per replicate, with fast products.

    Products are arranged as BLAS matrix products over contiguous arrays; the
    transposed copy ``XT`` (p, N) or (R, p, N) serves the cluster sums.
    """

    def __init__(self, X: np.ndarray, starts: np.ndarray) -> None:
        self.X = X  # (N, p) shared or (R, N, p)
        self.shared = X.ndim == 2
        self.starts = starts
        self.XT = np.ascontiguousarray(np.swapaxes(X, -1, -2))
        if self.shared:
            n, p = X.shape
            # outer products x_n x_n' flattened: gram(w) is one GEMM (R,N)@(N,p*p)
            self.XX = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)

    @property
    def p(self) -> int:
        return int(self.X.shape[-1])

    def take(self, idx: np.ndarray) -> _Design:
        if self.shared:
            return self
        return _Design(self.X[idx], self.starts)

    def linpred(self, beta: np.ndarray) -> np.ndarray:
        if self.shared:
            return beta @ self.XT
        return np.matmul(self.X, beta[:, :, None])[:, :, 0]

    def gram(self, w2: np.ndarray) -> np.ndarray:
        """Sum_n w2[r, n] x_n x_n' -> (R, p, p)."""
        p = self.p
        if self.shared:
            return (w2 @ self.XX).reshape(-1, p, p)
        return np.matmul(self.XT * w2[:, None, :], self.X)

    def cross(self, v: np.ndarray) -> np.ndarray:
        """Sum_n v[r, n] x_n -> (R, p)."""
        if self.shared:
            return v @ self.X
        return np.matmul(self.XT, v[:, :, None])[:, :, 0]

    def segsum_x(self, w: np.ndarray) -> np.ndarray:
        """Cluster sums of w[r, n] x_n -> (R, C, p) (a transposed view)."""
        return np.add.reduceat(self.XT * w[:, None, :], self.starts, axis=2).transpose(0, 2, 1)

    def segsum(self, v: np.ndarray) -> np.ndarray:
        """Cluster sums of v[r, n] -> (R, C)."""
        return np.add.reduceat(v, self.starts, axis=1)

    def segsum_gram(self, w2: np.ndarray) -> np.ndarray:
        """Cluster sums of w2[r, n] x_n x_n' -> (R, C, p, p)."""
        p = self.p
        if self.shared:
            outer = w2[:, :, None] * self.XX[None, :, :]
        else:
            outer = (self.X[:, :, :, None] * self.X[:, :, None, :]).reshape(
                self.X.shape[0], -1, p * p
            ) * w2[:, :, None]
        summed = np.add.reduceat(outer, self.starts, axis=1)
        return summed.reshape(summed.shape[0], summed.shape[1], p, p)


def _solve(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched solve; returns (x, ok) with ok False (and x NaN) where singular."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0], np.ones(len(a), dtype=bool)
    except np.linalg.LinAlgError:
        x = np.full(b.shape, np.nan)
        ok = np.zeros(len(a), dtype=bool)
        for i in range(len(a)):  # rare: find the singular replicates one by one
            try:
                x[i] = np.linalg.solve(a[i], b[i])
                ok[i] = True
            except np.linalg.LinAlgError:
                pass
        return x, ok


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


def _binary_variance(mu: np.ndarray) -> np.ndarray:
    """mu (1 - mu) with mu clipped to [eps, 1 - eps], as statsmodels' ``Binomial``."""
    m = np.clip(mu, _EPS, 1.0 - _EPS)
    return m * (1.0 - m)


def _moments(family: str, y: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (w, rt): w = (dmu/deta) / sd(mu) and Pearson residuals (y - mu) / sd(mu)."""
    if family == "gaussian":
        return np.ones_like(eta), y - eta
    mu = special.expit(eta)
    sd = np.sqrt(_binary_variance(mu))
    # logit: dmu/deta = mu (1 - mu) = sd^2, so w = sd
    return sd, (y - mu) / sd


def _binomial_deviance(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """-2 log-likelihood per replicate for 0/1 y, as statsmodels' ``Binomial.deviance``."""
    return -2.0 * np.sum(np.log(np.maximum(np.where(y > 0.5, mu, 1.0 - mu), _EPS)), axis=1)


def _glm_start(family: str, y: np.ndarray, design: _Design) -> tuple[np.ndarray, np.ndarray]:
    """GLM (independence) estimates as statsmodels ``GLM(...).fit()`` computes them.

    Gaussian: ordinary least squares. Binomial: IRLS from ``mu = (y + 0.5) / 2``
    until the deviance changes by at most 1e-8 (at most 100 iterations).
    Returns (beta, status) with status "" where fine, else "singular" or "nonfinite".
    """
    r = y.shape[0]
    status = np.full(r, "", dtype="<U10")
    if family == "gaussian":
        beta, ok = _solve(design.gram(np.ones_like(y)), design.cross(y))
        status[~ok] = "singular"
        return beta, status
    p = design.p
    beta = np.zeros((r, p))
    mu = (y + 0.5) / 2.0
    eta = np.log(mu / (1.0 - mu))
    dev = _binomial_deviance(y, mu)
    idx = np.arange(r)
    yw, dw = y, design
    for _ in range(_GLM_MAXITER):
        v = _binary_variance(mu)
        z = eta + (yw - mu) / v
        b, solved = _solve(dw.gram(v), dw.cross(v * z))
        eta = dw.linpred(b)
        mu = special.expit(eta)
        dev_new = _binomial_deviance(yw, mu)
        good = solved & np.isfinite(dev_new) & np.all(np.isfinite(b), axis=1)
        done = (np.abs(dev_new - dev) <= _GLM_TOL) | ~good
        beta[idx] = b
        status[idx[~good]] = np.where(solved[~good], "nonfinite", "singular")
        dev = dev_new
        if done.all():
            break
        if done.any():
            keep = ~done
            idx, yw, dw = idx[keep], yw[keep], dw.take(keep)
            eta, mu, dev = eta[keep], mu[keep], dev[keep]
    return beta, status


def _fit_chunk(
    y: np.ndarray,
    design: _Design,
    sizes: np.ndarray,
    family: str,
    exchangeable: bool,
    maxiter: int,
    tol: float,
    ddof: int,
    bias_reduced: bool = False,
) -> dict[str, np.ndarray]:
    r, n = y.shape
    p = design.p
    n_pairs = float(np.sum(sizes * (sizes - 1)) / 2)
    m1 = (sizes - 1).astype(float)

    out_params = np.full((r, p), np.nan)
    out_cov = np.full((r, p, p), np.nan)
    out_alpha = np.full(r, np.nan)
    out_scale = np.full(r, np.nan)
    out_iter = np.zeros(r, dtype=np.int64)
    out_status = np.full(r, "maxiter", dtype="<U10")

    beta, start_status = _glm_start(family, y, design)
    ok = start_status == ""
    out_status[~ok] = start_status[~ok]
    if family == "binomial":
        # extreme or failed GLM starts: check (quasi-)separation exactly
        with np.errstate(invalid="ignore"):
            extreme = ~(np.abs(design.linpred(beta)).max(axis=1) <= SEPARATION_LINPRED)
        for i in np.flatnonzero(extreme):
            if _separated(design.X if design.shared else design.X[i], y[i]):
                out_status[i] = "separation"
                ok[i] = False
    idx = np.flatnonzero(ok)
    y, dw, beta = y[idx], design.take(idx), beta[idx]
    eta = dw.linpred(beta)
    w, rt = _moments(family, y, eta)
    alpha = np.zeros(len(idx))

    def assemble(
        w: np.ndarray, rt: np.ndarray, alpha: np.ndarray, dw: _Design
    ) -> tuple[np.ndarray, np.ndarray]:
        """B = sum_i D_i' V_i^-1 D_i and the estimating function sum_i D_i' V_i^-1 r_i."""
        a = dw.gram(w * w)
        b = dw.cross(w * rt)
        if not exchangeable:
            return a, b
        s = dw.segsum_x(w)  # (R, C, p)
        t = dw.segsum(rt)  # (R, C)
        inv1 = 1.0 / (1.0 - alpha)
        cc = (alpha * inv1)[:, None] / (1.0 + alpha[:, None] * m1)  # (R, C)
        sc = s * cc[:, :, None]
        bmat = a * inv1[:, None, None] - np.matmul(sc.transpose(0, 2, 1), s)
        score = b * inv1[:, None] - np.einsum("rcp,rc->rp", sc, t)
        return bmat, score

    for itr in range(maxiter):
        if len(idx) == 0:
            break
        bmat, score = assemble(w, rt, alpha, dw)
        update, good = _solve(bmat, score)
        beta = beta + update
        del_params = np.sqrt(np.sum(score * score, axis=1))
        eta = dw.linpred(beta)
        w, rt = _moments(family, y, eta)
        out_iter[idx] = itr + 1

        bad = ~good | ~np.all(np.isfinite(beta), axis=1) | ~np.isfinite(del_params)
        status_bad = np.where(good, "nonfinite", "singular")
        if family == "binomial":
            # the start was fine (checked above), so this is a diverging iteration
            sep = np.abs(eta).max(axis=1) > DIVERGED_LINPRED
            status_bad = np.where(sep, "diverged", status_bad)
            bad |= sep
        # statsmodels leaves the loop once the score norm is below ctol and the
        # dependence parameters have been updated at least once (itr >= 1).
        done = (del_params < tol) & (itr >= 1) & ~bad
        if done.any():
            fin = np.flatnonzero(done)
            _finalize(
                fin, idx, y, beta, w, rt, alpha, dw, family, exchangeable, n, ddof, m1,
                out_params, out_cov, out_alpha, out_scale, out_status, bias_reduced,
            )  # fmt: skip
        out_status[idx[bad]] = status_bad[bad]
        if exchangeable:
            # update the dependence parameter at the new estimates, as statsmodels'
            # Exchangeable.update: both denominators subtract ddof_scale
            ssr = np.sum(rt * rt, axis=1)
            scale = ssr / (n - ddof)
            t = dw.segsum(rt)
            resid_pairs = (np.sum(t * t, axis=1) - ssr) / 2.0 / scale
            alpha = resid_pairs / (n_pairs - ddof)
            # alpha outside (-1/(m - 1), 1) makes R_i indefinite for clusters of
            # size m; statsmodels carries on (the estimating equations stay
            # unbiased) and so do we: only a non-finite alpha stops a replicate.
            invalid = ~np.isfinite(alpha) & ~done & ~bad
            out_status[idx[invalid]] = "nonfinite"
            bad |= invalid
        stop = done | bad
        if stop.any():
            keep = ~stop
            idx, y, dw = idx[keep], y[keep], dw.take(keep)
            beta, w, rt, alpha = beta[keep], w[keep], rt[keep], alpha[keep]
    return {
        "params": out_params,
        "cov_robust": out_cov,
        "alpha": out_alpha,
        "scale": out_scale,
        "n_iter": out_iter,
        "status": out_status,
    }


def _finalize(
    fin: np.ndarray,
    idx: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    w: np.ndarray,
    rt: np.ndarray,
    alpha: np.ndarray,
    dw: _Design,
    family: str,
    exchangeable: bool,
    n: int,
    ddof: int,
    m1: np.ndarray,
    out_params: np.ndarray,
    out_cov: np.ndarray,
    out_alpha: np.ndarray,
    out_scale: np.ndarray,
    out_status: np.ndarray,
    bias_reduced: bool = False,
) -> None:
    """Sandwich covariance at the final estimates (statsmodels ``GEE._covmat``,
    or ``GEE._bc_covmat`` when ``bias_reduced``)."""
    d = dw.take(fin)
    w, rt, a = w[fin], rt[fin], alpha[fin]
    bmat = d.gram(w * w)
    wr = w * rt
    if exchangeable:
        s = d.segsum_x(w)
        t = d.segsum(rt)
        inv1 = 1.0 / (1.0 - a)
        cc = (a * inv1)[:, None] / (1.0 + a[:, None] * m1)
        sc = s * cc[:, :, None]
        bmat = bmat * inv1[:, None, None] - np.matmul(sc.transpose(0, 2, 1), s)
        u = d.segsum_x(wr) * inv1[:, None, None] - sc * t[:, :, None]  # (R, C, p)
    else:
        u = d.segsum_x(wr)
    try:
        bmati = np.linalg.inv(bmat)
        ok = np.ones(len(fin), dtype=bool)
    except np.linalg.LinAlgError:
        bmati = np.full_like(bmat, np.nan)
        ok = np.zeros(len(fin), dtype=bool)
        for i in range(len(fin)):
            try:
                bmati[i] = np.linalg.inv(bmat[i])
                ok[i] = True
            except np.linalg.LinAlgError:
                pass
    if bias_reduced:
        # Mancl & DeRouen (2001): u_i = D_i' V_i^-1 (I - H_ii)^-1 e_i with
        # H_ii = D_i B^-1 D_i' V_i^-1. By the Woodbury identity this is
        # (I_p - B_i B^-1)^-1 u_i, B_i = D_i' V_i^-1 D_i the cluster's share of B,
        # so only p x p systems per cluster are solved.
        b_i = d.segsum_gram(w * w)  # (R, C, p, p)
        if exchangeable:
            b_i = b_i * inv1[:, None, None, None] - cc[:, :, None, None] * (
                s[:, :, :, None] * s[:, :, None, :]
            )
        lev = np.eye(b_i.shape[-1]) - np.matmul(b_i, np.nan_to_num(bmati)[:, None, :, :])
        ok &= np.linalg.cond(lev).max(axis=1) < LEVERAGE_COND
        try:
            u = np.linalg.solve(lev, u[..., None])[..., 0]
        except np.linalg.LinAlgError:
            fixed = np.full_like(u, np.nan)
            for i in range(len(fin)):
                try:
                    fixed[i] = np.linalg.solve(lev[i], u[i][..., None])[..., 0]
                except np.linalg.LinAlgError:
                    ok[i] = False  # a cluster with leverage 1
            u = fixed
    cmat = np.matmul(u.transpose(0, 2, 1), u)
    cov = bmati @ cmat @ bmati
    ok &= np.all(np.isfinite(cov), axis=(1, 2)) & np.all(np.isfinite(beta[fin]), axis=1)
    ok &= np.all(np.diagonal(cov, axis1=1, axis2=2) >= 0, axis=1)
    rows = idx[fin]
    out_status[rows] = np.where(ok, "converged", "singular")
    good = rows[ok]
    out_params[good] = beta[fin][ok]
    out_cov[good] = cov[ok]
    out_alpha[good] = a[ok] if exchangeable else np.nan
    if family == "gaussian":
        out_scale[good] = np.sum(rt[ok] ** 2, axis=1) / (n - ddof)
    else:
        out_scale[good] = 1.0


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
    Xs = X[order] if X.ndim == 2 else X[:, order]
    shared = _Design(np.ascontiguousarray(Xs), starts) if X.ndim == 2 else None

    parts: list[dict[str, np.ndarray]] = []
    with np.errstate(all="ignore"):
        for lo in range(0, r, chunk_size):
            hi = min(r, lo + chunk_size)
            design = shared if shared is not None else _Design(Xs[lo:hi], starts)
            yc = y[lo:hi][:, order]
            parts.append(
                _fit_chunk(
                    yc,
                    design,
                    sizes,
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

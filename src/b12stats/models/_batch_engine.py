"""The batched GEE iterations: array operations over a (replicates, observations) block.

:func:`b12stats.models.batch.fit_gee_batch` checks the input, sorts it by
cluster, cuts the replicates into chunks and calls :func:`_fit_chunk` on each;
everything here is the numerical engine behind it.
"""

from __future__ import annotations

import numpy as np
from scipy import special

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
_EPS = float(np.finfo(float).eps)


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

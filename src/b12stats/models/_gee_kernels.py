"""Compiled (numba) kernels of the batched GEE engine: one replicate at a time.

Each kernel loops over the replicates of a chunk and runs the whole iteration
of one replicate in compiled code, so there is no per-iteration Python
overhead, no mask over finished replicates and no copy of the active ones.
Observations are sorted by cluster (``starts``), so every cluster sum is a
contiguous run. Sums over observations run in index order and every
replicate is computed on its own, so the results do not depend on the chunk
size or on how many replicates are fitted together.

Compiled with ``cache=True`` (the machine code is kept beside this file
and reused by later processes), without ``fastmath`` or ``parallel``: the
floating-point operations are exactly those written here. ``error_model=
"numpy"``: a division by zero gives inf or NaN as in numpy (caught by the
status checks), not an exception.

This module imports numba; :mod:`b12stats.models._batch_engine` imports it
only when a model is fitted, so commands that fit no GEE never load numba.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Status codes returned by the kernels (index into :data:`STATUS_NAMES`).
CONVERGED, MAXITER, SEPARATION, DIVERGED, SINGULAR, NONFINITE, STARTED = range(7)
STATUS_NAMES = ("converged", "maxiter", "separation", "diverged", "singular", "nonfinite", "")

_EPS = float(np.finfo(float).eps)
_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def _lu(a: np.ndarray, piv: np.ndarray) -> bool:
    """In-place LU factorisation with partial pivoting (as LAPACK ``getrf``).

    Returns False when a pivot is exactly zero (LAPACK's ``info > 0``: the
    matrix is singular and :func:`numpy.linalg.solve` raises).
    """
    p = a.shape[0]
    ok = True
    for k in range(p):
        best, arg = abs(a[k, k]), k
        for i in range(k + 1, p):
            v = abs(a[i, k])
            if v > best:
                best, arg = v, i
        piv[k] = arg
        if arg != k:
            for j in range(p):
                tmp = a[k, j]
                a[k, j] = a[arg, j]
                a[arg, j] = tmp
        if a[k, k] == 0.0:
            ok = False
            continue
        inv = 1.0 / a[k, k]
        for i in range(k + 1, p):
            a[i, k] *= inv
            f = a[i, k]
            if f != 0.0:
                for j in range(k + 1, p):
                    a[i, j] -= f * a[k, j]
    return ok


@_jit
def _lu_solve(lu: np.ndarray, piv: np.ndarray, b: np.ndarray) -> None:
    """Solve ``A x = b`` in place from :func:`_lu`'s factors."""
    p = lu.shape[0]
    for k in range(p):
        j = piv[k]
        if j != k:
            tmp = b[k]
            b[k] = b[j]
            b[j] = tmp
    for i in range(p):
        acc = b[i]
        for j in range(i):
            acc -= lu[i, j] * b[j]
        b[i] = acc
    for i in range(p - 1, -1, -1):
        acc = b[i]
        for j in range(i + 1, p):
            acc -= lu[i, j] * b[j]
        b[i] = acc / lu[i, i]


@_jit
def _solve(a: np.ndarray, b: np.ndarray, work: np.ndarray, piv: np.ndarray, x: np.ndarray) -> bool:
    """x = a^-1 b (a is not changed); False (x NaN) when a is singular."""
    work[:, :] = a
    x[:] = b
    if not _lu(work, piv):
        x[:] = np.nan
        return False
    _lu_solve(work, piv, x)
    return True


@_jit
def _inverse(a: np.ndarray, work: np.ndarray, piv: np.ndarray, out: np.ndarray) -> bool:
    """out = a^-1 by LU; False (out NaN) when a is singular."""
    p = a.shape[0]
    work[:, :] = a
    if not _lu(work, piv):
        out[:, :] = np.nan
        return False
    col = np.empty(p)
    for j in range(p):
        col[:] = 0.0
        col[j] = 1.0
        _lu_solve(work, piv, col)
        out[:, j] = col
    return True


@_jit
def _linpred(xt: np.ndarray, beta: np.ndarray, eta: np.ndarray) -> None:
    """eta = X beta from the transposed design xt (p, N)."""
    p, n = xt.shape
    eta[:] = 0.0
    for j in range(p):
        bj = beta[j]
        for i in range(n):
            eta[i] += bj * xt[j, i]


@_jit
def _dot(a: np.ndarray, b: np.ndarray, lo: int, hi: int) -> float:
    """sum_{i=lo}^{hi-1} a_i b_i with eight interleaved partial sums (vectorisable
    without reassociation; a fixed order, so the result does not depend on the batch)."""
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    m = lo + (hi - lo) // 8 * 8
    for i in range(lo, m, 8):
        a0 += a[i] * b[i]
        a1 += a[i + 1] * b[i + 1]
        a2 += a[i + 2] * b[i + 2]
        a3 += a[i + 3] * b[i + 3]
        a4 += a[i + 4] * b[i + 4]
        a5 += a[i + 5] * b[i + 5]
        a6 += a[i + 6] * b[i + 6]
        a7 += a[i + 7] * b[i + 7]
    rest = 0.0
    for i in range(m, hi):
        rest += a[i] * b[i]
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + rest


@_jit
def _expit(v: float) -> float:
    """Logistic function as :func:`scipy.special.expit`."""
    return 1.0 / (1.0 + math.exp(-v))


@_jit
def _binary_variance(mu: float) -> float:
    """mu (1 - mu) with mu clipped to [eps, 1 - eps], as statsmodels' ``Binomial``."""
    m = min(max(mu, _EPS), 1.0 - _EPS)
    return m * (1.0 - m)


#: Factors multiplied before one logarithm in :func:`_deviance`: each is at least
#: eps = 2.2e-16, so a product of 16 stays above 1e-250 (no underflow).
_LOG_BLOCK = 16


@_jit
def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """-2 log-likelihood for 0/1 y, as statsmodels' ``Binomial.deviance``.

    The log of each block of :data:`_LOG_BLOCK` clipped probabilities is taken
    of their product (one logarithm instead of sixteen; the rounding differs
    from a sum of logarithms by about 1e-16 relative, far below the IRLS
    deviance tolerance of 1e-8).
    """
    acc = 0.0
    prod = 1.0
    for i in range(y.shape[0]):
        m = mu[i] if y[i] > 0.5 else 1.0 - mu[i]
        prod *= max(m, _EPS)
        if i % _LOG_BLOCK == _LOG_BLOCK - 1:
            acc += math.log(prod)
            prod = 1.0
    return -2.0 * (acc + math.log(prod))


@_jit
def _wgram(xt: np.ndarray, w2: np.ndarray, g: np.ndarray, wx: np.ndarray) -> None:
    """g = sum_n w2_n x_n x_n' from xt (p, N), by one BLAS product; wx is work (p, N)."""
    p, n = xt.shape
    for j in range(p):
        for i in range(n):
            wx[j, i] = w2[i] * xt[j, i]
    np.dot(wx, xt.T, g)


@_jit
def _gram(
    xt: np.ndarray, w2: np.ndarray, v: np.ndarray, g: np.ndarray, b: np.ndarray, wx: np.ndarray
) -> None:
    """g = sum_n w2_n x_n x_n' and b = sum_n v_n x_n, from xt (p, N); wx is work (p, N)."""
    p, n = xt.shape
    _wgram(xt, w2, g, wx)
    for j in range(p):
        b[j] = _dot(v, xt[j], 0, n)


@_jit
def _all_finite(v: np.ndarray) -> bool:
    """Whether every element is finite (a loop: numba compiles no generator in all())."""
    for i in range(v.size):  # noqa: SIM110
        if not math.isfinite(v.flat[i]):
            return False
    return True


@_jit
def glm_start(
    y: np.ndarray,
    X: np.ndarray,
    binomial: bool,
    max_iter: int,
    tol: float,
    separation_linpred: float,
):
    """GLM (independence) estimates as statsmodels ``GLM(...).fit()``, per replicate.

    Gaussian: least squares. Binomial: IRLS from ``mu = (y + 0.5) / 2`` until
    the deviance changes by at most ``tol`` (at most ``max_iter`` iterations).
    Returns ``(beta (R, p), status (R,), extreme (R,))``: status ``STARTED``
    where fine, else ``SINGULAR`` or ``NONFINITE``; ``extreme`` (binomial)
    where some ``|x'beta|`` exceeds ``separation_linpred`` or is not finite.
    """
    r_count, n = y.shape
    p = X.shape[1]
    shared = X.shape[0] == 1
    beta = np.zeros((r_count, p))
    status = np.full(r_count, STARTED, dtype=np.int8)
    extreme = np.zeros(r_count, dtype=np.bool_)
    g = np.empty((p, p))
    work = np.empty((p, p))
    piv = np.empty(p, dtype=np.int64)
    rhs = np.empty(p)
    b = np.empty(p)
    ones = np.ones(n)
    mu = np.empty(n)
    eta = np.empty(n)
    v = np.empty(n)
    vz = np.empty(n)
    wx = np.empty((p, n))
    for r in range(r_count):
        x = X[0] if shared else X[r]
        yr = y[r]
        if not binomial:
            _gram(x, ones, yr, g, rhs, wx)
            if not _solve(g, rhs, work, piv, b):
                status[r] = SINGULAR
            beta[r] = b
            continue
        for i in range(n):
            mu[i] = (yr[i] + 0.5) / 2.0
            eta[i] = math.log(mu[i] / (1.0 - mu[i]))
        dev = _deviance(yr, mu)
        for _ in range(max_iter):
            for i in range(n):
                vi = _binary_variance(mu[i])
                v[i] = vi
                vz[i] = vi * (eta[i] + (yr[i] - mu[i]) / vi)
            _gram(x, v, vz, g, rhs, wx)
            solved = _solve(g, rhs, work, piv, b)
            _linpred(x, b, eta)
            for i in range(n):
                mu[i] = _expit(eta[i])
            dev_new = _deviance(yr, mu)
            good = solved and math.isfinite(dev_new) and _all_finite(b)
            beta[r] = b
            if not good:
                status[r] = NONFINITE if solved else SINGULAR
                break
            if abs(dev_new - dev) <= tol:
                break
            dev = dev_new
        _linpred(x, beta[r], eta)
        for i in range(n):
            if not abs(eta[i]) <= separation_linpred:
                extreme[r] = True
                break
    return beta, status, extreme


@_jit
def _cluster_totals(v: np.ndarray, starts: np.ndarray, out: np.ndarray) -> None:
    """out[c] = sum of v over cluster c (rows starts[c] to starts[c + 1] - 1)."""
    n_c = starts.shape[0]
    for c in range(n_c):
        hi = starts[c + 1] if c + 1 < n_c else v.shape[0]
        acc = 0.0
        for i in range(starts[c], hi):
            acc += v[i]
        out[c] = acc


@_jit
def _assemble(xt, w, rt, alpha, exchangeable, starts, m1, fresh, bufs):
    """B = sum_i D_i' V_i^-1 D_i (into g) and sum_i D_i' V_i^-1 r_i (into score).

    With the exchangeable correlation, R_i^-1 = {I - c_i 1 1'} / (1 - alpha),
    c_i = alpha / (1 + alpha (m_i - 1)). wxp (p, N) gets w x, g_raw (p, p)
    sum_n w_n^2 x_n x_n' and s (C, p) the cluster sums of w x, recomputed only
    when ``fresh`` (the Gaussian weights are constant: they are kept from the
    first call); t (C,) gets the cluster sums of rt, wr_s (C, p) those of
    w rt x, cc (C,) the c_i / (1 - alpha). ``bufs`` holds these arrays:
    ``(g_raw, g, score, s, t, wr_s, cc, wxp)``.
    """
    g_raw, g, score, s, t, wr_s, cc, wxp = bufs
    p, n = xt.shape
    n_c = starts.shape[0]
    if fresh:
        for j in range(p):
            for i in range(n):
                wxp[j, i] = w[i] * xt[j, i]
        np.dot(wxp, wxp.T, g_raw)  # sum_n (w_n x_n)(w_n x_n)'
    score[:] = 0.0
    _cluster_totals(rt, starts, t)
    # one pass over each cluster's observations for all p columns (the sums run
    # over the cluster in index order, as a sum per column would)
    for c in range(n_c):
        lo = starts[c]
        hi = starts[c + 1] if c + 1 < n_c else n
        if fresh:
            for j in range(p):
                wr_s[c, j] = 0.0
                s[c, j] = 0.0
            for i in range(lo, hi):
                ri = rt[i]
                for j in range(p):
                    v = wxp[j, i]
                    wr_s[c, j] += ri * v
                    s[c, j] += v
        else:
            for j in range(p):
                acc = 0.0
                for i in range(lo, hi):
                    acc += rt[i] * wxp[j, i]
                wr_s[c, j] = acc
        for j in range(p):
            score[j] += wr_s[c, j]
    g[:, :] = g_raw
    if not exchangeable:
        return
    inv1 = 1.0 / (1.0 - alpha)
    for j in range(p):
        score[j] *= inv1
        for k in range(p):
            g[j, k] *= inv1
    for c in range(n_c):
        cc[c] = alpha * inv1 / (1.0 + alpha * m1[c])
        for j in range(p):
            scj = s[c, j] * cc[c]
            score[j] -= scj * t[c]
            for k in range(j + 1):
                g[j, k] -= scj * s[c, k]
    for j in range(p):
        for k in range(j):
            g[k, j] = g[j, k]


@_jit
def _moments(binomial, yr, eta, w, rt):
    """w = (dmu/deta) / sd(mu) and Pearson residuals rt = (y - mu) / sd(mu)."""
    for i in range(yr.shape[0]):
        if binomial:
            mu = _expit(eta[i])
            sd = math.sqrt(_binary_variance(mu))
            w[i] = sd  # logit: dmu/deta = mu (1 - mu) = sd^2
            rt[i] = (yr[i] - mu) / sd
        else:
            w[i] = 1.0
            rt[i] = yr[i] - eta[i]


@_jit
def _matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a b for small square matrices."""
    p = a.shape[0]
    for i in range(p):
        for j in range(p):
            acc = 0.0
            for k in range(p):
                acc += a[i, k] * b[k, j]
            out[i, j] = acc


@_jit
def _cond2(a: np.ndarray) -> float:
    """2-norm condition number (as :func:`numpy.linalg.cond`); inf if not finite."""
    if not _all_finite(a):
        return np.inf
    sv = np.linalg.svd(a)[1]
    return sv[0] / sv[-1]


@_jit
def gee_fit(
    y,
    X,
    starts,
    beta0,
    run,
    binomial,
    exchangeable,
    maxiter,
    tol,
    ddof,
    bias_reduced,
    diverged_linpred,
    leverage_cond,
):
    """The GEE iteration and sandwich of every replicate with ``run[r]``.

    Mirrors statsmodels ``GEE.fit``: start from ``beta0`` with alpha = 0;
    each iteration computes the estimating function at the current estimates,
    takes the Fisher-scoring step, then (exchangeable) the moment update of
    alpha; stop when the norm of the estimating function computed before the
    step is below ``tol`` (from the second iteration on). Returns
    ``(params, cov, alpha, scale, n_iter, status)``; replicates that do not
    converge keep NaN estimates.
    """
    r_count, n = y.shape
    p = X.shape[1]
    shared = X.shape[0] == 1
    n_c = starts.shape[0]
    m1 = np.empty(n_c)
    n_pairs = 0.0
    for c in range(n_c):
        size = (starts[c + 1] if c + 1 < n_c else n) - starts[c]
        m1[c] = size - 1.0
        n_pairs += size * (size - 1.0) / 2.0
    params = np.full((r_count, p), np.nan)
    cov_out = np.full((r_count, p, p), np.nan)
    alpha_out = np.full(r_count, np.nan)
    scale_out = np.full(r_count, np.nan)
    n_iter = np.zeros(r_count, dtype=np.int64)
    status = np.full(r_count, MAXITER, dtype=np.int8)

    beta = np.empty(p)
    eta = np.empty(n)
    w = np.empty(n)
    rt = np.empty(n)
    wxp = np.empty((p, n))
    g = np.empty((p, p))
    g_raw = np.empty((p, p))
    score = np.empty(p)
    upd = np.empty(p)
    work = np.empty((p, p))
    piv = np.empty(p, dtype=np.int64)
    s = np.empty((n_c, p))
    wr_s = np.empty((n_c, p))
    t = np.empty(n_c)
    cc = np.zeros(n_c)
    binv = np.empty((p, p))
    u = np.empty((n_c, p))
    cmat = np.empty((p, p))
    tmp = np.empty((p, p))
    cov = np.empty((p, p))
    bi = np.empty((p, p))
    lev = np.empty((p, p))
    ui = np.empty(p)
    eye = np.eye(p)
    bufs = (g_raw, g, score, s, t, wr_s, cc, wxp)
    for r in range(r_count):
        if not run[r]:
            continue
        x = X[0] if shared else X[r]
        yr = y[r]
        beta[:] = beta0[r]
        _linpred(x, beta, eta)
        _moments(binomial, yr, eta, w, rt)
        alpha = 0.0
        for itr in range(maxiter):
            _assemble(x, w, rt, alpha, exchangeable, starts, m1, binomial or itr == 0, bufs)
            good = _solve(g, score, work, piv, upd)
            del_params = 0.0
            for j in range(p):
                beta[j] += upd[j]
                del_params += score[j] * score[j]
            del_params = math.sqrt(del_params)
            _linpred(x, beta, eta)
            _moments(binomial, yr, eta, w, rt)
            n_iter[r] = itr + 1
            bad = not good or not _all_finite(beta) or not math.isfinite(del_params)
            status_bad = NONFINITE if good else SINGULAR
            if binomial:
                big = 0.0
                for i in range(n):
                    big = max(big, abs(eta[i]))
                if big > diverged_linpred:
                    status_bad = DIVERGED
                    bad = True
            done = del_params < tol and itr >= 1 and not bad
            if done:
                # the sandwich at the final estimates, with the current alpha
                _assemble(x, w, rt, alpha, exchangeable, starts, m1, binomial, bufs)
                ok = _inverse(g, work, piv, binv)
                inv1 = 1.0 / (1.0 - alpha) if exchangeable else 1.0
                for c in range(n_c):
                    for j in range(p):
                        if exchangeable:
                            u[c, j] = wr_s[c, j] * inv1 - s[c, j] * cc[c] * t[c]
                        else:
                            u[c, j] = wr_s[c, j]
                if bias_reduced and ok:
                    # Mancl & DeRouen: u_i <- (I_p - B_i B^-1)^-1 u_i, B_i the
                    # cluster's share of B (Woodbury identity)
                    for c in range(n_c):
                        lo = starts[c]
                        hi = starts[c + 1] if c + 1 < n_c else n
                        bi[:, :] = 0.0
                        for i in range(lo, hi):
                            w2 = w[i] * w[i]
                            for j in range(p):
                                a = w2 * x[j, i]
                                for k in range(p):
                                    bi[j, k] += a * x[k, i]
                        if exchangeable:
                            for j in range(p):
                                for k in range(p):
                                    bi[j, k] = bi[j, k] * inv1 - cc[c] * (s[c, j] * s[c, k])
                        _matmul(bi, binv, lev)
                        for j in range(p):
                            for k in range(p):
                                lev[j, k] = eye[j, k] - lev[j, k]
                        if not _cond2(lev) < leverage_cond:
                            ok = False
                            break
                        if not _solve(lev, u[c], work, piv, ui):
                            ok = False
                            break
                        u[c, :] = ui
                if ok:
                    cmat[:, :] = 0.0
                    for c in range(n_c):
                        for j in range(p):
                            for k in range(p):
                                cmat[j, k] += u[c, j] * u[c, k]
                    _matmul(binv, cmat, tmp)
                    _matmul(tmp, binv, cov)
                    ok = _all_finite(cov) and _all_finite(beta)
                    for j in range(p):
                        if not cov[j, j] >= 0.0:
                            ok = False
                if ok:
                    status[r] = CONVERGED
                    params[r] = beta
                    cov_out[r] = cov
                    alpha_out[r] = alpha if exchangeable else np.nan
                    if binomial:
                        scale_out[r] = 1.0
                    else:
                        ssr = 0.0
                        for i in range(n):
                            ssr += rt[i] * rt[i]
                        scale_out[r] = ssr / (n - ddof)
                else:
                    status[r] = SINGULAR
                break
            if bad:
                status[r] = status_bad
                break
            if exchangeable:
                # Exchangeable.update at the new estimates: both denominators
                # subtract ddof_scale
                ssr = 0.0
                for i in range(n):
                    ssr += rt[i] * rt[i]
                scale = ssr / (n - ddof)
                _cluster_totals(rt, starts, t)
                tt = 0.0
                for c in range(n_c):
                    tt += t[c] * t[c]
                alpha = (tt - ssr) / 2.0 / scale / (n_pairs - ddof)
                if not math.isfinite(alpha):
                    status[r] = NONFINITE
                    break
    return params, cov_out, alpha_out, scale_out, n_iter, status

"""Batched GEE engine against a statsmodels GEE loop, on a Kenya-like design.

Design: 286 mother-infant dyads in ~60 clusters of unequal size, logistic model
(infant B12 deficiency) on intercept + breast-milk B12 + 4 covariates (maternal
age, parity >= 2, infant age, infant sex), exchangeable working correlation,
shared cluster random effects so the replicates have real within-cluster
correlation. The design (X, groups) is fixed; each replicate redraws y.

Modes
-----
``speed`` (default)
    Times ``sm.GEE(...).fit()`` over ``--n-sm`` replicates and
    :func:`b12stats.batch_gee.fit_gee_batch` over ``--n-batch`` replicates in the
    same process, checks the two agree on the shared replicates, and prints
    fits/second for each and their ratio.
``memory``
    Fits ``--n-mem`` replicates (default 10,000) in a fresh subprocess and prints
    its time, the subprocess's peak resident memory (``ru_maxrss``) and, from a
    second pass under tracemalloc, the peak of the fit's own allocations.

Throughput is per process; numpy's BLAS may use more than one thread. For
per-core numbers run with ``OPENBLAS_NUM_THREADS=1`` (the script prints it).

Run::

    python benchmarks/bench_batch_gee.py                # speed
    python benchmarks/bench_batch_gee.py --mode memory  # peak memory
    python benchmarks/bench_batch_gee.py --mode all
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np

N_DYADS = 286
N_CLUSTERS = 60
TERMS = ("const", "milk_b12", "maternal_age", "parity2", "infant_age", "infant_male")
BETA = np.array([-0.9, -0.45, 0.02, 0.25, 0.08, 0.1])
SIGMA_CLUSTER = 0.6  # SD of cluster random intercepts (logit scale)


def kenya_like_design(seed: int = 2018) -> tuple[np.ndarray, np.ndarray]:
    """Fixed design: X (286, 6) and cluster labels with unequal cluster sizes."""
    rng = np.random.default_rng(seed)
    # unequal sizes: every cluster has at least 1 dyad, the rest spread unevenly
    weights = rng.gamma(2.0, size=N_CLUSTERS)
    sizes = 1 + rng.multinomial(N_DYADS - N_CLUSTERS, weights / weights.sum())
    groups = np.repeat(np.arange(N_CLUSTERS), sizes)
    rng.shuffle(groups)
    n = N_DYADS
    milk = rng.normal(0.0, 1.0, n)  # standardised log milk B12
    age = rng.normal(26.0, 6.0, n) - 26.0
    parity2 = (rng.random(n) < 0.6).astype(float)
    infant_age = rng.uniform(1.0, 6.0, n) - 3.5
    male = (rng.random(n) < 0.5).astype(float)
    X = np.column_stack([np.ones(n), milk, age, parity2, infant_age, male])
    return X, groups


def simulate_y(X: np.ndarray, groups: np.ndarray, n_rep: int, seed: int) -> np.ndarray:
    """Binary outcomes (n_rep, N) from a random-intercept logistic model."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0.0, SIGMA_CLUSTER, size=(n_rep, groups.max() + 1))[:, groups]
    eta = X @ BETA + u
    return (rng.random(eta.shape) < 1.0 / (1.0 + np.exp(-eta))).astype(float)


def time_statsmodels(y: np.ndarray, X: np.ndarray, groups: np.ndarray) -> tuple[float, list]:
    import statsmodels.api as sm

    fits = []
    t0 = time.perf_counter()
    for r in range(y.shape[0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = sm.GEE(
                y[r],
                X,
                groups,
                family=sm.families.Binomial(),
                cov_struct=sm.cov_struct.Exchangeable(),
            )
            fits.append(model.fit())
    return time.perf_counter() - t0, fits


def run_speed(args: argparse.Namespace) -> None:
    from b12stats.batch_gee import fit_gee_batch

    X, groups = kenya_like_design()
    y = simulate_y(X, groups, max(args.n_batch, args.n_sm), seed=args.seed)
    sizes = np.bincount(groups)
    threads = {k: os.environ.get(k, "unset") for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {threads}")
    print(
        f"design: N={X.shape[0]} dyads, {sizes.size} clusters (sizes {sizes.min()}-"
        f"{sizes.max()}), p={X.shape[1]}, binomial-logit, exchangeable"
    )
    # warm-up (imports, BLAS initialisation) outside the timing
    fit_gee_batch(y[:10], X, groups, family="binomial")
    time_statsmodels(y[:2], X, groups)

    t_sm, fits = time_statsmodels(y[: args.n_sm], X, groups)
    best = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = fit_gee_batch(y[: args.n_batch], X, groups, family="binomial")
        best = min(best, time.perf_counter() - t0)
    rate_sm = args.n_sm / t_sm
    rate_batch = args.n_batch / best

    ok = res.converged[: args.n_sm]
    sm_params = np.array([f.params for f in fits])[ok]
    sm_bse = np.array([f.bse for f in fits])[ok]
    rel_p = np.max(np.abs(res.params[: args.n_sm][ok] - sm_params) / np.abs(sm_params))
    rel_se = np.max(np.abs(res.bse[: args.n_sm][ok] - sm_bse) / sm_bse)

    print(f"statsmodels GEE loop : {args.n_sm:6d} fits in {t_sm:8.3f} s = {rate_sm:10.1f} fits/s")
    print(
        f"batched engine       : {args.n_batch:6d} fits in {best:8.3f} s = "
        f"{rate_batch:10.1f} fits/s (best of {args.repeat})"
    )
    print(f"speed-up ratio       : {rate_batch / rate_sm:.1f}x")
    print(
        f"converged            : {int(res.converged.sum())}/{args.n_batch} batched; "
        f"median iterations {np.median(res.n_iter):.0f}"
    )
    print(
        f"agreement on {int(ok.sum())} shared replicates: max rel diff params {rel_p:.2e}, "
        f"robust SE {rel_se:.2e}"
    )


def _memory_child(n_rep: int, seed: int, chunk_size: int | None) -> None:
    from b12stats.batch_gee import fit_gee_batch

    X, groups = kenya_like_design()
    y = simulate_y(X, groups, n_rep, seed=seed)
    rss_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    t0 = time.perf_counter()
    res = fit_gee_batch(y, X, groups, family="binomial", chunk_size=chunk_size)
    elapsed = time.perf_counter() - t0
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # second pass under tracemalloc (slower): peak of numpy allocations by the fit
    tracemalloc.start()
    fit_gee_batch(y, X, groups, family="binomial", chunk_size=chunk_size)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "n_rep": n_rep,
                "seconds": elapsed,
                "converged": int(res.converged.sum()),
                "tracemalloc_peak_mb": peak / 2**20,
                "maxrss_before_fit_mb": rss_before_kb / 1024,
                "maxrss_mb": maxrss_kb / 1024,
                "input_y_mb": y.nbytes / 2**20,
            }
        )
    )


def run_memory(args: argparse.Namespace) -> None:
    cmd = [sys.executable, __file__, "--mode", "_memory_child", "--n-mem", str(args.n_mem)]
    cmd += ["--seed", str(args.seed)]
    if args.chunk_size is not None:
        cmd += ["--chunk-size", str(args.chunk_size)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    info = json.loads(out.strip().splitlines()[-1])
    print(
        f"memory: {info['n_rep']} replicates of {N_DYADS} dyads in {info['seconds']:.2f} s "
        f"({info['n_rep'] / info['seconds']:.0f} fits/s), converged {info['converged']}"
    )
    print(
        f"peak RSS of the whole process: {info['maxrss_mb']:.0f} MB "
        f"(before the fit: {info['maxrss_before_fit_mb']:.0f} MB = python, numpy, scipy, "
        f"pandas imports + y {info['input_y_mb']:.0f} MB)"
    )
    print(f"tracemalloc peak of the fit's own allocations: {info['tracemalloc_peak_mb']:.0f} MB")
    print(f"peak RSS under 2 GB: {info['maxrss_mb'] < 2048}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mode", choices=["speed", "memory", "all", "_memory_child"], default="speed"
    )
    parser.add_argument("--n-sm", type=int, default=50, help="replicates for statsmodels")
    parser.add_argument("--n-batch", type=int, default=2000, help="replicates, batched")
    parser.add_argument("--n-mem", type=int, default=10_000, help="replicates, memory mode")
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="batched timings, best of")
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args()
    if args.mode == "_memory_child":
        _memory_child(args.n_mem, args.seed, args.chunk_size)
        return
    if args.mode in ("speed", "all"):
        run_speed(args)
    if args.mode in ("memory", "all"):
        run_memory(args)


if __name__ == "__main__":
    main()

"""Time simulated power per replicate: b12stats.power against a statsmodels GEE loop.

Design ``kenya`` (286 dyads in 60 clusters, latent milk-infant correlation 0.36,
ICC 0.05, five covariates) and the two power models, each with the exchangeable
working correlation and ``ddof_scale = b12stats.power.GEE_DDOF_SCALE``:

* ``trend``: logistic GEE of infant adequacy (> 220 pmol/L) on the milk-quartile
  score 0-3 plus the five covariates (power's default covariates for it);
* ``linear``: Gaussian GEE of log infant B12 on log milk B12 (no covariates,
  power's default).

For each model, in the same run and on one core:

* ``b12stats.power.power(..., workers=1)`` on a curve of ``--n-dyads`` (the
  clusters scaled to keep the design's 4.8 dyads per cluster), ``--reps``
  replicates per point, simulation included. The coverage target is given
  (``true_value``) so that only per-replicate work is timed: it is one large
  simulation per scenario, not a cost per replicate. The first call (numba
  compilation or cache load) is made before timing and reported apart.
* the obvious alternative, per replicate: simulate one cohort
  (``simulate_arrays(reps=1)``), cut the milk quartiles with ``pandas.qcut``
  (trend) and fit ``statsmodels`` ``GEE``, on ``--sm-reps`` replicates per point.

It prints the cost per replicate of both, their ratio (wall time, and CPU time:
steadier when other jobs share the machine), the target of issue 14
(300x trend, 500x linear) and whether it is met, and the largest difference
between the batched engine and statsmodels on the statsmodels loop's cohorts.
Per-core numbers need ``OPENBLAS_NUM_THREADS=1`` (set it in the shell); the
machine may be shared: the script prints the load average, run it twice.

Run::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_power.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_power.py --model trend --reps 300 --sm-reps 5
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

#: issue 14's targets: ratio statsmodels loop / b12stats.power per replicate
TARGETS = {"trend": 300.0, "linear": 500.0}


def _model_data(model: str, sim: object, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(y, X) of one simulated cohort, as the statsmodels loop builds them."""
    n = sim.n_dyads  # type: ignore[attr-defined]
    if model == "trend":
        q = pd.qcut(sim.milk_b12[0], 4, labels=False).astype(float)  # type: ignore[attr-defined]
        covs = [sim.covariates[k][0] for k in names]  # type: ignore[attr-defined]
        return sim.adequate[0].astype(float), np.column_stack([np.ones(n), q, *covs])  # type: ignore[attr-defined]
    x = np.log(sim.milk_b12[0])  # type: ignore[attr-defined]
    return np.log(sim.infant_b12[0]), np.column_stack([np.ones(n), x])  # type: ignore[attr-defined]


def statsmodels_loop(
    design: object, model: str, scenarios: list[tuple[int, int]], reps: int, seed: int
) -> tuple[float, float, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]:
    """Per replicate: simulate, (qcut,) sm.GEE fit. Returns (wall s, CPU s, data, estimates)."""
    import statsmodels.api as sm

    from b12stats import power as pw
    from b12stats.simulate import simulate_arrays

    names = [c.name for c in design.covariates] if model == "trend" else []  # type: ignore[attr-defined]
    family = sm.families.Binomial() if model == "trend" else sm.families.Gaussian()
    kept = []
    c0 = time.process_time()
    t0 = time.perf_counter()
    for n, c in scenarios:
        for r in range(reps):
            sim = simulate_arrays(
                design,
                n_dyads=n,
                n_clusters=c,
                reps=1,
                rng=np.random.SeedSequence([seed, n, r]),
            )
            y, X = _model_data(model, sim, names)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.GEE(
                    y,
                    X,
                    groups=sim.cluster,
                    family=family,
                    cov_struct=sm.cov_struct.Exchangeable(),
                ).fit(ddof_scale=pw.GEE_DDOF_SCALE)
            kept.append((y, X, sim.cluster, np.asarray(fit.params)))
    return time.perf_counter() - t0, time.process_time() - c0, kept


def bench_model(design: object, model: str, args: argparse.Namespace) -> None:
    from b12stats import power as pw
    from b12stats.models.batch import fit_gee_batch

    n_dyads = [int(v) for v in args.n_dyads.split(",")]
    kw = {
        "model": model,
        "cov_struct": "exchangeable",
        "true_value": 0.0,
        "workers": 1,
        "progress": False,
    }
    t0 = time.perf_counter()
    pw.power(design, n_dyads=n_dyads[0], reps=1, rng=0, **kw)
    t_first = time.perf_counter() - t0
    walls, cpus = [], []
    for _ in range(args.repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        tab = pw.power(design, n_dyads=n_dyads, reps=args.reps, rng=args.seed, **kw)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    n_rep = args.reps * len(n_dyads)
    per_b = min(walls) / n_rep
    scenarios = list(zip(tab["n_dyads"].tolist(), tab["n_clusters"].tolist(), strict=True))
    t_sm, cpu_sm, kept = statsmodels_loop(design, model, scenarios, args.sm_reps, args.seed)
    per_sm = t_sm / (args.sm_reps * len(scenarios))
    cpu_ratio = (cpu_sm / (args.sm_reps * len(scenarios))) / (min(cpus) / n_rep)

    # agreement: the batched engine on the statsmodels loop's own cohorts
    worst = 0.0
    for y, X, groups, est in kept:
        res = fit_gee_batch(
            y, X, groups, family="binomial" if model == "trend" else "gaussian",
            ddof_scale=pw.GEE_DDOF_SCALE,
        )  # fmt: skip
        if res.converged[0]:
            worst = max(worst, float(np.max(np.abs(res.params[0] - est) / np.abs(est))))
    ratio = per_sm / per_b
    print(f"\nmodel {model}: curve n_dyads {n_dyads}, {args.reps} replicates each")
    print(f"  first call (compile or cache load, imports): {t_first:.2f} s (not in the timings)")
    print(
        f"  b12stats.power workers=1: best {min(walls):.2f} s wall of {args.repeat} "
        f"(CPU {min(cpus):.2f} s) -> {1e6 * per_b:.1f} us per replicate, simulation included"
    )
    print(
        f"  statsmodels loop (simulate + {'qcut + ' if model == 'trend' else ''}sm.GEE fit): "
        f"{args.sm_reps} replicates/point in {t_sm:.2f} s (CPU {cpu_sm:.2f} s) -> "
        f"{1e3 * per_sm:.2f} ms per replicate"
    )
    print(
        f"  ratio {ratio:.0f}x wall, {cpu_ratio:.0f}x CPU; target {TARGETS[model]:.0f}x -> "
        f"{'met' if ratio >= TARGETS[model] else 'NOT met'} (wall)"
    )
    print(f"  max relative |batched - statsmodels| coefficient on those cohorts: {worst:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["trend", "linear", "both"], default="both")
    parser.add_argument("--n-dyads", default="100,150,200,286,400,500")
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--sm-reps", type=int, default=20, help="statsmodels replicates/point")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of b12stats (best)")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()

    from b12stats.simulate import get_design

    design = get_design("kenya")
    print(
        f"design kenya: {design.n_dyads} dyads / {design.n_clusters} clusters; cpus "
        f"{os.cpu_count()}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}; "
        f"load average {os.getloadavg()[0]:.1f} (shared machine: timings are noisy)"
    )
    for model in ("trend", "linear") if args.model == "both" else (args.model,):
        bench_model(design, model, args)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

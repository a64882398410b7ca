"""Time a simulated power curve: b12stats.power against a statsmodels GEE loop.

Design ``kenya`` (286 dyads in 60 clusters, latent milk-infant correlation 0.36,
ICC 0.05, five covariates), model ``trend``: logistic GEE of infant adequacy
(> 220 pmol/L) on the milk-quartile score 0-3 plus the five covariates,
exchangeable working correlation. A 6-point power curve (``--n-dyads``, the
clusters scaled to keep the design's 4.8 dyads per cluster) at ``--reps``
replicates per point, simulation included, timed end to end:

* ``power(..., workers=1)`` (inline) and ``power(..., workers=2)`` (process
  pool, its start-up included); the two tables must be identical;
* the obvious alternative: per replicate, simulate one cohort, cut the milk
  quartiles with ``pandas.qcut`` and fit ``statsmodels`` ``GEE`` (Binomial,
  Exchangeable) -- timed on ``--sm-reps`` replicates per point and
  extrapolated linearly to ``--reps`` (said in the output). The replicates
  are the first ones of the batched run (same seeds), and the script checks
  the estimates agree.

Wall time and CPU time (this process plus the worker processes) are printed:
when other jobs load the machine, two workers cannot show their speed-up in
wall time, while the CPU time shows the work done. The time of
:func:`b12stats.power.power` includes computing the coverage target
(one large simulation, once per process; reported separately). The machine may
be shared: timings are noisy, run it twice.

Run::

    python benchmarks/bench_power.py
    python benchmarks/bench_power.py --reps 200 --sm-reps 10   # quick
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np
import pandas as pd

SHOWN = [
    "n_dyads",
    "n_clusters",
    "power",
    "power_mcse",
    "mean_estimate",
    "empirical_sd",
    "mean_se",
    "coverage",
    "true_value",
    "nonconverged_share",
]


def _cpu_seconds() -> float:
    """CPU time of this process plus its finished child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def statsmodels_curve(
    design: object, scenarios: list[tuple[int, int]], reps: int, seed: int, chunk_size: int
) -> tuple[float, list[np.ndarray]]:
    """Loop: simulate one cohort, qcut, statsmodels GEE; return (seconds, estimates)."""
    import statsmodels.api as sm

    from b12stats import power as pw
    from b12stats.simulate import simulate_arrays

    names = [c.name for c in design.covariates]  # type: ignore[attr-defined]
    estimates = []
    t0 = time.perf_counter()
    for n, c in scenarios:
        # the same random stream as chunk 0 of b12stats.power (spawn key (n, c, 0))
        seq = np.random.SeedSequence(seed, spawn_key=(n, c, 0))
        sim = simulate_arrays(
            design, n_dyads=n, n_clusters=c, reps=chunk_size, rng=np.random.default_rng(seq)
        )
        est = []
        for r in range(reps):
            q = pd.qcut(sim.milk_b12[r], 4, labels=False).astype(float)
            X = np.column_stack([np.ones(n), q, *(sim.covariates[k][r] for k in names)])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.GEE(
                    sim.adequate[r].astype(float),
                    X,
                    groups=sim.cluster,
                    family=sm.families.Binomial(),
                    cov_struct=sm.cov_struct.Exchangeable(),
                ).fit(ddof_scale=pw.GEE_DDOF_SCALE)
            est.append(fit.params[1])
        estimates.append(np.array(est))
    return time.perf_counter() - t0, estimates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-dyads", default="100,150,200,286,400,500")
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--sm-reps", type=int, default=20, help="statsmodels replicates/point")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()

    from b12stats import power as pw
    from b12stats.simulate import get_design

    design = get_design("kenya")
    n_dyads = [int(v) for v in args.n_dyads.split(",")]
    print(
        f"design kenya: {design.n_dyads} dyads / {design.n_clusters} clusters; model trend "
        f"(logistic GEE, exchangeable, quartile score + {len(design.covariates)} covariates)"
    )
    print(
        f"curve: n_dyads {n_dyads}, {args.reps} replicates each; cpus {os.cpu_count()}; "
        f"load average {os.getloadavg()[0]:.1f} (shared machine: timings are noisy)"
    )

    # coverage target (large simulation), once per process; timed on its own
    t0 = time.perf_counter()
    pw.power(design, model="trend", n_dyads=n_dyads[0], reps=1, rng=0)
    t_target = time.perf_counter() - t0
    print(f"coverage target (large-sample limit, {pw.TRUE_VALUE_REPS} x "
          f"{pw.TRUE_VALUE_DYADS} dyads, cached): {t_target:.2f} s")  # fmt: skip

    timings = {}
    tables = {}
    for workers in (1, 2):
        c0 = _cpu_seconds()
        t0 = time.perf_counter()
        tables[workers] = pw.power(
            design, model="trend", n_dyads=n_dyads, reps=args.reps, rng=args.seed, workers=workers
        )
        timings[workers] = time.perf_counter() - t0
        cpu = _cpu_seconds() - c0
        print(
            f"b12stats.power workers={workers}: {timings[workers]:7.2f} s wall, "
            f"{cpu:6.2f} s CPU (this process + its worker processes)"
        )
    pd.testing.assert_frame_equal(tables[1], tables[2], check_exact=True)
    print("workers=1 and workers=2 tables identical: True")
    tab = tables[1]
    with pd.option_context("display.width", 200):
        print(tab[SHOWN].to_string(index=False, float_format=lambda v: f"{v:.4f}"))

    scenarios = list(zip(tab["n_dyads"].tolist(), tab["n_clusters"].tolist(), strict=True))
    t_sm, sm_est = statsmodels_curve(design, scenarios, args.sm_reps, args.seed, pw.CHUNK_SIZE)
    per_fit = t_sm / (args.sm_reps * len(scenarios))
    t_sm_full = per_fit * args.reps * len(scenarios)
    print(
        f"statsmodels GEE loop: {args.sm_reps} replicates/point in {t_sm:.2f} s "
        f"({1000 * per_fit:.1f} ms per replicate, simulation + qcut + fit); "
        f"EXTRAPOLATED to {args.reps}/point: {t_sm_full:.1f} s"
    )
    print(
        f"ratio statsmodels loop (extrapolated) / b12stats.power: "
        f"{t_sm_full / timings[1]:.1f}x (workers=1), {t_sm_full / timings[2]:.1f}x (workers=2)"
    )
    print(f"target < 15 s on 2 cores: workers=2 took {timings[2]:.2f} s -> {timings[2] < 15}")

    # agreement on the shared replicates (chunk 0, first sm-reps of each point)
    from b12stats.power import _Chunk, _run_chunk, _simulate_arrays

    worst = 0.0
    for (n, c), est_sm in zip(scenarios, sm_est, strict=True):
        task = _Chunk(
            design=design,
            model="trend",
            scale="log",
            covariates=tuple(x.name for x in design.covariates),
            cov_struct="exchangeable",
            n_dyads=n,
            n_clusters=c,
            reps=pw.CHUNK_SIZE,
            seed=args.seed,
            index=0,
            simulate=_simulate_arrays,
        )
        est_b, _, ok = _run_chunk(task)
        k = len(est_sm)
        sel = ok[:k]
        worst = max(worst, float(np.max(np.abs(est_b[:k][sel] - est_sm[sel]))))
    print(f"max |batched - statsmodels| trend estimate on shared replicates: {worst:.2e}")


if __name__ == "__main__":
    main()

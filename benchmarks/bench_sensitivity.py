"""Time a sensitivity grid: b12stats.power.sensitivity against a loop of power() calls.

Design ``kenya`` (286 dyads in 60 clusters), model ``--model`` (``trend``: the
logistic GEE of infant adequacy on the milk-quartile score plus five
covariates, exchangeable). The grid crosses ``icc_infant`` (5 values) with
``icc_milk`` (4 values) and ``--n-dyads`` (5 numbers, the design's 4.8 dyads
per cluster kept): 100 scenarios at ``--reps`` (1,000) replicates each, on
``--workers`` (2) processes, simulation and coverage targets included:

* ``sensitivity(...)``: every scenario and every coverage target through one
  executor run (one pool, one progress bar; the targets run in parallel);
* the obvious alternative: one ``power(design.replace(...), n_dyads=n, ...)``
  call per scenario, each with its own pool of the same size (the coverage
  targets cached in the process as ``power`` does, so each is simulated once in
  both runs: the cache is cleared before each run).

The two tables must be identical (the script checks). It prints wall and CPU
time (this process plus its workers), their ratio, the load average (the
machine may be shared: with other jobs running, two workers cannot show their
speed in wall time), and, timed inline on one chunk, the share of a
replicate's time spent in the GEE fit (:func:`b12stats.power._model.fit_tested`)
against the simulation, and the time of one coverage target.

Run::

    python benchmarks/bench_sensitivity.py                      # 100 x 1,000, 2 workers
    python benchmarks/bench_sensitivity.py --reps 200           # quick
    python benchmarks/bench_sensitivity.py --skip-loop          # the grid only
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

ICC_INFANT = (0.02, 0.05, 0.1, 0.15, 0.2)
ICC_MILK = (0.0, 0.02, 0.05, 0.1)


def _cpu_seconds() -> float:
    """CPU time of this process plus its finished child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), _cpu_seconds()
    out = fn()
    return out, time.perf_counter() - wall, _cpu_seconds() - cpu


def _gee_share(design, model: str, n: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(simulate s, fit s) of one chunk of 100 replicates, and one coverage target (s)."""
    from b12stats.power import _model
    from b12stats.power.spec import PowerSpec

    c = round(n * design.n_clusters / design.n_dyads)
    spec = PowerSpec(design, model=model).for_scenarios([(n, c)])
    sims, fits = [], []
    for seed in range(3):
        t0 = time.perf_counter()
        sim = _model._simulate_arrays(design, n_dyads=n, n_clusters=c, reps=100, rng=seed)
        t1 = time.perf_counter()
        _model.fit_tested(spec, sim)
        sims.append(t1 - t0)
        fits.append(time.perf_counter() - t1)
    _model._TRUE_CACHE.clear()
    t0 = time.perf_counter()
    _model._true_value(spec, n_dyads=n, n_clusters=c, simulate=_model._simulate_arrays)
    return float(np.median(sims)), float(np.median(fits)), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default="trend", choices=("trend", "linear"))
    ap.add_argument("--n-dyads", default="100,150,200,250,286")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-loop", action="store_true", help="time the grid only")
    ap.add_argument("--progress", action="store_true", help="show the grid's progress bar")
    args = ap.parse_args()

    from b12stats.power import _model, power, sensitivity
    from b12stats.simulate import get_design

    design = get_design("kenya")
    n_dyads = [int(v) for v in args.n_dyads.split(",")]
    vary = {"icc_infant": ICC_INFANT, "icc_milk": ICC_MILK}
    n_scen = len(ICC_INFANT) * len(ICC_MILK) * len(n_dyads)
    print(
        f"kenya, model {args.model}: {n_scen} scenarios x {args.reps} replicates, "
        f"{args.workers} workers; load average before: {os.getloadavg()[0]:.2f}"
    )

    def grid() -> pd.DataFrame:
        _model._TRUE_CACHE.clear()
        return sensitivity(
            design,
            vary=vary,
            n_dyads=n_dyads,
            reps=args.reps,
            model=args.model,
            rng=args.seed,
            workers=args.workers,
            progress=args.progress,
        ).table

    def loop() -> pd.DataFrame:
        _model._TRUE_CACHE.clear()
        parts = []
        for icc_i in ICC_INFANT:
            for icc_m in ICC_MILK:
                variant = design.replace(icc_infant=icc_i, icc_milk=icc_m)
                for n in n_dyads:
                    tab = power(
                        variant,
                        n_dyads=n,
                        reps=args.reps,
                        model=args.model,
                        rng=args.seed,
                        workers=args.workers,
                        progress=False,
                    )
                    parts.append(tab.assign(icc_infant=icc_i, icc_milk=icc_m))
        return pd.concat(parts, ignore_index=True)

    table, wall, cpu = _timed(grid)
    print(
        f"sensitivity(): wall {wall:6.1f} s  cpu {cpu:6.1f} s  "
        f"({1000 * wall / (n_scen * args.reps):.3f} ms per replicate wall); "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    if not args.skip_loop:
        ref, wall_l, cpu_l = _timed(loop)
        same = table[list(ref.columns)].to_csv(index=False) == ref.to_csv(index=False)
        print(
            f"loop of power(): wall {wall_l:6.1f} s  cpu {cpu_l:6.1f} s; "
            f"load average after: {os.getloadavg()[0]:.2f}"
        )
        print(f"ratio (loop / sensitivity) wall {wall_l / wall:.2f}x, cpu {cpu_l / cpu:.2f}x")
        print(f"tables identical: {same}")
    sim_s, fit_s, target_s = _gee_share(design, args.model, 200)
    sizes = {round(n / round(n * design.n_clusters / design.n_dyads), 1) for n in n_dyads}
    targets = 0 if args.model == "linear" else len(sizes) * len(ICC_INFANT) * len(ICC_MILK)
    print(f"coverage targets simulated: {targets} (cluster sizes {sorted(sizes)})")
    print(
        f"one chunk (100 replicates, 200 dyads, inline): simulate {1000 * sim_s:.0f} ms, "
        f"GEE fit {1000 * fit_s:.0f} ms: GEE {100 * fit_s / (sim_s + fit_s):.0f}% of a "
        f"replicate; one coverage target {target_s:.2f} s"
    )


if __name__ == "__main__":
    main()

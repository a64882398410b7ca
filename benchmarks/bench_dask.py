"""Time a power grid inline, on a process pool and on a dask LocalCluster.

Design ``kenya``, model ``trend`` (logistic GEE, exchangeable, quartile score +
covariates), ``--reps`` (1,000) replicates per scenario for each of
``--n-dyads`` (clusters scaled to keep the design's dyads per cluster), the
coverage target skipped (``true_value=nan``: computed once per process, it
would time the parent alone). Timed in the same run, round-robin over
``--repeat`` rounds (medians printed), every table checked identical to the
inline one:

* ``inline``: ``workers=1``;
* ``pool``: a ``ProcessPoolExecutor`` of ``--workers`` processes (started and
  warmed up before timing), one chunk per task (``chunks=1``) and with the
  default batching (``auto``);
* ``dask``: a ``distributed.LocalCluster`` of ``--workers`` single-thread
  worker processes (started and warmed up before timing), through
  ``Client.get_executor()``:

  - ``malloc as dask sets it``: the workers keep the
    ``MALLOC_TRIM_THRESHOLD_=65536`` their nanny gives them (b12stats' fix
    switched off in them: what main did), one chunk per task;
  - ``fixed``: the default -- each worker process restores glibc's adaptive
    malloc thresholds before its first chunk -- with one chunk per task and
    with the default batching.

Printed per variant: wall seconds (median), CPU seconds (median; the parent
plus the worker processes), minor page faults in the workers, and the ratios
against inline (CPU: the work; "net CPU": less what the idle dask cluster --
heartbeats, memory monitors, measured for 2 s in the same run -- burns over the
same wall time; wall: against inline / workers, the perfect split) and against
the pool (wall, same number of workers): the scheduling overhead of the
executor. The machine may be shared: read the load average
printed, run it twice. Set ``OPENBLAS_NUM_THREADS=1`` for per-core numbers
(dask's nanny sets it in its workers).

Run::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_dask.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_dask.py --n-dyads 40,60,80 --repeat 5
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import math
import os
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import psutil


def _minflt(pid: int) -> int:
    """Minor page faults of a process so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return 0
    return int(stat[stat.rindex(")") + 2 :].split()[7])


def _usage(pids: list[int]) -> tuple[float, int]:
    """CPU seconds of this process and ``pids``, and the page faults of ``pids``."""
    cpu = sum(psutil.Process().cpu_times()[:2])
    for pid in pids:
        cpu += sum(psutil.Process(pid).cpu_times()[:2])
    return cpu, sum(_minflt(pid) for pid in pids)


def _dask_malloc() -> None:
    """In a dask worker: malloc as its nanny left it (what main ran with).

    ``MALLOC_TRIM_THRESHOLD_=65536`` at start-up leaves glibc with a fixed mmap
    threshold of 128 kB (``DEFAULT_MMAP_THRESHOLD_MIN``) and a trim threshold
    of 64 kB; b12stats' fix is run (and so cached as done) first, then undone.
    """
    import ctypes

    from b12stats.power import executor

    executor._restore_malloc_thresholds()
    libc = ctypes.CDLL(None)
    libc.mallopt(executor._M_TRIM_THRESHOLD, 65536)
    libc.mallopt(executor._M_MMAP_THRESHOLD, 128 * 1024)


def _fixed_malloc() -> None:
    """In a dask worker: let the next batch apply b12stats' fix again (its real code path)."""
    from b12stats.power import executor

    executor._restore_malloc_thresholds.cache_clear()


def _malloc_env() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-dyads", default="100,150,200,286,400,500")
    parser.add_argument("--reps", type=int, default=1000, help="replicates per scenario")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()

    import distributed

    from b12stats import power as pw
    from b12stats.power import executor as px
    from b12stats.power import run as pr
    from b12stats.power.spec import PowerSpec, _scenarios
    from b12stats.simulate import get_design

    design = get_design("kenya")
    scenarios = _scenarios(design, [int(v) for v in args.n_dyads.split(",")], None)
    spec = PowerSpec(
        design, model="trend", reps=args.reps, chunk_size=pw.CHUNK_SIZE, true_value=math.nan
    ).for_scenarios(scenarios)
    n_chunks = len(scenarios) * math.ceil(args.reps / pw.CHUNK_SIZE)
    sizes = list(px._batch_sizes(n_chunks, args.workers))
    auto = "guided"
    print(
        f"design kenya, model trend; scenarios {scenarios} x {args.reps} replicates = "
        f"{n_chunks} chunks of {pw.CHUNK_SIZE}; workers {args.workers} (1 thread each); "
        f"default batching: {len(sizes)} tasks of {sizes} chunks; cpus {os.cpu_count()}; "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )

    def table(runner: Any) -> pd.DataFrame:
        return pr._power_table(spec, scenarios, args.seed, runner)

    with (
        cf.ProcessPoolExecutor(args.workers, mp_context=px._mp_context()) as pool,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # dask's shutdown chatter
        cluster = distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, dashboard_address=":0"
        )
        with cluster, distributed.Client(cluster) as client:
            dask_pids = list(client.run(os.getpid).values())
            env = sorted(set(client.run(_malloc_env).values()), key=str)
            print(f"dask workers' MALLOC_TRIM_THRESHOLD_: {env}")
            ex = client.get_executor()
            # name: (runner, whose CPU counts besides this process, setup in the dask workers)
            variants: dict[str, tuple[Callable[[], Any], str, Callable[[], None] | None]] = {
                "inline": (lambda: pw.Runner(), "none", None),
                "pool, chunks=1": (
                    lambda: pw.Runner(executor=pool, chunks_per_task=1),
                    "pool",
                    None,
                ),
                f"pool, auto ({auto})": (lambda: pw.Runner(executor=pool), "pool", None),
                "dask, malloc as dask sets it, chunks=1": (
                    lambda: pw.Runner(executor=ex, chunks_per_task=1),
                    "dask",
                    _dask_malloc,
                ),
                "dask, fixed, chunks=1": (
                    lambda: pw.Runner(executor=ex, chunks_per_task=1),
                    "dask",
                    _fixed_malloc,
                ),
                f"dask, fixed, auto ({auto})": (
                    lambda: pw.Runner(executor=ex),
                    "dask",
                    _fixed_malloc,
                ),
            }
            # warm up: imports and first-call caches in every worker
            warm = PowerSpec(design, model="trend", reps=40, chunk_size=10).for_scenarios(
                scenarios[:1]
            )
            for make, _, _ in variants.values():
                pr._power_table(warm, scenarios[:1], args.seed, make())
            pids = {"none": [], "pool": list(pool._processes), "dask": dask_pids}
            # what the cluster costs doing nothing (heartbeats, monitors), counted in dask's CPU
            cpu0, _ = _usage(dask_pids)
            time.sleep(2.0)
            idle = (_usage(dask_pids)[0] - cpu0) / 2.0

            loads = [os.getloadavg()[0]]
            walls: dict[str, list[float]] = {k: [] for k in variants}
            cpus: dict[str, list[float]] = {k: [] for k in variants}
            faults: dict[str, list[int]] = {k: [] for k in variants}
            reference = None
            for _ in range(args.repeat):
                for name, (make, where, setup) in variants.items():
                    if setup is not None:
                        client.run(setup)
                    cpu0, flt0 = _usage(pids[where])
                    t0 = time.perf_counter()
                    tab = table(make())
                    walls[name].append(time.perf_counter() - t0)
                    cpu1, flt1 = _usage(pids[where])
                    cpus[name].append(cpu1 - cpu0)
                    faults[name].append(flt1 - flt0)
                    if reference is None:
                        reference = tab
                    pd.testing.assert_frame_equal(reference, tab, check_exact=True)
                loads.append(os.getloadavg()[0])

    med = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    pool_wall = med["pool, chunks=1"]
    print(
        f"\nmedians of {args.repeat} rounds; load average (1 min) during the run: "
        f"{min(loads):.2f}-{max(loads):.2f}; all tables identical to inline: True; "
        f"the idle dask cluster costs {idle:.3f} CPU s per s (all its processes)"
    )
    print(
        f"{'variant':44s} {'wall s':>7s} {'CPU s':>7s} {'faults':>8s} "
        f"{'CPU/inline':>10s} {'net CPU/inline':>14s} {'wall/(inline/W)':>15s} {'wall/pool':>9s}"
    )
    ideal = med["inline"] / args.workers
    for name in variants:
        w = med[name]
        per = statistics.median(faults[name])
        ratio_pool = "" if name == "inline" else f"{w / pool_wall:9.2f}"
        ratio_ideal = "" if name == "inline" else f"{w / ideal:15.2f}"
        net = cpu[name] - (idle * w if name.startswith("dask") else 0.0)
        print(
            f"{name:44s} {w:7.2f} {cpu[name]:7.2f} {per:8.0f} "
            f"{cpu[name] / cpu['inline']:10.2f} {net / cpu['inline']:14.2f} "
            f"{ratio_ideal:>15s} {ratio_pool:>9s}"
        )
    before = med["dask, malloc as dask sets it, chunks=1"]
    after = med[f"dask, fixed, auto ({auto})"]
    print(
        f"\ndask scheduling overhead against the pool (wall): before "
        f"{100 * (before / pool_wall - 1):+.0f}%, after {100 * (after / pool_wall - 1):+.0f}%; "
        f"malloc fix alone: {before / med['dask, fixed, chunks=1']:.2f}x faster, CPU "
        f"{cpu['dask, malloc as dask sets it, chunks=1'] / cpu['dask, fixed, chunks=1']:.2f}x"
    )


if __name__ == "__main__":
    main()

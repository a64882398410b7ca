"""Wall and CPU time of ``b12stats report`` (default settings) against the previous path.

Each variant runs in a fresh subprocess (imports included, as a user sees it),
``--repeat`` times, in turn; the script prints the median wall time and the
median CPU time (user + system, the worker processes included) of each, and
their ratios to the previous path, measured in the same run:

``previous``
    the default as it was: the sections in forked processes, one per CPU in
    use, the power section computing its own coverage targets (three
    simulations of 40 cohorts of 10,000 dyads, one after the other) and every
    worker importing pyplot, loading the bundled tables and the GEE engine's
    compiled kernels again;
``serial``
    the sections one after the other in one process (``workers=1``);
``default``
    what ``b12stats report`` does: the coverage targets are jobs of their own,
    run beside the other sections, their results passed to the power section;
    pyplot, the tables and the GEE kernels loaded once before forking;
    ``savefig`` without the layout pass that ``tight_layout``'s placeholder
    engine asked for (the same PNG bytes).

It checks that the three pages agree but for the embedded PNGs and the
date/run-time line, and prints where the CPU goes: each job and section run
one after the other in this process, with the seconds spent in the batched
GEE engine (``b12stats.models.batch.fit_gee_batch``) and in statsmodels' GEE
(the simulated cohort's two fits, its statsmodels import included), and in
making and drawing the figures.

Run::

    python benchmarks/bench_report.py             # one run of each
    python benchmarks/bench_report.py --repeat 3  # medians of three
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PREVIOUS = """
import base64, io, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from b12stats.report import build, sections

def laid_out_again(fig):  # savefig lays out again for tight_layout's placeholder engine
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=build.EMBED_DPI)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")

build._fig_to_base64 = laid_out_again

plan = sections.plan

def previous_plan(**kwargs):  # no jobs: the power section computes its coverage targets
    return [sections.Planned(p.key, p.title, p.fn) for p in plan(**kwargs)]

build._sec.plan = previous_plan
build._warm = lambda *args: None  # each worker loads pyplot, tables, GEE kernels itself
build.build_report(sys.argv[1])
"""

_SERIAL = """
import sys
import matplotlib
matplotlib.use("Agg")
from b12stats.report import build_report
build_report(sys.argv[1], workers=1)
"""

_BREAKDOWN = """
import sys, time
import matplotlib
matplotlib.use("Agg")
from b12stats.models import batch, gee
from b12stats.report import build, sections

spent = {"gee": 0.0, "figures": 0.0}

def timed(fn, what):
    def wrapper(*args, **kwargs):
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[what] += time.process_time() - t0
    return wrapper

batch.fit_gee_batch = timed(batch.fit_gee_batch, "gee")
gee._statsmodels_fit = timed(gee._statsmodels_fit, "gee")
build.render_figures = timed(build.render_figures, "figures")
for name in dir(sections):  # making the figures (sections call them by these names)
    if name.startswith("figure_"):
        setattr(sections, name, timed(getattr(sections, name), "figures"))
t0 = time.process_time()
build._warm(None, [build.default_design_name()])
print(f"  {time.process_time() - t0:5.2f}  {0:5.2f}  {0:5.2f}  (parent) pyplot, tables, kernels")
plan = sections.plan(seed=build.DEFAULT_SEED, reps=build.DEFAULT_REPS)
results = {}
for p in plan:
    for job in p.needs:
        if job.key in results:
            continue
        before = dict(spent)
        t0 = time.process_time()
        results[job.key] = build._call_job(job)
        cpu = time.process_time() - t0
        print(f"  {cpu:5.2f}  {spent['gee'] - before['gee']:5.2f}  {0:5.2f}  job {job.key}")
    before = dict(spent)
    t0 = time.process_time()
    build._make(p, [results[job.key] for job in p.needs])
    cpu = time.process_time() - t0
    print(
        f"  {cpu:5.2f}  {spent['gee'] - before['gee']:5.2f}  "
        f"{spent['figures'] - before['figures']:5.2f}  {p.key}"
    )
print(f"  total in GEE fits {spent['gee']:.2f} s, drawing figures {spent['figures']:.2f} s")
"""

VARIANTS = ("previous", "serial", "default")


def _command(variant: str, out: Path) -> list[str]:
    if variant == "default":
        return [sys.executable, "-m", "b12stats", "report", "--out", str(out)]
    code = _PREVIOUS if variant == "previous" else _SERIAL
    return [sys.executable, "-c", code, str(out)]


def _cpu_children() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(variant: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU of the process and the workers it waited for)."""
    cpu0 = _cpu_children()
    t0 = time.perf_counter()
    subprocess.run(_command(variant, out), capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, _cpu_children() - cpu0


def _page(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "PNG", text)
    return re.sub(r"generated [^<]*? s(?=<)", "generated ...", text)


def main(argv: list[str] | None = None) -> int:
    """Time the variants; print medians, ratios and where the CPU goes."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each variant (default 1)")
    args = ap.parse_args(argv)
    wall: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        outs = {v: Path(tmp) / v for v in VARIANTS}
        for _ in range(args.repeat):
            for v in VARIANTS:
                w, c = _run(v, outs[v])
                wall[v].append(w)
                cpu[v].append(c)
                loads.append(os.getloadavg()[0])
        pages = {v: _page(outs[v] / "index.html") for v in VARIANTS}
    breakdown = subprocess.run(
        [sys.executable, "-c", _BREAKDOWN], capture_output=True, text=True, check=True
    )
    print(
        f"cpus in use: {len(os.sched_getaffinity(0))}; load average (1 min) "
        f"{min(loads):.1f}-{max(loads):.1f} during the runs; {args.repeat} run(s) of each"
    )
    base_w, base_c = statistics.median(wall["previous"]), statistics.median(cpu["previous"])
    for v in VARIANTS:
        w, c = statistics.median(wall[v]), statistics.median(cpu[v])
        print(
            f"{v:>9}: {w:6.1f} s wall ({base_w / w:.2f}x the previous path), "
            f"{c:6.1f} s CPU ({base_c / c:.2f}x)"
        )
    same = pages["previous"] == pages["serial"] == pages["default"]
    print(f"pages identical but for PNGs and date: {same}")
    print("CPU seconds, one after the other in one process (total, in GEE fits, figures):")
    print(breakdown.stdout, end="")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

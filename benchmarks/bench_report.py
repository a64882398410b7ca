"""Wall time of ``b12stats report`` (default settings) against the serial, twice-drawn path.

Each variant runs in a fresh subprocess (imports included, as a user sees it),
``--repeat`` times, in turn; the script prints the median wall time of each and
the ratio to the previous path, measured in the same run:

``previous``
    the report as it was: sections one after the other, every figure saved with
    ``bbox_inches="tight"`` (a second full draw of each figure);
``serial``
    sections one after the other, each figure drawn once (``workers=1``);
``default``
    what ``b12stats report`` does: sections in forked processes, one per CPU in
    use, each figure drawn once.

It also prints the time of each section in the default run (from the progress
lines) and checks that the pages agree but for the embedded PNGs and the
date/run-time line.

Run::

    python benchmarks/bench_report.py             # one run of each
    python benchmarks/bench_report.py --repeat 3  # medians of three
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PREVIOUS = """
import sys, io, base64
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from b12stats.report import build

def tight(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=build.EMBED_DPI, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")

build._fig_to_base64 = tight
build.build_report(sys.argv[1], workers=1)
"""

_SERIAL = """
import sys
import matplotlib
matplotlib.use("Agg")
from b12stats.report import build_report
build_report(sys.argv[1], workers=1)
"""


def _command(variant: str, out: Path) -> list[str]:
    if variant == "default":
        return [sys.executable, "-m", "b12stats", "report", "--out", str(out)]
    code = _PREVIOUS if variant == "previous" else _SERIAL
    return [sys.executable, "-c", code, str(out)]


def _run(variant: str, out: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        _command(variant, out), capture_output=True, text=True, check=True, env=os.environ
    )
    return time.perf_counter() - t0, proc.stderr


def _page(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "PNG", text)
    return re.sub(r"generated [^<]*? s(?=<)", "generated ...", text)


def main(argv: list[str] | None = None) -> int:
    """Time the variants; print medians, ratios and the default run's sections."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each variant (default 1)")
    args = ap.parse_args(argv)
    variants = ("previous", "serial", "default")
    times: dict[str, list[float]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        outs = {v: Path(tmp) / v for v in variants}
        for _ in range(args.repeat):
            for v in variants:
                seconds, _ = _run(v, outs[v])
                times[v].append(seconds)
        # one more default run with progress lines, for the per-section times
        env_out = Path(tmp) / "sections"
        proc = subprocess.run(
            [sys.executable, "-c", _SECTIONS, str(env_out)],
            capture_output=True,
            text=True,
            check=True,
        )
        pages = {v: _page(outs[v] / "index.html") for v in variants}
    print(f"cpus in use: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    base = statistics.median(times["previous"])
    for v in variants:
        med = statistics.median(times[v])
        print(f"{v:>9}: {med:6.1f} s  ({base / med:.2f}x the previous path)")
    same = pages["previous"] == pages["serial"] == pages["default"]
    print(f"pages identical but for PNGs and date: {same}")
    print("sections of the default run (seconds, in a worker):")
    print(proc.stdout, end="")
    return 0 if same else 1


_SECTIONS = """
import sys
import matplotlib
matplotlib.use("Agg")
from b12stats.report import build, sections
secs = build.run_sections(sections.plan(seed=build.DEFAULT_SEED, reps=build.DEFAULT_REPS),
                          workers=build._cpus())
for s in secs:
    print(f"  {s.seconds:6.2f}  {s.key}")
"""

if __name__ == "__main__":
    raise SystemExit(main())

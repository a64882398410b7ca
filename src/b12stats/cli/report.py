"""``b12stats report``: run the whole reanalysis and write one self-contained HTML file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from b12stats.cli._args import MAX_REPS, REPS_WHY, bounded_int
from b12stats.cli._help import HelpFormatter, examples


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = subparsers.add_parser(
        "report",
        help="reproduce the whole reanalysis and write DIR/index.html",
        description=(
            "Run every analysis (audit, Canada vs Cambodia, distributions from quartiles, "
            "correlations and pooling, supplement effects, a simulated Kenya-like cohort with "
            "its GEE models, the plausibility of the published P-trend, power by simulation) "
            "from the bundled data and write one self-contained HTML file with the figures "
            "embedded. Prints the path of the file."
        ),
        formatter_class=HelpFormatter,
        epilog=examples(
            "b12stats report                       # writes report/index.html",
            "b12stats report --out out --reps 2000  # more replicates, for publication",
        ),
    )
    p.add_argument(
        "--out", default="report", metavar="DIR", help="output directory (default: report)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="SEED",
        help="seed of every simulation (default: b12stats.report.DEFAULT_SEED, 20180101)",
    )
    p.add_argument(
        "--reps",
        type=bounded_int(MAX_REPS, REPS_WHY),
        default=None,
        metavar="REPS",
        help=(
            "Monte Carlo replicates per power-curve point (default: "
            "b12stats.report.DEFAULT_REPS, 200; the report then takes well under a minute)"
        ),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the report; print its path on stdout."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed; figures are embedded as PNG

    from b12stats.cli._args import output_plan
    from b12stats.report import DEFAULT_REPS, DEFAULT_SEED, build_report

    seed = DEFAULT_SEED if args.seed is None else args.seed
    reps = DEFAULT_REPS if args.reps is None else args.reps
    plan = output_plan()
    plan.add_output("--out", str(Path(args.out) / "index.html"))
    with plan:  # checked before the work; written whole or not at all
        path = build_report(args.out, seed=seed, reps=reps)
    print(path, file=sys.stdout)
    return 0

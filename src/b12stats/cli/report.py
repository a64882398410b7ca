"""``b12stats report``: run the whole reanalysis and write one self-contained HTML file."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from b12stats.cli._args import MAX_REPS, REPS_WHY, bounded_int, workers
from b12stats.cli._help import Command
from b12stats.cli.data import add_package_options, tables_in_use

COMMAND = Command(
    help="reproduce the whole reanalysis and write DIR/index.html",
    description=(
        "Run every analysis on the data in use (audit, secondary sources against the "
        "primary they cite, distributions from quartiles or geometric means, correlations "
        "and pooling, effects, and per design a simulated cohort with its GEE models, the "
        "plausibility of a published P-trend and power by simulation) and write one "
        "self-contained HTML file with the figures embedded. With --data DIR the bundled "
        "tables are joined with your data package (--data-only: your package alone); a "
        "section with nothing to show is left out and listed with the reason. Prints the "
        "path of the file."
    ),
    examples=(
        "b12stats report                       # writes report/index.html",
        "b12stats report --out out --reps 2000  # more replicates, for publication",
        "b12stats report --data my_study/ --design my_design.toml --design kenya",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats report``."""
    add_package_options(p)
    p.add_argument(
        "--design",
        dest="designs",
        action="append",
        default=None,
        metavar="NAME|FILE.toml",
        help=(
            "a built-in design name or a design file; one simulated cohort, P-trend and power "
            "section per --design (repeatable; default: kenya, or none with --data-only, "
            "since the built-in designs rest on the bundled data)"
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
    p.add_argument(
        "--workers",
        type=workers,
        default=None,
        metavar="N",
        help=(
            "processes the sections run in (default: the CPUs this process may use; "
            "the page is the same for any N but for its date and run time)"
        ),
    )


def run(args: argparse.Namespace) -> int:
    """Build the report; print its path on stdout."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed; figures are embedded as PNG

    from b12stats.cli._args import output_plan
    from b12stats.report import DEFAULT_REPS, DEFAULT_SEED, build_report
    from b12stats.simulate import get_design

    seed = DEFAULT_SEED if args.seed is None else args.seed
    reps = DEFAULT_REPS if args.reps is None else args.reps
    # the built-in designs rest on the bundled rows, which --data-only leaves out
    designs = list(args.designs) if args.designs else ([] if args.data_only else None)
    plan = output_plan()
    for d in designs or ():
        get_design(d)  # an unknown name or a bad file fails before any work
        if Path(d).suffix.lower() == ".toml":
            plan.add_input("--design", d)
    tables = tables_in_use(args, plan)
    plan.add_output("--out", str(Path(args.out) / "index.html"))
    command = ["b12stats", "report"]
    for d in args.data_dirs:
        command += ["--data", d]
    command += ["--data-only"] if args.data_only else []
    for d in designs or ():
        command += ["--design", d]
    command += ["--seed", str(seed), "--reps", str(reps)]
    with plan:  # checked before the work; written whole or not at all
        path = build_report(
            args.out,
            tables=tables,
            designs=designs,
            seed=seed,
            reps=reps,
            command=shlex.join(command),
            workers=args.workers,
        )
    print(path, file=sys.stdout)
    return 0

"""``b12stats power``: simulated power curve (and sample size) for a dyad study design."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from b12stats.cli._args import (
    MAX_REPS,
    REPS_WHY,
    bounded_int,
    workers,
)
from b12stats.cli._help import Command
from b12stats.cli.simulate import add_design_options

COMMAND = Command(
    help="power of the milk-infant GEE tests by simulation, per number of dyads",
    description=(
        "Simulate the design REPS times per scenario, fit the GEE to each replicate "
        "and report the share of significant tests (power) with its Monte Carlo SE, "
        "the mean estimate, empirical SD vs mean robust SE, CI coverage and the share "
        "of fits that did not converge. One CSV row per (n_dyads, n_clusters). The same "
        "--seed gives identical results for any --workers."
    ),
    examples=(
        "b12stats power --design kenya --n-dyads 100,200,300 --reps 1000 --out power.csv",
        (
            "b12stats power --design kenya --model trend --n-dyads 100,200,300 "
            "--target-power 0.8 --seed 1 --out trend.csv"
        ),
        (
            "b12stats power --design kenya --n-dyads 200 --n-clusters 20,40,80 --workers 2 "
            "--out clusters.csv"
        ),
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats power``."""
    add_design_options(p, required=True, listing="b12stats simulate --list", scenarios=True)
    p.add_argument(
        "--model",
        choices=("linear", "trend"),
        default="linear",
        help="linear: GEE slope of infant on milk B12 (default); trend: logistic GEE of "
        "infant adequacy on milk-B12 quartile (P-trend)",
    )
    p.add_argument(
        "--scale",
        choices=("log", "raw"),
        default="log",
        help="linear model: log(infant) on log(milk) (default) or pmol/L on pmol/L",
    )
    p.add_argument(
        "--cov-struct",
        choices=("exchangeable", "independence"),
        default=None,
        help="working correlation within clusters (default exchangeable; independence when "
        "every cluster holds one dyad)",
    )
    p.add_argument(
        "--cov-type",
        choices=("robust", "bias_reduced"),
        default="robust",
        help="standard errors of the Wald test: robust sandwich (default) or Mancl-DeRouen "
        "bias-reduced, which keeps the test's size near alpha with few clusters",
    )
    p.add_argument(
        "--reps",
        type=bounded_int(MAX_REPS, REPS_WHY),
        default=1000,
        help=f"replicates per scenario (default 1000, at most {MAX_REPS})",
    )
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument(
        "--target-power",
        type=float,
        metavar="P",
        help="also print the smallest --n-dyads reaching this power, with its Monte Carlo "
        "range (power +- 2 MC SE)",
    )
    p.add_argument(
        "--workers",
        type=workers,
        default=1,
        metavar="N",
        help="processes (default 1: inline; at most 4 per CPU)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the dask cluster of this scheduler, e.g. tcp://host:8786 (overrides "
        "--workers; the workers need the same b12stats; same --seed, same table)",
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="SEED",
        help="random seed (default: fresh entropy, written into the CSV)",
    )
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV")


def run(args: argparse.Namespace) -> int:
    """Run the simulation, write the CSV, print the table; return the exit status."""
    from b12stats import power
    from b12stats._io import write_csv
    from b12stats.cli._args import output_plan
    from b12stats.cli.simulate import load_design
    from b12stats.errors import OptionError

    if args.target_power is not None and not 0 < args.target_power < 1:
        raise OptionError(f"--target-power must be between 0 and 1, got {args.target_power}")
    plan = output_plan()
    args.design = load_design(args, plan)[0]  # a Design, its rows from the tables in use
    plan.add_output("--out", args.out)
    cov_struct = args.cov_struct
    if cov_struct is None:
        cov_struct, why = power.default_cov_struct(args.design, args.n_dyads, args.n_clusters)
        print(f"# working correlation {cov_struct} (default: {why}; --cov-struct to change)")
    with plan, power.executor.dask_executor(args.scheduler) as args.executor:
        table = _power(args, power, cov_struct)
        write_csv(args.out, table)
    print(power.PowerResult(table).summary(target_power=args.target_power))
    print(f"# wrote {args.out}", file=sys.stderr)
    return 0


def _power(args: argparse.Namespace, power: Any, cov_struct: str) -> Any:
    return power.power(
        args.design,
        n_dyads=args.n_dyads,
        n_clusters=args.n_clusters,
        reps=args.reps,
        model=args.model,
        scale=args.scale,
        cov_struct=cov_struct,
        cov_type=args.cov_type,
        alpha=args.alpha,
        rng=args.seed,
        workers=args.workers,
        executor=args.executor,
    )

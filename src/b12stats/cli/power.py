"""``b12stats power``: simulated power curve (and sample size) for a dyad study design."""

from __future__ import annotations

import argparse
import math
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
        (
            "b12stats power --design kenya --model trend --vary icc_infant=0.01,0.05,0.1 "
            "--vary n_clusters=30,60,120 --n-dyads 150,286 --workers 2 --out sensitivity.csv"
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
        "--vary",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="sensitivity analysis: rerun every scenario for each of these values of a design "
        "parameter (repeat for more parameters; all combinations are crossed with --n-dyads, "
        "one CSV row each, the varied parameters as leading columns). NAME: icc_milk, "
        "icc_infant, n_clusters, correlation, correlation_scale, cluster_sizes, "
        "adequacy_cutoff, milk_mu, milk_sigma, infant_mu, infant_sigma or effect_COVARIATE",
    )
    p.add_argument(
        "--target-power",
        type=float,
        metavar="P",
        help="also search the smallest number of dyads reaching this power (bisection between "
        "the smallest and largest --n-dyads, or a quarter and 4 times the design's n given one; "
        "clusters as for --n-dyads) and print it with its Monte Carlo range (power +- 2 MC SE); "
        "with --vary, per variant",
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
    vary = power.parse_vary(args.design, args.vary) if args.vary else None
    if vary is not None:
        power.variants(args.design, vary)  # every value valid before anything runs
    if vary is not None and "n_clusters" in vary and args.n_clusters is not None:
        raise OptionError("give --n-clusters or --vary n_clusters=..., not both")
    plan.add_output("--out", args.out)
    cov_struct = args.cov_struct
    if cov_struct is None:
        clusters = args.n_clusters if vary is None else vary.get("n_clusters", args.n_clusters)
        cov_struct, why = power.default_cov_struct(args.design, args.n_dyads, clusters)
        print(f"# working correlation {cov_struct} (default: {why}; --cov-struct to change)")
    options = {
        "reps": args.reps,
        "model": args.model,
        "scale": args.scale,
        "cov_struct": cov_struct,
        "cov_type": args.cov_type,
        "alpha": args.alpha,
        "rng": args.seed,
        "workers": args.workers,
    }
    with power.executor.dask_executor(args.scheduler) as executor:
        options["executor"] = executor
        with plan:
            if vary is None:
                result: Any = power.PowerResult(
                    power.power(
                        args.design, n_dyads=args.n_dyads, n_clusters=args.n_clusters, **options
                    )
                )
            else:
                result = power.sensitivity(args.design, vary=vary, n_dyads=args.n_dyads, **options)
            table = result.table
            write_csv(args.out, table)
        print(result.summary())
        if args.target_power is not None:
            seed = int(table["seed"].iloc[0])  # the search reuses the table's seed
            # the search prints power only: no coverage target (a large simulation per
            # variant and cluster size) is computed for it
            search = options | {"rng": seed, "true_value": math.nan}
            for line in _searches(args, power, vary, search):
                print(line)
    print(f"# wrote {args.out}", file=sys.stderr)
    return 0


def _searches(args: argparse.Namespace, power: Any, vary: Any, options: dict) -> list[str]:
    """The bisection search for ``--target-power``, per variant: one ``#`` line each."""
    grid = sorted(set(args.n_dyads or [args.design.n_dyads]))
    if len(grid) > 1:
        lo, hi = grid[0], grid[-1]
    else:
        lo, hi = max(power.MIN_DYADS, grid[0] // 4), 4 * grid[0]
    pairs = [({}, args.design)] if vary is None else power.variants(args.design, vary)
    lines = []
    for assignment, design in pairs:
        clusters = [assignment["n_clusters"]] if "n_clusters" in assignment else args.n_clusters
        for fixed in clusters or [None]:
            label = ", ".join(f"{k}={v}" for k, v in assignment.items() if k != "n_clusters")
            if fixed is not None:
                label += (", " if label else "") + f"{fixed} clusters"
            start = lo if fixed is None else max(lo, fixed)
            res = power.sample_size(
                design,
                target_power=args.target_power,
                n_min=start,
                n_max=max(hi, start + 1),
                n_clusters=fixed,
                **options,
            )
            where = f"{label}: " if label else ""
            lines.append(
                f"# {where}bisection over {start}-{max(hi, start + 1)} dyads: " + res.summary()
            )
    return lines

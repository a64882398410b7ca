"""``b12stats simulate``: write a simulated dyad cohort (CSV + JSON sidecar)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from b12stats.cli._args import MAX_SIMULATE_DYADS, SIMULATE_WHY, bounded_int
from b12stats.cli._help import HelpFormatter, examples


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add the ``simulate`` subcommand."""
    p = subparsers.add_parser(
        "simulate",
        help="simulate a cohort of mother-infant dyads from a built-in design or a design file",
        formatter_class=HelpFormatter,
        epilog=examples(
            "b12stats simulate --list",
            "b12stats simulate --design kenya --describe",
            "b12stats simulate --design my_study.toml --describe",
            "b12stats simulate --design kenya --seed 1 --out kenya.csv",
            "b12stats simulate --design kenya --n-dyads 150 --n-clusters 30 --seed 1 "
            "--out small.csv",
        ),
        description=(
            "Simulate one cohort of mother-infant dyads (milk and infant serum B12, pmol/L, "
            "clusters, covariates) from a built-in design or a TOML design file "
            "(data/designs/README.md), and write it as CSV with a JSON "
            "sidecar (FILE.csv.json) recording the design and the seed. The same seed gives "
            "byte-identical files. --list shows the designs; --describe prints a design's "
            "parameters (published or assumed)."
        ),
    )
    p.add_argument(
        "--design",
        metavar="NAME|FILE.toml",
        help="built-in design, e.g. kenya (see --list), or a design file (data/designs/README.md)",
    )
    p.add_argument(
        "--n-dyads",
        type=bounded_int(MAX_SIMULATE_DYADS, SIMULATE_WHY),
        metavar="N",
        help=f"number of dyads (default: the design's; at most {MAX_SIMULATE_DYADS})",
    )
    p.add_argument(
        "--n-clusters",
        type=bounded_int(MAX_SIMULATE_DYADS, SIMULATE_WHY),
        metavar="K",
        help="number of clusters (default: the design's)",
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="SEED",
        help="random seed (default: fresh entropy, recorded in the sidecar)",
    )
    p.add_argument(
        "--out", metavar="FILE.csv", help="output CSV file (the sidecar is FILE.csv.json)"
    )
    p.add_argument("--list", action="store_true", help="list the built-in designs and exit")
    p.add_argument(
        "--describe", action="store_true", help="print the design's parameters and exit"
    )
    p.set_defaults(func=run)


def print_frame(frame: object) -> None:
    """Print a table in full (every row and column, long cells cut at 80 characters)."""
    import pandas as pd

    with pd.option_context(
        "display.max_rows", None, "display.max_columns", None, "display.width", 200,
        "display.max_colwidth", 80,
    ):  # fmt: skip
        print(frame.to_string(index=False))  # type: ignore[attr-defined]


def print_description(design: Any, *, source_kind: Any = None) -> None:
    """The flags of a design, then its parameters (``Design.describe``): ``--describe``."""
    for flag in design.flags:
        print(f"flag: {flag}")
    print_frame(design.describe(source_kind=source_kind))


def sidecar_path(out: str) -> str:
    """The JSON sidecar written beside a simulated cohort ``out`` (``FILE.csv.json``)."""
    return out + ".json"


def run(args: argparse.Namespace) -> int:
    """Simulate and write, or list/describe; return the exit status."""
    import numpy as np

    from b12stats import simulate
    from b12stats.cli._args import output_plan
    from b12stats.cli.power import design_file
    from b12stats.errors import OptionError

    if args.list:
        from b12stats.designs import list_designs

        print_frame(list_designs())
        return 0
    if args.design is None:
        raise OptionError("--design NAME or --design FILE.toml is required (see --list)")
    design = simulate.get_design(args.design)
    if args.describe:
        print_description(design)
        return 0
    if args.out is None:
        raise OptionError("--out FILE.csv is required")
    if args.seed is not None and args.seed < 0:
        raise OptionError(f"--seed must be >= 0, got {args.seed}")
    plan = output_plan()
    plan.add_input("--design", design_file(args.design))
    plan.add_output("--out", args.out)
    plan.add_output("--out's sidecar", sidecar_path(args.out))
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    with plan:  # the CSV and its sidecar, both or neither
        frame = simulate.simulate_cohort(
            design, n_dyads=args.n_dyads, n_clusters=args.n_clusters, rng=seed
        )
        sidecar = simulate.write_cohort(frame, args.out, design=design, seed=seed)
    print(f"wrote {args.out} ({len(frame)} dyads, seed {seed}) and {sidecar}", file=sys.stderr)
    return 0

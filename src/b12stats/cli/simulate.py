"""``b12stats simulate``: write a simulated dyad cohort (CSV + JSON sidecar)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from b12stats.cli._args import (
    MAX_POWER_DYADS,
    MAX_SIMULATE_DYADS,
    POWER_WHY,
    SIMULATE_WHY,
    bounded_int,
    bounded_int_list,
)
from b12stats.cli._help import Command
from b12stats.cli.data import add_package_options

COMMAND = Command(
    help="simulate a cohort of mother-infant dyads from a built-in design or a design file",
    description=(
        "Simulate one cohort of mother-infant dyads (milk and infant serum B12, pmol/L, "
        "clusters, covariates) from a built-in design or a TOML design file "
        "(data/designs/README.md), and write it as CSV with a JSON "
        "sidecar (FILE.csv.json) recording the design and the seed. The same seed gives "
        "byte-identical files. --list shows the designs (the report's default marked); "
        "--describe prints a design's parameters (published or assumed). With --data DIR, "
        "a design file's row references may name the rows of your data package."
    ),
    examples=(
        "b12stats simulate --list",
        "b12stats simulate --design kenya --describe",
        "b12stats simulate --design my_study.toml --describe",
        "b12stats simulate --design kenya --seed 1 --out kenya.csv",
        (
            "b12stats simulate --design kenya --n-dyads 150 --n-clusters 30 --seed 1 "
            "--out small.csv"
        ),
        "b12stats simulate --data my_study/ --design my_study.toml --seed 1 --out my.csv",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats simulate``."""
    add_design_options(p, required=False, listing="--list")
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


def add_design_options(
    p: argparse.ArgumentParser, *, required: bool, listing: str, scenarios: bool = False
) -> None:
    """Add ``--design``, ``--data DIR`` / ``--data-only``, ``--n-dyads`` and ``--n-clusters``.

    ``listing`` is where the built-in designs are listed (for the help text).
    ``scenarios``: the counts are comma-separated lists, crossed (``power``),
    instead of one number each (``simulate``).
    """
    p.add_argument(
        "--design",
        required=required,
        metavar="NAME|FILE.toml",
        help=f"built-in design, e.g. kenya (see {listing}), or a design file "
        "(data/designs/README.md) whose row references name bundled rows or, with --data, "
        "your package's",
    )
    add_package_options(p)
    if scenarios:
        count = bounded_int_list(MAX_POWER_DYADS, POWER_WHY)
        dyads = "numbers of dyads, comma-separated (default: the design's)"
        clusters = "numbers of clusters, crossed with --n-dyads (default: keep the design's "
        clusters += "dyads per cluster)"
    else:
        count = bounded_int(MAX_SIMULATE_DYADS, SIMULATE_WHY)
        dyads = f"number of dyads (default: the design's; at most {MAX_SIMULATE_DYADS})"
        clusters = "number of clusters (default: the design's)"
    n, k = ("N[,N...]", "K[,K...]") if scenarios else ("N", "K")
    p.add_argument("--n-dyads", type=count, metavar=n, help=dyads)
    p.add_argument("--n-clusters", type=count, metavar=k, help=clusters)


def design_file(design: str | None) -> str | None:
    """``design`` if it names an existing file (an input to protect), else None."""
    from pathlib import Path

    return design if design is not None and Path(design).is_file() else None


def load_design(args: argparse.Namespace, plan: Any) -> tuple[Any, Any]:
    """The ``--design`` of ``args`` and the tables in use (None: the bundled ones).

    The design's row references are looked up in those tables. With ``--data
    DIR`` / ``--data-only`` (:func:`b12stats.cli.data.load_packages`) the
    packages' files are inputs of ``plan``; a design file always is.
    """
    from b12stats import designs
    from b12stats.cli.data import load_packages

    tables = None
    if args.data_dirs or args.data_only:
        tables = load_packages(args, plan).tables
    plan.add_input("--design", design_file(args.design))
    return designs.get_design(args.design, tables), tables


def source_kinds(tables: Any) -> Any:
    """The ``source_kind`` of a row in ``tables`` (None: the bundled ones, the default)."""
    if tables is None:
        return None
    from b12stats import designs

    return lambda row_id: designs.source_kind(row_id, tables)


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
    from b12stats.errors import OptionError

    if args.list:
        _print_designs()
        return 0
    if args.design is None:
        raise OptionError("--design NAME or --design FILE.toml is required (see --list)")
    plan = output_plan()
    design, tables = load_design(args, plan)
    if args.describe:
        print_description(design, source_kind=source_kinds(tables))
        return 0
    if args.out is None:
        raise OptionError("--out FILE.csv is required")
    if args.seed is not None and args.seed < 0:
        raise OptionError(f"--seed must be >= 0, got {args.seed}")
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


def _print_designs() -> None:
    """``--list``: the built-in designs, the report's default marked."""
    from b12stats.designs import list_designs

    frame = list_designs()
    frame["default"] = frame["default"].map({True: "yes", False: ""})
    print_frame(frame)

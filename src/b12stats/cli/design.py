"""``b12stats design``: build a design file from a cohort's published rows, or describe one."""

from __future__ import annotations

import argparse
import sys

from b12stats.cli._help import Command
from b12stats.cli.data import add_package_options

COMMAND = Command(
    help="build a design file (TOML) from a cohort's published rows, or describe a design",
    description=(
        "Build a design for 'b12stats simulate' and 'b12stats power' from the published "
        "rows of one cohort (the cohort column of the bundled tables, or of your data package "
        "with --data DIR, see 'b12stats init'): the milk and infant "
        "B12 marginals (a median with quartiles, or a geometric mean with its CI and n), "
        "the milk-infant correlation and its coefficient kind (which gives the "
        "correlation scale), the number of dyads, and the infant cut-off with its "
        "published share. Every number that is not published (clusters and ICCs, "
        "covariates, the scale when unstated, ...) is written as an assumption with its "
        "reason; every published one names its row. The file is the resolved format of "
        "data/designs/README.md. --list shows which cohorts can give a design; --describe "
        "prints a design's parameters as 'simulate --describe' does."
    ),
    examples=(
        "b12stats design --list",
        "b12stats design --cohort kenya_wbk --out kenya_wbk.toml",
        "b12stats design --data my_study/ --cohort my_cohort --out my_study.toml",
        "b12stats design --describe kenya_wbk.toml",
        "b12stats design --cohort canada_vancouver --describe",
        "b12stats simulate --design kenya_wbk.toml --seed 1 --out kenya_wbk.csv",
        "b12stats power --design kenya_wbk.toml --n-dyads 100,200 --reps 200 --out power.csv",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats design``."""
    add_package_options(p)
    p.add_argument("--cohort", metavar="ID", help="cohort key (see --list)")
    p.add_argument("--out", metavar="FILE.toml", help="design file to write")
    p.add_argument(
        "--describe",
        nargs="?",
        const=True,
        metavar="NAME|FILE.toml",
        help="print the parameters of a design (a file, a built-in name, or with --cohort "
        "the design built) and exit",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help="list the cohorts and whether each can give a design, and exit",
    )


def run(args: argparse.Namespace) -> int:
    """Build and write, describe or list; return the exit status."""
    from b12stats import designs
    from b12stats.cli._args import output_plan
    from b12stats.cli.data import tables_in_use
    from b12stats.cli.simulate import print_description, source_kinds
    from b12stats.errors import OptionError

    plan = output_plan()
    tables = tables_in_use(args, plan)
    if args.list:
        _print_cohorts(designs, tables)
        return 0
    if isinstance(args.describe, str):
        if args.cohort is not None or args.out is not None:
            raise OptionError("--describe NAME|FILE takes no --cohort or --out")
        design = designs.get_design(args.describe, tables)
        print_description(design, source_kind=source_kinds(tables))
        return 0
    if args.cohort is None:
        raise OptionError("--cohort ID is required (see --list), or --describe FILE.toml")
    if args.out is None and not args.describe:
        raise OptionError("--out FILE.toml is required (or --describe to print the design)")
    plan.add_output("--out", args.out)
    design = designs.design_from_cohort(tables, args.cohort)
    if args.out is not None:
        with plan:
            design.to_toml(args.out)
        status = design.describe(source_kind=source_kinds(tables))["status"]
        n_pub = int(status.str.startswith("published").sum())
        n_assumed = int((status == "assumed").sum())
        print(
            f"wrote {args.out} (design {design.name}: {n_pub} published numbers with their "
            f"rows, {n_assumed} assumptions with their reasons)",
            file=sys.stderr,
        )
    if args.describe:
        print_description(design, source_kind=source_kinds(tables))
    return 0


def _print_cohorts(designs: object, tables: object) -> None:
    import pandas as pd

    from b12stats.cli.simulate import print_frame
    from b12stats.errors import OptionError

    rows = []
    for cohort in designs.cohort_ids(tables):  # type: ignore[attr-defined]
        try:
            d = designs.design_from_cohort(tables, cohort)  # type: ignore[attr-defined]
            rows.append({"cohort": cohort, "design": "yes", "n_dyads": d.n_dyads, "note": ""})
        except OptionError as exc:
            note = str(exc).split(": ", 1)[-1].split(" (a design needs", 1)[0]
            rows.append({"cohort": cohort, "design": "no", "n_dyads": None, "note": note})
    print_frame(pd.DataFrame(rows, columns=["cohort", "design", "n_dyads", "note"]))
    print(
        f"# the report's default design is the built-in {designs.default_design_name()!r} "  # type: ignore[attr-defined]
        "(b12stats simulate --list)"
    )

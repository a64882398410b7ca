"""``b12stats reproduce``: run every audit check, print a table, optionally write audit.csv."""

from __future__ import annotations

import argparse
import sys

from b12stats.cli._args import add_format_option, add_strict_option, exit_status
from b12stats.cli._help import Command
from b12stats.cli.data import add_package_options, tables_in_use

#: Default width of the printed table (characters): a 100-column terminal.
DEFAULT_WIDTH = 100


COMMAND = Command(
    help="recompute every published claim in the data (bundled, --data yours) and judge it",
    description=(
        "Run every audit check on the bundled published numbers and print one line per "
        "check (verdicts: reproduced, consistent, inconsistent, conflicts_with_primary, "
        "unverifiable) and a summary. With --out DIR, also write DIR/audit.csv with the "
        "full columns. With --data DIR: the audit runs on the bundled tables joined with "
        "your data package (--data-only: your package alone)."
    ),
    examples=(
        "b12stats reproduce                  # one line per check and a summary",
        "b12stats reproduce --full --width 140",
        "b12stats reproduce --out audit/     # also write audit/audit.csv",
        "b12stats reproduce --strict         # exit status 1 if any claim fails",
        "b12stats reproduce --data my_study/ --data-only   # audit your own package",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats reproduce``."""
    add_package_options(p)
    p.add_argument("--out", metavar="DIR", help="write DIR/audit.csv (created if missing)")
    add_strict_option(p, "claim")
    add_format_option(p, "stdout format: a readable table (default) or the full CSV")
    p.add_argument(
        "--width",
        type=int,
        default=DEFAULT_WIDTH,
        metavar="N",
        help=f"width of the table in characters (default {DEFAULT_WIDTH})",
    )
    p.add_argument(
        "--full", action="store_true", help="print each check's detail in full (not cut)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the audit; print it; write audit.csv if asked; return the exit status."""
    from pathlib import Path

    from b12stats import _io
    from b12stats.audit import run_audit
    from b12stats.cli._args import output_plan
    from b12stats.errors import OptionError

    if args.width < 40:
        raise OptionError(f"--width must be at least 40, got {args.width}")
    plan = output_plan()
    tables = tables_in_use(args, plan)
    if args.out is not None:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise OptionError(f"--out must be a directory, got the file {str(out)!r}")
        plan.add_output("--out", str(out / "audit.csv"))
    with plan:
        result = run_audit(tables)
        frame = result.to_frame()
        if args.out is not None:
            _io.write_csv(Path(args.out) / "audit.csv", frame)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(result.to_text(width=args.width, detail_lines=0 if args.full else 3))
        if args.out is not None:
            print(f"wrote {Path(args.out) / 'audit.csv'}")
    return exit_status(args, result)

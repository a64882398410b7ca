"""``b12stats data``: list the bundled tables, print one, or check a user's file."""

from __future__ import annotations

import argparse
import sys

from b12stats.cli._help import HelpFormatter, examples


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``data`` subcommand."""
    p = subparsers.add_parser(
        "data",
        help="list the bundled tables of published numbers, or print one",
        formatter_class=HelpFormatter,
        epilog=examples(
            "b12stats data                              # the bundled tables",
            "b12stats data correlations                 # one table",
            "b12stats data correlations --format csv > correlations.csv",
            "b12stats data correlations --schema        # its columns, types and units",
            "b12stats data my_study.csv --as correlations  # check your own file",
        ),
        description=(
            "Without TABLE: list the bundled tables with their row counts and descriptions. "
            "With TABLE (a bundled table's name, or the path of your own CSV laid out like one): "
            "validate it and print it."
        ),
    )
    p.add_argument("table", nargs="?", metavar="TABLE", help="table name or path to a CSV file")
    p.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="output format (default: table)",
    )
    p.add_argument("--schema", action="store_true", help="describe the table's columns instead")
    p.add_argument(
        "--as",
        dest="as_table",
        metavar="NAME",
        help="for a file path: the bundled table whose schema it follows (default: file stem)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print what was asked; return the exit status."""
    import pandas as pd

    from b12stats import data

    if args.table is None:
        frame = data.list_tables()
    elif args.schema:
        frame = data.table_schema(args.as_table or args.table).describe()
    else:
        frame = data.load_table(args.table, table=args.as_table)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        with pd.option_context(
            "display.max_rows",
            None,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            print(frame.to_string(index=False))
    return 0

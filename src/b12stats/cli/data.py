"""``b12stats data``: list the bundled tables, print one, or check a user's file or package.

Also the ``--data DIR`` / ``--data-only`` options shared by ``data``,
``reproduce`` and ``meta`` (:func:`add_package_options`, :func:`load_packages`,
:func:`tables_in_use`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from b12stats.cli._args import add_format_option
from b12stats.cli._help import Command

COMMAND = Command(
    help="list the tables of published numbers (bundled, --data yours), or print one",
    description=(
        "Without TABLE: list the bundled tables with their row counts and descriptions. "
        "With TABLE (a bundled table's name, or the path of your own CSV laid out like one): "
        "validate it and print it. With --data DIR: your data package (a folder of tables, "
        "see 'b12stats init') is validated as a whole and joined with the bundled tables."
    ),
    examples=(
        "b12stats data                              # the bundled tables",
        "b12stats data correlations                 # one table",
        "b12stats data correlations --format csv > correlations.csv",
        "b12stats data correlations --schema        # its columns, types and units",
        "b12stats data my_study.csv --as correlations  # check your own file",
        "b12stats data --data my_study/             # check your package (b12stats init)",
        "b12stats data correlations --data my_study/  # bundled and your correlations",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats data``."""
    add_package_options(p)
    p.add_argument("table", nargs="?", metavar="TABLE", help="table name or path to a CSV file")
    add_format_option(p, "output format (default: table)")
    p.add_argument("--schema", action="store_true", help="describe the table's columns instead")
    p.add_argument(
        "--as",
        dest="as_table",
        metavar="NAME",
        help="for a file path: the bundled table whose schema it follows (default: file stem)",
    )


def add_package_options(p: argparse.ArgumentParser) -> None:
    """Add ``--data DIR`` (repeatable) and ``--data-only`` to a command's parser."""
    p.add_argument(
        "--data",
        dest="data_dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="your data package: a folder of tables laid out like the bundled ones, with its "
        "own sources.csv (see 'b12stats init'); its rows join the bundled ones (repeatable)",
    )
    p.add_argument(
        "--data-only",
        action="store_true",
        help="use the rows of the --data packages alone, without the bundled tables",
    )


def load_packages(args: argparse.Namespace, plan: Any = None) -> Any:
    """The tables in use (a :class:`b12stats.packages.PackageSet`); package files are inputs.

    Every file of every ``--data`` folder is recorded as an input of ``plan``
    and the folders are protected, so no output replaces a file of a package.
    """
    from b12stats.errors import OptionError
    from b12stats.packages import load_packages as load

    if args.data_only and not args.data_dirs:
        raise OptionError("--data-only needs at least one --data DIR")
    if plan is not None:
        for d in args.data_dirs:
            plan.add_protected_dir(f"the data package {d}", d)
    packages = load(args.data_dirs, data_only=args.data_only)
    if plan is not None:
        for f in packages.files:
            if f.origin != "bundled":
                plan.add_input(f"--data {f.origin}", f.path)
    return packages


def tables_in_use(args: argparse.Namespace, plan: Any) -> Any:
    """The tables of :func:`load_packages`, or None (the bundled ones) without ``--data``."""
    if not (args.data_dirs or args.data_only):
        return None
    return load_packages(args, plan).tables


def run(args: argparse.Namespace) -> int:
    """Print what was asked; return the exit status."""

    from b12stats import data
    from b12stats.errors import OptionError

    if args.data_dirs or args.data_only:
        return _run_packages(args)
    if args.table is None:
        if args.as_table is not None:
            raise OptionError("--as NAME needs a file: b12stats data FILE.csv --as NAME")
        frame = data.list_tables()
    elif args.schema:
        frame = data.table_schema(_table_name(args, data.table_names())).describe()
    else:
        name = _table_name(args, data.table_names())
        bundled = _bundled(args, data.table_names())
        frame = data.load_table(args.table, table=None if bundled else name)
        if args.format == "csv":  # numbers as printed, so the file loads back the same
            frame = data.as_printed(frame, name)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif args.table is None:
        _print_listing(frame)
    elif args.schema:
        _print_schema(frame)
    else:
        _print_rows(frame)
    return 0


def _run_packages(args: argparse.Namespace) -> int:
    """``data --data DIR [TABLE]``: validate the packages; list them or print a joined table."""

    from b12stats import data
    from b12stats.errors import OptionError

    if args.schema:
        raise OptionError("--schema describes a bundled table; leave out --data")
    if args.as_table is not None:
        raise OptionError("--as applies to a single file; a package names its tables by file")
    packages = load_packages(args)
    if args.table is None:
        _print_packages(packages, bundled=not args.data_only)
        return 0
    if args.table not in data.table_names():
        raise OptionError(
            f"unknown table {args.table!r}; with --data, TABLE is one of: "
            + ", ".join(data.table_names())
        )
    frame = packages.tables[args.table]
    if args.format == "csv":
        data.as_printed(frame, args.table).to_csv(sys.stdout, index=False, lineterminator="\n")
    elif frame.empty:
        print(f"{args.table}: no rows in the data in use")
    else:
        _print_rows(frame)
    return 0


def _print_rows(frame: Any) -> None:
    """A table's rows, readable, long text cut at TEXT_WIDTH (and a note saying so)."""
    import pandas as pd

    cut = any(
        frame[c].astype(str).str.len().max() > TEXT_WIDTH
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    )
    print(_readable(frame).to_string(index=False, justify="left"))
    if cut:
        print(f"(text cut at {TEXT_WIDTH} characters; --format csv prints it whole)")


def _print_packages(packages: Any, *, bundled: bool) -> None:
    """Rows per table for the bundled data and each package, then one line per package."""
    from b12stats import data

    counts = packages.counts()
    origins = (["bundled"] if bundled else []) + list(packages.directories)
    width = max(len(n) for n in data.table_names())
    cols = [max(len(o), 4) for o in origins]
    print(
        f"{'table':<{width}}  "
        + "  ".join(f"{o:>{w}}" for o, w in zip(origins, cols, strict=True))
    )
    for name in data.table_names():
        cells = []
        for origin, w in zip(origins, cols, strict=True):
            sel = counts[(counts["table"] == name) & (counts["origin"] == origin)]
            cells.append(f"{int(sel['rows'].sum()) if len(sel) else '-':>{w}}")
        print(f"{name:<{width}}  " + "  ".join(cells))
    print()
    for d in packages.directories:
        mine = counts[counts["origin"] == d]
        rows = int(mine["rows"].sum())
        files = ", ".join(Path(f).name for f in mine["file"])
        if rows == 0:
            print(
                f"{d}: valid, no rows yet ({len(mine)} table(s) with a header only: {files}); "
                "fill the CSV files (its README.md says what each column holds)"
            )
        else:
            print(f"{d}: valid, {rows} row(s) in {int((mine['rows'] > 0).sum())} table(s)")
    if len(counts.groupby(["table", "origin"])) < len(origins) * len(data.table_names()):
        print("('-': the table is not in the package)")
    print("b12stats data TABLE --data DIR prints a joined table.")


def _bundled(args: argparse.Namespace, names: list[str]) -> bool:
    """TABLE is a bundled table's name (not a file of that name given with --as)."""
    return args.table in names and (args.as_table is None or not Path(args.table).exists())


def _table_name(args: argparse.Namespace, names: list[str]) -> str:
    """The bundled table TABLE names or follows; one line for every way this can fail.

    Checked in this order: ``--as`` names a bundled table; TABLE is a bundled
    table or an existing file (a mistyped path is "file not found"); a file's
    table is ``--as`` or its stem.
    """
    from b12stats._csvread import read_text
    from b12stats.errors import OptionError

    known = ", ".join(names)
    if args.as_table is not None and args.as_table not in names:
        raise OptionError(f"--as {args.as_table}: unknown table; expected one of: {known}")
    if _bundled(args, names):
        if args.as_table not in (None, args.table):
            raise OptionError(f"--as applies to a file; {args.table!r} is a bundled table")
        return str(args.table)
    path = Path(args.table)
    if not path.exists() and path.suffix == "" and len(path.parts) == 1:
        raise OptionError(
            f"unknown table {args.table!r}; expected one of: {known}, or the path of a CSV file"
        )
    if not args.schema or path.exists():
        read_text(path, label=str(args.table))  # file not found, a directory, not text, empty
    if args.as_table is not None:
        return str(args.as_table)
    if path.stem in names:
        return path.stem
    raise OptionError(
        f"cannot tell which table {args.table} follows; name it with --as NAME, one of: {known}"
    )


#: Text cells longer than this are cut in the readable table (not in CSV).
TEXT_WIDTH = 50


def _readable(frame: Any) -> Any:
    """Text columns left-aligned and cut to TEXT_WIDTH characters (for the terminal)."""
    import pandas as pd

    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.map(lambda v: "" if v is None or v is pd.NA or v != v else str(v))
            text = text.map(lambda t: t if len(t) <= TEXT_WIDTH else t[: TEXT_WIDTH - 1] + "…")
            width = max([len(str(c)), *text.str.len().tolist()])
            out[c] = text.str.ljust(width)
    return out


def _print_listing(frame: Any) -> None:
    """One line per table (name, rows, title) with its description wrapped below."""
    import textwrap

    width = max(len(str(n)) for n in frame["table"])
    print(f"{'table':<{width}}  {'rows':>4}  title")
    for row in frame.itertuples(index=False):
        print(f"{row.table:<{width}}  {int(row.rows):>4}  {row.title}")
        print(
            textwrap.fill(
                str(row.description), 88, initial_indent=" " * 4, subsequent_indent=" " * 4
            )
        )
    print("\nb12stats data TABLE prints a table; b12stats data TABLE --schema its columns.")


def _print_schema(frame: Any) -> None:
    """One line per column (name, type, unit, required, allowed values), meaning below."""
    import textwrap

    import pandas as pd

    def text(v: Any) -> str:
        return "" if v is None or v is pd.NA or v != v else str(v)

    for row in frame.itertuples(index=False):
        bits = [str(row.name), text(row.type)]
        if text(row.unit):
            bits.append(f"[{text(row.unit)}]")
        bits.append("required" if bool(row.required) else "optional")
        if text(row.allowed):
            bits.append(f"allowed: {text(row.allowed)}")
        print("  ".join(bits))
        print(
            textwrap.fill(
                text(row.description), 88, initial_indent=" " * 4, subsequent_indent=" " * 4
            )
        )

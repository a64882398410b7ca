"""``b12stats extract``: summary statistics from plain text and HTML files.

Prints one row per statistic found (a table, or CSV with ``--format csv``);
``--out FILE.csv`` writes every column (see :data:`b12stats.text.COLUMNS`).
``--to-data DIR`` adds the rows as drafts to a data package folder (the
tables of ``data/`` with their headers, e.g. one made by ``b12stats init``),
validated before anything is written; never into the bundled data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from b12stats.cli._args import add_format_option
from b12stats.cli._help import Command

#: Columns of :data:`b12stats.text.COLUMNS` left out of the printed table (all columns go
#: to --out and --format csv).
NOT_PRINTED = ("start", "end", "text")
KINDS = ("primary", "secondary", "lay", "reference")


COMMAND = Command(
    help="read the summary statistics printed in abstracts (text or HTML)",
    description=(
        "Read plain-text or HTML files (a folder stands for its .txt and .html files) and "
        "print one row per summary statistic: correlations, medians/means with their "
        "spread, shares with their cut-off, effects, fold ratios, P-only comparisons and "
        "sample sizes, with the character offsets of their numbers. needs_review is true "
        "where a role was inferred from list order or 'respectively', or a symbol was lost "
        "in copying."
    ),
    examples=(
        "b12stats extract abstract.txt",
        "b12stats extract abstracts/ --out extracted.csv",
        "b12stats extract page.html --format csv > rows.csv",
        (
            "b12stats init my-study && b12stats extract abstract.txt "
            "--to-data my-study --source-id smith2024 --kind primary"
        ),
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats extract``."""
    p.add_argument("files", nargs="+", metavar="FILE", help="text or HTML files, or folders")
    p.add_argument("--out", metavar="FILE.csv", help="write all columns as CSV")
    add_format_option(p, "stdout format: a readable table (default) or CSV with all columns")
    p.add_argument(
        "--to-data",
        metavar="DIR",
        help="add the rows as draft rows to the data package in DIR (needs --source-id, --kind)",
    )
    p.add_argument("--source-id", metavar="ID", help="source id of the drafted rows")
    p.add_argument("--kind", choices=KINDS, help="kind of the source (with --to-data)")


def run(args: argparse.Namespace) -> int:
    """Extract, print, and write what was asked; return the exit status."""
    from b12stats._io import write_csv
    from b12stats.cli._args import output_plan
    from b12stats.errors import OptionError
    from b12stats.text import extract_files, text_files

    if args.to_data is None and (args.source_id or args.kind):
        raise OptionError("--source-id and --kind go with --to-data DIR")
    if args.to_data is not None and not (args.source_id and args.kind):
        raise OptionError("--to-data needs --source-id ID and --kind KIND")
    plan = output_plan()
    paths = text_files(args.files)
    for path in paths:
        plan.add_input("FILE", path)
    plan.add_output("--out", args.out)
    frame = extract_files(paths)
    tables: dict[str, Any] = {}
    skipped: list[tuple[int, str]] = []
    if args.to_data is not None:
        tables, skipped = draft_package(frame, args.to_data, args.source_id, args.kind)
        for name in tables:
            plan.add_output("--to-data", str(Path(args.to_data) / f"{name}.csv"))
    with plan:
        if args.format == "csv":
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        else:
            print(_table(frame))
        if args.out:
            write_csv(args.out, frame)
        for name, table in tables.items():
            write_csv(Path(args.to_data) / f"{name}.csv", table)
    messages = sys.stdout if args.format == "table" else sys.stderr
    if args.out:
        print(f"wrote {args.out}", file=messages)
    for name, table in tables.items():
        print(f"wrote {Path(args.to_data) / f'{name}.csv'} ({len(table)} rows)", file=messages)
    if skipped:
        print(f"{len(skipped)} extracted rows not drafted:", file=messages)
        for reason in sorted({r for _, r in skipped}):
            count = sum(1 for _, r in skipped if r == reason)
            print(f"  {count} x {reason}", file=messages)
    return 0


def _table(frame: Any) -> str:
    if frame.empty:
        return "no statistics found"
    from b12stats.text import COLUMNS

    shown = frame[[c for c in COLUMNS if c not in NOT_PRINTED]].copy()
    shown["file"] = [Path(str(f)).name for f in shown["file"]]
    shown["needs_review"] = ["review" if v else "" for v in shown["needs_review"]]
    return shown.to_string(index=False)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def draft_package(
    frame: Any, directory: str, source_id: str, kind: str
) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """The tables of ``directory`` with the drafted rows appended, validated.

    Returns the tables to write (name -> frame of strings) and the extracted
    rows not drafted with the reason. Nothing is written here.
    """
    import tempfile

    import pandas as pd

    from b12stats import data
    from b12stats.errors import DataValidationError, OptionError
    from b12stats.text.drafts import draft_tables

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise OptionError(f"--to-data must be a folder, got the file {directory!r}")
    bundled = data.data_dir().resolve()
    if folder.resolve() == bundled or bundled in folder.resolve().parents:
        raise OptionError(
            f"--to-data {directory!r} is inside the bundled data; "
            "write drafts into your own package (b12stats init DIR)"
        )
    if source_id in set(data.load_sources()["source_id"]):
        raise OptionError(f"--source-id {source_id!r} is a bundled source; choose another id")
    existing: dict[str, pd.DataFrame] = {}
    for name in data.table_names():
        path = folder / f"{name}.csv"
        if path.is_file():
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            columns = data.table_schema(name).columns
            if list(table.columns) != columns:
                raise DataValidationError(
                    f"the header is not that of the {name} table ({', '.join(columns)})",
                    file=path,
                    line=1,
                )
            existing[name] = table
    ids = [i for t in existing.values() if "row_id" in t for i in t["row_id"]]
    drafts = draft_tables(frame, source_id=source_id, kind=kind, existing_ids=ids)
    load_tables: Any = None
    try:
        from b12stats.packages import load_tables
    except ImportError:  # data packages not available: validate table by table
        pass
        if drafts.tables["comparisons"]:
            n = len(drafts.tables["comparisons"])
            drafts.skipped.extend(
                (-1, "ratios need data packages (b12stats init)") for _ in range(n)
            )
            drafts.tables["comparisons"] = []
    if "sources" in existing and source_id in set(existing["sources"]["source_id"]):
        drafts.tables["sources"] = []
    if "cohorts" in existing and f"{source_id}_cohort" in set(existing["cohorts"]["cohort"]):
        drafts.tables["cohorts"] = []
    out: dict[str, pd.DataFrame] = {}
    for name, rows in drafts.tables.items():
        if not rows and name not in existing:
            continue
        columns = data.table_schema(name).columns
        new = pd.DataFrame(
            [{c: _cell(r.get(c, "")) for c in columns} for r in rows], columns=columns
        )
        out[name] = (
            pd.concat([existing[name], new], ignore_index=True) if name in existing else new
        )
    written = {name: t for name, t in out.items() if drafts.tables.get(name)}
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in out.items():
            table.to_csv(Path(tmp) / f"{name}.csv", index=False, lineterminator="\n")
        try:
            if load_tables is not None:
                load_tables([tmp])
            else:
                sources = Path(tmp) / "sources.csv"
                for name in out:
                    if name != "sources":
                        data.load_table(
                            Path(tmp) / f"{name}.csv",
                            table=name,
                            sources=sources if sources.exists() else None,
                        )
        except DataValidationError as exc:
            raise DataValidationError(
                "the drafted rows do not validate: " + str(exc).replace(tmp, str(folder)),
            ) from None
    return written, drafts.skipped

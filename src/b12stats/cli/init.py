"""``b12stats init DIR``: write a data package to fill in (headers, datapackage.json, README)."""

from __future__ import annotations

import argparse

from b12stats.cli._help import Command

COMMAND = Command(
    help="write an empty data package for your own study",
    description=(
        "Write into DIR (new or empty) the header of every table as an empty CSV file, "
        "datapackage.json, and README.md listing each column's meaning, type, unit and "
        "allowed values. A DIR that holds anything is refused (nothing is overwritten)."
    ),
    examples=(
        "b12stats init my_study/                 # then fill in the CSV files",
        "b12stats data --data my_study/          # validate them",
        "b12stats reproduce --data my_study/ --data-only",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats init``."""
    p.add_argument("directory", metavar="DIR", help="the new package's folder (new or empty)")


def run(args: argparse.Namespace) -> int:
    """Write the package; return the exit status."""
    from pathlib import Path

    from b12stats import _io
    from b12stats.cli._args import output_plan
    from b12stats.errors import OptionError
    from b12stats.packages import template_files

    root = Path(args.directory)
    if root.exists() and not root.is_dir():
        raise OptionError(f"{args.directory} is a file; init writes a package into a folder")
    if root.is_dir() and any(root.iterdir()):
        raise OptionError(
            f"{args.directory} is not empty; init writes a new package into a new or empty "
            "folder and overwrites nothing (nothing was written)"
        )
    files = template_files(root.resolve().name)
    plan = output_plan()
    for name in files:
        plan.add_output("DIR", str(root / name))
    with plan:
        for name, text in files.items():
            _io.write_text(root / name, text)
    print(f"wrote {len(files)} files to {args.directory}: {', '.join(files)}")
    print(
        f"fill in the CSV files (README.md says what each column holds), then: "
        f"b12stats data --data {args.directory}"
    )
    return 0

"""``b12stats fit``: fit a GEE model to any CSV file.

Example::

    b12stats fit dyads.csv --formula "infant_b12 ~ milk_b12 + C(infant_sex)" \\
        --groups village --family gaussian --cov-struct exchangeable --out fit.csv

Prints the tidy coefficient table; model warnings (dropped rows, few clusters,
non-convergence, quasi-separation) go to stderr as ``warning: ...`` lines. With
``--out`` the table of :meth:`b12stats.models.GEEResult.to_frame` is written
as CSV (atomically). The exit status is 0 for a fitted model (also when it
carries warnings) and 2 for a user error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from b12stats.cli._args import add_choice, passed_on
from b12stats.cli._help import Command

# Literal copies of b12stats.models.FAMILIES etc., so that building the parser
# does not import pandas/statsmodels (tests check they agree).
FAMILIES = ("gaussian", "binomial")
COV_STRUCTS = ("exchangeable", "independence")
COV_TYPES = ("robust", "bias_reduced", "naive")
#: The options passed on to :func:`b12stats.models.fit_gee` by name.
MODEL_OPTIONS = ("groups", "family", "cov_struct", "cov_type", "conf_level")


COMMAND = Command(
    help="fit a GEE model (robust SEs) to a CSV file",
    description=(
        "Fit a generalized estimating equations model to DATA.csv with robust "
        "(sandwich) standard errors; results match R geepack::geeglm. Wald "
        "confidence intervals and two-sided P values use the normal reference."
    ),
    examples=(
        "b12stats simulate --design kenya --seed 1 --out kenya.csv",
        (
            'b12stats fit kenya.csv --formula "infant_b12 ~ milk_b12 + infant_age_months" '
            "--groups cluster"
        ),
        (
            'b12stats fit kenya.csv --formula "np.log(infant_b12) ~ np.log(milk_b12)" '
            "--groups cluster --out loglog.csv"
        ),
        (
            'b12stats fit kenya.csv --formula "adequate ~ milk_b12" --groups cluster '
            "--family binomial --cov-type bias_reduced"
        ),
    ),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats fit``."""
    parser.add_argument("data", metavar="DATA.csv", help="CSV file, one row per observation")
    parser.add_argument(
        "--formula", required=True, help='model formula, e.g. "y ~ x + C(z)" (R/statsmodels style)'
    )
    parser.add_argument("--groups", required=True, metavar="COL", help="column of the cluster ids")
    add_choice(
        parser,
        "--family",
        FAMILIES,
        "gaussian (identity link) or binomial (logit link, a 0/1 outcome; default gaussian)",
    )
    add_choice(
        parser,
        "--cov-struct",
        COV_STRUCTS,
        "working correlation within clusters (default exchangeable)",
    )
    add_choice(
        parser,
        "--cov-type",
        COV_TYPES,
        "robust sandwich SE (default), bias_reduced (Mancl-DeRouen, for few clusters) or naive",
    )
    parser.add_argument(
        "--conf-level",
        type=float,
        default=0.95,
        metavar="LEVEL",
        help="confidence level of the intervals (default 0.95)",
    )
    parser.add_argument("--out", metavar="FILE.csv", help="write the tidy table as CSV")


def run(args: argparse.Namespace) -> int:
    """Read the CSV, fit, print, optionally write; return the exit status."""
    from b12stats._io import write_csv
    from b12stats.cli._args import output_plan

    plan = output_plan()
    plan.add_input("DATA.csv", args.data)
    plan.add_output("--out", args.out)
    with plan:
        result = _fit(args)
        print(result.summary(args.data, notes=False))
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if args.out:
            write_csv(args.out, result.to_frame())
    if args.out:
        print(f"wrote {args.out}")
    return 0


def _fit(args: argparse.Namespace) -> Any:
    """Read DATA.csv and fit the model; errors name the user's file."""
    from b12stats import _csvread
    from b12stats.errors import DataValidationError
    from b12stats.models import fit_gee

    numeric = numeric_columns(args.formula)
    cells = _csvread.read_csv(args.data)
    if args.groups not in cells.columns:
        raise DataValidationError(
            f"no column {args.groups!r} (named by --groups); the columns are: "
            + ", ".join(map(str, cells.columns)),
            file=args.data,
            line=1,
        )
    for col in numeric:
        if col in cells.columns:
            _csvread.require_numeric(cells, [col], label=args.data, why=_why_numeric(cells, col))
    try:
        return fit_gee(_csvread.typed(cells), args.formula, **passed_on(args, *MODEL_OPTIONS))
    except DataValidationError as exc:
        if exc.file is not None:
            raise
        # name the user's file in the one-line error
        raise DataValidationError(
            exc.reason, file=args.data, line=exc.line, column=exc.column
        ) from None


def _why_numeric(cells: Any, col: str) -> str:
    """The end of the message for a non-number in ``col``."""
    import pandas as pd

    why = "a column used numerically must hold numbers only"
    if pd.to_numeric(cells[col], errors="coerce").isna().all():  # no number at all: a category
        why += f"; write C({col}) in the formula to use it as categories"
    return why


def numeric_columns(formula: str) -> list[str]:
    """:func:`b12stats.models.formula_numeric_columns` (imported when needed)."""
    from b12stats.models import formula_numeric_columns

    return formula_numeric_columns(formula)

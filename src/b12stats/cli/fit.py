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
import ast
import sys
from typing import Any

from b12stats.cli._help import HelpFormatter, examples

# Literal copies of b12stats.models.FAMILIES etc., so that building the parser
# does not import pandas/statsmodels (tests check they agree).
FAMILIES = ("gaussian", "binomial")
COV_STRUCTS = ("exchangeable", "independence")
COV_TYPES = ("robust", "bias_reduced", "naive")


def register(subparsers: Any) -> None:
    """Add the ``fit`` subcommand."""
    parser = subparsers.add_parser(
        "fit",
        help="fit a GEE model (robust SEs) to a CSV file",
        description=(
            "Fit a generalized estimating equations model to DATA.csv with robust "
            "(sandwich) standard errors; results match R geepack::geeglm. Wald "
            "confidence intervals and two-sided P values use the normal reference."
        ),
        formatter_class=HelpFormatter,
        epilog=examples(
            "b12stats simulate --design kenya --seed 1 --out kenya.csv",
            'b12stats fit kenya.csv --formula "infant_b12 ~ milk_b12 + infant_age_months" '
            "--groups cluster",
            'b12stats fit kenya.csv --formula "np.log(infant_b12) ~ np.log(milk_b12)" '
            "--groups cluster --out loglog.csv",
            'b12stats fit kenya.csv --formula "adequate ~ milk_b12" --groups cluster '
            "--family binomial --cov-type bias_reduced",
        ),
    )
    parser.add_argument("data", metavar="DATA.csv", help="CSV file, one row per observation")
    parser.add_argument(
        "--formula", required=True, help='model formula, e.g. "y ~ x + C(z)" (R/statsmodels style)'
    )
    parser.add_argument("--groups", required=True, metavar="COL", help="column of the cluster ids")
    parser.add_argument(
        "--family",
        choices=FAMILIES,
        default="gaussian",
        help="gaussian (identity link) or binomial (logit link, a 0/1 outcome; default gaussian)",
    )
    parser.add_argument(
        "--cov-struct",
        choices=COV_STRUCTS,
        default="exchangeable",
        help="working correlation within clusters (default exchangeable)",
    )
    parser.add_argument(
        "--cov-type",
        choices=COV_TYPES,
        default="robust",
        help="robust sandwich SE (default), bias_reduced (Mancl-DeRouen, for few "
        "clusters) or naive",
    )
    parser.add_argument(
        "--conf-level",
        type=float,
        default=0.95,
        metavar="LEVEL",
        help="confidence level of the intervals (default 0.95)",
    )
    parser.add_argument("--out", metavar="FILE.csv", help="write the tidy table as CSV")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the CSV, fit, print, optionally write; return the exit status."""
    from b12stats._io import write_csv
    from b12stats.cli._args import output_plan

    plan = output_plan()
    plan.add_input("DATA.csv", args.data)
    plan.add_output("--out", args.out)
    with plan:
        result = _fit(args)
        print(_format(result, args.data))
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
        return fit_gee(
            _csvread.typed(cells),
            args.formula,
            groups=args.groups,
            family=args.family,
            cov_struct=args.cov_struct,
            cov_type=args.cov_type,
            conf_level=args.conf_level,
        )
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


class _DropCategorical(ast.NodeTransformer):
    """Replace every ``C(...)`` term by a constant (its columns are categories)."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "C":
            return ast.copy_location(ast.Constant(1), node)
        self.generic_visit(node)
        return node


def numeric_columns(formula: str) -> list[str]:
    """Columns the formula uses as numbers: the outcome and those outside ``C(...)``.

    Examples
    --------
    >>> numeric_columns("np.log(y) ~ x + C(sex) + C(site):dose")
    ['y', 'x', 'dose']
    """
    from b12stats.models import _formula_columns, _names

    _formula_columns(formula)  # raises OptionError for a malformed formula
    lhs, rhs = formula.split("~")
    found: list[str] = []
    for side in (lhs, rhs):
        tree = ast.parse(side.strip().replace(":", "*") or "1", mode="eval")
        found += _names(ast.unparse(_DropCategorical().visit(tree)), formula)
    return list(dict.fromkeys(found))


def _format(result: Any, source: str) -> str:
    """Human-readable summary and coefficient table."""
    coef = result.coefficients.copy()
    pct = f"{100 * result.conf_level:g}%"
    columns = ["term", "estimate", "se", "ci_low", "ci_high", "statistic", "p_value"]
    if result.family == "binomial":
        columns += ["odds_ratio", "or_ci_low", "or_ci_high"]
    formatters = dict.fromkeys(columns[1:], _number)
    formatters["p_value"] = _p_value
    table = coef[columns].to_string(index=False, formatters=formatters)
    alpha = (
        "not estimated (independence)"
        if result.cov_struct == "independence"
        else f"{result.working_correlation:.4g}"
    )
    head = [
        f"{result.method}: {result.formula}",
        f"data: {source}; {result.n_obs} observations in {result.n_clusters} clusters "
        f"(size {result.cluster_size_min}-{result.cluster_size_max})"
        + (f"; {result.n_dropped} rows dropped (missing values)" if result.n_dropped else ""),
        f"working correlation: {alpha}; scale: {result.scale:.5g}; "
        f"converged: {'yes' if result.converged else 'NO'}",
        f"Wald {pct} intervals and two-sided P values (normal reference)",
        "",
    ]
    return "\n".join([*head, table])


def _number(value: float) -> str:
    return f"{value:.5g}"


def _p_value(value: float) -> str:
    return "<1e-16" if value < 1e-16 else f"{value:.3g}"

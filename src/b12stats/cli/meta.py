"""``b12stats meta``: pool correlations (Fisher z, random effects), as metafor would."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from b12stats.cli._args import add_choice
from b12stats.cli._help import Command
from b12stats.cli.data import add_package_options, load_packages

logger = logging.getLogger(__name__)

PLOT_SUFFIXES = (".png", ".pdf", ".svg")

#: The on/off options that choose which rows are pooled: flag -> help.
ROW_SWITCHES = {
    "--include-secondary": (
        "the tables (no DATA): also pool secondary sources (flagged in labels and notes)"
    ),
    "--primary-only": (
        "pool primary sources only (the default for the tables; for DATA, the kinds "
        "come from its source_id column and the sources in use)"
    ),
    "--include-inconsistent": (
        "keep rows the audit judges inconsistent (left out and listed by default)"
    ),
    "--skip-unpoolable": (
        "your DATA: leave out and list rows that cannot be pooled instead of failing"
    ),
}

#: How a row left out for the audit's verdict begins its reason.
INCONSISTENT = "the audit judges it inconsistent"


COMMAND = Command(
    help="pool correlations across studies (random-effects meta-analysis)",
    description=(
        "Pool correlation coefficients on the Fisher z scale (variance 1/(n - 3)) with an "
        "equal-effects or random-effects model, as R's metafor rma(measure = 'ZCOR'). "
        "Without DATA: the bundled published correlations, one pool per variable pair, "
        "primary sources only; rows without r or n and adjusted coefficients are left "
        "out and listed. With DATA (your CSV, one correlation per row): rows that cannot "
        "be pooled are an error unless --skip-unpoolable. With --data DIR: your data "
        "package's correlations join the bundled ones (--data-only: yours alone), and its "
        "sources give the kinds of DATA's source_id column for --primary-only. Rows the "
        "audit judges inconsistent (r, P and n that cannot go together) are left out and "
        "listed unless --include-inconsistent; DATA is audited when it is laid out like "
        "the correlations table."
    ),
    examples=(
        "b12stats meta                          # the bundled correlations, by pair",
        "b12stats meta --include-secondary --plot forest.png",
        "b12stats meta my_r.csv --r r --n n --label study --method REML --test knha",
        (
            "b12stats meta my_r.csv --label study --by region --out pooled.csv "
            "--studies weights.csv"
        ),
        "b12stats meta --data my_study/          # bundled and your correlations, by pair",
        "b12stats meta my_r.csv --primary-only --data my_study/  # kinds from its sources",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats meta``."""
    add_package_options(p)
    p.add_argument("data", nargs="?", metavar="DATA.csv", help="your table of correlations")
    p.add_argument("--r", dest="r_col", default="r", metavar="COL", help="column of r (default r)")
    p.add_argument("--n", dest="n_col", default="n", metavar="COL", help="column of n (default n)")
    p.add_argument("--label", dest="label_col", metavar="COL", help="column of study labels")
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="COL",
        help="pool separately by this column (repeatable); 'pair' = the unordered pair "
        "var_x/var_y",
    )
    add_choice(
        p,
        "--method",
        ("REML", "DL", "PM", "EE"),
        "τ² estimator, or EE for the equal-effects model (default REML)",
    )
    add_choice(p, "--test", ("z", "knha"), "Wald z or Knapp-Hartung t inference (default z)")
    p.add_argument(
        "--conf-level",
        "--level",
        dest="level",
        type=float,
        default=0.95,
        metavar="LEVEL",
        help="confidence level (default 0.95; --level is the old spelling)",
    )
    for flag, text in ROW_SWITCHES.items():
        p.add_argument(flag, action="store_true", help=text)
    p.add_argument("--out", metavar="FILE.csv", help="write the pooled estimates (one per row)")
    p.add_argument("--studies", metavar="FILE.csv", help="write the study rows with weights")
    p.add_argument(
        "--leave-one-out", dest="loo", metavar="FILE.csv", help="write leave-one-out pools"
    )
    p.add_argument("--plot", metavar="FILE", help="forest plot (.png, .pdf or .svg)")
    add_choice(p, "--scale", ("r", "z"), "forest plot axis: r or Fisher z (default r)")


def _summary_text(table: Any) -> str:
    """The table's summary, with a hint when rows were left out for the audit's verdict."""
    text = table.summary()
    if not table.excluded.empty and table.excluded["reason"].str.startswith(INCONSISTENT).any():
        text += "\n  (--include-inconsistent keeps the rows the audit judges inconsistent)"
    return text


def run(args: argparse.Namespace) -> int:
    """Pool, print a summary, write the requested files; return the exit status."""
    from b12stats import _io
    from b12stats.cli._args import output_plan
    from b12stats.errors import OptionError

    if args.plot and Path(args.plot).suffix.lower() not in PLOT_SUFFIXES:
        raise OptionError(f"--plot must end in one of {', '.join(PLOT_SUFFIXES)}: {args.plot}")
    if not 0.0 < args.level < 1.0:
        raise OptionError(f"--conf-level must be between 0 and 1, not {args.level}")
    plan = output_plan()
    plan.add_input("DATA.csv", args.data)
    if args.data_dirs or args.data_only:
        args.packages = load_packages(args, plan)
    else:
        args.packages = None
    plan.add_output("--out", args.out)
    plan.add_output("--studies", args.studies)
    plan.add_output("--leave-one-out", args.loo)
    plan.add_output("--plot", args.plot)
    with plan:
        table = _pool(args)
        for row in table.excluded.itertuples(index=False):
            logger.info("left out %s: %s", row.row, row.reason)
        print(_summary_text(table))
        if args.out:
            _io.write_csv(args.out, table.to_frame())
        if args.studies:
            _io.write_csv(args.studies, table.studies())
        if args.loo:
            _io.write_csv(args.loo, table.leave_one_out())
        if args.plot:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            from b12stats.plots.forest import plot_forest

            ax = plot_forest(table, scale=args.scale)
            try:
                _io.save_figure(ax.figure, args.plot)
            finally:
                plt.close(ax.figure)
    return 0


def _pool(args: argparse.Namespace) -> Any:
    """Pool the correlations in use (bundled and packages) or the user's DATA.csv."""
    import dataclasses

    import pandas as pd

    from b12stats._csvread import read_csv
    from b12stats.errors import OptionError
    from b12stats.pooling import pool_table
    from b12stats.stats.meta import EXCLUDED_COLUMNS

    tables = args.packages.tables if args.packages is not None else None
    if args.data is None:
        if args.include_secondary and args.primary_only:
            raise OptionError("--include-secondary and --primary-only contradict each other")
        if tables is None:
            from b12stats.packages import load_tables

            tables = load_tables()
        frame = tables["correlations"]
        by = ["pair", *[c for c in args.by if c != "pair"]]
        kinds_pooled = ("primary", "secondary") if args.include_secondary else ("primary",)
        if frame.empty:
            raise OptionError("no correlations in the data in use: nothing to pool")
        frame, left_out = _drop_inconsistent(args, frame, tables, by, kinds_pooled)
        if frame.empty:
            reasons = "; ".join(f"{row}: {reason}" for row, _, _, reason in left_out[:5])
            raise OptionError(f"nothing left to pool ({reasons})")
        table = pool_table(
            frame,
            label="row_id",
            by=by,
            method=args.method,
            test=args.test,
            conf_level=args.level,
            source_kinds=kinds_pooled,
            on_unpoolable="skip",
        )
    else:
        if args.include_secondary:
            raise OptionError(
                "--include-secondary applies to the tables (no DATA.csv); a DATA file pools "
                "every row unless --primary-only"
            )
        frame = read_csv(args.data, missing_as_nan=True)
        left_out = []
        if args.primary_only:
            frame, left_out = _primary_rows(args, frame, tables)
        if len(frame):
            frame, more = _drop_inconsistent(args, frame, _with_file(args, tables), args.by, None)
            left_out += more
        if not len(frame):
            reasons = "; ".join(f"{row}: {reason}" for row, _, _, reason in left_out[:5])
            raise OptionError(f"{args.data}: nothing left to pool ({reasons})")
        table = pool_table(
            frame,
            r=args.r_col,
            n=args.n_col,
            label=args.label_col,
            by=args.by,
            method=args.method,
            test=args.test,
            conf_level=args.level,
            on_unpoolable="skip" if args.skip_unpoolable else "raise",
            file=args.data,
        )
    if left_out:
        mine = pd.DataFrame(left_out, columns=list(EXCLUDED_COLUMNS))
        table = dataclasses.replace(
            table, excluded=pd.concat([mine, table.excluded], ignore_index=True)
        )
    return table


def _group(row: Any, by: list[str]) -> str:
    """The pool a row would be in (as :func:`b12stats.pooling.pool_table` names it)."""
    import pandas as pd

    parts = []
    for col in by:
        if col == "pair" and "var_x" in row and "var_y" in row:
            value: Any = "~".join(sorted((str(row["var_x"]), str(row["var_y"]))))
        else:
            value = row.get(col)
        parts.append(f"{col}={'NA' if value is None or pd.isna(value) else value}")
    return ", ".join(parts) or "all"


def _row_name(args: argparse.Namespace, row: Any, index: Any) -> tuple[str, str]:
    """(row, label) of a left-out row, as pool_table names them."""
    import pandas as pd

    name = str(row["row_id"]) if "row_id" in row and not pd.isna(row["row_id"]) else None
    if name is None:
        name = f"line {int(index) + 2}" if args.data is not None else f"row {index}"
    label = name
    if args.label_col and args.label_col in row and not pd.isna(row[args.label_col]):
        label = str(row[args.label_col])
    return name, label


def _primary_rows(args: argparse.Namespace, frame: Any, tables: Any) -> tuple[Any, list[Any]]:
    """DATA's rows whose source (its source_id column) is a primary one; the rest left out."""
    from b12stats.errors import DataValidationError
    from b12stats.packages import load_tables

    if "source_id" not in frame.columns:
        raise DataValidationError(
            "--primary-only needs a source_id column naming each row's source "
            "(its kind comes from the sources table in use: bundled, or --data DIR)",
            file=args.data,
            line=1,
        )
    sources = (tables if tables is not None else load_tables())["sources"]
    kinds = dict(zip(sources["source_id"], sources["kind"], strict=True))
    keep, left_out = [], []
    for index, row in frame.iterrows():
        sid = row["source_id"]
        if sid not in kinds:
            hint = "add it to your package's sources.csv" + (
                "" if args.data_dirs else " and give the package with --data DIR"
            )
            raise DataValidationError(
                f"unknown source id {sid!r}; {hint}",
                file=args.data,
                line=int(index) + 2,
                column="source_id",
            )
        if kinds[sid] == "primary":
            keep.append(index)
        else:
            name, label = _row_name(args, row, index)
            reason = f"source kind {kinds[sid]} is not pooled (--primary-only)"
            left_out.append((name, label, _group(row, args.by), reason))
    return frame.loc[keep], left_out


def _with_file(args: argparse.Namespace, tables: Any) -> Any:
    """The tables in use with DATA as the correlations, if DATA is laid out like that table.

    DATA's rows replace the correlations in use (its ids may repeat theirs: a
    table exported with ``b12stats data correlations --format csv``); the
    other tables give the sources and cohorts. ``None`` when DATA is not laid
    out like the correlations table or does not follow its schema (then it is
    not audited; the reason is logged).
    """
    from b12stats import data
    from b12stats._csvread import read_csv
    from b12stats.errors import DataValidationError
    from b12stats.packages import load_tables

    header = set(read_csv(args.data).columns)
    if not set(data.table_schema("correlations").columns) <= header:
        logger.info("%s is not laid out like the correlations table: not audited", args.data)
        return None
    tables = dict(tables if tables is not None else load_tables())
    try:
        tables["correlations"] = data.load_table(
            args.data, table="correlations", sources=tables["sources"]
        )
    except DataValidationError as exc:
        logger.warning("not audited (rows the audit would judge are kept): %s", exc)
        return None
    return tables


def _drop_inconsistent(
    args: argparse.Namespace,
    frame: Any,
    tables: Any,
    by: list[str],
    kinds: tuple[str, ...] | None,
) -> tuple[Any, list[Any]]:
    """Leave out rows with a correlation check the audit judges inconsistent (listed).

    Only rows of the source ``kinds`` pooled (all when None); the others are
    left out by :func:`~b12stats.pooling.pool_table` for their kind.
    """
    if tables is None or args.include_inconsistent or "row_id" not in frame.columns:
        return frame, []
    from b12stats.audit import run_audit

    checks = run_audit(tables).to_frame()
    bad = checks[(checks["verdict"] == "inconsistent") & (checks["table"] == "correlations")]
    why: dict[str, str] = {}
    for check_id, detail in zip(bad["check_id"], bad["detail"], strict=True):
        why.setdefault(
            str(check_id).split(":", 1)[0],
            f"{INCONSISTENT} ({check_id}: {detail})",
        )
    drop = frame["row_id"].isin(list(why)).to_numpy().copy()
    if kinds is not None and "source_kind" in frame.columns:
        drop &= frame["source_kind"].isin(kinds).to_numpy()
    left_out = []
    for index, row in frame[drop].iterrows():
        name, label = _row_name(args, row, index)
        left_out.append((name, label, _group(row, by), why[str(row["row_id"])]))
    return frame[~drop], left_out

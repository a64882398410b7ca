"""``b12stats meta``: pool correlations (Fisher z, random effects), as metafor would."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from b12stats.cli._help import HelpFormatter, examples

logger = logging.getLogger(__name__)

PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``meta`` subcommand."""
    p = subparsers.add_parser(
        "meta",
        help="pool correlations across studies (random-effects meta-analysis)",
        formatter_class=HelpFormatter,
        epilog=examples(
            "b12stats meta                          # the bundled correlations, by pair",
            "b12stats meta --include-secondary --plot forest.png",
            "b12stats meta my_r.csv --r r --n n --label study --method REML --test knha",
            "b12stats meta my_r.csv --label study --by region --out pooled.csv "
            "--studies weights.csv",
        ),
        description=(
            "Pool correlation coefficients on the Fisher z scale (variance 1/(n - 3)) with an "
            "equal-effects or random-effects model, as R's metafor rma(measure = 'ZCOR'). "
            "Without DATA: the bundled published correlations, one pool per variable pair, "
            "primary sources only; rows without r or n and adjusted coefficients are left "
            "out and listed. With DATA (your CSV, one correlation per row): rows that cannot "
            "be pooled are an error unless --skip-unpoolable."
        ),
    )
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
    p.add_argument(
        "--method",
        choices=("REML", "DL", "PM", "EE"),
        default="REML",
        help="τ² estimator, or EE for the equal-effects model (default REML)",
    )
    p.add_argument(
        "--test",
        choices=("z", "knha"),
        default="z",
        help="Wald z or Knapp-Hartung t inference (default z)",
    )
    p.add_argument(
        "--conf-level",
        "--level",
        dest="level",
        type=float,
        default=0.95,
        metavar="LEVEL",
        help="confidence level (default 0.95; --level is the old spelling)",
    )
    p.add_argument(
        "--include-secondary",
        action="store_true",
        help="bundled data: also pool secondary sources (flagged in labels and notes)",
    )
    p.add_argument(
        "--skip-unpoolable",
        action="store_true",
        help="your DATA: leave out and list rows that cannot be pooled instead of failing",
    )
    p.add_argument("--out", metavar="FILE.csv", help="write the pooled estimates (one per row)")
    p.add_argument("--studies", metavar="FILE.csv", help="write the study rows with weights")
    p.add_argument(
        "--leave-one-out", dest="loo", metavar="FILE.csv", help="write leave-one-out pools"
    )
    p.add_argument("--plot", metavar="FILE", help="forest plot (.png, .pdf or .svg)")
    p.add_argument(
        "--scale",
        choices=("r", "z"),
        default="r",
        help="forest plot axis: r or Fisher z (default r)",
    )
    p.set_defaults(func=run)


def _summary_text(table: Any) -> str:
    import pandas as pd

    frame = table.to_frame()
    level = round(100 * float(frame["conf_level"].iloc[0]))

    def num(x: float, d: int = 3) -> str:
        return "NA" if pd.isna(x) else f"{x:.{d}f}"

    def pval(p: float) -> str:
        return "p = NA" if pd.isna(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")

    lines = []
    for res, (_, row) in zip(table.results, frame.iterrows(), strict=True):
        lines.append(f"{row['group']}: k = {row['k']}, n = {row['n_total']}")
        lines.append(
            f"  r = {num(row['estimate_r'])} [{level}% CI {num(row['ci_low_r'])}, "
            f"{num(row['ci_high_r'])}], prediction interval [{num(row['pi_low_r'])}, "
            f"{num(row['pi_high_r'])}]  ({row['method']}, {row['test']})"
        )
        lines.append(
            f"  tau2 = {num(row['tau2'], 4)} [{num(row['tau2_ci_low'], 4)}, "
            f"{num(row['tau2_ci_high'], 4)}], I2 = {num(row['i2'], 1)}%, "
            f"Q = {num(row['q'], 2)} ({pval(row['q_p_value'])})"
        )
        lines.extend(f"  note: {note}" for note in res.notes)
    for group in table.unpooled_groups:
        lines.append(f"{group}: nothing to pool (every row left out, see below)")
    if not table.excluded.empty:
        lines.append("left out:")
        lines.extend(
            f"  {row.row}: {row.reason}" for row in table.excluded.itertuples(index=False)
        )
    return "\n".join(lines)


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
    """Pool the bundled correlations or the user's DATA.csv."""
    from b12stats._csvread import read_csv
    from b12stats.errors import OptionError
    from b12stats.stats.meta import pool_table

    if args.data is None:
        from b12stats.data import load_table

        frame = load_table("correlations")
        if "source_kind" not in frame.columns:
            sources = load_table("sources")
            kinds = dict(zip(sources["source_id"], sources["kind"], strict=True))
            frame = frame.assign(source_kind=frame["source_id"].map(kinds))
        kinds_pooled = ("primary", "secondary") if args.include_secondary else ("primary",)
        return pool_table(
            frame,
            label="row_id",
            by=["pair", *[c for c in args.by if c != "pair"]],
            method=args.method,
            test=args.test,
            conf_level=args.level,
            source_kinds=kinds_pooled,
            on_unpoolable="skip",
        )
    if args.include_secondary:
        raise OptionError("--include-secondary applies to the bundled data only")
    frame = read_csv(args.data, missing_as_nan=True)
    return pool_table(
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

"""Printed ratios of two summaries and the P of their comparison."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import CONF_LEVEL, Check, Context, Kind, decide, isnum
from b12stats.audit.registry import register
from b12stats.format import format_count, format_p, format_printed
from b12stats.stats.effects import check_ratio, ratio_from_cis
from b12stats.stats.printed import rounding_interval


def _printing(
    ctx: Context, column: str
) -> Iterator[tuple[pd.Series, pd.Series, pd.Series, tuple[str, str]]]:
    """Comparisons printing ``column``, with their numerator and denominator rows and ids."""
    for _, row in ctx.rows["comparisons"].iterrows():
        if isinstance(row[column], str):
            ids = (str(row["numerator_id"]), str(row["denominator_id"]))
            yield row, ctx.row("concentrations", ids[0]), ctx.row("concentrations", ids[1]), ids


def _printed(summary: pd.Series) -> str:
    """A concentration summary's value as printed (its printed decimals)."""
    return format_printed(summary["value"], summary["value_decimals"])


_RATIO = Kind("ratio", "comparisons", "ratio")


@register("ratios", order=10)
def check_ratios(ctx: Context) -> Iterator[Check]:
    """Printed ratios (``"2.03x"``) against the ratio of the printed numerator and denominator.

    Uses :func:`b12stats.stats.effects.check_ratio`: ``reproduced`` when the
    ratio of the printed values rounds to the printed ratio; ``consistent``
    when it does only for some values inside the inputs' rounding intervals
    (``[num_lo / den_hi, num_hi / den_lo]``); else ``inconsistent``.

    Examples
    --------
    >>> check_ratios()[0].verdict
    'consistent'
    """
    for row, num, den, ids in _printing(ctx, "ratio_text"):
        res = check_ratio(
            float(num["value"]),
            float(den["value"]),
            row["ratio_text"],
            numerator_decimals=int(num["value_decimals"]),
            denominator_decimals=int(den["value_decimals"]),
        ).iloc[0]
        nt, dt = _printed(num), _printed(den)
        plo, phi = rounding_interval(float(res.printed_value), int(res.printed_decimals))
        ratio_txt = f"{nt}/{dt} = {res.ratio:.4f}"
        span = f"the inputs' rounding intervals give [{res.ratio_low:.4f}, {res.ratio_high:.4f}]"
        verdict = decide(
            reproduced=bool(res.reproduced_exact), compatible=bool(res.consistent_with_rounding)
        )
        draft = _RATIO.draft(
            ctx, row, claim=f"ratio {row['ratio_text']} ({nt} vs {dt} {num['unit']})",
            reported=row["ratio_text"],
        )  # fmt: skip
        yield (
            draft.judge(
                verdict, msg.RATIO_TEXT[verdict], uses=ids,
                recomputed=f"{res.ratio:.4f} (range {res.ratio_low:.4f}-{res.ratio_high:.4f})",
                value=float(res.ratio), low=float(res.ratio_low), high=float(res.ratio_high),
                ratio_txt=ratio_txt, span=span, printed_low=plo, printed_high=phi,
                printed=row["ratio_text"], numerator=nt, denominator=dt,
            )
        )  # fmt: skip


_COMPARISON_P = Kind("comparison_p", "comparisons", "p")


@register("comparison_p", order=30)
def check_comparison_p(ctx: Context) -> Iterator[Check]:
    """P values of group comparisons printed with the two summaries only.

    A P for a difference of medians (or means) needs the spread and the group
    sizes; none of the bundled comparisons prints them, so these are
    ``unverifiable``, with the ratio of the printed summaries as the derived number.

    Examples
    --------
    >>> check_comparison_p()[0].verdict
    'unverifiable'
    """
    for row, num, den, ids in _printing(ctx, "p_text"):
        nt, dt = _printed(num), _printed(den)
        ns = [x for x in (num["n"], den["n"]) if isnum(x)]
        n_txt = f"n = {int(num['n'])} and {int(den['n'])}" if len(ns) == 2 else "no group n"
        ratio = float(num["value"]) / float(den["value"])
        draft = _COMPARISON_P.draft(
            ctx, row, reported=row["p_text"],
            claim=f"{num['statistic']}s {nt} vs {dt} {num['unit']} differ ({row['p_text']})",
        )  # fmt: skip
        yield (
            draft.judge(
                decide(evidence=False), msg.COMPARISON_P_TEXT, uses=ids,
                recomputed=f"ratio {ratio:.3f}; P not recomputable", value=ratio,
                printed=row["p_text"], statistic=num["statistic"], numerator=nt, denominator=dt,
                unit=num["unit"], ratio=ratio, n_txt=n_txt,
            )
        )  # fmt: skip


_RATIO_VS_PRIMARY = Kind("ratio_vs_primary", "comparisons", "vs_primary")


@register("ratios_vs_primary", order=20)
def check_ratios_vs_primary(ctx: Context) -> Iterator[Check]:
    """A secondary source's ratio against the ratio of the cited primary's summaries.

    The primary's ratio ``a / b`` of two summaries printed with CIs gets a
    delta-method interval on the log scale,
    ``se(log a/b) = sqrt((se_a / a)**2 + (se_b / b)**2)`` with each ``se`` the
    CI half-width over ``z_0.975``, and the z test of ``log(a / b) = 0`` with the
    same standard error (so the P and the interval agree: the interval excludes 1
    exactly when P < 0.05). The secondary ratio is ``conflicts_with_primary``
    when it lies outside that interval.

    Examples
    --------
    >>> check_ratios_vs_primary()[0].verdict
    'conflicts_with_primary'
    """
    for row, num, den, ids in _printing(ctx, "ratio_text"):
        cited = ctx.cites.get(row["source_id"])
        if cited is None:
            continue
        pa, pb = ctx.primary_match(num, cited), ctx.primary_match(den, cited)
        draft = _RATIO_VS_PRIMARY.draft(
            ctx, row, claim=f"ratio {row['ratio_text']} of {num['statistic']}s",
            reported=row["ratio_text"], cited=cited,
        )  # fmt: skip
        if (
            pa is None
            or pb is None
            or not all(isnum(x) for x in (pa["ci_low"], pb["ci_low"]))
            or pa["ci_level"] != pb["ci_level"]
        ):
            yield (
                draft.judge(
                    decide(evidence=False), msg.RATIO_NO_PRIMARY_TEXT, uses=ids, cited=cited
                )
            )
            continue
        a, b = float(pa["value"]), float(pb["value"])
        res = ratio_from_cis(
            a,
            (float(pa["ci_low"]), float(pa["ci_high"])),
            b,
            (float(pb["ci_low"]), float(pb["ci_high"])),
            ci_level=float(pa["ci_level"]),
            conf_level=CONF_LEVEL,
        ).iloc[0]
        ratio, lo, hi, pz = (float(res[k]) for k in ("estimate", "ci_low", "ci_high", "p_value"))
        printed = float(row["ratio"])
        inside = lo <= printed <= hi
        verdict = decide(compatible=inside, against_primary=True)
        yield (
            draft.judge(
                verdict, msg.RATIO_VS_PRIMARY_TEXT[inside],
                uses=(*ids, pa["row_id"], pb["row_id"]),
                recomputed=f"primary ratio {ratio:.2f} ({lo:.2f}-{hi:.2f}), p = {format_p(pz)}",
                value=ratio, low=lo, high=hi, printed_text=row["ratio_text"], printed=printed,
                statistic=num["statistic"], n_a=format_count(num["n"]),
                n_b=format_count(den["n"]), cited=cited,
                primary_statistic=pa["statistic"].replace("_", " "), primary_a=a,
                primary_a_low=float(pa["ci_low"]), primary_a_high=float(pa["ci_high"]),
                primary_b=b, primary_b_low=float(pb["ci_low"]),
                primary_b_high=float(pb["ci_high"]), primary_n_a=format_count(pa["n"]),
                primary_n_b=format_count(pb["n"]), ratio=ratio, ratio_low=lo, ratio_high=hi,
                p=format_p(pz), p_value=pz,
            )
        )  # fmt: skip

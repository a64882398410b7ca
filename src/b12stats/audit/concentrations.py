"""Concentration summaries: vs the cited primary, quartiles, geometric-mean CIs, subgroup means."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from b12stats.audit import messages as msg
from b12stats.audit.core import Check, Context, Kind, decide, isnum
from b12stats.audit.registry import register
from b12stats.format import format_count, format_printed
from b12stats.stats.printed import rounding_interval
from b12stats.stats.quartiles import lognormal_from_quartiles
from b12stats.units import convert

_VS_PRIMARY = Kind("concentration_vs_primary", "concentrations", "vs_primary")


@register("concentrations_vs_primary", order=110)
def check_concentrations_vs_primary(ctx: Context) -> Iterator[Check]:
    """Summaries of a secondary/lay source against the same compartment in the cited primary.

    Matched by cohort and compartment (maternal / milk / infant). A different
    statistic (median vs geometric mean) is noted; for a log-normal the
    median equals the geometric mean, so a value outside the primary's CI of
    the geometric mean cannot be the same population's median:
    ``conflicts_with_primary``. Inside the CI with the same statistic:
    ``consistent``; equal to the printed precision: ``reproduced``.

    Examples
    --------
    >>> check_concentrations_vs_primary()[0].verdict
    'conflicts_with_primary'
    """
    for row, cited in ctx.citing("concentrations"):
        prim = ctx.primary_match(row, cited)
        value = float(row["value"])
        vt = format_printed(value, row["value_decimals"])
        draft = _VS_PRIMARY.draft(
            ctx, row, reported=f"{row['statistic']} {vt}", cited=cited,
            claim=f"{row['statistic']} {row['compartment'].replace('_', ' ')} {vt} {row['unit']} "
            f"({row['cohort']})",
        )  # fmt: skip
        if prim is None:
            yield draft.judge(
                decide(evidence=False), msg.CONCENTRATION_VS_PRIMARY_TEXT["none"], cited=cited
            )
            continue
        pv = float(prim["value"])
        same_stat = prim["statistic"] == row["statistic"]
        has_ci = isnum(prim["ci_low"]) and isnum(prim["ci_high"])
        lo, hi = (float(prim["ci_low"]), float(prim["ci_high"])) if has_ci else (pv, pv)
        pn, sn = prim["n"], row["n"]
        n_txt = (
            f"; n = {format_count(sn)} vs the primary's {format_count(pn)}"
            if isnum(pn) and isnum(sn) and int(pn) != int(sn)
            else ""
        )
        stat_txt = (
            ""
            if same_stat
            else f" (a {row['statistic'].replace('_', ' ')} where the primary prints a "
            f"{prim['statistic'].replace('_', ' ')})"
        )
        prim_txt = f"{cited} prints {prim['statistic'].replace('_', ' ')} {pv:g}" + (
            f" (95% CI {lo:g}-{hi:g})" if has_ci else ""
        )
        r_lo, r_hi = rounding_interval(value, int(row["value_decimals"]))
        same = same_stat and r_lo <= pv <= r_hi
        inside = lo <= value <= hi and has_ci
        outcome = "same" if same else ("inside" if inside else "outside")
        yield draft.judge(
            decide(reproduced=same, compatible=inside and same_stat, against_primary=True),
            msg.CONCENTRATION_VS_PRIMARY_TEXT[outcome], uses=(prim["row_id"],),
            recomputed=f"primary {prim['statistic']} {pv:g} ({lo:g}-{hi:g})",
            value=pv, low=lo, high=hi, primary=prim_txt, n_txt=n_txt, stat_txt=stat_txt,
            statistic=row["statistic"], printed=value, ratio=value / pv,
            where="below" if value < lo else "above", ci_or_value="CI" if has_ci else "value",
        )  # fmt: skip


_QUARTILES = Kind("quartiles", "concentrations", "quartiles")


@register("quartiles", order=170)
def check_quartiles(ctx: Context) -> Iterator[Check]:
    """Printed quartiles: Q1 <= median <= Q3 and how log-normal they look.

    The log-scale asymmetry ``(log q3 - 2 log m + log q1) / (log q3 - log q1)``
    (:func:`b12stats.stats.quartiles.lognormal_from_quartiles`) is reported;
    the prevalence checks use that fit. Ordered quartiles are ``consistent``
    (there is no derived number to reproduce); disordered ones ``inconsistent``.

    Examples
    --------
    >>> check_quartiles()[0].verdict
    'consistent'
    """
    for row in ctx.rows_with("concentrations", "q1", "q3"):
        q1, m, q3 = float(row["q1"]), float(row["value"]), float(row["q3"])
        txt = f"{row['statistic']} {m:g} (Q1 {q1:g}, Q3 {q3:g}) {row['unit']}"
        draft = _QUARTILES.draft(ctx, row, claim=txt, reported=f"{q1:g} / {m:g} / {q3:g}")
        ordered = q1 <= m <= q3
        if not ordered:
            yield draft.judge(
                decide(),
                msg.QUARTILES_TEXT["disordered"],
                recomputed="quartiles out of order",
                claim=txt,
            )
            continue
        fit = lognormal_from_quartiles(q1, m, q3)
        yield draft.judge(
            decide(compatible=True), msg.QUARTILES_TEXT["ordered"],
            recomputed=f"log asymmetry {fit.asymmetry:+.3f}; sigma(log) {fit.sigma:.3f}",
            value=fit.asymmetry, asymmetry=fit.asymmetry, sigma=fit.sigma,
            shape=msg.SHAPE[bool(fit.exact)],
        )  # fmt: skip


_GM_CI = Kind("geometric_mean_ci", "concentrations", "gm_ci")


@register("geometric_mean_ci", order=180)
def check_geometric_mean_ci(ctx: Context) -> Iterator[Check]:
    """Is a geometric mean's CI symmetric on the log scale, as ``exp(mean log ± t SE)`` gives?

    Log-symmetric means ``lo * hi = gm**2``; with rounding, some values in the
    rounding intervals must satisfy it: ``sqrt(lo_lo * hi_lo) <= gm_hi`` and
    ``sqrt(lo_hi * hi_hi) >= gm_lo``. Log-symmetric: ``reproduced``.
    Symmetric on the linear scale instead (``(lo + hi) / 2`` within rounding of
    the GM): ``consistent`` -- a legitimate but different interval (e.g. a
    delta-method GM ± z SE). Neither: ``unverifiable`` (method unknown).

    Examples
    --------
    >>> check_geometric_mean_ci()[0].verdict
    'consistent'
    """
    conc = ctx.rows["concentrations"]
    sel = conc[(conc["statistic"] == "geometric_mean") & conc["ci_low"].notna()]
    for _, row in sel.iterrows():
        gm, lo, hi = float(row["value"]), float(row["ci_low"]), float(row["ci_high"])
        g_lo, g_hi = rounding_interval(gm, int(row["value_decimals"]))
        l_lo, l_hi = rounding_interval(lo, int(row["ci_low_decimals"]))
        h_lo, h_hi = rounding_interval(hi, int(row["ci_high_decimals"]))
        geo_mid = math.sqrt(lo * hi)
        log_ok = math.sqrt(l_lo * h_lo) <= g_hi and math.sqrt(l_hi * h_hi) >= g_lo
        lin_mid = (lo + hi) / 2.0
        lin_ok = (l_lo + h_lo) / 2.0 <= g_hi and (l_hi + h_hi) / 2.0 >= g_lo
        txt = f"GM {gm:g} (95% CI {lo:g}, {hi:g}) {row['unit']}"
        verdict = decide(evidence=log_ok or lin_ok, reproduced=log_ok, compatible=lin_ok)
        draft = _GM_CI.draft(ctx, row, claim=txt, reported=f"{gm:g} ({lo:g}, {hi:g})")
        yield draft.judge(
            verdict, msg.GM_CI_TEXT[verdict], value=geo_mid,
            recomputed=f"sqrt(lo*hi) = {geo_mid:.1f}; midpoint {lin_mid:g}",
            gm=gm, ci_low=lo, ci_high=hi, geo_mid=geo_mid, lin_mid=lin_mid, below=gm - lo,
            above=hi - gm, gm_low=g_lo, gm_high=g_hi,
        )  # fmt: skip


_SUMMARY = Kind("published_summary", "concentrations", "summary")
_SUBGROUPS = Kind("subgroup_means", "concentrations", "subgroups")


@register("subgroup_means", order=190)
def check_subgroup_means(ctx: Context) -> Iterator[Check]:
    """An overall mean printed with subgroup means (e.g. by month postpartum).

    The rows of one source, cohort, compartment, group and statistic ``mean``
    with an n: the one with the largest n is the overall mean. If the
    subgroups add up to it, the n-weighted mean must reproduce it. If they
    cover only part, the mean the others must have is
    ``(N m - sum n_i m_i) / (N - sum n_i)``; inside the range of the printed
    subgroup means it is ``consistent`` (plausible), else ``unverifiable``.
    Means printed without subgroups: ``unverifiable`` (nothing to recompute
    them from; the value in pmol/L is given for pg/mL).

    Examples
    --------
    >>> check_subgroup_means()[0].verdict
    'unverifiable'
    """
    conc = ctx.rows["concentrations"]
    means = conc[conc["statistic"].isin(["mean"]) & conc["q1"].isna() & conc["ci_low"].isna()]
    keys = ["source_id", "cohort", "compartment", "group", "unit"]
    for _, grp in means.groupby(keys, sort=False):
        if len(grp) == 1 or grp["n"].isna().any():
            for _, row in grp.iterrows():
                v = float(row["value"])
                conv = (
                    f" ({convert(v, row['unit'], 'pmol/L'):.1f} pmol/L)"
                    if row["unit"] != "pmol/L"
                    else ""
                )
                draft = _SUMMARY.draft(
                    ctx, row, reported=f"{v:g} {row['unit']}",
                    claim=f"mean {row['compartment'].replace('_', ' ')} {v:g} {row['unit']}",
                )  # fmt: skip
                yield draft.judge(
                    decide(evidence=False), msg.SUMMARY_TEXT, recomputed=conv.strip(" ()"),
                    value=convert(v, row["unit"], "pmol/L"), converted=conv,
                )  # fmt: skip
            continue
        grp = grp.sort_values("n", ascending=False)
        total = grp.iloc[0]
        subs = grp.iloc[1:]
        big_n = int(total["n"])
        sub_n = int(subs["n"].sum())
        m_all = float(total["value"])
        weighted = float((subs["value"] * subs["n"].astype(float)).sum())
        sub_txt = ", ".join(
            f"{v:g} (n = {int(n)})" for v, n in zip(subs["value"], subs["n"], strict=True)
        )
        ids = tuple(grp["row_id"])
        numbers: dict[str, Any] = {"subgroups": sub_txt}
        if sub_n == big_n:
            wm = weighted / sub_n
            lo, hi = rounding_interval(m_all, int(total["value_decimals"]))
            ok = lo - 0.5 <= wm <= hi + 0.5  # each subgroup mean is rounded to 0.5 too
            verdict = decide(reproduced=lo <= wm <= hi, compatible=ok)
            outcome, numbers["weighted_mean"] = "all_n", wm
            value, rec = wm, f"weighted mean {wm:.1f}"
        elif sub_n < big_n:
            rest = (big_n * m_all - weighted) / (big_n - sub_n)
            lo_s, hi_s = float(subs["value"].min()), float(subs["value"].max())
            plausible = lo_s <= rest <= hi_s
            verdict = decide(evidence=plausible, compatible=plausible)
            outcome = "plausible" if verdict == "consistent" else "implausible"
            numbers.update(n_rest=big_n - sub_n, rest_mean=rest, sub_low=lo_s, sub_high=hi_s)
            value, rec = rest, f"others must average {rest:.1f}"
        else:
            verdict, outcome = decide(), "too_many"
            value, rec = math.nan, f"subgroup n {sub_n} > {big_n}"
        draft = _SUBGROUPS.draft(
            ctx, total, reported=f"{m_all:g}; {sub_txt}",
            claim=f"mean {m_all:g} {total['unit']} (n = {big_n}) with subgroup means",
        )  # fmt: skip
        yield draft.judge(
            verdict, msg.SUBGROUP_TEXT[outcome], uses=ids[1:], recomputed=rec, value=value,
            n=big_n, n_subgroups=sub_n, mean=m_all, **numbers,
        )  # fmt: skip

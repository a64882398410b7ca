"""Correlations: (r, P, n), r and P without n, without P, without r, differences, vs primary."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import (
    ALPHA,
    CONF_LEVEL,
    N_MAX_SCAN,
    Check,
    Context,
    Kind,
    decide,
    flag,
    isnum,
)
from b12stats.audit.registry import register
from b12stats.format import format_count, format_p
from b12stats.stats.correlation import (
    check_r_p_n,
    compare_correlations,
    n_interval_from_r_p,
    p_from_r,
    r_critical,
)
from b12stats.stats.printed import parse_p, rounding_interval


def _r_critical_for(printed_p: str, n: float) -> tuple[float, str]:
    """The ``|r|`` bound a printed P implies at n.

    ``P < a`` gives ``|r| >= bound``; ``P > a`` gives ``|r| <= bound``.
    """
    pp = parse_p(printed_p)
    return float(r_critical(n, alpha=pp.value)), pp.relation


def _r_text(row: pd.Series) -> str:
    return f"{float(row['r']):.{int(row['r_decimals'])}f}"


def _needs(n_min: Any, n_max: Any) -> str:
    if pd.isna(n_min):
        return "no n fits"
    if int(n_max) >= N_MAX_SCAN:
        return f"needs n >= {int(n_min)}"
    return f"needs n in [{int(n_min)}, {int(n_max)}]"


_K_R_P_N = Kind("r_p_n", "correlations", "r_p_n")
_K_N_NEEDED = Kind("r_p_without_n", "correlations", "n_needed")
_K_IMPLIED_P = Kind("r_n_without_p", "correlations", "implied_p")
_K_NO_R = Kind("correlation_without_r", "correlations", "no_r")


@register("r_p_n", order=40)
def check_r_p_n_triples(ctx: Context) -> Iterator[Check]:
    """Printed (r, P, n): recompute P from r and n (``cor.test``'s t test), with rounding.

    :func:`b12stats.stats.correlation.check_r_p_n`: ``reproduced`` when P at
    the printed r fits the printed P; ``consistent`` when only some r inside
    r's rounding interval does; else ``inconsistent``, naming the n that the
    printed r and P need (:func:`~b12stats.stats.correlation.n_interval_from_r_p`).

    Examples
    --------
    >>> check_r_p_n_triples()[0].verdict
    'inconsistent'
    """
    for row in ctx.rows_with("correlations", "r", "p_text", "n"):
        rt, n = _r_text(row), int(row["n"])
        res = check_r_p_n(rt, row["p_text"], n, n_max=N_MAX_SCAN).iloc[0]
        pp = parse_p(row["p_text"])
        p0 = float(res.p_recomputed)
        rng = f"{format_p(res.p_low)}-{format_p(res.p_high)} over r's rounding interval"
        verdict = decide(reproduced=pp.contains(p0), compatible=bool(res.consistent))
        needs = _needs(res.n_min, res.n_max)
        triple = f"r = {rt}, {row['p_text']}, n = {n}"
        yield _K_R_P_N.draft(ctx, row, claim=triple, reported=triple).judge(
            verdict, msg.R_P_N_TEXT[verdict], recomputed=f"p = {format_p(p0)}; {needs}",
            value=p0, low=float(res.p_low), high=float(res.p_high), r=rt, n=n,
            p=format_p(p0), p_range=rng, printed_p=row["p_text"], needs=needs,
        )  # fmt: skip


@register("correlations_without_n", order=70)
def check_correlations_without_n(ctx: Context) -> Iterator[Check]:
    """Printed r and P without n: which n they need, against the cohort's n.

    The n interval comes from
    :func:`~b12stats.stats.correlation.n_interval_from_r_p` (t test with
    ``n - 2`` df; for a partial correlation the df are fewer by the number of
    covariates, so the needed n is larger by that number). With the cohort's
    n (same source, else a primary source on the cohort; the number of pairs
    analysed can only be smaller): some n up to it works -> ``consistent``;
    none -> ``inconsistent``; no cohort n -> ``unverifiable``.

    Examples
    --------
    >>> check_correlations_without_n()[0].verdict
    'consistent'
    """
    for row in ctx.rows_with("correlations", "r", "p_text", lacking=("n",)):
        rt = _r_text(row)
        iv = n_interval_from_r_p(rt, row["p_text"], n_max=N_MAX_SCAN)
        parent = ctx.cohort_n(row["cohort"], row["source_id"])
        partial = ""
        if flag(row["adjusted"]):
            partial = (
                " (partial r: add the number of covariates)"
                if row["coefficient"] == "partial"
                else " (adjusted coefficient of unstated kind: if a partial r, add the number "
                "of covariates)"
            )
        if iv.n_min is None:
            need, nmin = "no n at all", math.nan
        elif iv.capped:
            need, nmin = f"n >= {iv.n_min}{partial}", float(iv.n_min)
        else:
            need, nmin = f"n in [{iv.n_min}, {iv.n_max}]{partial}", float(iv.n_min)
        claim = f"r = {rt}, {row['p_text']} (n not printed)"
        draft = _K_N_NEEDED.draft(ctx, row, claim=claim, reported=f"r = {rt}, {row['p_text']}")
        words = {"r": rt, "printed_p": row["p_text"], "needs": need}
        if parent is None or not isnum(parent["value_num"]):
            yield draft.judge(
                decide(evidence=False), msg.N_NEEDED_TEXT["unverifiable"],
                recomputed=f"needs {need}", value=nmin, **words,
            )  # fmt: skip
            continue
        big = int(parent["value_num"])
        same = parent["source_id"] == row["source_id"]
        fits = not iv.is_empty and iv.n_min is not None and iv.n_min <= big
        verdict = decide(compatible=fits)
        yield draft.judge(
            verdict, msg.N_NEEDED_TEXT[verdict], uses=(parent["row_id"],),
            recomputed=f"needs {need}", value=nmin, n=big,
            who="the study's" if same else f"{parent['source_id']}'s (the likely parent sample)",
            p_all=format_p(float(p_from_r(float(row["r"]), big))), **words,
        )  # fmt: skip


@register("correlations_without_p", order=80)
def check_correlations_without_p(ctx: Context) -> Iterator[Check]:
    """Printed r and n without P: the implied two-sided P (derived number).

    ``consistent`` when it agrees with what the source says about
    significance (or the source calls it a correlation and p < ALPHA);
    ``inconsistent`` when the source's significance flag contradicts it.

    Examples
    --------
    >>> check_correlations_without_p()[0].verdict
    'consistent'
    """
    for row in ctx.rows_with("correlations", "r", "n", lacking=("p_text",)):
        rt, n = _r_text(row), int(row["n"])
        lo_r, hi_r = rounding_interval(float(row["r"]), int(row["r_decimals"]))
        p0 = float(p_from_r(float(row["r"]), n))
        p_lo = float(p_from_r(max(abs(lo_r), abs(hi_r)), n))
        p_hi = float(p_from_r(min(abs(lo_r), abs(hi_r)), n))
        sig = flag(row["significant"])
        is_sig = p0 < ALPHA
        agrees = sig is None or sig == is_sig
        outcome = ("significant" if is_sig else "not_significant") if agrees else "contradicts"
        draft = _K_IMPLIED_P.draft(
            ctx, row, claim=f"r = {rt}, n = {n} (no P printed)", reported=f"r = {rt}, n = {n}",
        )  # fmt: skip
        yield draft.judge(
            decide(compatible=agrees), msg.IMPLIED_P_TEXT[outcome],
            recomputed=f"p = {format_p(p0)}",
            value=p0, low=p_lo, high=p_hi, r=rt, n=n, p=format_p(p0), p_low=format_p(p_lo),
            p_high=format_p(p_hi), alpha=ALPHA, says="significant" if sig else "not significant",
        )  # fmt: skip


@register("correlations_without_r", order=90)
def check_correlations_without_r(ctx: Context) -> Iterator[Check]:
    """Correlations stated without r: the ``|r|`` bound their P (or "not correlated") implies.

    With the cohort n, ``P < a`` needs ``|r| >= t / sqrt(n - 2 + t**2)``,
    ``t = t_{1 - a/2, n-2}``; "not correlated" (read as P >= ALPHA) needs
    ``|r|`` below that at ALPHA. Nothing to recompute: ``unverifiable``.

    Examples
    --------
    >>> check_correlations_without_r()[0].verdict
    'unverifiable'
    """
    for row in ctx.rows_with("correlations", lacking=("r",)):
        parent = ctx.cohort_n(row["cohort"], row["source_id"])
        n = int(parent["value_num"]) if parent is not None else None
        ids = (row["row_id"],) if parent is None else (row["row_id"], parent["row_id"])
        says = row["p_text"] if isinstance(row["p_text"], str) else (
            "significant" if flag(row["significant"]) is True
            else ("not correlated" if flag(row["significant"]) is False else "no P")
        )  # fmt: skip
        if n is None or n < 4:
            bound, rec = "", ""
            value = math.nan
        elif isinstance(row["p_text"], str):
            crit, rel = _r_critical_for(row["p_text"], n)
            word = ">=" if rel in ("<", "<=") else "<="
            bound = f"; with the cohort's n = {n}, {row['p_text']} needs |r| {word} {crit:.3f}"
            rec, value = f"|r| {word} {crit:.3f}", crit
        elif flag(row["significant"]) is False:
            crit = r_critical(n)
            bound = f"; with the cohort's n = {n}, 'not correlated' (p >= {ALPHA:g}) means "
            bound += f"|r| < {crit:.3f}"
            rec, value = f"|r| < {crit:.3f}", crit
        else:
            crit = r_critical(n)
            bound = f"; with n = {n}, significance at {ALPHA:g} needs |r| >= {crit:.3f}"
            rec, value = f"|r| >= {crit:.3f}", crit
        draft = _K_NO_R.draft(
            ctx,
            row,
            claim=f"{row['var_x']} vs {row['var_y']}: {says} (no r printed)",
            reported=says,
        )
        yield draft.judge(
            decide(evidence=False), "no r printed: nothing to recompute{bound}.", uses=ids[1:],
            recomputed=rec, value=value, bound=bound,
        )  # fmt: skip


_K_DIFFERENCE = Kind("correlation_difference", "correlations", "difference")


@register("correlation_differences", order=50)
def check_correlation_differences(ctx: Context) -> Iterator[Check]:
    """Two correlations of the same pair of variables in two cohorts of one source.

    Fisher's z test of ``r1 = r2`` and Zou's CI for ``r1 - r2``
    (:func:`~b12stats.stats.correlation.compare_correlations`). A source that
    reports one as significant and the other not implies they differ; if the
    difference itself is not significant (Gelman & Stern 2006) the contrast is
    not established by the printed numbers: ``unverifiable`` (a derived
    finding, stated in ``detail``); if it is, ``consistent``.

    Examples
    --------
    >>> check_correlation_differences()[0].verdict
    'unverifiable'
    """
    cor = ctx.rows["correlations"]
    ok = cor[cor["r"].notna() & cor["n"].notna()]
    for key, grp in ok.groupby(["source_id", "var_x", "var_y"], sort=False):
        src, vx, vy = (str(k) for k in key)
        if grp["cohort"].nunique() < 2:
            continue
        rows = list(grp.sort_values("r", ascending=False).iterrows())
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                a, b = rows[i][1], rows[j][1]
                res = compare_correlations(
                    float(a["r"]), int(a["n"]), float(b["r"]), int(b["n"]), conf_level=CONF_LEVEL
                ).iloc[0]
                pz = float(res.p_value)
                ra, rb = _r_text(a), _r_text(b)
                differ = pz < ALPHA
                contrast = flag(a["significant"]) is True and flag(b["significant"]) is False
                draft = _K_DIFFERENCE.draft(
                    ctx, a, source_id=src, reported=f"r = {ra} vs {rb}",
                    check_id=f"{a['row_id']}:difference" + (
                        "" if len(rows) == 2 else f"_from:{b['row_id']}"
                    ),
                    claim=f"{vx} vs {vy} correlated in {a['cohort']}, not in {b['cohort']}"
                    if contrast else f"{vx} vs {vy}: r in {a['cohort']} vs {b['cohort']}",
                )  # fmt: skip
                yield draft.judge(
                    decide(evidence=differ, compatible=differ), msg.DIFFERENCE_TEXT[differ],
                    uses=(b["row_id"],), recomputed=f"z = {res.statistic:.2f}, p = {format_p(pz)}",
                    value=float(res.estimate), low=float(res.ci_low), high=float(res.ci_high),
                    cohort_a=a["cohort"], cohort_b=b["cohort"], r_a=ra, r_b=rb, n_a=int(a["n"]),
                    n_b=int(b["n"]), z=float(res.statistic), p=format_p(pz),
                    diff_low=float(res.ci_low), diff_high=float(res.ci_high),
                )  # fmt: skip


_K_VS_PRIMARY = Kind("correlation_vs_primary", "correlations", "vs_primary")


@register("correlations_vs_primary", order=60)
def check_correlations_vs_primary(ctx: Context) -> Iterator[Check]:
    """A secondary source's correlation against the cited primary's (same cohort, same pair).

    Compared: significance (at the printed P's, or ALPHA) and, where the
    primary prints only P, the ``|r|`` its P needs at its own n.

    Examples
    --------
    >>> check_correlations_vs_primary()[0].verdict
    'consistent'
    """
    cor = ctx.rows["correlations"]
    for row, cited in ctx.citing("correlations"):
        same = cor[(cor["source_id"] == cited) & (cor["cohort"] == row["cohort"])]
        pair = {row["var_x"], row["var_y"]}
        prim = same[[{x, y} == pair for x, y in zip(same["var_x"], same["var_y"], strict=True)]]
        rt = _r_text(row) if isnum(row["r"]) else "n/a"
        claim = f"r = {rt}, {row['p_text']} ({row['cohort']})"
        draft = _K_VS_PRIMARY.draft(
            ctx, row, claim=claim, cited=cited,
            reported=f"r = {rt}, {row['p_text']}, n = {format_count(row['n'])}",
        )  # fmt: skip
        if len(prim) != 1:
            yield draft.judge(
                decide(evidence=False), msg.CORRELATION_VS_PRIMARY_TEXT["none"], cited=cited
            )
            continue
        p = prim.iloc[0]
        parent = ctx.cohort_n(row["cohort"], cited)
        pn = int(parent["value_num"]) if parent is not None else None
        ids = (row["row_id"], p["row_id"]) + (() if parent is None else (parent["row_id"],))
        sec_sig, prim_sig = flag(row["significant"]), flag(p["significant"])
        prim_txt = f"{cited}: {'correlated' if prim_sig else 'not correlated'}" + (
            f" ({p['p_text']})" if isinstance(p["p_text"], str) else ""
        )
        need = ""
        value = math.nan
        if isinstance(p["p_text"], str) and pn is not None:
            crit, rel = _r_critical_for(p["p_text"], pn)
            word = ">=" if rel in ("<", "<=") else "<="
            need = f"; {p['p_text']} with its n = {pn} needs |r| {word} {crit:.2f}"
            value = crit
        sec_txt = (
            f"{row['source_id']}: r = {rt}, {row['p_text']}, n = {format_count(row['n'])} "
            f"({'significant' if sec_sig else 'not significant'})"
        )
        stated = sec_sig is not None and prim_sig is not None
        p_ok = True
        if isinstance(row["p_text"], str) and isinstance(p["p_text"], str):
            lo, hi = parse_p(row["p_text"]).interval()
            p_ok = parse_p(p["p_text"]).intersects(lo, hi)
        agree = stated and sec_sig == prim_sig
        outcome = (
            "unstated" if not stated else ("disagree" if not agree else ("agree" if p_ok else "p"))
        )
        yield draft.judge(
            decide(evidence=stated, compatible=agree and p_ok, against_primary=True),
            msg.CORRELATION_VS_PRIMARY_TEXT[outcome], uses=ids[1:],
            recomputed=need.lstrip("; "), value=value,
            secondary=sec_txt, primary=prim_txt, need=need, printed_p=row["p_text"],
            primary_p=p["p_text"], both="significant" if sec_sig else "not significant",
        )  # fmt: skip

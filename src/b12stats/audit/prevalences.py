"""Printed shares beyond a cut-off: from quartiles, from a GM and its CI, GRIM, vs a median."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import APPROX_REL_TOL, CONF_LEVEL, Check, Context, Kind, decide, isnum
from b12stats.audit.registry import register
from b12stats.format import format_pct
from b12stats.stats.printed import PrintedNumber, grim_counts, rounding_interval
from b12stats.stats.quartiles import prevalence_from_gm_ci, prevalence_from_quartiles

_SIDE = {"<": "below", "<=": "at_or_below", ">": "above", ">=": "at_or_above"}


def _printed_share(row: pd.Series) -> tuple[float, tuple[float, float], bool, str]:
    """Claimed share as a proportion, its interval, whether it has digits, and its text."""
    if isnum(row["percent"]):
        d = int(row["percent_decimals"])
        v = float(row["percent"]) / 100.0
        lo, hi = rounding_interval(float(row["percent"]), d)
        num = PrintedNumber(v, d + 2, row["qualifier"])
        iv = num.interval(rel_tol=APPROX_REL_TOL) if row["qualifier"] else (lo / 100, hi / 100)
        text = f"{row['qualifier'] + ' ' if row['qualifier'] else ''}{row['percent']:g}%"
        return v, iv, row["qualifier"] is None, text
    a, b = (int(x) for x in str(row["fraction"]).split("/"))
    v = a / b
    num = PrintedNumber(v, None, row["qualifier"])
    text = f"{row['qualifier'] + ' ' if row['qualifier'] else ''}{a}/{b}"
    return v, num.interval(rel_tol=APPROX_REL_TOL), False, text


def _quartile_source(ctx: Context, prev: pd.Series) -> tuple[pd.Series | None, bool]:
    """Concentration row with quartiles for a prevalence: same source, else a primary sibling.

    Returns the row and whether it came from another source (an assumption).
    """
    conc = ctx.rows["concentrations"]
    ok = (
        conc["q1"].notna()
        & (conc["cohort"] == prev["cohort"])
        & (conc["compartment"] == prev["compartment"])
        & (conc["unit"] == prev["unit"])
    )
    same = conc[ok & (conc["source_id"] == prev["source_id"])]
    if len(same) == 1:
        return same.iloc[0], False
    other = conc[ok & (conc["source_kind"] == "primary")]
    if len(other) == 1:
        return other.iloc[0], True
    return None, False


_K_FROM_QUARTILES = Kind("prevalence_from_quartiles", "prevalences", "from_quartiles")
_K_FROM_GM = Kind("prevalence_from_gm_ci", "prevalences", "from_gm")
_K_COUNT = Kind("percent_count", "prevalences", "count")
_K_VS_MEDIAN = Kind("prevalence_vs_median", "prevalences", "vs_median")


def _share_check(
    kind: Kind,
    ctx: Context,
    row: pd.Series,
    printed: str,
    verdict: str,
    template: str,
    source_row: str,
    est: float,
    ci_lo: float,
    ci_hi: float,
    **numbers: Any,
) -> Check:
    """A check of a printed share against an estimate (and CI) from another row."""
    draft = kind.draft(
        ctx, row, claim=f"{printed} {row['relation']} {row['cutoff']:g} {row['unit']}",
        reported=printed,
    )  # fmt: skip
    ci = "" if math.isnan(ci_lo) else f" ({format_pct(ci_lo)}-{format_pct(ci_hi)})"
    return draft.judge(
        verdict, template, uses=(source_row,), recomputed=format_pct(est) + ci, value=est,
        low=ci_lo, high=ci_hi, printed=printed, **numbers,
    )  # fmt: skip


@register("prevalence_from_quartiles", order=120)
def check_prevalence_from_quartiles(ctx: Context) -> Iterator[Check]:
    """A printed share beyond a cut-off against the share implied by printed quartiles.

    The quartiles (same source; else a primary source on the same cohort and
    compartment, stated as an assumption) are fitted by a log-normal and the
    share beyond the cut-off computed with a delta-method CI when n is known
    (:func:`b12stats.stats.quartiles.prevalence_from_quartiles`). The estimate
    rests on the log-normal assumption, so it never ``reproduces`` a printed
    share: ``consistent`` when it lies in the printed rounding interval, in the
    interval of the words ("approximately", see :data:`APPROX_REL_TOL`) or the
    CI meets the printed interval.
    ``inconsistent``: the CI misses it. Without n and outside the printed
    interval: ``unverifiable``.

    Examples
    --------
    >>> check_prevalence_from_quartiles()[0].verdict
    'consistent'
    """
    for row in ctx.rows_with("prevalences", "cutoff", "relation"):
        q, borrowed = _quartile_source(ctx, row)
        if q is None:
            continue
        side = _SIDE[row["relation"]]
        n_q = q["n"] if isnum(q["n"]) else (row["n"] if isnum(row["n"]) else None)
        res = prevalence_from_quartiles(
            float(q["q1"]),
            float(q["value"]),
            float(q["q3"]),
            float(row["cutoff"]),
            side=side,
            n=None if n_q is None else int(n_q),
            conf_level=CONF_LEVEL,
        ).iloc[0]
        est = float(res.estimate)
        _claimed, (c_lo, c_hi), digits, ctext = _printed_share(row)
        qtxt = f"{q['q1']:g}/{q['value']:g}/{q['q3']:g} {q['unit']}"
        assume = (
            f" (quartiles from {q['source_id']}, same cohort: assumes the same distribution)"
            if borrowed
            else ""
        )
        note_n = ""
        ci_ok = False
        if n_q is None:
            parent = ctx.cohort_n(row["cohort"], row["source_id"])
            note_n = "; no n printed, so no CI"
            if parent is not None and isnum(parent["value_num"]):
                pn = int(parent["value_num"])
                alt = prevalence_from_quartiles(
                    float(q["q1"]), float(q["value"]), float(q["q3"]),
                    float(row["cutoff"]), side=side, n=pn,
                ).iloc[0]  # fmt: skip
                note_n += (
                    f" (with n = {pn} of {parent['source_id']}, the likely parent sample, the "
                    f"95% CI would be {format_pct(alt.ci_low)}-{format_pct(alt.ci_high)})"
                )
            ci_lo = ci_hi = math.nan
        else:
            ci_lo, ci_hi = float(res.ci_low), float(res.ci_high)
            ci_ok = ci_lo <= c_hi and ci_hi >= c_lo
            note_n = f"; 95% CI {format_pct(ci_lo)}-{format_pct(ci_hi)} (n = {int(n_q)})"
        base_txt = (
            f"log-normal fitted to {qtxt}{assume} gives {format_pct(est)} "
            f"{side.replace('_', ' ')} {row['cutoff']:g}{note_n}"
        )
        words = "" if digits else f" (the words cover {format_pct(c_lo)}-{format_pct(c_hi)})"
        inside = c_lo <= est <= c_hi
        outcome = (
            ("rounds" if digits else "words") if inside
            else ("ci" if ci_ok else ("no_n" if n_q is None else "excluded"))
        )  # fmt: skip
        verdict = decide(evidence=outcome != "no_n", compatible=inside or ci_ok)
        yield _share_check(
            _K_FROM_QUARTILES, ctx, row, ctext, verdict, msg.FROM_QUARTILES_TEXT[outcome],
            q["row_id"], est, ci_lo, ci_hi, base=base_txt, words=words,
        )  # fmt: skip


@register("prevalence_from_gm_ci", order=130)
def check_prevalence_from_gm_ci(ctx: Context) -> Iterator[Check]:
    """A printed share beyond a cut-off against a geometric mean, its CI and n.

    Assumes log-normal values. The log-scale SD comes from the CI: when the
    CI is symmetric on the linear scale (GM ± z SE, the delta method, where
    ``SE(GM) = GM sigma / sqrt(n)``), ``sigma = (hi - lo) / (2 z) sqrt(n) / GM``;
    when it is symmetric on the log scale, ``sigma = (log hi - log lo) / (2 z)
    sqrt(n)``. With ``mu = log GM`` and ``w = (log cutoff - mu) / sigma`` the
    share below is ``Phi(w)``. As ``Var(mu) = sigma^2 / n`` and
    ``Var(sigma) ~ sigma^2 / (2n)``, ``se(w) = sqrt((1 + w^2 / 2) / n)`` and the
    interval is ``Phi(w ± z se(w))``. The estimate rests on the log-normal
    assumption, so it never ``reproduces`` a printed share: ``consistent`` when
    the estimate rounds to the printed share or the interval meets its rounding
    interval; else ``inconsistent`` (under the log-normal assumption).

    Examples
    --------
    >>> check_prevalence_from_gm_ci()[0].verdict
    'consistent'
    """
    conc = ctx.rows["concentrations"]
    gms = conc[
        (conc["statistic"] == "geometric_mean") & conc["ci_low"].notna() & conc["n"].notna()
    ]
    for row in ctx.rows_with("prevalences", "cutoff", "percent"):
        if row["relation"] not in _SIDE:
            continue
        match = gms[
            (gms["source_id"] == row["source_id"])
            & (gms["cohort"] == row["cohort"])
            & (gms["compartment"] == row["compartment"])
            & (gms["unit"] == row["unit"])
        ]
        if len(match) != 1:
            continue
        g = match.iloc[0]
        gm, lo, hi, n = float(g["value"]), float(g["ci_low"]), float(g["ci_high"]), int(g["n"])
        res = prevalence_from_gm_ci(
            gm,
            lo,
            hi,
            n,
            float(row["cutoff"]),
            side=_SIDE[row["relation"]],
            ci_level=float(g["ci_level"]) if isnum(g["ci_level"]) else CONF_LEVEL,
            conf_level=CONF_LEVEL,
        ).iloc[0]
        est, ci_lo, ci_hi, sigma = (
            float(res[k]) for k in ("estimate", "ci_low", "ci_high", "sigma")
        )
        how = msg.SIGMA_FROM[res["ci_scale"]]
        d = int(row["percent_decimals"])
        p_lo, p_hi = (x / 100 for x in rounding_interval(float(row["percent"]), d))
        ptxt = f"{row['percent']:.{d}f}%"
        base = (
            f"log-normal with GM {gm:g} and sigma(log) = {sigma:.3f} {how}, n = {n}, gives "
            f"{format_pct(est)} {row['relation']} {row['cutoff']:g} (95% CI {format_pct(ci_lo)}-"
            f"{format_pct(ci_hi)})"
        )
        inside, meets = p_lo <= est <= p_hi, ci_lo <= p_hi and ci_hi >= p_lo
        outcome = "rounds" if inside else ("meets" if meets else "excluded")
        verdict = decide(compatible=inside or meets)
        yield _share_check(
            _K_FROM_GM, ctx, row, ptxt, verdict, msg.FROM_GM_TEXT[outcome], g["row_id"], est,
            ci_lo, ci_hi, base=base, sigma=sigma,
        )  # fmt: skip


@register("percent_counts", order=140)
def check_percent_counts(ctx: Context) -> Iterator[Check]:
    """Can a printed percentage arise from a whole count out of the printed n? (GRIM)

    With ``d`` printed decimals the percentage stands for
    ``[p - 0.5 10^-d, p + 0.5 10^-d]``; some integer ``k`` in
    ``[ceil(lo n / 100), floor(hi n / 100)]`` must exist (Brown & Heathers
    2017). The check has power only when ``100 / n`` exceeds the printed unit
    ``10^-d``; otherwise every value is reachable and the verdict is
    ``unverifiable``. Else ``consistent`` when a count works with n as
    printed (the count itself is not printed, so the share is shown possible,
    not recomputed; the denominator is assumed to be the printed n) or only
    with a smaller denominator (missing values); ``inconsistent`` when none
    down to ``n / 2`` does.

    Examples
    --------
    >>> check_percent_counts()[0].verdict
    'unverifiable'
    """
    for row in ctx.rows_with("prevalences", "percent", "n"):
        n = int(row["n"])
        d = int(row["percent_decimals"])

        def counts(m: int, pct: float = float(row["percent"]), d: int = d) -> tuple[int, ...]:
            return grim_counts(pct, m, decimals=d)

        ks = counts(n)
        ptxt = f"{row['percent']:.{d}f}%"
        step = 100.0 / n
        unit = 10.0**-d
        numbers: dict[str, Any] = {"n": n, "printed": ptxt, "digits": d + 2}
        if step <= unit:  # every printed value is reachable: the check cannot fail
            verdict, outcome, k, denom = decide(evidence=False), "no_power", ks[0], n
            numbers.update(
                kind=ctx.kind(row["source_id"]), step=step, unit=unit,
                step_s="" if step == 1 else "s", unit_s="" if unit == 1 else "s",
                than=msg.FINER_THAN[step < unit],
            )  # fmt: skip
        elif ks:
            verdict, outcome, k, denom = decide(compatible=True), "count", ks[0], n
        else:
            smaller = next((m for m in range(n - 1, n // 2, -1) if counts(m)), None)
            if smaller is not None:
                verdict, outcome, denom = decide(compatible=True), "smaller_n", smaller
                k = counts(smaller)[0]
                numbers.update(smaller_n=smaller, missing=n - smaller)
            else:
                verdict, outcome, k, denom = decide(), "none", None, n
                numbers.update(n_from=n // 2 + 1)
        value = math.nan if k is None else k / denom
        if k is not None:
            numbers.update(k=k, share=100 * k / denom)
        draft = _K_COUNT.draft(
            ctx, row, claim=f"{ptxt} {row['condition']} (n = {n})", reported=ptxt,
        )  # fmt: skip
        yield draft.judge(
            verdict,
            msg.PERCENT_COUNT_TEXT[outcome],
            recomputed="" if math.isnan(value) else f"{value * 100:.{d + 2}f}%",
            value=value,
            **numbers,
        )


@register("median_vs_prevalence", order=150)
def check_median_vs_prevalence(ctx: Context) -> Iterator[Check]:
    """A share below a cut-off against a median printed without quartiles.

    If the median is below the cut-off, more than half lie below it (and vice
    versa): the printed share must be on the right side of 50%.

    Examples
    --------
    >>> check_median_vs_prevalence()[0].verdict
    'consistent'
    """
    conc = ctx.rows["concentrations"]
    for row in ctx.rows_with("prevalences", "cutoff", "percent"):
        if _quartile_source(ctx, row)[0] is not None:
            continue
        med = conc[
            (conc["source_id"] == row["source_id"])
            & (conc["cohort"] == row["cohort"])
            & (conc["compartment"] == row["compartment"])
            & (conc["statistic"] == "median")
            & (conc["unit"] == row["unit"])
            & (conc["timepoint"] == row["timepoint"])
        ]
        if len(med) != 1:
            continue
        m = med.iloc[0]
        below = row["relation"] in ("<", "<=")
        share = float(row["percent"]) / 100
        med_below = float(m["value"]) < float(row["cutoff"])
        need_more = med_below == below  # share beyond cut-off must exceed 50%
        ok = share > 0.5 if need_more else share < 0.5
        verdict = decide(compatible=ok)
        claim = f"{row['percent']:g}% {row['relation']} {row['cutoff']:g} {row['unit']}"
        reported = f"{row['percent']:g}%; median {m['value']:g}"
        draft = _K_VS_MEDIAN.draft(ctx, row, claim=claim, reported=reported)
        yield draft.judge(
            verdict,
            msg.MEDIAN_VS_PREVALENCE_TEXT[ok],
            uses=(m["row_id"],),
            recomputed=f"share {'>' if need_more else '<'} 50%",
            median=float(m["value"]),
            median_relation="<" if med_below else ">=",
            cutoff=float(row["cutoff"]),
            unit=row["unit"],
            relation=row["relation"],
            percent=float(row["percent"]),
            more_or_less=msg.MORE_OR_LESS[need_more],
            share_above_half=need_more,
        )

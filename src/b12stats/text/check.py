"""Audit the statistics extracted from a text: everything the text itself allows to check.

:func:`check_extracted` takes the rows of ``b12stats extract`` (see
:data:`~b12stats.text.check_base.EXTRACT_COLUMNS`) and returns one row per
check with the columns and verdicts of ``b12stats reproduce``
(:data:`b12stats.audit.COLUMNS`, :data:`b12stats.audit.VERDICTS`), judged by
the audit's policy :func:`b12stats.audit.core.decide`. ``row_ids`` names the
extraction rows a check used as ``<file>#<row>`` (the row's position in its
file's rows), so the checks can be drawn on the text (``numbers`` of each
:class:`~b12stats.audit.Check` also carries the span).

Checks
------
correlation
    r with P and n: the n printed with it (``cor.test``'s t test,
    :func:`b12stats.stats.correlation.check_r_p_n`; an inconsistent pair is
    told with the n the printed P would need), else the n printed for the group
    named with it ("in Cambodia ... (n=67)", or its compartment's sample size),
    else the study's n (the largest sample size printed in the text; the pairs
    analysed may be fewer, so any n up to it that fits is ``consistent``). The
    detail says which n. r with n and no P: the implied P (``unverifiable``).
location
    quartiles, ranges and CIs in order (low <= centre <= high); the numbers of
    one statistic in one unit; ``x ± s`` with s > 0; a geometric mean's CI on
    the log scale (audit's ``GM_CI_TEXT``); B12 concentrations inside
    :data:`~b12stats.text.check_base.B12_PLAUSIBLE_LOW_PMOL_L` to
    :data:`~b12stats.text.check_base.B12_PLAUSIBLE_HIGH_PMOL_L` after
    conversion to pmol/L.
share
    GRIM at the printed n (else the n printed for its group, said in the
    detail) with standard rounding (an impossible share is ``inconsistent``;
    the detail names the conventions -- truncation, double rounding -- and the
    nearest smaller denominators that reach it); a printed count k: k/n
    recomputed; a B12 cut-off in an impossible unit or magnitude.
effect
    the estimate inside its CI; the CI against the printed P
    (:func:`b12stats.stats.effects.check_p_against_ci`).
ratio
    against the two values it divides when they are printed in the same
    sentence in one unit (:func:`b12stats.stats.effects.check_ratio`).
comparison
    against its P when both groups are printed with CIs
    (:func:`b12stats.stats.effects.ratio_from_cis`), as mean ± SD with n
    (Welch's t test) or as counts k/n (Fisher's exact and chi-square tests); a
    P against the words of its clause ("no correlation (p = 0.016)"); else
    ``unverifiable``.

With ``primary_rows`` (:mod:`b12stats.text.check_primary`): every statistic is
also matched to the primary's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import ALPHA, N_MAX_SCAN, Check, decide
from b12stats.audit.result import AuditResult
from b12stats.errors import DataValidationError, OptionError
from b12stats.format import format_p
from b12stats.stats.correlation import check_r_p_n, n_interval_from_r_p, p_from_r
from b12stats.stats.effects import check_p_against_ci, check_ratio, ratio_from_cis
from b12stats.stats.printed import PrintedP, grim_counts, parse_p, rounding_interval
from b12stats.text.check_base import (
    B12_PLAUSIBLE_HIGH_PMOL_L,
    B12_PLAUSIBLE_LOW_PMOL_L,
    Row,
    analyte_at,
    analyte_before,
    compartment_near,
    nearest_name,
    place_rows,
    to_pmol,
)

__all__ = [
    "PRIORITY",
    "TextAudit",
    "audit_rows",
    "check_extracted",
    "row_verdicts",
]

#: Verdict shown for a statistic with several checks: the first of these among them.
PRIORITY = ("conflicts_with_primary", "inconsistent", "reproduced", "consistent", "unverifiable")

#: How many smaller denominators the GRIM detail lists, and how far down it looks (share of n).
GRIM_SMALLER_LISTED = 3
GRIM_SMALLER_FLOOR = 0.5

_RATIO_MEASURES = ("odds_ratio", "risk_ratio", "prevalence_ratio")
_CONC_UNIT_RE = re.compile(
    r"(pmol/l|nmol/l|µmol/l|μmol/l|umol/l|mmol/l|pg/ml|ng/ml|ng/l|µg/l|μg/l|ug/l|pg/dl|ng/dl)",
    re.IGNORECASE,
)


class TextAudit(AuditResult):
    """The checks of one or more texts (an :class:`~b12stats.audit.AuditResult`)."""


# --- correlation --------------------------------------------------------------------------------


def _study_n(rows: list[Row]) -> tuple[int, Row] | None:
    best: tuple[int, Row] | None = None
    for r in rows:
        if r.text("statistic") == "sample_size":
            n = r.whole("value")
            if n is not None and (best is None or n > best[0]):
                best = (n, r)
    return best


def _needs(iv: object) -> str:
    n_min, n_max, capped = iv.n_min, iv.n_max, iv.capped  # type: ignore[attr-defined]
    if n_min is None:
        return "no n fits"
    return f"needs n >= {n_min}" if capped else f"needs n in [{n_min}, {n_max}]"


def _group_n(row: Row, rows: list[Row]) -> tuple[int, Row, str] | None:
    """The sample size printed for the group named with ``row`` ("in Cambodia" ... "(n=67)")."""
    name = nearest_name(row)
    if name is None:
        return None
    found: dict[int, list[Row]] = {}
    for r in rows:
        if r.text("statistic") == "sample_size" and nearest_name(r, 40) == name:
            n = r.whole("value")
            if n is not None:
                found.setdefault(n, []).append(r)
    if not found:
        return None
    # the n printed most often for the name, when it outnumbers all others together
    n, hits = max(found.items(), key=lambda kv: len(kv[1]))
    if 2 * len(hits) <= sum(len(v) for v in found.values()):
        return None
    return n, hits[0], name


def _correlation(
    row: Row, study: tuple[int, Row] | None, rows: list[Row] | None = None
) -> Iterator[Check]:
    r = row.num("value")
    p_text = row.text("p_text")
    n = row.whole("n")
    n_from = " (n printed with the correlation.)"
    used: tuple[str, ...] = (row.row_id,)
    if n is None and rows is not None and (grp := _group_n(row, rows)) is not None:
        n, srow, _name = grp
        words = srow.sentence[max(0, srow.position() - 25) : srow.position() + len(str(n))]
        n_from = f" (n: the sample size printed for the group named with it, '...{words}'.)"
        used = (row.row_id, srow.row_id)
    elif n is None and rows is not None and (grp2 := _implied_n(row, rows, only=False)):
        n, srow, n_from = grp2
        used = (row.row_id, srow.row_id)
    kind = {"category": "r_p_n", "source_kind": "", "cited_source_id": None}
    if r is None or abs(r.value) > 1:
        yield row.check("r", claim=f"r = {row.text('value')}", reported=row.text("value"),
                        recomputed="", verdict=decide(),
                        detail=f"r = {row.text('value')} is not a correlation (|r| <= 1).",
                        **kind)  # fmt: skip
        return
    rt = row.text("value")
    pp = None
    if p_text:
        try:
            pp = parse_p(p_text)
        except OptionError:
            pp = None
    if pp is None:
        use = n if n is not None else (study[0] if study else None)
        if use is None or use < 3:
            yield row.check("r", claim=f"r = {rt}", reported=rt, recomputed="",
                            verdict=decide(evidence=False),
                            detail=f"r = {rt} printed with neither P nor n: nothing to check.",
                            **kind)  # fmt: skip
            return
        p0 = float(p_from_r(r.value, use))
        who = "n printed with it" if n is not None else "the study's n (largest n in the text)"
        yield row.check("implied_p", claim=f"r = {rt}, n = {use} (no P printed)",
                        reported=f"r = {rt}", recomputed=f"p = {format_p(p0)}", value=p0,
                        verdict=decide(evidence=False),
                        detail=f"no P printed; r = {rt} with {who} = {use} gives p = "
                        f"{format_p(p0)} (two-sided; {'' if p0 < ALPHA else 'not '}significant "
                        f"at {ALPHA:g}): nothing printed to hold it against.",
                        **kind)  # fmt: skip
        return
    if n is not None and n >= 3:
        res = check_r_p_n(rt, p_text, n, n_max=N_MAX_SCAN).iloc[0]
        p0 = float(res.p_recomputed)
        verdict = decide(reproduced=pp.contains(p0), compatible=bool(res.consistent))
        iv = n_interval_from_r_p(rt, p_text, n_max=N_MAX_SCAN)
        needs = _needs(iv)
        rng = f"{format_p(res.p_low)}-{format_p(res.p_high)} over r's rounding interval"
        detail = msg.R_P_N_TEXT[verdict].format(
            r=rt, n=n, p=format_p(p0), p_range=rng, printed_p=p_text, needs=needs
        )
        yield row.check("r_p_n", claim=f"r = {rt}, {p_text}, n = {n}",
                        reported=f"r = {rt}, {p_text}, n = {n}",
                        recomputed=f"p = {format_p(p0)}; {needs}", value=p0,
                        value_low=float(res.p_low), value_high=float(res.p_high),
                        verdict=verdict, detail=detail + n_from, row_ids=used,
                        **kind)  # fmt: skip
        return
    iv = n_interval_from_r_p(rt, p_text, n_max=N_MAX_SCAN)
    needs = _needs(iv).removeprefix("needs ")
    claim = f"r = {rt}, {p_text} (n not printed)"
    if study is None:
        yield row.check("n_needed", claim=claim, reported=f"r = {rt}, {p_text}",
                        recomputed=needs, value=float(iv.n_min or math.nan),
                        verdict=decide(evidence=False),
                        detail=msg.N_NEEDED_TEXT["unverifiable"].format(
                            r=rt, printed_p=p_text, needs=needs)
                        + " The text prints no sample size.", **kind)  # fmt: skip
        return
    big, srow = study
    fits = iv.n_min is not None and iv.n_min <= big
    verdict = decide(compatible=fits)
    detail = msg.N_NEEDED_TEXT[verdict].format(
        r=rt,
        printed_p=p_text,
        needs=needs,
        who="the study's",
        n=big,
        p_all=format_p(float(p_from_r(r.value, big))),
    )
    yield row.check("n_needed", claim=claim, reported=f"r = {rt}, {p_text}",
                    recomputed=needs, value=float(iv.n_min or math.nan), verdict=verdict,
                    detail=detail + " (n: the study's, the largest sample size printed in "
                    "the text.)", row_ids=(row.row_id, srow.row_id), **kind)  # fmt: skip


# --- location -----------------------------------------------------------------------------------


def _units_in(row: Row) -> set[str]:
    """Concentration units printed between the statistic's first and last number."""
    s = row.sentence
    v, hi = row.text("value"), row.text("high") or row.text("low")
    a = s.find(v) if v else -1
    if a < 0 or not hi:
        return set()
    b = s.find(hi, a + len(v))
    if b < 0:
        return set()
    tail = s[b + len(hi) : b + len(hi) + 12]
    seg = s[a:b] + tail[: (m.end() if (m := _CONC_UNIT_RE.match(tail.lstrip())) else 0) + 1]
    return {u.lower().replace("μ", "µ").replace("u", "µ", 1) for u in _CONC_UNIT_RE.findall(seg)}


def _plausible(row: Row) -> Iterator[Check]:
    unit = row.text("unit")
    v = row.num("value")
    if v is None or not unit or to_pmol(abs(v.value), unit) is None:
        return
    if analyte_before(row) != "b12":
        return
    vals = [("value", v)] + [(c, x) for c in ("low", "high") if row.text("spread") != "sd"
                             and (x := row.num(c)) is not None]  # fmt: skip
    pm = [(c, x, to_pmol(abs(x.value), unit)) for c, x in vals]
    bad = [
        (c, x, p)
        for c, x, p in pm
        if p is not None and not B12_PLAUSIBLE_LOW_PMOL_L <= p <= B12_PLAUSIBLE_HIGH_PMOL_L
    ]
    p0 = pm[0][2]
    shown = f"{row.text('value')} {unit}"
    if bad:
        _col, x, p = bad[0]
        yield row.check("plausible", category="plausibility", claim=f"B12 {shown}",
                        reported=shown, recomputed=f"{p:.4g} pmol/L", value=float(p or math.nan),
                        verdict=decide(), cited_source_id=None, source_kind="",
                        detail=f"a B12 concentration of {x.text} {unit} is {p:.4g} pmol/L, "
                        f"outside what any human serum, plasma or milk sample has "
                        f"({B12_PLAUSIBLE_LOW_PMOL_L:g}-{B12_PLAUSIBLE_HIGH_PMOL_L:,.0f} "
                        "pmol/L): the unit or the magnitude is wrong.")  # fmt: skip
        return
    if unit != "pmol/L":
        yield row.check("plausible", category="plausibility", claim=f"B12 {shown}",
                        reported=shown, recomputed=f"{p0:.4g} pmol/L", value=float(p0 or 0),
                        verdict=decide(compatible=True), cited_source_id=None, source_kind="",
                        detail=f"{shown} = {p0:.4g} pmol/L, within the range human samples "
                        f"have ({B12_PLAUSIBLE_LOW_PMOL_L:g}-{B12_PLAUSIBLE_HIGH_PMOL_L:,.0f} "
                        "pmol/L).")  # fmt: skip


def _location(row: Row) -> Iterator[Check]:
    v = row.num("value")
    spread = row.text("spread") or "none"
    lo, hi = row.num("low"), row.num("high")
    measure = row.text("measure") or "location"
    unit = row.text("unit")
    kind = {"source_kind": "", "cited_source_id": None}
    yield from _plausible(row)
    if v is None:
        return
    units = _units_in(row)
    if len(units) > 1:
        yield row.check("units", category="units", claim=f"{measure} {v.text}",
                        reported=row.sentence[:0] + v.text, recomputed="", verdict=decide(),
                        detail=f"the numbers of one {measure} are printed in different units "
                        f"({', '.join(sorted(units))}).", **kind)  # fmt: skip
        return
    if spread == "sd" or spread == "se":
        if lo is None:
            return
        ok = lo.value > 0
        yield row.check("spread", category="spread", claim=f"{measure} {v.text} ± {lo.text}",
                        reported=f"{v.text} ± {lo.text}", recomputed="",
                        verdict=decide(compatible=ok),
                        detail=(f"a {spread.upper()} of {lo.text} is positive, as a spread must "
                                "be; nothing else printed to recompute it from." if ok else
                                f"a {spread.upper()} of {lo.text} is not positive."),
                        **kind)  # fmt: skip
        return
    if lo is None or hi is None:
        if len([c for c in (row.get("low"), row.get("high")) if c is not None]) == 0:
            yield row.check(
                "summary",
                category="summary",
                claim=f"{measure} {v.text} {unit}",
                reported=f"{v.text} {unit}".strip(),
                recomputed="",
                verdict=decide(evidence=False),
                detail="a summary printed without spread; nothing printed to recompute it from.",
                **kind,
            )
        return
    words = {
        "quartiles": "Q1 <= median <= Q3",
        "iqr": "Q1 <= median <= Q3",
        "range": "low <= centre <= high",
        "ci": "CI low <= estimate <= CI high",
    }
    rule = words.get(spread, "low <= centre <= high")
    claim = f"{measure} {v.text} ({lo.text}, {hi.text}) {unit}".strip()
    if not lo.value <= v.value <= hi.value:
        yield row.check("order", category="order", claim=claim,
                        reported=f"{lo.text} / {v.text} / {hi.text}", recomputed="out of order",
                        verdict=decide(), detail=f"{claim}: {rule} does not hold.",
                        **kind)  # fmt: skip
        return
    if spread == "ci" and measure == "geometric_mean" and lo.value > 0:
        geo = math.sqrt(lo.value * hi.value)
        d = max(v.decimals or 0, 0)
        g_lo, g_hi = rounding_interval(v.value, d)
        lo_r, hi_r = rounding_interval(lo.value, lo.decimals or 0), rounding_interval(
            hi.value, hi.decimals or 0)  # fmt: skip
        geo_lo, geo_hi = math.sqrt(max(lo_r[0], 0) * hi_r[0]), math.sqrt(lo_r[1] * hi_r[1])
        lin_lo, lin_hi = (lo_r[0] + hi_r[0]) / 2, (lo_r[1] + hi_r[1]) / 2
        nums = {"ci_low": lo.value, "ci_high": hi.value, "geo_mid": geo, "gm": v.value,
                "lin_mid": (lo.value + hi.value) / 2, "below": v.value - lo.value,
                "above": hi.value - v.value, "gm_low": g_lo, "gm_high": g_hi}  # fmt: skip
        if geo_lo <= g_hi and geo_hi >= g_lo:
            out, verdict = "reproduced", decide(reproduced=True)
        elif lin_lo <= g_hi and lin_hi >= g_lo:
            out, verdict = "consistent", decide(compatible=True)
        else:
            out, verdict = "unverifiable", decide(evidence=False)
        yield row.check("gm_ci", category="geometric_mean_ci", claim=claim,
                        reported=f"{v.text} ({lo.text}, {hi.text})",
                        recomputed=f"sqrt(lo x hi) = {geo:.1f}", value=geo, verdict=verdict,
                        detail=msg.GM_CI_TEXT[out].format(**nums), **kind)  # fmt: skip
        return
    yield row.check("order", category="order", claim=claim,
                    reported=f"{lo.text} / {v.text} / {hi.text}", recomputed="in order",
                    verdict=decide(compatible=True),
                    detail=f"{rule} holds, in one unit; nothing else printed to recompute "
                    "it from.", **kind)  # fmt: skip


# --- share --------------------------------------------------------------------------------------


def _reach(pct: float, n: int, d: int, lo_off: float, hi_off: float, trunc: bool) -> list[int]:
    """Counts k out of n whose share prints as ``pct`` under another rounding convention."""
    unit = 10.0**-d
    out = []
    for k in range(n + 1):
        x = 100.0 * k / n
        if trunc:
            if math.floor(x * 10**d + 1e-9) == round(pct * 10**d):
                out.append(k)
        elif pct - lo_off * unit - 1e-9 <= x < pct + hi_off * unit - 1e-12:
            out.append(k)
    return out


def _implied_n(row: Row, rows: list[Row], *, only: bool = True) -> tuple[int, Row, str] | None:
    """The n a statistic printed without one refers to: its compartment's sample size.

    The sample size printed for the same compartment ("196 mothers" for "38.2% of
    mothers") when there is one such n; else, with ``only``, the text's one sample size.
    """
    comp = compartment_near(row)
    sizes = [
        (n, r, compartment_near(r))
        for r in rows
        if r.text("statistic") == "sample_size" and (n := r.whole("value")) is not None
    ]
    same: dict[int, Row] = {}
    for n, r, c in sizes:
        if comp is not None and c == comp:
            same.setdefault(n, r)
    # several n for the group: only a total printed first (subgroups after it) is its n
    if same and next(iter(same)) == max(same):
        n = max(same)
        r = same[n]
        at = r.position()
        words = r.sentence[at : at + 30].split(".")[0]
        which = "the sample size" if len(same) == 1 else "the first and largest sample size"
        return n, r, f" (n = {n}: {which} printed for that group, '{words}...'.)"
    distinct = {n: r for n, r, _ in sizes}
    if only and len(distinct) == 1:
        ((n, r),) = distinct.items()
        return n, r, f" (n = {n}: the only sample size the text prints.)"
    return None


def _share(row: Row, rows: list[Row] | None = None) -> Iterator[Check]:
    """The checks of a share; without a printed n, at the n of its group (said in the detail)."""
    yield from _cutoff(row)
    if row.whole("n") is not None or rows is None:
        yield from _share_at(row, row.whole("n"))
        return
    k, v = row.whole("count"), row.num("value")
    if k is not None and v is not None and v.value > 0:
        # a count with its share: the denominators they imply (the group may be a subgroup)
        lo, hi = rounding_interval(v.value, v.decimals or 0)
        dens = [m for m in range(max(k, 1), int(100 * k / max(lo, 1e-9)) + 2)
                if lo <= 100 * k / m <= hi]  # fmt: skip
        ptxt = f"{v.text}%"
        yield row.check("count", category="count", claim=f"{k} ({ptxt})",
                        reported=f"{k} ({ptxt})", recomputed="", verdict=decide(evidence=False),
                        source_kind="", cited_source_id=None,
                        detail=f"{k} ({ptxt}) is printed without its n; "
                        + (f"they imply n in [{dens[0]}, {dens[-1]}]." if dens else
                           "no whole n gives that share with that count."))  # fmt: skip
        return
    got = _implied_n(row, rows)
    if got is None:
        yield from _share_at(row, None)
        return
    n, srow, note = got
    for c in _share_at(row, n):
        yield replace(c, detail=c.detail + note, row_ids=(row.row_id, srow.row_id))


def _cutoff(row: Row) -> Iterator[Check]:
    """A B12 cut-off in a unit or magnitude no human sample has ('< 8 µmol/L')."""
    cut = row.text("cutoff_text")
    m = re.search(r"(\d+(?:\.\d+)?)\s*([a-zA-Zµμ]+/[a-zA-Z]+)", cut)
    if not m:
        return
    value, unit = float(m.group(1)), m.group(2)
    p = to_pmol(value, unit)
    at = row.sentence.find(m.group(1))
    if p is None or analyte_at(row.sentence, at if at >= 0 else row.position()) != "b12":
        return
    lo, hi = B12_PLAUSIBLE_LOW_PMOL_L, B12_PLAUSIBLE_HIGH_PMOL_L
    ok = lo <= p <= hi
    yield row.check("cutoff", category="plausibility", claim=f"B12 cut-off {cut}", reported=cut,
                    recomputed=f"{p:.4g} pmol/L", value=p, verdict=decide(compatible=ok),
                    source_kind="", cited_source_id=None,
                    detail=f"the B12 cut-off {cut} is {p:.4g} pmol/L, "
                    + (f"within the range human samples have ({lo:g}-{hi:,.0f} pmol/L)." if ok
                       else f"outside what any human serum, plasma or milk sample has ({lo:g}-"
                       f"{hi:,.0f} pmol/L): the unit or the magnitude is wrong."))  # fmt: skip


def _k_of_n_only(row: Row) -> bool:
    """A count printed without its percent ("32 of 36"), whatever the value cell holds."""
    v, k = row.text("value"), row.text("count")
    if not k:
        return False
    if not v:
        return True
    return v == k and not re.search(rf"(?<![\d.]){re.escape(v)}\s*%", row.sentence)


def _share_at(row: Row, n: int | None) -> Iterator[Check]:
    v = row.num("value")
    k = row.whole("count")
    kind = {"source_kind": "", "cited_source_id": None}
    if k is not None and _k_of_n_only(row):
        if n is None or k > n:
            yield row.check("count", category="count", claim=f"{k} of {n}", reported=f"{k}",
                            recomputed="", verdict=decide(evidence=n is not None),
                            detail=(f"the count {k} exceeds its n = {n}." if n is not None
                                    else f"a count of {k} without its n or share."),
                            **kind)  # fmt: skip
            return
        yield row.check("count", category="count", claim=f"{k} of {n}", reported=f"{k} of {n}",
                        recomputed=f"{100 * k / n:.1f}%", value=k / n,
                        verdict=decide(evidence=False),
                        detail=f"{k} of {n} = {100 * k / n:.1f}%, printed without a share to "
                        "hold it against.", **kind)  # fmt: skip
        return
    if v is None:
        return
    d = v.decimals or 0
    ptxt = f"{v.text}%" if not v.text.endswith("%") else v.text
    if not 0 <= v.value <= 100:
        yield row.check(
            "share",
            category="share",
            claim=ptxt,
            reported=ptxt,
            recomputed="",
            verdict=decide(),
            detail=f"{ptxt} is not a share (0-100%).",
            **kind,
        )
        return
    if n is None or n < 1:
        yield row.check("share", category="share", claim=ptxt, reported=ptxt, recomputed="",
                        verdict=decide(evidence=False),
                        detail=f"{ptxt} is printed without its denominator: nothing to "
                        "check it against (GRIM needs n).", **kind)  # fmt: skip
        return
    if k is not None:
        if k > n:
            yield row.check("count", category="count", claim=f"{k} ({ptxt}) of {n}",
                            reported=f"{k} ({ptxt}), n = {n}", recomputed="",
                            verdict=decide(), detail=f"the count {k} exceeds its n = {n}.",
                            **kind)  # fmt: skip
            return
        x = 100.0 * k / n
        lo, hi = rounding_interval(v.value, d)
        exact = lo - 1e-9 <= x <= hi + 1e-9
        trunc = math.floor(x * 10**d + 1e-9) == round(v.value * 10**d)
        dbl = v.value - 0.55 * 10**-d - 1e-9 <= x <= v.value + 0.45 * 10**-d + 1e-9
        loose = (not exact) and (trunc or dbl)
        how = ("truncation" if trunc else "double rounding") if loose else ""
        verdict = decide(reproduced=exact, compatible=loose)
        detail = (f"{k}/{n} = {x:.{d + 2}f}% rounds to the printed {ptxt}." if exact else
                  f"{k}/{n} = {x:.{d + 2}f}% gives {ptxt} only by {how}, not by standard "
                  "rounding." if loose else
                  f"{k}/{n} = {x:.{d + 2}f}%, not the printed {ptxt} (which needs "
                  f"{_counts_txt(v.value, n, d)} out of {n}).")  # fmt: skip
        yield row.check("count", category="count", claim=f"{k} ({ptxt}) of {n}",
                        reported=f"{k} ({ptxt}), n = {n}", recomputed=f"{x:.{d + 2}f}%",
                        value=x / 100, verdict=verdict, detail=detail, **kind)  # fmt: skip
        return
    ks = grim_counts(v.value, n, decimals=d)
    step, unit = 100.0 / n, 10.0**-d
    claim = f"{ptxt} of n = {n}"
    if step <= unit:
        yield row.check("grim", category="grim", claim=claim, reported=ptxt,
                        recomputed=f"{ks[0]}/{n}" if ks else "", verdict=decide(evidence=False),
                        detail=f"with n = {n} one count moves the share by {step:.2g} points, "
                        f"no more than the printed unit of {unit:g}: every printed value is "
                        "reachable, GRIM cannot fail.", **kind)  # fmt: skip
        return
    if ks:
        k0 = ks[0]
        yield row.check("grim", category="grim", claim=claim, reported=ptxt,
                        recomputed=f"{k0}/{n}", value=k0 / n, verdict=decide(compatible=True),
                        detail=f"{k0}/{n} = {100 * k0 / n:.{d + 2}f}% rounds to {ptxt}: a whole "
                        f"count out of the printed n = {n} gives the printed share (GRIM; the "
                        "count itself is not printed).", **kind)  # fmt: skip
        return
    trunc = _reach(v.value, n, d, 0, 0, True)
    dbl = _reach(v.value, n, d, 0.55, 0.45, False)
    ways = []
    if trunc:
        ways.append(f"truncation ({trunc[0]}/{n} = {100 * trunc[0] / n:.{d + 2}f}%)")
    if dbl:
        ways.append(f"double rounding ({dbl[0]}/{n} = {100 * dbl[0] / n:.{d + 2}f}%)")
    smaller = []
    for m in range(n - 1, max(int(n * GRIM_SMALLER_FLOOR), 1) - 1, -1):
        got = grim_counts(v.value, m, decimals=d)
        if got:
            smaller.append(f"{got[0]}/{m}")
            if len(smaller) == GRIM_SMALLER_LISTED:
                break
    reach = (
        ("; it is reached by " + " or ".join(ways))
        if ways
        else ("; neither truncation nor double rounding reaches it")
    )
    den = (f"; the nearest smaller denominators that give it: {', '.join(smaller)}"
           if smaller else "")  # fmt: skip
    yield row.check("grim", category="grim", claim=claim, reported=ptxt, recomputed="no count",
                    verdict=decide(),
                    detail=f"no whole count out of n = {n} gives {ptxt} with standard rounding "
                    f"(GRIM: {_neighbours(v.value, n, d)}){reach}{den}.", **kind)  # fmt: skip


def _counts_txt(pct: float, n: int, d: int) -> str:
    ks = grim_counts(pct, n, decimals=d)
    if not ks:
        return "no whole count"
    return f"k = {ks[0]}" if len(ks) == 1 else f"k in {ks[0]}-{ks[-1]}"


def _neighbours(pct: float, n: int, d: int) -> str:
    k = math.floor(pct * n / 100)
    parts = [f"{j}/{n} = {100 * j / n:.{d + 2}f}%" for j in (k, k + 1) if 0 <= j <= n]
    return ", ".join(parts)


# --- effects, ratios, comparisons ---------------------------------------------------------------


def _effect(row: Row) -> Iterator[Check]:
    v, lo, hi = row.num("value"), row.num("low"), row.num("high")
    p_text = row.text("p_text")
    measure = row.text("measure") or "effect"
    kind = {"source_kind": "", "cited_source_id": None}
    if v is None:
        return
    if lo is None or hi is None or row.text("spread") not in ("ci", ""):
        if lo is None and hi is None:
            what = f" and {p_text}" if p_text else ""
            yield row.check("effect", category="effect", claim=f"{measure} {v.text}{what}",
                            reported=f"{v.text}{what}", recomputed="",
                            verdict=decide(evidence=False),
                            detail=f"{measure} {v.text} printed without a CI{what}: nothing "
                            "to recompute it from.", **kind)  # fmt: skip
        return
    claim = f"{measure} {v.text} (95% CI {lo.text}, {hi.text})" + (f", {p_text}" if p_text else "")
    if not lo.value <= v.value <= hi.value:
        yield row.check("ci", category="ci", claim=claim,
                        reported=f"{v.text} ({lo.text}, {hi.text})", recomputed="out of order",
                        verdict=decide(), detail=f"the estimate {v.text} lies outside its own CI "
                        f"{lo.text} to {hi.text}.", **kind)  # fmt: skip
        return
    ratio_scale = measure in _RATIO_MEASURES or row.text("statistic") == "ratio"
    scale = "ratio" if ratio_scale else "percent_difference"
    pp = None
    if p_text:
        try:
            pp = parse_p(p_text)
        except OptionError:
            pp = None
    usable = (ratio_scale and lo.value > 0) or (not ratio_scale and lo.value > -100)
    if measure in ("difference", "beta", "other"):
        usable = False  # on a linear scale: percent_difference's log(1 + x/100) does not apply
    if pp is None or not usable:
        null = 1.0 if ratio_scale else 0.0
        excl = not lo.value <= null <= hi.value
        yield row.check("ci", category="ci", claim=claim,
                        reported=f"{v.text} ({lo.text}, {hi.text})", recomputed="in order",
                        verdict=decide(compatible=True),
                        detail=f"the estimate lies inside its CI; the CI "
                        f"{'excludes' if excl else 'includes'} the null value {null:g} (P "
                        f"{'<' if excl else '>'} 0.05)"
                        + ("" if pp is None else f"; {p_text} cannot be recomputed on this "
                           "scale") + ".", **kind)  # fmt: skip
        return
    try:
        res = check_p_against_ci(p_text, v.text, lo.text, hi.text, scale=scale).iloc[0]
    except OptionError as exc:
        yield row.check("ci_p", category="ci_p", claim=claim, reported=claim, recomputed="",
                        verdict=decide(evidence=False), detail=f"not recomputable: {exc}.",
                        **kind)  # fmt: skip
        return
    p0 = float(res.p_recomputed)
    verdict = decide(reproduced=pp.contains(p0), compatible=bool(res.consistent))
    rng = f"{format_p(res.p_low)}-{format_p(res.p_high)} with rounding"
    yield row.check("ci_p", category="ci_p", claim=claim, reported=claim,
                    recomputed=f"p = {format_p(p0)}", value=p0, value_low=float(res.p_low),
                    value_high=float(res.p_high), verdict=verdict,
                    detail=msg.LOG_TEXT[verdict].format(p=format_p(p0), p_range=rng,
                                                        printed_p=p_text), **kind)  # fmt: skip


def _same_sentence(row: Row, rows: list[Row], stat: str = "location") -> list[Row]:
    return [r for r in rows if r.text("statistic") == stat and r.sentence == row.sentence
            and r.index != row.index and r.num("value") is not None]  # fmt: skip


def _ratio(row: Row, rows: list[Row]) -> Iterator[Check]:
    v = row.num("value")
    kind = {"source_kind": "", "cited_source_id": None}
    if v is None:
        return
    if row.num("low") is not None and row.num("high") is not None:
        yield from _effect(row)
        return
    cands = _same_sentence(row, rows)
    pairs = []
    for a in cands:
        for b in cands:
            if a.index < b.index and a.text("unit") == b.text("unit"):
                pairs.append((a, b))
    if not pairs:
        yield row.check("ratio", category="ratio", claim=f"{v.text}x", reported=f"{v.text}x",
                        recomputed="", verdict=decide(evidence=False),
                        detail=f"the ratio {v.text}x: the two values it divides are not printed "
                        "in the same sentence in one unit.", **kind)  # fmt: skip
        return
    # the nearest pair after the ratio (or the first pair)
    a, b = min(pairs, key=lambda ab: abs(ab[0].position() - row.position()))
    x, y = a.num("value"), b.num("value")
    assert x is not None and y is not None
    big, small = (x, y) if x.value >= y.value else (y, x)
    if small.value <= 0:
        return
    res = check_ratio(big.text, small.text, v.text).iloc[0]
    verdict = decide(reproduced=bool(res.reproduced_exact),
                     compatible=bool(res.consistent_with_rounding))  # fmt: skip
    p_lo, p_hi = rounding_interval(v.value, v.decimals or 0)
    span = f"the inputs' rounding gives {res.ratio_low:.3f}-{res.ratio_high:.3f}"
    detail = msg.RATIO_TEXT[verdict].format(
        ratio_txt=f"{big.text}/{small.text} = {res.ratio:.3f}",
        printed_low=p_lo,
        printed_high=p_hi,
        printed=f"{v.text}x",
        span=span,
        numerator=big.text,
        denominator=small.text,
    )
    yield row.check("ratio", category="ratio", claim=f"{v.text}x ({big.text} vs {small.text})",
                    reported=f"{v.text}x", recomputed=f"{res.ratio:.3f}", value=float(res.ratio),
                    value_low=float(res.ratio_low), value_high=float(res.ratio_high),
                    verdict=verdict, detail=detail,
                    row_ids=(row.row_id, a.row_id, b.row_id), **kind)  # fmt: skip


_SAYS_NOT = re.compile(
    r"\b(no|not|nor|without)\s+(any\s+)?(statistically\s+)?(significant(ly)?\s+)?"
    r"(correlat\w*|associat\w*|differ\w*|relationship|effect|change)|\bdid not differ",
    re.IGNORECASE,
)
_SAYS_SIG = re.compile(r"(?<!no )(?<!not )(?<!non-)(?<!non)\bsignificant(ly)?\b", re.IGNORECASE)


def _worded(row: Row, pp: PrintedP, p_text: str) -> Check | None:
    """A P against the words of its clause ("there was no correlation (p = 0.016)")."""
    at = row.position()
    clause = re.split(r"[);]|\b(?:but|whereas|while|although)\b", row.sentence[:at])[-1][-160:]
    lo, hi = pp.interval()
    below = hi < ALPHA or (pp.relation in ("<", "<=") and hi <= ALPHA)
    above = lo >= ALPHA and pp.relation not in ("<", "<=")
    if _SAYS_NOT.search(clause):
        says, contradicts = "no correlation, association or difference", below
    elif _SAYS_SIG.search(clause):
        says, contradicts = "a significant result", above
    else:
        return None
    if not (below or above):
        return None
    words = clause.strip()
    return row.check("worded_p", category="worded_p", claim=f"'{words}' {p_text}",
                     reported=p_text, recomputed="", verdict=decide(compatible=not contradicts),
                     source_kind="", cited_source_id=None,
                     detail=f"the text says {says} ('...{words[-80:]}') with {p_text}, which is "
                     f"{'below' if below else 'above'} the conventional {ALPHA:g}"
                     + (": the words and the P disagree." if contradicts else
                        ": the words and the P agree."))  # fmt: skip


def _two_by_two(row: Row, pp: PrintedP, p_text: str, shares: list[Row]) -> Check | None:
    """Two printed counts k/n compared by a P: Fisher's exact and the chi-square tests."""
    from scipy import stats as sps

    near = sorted(shares, key=lambda r: abs(r.position() - row.position()))[:2]
    a, b = sorted(near, key=lambda r: r.position())
    (ka, na), (kb, nb) = (a.whole("count"), a.whole("n")), (b.whole("count"), b.whole("n"))
    if None in (ka, na, kb, nb) or ka > na or kb > nb:  # type: ignore[operator]
        return None
    table = [[ka, na - ka], [kb, nb - kb]]  # type: ignore[operator]
    if min(sum(r) for r in table) == 0 or min(ka + kb, na + nb - ka - kb) == 0:  # type: ignore[operator]
        return None
    ps = {
        "Fisher's exact": float(sps.fisher_exact(table).pvalue),
        "chi-square": float(sps.chi2_contingency(table, correction=False).pvalue),
        "chi-square with Yates' correction": float(
            sps.chi2_contingency(table, correction=True).pvalue
        ),
    }
    exact = any(pp.contains(p) for p in ps.values())
    # rounding of the printed P: compatible when some test comes within a factor of 2
    near_ok = pp.intersects(min(ps.values()) / 2, min(1.0, 2 * max(ps.values())))
    verdict = decide(reproduced=exact, compatible=near_ok)
    listed = ", ".join(f"{k} p = {format_p(v)}" for k, v in ps.items())
    return row.check("comparison_p", category="comparison_p",
                     claim=f"{ka}/{na} vs {kb}/{nb}, {p_text}", reported=p_text,
                     recomputed=listed, value=ps["Fisher's exact"], verdict=verdict,
                     detail=f"{ka}/{na} vs {kb}/{nb}: {listed}; "
                     + ("one of them fits " if verdict != "inconsistent" else "none fits ")
                     + f"{p_text}.", source_kind="", cited_source_id=None,
                     row_ids=(row.row_id, a.row_id, b.row_id))  # fmt: skip


def _comparison(row: Row, rows: list[Row]) -> Iterator[Check]:
    p_text = row.text("p_text") or row.text("value")
    try:
        pp: PrintedP | None = parse_p(p_text)
    except OptionError:
        pp = None
    if pp is not None:
        shares = [r for r in _same_sentence(row, rows, "share")
                  if r.whole("count") is not None and r.whole("n") is not None]  # fmt: skip
        if len(shares) >= 2 and (c := _two_by_two(row, pp, p_text, shares)) is not None:
            yield c
            return
        if (w := _worded(row, pp, p_text)) is not None:
            yield w
            return
    yield from _compare_groups(row, p_text, _same_sentence(row, rows))


def _location_pairs(rows: list[Row]) -> Iterator[tuple[Row, Row]]:
    """Locations printed with one P in one sentence, in pairs (``348 vs 171; P < 0.001``)."""
    waiting: dict[tuple[str, str], Row] = {}
    for r in rows:
        if r.text("statistic") != "location" or not r.text("p_text"):
            continue
        key = (r.sentence, r.text("p_text"))
        if key in waiting:
            yield waiting.pop(key), r
        else:
            waiting[key] = r


def _compare_groups(row: Row, p_text: str, cands: list[Row]) -> Iterator[Check]:
    kind = {"source_kind": "", "cited_source_id": None}
    groups = [r for r in cands if r.text("spread") == "ci"
              and r.num("low") is not None and r.num("high") is not None]  # fmt: skip
    try:
        pp = parse_p(p_text)
    except OptionError:
        pp = None
    sds = [r for r in cands if r.text("spread") == "sd"
           and r.num("low") is not None and r.whole("n") is not None]  # fmt: skip
    if pp is not None and len(groups) < 2 and len(sds) >= 2:
        yield from _welch(row, pp, p_text, sds)
        return
    if pp is None or len(groups) < 2:
        yield row.check("comparison_p", category="comparison_p", claim=p_text, reported=p_text,
                        recomputed="", verdict=decide(evidence=False),
                        detail=f"{p_text} compares two groups, but no spread of both groups is "
                        "printed with it: the P cannot be recomputed.", **kind)  # fmt: skip
        return
    a, b = sorted(groups, key=lambda r: abs(r.position() - row.position()))[:2]
    na, nb = a.num("value"), b.num("value")
    assert na is not None and nb is not None
    ci_a = (a.num("low").value, a.num("high").value)  # type: ignore[union-attr]
    ci_b = (b.num("low").value, b.num("high").value)  # type: ignore[union-attr]
    if na.value <= 0 or nb.value <= 0:
        return
    res = ratio_from_cis(na.value, ci_a, nb.value, ci_b).iloc[0]
    p0 = float(res.p_value)
    # the delta method on printed (rounded) CIs: compatible within a factor of 2 in P
    verdict = decide(reproduced=pp.contains(p0), compatible=pp.intersects(p0 / 2, min(2 * p0, 1)))
    yield row.check("comparison_p", category="comparison_p",
                    claim=f"{na.text} ({ci_a[0]:g}, {ci_a[1]:g}) vs {nb.text} ({ci_b[0]:g}, "
                    f"{ci_b[1]:g}), {p_text}", reported=p_text, recomputed=f"p = {format_p(p0)}",
                    value=p0, verdict=verdict,
                    detail=f"the ratio {na.text}/{nb.text} = {res.estimate:.3f} with the printed "
                    f"CIs (delta method, z test) gives p = {format_p(p0)}, which "
                    f"{'fits' if verdict != 'inconsistent' else 'does not fit'} {p_text}.",
                    row_ids=(row.row_id, a.row_id, b.row_id), **kind)  # fmt: skip


def _welch(row: Row, pp: object, p_text: str, sds: list[Row]) -> Iterator[Check]:
    """Two groups printed as mean ± SD with their n: Welch's t test against the printed P."""
    from scipy import stats as sps

    a, b = sorted(sds, key=lambda r: abs(r.position() - row.position()))[:2]
    ma, mb = a.num("value"), b.num("value")
    sa, sb = a.num("low"), b.num("low")
    na, nb = a.whole("n"), b.whole("n")
    assert ma and mb and sa and sb and na and nb
    if min(na, nb) < 2 or min(sa.value, sb.value) <= 0:
        return
    res = sps.ttest_ind_from_stats(ma.value, sa.value, na, mb.value, sb.value, nb,
                                   equal_var=False)  # fmt: skip
    p0 = float(res.pvalue)
    # rounding of the printed means and SDs moves P; allow a factor of 2 either way
    verdict = decide(
        reproduced=pp.contains(p0),  # type: ignore[attr-defined]
        compatible=pp.intersects(p0 / 2, min(2 * p0, 1.0)),
    )  # type: ignore[attr-defined]
    yield row.check("comparison_p", category="comparison_p",
                    claim=f"{ma.text} ± {sa.text} (n = {na}) vs {mb.text} ± {sb.text} "
                    f"(n = {nb}), {p_text}", reported=p_text, recomputed=f"p = {format_p(p0)}",
                    value=p0, verdict=verdict,
                    detail=f"Welch's t test on the printed means, SDs and n gives t = "
                    f"{res.statistic:.2f}, p = {format_p(p0)}, which "
                    f"{'does not fit' if verdict == 'inconsistent' else 'fits'} {p_text}.",
                    row_ids=(row.row_id, a.row_id, b.row_id), source_kind="",
                    cited_source_id=None)  # fmt: skip


def _sample_size(row: Row) -> Iterator[Check]:
    n = row.whole("value")
    yield row.check("n", category="sample_size", claim=f"n = {row.text('value')}",
                    reported=row.text("value"), recomputed="", verdict=decide(evidence=False),
                    detail=("a sample size; used as the study's n where a statistic prints none."
                            if n is not None else "not a whole number."),
                    source_kind="", cited_source_id=None)  # fmt: skip


# --- the whole text -----------------------------------------------------------------------------


def _rows_of(frame: pd.DataFrame) -> dict[str, list[Row]]:
    missing = [c for c in ("file", "statistic", "value", "text") if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"extracted rows need the columns of b12stats extract; missing: {', '.join(missing)}"
        )
    out: dict[str, list[Row]] = {}
    for file, part in frame.groupby(frame["file"].astype(str), sort=False):
        rows = []
        for i, (_, data) in enumerate(part.iterrows()):
            rows.append(Row(i, str(file), data, f"{file}#{i}"))
        out[str(file)] = place_rows(rows)
    return out


def _own_checks(rows: list[Row]) -> list[Check]:
    study = _study_n(rows)
    out: list[Check] = []
    pair_of = {a.index: (a, b) for a, b in _location_pairs(rows)}
    for row in rows:
        stat = row.text("statistic")
        if stat == "correlation":
            out.extend(_correlation(row, study, rows))
        elif stat == "location":
            out.extend(_location(row))
        elif stat == "share":
            out.extend(_share(row, rows))
        elif stat == "effect":
            out.extend(_effect(row))
        elif stat == "ratio":
            out.extend(_ratio(row, rows))
        elif stat == "comparison":
            out.extend(_comparison(row, rows))
        elif stat == "sample_size":
            out.extend(_sample_size(row))
        if row.index in pair_of:
            a, b = pair_of[row.index]
            got = list(_compare_groups(a, a.text("p_text"), [a, b]))
            out.extend(replace(c, row_ids=(a.row_id, b.row_id)) for c in got)
        if not any(c.numbers.get("row") == row.index for c in out):
            out.append(row.check("none", category="none", claim=f"{stat} {row.text('value')}",
                                 reported=row.text("value"), recomputed="",
                                 verdict=decide(evidence=False),
                                 detail="nothing printed with it to check it against.",
                                 source_kind="", cited_source_id=None))  # fmt: skip
    return out


def audit_rows(
    rows: pd.DataFrame,
    *,
    primary_rows: pd.DataFrame | None = None,
    text: str | None = None,
    primary_text: str | None = None,
    source_kind: str | None = None,
) -> TextAudit:
    """The checks of :func:`check_extracted` as an :class:`~b12stats.audit.AuditResult`.

    Parameters
    ----------
    rows, primary_rows
        As in :func:`check_extracted`.
    text, primary_text
        The full texts (for worded claims such as supplementation, which need
        more than the sentences that hold numbers); optional.
    source_kind
        ``source_kind`` of the checks: default ``"secondary"`` with a primary,
        else ``"primary"``.

    Returns
    -------
    TextAudit
        The checks, in the order of the rows; each check's ``numbers`` holds the
        ``file``, ``row`` and ``start``/``end`` of the statistic it judged.
    """
    from b12stats.text.check_primary import against_primary

    kind = source_kind or ("secondary" if primary_rows is not None else "primary")
    by_file = _rows_of(rows) if len(rows) else {}
    checks: list[Check] = []
    prim: list[Row] | None = None
    if primary_rows is not None:
        pf = _rows_of(primary_rows) if len(primary_rows) else {}
        prim = [r for part in pf.values() for r in part]
    for _file, part in by_file.items():
        mine = _own_checks(part)
        if prim is not None:
            mine.extend(against_primary(part, prim, text=text, primary_text=primary_text))
        checks.extend(replace(c, source_kind=kind) for c in mine)
    return TextAudit(tuple(checks))


def check_extracted(
    rows: pd.DataFrame,
    *,
    primary_rows: pd.DataFrame | None = None,
    text: str | None = None,
    primary_text: str | None = None,
) -> pd.DataFrame:
    """Audit extracted statistics: one row per check, the columns of ``b12stats reproduce``.

    Parameters
    ----------
    rows
        Rows of ``b12stats extract`` (:data:`~b12stats.text.check_base.EXTRACT_COLUMNS`;
        ``file, statistic, value, text`` at least); several files are checked one by one.
    primary_rows
        Rows extracted from the primary source the text reports; each statistic is
        then also matched to the primary's (``conflicts_with_primary`` where they
        disagree).
    text, primary_text
        The full texts, for worded claims (optional).

    Returns
    -------
    DataFrame
        The columns :data:`b12stats.audit.COLUMNS`; ``row_ids`` are ``<file>#<row>``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame([{"file": "a.txt", "statistic": "correlation", "value": "0.20",
    ...     "p_text": "p = 0.27", "n": "67", "text": "We saw r = 0.20, p = 0.27 (n = 67)."}])
    >>> out = check_extracted(rows)
    >>> out.loc[0, "verdict"], out.loc[0, "recomputed"]
    ('inconsistent', 'p = 0.105; needs n in [31, 34]')
    """
    return audit_rows(rows, primary_rows=primary_rows, text=text,
                      primary_text=primary_text).to_frame()  # fmt: skip


def row_verdicts(checks: tuple[Check, ...] | list[Check]) -> Mapping[tuple[str, int], str]:
    """The verdict shown per extraction row: the first of :data:`PRIORITY` among its checks."""
    out: dict[tuple[str, int], str] = {}
    for c in checks:
        key = (str(c.numbers.get("file")), int(c.numbers.get("row", -1)))
        old = out.get(key)
        if old is None or PRIORITY.index(c.verdict) < PRIORITY.index(old):
            out[key] = c.verdict
    return out

"""Checks of a share: GRIM at the printed or the group's n, k/n recomputed, the cut-off's unit."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import replace

from b12stats.audit.core import Check, decide
from b12stats.stats.printed import grim_counts, rounding_interval
from b12stats.text.check_base import (
    B12_PLAUSIBLE_HIGH_PMOL_L,
    B12_PLAUSIBLE_LOW_PMOL_L,
    COMPARTMENT_WORDS,
    Row,
    analyte_at,
    compartment_near,
    to_pmol,
)

#: How many smaller denominators the GRIM detail lists, and how far down it looks (share of n).
GRIM_SMALLER_LISTED = 3
GRIM_SMALLER_FLOOR = 0.5


#: "300 pg/ml for mothers": a concentration with its unit printed for a named group.
_CUT_FOR_RE = re.compile(
    r"(\d+(?:\.\d+)?\s*[a-zA-Zµμ]+/[a-zA-Z]+)\s+(?:for|in)\s+(?:the\s+)?(\w+)"
)


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


def implied_n(row: Row, rows: list[Row], *, only: bool = True) -> tuple[int, Row, str] | None:
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


def share_checks(row: Row, rows: list[Row] | None = None) -> Iterator[Check]:
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
    got = implied_n(row, rows)
    if got is None:
        yield from _share_at(row, None)
        return
    n, srow, note = got
    for c in _share_at(row, n):
        yield replace(c, detail=c.detail + note, row_ids=(row.row_id, srow.row_id))


def _cutoff_for_group(row: Row) -> str:
    """A cut-off printed after the share for its group ('... 200 pg/dl for neonates').

    Only where the share names its group ("25.3% of neonates") and one cut-off of the
    sentence after it is printed for that group; else ``""``.
    """
    group = compartment_near(row)
    if group is None:
        return ""
    pattern = dict(COMPARTMENT_WORDS)[group]
    after = row.sentence[row.position() + len(row.text("value")) :]
    found = [m.group(1) for m in _CUT_FOR_RE.finditer(after)
             if re.fullmatch(pattern, m.group(2), re.IGNORECASE)]  # fmt: skip
    return found[0] if len(found) == 1 else ""


def _cutoff(row: Row) -> Iterator[Check]:
    """A B12 cut-off in a unit or magnitude no human sample has ('< 8 µmol/L')."""
    cut = row.text("cutoff_text") or _cutoff_for_group(row)
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

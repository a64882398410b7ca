"""Checks of a location: bounds in order, one unit, x ± s, a geometric mean's CI, plausible B12."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from b12stats.audit import messages as msg
from b12stats.audit.core import Check, decide
from b12stats.stats.printed import rounding_interval
from b12stats.text.check_base import (
    B12_PLAUSIBLE_HIGH_PMOL_L,
    B12_PLAUSIBLE_LOW_PMOL_L,
    Row,
    analyte_before,
    to_pmol,
)

_CONC_UNIT_RE = re.compile(
    r"(pmol/l|nmol/l|µmol/l|μmol/l|umol/l|mmol/l|pg/ml|ng/ml|ng/l|µg/l|μg/l|ug/l|pg/dl|ng/dl)",
    re.IGNORECASE,
)


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


def location_checks(row: Row) -> Iterator[Check]:
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

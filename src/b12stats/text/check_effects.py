"""Checks of an effect (estimate in its CI, CI against P) and of a ratio against its values."""

from __future__ import annotations

from collections.abc import Iterator

from b12stats.audit import messages as msg
from b12stats.audit.core import Check, decide
from b12stats.errors import OptionError
from b12stats.format import format_p
from b12stats.stats.effects import check_p_against_ci, check_ratio
from b12stats.stats.printed import rounding_interval
from b12stats.text.check_base import (
    Row,
    printed_p,
)

_RATIO_MEASURES = ("odds_ratio", "risk_ratio", "prevalence_ratio")


def effect_checks(row: Row) -> Iterator[Check]:
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
    pp = printed_p(p_text)
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


def same_sentence(row: Row, rows: list[Row], stat: str = "location") -> list[Row]:
    return [r for r in rows if r.text("statistic") == stat and r.sentence == row.sentence
            and r.index != row.index and r.num("value") is not None]  # fmt: skip


def ratio_checks(row: Row, rows: list[Row]) -> Iterator[Check]:
    v = row.num("value")
    kind = {"source_kind": "", "cited_source_id": None}
    if v is None:
        return
    if row.num("low") is not None and row.num("high") is not None:
        yield from effect_checks(row)
        return
    cands = same_sentence(row, rows)
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

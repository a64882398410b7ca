"""Checks of a correlation: r against its P and n (printed with it, its group's or the study's)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from b12stats.audit import messages as msg
from b12stats.audit.core import ALPHA, N_MAX_SCAN, Check, decide
from b12stats.format import format_p
from b12stats.stats.correlation import check_r_p_n, n_interval_from_r_p, p_from_r
from b12stats.text.check_base import (
    Row,
    nearest_name,
    printed_p,
)
from b12stats.text.check_shares import implied_n


def study_n(rows: list[Row]) -> tuple[int, Row] | None:
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


def correlation_checks(
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
    elif n is None and rows is not None and (grp2 := implied_n(row, rows, only=False)):
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
    pp = printed_p(p_text)
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

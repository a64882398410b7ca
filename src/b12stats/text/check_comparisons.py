"""Checks of a P-only comparison: groups with CIs, mean ± SD with n, k/n tables, worded claims."""

from __future__ import annotations

import re
from collections.abc import Iterator

from b12stats.audit.core import ALPHA, Check, decide
from b12stats.format import format_p
from b12stats.stats.effects import ratio_from_cis
from b12stats.stats.printed import PrintedP
from b12stats.text.check_base import (
    Row,
    printed_p,
)
from b12stats.text.check_effects import same_sentence

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


def comparison_checks(row: Row, rows: list[Row]) -> Iterator[Check]:
    p_text = row.text("p_text") or row.text("value")
    pp = printed_p(p_text)
    if pp is not None:
        shares = [r for r in same_sentence(row, rows, "share")
                  if r.whole("count") is not None and r.whole("n") is not None]  # fmt: skip
        if len(shares) >= 2 and (c := _two_by_two(row, pp, p_text, shares)) is not None:
            yield c
            return
        if (w := _worded(row, pp, p_text)) is not None:
            yield w
            return
    yield from compare_groups(row, p_text, same_sentence(row, rows))


def location_pairs(rows: list[Row]) -> Iterator[tuple[Row, Row]]:
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


def compare_groups(row: Row, p_text: str, cands: list[Row]) -> Iterator[Check]:
    kind = {"source_kind": "", "cited_source_id": None}
    groups = [r for r in cands if r.text("spread") == "ci"
              and r.num("low") is not None and r.num("high") is not None]  # fmt: skip
    pp = printed_p(p_text)
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
    yield _p_within_twice(
        row, pp, p_text, p0,
        claim=f"{na.text} ({ci_a[0]:g}, {ci_a[1]:g}) vs {nb.text} ({ci_b[0]:g}, {ci_b[1]:g}), "
        f"{p_text}",
        how=f"the ratio {na.text}/{nb.text} = {res.estimate:.3f} with the printed CIs (delta "
        "method, z test) gives",
        row_ids=(row.row_id, a.row_id, b.row_id),
    )  # fmt: skip


def _welch(row: Row, pp: PrintedP, p_text: str, sds: list[Row]) -> Iterator[Check]:
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
    yield _p_within_twice(
        row, pp, p_text, p0,
        claim=f"{ma.text} ± {sa.text} (n = {na}) vs {mb.text} ± {sb.text} (n = {nb}), {p_text}",
        how=f"Welch's t test on the printed means, SDs and n gives t = {res.statistic:.2f},",
        row_ids=(row.row_id, a.row_id, b.row_id),
    )  # fmt: skip


def _p_within_twice(
    row: Row, pp: PrintedP, p_text: str, p0: float, *, claim: str, how: str,
    row_ids: tuple[str, ...],
) -> Check:  # fmt: skip
    """A recomputed two-group P against the printed one: compatible within a factor of 2.

    The groups' printed values are rounded, so the P they give moves; a P within half to
    twice the recomputed one is ``consistent``, one that contains it ``reproduced``.
    """
    verdict = decide(
        reproduced=pp.contains(p0), compatible=pp.intersects(p0 / 2, min(2 * p0, 1.0))
    )
    fits = "does not fit" if verdict == "inconsistent" else "fits"
    return row.check("comparison_p", category="comparison_p", claim=claim, reported=p_text,
                     recomputed=f"p = {format_p(p0)}", value=p0, verdict=verdict,
                     detail=f"{how} p = {format_p(p0)}, which {fits} {p_text}.",
                     row_ids=row_ids, source_kind="", cited_source_id=None)  # fmt: skip

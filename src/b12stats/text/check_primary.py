"""A text's statistics against the primary source it reports (``b12stats check --primary``).

Each statistic is matched to the primary's rows of the same statistic whose
context agrees: the compartment (maternal / milk / infant) named before the
value, the time point and the group words
(:func:`~b12stats.text.check_base.compartment_of`, ``time_point``,
``group_words``). Among the candidates with the best context the one nearest
in value is taken (the match most favourable to the text), so a conflict is
reported only when even that one disagrees. Sample sizes, values (converted
to pmol/L; a median set against a geometric mean is named as such), units and
significance are compared; worded claims (supplementation, daily dose) are
compared on the full texts when given (:mod:`~b12stats.text.check_worded`).
"""

from __future__ import annotations

import itertools
import math
import re

from b12stats.audit.core import ALPHA, Check, decide
from b12stats.format import format_p
from b12stats.stats.effects import check_ratio, ratio_from_cis
from b12stats.stats.printed import PrintedP, rounding_interval
from b12stats.text.check_base import (
    _GROUP_WORDS,
    COMPARTMENT_WORDS,
    NOT_NAMES,
    Row,
    analyte_before,
    compartment_near,
    compartment_of,
    group_words,
    names_in,
    nearest_name,
    overlaps,
    printed_p,
    time_point,
    to_pmol,
)
from b12stats.text.check_worded import worded_claims

__all__ = ["against_primary"]

_MEASURE_NAMES = {
    "median": "a median",
    "geometric_mean": "a geometric mean",
    "mean": "an arithmetic mean",
    "pearson": "a Pearson r",
    "spearman": "a Spearman rho",
}


def _list_roles(rows: list[Row]) -> dict[int, tuple[str | None, str | None]]:
    """Compartment and name of values given in list order.

    "The maternal, milk and infant concentrations were: in Canada, a, b, c; in
    Cambodia, d, e, f": when a sentence names k compartments before its first value
    and every ';'-part holds k values, the i-th value of a part is the i-th compartment
    of the group named at the start of that part.
    """
    out: dict[int, tuple[str | None, str | None]] = {}
    by_sentence: dict[str, list[Row]] = {}
    for r in rows:
        if r.text("statistic") in ("location", "share", "correlation") and r.num("value"):
            by_sentence.setdefault(r.sentence, []).append(r)
    for sent, part in by_sentence.items():
        if len(part) < 2:
            continue
        first = min(r.position() for r in part)
        comps: list[str] = []
        hits = []
        for name, pat in COMPARTMENT_WORDS:
            hits += [(m.start(), name) for m in re.finditer(pat, sent[:first], re.IGNORECASE)]
        for _, name in sorted(hits):
            if name not in comps:
                comps.append(name)
        bounds = [m.start() for m in re.finditer(";", sent)] + [len(sent)]
        if len(comps) < 2 or (len(bounds) < 2 and "respectively" not in sent.lower()):
            continue
        groups: dict[int, list[Row]] = {}
        for r in sorted(part, key=lambda r: r.position()):
            seg = next(i for i, b in enumerate(bounds) if r.position() < b)
            groups.setdefault(seg, []).append(r)
        if not all(len(g) == len(comps) for g in groups.values()):
            continue
        for seg, g in groups.items():
            start = bounds[seg - 1] if seg > 0 else max(0, g[0].position() - 60)
            names = [w for w in re.findall(r"\b([A-Z][a-z]{3,})\b", sent[start : g[0].position()])
                     if w.lower() not in NOT_NAMES]  # fmt: skip
            label = names[-1].lower()[:5] if names else None
            for comp, r in zip(comps, g, strict=True):
                out[r.index] = (comp, label)
    return out


def _name(r: Row) -> str | None:
    """The group name of a row; none for the second of "A vs. B" (its group is named elsewhere)."""
    at = r.position()
    if re.search(r"\b(vs\.?|versus|compared (with|to))\s*$", r.sentence[max(0, at - 14) : at]):
        return None
    return nearest_name(r)


def _vs_names(rows: list[Row]) -> dict[int, str | None]:
    """Group names of "A ... than B (x vs. y)" pairs: x takes the first name, y the other one."""
    out: dict[int, str | None] = {}
    locs = sorted((r for r in rows if r.text("statistic") == "location" and r.num("value")),
                  key=lambda r: (r.sentence, r.position()))  # fmt: skip
    for a, b in itertools.pairwise(locs):
        if a.sentence != b.sentence or _name(b) is not None:
            continue
        gap = a.sentence[a.position() : b.position()]
        if not re.search(r"\b(vs\.?|versus)\s*$", gap):
            continue
        before = names_in(a.sentence[: a.position()])
        first = before[0] if before else None
        others = [n for n in names_in(a.sentence) if n != first]
        out[a.index] = first
        out[b.index] = others[0] if others and first is not None else None
    return out


class _Roles:
    """Compartment, group name and time point of every row of one text (list order first)."""

    def __init__(self, rows: list[Row]) -> None:
        listed = _list_roles(rows)
        paired = _vs_names(rows)
        self.of: dict[int, tuple[str | None, str | None, str | None]] = {}
        for r in rows:
            comp, name = listed.get(r.index, (None, None))
            if r.index not in listed:
                if r.text("statistic") == "sample_size":
                    at = r.position()
                    comp = compartment_near(r, before=30)
                    after = re.split(r"[\d.;(]", r.sentence[at + len(r.text("value")) :][:50])[0]
                    inside = re.search(r"\bn\s*=\s*$", r.sentence[max(0, at - 6) : at])
                    name = nearest_name(r, 40) if inside else (
                        (names_in(after) or [None])[-1] or nearest_name(r, 40))  # fmt: skip
                else:
                    comp = compartment_of(r)
                    name = paired[r.index] if r.index in paired else (
                        _name(r) or nearest_name(r, 200))  # fmt: skip
            self.of[r.index] = (comp, name, time_point(r))


def _score(a: Row, b: Row, ra: _Roles, rb: _Roles) -> int | None:
    """Context agreement of two rows; ``None`` when a named compartment or group disagrees."""
    ca, na, ta = ra.of[a.index]
    cb, nb, tb = rb.of[b.index]
    score = 0
    if ca is not None and cb is not None:
        if ca != cb:
            return None
        score += 2
    if na is not None and nb is not None:
        if na != nb:
            return None
        score += 3
    if ta is not None and tb is not None:
        score += 1 if ta == tb else -1
    ga, gb = group_words(a), group_words(b)
    score += len(ga & gb)
    return score


def _value(r: Row) -> float | None:
    v = r.num("value")
    if v is None:
        return None
    p = to_pmol(abs(v.value), r.text("unit")) if r.text("unit") else None
    return p if p is not None else v.value


def _best(
    row: Row, prim: list[Row], ra: _Roles, rb: _Roles, stat: str | None = None
) -> tuple[Row, int] | None:
    stat = stat or row.text("statistic")
    cands = []
    for p in prim:
        if p.text("statistic") != stat or p.num("value") is None:
            continue
        if stat == "comparison" and not re.search(r"correlat", p.sentence, re.IGNORECASE):
            continue
        s = _score(row, p, ra, rb)
        if s is not None:
            cands.append((p, s))
    if not cands:
        return None
    top = max(s for _, s in cands)
    best = [p for p, s in cands if s == top]
    mine = _value(row)
    if mine is None:
        return best[0], top

    def dist(p: Row) -> float:
        x = _value(p)
        return math.inf if x is None else abs(math.log(max(x, 1e-12) / max(mine, 1e-12)))

    return min(best, key=dist), top


def _significant(pp: PrintedP | None) -> bool | None:
    if pp is None:
        return None
    lo, hi = pp.interval()
    if hi <= ALPHA and (pp.relation in ("<", "<=") or hi < ALPHA):
        return True
    if lo >= ALPHA:
        return False
    return None


def _shown(r: Row) -> str:
    parts = [r.text("value")]
    if r.text("low") and r.text("high"):
        parts.append(f"({r.text('low')}, {r.text('high')})")
    if r.text("unit"):
        parts.append(r.text("unit"))
    if r.text("p_text"):
        parts.append(r.text("p_text"))
    if r.text("n"):
        parts.append(f"n = {r.text('n')}")
    return " ".join(parts)


def _compare(row: Row, p: Row, primary_file: str) -> Check:
    stat = row.text("statistic")
    mine, theirs = row.num("value"), p.num("value")
    assert mine is not None and theirs is not None
    sec, pri = _shown(row), _shown(p)
    problems: list[str] = []
    same_number = overlaps(mine, theirs)
    u1, u2 = row.text("unit"), p.text("unit")
    x1, x2 = _value(row), _value(p)
    if u1 and u2 and u1 != u2:
        if x1 is not None and x2 is not None and to_pmol(1, u1) and to_pmol(1, u2):
            rel = abs(x1 - x2) / max(x2, 1e-12)
            same_number = rel <= 0.01
            if rel > 0.01:
                problems.append(
                    f"{row.text('value')} {u1} = {x1:.4g} pmol/L against the "
                    f"primary's {p.text('value')} {u2} = {x2:.4g} pmol/L"
                )
        else:
            problems.append(f"the unit {u1} against the primary's {u2}")
    elif not same_number:
        inside = False
        lo, hi = p.num("low"), p.num("high")
        if (
            lo is not None
            and hi is not None
            and p.text("spread") in ("ci", "quartiles", "iqr", "range")
        ):
            inside = lo.value <= mine.value <= hi.value
        if not inside:
            problems.append(f"{row.text('value')} against the primary's {p.text('value')}")
    m1, m2 = row.text("measure"), p.text("measure")
    if (
        stat in ("location", "correlation")
        and m1
        and m2
        and m1 != m2
        and "unspecified"
        not in (
            m1,
            m2,
        )
    ):
        problems.append(
            f"{_MEASURE_NAMES.get(m1, m1)} set against {_MEASURE_NAMES.get(m2, m2)} of the "
            "primary" + (" (for a log-normal the median equals the geometric mean, but they "
                         "are different statistics)" if {m1, m2} == {"median", "geometric_mean"}
                         else "")
        )  # fmt: skip
    n1, n2 = row.whole("n"), p.whole("n")
    if n1 is not None and n2 is not None and n1 != n2:
        problems.append(f"n = {n1} against the primary's n = {n2}")
    s1, s2 = _significant(printed_p(row.text("p_text"))), _significant(printed_p(p.text("p_text")))
    if s1 is not None and s2 is not None and s1 != s2:
        problems.append(
            f"{'significant' if s1 else 'not significant'} ({row.text('p_text')}) "
            f"against the primary's {p.text('p_text')}"
        )
    exact = same_number and not problems
    verdict = decide(reproduced=exact, compatible=not problems, against_primary=True)
    if exact:
        detail = f"{primary_file} prints the same: {pri}."
    elif not problems:
        detail = f"{primary_file} prints {pri}; {sec} lies inside its interval."
    else:
        detail = f"the text says {sec}; {primary_file} says {pri}: " + "; ".join(problems) + "."
    return row.check(
        "vs_primary", category=f"{stat}_vs_primary", claim=sec, reported=sec,
        recomputed=pri, verdict=verdict, detail=detail, cited_source_id=primary_file,
        source_kind="", row_ids=(row.row_id, p.row_id),
        value=float(theirs.value),
    )  # fmt: skip


def _significance(row: Row, p: Row, primary_file: str) -> Check:
    """A correlation against the primary's worded correlation with only its P."""
    s1, s2 = _significant(printed_p(row.text("p_text"))), _significant(printed_p(p.text("p_text")))
    sec = _shown(row)
    pri = f"'{p.sentence[max(0, p.position() - 60) : p.position() + len(p.text('value')) + 2]}'"
    known = s1 is not None and s2 is not None
    verdict = decide(evidence=known, compatible=s1 == s2, against_primary=True)
    words = {True: "significant", False: "not significant", None: "of unstated significance"}
    detail = (
        f"the text calls it {words[s1]} ({row.text('p_text')}); {primary_file} calls it "
        f"{words[s2]} ({p.text('p_text')}; {pri}); the primary prints no r to compare."
    )
    return row.check("vs_primary", category="correlation_vs_primary", claim=sec, reported=sec,
                     recomputed=p.text("p_text"), verdict=verdict, detail=detail,
                     cited_source_id=primary_file, source_kind="",
                     row_ids=(row.row_id, p.row_id))  # fmt: skip


def _ratio_vs(row: Row, a: Row, b: Row, pa: Row, pb: Row, primary_file: str) -> Check | None:
    """A printed fold ratio of two values against the ratio of the primary's matching values."""
    v, xa, xb = row.num("value"), pa.num("value"), pb.num("value")
    if v is None or xa is None or xb is None or xa.value <= 0 or xb.value <= 0:
        return None
    big, small = (pa, pb) if (a.num("value").value >= b.num("value").value) else (pb, pa)  # type: ignore[union-attr]
    nb, ns = big.num("value"), small.num("value")
    assert nb is not None and ns is not None
    lo_b, hi_b, lo_s, hi_s = (big.num("low"), big.num("high"), small.num("low"), small.num("high"))
    p_lo, p_hi = rounding_interval(v.value, v.decimals or 0)
    if None not in (lo_b, hi_b, lo_s, hi_s):
        res = ratio_from_cis(
            nb.value,
            (lo_b.value, hi_b.value),
            ns.value,  # type: ignore[union-attr]
            (lo_s.value, hi_s.value),
        ).iloc[0]  # type: ignore[union-attr]
        est, lo, hi = float(res.estimate), float(res.ci_low), float(res.ci_high)
        inside = lo <= p_hi and p_lo <= hi
        how = f"{nb.text}/{ns.text} = {est:.2f} (95% CI {lo:.2f}-{hi:.2f}, delta method)"
        exact = p_lo <= est <= p_hi
    else:
        chk = check_ratio(nb.text, ns.text, v.text).iloc[0]
        est, lo, hi = float(chk.ratio), float(chk.ratio_low), float(chk.ratio_high)
        inside, exact = bool(chk.consistent_with_rounding), bool(chk.reproduced_exact)
        how = f"{nb.text}/{ns.text} = {est:.3f}"
    verdict = decide(reproduced=exact, compatible=inside, against_primary=True)
    detail = (
        f"the text's {v.text}x divides {a.text('value')} by {b.text('value')}; "
        f"{primary_file}'s matching values give {how}, which "
        f"{'meets' if inside else 'excludes'} {v.text}."
    )
    return row.check("vs_primary", category="ratio_vs_primary", claim=f"{v.text}x",
                     reported=f"{v.text}x", recomputed=f"{est:.2f}", value=est, value_low=lo,
                     value_high=hi, verdict=verdict, detail=detail, cited_source_id=primary_file,
                     source_kind="", row_ids=(row.row_id, pa.row_id, pb.row_id))  # fmt: skip


def _ratio_pair(row: Row, rows: list[Row]) -> tuple[Row, Row] | None:
    cands = [r for r in rows if r.text("statistic") == "location" and r.sentence == row.sentence
             and r.num("value") is not None]  # fmt: skip
    pairs = [(a, b) for a in cands for b in cands
             if a.index < b.index and a.text("unit") == b.text("unit")]  # fmt: skip
    if not pairs:
        return None
    return min(pairs, key=lambda ab: abs(ab[0].position() - row.position()))


#: Least context agreement (:func:`_score`) for a match: a compartment (2) or a group name (3).
MIN_MATCH_SCORE = 2

_STOP = frozenset(
    [
        "which",
        "their",
        "there",
        "these",
        "those",
        "were",
        "with",
        "from",
        "that",
        "than",
        "have",
        "had",
        "among",
        "about",
        "after",
        "before",
        "while",
        "other",
        "women",
        "mothers",
        "infants",
        "children",
    ]
)


def _condition(r: Row) -> frozenset[str]:
    """Content words around a share ("were B12-deficient", "had normal results"), 6 letters."""
    at = r.position()
    after = re.split(r"\d", r.sentence[at + len(r.text("value")) :][:60], maxsplit=1)[0]
    words = re.findall(r"[a-z]{5,}", (r.sentence[max(0, at - 40) : at] + " " + after).lower())
    return frozenset(w[:6] for w in words if w not in _STOP)


def _largest(r: Row, rows: list[Row]) -> bool:
    sizes = [x.whole("value") for x in rows if x.text("statistic") == "sample_size"]
    known = [n for n in sizes if n is not None]
    return bool(known) and r.whole("value") == max(known)


def _specific(
    row: Row, got: tuple[Row, int], rows: list[Row], prim: list[Row], ra: _Roles, rb: _Roles
) -> bool:
    """Whether a match is close enough to call a disagreement a conflict.

    At least :data:`MIN_MATCH_SCORE` of context; a sample size matched by its group
    name, or the largest of each text; a share with a word of its condition in common.
    """
    p, score = got
    if score < MIN_MATCH_SCORE:
        return False
    stat = row.text("statistic")
    if stat == "sample_size":
        na, nb = ra.of[row.index][1], rb.of[p.index][1]
        return (na is not None and na == nb) or (_largest(row, rows) and _largest(p, prim))
    if stat == "share":
        return bool(_condition(row) & _condition(p))
    return True


#: How far before a P-only comparison its subject words are read, and how many it needs.
SUBJECT_WIDTH = 45
MIN_SUBJECT_WORDS = 2
_FILLER = frozenset({"and", "the", "with", "were", "was", "for", "than", "both", "all", "also"})


def _subject(r: Row) -> frozenset[str]:
    """The words that name what a P-only comparison tests: those just before its P.

    Read back to the previous closing parenthesis (the P of the item before it in a
    list), lower-cased, words of three or more letters other than :data:`_FILLER`.
    """
    before = r.before(SUBJECT_WIDTH)
    before = before[before.rfind(")") + 1 :]
    words = re.findall(r"[a-z][a-z0-9]{2,}", before.lower())
    return frozenset(w for w in words if w not in _FILLER)


def _same_subject(row: Row, prim: list[Row]) -> Row | None:
    """The primary's one P-only comparison whose subject words are the text's own."""
    mine = _subject(row)
    if len(mine) < MIN_SUBJECT_WORDS:
        return None
    hits = [p for p in prim if p.text("statistic") == "comparison" and _subject(p) == mine]
    return hits[0] if len(hits) == 1 else None


def _compare_p(row: Row, p: Row, primary_file: str) -> Check:
    """A P-only comparison against the primary's P for the same subject: do they overlap?"""
    t1 = row.text("p_text") or row.text("value")
    t2 = p.text("p_text") or p.text("value")
    pp1, pp2 = printed_p(t1), printed_p(t2)
    if pp1 is None or pp2 is None:
        fits, evidence = True, False
    else:
        fits, evidence = pp1.intersects(*pp2.interval()), True
    verdict = decide(reproduced=fits and evidence and t1.replace(" ", "") == t2.replace(" ", ""),
                     compatible=fits, evidence=evidence, against_primary=True)  # fmt: skip
    what = " ".join(sorted(_subject(row)))
    detail = (f"{primary_file} prints {t2} for the same comparison ({what}); the text's {t1} "
              + ("fits it." if fits else "excludes it."))  # fmt: skip
    return row.check("vs_primary", category="comparison_vs_primary", claim=_shown(row),
                     reported=_shown(row), recomputed=_shown(p), verdict=verdict, detail=detail,
                     cited_source_id=primary_file, source_kind="",
                     row_ids=(row.row_id, p.row_id))  # fmt: skip


#: Least content words (first six letters) a P-only comparison's sentence shares with a
#: primary sentence of effects with CIs for its P to be read as the P of those effects.
MIN_SHARED_WORDS = 4
#: The largest P a CI implies is taken up to this many times larger (a t rather than a
#: normal reference, a CI on another scale) before a printed P is said to exclude it.
P_SLACK = 2.0
_EFFECT_SCALES = {"odds_ratio": "ratio", "risk_ratio": "ratio", "prevalence_ratio": "ratio",
                  "difference": "linear"}  # fmt: skip


def _content(sentence: str) -> frozenset[str]:
    """The content words of a sentence: five or more letters, not :data:`_STOP`, 6 letters."""
    words = re.findall(r"[a-z]{5,}", sentence.lower())
    return frozenset(w[:6] for w in words if w not in _STOP)


def _p_range_of_ci(r: Row) -> tuple[float, float] | None:
    """The two-sided P a printed estimate and 95% CI imply, over the rounding of all three.

    ``se = (hi - lo) / (2 z_0.975)`` and ``z = est / se``, on the log scale for a ratio
    (Altman & Bland 2011, doi:10.1136/bmj.d2090); the extremes are at the corners of the
    box of rounding intervals. ``None`` when the row is no such effect.
    """
    v, lo, hi = r.num("value"), r.num("low"), r.num("high")
    scale = _EFFECT_SCALES.get(r.text("measure"))
    if v is None or lo is None or hi is None or scale is None or r.text("spread") != "ci":
        return None
    box = [rounding_interval(x.value, x.decimals or 0) for x in (v, lo, hi)]
    if scale == "ratio":
        if min(b[0] for b in box) <= 0:
            return None
        box = [(math.log(a), math.log(b)) for a, b in box]
    (e_lo, e_hi), (l_lo, l_hi), (h_lo, h_hi) = box
    if not l_hi < h_lo or not l_lo <= e_hi or not e_lo <= h_hi:
        return None
    crit = 2.0 * 1.959963984540054
    big = max(abs(e_lo), abs(e_hi))
    small = 0.0 if e_lo <= 0 <= e_hi else min(abs(e_lo), abs(e_hi))
    z_max, z_min = big / ((h_lo - l_hi) / crit), small / ((h_hi - l_lo) / crit)
    return math.erfc(z_max / math.sqrt(2.0)), math.erfc(z_min / math.sqrt(2.0))


def _p_vs_cis(row: Row, prim: list[Row], primary_file: str) -> Check | None:
    """A P-only comparison against the primary's effects with CIs printed for the same words.

    The primary sentence of effects with 95% CIs that shares the most content words with
    the comparison's sentence (at least :data:`MIN_SHARED_WORDS`) is taken as what the one
    P summarises; the P must fit the P each of those CIs implies (the rounding range, its
    upper end times :data:`P_SLACK`). ``None`` when no such sentence or no printed P.
    """
    pp = printed_p(row.text("p_text") or row.text("value"))
    if pp is None:
        return None
    mine = _content(row.sentence)
    by_sentence: dict[str, list[tuple[Row, tuple[float, float]]]] = {}
    for p in prim:
        if p.text("statistic") == "effect" and (rng := _p_range_of_ci(p)) is not None:
            by_sentence.setdefault(p.sentence, []).append((p, rng))
    if not by_sentence:
        return None
    sent = max(by_sentence, key=lambda s: len(mine & _content(s)))
    if len(mine & _content(sent)) < MIN_SHARED_WORDS:
        return None
    effects = by_sentence[sent]
    misfits = [(p, rng) for p, rng in effects if not pp.intersects(rng[0], rng[1] * P_SLACK)]
    t1 = row.text("p_text") or row.text("value")
    shown = "; ".join(f"{_shown(p)} (P {format_p(a)}-{format_p(b)})" for p, (a, b) in effects)
    if misfits:
        bad = "; ".join(f"{_shown(p)} implies P {format_p(a)}-{format_p(b)}"
                        for p, (a, b) in misfits)  # fmt: skip
        detail = (f"the text prints one {t1} for what {primary_file} gives as {shown}: "
                  f"{bad}, which {t1} excludes.")  # fmt: skip
    else:
        detail = f"{primary_file} gives {shown}; the text's {t1} fits each."
    return row.check("vs_primary", category="comparison_vs_primary", claim=_shown(row),
                     reported=_shown(row), recomputed=shown,
                     verdict=decide(compatible=not misfits, against_primary=True),
                     detail=detail, cited_source_id=primary_file, source_kind="",
                     row_ids=(row.row_id, *(p.row_id for p, _ in effects)))  # fmt: skip


#: How near before a value its group word must stand to name the value's group (characters).
GROUP_NEAR = 25
#: Percentage points beyond the rounding a printed percent difference may be off from the one
#: two printed means imply (the primary may compute it from adjusted or unrounded means).
PERCENT_SLACK = 3.0


def _own_group(r: Row, width: int = GROUP_NEAR) -> str | None:
    """The group word nearest before a value, if within ``width`` characters, 6 letters."""
    found = re.findall(_GROUP_WORDS, r.before(width), re.IGNORECASE)
    return found[-1].lower()[:6] if found else None


def _percent_vs(row: Row, rows: list[Row], prim: list[Row], primary_file: str) -> Check | None:
    """A mean against the primary's percent difference for the same group.

    The text's value and each other value of its sentence in the same unit and measure
    imply a percent difference ``(a / b - 1) 100`` (over the rounding of both); the primary's
    percent difference whose nearest group word (within :data:`GROUP_NEAR`, before it) is
    the value's own and whose analyte agrees is compared with them. The match most
    favourable to the text is taken: consistent when any pair comes within the rounding of
    the primary's percent plus :data:`PERCENT_SLACK`. ``None`` when nothing matches.
    """
    group, v = _own_group(row), row.num("value")
    if group is None or v is None or v.value <= 0:
        return None
    others = [r for r in rows if r.index != row.index and r.sentence == row.sentence
              and r.text("statistic") == "location" and r.text("unit") == row.text("unit")
              and r.text("measure") == row.text("measure") and r.num("value") is not None
              and r.num("value").value > 0]  # type: ignore[union-attr]  # fmt: skip
    if not others:
        return None
    a_mine = analyte_before(row)
    cands = [p for p in prim if p.text("statistic") == "effect"
             and p.text("measure") == "percent_difference" and p.num("low") is None
             and p.num("value") is not None and _own_group(p, 200) == group
             and (a_mine is None or analyte_before(p) in (None, a_mine))]  # fmt: skip
    if len(cands) != 1:
        return None
    p = cands[0]
    pv = p.num("value")
    assert pv is not None
    t_lo, t_hi = rounding_interval(pv.value, pv.decimals or 0)
    t_lo, t_hi = t_lo - PERCENT_SLACK, t_hi + PERCENT_SLACK
    a_lo, a_hi = rounding_interval(v.value, v.decimals or 0)
    implied = []
    for o in others:
        ov = o.num("value")
        assert ov is not None
        b_lo, b_hi = rounding_interval(ov.value, ov.decimals or 0)
        lo, hi = (a_lo / b_hi - 1) * 100, (a_hi / b_lo - 1) * 100
        implied.append((o, (v.value / ov.value - 1) * 100, lo <= t_hi and t_lo <= hi))
    fits = any(ok for _, _, ok in implied)
    said = ", ".join(f"{v.text} vs {o.text('value')} is {d:+.1f}%" for o, d, _ in implied)
    detail = (f"{primary_file} gives {pv.text}% for the same group ({group}); the text's "
              f"means imply {said}, which " + ("meets it." if fits else "miss it."))  # fmt: skip
    return row.check("vs_primary", category="location_vs_primary", claim=_shown(row),
                     reported=said, recomputed=f"{pv.text}%",
                     verdict=decide(compatible=fits, against_primary=True), detail=detail,
                     cited_source_id=primary_file, source_kind="",
                     row_ids=(row.row_id, p.row_id))  # fmt: skip


def against_primary(
    rows: list[Row],
    prim: list[Row],
    *,
    text: str | None = None,
    primary_text: str | None = None,
) -> list[Check]:
    """One ``vs_primary`` check per statistic of ``rows`` (plus worded claims)."""
    primary_file = prim[0].file if prim else "the primary"
    ra, rb = _Roles(rows), _Roles(prim)
    out: list[Check] = []
    for row in rows:
        if row.num("value") is None:
            continue
        stat = row.text("statistic")
        if stat == "comparison" and (same := _same_subject(row, prim)) is not None:
            out.append(_compare_p(row, same, primary_file))
            continue
        if stat == "comparison" and (by_ci := _p_vs_cis(row, prim, primary_file)) is not None:
            out.append(by_ci)
            continue
        got = _best(row, prim, ra, rb) if prim else None
        if stat == "ratio" and got is None and (pair := _ratio_pair(row, rows)):
            ma, mb = _best(pair[0], prim, ra, rb), _best(pair[1], prim, ra, rb)
            if ma and mb and ma[0] is not mb[0]:
                c = _ratio_vs(row, pair[0], pair[1], ma[0], mb[0], primary_file)
                if c is not None:
                    out.append(c)
                    continue
        if stat == "correlation" and got is None:
            sig = _best(row, prim, ra, rb, stat="comparison")
            if sig is not None:
                out.append(_significance(row, sig[0], primary_file))
                continue
        if got is not None and not _specific(row, got, rows, prim, ra, rb):
            got = None
        if (
            got is None
            and stat == "location"
            and (pct := _percent_vs(row, rows, prim, primary_file))
        ):
            out.append(pct)
            continue
        if got is None:
            out.append(row.check(
                "vs_primary", category=f"{stat}_vs_primary",
                claim=_shown(row), reported=_shown(row), recomputed="",
                verdict=decide(evidence=False), cited_source_id=primary_file, source_kind="",
                detail=f"{primary_file} prints no {stat} with the same "
                "compartment, group and time point to compare.",
            ))  # fmt: skip
            continue
        out.append(_compare(row, got[0], primary_file))
    if rows:
        out.extend(worded_claims(rows[0].file, text, primary_text, primary_file))
    return out

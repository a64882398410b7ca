"""A text's statistics against the primary source it reports (``b12stats check --primary``).

Each statistic is matched to the primary's rows of the same statistic whose
context agrees: the compartment (maternal / milk / infant) named before the
value, the time point and the group words
(:func:`~b12stats.text.check_base.compartment_of`, ``time_point``,
``group_words``). Among the candidates with the best context the one nearest
in value is taken (the match most favourable to the text), so a conflict is
reported only when even that one disagrees. Sample sizes, values (converted
to pmol/L; a median set against a geometric mean is named as such), units and
significance are compared; worded claims about supplementation are compared
on the full texts when given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import pandas as pd

from b12stats.audit.core import ALPHA, Check, decide
from b12stats.errors import OptionError
from b12stats.stats.printed import PrintedP, parse_p
from b12stats.text.check_base import (
    Row,
    compartment_of,
    group_words,
    overlaps,
    time_point,
    to_pmol,
)

__all__ = ["against_primary", "supplementation_stance"]

_MEASURE_NAMES = {
    "median": "a median",
    "geometric_mean": "a geometric mean",
    "mean": "an arithmetic mean",
    "pearson": "a Pearson r",
    "spearman": "a Spearman rho",
}


def _score(a: Row, b: Row) -> int | None:
    """Context agreement of two rows; ``None`` when something named disagrees."""
    score = 0
    for f in (compartment_of, time_point):
        x, y = f(a), f(b)
        if x is not None and y is not None:
            if x != y:
                return None
            score += 2
    ga, gb = group_words(a), group_words(b)
    if ga and gb:
        if not ga & gb:
            return None
        score += len(ga & gb)
    return score


def _value(r: Row) -> float | None:
    v = r.num("value")
    if v is None:
        return None
    p = to_pmol(abs(v.value), r.text("unit")) if r.text("unit") else None
    return p if p is not None else v.value


def _best(row: Row, prim: list[Row]) -> tuple[Row, int] | None:
    stat = row.text("statistic")
    cands = []
    for p in prim:
        if p.text("statistic") != stat:
            continue
        s = _score(row, p)
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


def _p(text: str) -> PrintedP | None:
    if not text:
        return None
    try:
        return parse_p(text)
    except OptionError:
        return None


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
    s1, s2 = _significant(_p(row.text("p_text"))), _significant(_p(p.text("p_text")))
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


_NEG = re.compile(
    r"\b(no|not|without|never|didn't|did not|unsupplemented|non-?supplemented)\b[^.;]{0,60}"
    r"supplement|\bunsupplemented\b|\bnon-?supplemented\b",
    re.IGNORECASE,
)
_POS = re.compile(
    r"\b(supplemented with (vitamin )?b[- ]?12|received (a )?(vitamin )?b[- ]?12 supplement|"
    r"(vitamin )?b[- ]?12 supplement(s|ation)? (was|were) (given|administered|provided)|"
    r"took (vitamin )?b[- ]?12 supplements|b[- ]?12[- ]supplemented)\b",
    re.IGNORECASE,
)


def supplementation_stance(text: str) -> tuple[str, int, int] | None:
    """What a text says about B12 supplementation: ``("none" | "given", start, end)``.

    ``None`` when it says neither. A negated mention ("no vitamin B12
    supplementation was administered") counts as ``"none"``.

    Examples
    --------
    >>> supplementation_stance("No vitamin B12 supplementation was given.")[0]
    'none'
    >>> supplementation_stance("Mothers were supplemented with vitamin B12 daily.")[0]
    'given'
    >>> supplementation_stance("B12 was measured.") is None
    True
    """
    for sent in re.split(r"(?<=[.!?])\s+", text):
        if "b12" not in sent.lower().replace("-", "").replace(" ", "") and not re.search(
            r"cobalamin", sent, re.IGNORECASE
        ):
            continue
        off = text.find(sent)
        m = _NEG.search(sent)
        if m:
            return ("none", off + m.start(), off + m.end())
        m = _POS.search(sent)
        if m:
            return ("given", off + m.start(), off + m.end())
    return None


def _claims(
    file: str, text: str | None, primary_text: str | None, primary_file: str
) -> Iterator[Check]:
    if not text or not primary_text:
        return
    mine, theirs = supplementation_stance(text), supplementation_stance(primary_text)
    if mine is None or theirs is None:
        return
    words = {"none": "no B12 supplement was given", "given": "B12 supplements were given"}
    agree = mine[0] == theirs[0]
    said, said_p = text[mine[1] : mine[2]], primary_text[theirs[1] : theirs[2]]
    cell = pd.Series({"start": mine[1], "end": mine[2], "text": said})
    row = Row(-1, file, cell, f"{file}@{mine[1]}")
    yield row.check(
        "supplementation", category="claim_vs_primary", claim=words[mine[0]],
        reported=f"'{said}'", recomputed=f"primary: '{said_p}'",
        verdict=decide(reproduced=agree, against_primary=True),
        detail=(f"both say {words[mine[0]]}." if agree else
                f"the text says {words[mine[0]]} ('{said}'); {primary_file} says "
                f"{words[theirs[0]]} ('{said_p}')."),
        cited_source_id=primary_file, source_kind="",
    )  # fmt: skip


def against_primary(
    rows: list[Row],
    prim: list[Row],
    *,
    text: str | None = None,
    primary_text: str | None = None,
) -> list[Check]:
    """One ``vs_primary`` check per statistic of ``rows`` (plus worded claims)."""
    primary_file = prim[0].file if prim else "the primary"
    out: list[Check] = []
    for row in rows:
        if row.num("value") is None:
            continue
        got = _best(row, prim) if prim else None
        if got is None:
            out.append(row.check(
                "vs_primary", category=f"{row.text('statistic')}_vs_primary",
                claim=_shown(row), reported=_shown(row), recomputed="",
                verdict=decide(evidence=False), cited_source_id=primary_file, source_kind="",
                detail=f"{primary_file} prints no {row.text('statistic')} with the same "
                "compartment, group and time point to compare.",
            ))  # fmt: skip
            continue
        out.append(_compare(row, got[0], primary_file))
    if rows:
        out.extend(_claims(rows[0].file, text, primary_text, primary_file))
    return out

"""Extractor passes for P values: read them, then give each to the estimate it tests."""

from __future__ import annotations

import re

from b12stats.text import patterns as pat
from b12stats.text.sentence import _Row, _Sentence
from b12stats.text.spans import enclosing_bracket

_P_THRESHOLD = re.compile(
    r"(?i)^[\s,)]*(?:(?:was|were|is|are)\s+)?(?:considered|regarded|taken|defined|deemed|set|used)\b"
    r"|^[\s,)]*(?:indicat\w*|denot\w*)\s+(?:statistical\s+)?significan"
)
_P_THRESHOLD_BEFORE = re.compile(
    r"(?i)(?:significance|alpha|α)\s+(?:level|threshold)?\s*(?:was|of|at|set\s+at)?\s*$"
)


def _p_values(s: _Sentence) -> list[tuple[int, int, str, bool]]:
    found = []
    for m in pat.P_VALUE.finditer(s.masked):
        s.claim(m.start(), m.end())
        after = s.masked[m.end() : m.end() + 60]
        if _P_THRESHOLD.search(after) or _P_THRESHOLD_BEFORE.search(s.masked_before(m.start())):
            continue  # "P values < 0.05 were considered significant": a method, not a result
        found.append((m.start(), m.end(), s.original[m.start() : m.end()], False))
    for m in pat.P_LOST.finditer(s.masked):
        if s.free(m.start(), m.end()):
            found.append(
                (m.start() + 1, m.end() - 1, s.original[m.start() + 1 : m.end() - 1].strip(), True)
            )
            s.claim(m.start(), m.end())
    return sorted(found)


_OWNERS = ("correlation", "effect", "ratio")


def _attach_p(s: _Sentence, ps: list[tuple[int, int, str, bool]]) -> None:
    """Give each P to the estimate it tests, else make it a P-only comparison.

    A P belongs to the correlations, effects and ratios printed before it in
    its bracket, else (a bracket holding no estimate) to those of the same
    clause before the bracket. A P with only group values (medians, shares)
    is a ``comparison``/``p_only`` row; the values in its bracket get it as
    their ``p_text`` too.
    """
    off = s.offset
    previous_end = 0
    local = sorted(s.rows, key=lambda r: r.start)
    for a, b, text, lost in ps:
        pos = s.text.rfind("(", 0, a) if lost else a
        bracket = enclosing_bracket(s.text, pos)
        inside = []
        if bracket is not None:
            inside = [
                r
                for r in local
                if max(bracket, previous_end) <= r.start - off and r.end - off <= a
            ]
        owners = [r for r in inside if r.statistic in _OWNERS and not r.p_text]
        if not owners and not any(r.statistic in _OWNERS for r in inside):
            stop = bracket if bracket is not None else pos
            clause = max(previous_end, s.text.rfind(";", 0, stop) + 1)
            owners = [
                r
                for r in local
                if r.statistic in _OWNERS
                and not r.p_text
                and clause <= r.start - off
                and r.end - off <= stop
                and (bracket is not None or stop - (r.end - off) < 60)
            ]
        if owners:
            for r in owners:
                r.p_text = text
                r.needs_review = r.needs_review or lost
        else:
            num = re.search(r"\d*\.\d+|\d+", s.text[a:b])
            value = num.group() if num else ""
            s.add(_Row("comparison", "p_only", value, a, b, p_text=text, needs_review=lost), a, b)
            for r in inside:
                if r.statistic in ("location", "share") and not r.p_text:
                    r.p_text = text
        previous_end = b

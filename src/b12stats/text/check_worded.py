"""Claims a text words rather than prints as a statistic, against its primary's wording.

Whether B12 supplements were given (:func:`supplementation_stance`) and the
daily B12 dose (:func:`daily_dose`) are read from the full text of the
secondary source and of its primary; when both word the claim, the two
wordings are compared (``b12stats check --primary``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pandas as pd

from b12stats.audit.core import Check, decide
from b12stats.text.check_base import Row

__all__ = ["DOSE_REL_TOL", "daily_dose", "supplementation_stance", "worded_claims"]


_NEG = re.compile(
    r"\b(no|not|without|never|didn't|did not|unsupplemented|non-?supplemented)\b[^.;]{0,60}"
    r"supplement|\bunsupplemented\b|\bnon-?supplemented\b",
    re.IGNORECASE,
)
_POS = re.compile(
    r"\b(supplemented with|(took|received|consumed|were given|was given|were assigned)\b"
    r"[^.;]{0,60}supplement|supplement(s|ation)? (was|were) (given|administered|provided)|"
    r"b[- ]?12[- ]supplemented)",
    re.IGNORECASE,
)


def supplementation_stance(text: str) -> tuple[str, int, int] | None:
    """What a text says about B12 supplementation: ``("none" | "given", start, end)``.

    Read clause by clause (sentences split at ';'); a clause must name B12 (or
    cobalamin) or follow one that does in its sentence. Any affirmative clause
    ("mothers consumed a B12-containing supplement") makes it ``"given"``; else
    a negated one ("no vitamin B12 supplementation was administered") makes it
    ``"none"``; ``None`` when it says neither.

    Examples
    --------
    >>> supplementation_stance("No vitamin B12 supplementation was given.")[0]
    'none'
    >>> supplementation_stance("Mothers took a B12 supplement; controls were unsupplemented.")[0]
    'given'
    >>> supplementation_stance("B12 was measured.") is None
    True
    """
    found: dict[str, tuple[int, int]] = {}
    for sm in re.finditer(r"[^.!?]+[.!?]?", text):
        sent = sm.group(0)
        if not re.search(r"b\s?-?\s?12|cobalamin", sent, re.IGNORECASE):
            continue
        for cm in re.finditer(r"[^;]+", sent):
            clause, off = cm.group(0), sm.start() + cm.start()
            neg, pos = _NEG.search(clause), _POS.search(clause)
            if neg and "none" not in found:
                found["none"] = (off + neg.start(), off + neg.end())
            elif pos and not neg and "given" not in found:
                found["given"] = (off + pos.start(), off + pos.end())
    for stance in ("given", "none"):
        if stance in found:
            return (stance, *found[stance])
    return None


_Found = TypeVar("_Found", bound=tuple[Any, ...])


@dataclass(frozen=True)
class _InBoth(Generic[_Found]):
    """A claim worded in the text and in its primary: what each says and where.

    ``mine`` and ``theirs`` are what the finder returned, ending with the span
    ``start, end`` of the words; ``row`` stands at the text's words.
    """

    mine: _Found
    theirs: _Found
    said: str
    said_p: str
    row: Row


def _in_both(
    find: Callable[[str], _Found | None],
    file: str,
    text: str | None,
    primary_text: str | None,
) -> _InBoth[_Found] | None:
    """The claim ``find`` reads in the text and in the primary's; None unless both word it."""
    if not text or not primary_text:
        return None
    mine, theirs = find(text), find(primary_text)
    if mine is None or theirs is None:
        return None
    (start, end), (p_start, p_end) = mine[-2:], theirs[-2:]
    said = text[start:end]
    cell = pd.Series({"start": start, "end": end, "text": said})
    row = Row(-1, file, cell, f"{file}@{start}")
    return _InBoth(mine, theirs, said, primary_text[p_start:p_end], row)


def _supplementation(both: _InBoth[Any], primary_file: str) -> Check:
    """Whether supplements were given, as the text and its primary word it."""
    mine, theirs, said, said_p = both.mine, both.theirs, both.said, both.said_p
    words = {"none": "no B12 supplement was given", "given": "B12 supplements were given"}
    agree = mine[0] == theirs[0]
    return both.row.check(
        "supplementation", category="claim_vs_primary", claim=words[mine[0]],
        reported=f"'{said}'", recomputed=f"primary: '{said_p}'",
        verdict=decide(reproduced=agree, against_primary=True),
        detail=(f"both say {words[mine[0]]}." if agree else
                f"the text says {words[mine[0]]} ('{said}'); {primary_file} says "
                f"{words[theirs[0]]} ('{said_p}')."),
        cited_source_id=primary_file, source_kind="",
    )  # fmt: skip


_DOSE = re.compile(
    r"\b(?:dose|amounts?|intake)\b[^.;\d\[(]{0,30}?(?:~|∼|≈|about\s|approximately\s)?\s*"
    r"(\d+(?:\.\d+)?)\s*(?:μg|µg|mcg|ug)\s*/\s*d(?:ay)?\b",
    re.IGNORECASE,
)
#: Relative difference of two worded daily doses, beyond their rounding, taken as a conflict.
DOSE_REL_TOL = 0.10


def daily_dose(text: str) -> tuple[float, int, int, int] | None:
    """The first daily B12 dose a text words: ``(value, decimals, start, end)``.

    A number in µg/d (µg/day, mcg/d) after "dose", "amount(s)" or "intake" in a
    sentence that names B12 (or cobalamin); ``None`` when there is none.

    Examples
    --------
    >>> daily_dose("Women consumed a vitamin B-12 dose of ~8.6 µg/d in all.")[:2]
    (8.6, 1)
    >>> daily_dose("The dose was 10 mg/d.") is None
    True
    """
    for sm in re.finditer(r"\S.*?(?:[.!?](?=\s|$)|$)", text, re.DOTALL):
        sent = sm.group(0)
        if not re.search(r"b\s?-?\s?12|cobalamin", sent, re.IGNORECASE):
            continue
        m = _DOSE.search(sent)
        if m:
            num = m.group(1)
            dec = len(num.split(".")[1]) if "." in num else 0
            return float(num), dec, sm.start() + m.start(), sm.start() + m.end()
    return None


def _dose(both: _InBoth[Any], primary_file: str) -> Check:
    """The daily B12 dose, as the text and its primary word it."""
    mine, theirs, said, said_p = both.mine, both.theirs, both.said, both.said_p
    gap = abs(mine[0] - theirs[0]) - 0.5 * 10.0 ** -mine[1] - 0.5 * 10.0 ** -theirs[1]
    fits = gap <= DOSE_REL_TOL * max(mine[0], theirs[0])
    return both.row.check(
        "dose", category="claim_vs_primary", claim=f"a daily B12 dose of {mine[0]:g} µg",
        reported=f"'{said}'", recomputed=f"primary: '{said_p}'",
        verdict=decide(reproduced=mine[:2] == theirs[:2], compatible=fits, against_primary=True),
        detail=(f"the text gives a daily B12 dose of {mine[0]:g} µg ('{said}'); {primary_file} "
                f"gives {theirs[0]:g} µg ('{said_p}')"
                + ("." if fits else f", more than {DOSE_REL_TOL:.0%} apart beyond rounding.")),
        cited_source_id=primary_file, source_kind="",
    )  # fmt: skip


#: Claims a text words, checked against the primary's wording: the finder (a tuple
#: ending with the words' span, or None) and the judge of the two wordings.
_WORDED: tuple[tuple[Callable[[str], Any], Callable[[_InBoth[Any], str], Check]], ...] = (
    (supplementation_stance, _supplementation),
    (daily_dose, _dose),
)


def worded_claims(
    file: str, text: str | None, primary_text: str | None, primary_file: str
) -> list[Check]:
    """One check per worded claim that both ``text`` (of ``file``) and ``primary_text`` word."""
    out = []
    for find, judge in _WORDED:
        both = _in_both(find, file, text, primary_text)
        if both is not None:
            out.append(judge(both, primary_file))
    return out

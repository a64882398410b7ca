"""Roles of numbers told by the words around them.

The same printed shape ``x (a, b)`` is a median with quartiles, a geometric
mean with its CI or a range: the nearest label before it decides. Labels
far from their numbers (a "median" in the previous sentence) are carried
forward and the row is marked for review; values mapped to groups by list
order ("..., respectively") are marked for review too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Label", "effect_of", "find_label", "mentions_respectively", "spread_of"]

_MEASURES = [
    ("geometric_mean", r"\bgeometric(?:al)?\s+means?\b|\bGM\b"),
    ("median", r"\bmedians?\b|(?<=[a-z])Medians?\b"),
    ("mean", r"\bmeans?\b|(?<=[a-z])Means?\b|\baverage\b"),
]
_SPREADS = [
    ("quartiles", r"\bquartile\s*1\b|\bQ1\b|\b(?:25th|first)\s+(?:and|,)|\bquartiles\b"),
    ("iqr", r"\binter-?\s?quartile\s+ranges?\b|\binner\s+quartile\s+range\b|\bIQR\b"),
    ("ci", r"\b\d{2}\s?%\s*(?:CI|confidence)|\bCI\b|\bconfidence\s+intervals?\b"),
    ("se", r"\bSEM?\b|\bstandard\s+errors?\b"),
    ("sd", r"\bSD\b|\bstandard\s+deviations?\b"),
    ("range", r"(?<!quartile\s)\branges?\b|\branged\b"),
]
_EFFECTS = [
    ("odds_ratio", r"\b(?:a|adjusted\s+)?odds\s+ratios?\b|\ba?ORs?\b"),
    ("risk_ratio", r"\b(?:relative\s+risks?|risk\s+ratios?|a?RR)\b"),
    ("prevalence_ratio", r"\bprevalence\s+ratios?\b|\bPR\b"),
    ("beta", r"\bβ\b|\bbeta\b|\bregression\s+coefficients?\b"),
    ("difference", r"\b(?:mean\s+|median\s+)?differences?\b"),
    ("fold", r"\bratios?\b"),
]
_MEASURE_RE = [
    (name, re.compile(p, re.IGNORECASE if name != "geometric_mean" else 0))
    for name, p in _MEASURES
]
_SPREAD_RE = [(name, re.compile(p)) for name, p in _SPREADS]
_SPREAD_RE_I = {"iqr", "range"}
_EFFECT_RE = [(name, re.compile(p)) for name, p in _EFFECTS]


@dataclass(frozen=True)
class Label:
    """The measure named before a number, and where it was found."""

    measure: str
    position: int  # -1 when carried from an earlier sentence


def _last(patterns: list[tuple[str, re.Pattern[str]]], text: str) -> tuple[str, int] | None:
    """The name matched last (latest end; of two ending together, the longer: "risk ratio")."""
    best: tuple[str, int, int] | None = None
    for name, rx in patterns:
        for m in rx.finditer(text):
            if best is None or (m.end(), -m.start()) > (best[2], -best[1]):
                best = (name, m.start(), m.end())
    return None if best is None else (best[0], best[1])


def find_label(before: str) -> Label | None:
    """The measure named last in ``before`` (median, geometric_mean or mean).

    Examples
    --------
    >>> find_label("The median (quartile 1, quartile 3) was").measure
    'median'
    >>> find_label("geometric mean: ").measure, find_label("no label here") is None
    ('geometric_mean', True)
    """
    found = _last(_MEASURE_RE, before)
    if found is None:
        return None
    if found[0] == "mean" and re.search(
        r"(?i)geometric(?:al)?\s+means?\b", before[max(0, found[1] - 12) : found[1] + 6]
    ):
        return Label("geometric_mean", found[1])
    return Label(found[0], found[1])


def spread_of(text: str) -> str | None:
    """The spread named last in ``text`` (quartiles, iqr, ci, se, sd, range).

    Examples
    --------
    >>> spread_of("median (IQR)"), spread_of("mean ± SD"), spread_of("geometric mean (95% CI)")
    ('iqr', 'sd', 'ci')
    """
    best: tuple[str, int] | None = None
    for name, rx in _SPREAD_RE:
        flags_rx = re.compile(rx.pattern, re.IGNORECASE) if name in _SPREAD_RE_I else rx
        for m in flags_rx.finditer(text):
            if best is None or m.start() > best[1]:
                best = (name, m.start())
    return None if best is None else best[0]


def effect_of(text: str) -> str | None:
    """The effect measure named last in ``text`` (odds_ratio, ..., ``fold`` for a ratio).

    Examples
    --------
    >>> effect_of("adjusted odds ratio (aOR) 1.51"), effect_of("the median ratio was")
    ('odds_ratio', 'fold')
    """
    found = _last(_EFFECT_RE, text)
    return None if found is None else found[0]


def mentions_respectively(text: str) -> bool:
    """Whether values in ``text`` are mapped to their groups by list order.

    Examples
    --------
    >>> mentions_respectively("were 3 and 4, respectively"), mentions_respectively("was 3")
    (True, False)
    """
    return re.search(r"(?i)\brespective(?:ly)?\b", text) is not None

"""One sentence being read by the extractor: its texts, the rows found so far, what is claimed.

Each pass of :mod:`b12stats.text.extract` reads one kind of statistic from a
:class:`_Sentence`, adds :class:`_Row` objects and claims the characters it
read, so that a later pass does not read them again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from b12stats.text import patterns as pat
from b12stats.text.roles import find_label
from b12stats.text.units import normalise_unit

if TYPE_CHECKING:
    from b12stats.text.counts import _Cutoff

#: How far before a number its label, spread word, count or cut-off is looked for
#: (characters); bounds the work per number, so a long run of numbers stays linear.
WINDOW = 400


@dataclass
class _Row:
    statistic: str
    measure: str
    value: str
    start: int
    end: int
    low: str = ""
    high: str = ""
    spread: str = "none"
    count: str = ""
    n: str = ""
    p_text: str = ""
    unit: str = ""
    cutoff_text: str = ""
    needs_review: bool = False


@dataclass
class _Sentence:
    """One sentence being read: its normalised and masked text and what is claimed."""

    text: str  # normalised
    masked: str
    original: str
    offset: int
    carried: str | None
    sample: str = ""  # the sample size printed last in an earlier sentence
    rows: list[_Row] = field(default_factory=list)
    claimed: list[bool] = field(default_factory=list)
    cutoffs: list[_Cutoff] | None = None

    def __post_init__(self) -> None:
        self.claimed = [False] * len(self.text)

    def before(self, pos: int) -> str:
        """The normalised text before ``pos``, at most :data:`WINDOW` characters."""
        return self.text[max(0, pos - WINDOW) : pos]

    def masked_before(self, pos: int) -> str:
        """The masked text before ``pos``, at most :data:`WINDOW` characters."""
        return self.masked[max(0, pos - WINDOW) : pos]

    def free(self, a: int, b: int) -> bool:
        return not any(self.claimed[a:b])

    def claim(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.claimed[i] = True

    def add(self, row: _Row, a: int, b: int) -> None:
        self.claim(a, b)
        row.start += self.offset
        row.end += self.offset
        self.rows.append(row)


_UNIT_TAIL = re.compile(rf"^\s?(?P<u>{pat.UNIT})")


def _unit(*candidates: str | None) -> str:
    for c in candidates:
        if c and c.strip():
            return normalise_unit(c.strip())
    return ""


def _unit_after(text: str, end: int) -> str:
    m = _UNIT_TAIL.match(text[end:])
    return normalise_unit(m.group("u")) if m else ""


def _location_measure(s: _Sentence, pos: int, extra: str = "") -> tuple[str, bool] | None:
    """Measure named before ``pos`` (or in ``extra``), else the carried one (review)."""
    label = find_label(s.before(pos) + " " + extra)
    if label is not None:
        return label.measure, False
    if s.carried is not None:
        return s.carried, True
    return None


def _default_spread(measure: str) -> str:
    return {"median": "quartiles", "geometric_mean": "ci", "mean": "ci"}.get(measure, "none")

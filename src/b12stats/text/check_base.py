"""What the checks of extracted statistics share: row access, numbers as printed, context words.

The checks of :mod:`b12stats.text.check` and :mod:`b12stats.text.check_primary`
read one extraction row at a time (the columns of ``b12stats extract``) and
return :class:`b12stats.audit.Check` records, so that their frame has the
columns and verdicts of ``b12stats reproduce``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from b12stats.audit.core import Check
from b12stats.errors import OptionError
from b12stats.stats.printed import (
    PrintedNumber,
    PrintedP,
    parse_number,
    parse_p,
    rounding_interval,
)
from b12stats.units import UNIT_NAMES, convert

__all__ = [
    "B12_PLAUSIBLE_HIGH_PMOL_L",
    "B12_PLAUSIBLE_LOW_PMOL_L",
    "EXTRACT_COLUMNS",
    "TABLE",
    "Row",
    "analyte_before",
    "compartment_of",
    "group_words",
    "number",
    "overlaps",
    "printed_p",
    "time_point",
    "to_pmol",
]

#: Columns of an extraction frame (``b12stats extract``), in order.
EXTRACT_COLUMNS = (
    "file", "statistic", "measure", "value", "low", "high", "spread", "count", "n", "p_text",
    "unit", "cutoff_text", "start", "end", "text", "needs_review",
)  # fmt: skip

#: The ``table`` column of every check of extracted statistics.
TABLE = "extracted"

#: Lowest B12 concentration (pmol/L) a human serum, plasma or milk sample can be printed with.
#: Assays stop near 30-45 pmol/L (their detection limits); the most depleted milks reported
#: are tens of pmol/L. A summary below 5 pmol/L is a unit slip (e.g. nmol/L or µg/L printed
#: as pmol/L), not a sample.
B12_PLAUSIBLE_LOW_PMOL_L = 5.0

#: Highest B12 concentration (pmol/L) a human sample can have: hypervitaminosis in
#: myeloproliferative and liver disease, or just after an injection, reaches some
#: 10,000-50,000 pmol/L; 100,000 pmol/L (about 135,000 pg/mL) is beyond any report.
#: "310 mmol/L" is 3.1e11 pmol/L, far above it.
B12_PLAUSIBLE_HIGH_PMOL_L = 100_000.0

#: Units beyond :data:`b12stats.units.UNIT_NAMES`, as (known unit, factor): mmol/L = 1e6 nmol/L.
_EXTRA_UNITS = {
    "mmol/L": ("nmol/L", 1.0e6),
    "µmol/L": ("nmol/L", 1.0e3),
    "ng/mL": ("ng/L", 1.0e3),
    "pg/dL": ("pg/mL", 0.01),
    "ng/dL": ("ng/L", 10.0),
    "µg/dL": ("µg/L", 10.0),
}
_UNIT_ALIASES = {
    "ug/L": "µg/L", "μg/L": "µg/L", "umol/L": "µmol/L", "μmol/L": "µmol/L", "pmol/l": "pmol/L",
    "pg/ml": "pg/mL", "ng/ml": "ng/mL", "nmol/l": "nmol/L", "mmol/l": "mmol/L",
    "pg/dl": "pg/dL", "ng/dl": "ng/dL", "ug/dL": "µg/dL", "μg/dL": "µg/dL", "µg/dl": "µg/dL",
}  # fmt: skip


def _unit(unit: Any) -> str | None:
    if unit is None or (isinstance(unit, float) and math.isnan(unit)) or unit == "":
        return None
    u = str(unit).strip()
    return _UNIT_ALIASES.get(u, u)


def to_pmol(value: float, unit: Any) -> float | None:
    """A concentration in pmol/L (``None`` when ``unit`` is not a concentration unit).

    Conversions by :func:`b12stats.units.convert`; ng/mL is 1000 ng/L, mmol/L
    and µmol/L are multiples of nmol/L.

    Examples
    --------
    >>> round(to_pmol(512, "pg/mL"), 1), to_pmol(310, "mmol/L"), to_pmol(12, "%")
    (377.7, 310000000000.0, None)
    """
    u = _unit(unit)
    if u is None or value < 0:
        return None
    if u in UNIT_NAMES:
        return float(convert(value, u, "pmol/L"))
    if u in _EXTRA_UNITS:
        base, factor = _EXTRA_UNITS[u]
        return float(convert(value * factor, base, "pmol/L"))
    return None


def number(text: Any) -> PrintedNumber | None:
    """A printed number (``".23"``, ``"63.7"``, ``"−0.21"``), or ``None`` if empty/unreadable."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    s = str(text).strip()
    if not s:
        return None
    try:
        num = parse_number(s)
    except OptionError:
        return None
    return num if num.decimals is not None else None


def printed_p(text: str) -> PrintedP | None:
    """The P printed in ``text`` (:func:`~b12stats.stats.printed.parse_p`), or None."""
    if not text:
        return None
    try:
        return parse_p(text)
    except OptionError:
        return None


def overlaps(a: PrintedNumber, b: PrintedNumber) -> bool:
    """Whether two printed numbers can be the same true value (rounding intervals meet)."""
    a_lo, a_hi = rounding_interval(a.value, a.decimals or 0)
    b_lo, b_hi = rounding_interval(b.value, b.decimals or 0)
    return a_lo <= b_hi and b_lo <= a_hi


@dataclass(frozen=True)
class Row:
    """One extraction row, its id and its position in the file's frame."""

    index: int
    file: str
    data: pd.Series
    row_id: str = field(default="")
    at: int = field(default=-1)

    def get(self, col: str) -> Any:
        """The cell, ``None`` when empty."""
        v = self.data.get(col)
        if v is None:
            return None
        if isinstance(v, float) and math.isnan(v):
            return None
        if v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, str) and not v.strip():
            return None
        return v

    def text(self, col: str) -> str:
        v = self.get(col)
        return "" if v is None else str(v)

    def num(self, col: str) -> PrintedNumber | None:
        return number(self.get(col))

    def whole(self, col: str) -> int | None:
        """A whole-number cell (n, count) or ``None``."""
        v = self.get(col)
        if v is None:
            return None
        try:
            f = float(str(v).replace(",", ""))
        except ValueError:
            return None
        return int(f) if f == int(f) and f >= 0 else None

    @property
    def span(self) -> tuple[int, int]:
        try:
            return int(self.get("start")), int(self.get("end"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return (-1, -1)

    @property
    def sentence(self) -> str:
        return self.text("text")

    def position(self) -> int:
        """Where the row's value stands in its sentence (0 when not found).

        From the span when the sentence's offset is known (:func:`place_rows`), else
        the first occurrence of the value.
        """
        if self.at >= 0:
            return self.at
        s, v = self.sentence, self.text("value")
        at = s.find(v) if v else -1
        return max(at, 0)

    def before(self, width: int = 90) -> str:
        """The sentence text just before the value (the words that label it)."""
        at = self.position()
        return self.sentence[max(0, at - width) : at]

    def check(self, suffix: str, **kw: Any) -> Check:
        """A :class:`Check` about this row (id ``<row_id>:<suffix>``, span in ``numbers``)."""
        numbers = dict(kw.pop("numbers", {}))
        start, end = self.span
        numbers.update(start=start, end=end, row=self.index, file=self.file)
        return Check(
            check_id=f"{self.row_id}:{suffix}",
            table=TABLE,
            row_ids=kw.pop("row_ids", (self.row_id,)),
            source_id=self.file,
            numbers=numbers,
            **kw,
        )


def place_rows(rows: list[Row]) -> list[Row]:
    """The rows with their value's place in the sentence, from the spans.

    All rows of one sentence share the sentence's offset in the text: the offset
    that puts most of their spans on an occurrence of their value is taken.
    """
    from collections import Counter
    from dataclasses import replace

    offsets: dict[str, int] = {}
    by_sentence: dict[str, list[Row]] = {}
    for r in rows:
        by_sentence.setdefault(r.sentence, []).append(r)
    for sent, part in by_sentence.items():
        votes: Counter[int] = Counter()
        for r in part:
            v, (start, _end) = r.text("value"), r.span
            if not v or start < 0:
                continue
            for m in re.finditer(re.escape(v), sent):
                votes[start - m.start()] += 1
        if votes:
            offsets[sent] = votes.most_common(1)[0][0]
    out = []
    for r in rows:
        off = offsets.get(r.sentence)
        start = r.span[0]
        at = start - off if off is not None and start >= 0 else -1
        out.append(replace(r, at=at) if 0 <= at < len(r.sentence) else r)
    return out


# --- context words ------------------------------------------------------------------------------

COMPARTMENT_WORDS = (
    ("milk", r"\bmilk\b"),
    ("infant", r"\b(infants?|bab(y|ies)|newborns?|neonat\w*|cord|child(ren)?|toddlers?)\b"),
    ("maternal", r"\b(mothers?|maternal|women|woman|pregnan\w*|lactating)\b"),
)
_ANALYTES = (
    ("b12", r"\b(b[- ]?12|cobalamin|cbl)\b"),
    ("holotc", r"\b(holo[- ]?tc|holotranscobalamin)\b"),
    ("other", r"\b(homocysteine|t?hcy|mma|methylmalonic|folate|ferritin|h(a)?emoglobin|hb|"
     r"zinc|iron|vitamin [acde]|crp|glucose|creatinine)\b"),
)  # fmt: skip
_TIME_RE = re.compile(
    r"\b(\d+)\s*(?:-|to)?\s*(weeks?|wk|months?|mo|days?|years?)\b|\b(baseline|birth|delivery|"
    r"postpartum|(?:first|second|third) trimester)\b",
    re.IGNORECASE,
)
_GROUP_WORDS = (
    r"\b(vegans?|vegetarians?|omnivor\w*|supplement\w*|placebo|control\w*|pregnant|lactating|"
    r"deficien\w*|exclusive\w*|breastfed|formula|boys|girls|cases?|urban|rural)\b"
)


def _last(patterns: tuple[tuple[str, str], ...], text: str) -> str | None:
    best, at = None, -1
    for name, pat in patterns:
        for m in re.finditer(pat, text, re.IGNORECASE):
            if m.start() > at:
                best, at = name, m.start()
    return best


_DYAD = re.compile(r"\b(mother|maternal)\s*[-–/]\s*(infant|child|baby|newborn)\w*", re.IGNORECASE)


def _no_dyads(text: str) -> str:
    """'mother-infant pairs' names both compartments: neither counts."""
    return _DYAD.sub("dyad", text)


def compartment_of(row: Row) -> str | None:
    """maternal / milk / infant: the nearest such word before the value (else in the sentence)."""
    return _last(COMPARTMENT_WORDS, _no_dyads(row.before())) or _last(
        COMPARTMENT_WORDS, _no_dyads(row.sentence)
    )


def analyte_before(row: Row) -> str | None:
    """b12 / holotc / other: the analyte named nearest before the value (``None``: none named)."""
    return _last(_ANALYTES, row.before(140)) or _last(_ANALYTES, row.sentence)


def time_point(row: Row) -> str | None:
    """A time point named before the value (``"8 weeks"``, ``"baseline"``), lower case."""
    found = list(_TIME_RE.finditer(row.before(140)))
    if not found:
        return None
    m = found[-1]
    if m.group(3):
        return m.group(3).lower()
    return f"{m.group(1)} {m.group(2).lower().rstrip('s')}"


def group_words(row: Row) -> frozenset[str]:
    """Group terms before the value (vegan, supplemented, placebo, ...), cut to 6 letters.

    Capitalised names (countries, cities) are read by :func:`nearest_name`.
    """
    return frozenset(w.lower()[:6] for w in re.findall(_GROUP_WORDS, row.before(), re.IGNORECASE))


NOT_NAMES = frozenset(
    {
        "the",
        "this",
        "these",
        "that",
        "there",
        "among",
        "both",
        "maternal",
        "infant",
        "infants",
        "mothers",
        "women",
        "median",
        "mean",
        "geometric",
        "serum",
        "plasma",
        "breast",
        "milk",
        "vitamin",
        "results",
        "conclusion",
        "conclusions",
        "methods",
        "however",
        "moreover",
        "while",
        "when",
        "key",
        "findings",
        "total",
        "overall",
        "study",
        "group",
        "dyads",
        "cord",
        "blood",
        "technical",
        "analysis",
        "details",
        "design",
        "limitations",
        "mother",
        "babies",
    }
)


def nearest_name(row: Row, width: int = 60) -> str | None:
    """The capitalised name nearest before the value ("Canada" in "in Canada (r = 0.51"), if any.

    Lower-cased and cut to 5 letters so that "Canadian" and "Canada" agree.

    Examples
    --------
    >>> import pandas as pd
    >>> r = Row(0, "t", pd.Series({"value": "0.51", "text": "It was seen in Canada (r = 0.51)."}))
    >>> nearest_name(r)
    'canad'
    """
    names = [w for w in re.findall(r"\b([A-Z][a-z]{3,})\b", row.before(width))
             if w.lower() not in NOT_NAMES]  # fmt: skip
    return names[-1].lower()[:5] if names else None


def compartment_near(row: Row, width: int = 30, *, before: int | None = None) -> str | None:
    """The compartment named right after the value ("196 mothers", "64.5% of babies"), else before.

    The words after the value are read up to the next number; then, with ``before``,
    only that many characters before it (else :func:`compartment_of`).

    Examples
    --------
    >>> import pandas as pd
    >>> r = Row(0, "t", pd.Series({"value": "196", "text": "We had 204 babies and 196 mothers."}))
    >>> compartment_near(r)
    'maternal'
    """
    at = row.position() + len(row.text("value"))
    after = _no_dyads(re.split(r"\d", row.sentence[at : at + width], maxsplit=1)[0])
    for m in re.finditer(r"\w+", after):
        for name, pat in COMPARTMENT_WORDS:
            if re.fullmatch(pat, m.group(0), re.IGNORECASE):
                return name
    if before is not None:
        return _last(COMPARTMENT_WORDS, _no_dyads(row.before(before)))
    return compartment_of(row)


def analyte_at(sentence: str, at: int, width: int = 140) -> str | None:
    """b12 / holotc / other: the analyte named nearest before position ``at`` of ``sentence``."""
    return _last(_ANALYTES, sentence[max(0, at - width) : at])


def names_in(text: str) -> list[str]:
    """Capitalised group names in ``text``, in order, lower-cased and cut to 5 letters."""
    return [w.lower()[:5] for w in re.findall(r"\b([A-Z][a-z]{3,})\b", text)
            if w.lower() not in NOT_NAMES]  # fmt: skip

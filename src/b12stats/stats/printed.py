"""Numbers as printed in papers: decimals, rounding intervals, P values, ratios.

A number printed to ``d`` decimals stands for every true value that rounds to
it. Following statcheck (Nuijten et al. 2016, Behav Res Methods 48:1205-1226,
doi:10.3758/s13428-015-0664-2), the printed ``x`` with ``d`` decimals means the
closed interval ``[x - 0.5 * 10**-d, x + 0.5 * 10**-d]``. The audit compares
such intervals, never single rounded numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from b12stats._validation import Integral, Interval, Real, validate_params
from b12stats.errors import OptionError

__all__ = [
    "PrintedNumber",
    "PrintedP",
    "decimals",
    "parse_number",
    "parse_p",
    "rounding_interval",
]

#: value used for "NS" / "n.s." (not significant): read as ``P > 0.05``.
NS_THRESHOLD = 0.05

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_NUMBER_RE = re.compile(rf"^\s*({_NUMBER})\s*$")

_RELATIONS = {
    "=": "=",
    "==": "=",
    "<": "<",
    ">": ">",
    "<=": "<=",
    "≤": "<=",
    ">=": ">=",
    "≥": ">=",
}

_P_RE = re.compile(
    r"""^\s*
    (?:p(?:[\s-]*(?:value|trend|for\s+trend|interaction|for\s+interaction))?\s*)?  # label
    (?P<rel><=|>=|==|=|<|>|≤|≥)?\s*
    (?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

_WORD_FRACTIONS = {
    "half": 1 / 2,
    "one-half": 1 / 2,
    "one half": 1 / 2,
    "a half": 1 / 2,
    "one-third": 1 / 3,
    "one third": 1 / 3,
    "a third": 1 / 3,
    "two-thirds": 2 / 3,
    "two thirds": 2 / 3,
    "one-quarter": 1 / 4,
    "one quarter": 1 / 4,
    "a quarter": 1 / 4,
    "one-fourth": 1 / 4,
    "three-quarters": 3 / 4,
    "three quarters": 3 / 4,
    "one-fifth": 1 / 5,
    "one fifth": 1 / 5,
}

_QUALIFIERS = (
    "approximately",
    "approx.",
    "about",
    "around",
    "roughly",
    "nearly",
    "almost",
    "over",
    "more than",
    "under",
    "less than",
)

_LABELED_RE = re.compile(
    rf"""^\s*(?:(?P<label>[a-zA-Zρ]{{1,3}}|r2|r²)\s*(?P<rel><=|>=|=|<|>|≤|≥)\s*)?
    (?P<num>{_NUMBER})\s*
    (?P<unit>%|x|×|-fold|\s*fold|\s*times)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def _normalise(text: str) -> str:
    """Replace typographic characters (middle dot, minus sign) by ASCII ones."""
    return text.replace("·", ".").replace("−", "-").replace("–", "-").replace(" ", " ")


def decimals(text: str) -> int:
    """Number of decimals of a number as printed.

    Parameters
    ----------
    text
        The number as printed, e.g. ``"0.003"``; a trailing ``%`` or ``x`` and
        surrounding text such as ``"P = "`` are allowed (the last number counts).

    Returns
    -------
    int
        Digits after the decimal point (``0`` for integers).

    Examples
    --------
    >>> decimals("0.003"), decimals("17.0"), decimals("276"), decimals("2.03x")
    (3, 1, 0, 2)
    """
    if not isinstance(text, str):
        raise OptionError(f"decimals() needs the number as printed (a string), got {text!r}")
    found = re.findall(r"\d*\.?\d+", _normalise(text))
    if not found:
        raise OptionError(f"no number found in {text!r}")
    last = found[-1]
    return len(last.split(".")[1]) if "." in last else 0


@validate_params(
    {"value": [Interval(Real, None, None)], "decimals": [Interval(Integral, 0, None)]}
)
def rounding_interval(value: float, decimals: int) -> tuple[float, float]:
    """Interval of true values that print as ``value`` with ``decimals`` decimals.

    Formula: ``[value - 0.5 * 10**-decimals, value + 0.5 * 10**-decimals]``
    (statcheck convention; the interval is treated as closed).

    Examples
    --------
    >>> rounding_interval(0.03, 2)
    (0.025, 0.035)
    >>> rounding_interval(276, 0)
    (275.5, 276.5)
    """
    # decimal arithmetic so that 0.03 -> (0.025, 0.035) exactly, not 0.024999...
    x = Decimal(repr(float(value)))
    half = Decimal(5).scaleb(-int(decimals) - 1)
    return (float(x - half), float(x + half))


@dataclass(frozen=True)
class PrintedP:
    """A P value as printed.

    Attributes
    ----------
    relation
        ``'='``, ``'<'``, ``'>'``, ``'<='`` or ``'>='``.
    value
        The printed number.
    decimals
        Its printed decimals.
    text
        The original text.
    """

    relation: str
    value: float
    decimals: int
    text: str = ""

    def interval(self) -> tuple[float, float]:
        """Set of true P values compatible with the printed text.

        ``'='``: the rounding interval clipped to ``[0, 1]``; ``'<'``/``'<='``:
        ``(0, value)``; ``'>'``/``'>='``: ``(value, 1)``. Whether an end is open
        is given by :meth:`contains`.

        Examples
        --------
        >>> parse_p("p=0.27").interval()
        (0.265, 0.275)
        >>> parse_p("P < 0.001").interval()
        (0.0, 0.001)
        """
        if self.relation == "=":
            lo, hi = rounding_interval(self.value, self.decimals)
            return (max(lo, 0.0), min(hi, 1.0))
        if self.relation in ("<", "<="):
            return (0.0, self.value)
        return (self.value, 1.0)

    def intersects(self, p_low: float, p_high: float) -> bool:
        """Whether some P in the closed range ``[p_low, p_high]`` fits the text.

        Strict relations (``'<'``, ``'>'``) exclude their bound; rounding
        intervals of ``'='`` are closed.

        Examples
        --------
        >>> parse_p("P < 0.05").intersects(0.05, 0.2)
        False
        >>> parse_p("P = 0.03").intersects(0.0349, 0.2)
        True
        """
        lo, hi = self.interval()
        if self.relation == "<":
            return p_low < hi
        if self.relation == "<=":
            return p_low <= hi
        if self.relation == ">":
            return p_high > lo
        if self.relation == ">=":
            return p_high >= lo
        return p_low <= hi and p_high >= lo

    def contains(self, p: float) -> bool:
        """Whether the true P value ``p`` is compatible with the printed text."""
        return self.intersects(p, p)


def parse_p(text: str) -> PrintedP:
    """Parse a printed P value.

    Accepts ``"P < 0.001"``, ``"p=0.27"``, ``"P-trend = 0.03"``, ``"p<0.05"``,
    ``"P ≤ 0.01"``, ``"0.27"`` (read as ``=``), the Lancet middle dot
    (``"P=0·03"``), and ``"NS"``/``"n.s."``, which is read as ``P > 0.05``
    (a choice: "not significant" at the conventional 5% level).

    Raises
    ------
    OptionError
        If the text is not a P value or the value is outside ``[0, 1]``.

    Examples
    --------
    >>> parse_p("P-trend = 0.03")
    PrintedP(relation='=', value=0.03, decimals=2, text='P-trend = 0.03')
    >>> parse_p("NS").relation, parse_p("NS").value
    ('>', 0.05)
    """
    if not isinstance(text, str):
        raise OptionError(f"parse_p needs the P value as printed (a string), got {text!r}")
    clean = _normalise(text).strip()
    if re.fullmatch(r"(?i)n\.?\s*s\.?|not\s+significant", clean):
        return PrintedP(">", NS_THRESHOLD, 2, text)
    m = _P_RE.match(clean)
    if m is None:
        raise OptionError(f"cannot read a P value from {text!r}")
    rel = _RELATIONS[m.group("rel") or "="]
    num = m.group("num")
    value = float(num)
    if not 0.0 <= value <= 1.0:
        raise OptionError(f"P value {value} in {text!r} is outside [0, 1]")
    if "e" in num.lower():
        mant, exp = num.lower().split("e")
        dec = max(decimals(mant) - int(exp), 0)
    else:
        dec = decimals(num)
    return PrintedP(rel, value, dec, text)


@dataclass(frozen=True)
class PrintedNumber:
    """A number as printed, with what qualifies it.

    Attributes
    ----------
    value
        The number (word fractions as a proportion: ``"one-third"`` -> 1/3).
    decimals
        Printed decimals, or ``None`` for words (they have no printed precision).
    qualifier
        ``"approximately"``, ``"nearly"``, ``"over"``, ... or ``None``.
    unit
        ``"%"``, ``"x"`` (ratio, also for ``×``/``-fold``/``times``) or ``None``.
    label
        A leading symbol such as ``"r"`` in ``"r = 0.36"``, else ``None``.
    relation
        ``'='`` unless printed as e.g. ``"r < 0.1"``.
    text
        The original text.
    """

    value: float
    decimals: int | None
    qualifier: str | None = None
    unit: str | None = None
    label: str | None = None
    relation: str = "="
    text: str = ""

    def interval(self, *, rel_tol: float = 0.1) -> tuple[float, float]:
        """Set of true values compatible with the printed text.

        Digits: the rounding interval. Words or qualifiers, a documented choice:
        ``approximately/about/around/roughly`` -> ``value * (1 ± rel_tol)``
        (widened to the rounding interval if that is wider); ``nearly/almost``
        -> ``[value * (1 - rel_tol), value]``; ``over/more than`` ->
        ``(value, inf)``; ``under/less than`` -> ``(-inf, value)``.

        Examples
        --------
        >>> [round(v, 4) for v in parse_number("approximately one-third").interval()]
        [0.3, 0.3667]
        >>> parse_number("34.4%").interval()
        (34.35, 34.45)
        """
        if not 0.0 <= rel_tol < 1.0:
            raise OptionError(f"rel_tol must be in [0, 1), got {rel_tol!r}")
        if self.decimals is None:
            base = (self.value, self.value)
        else:
            base = rounding_interval(self.value, self.decimals)
        q = self.qualifier
        rel = self.relation
        if q in ("over", "more than") or rel in (">", ">="):
            return (base[0], math.inf)
        if q in ("under", "less than") or rel in ("<", "<="):
            return (-math.inf, base[1])
        width = abs(self.value) * rel_tol
        if q in ("nearly", "almost"):
            return (min(base[0], self.value - width), base[1])
        if q is not None or self.decimals is None:
            return (min(base[0], self.value - width), max(base[1], self.value + width))
        return base


def parse_number(text: str) -> PrintedNumber:
    """Parse a printed number: ``"r = 0.36"``, ``"2.03x"``, ``"34.4%"``, words.

    Word fractions (half, one-third, a quarter, two-thirds, three-quarters,
    one-fifth) and the qualifiers approximately, about, around, roughly,
    nearly, almost, over, more than, under, less than are understood.

    Raises
    ------
    OptionError
        Naming the text, if it cannot be read.

    Examples
    --------
    >>> p = parse_number("r = 0.36"); (p.value, p.decimals, p.label)
    (0.36, 2, 'r')
    >>> p = parse_number("2.03x"); (p.value, p.decimals, p.unit)
    (2.03, 2, 'x')
    >>> p = parse_number("approximately one-third"); (round(p.value, 4), p.decimals, p.qualifier)
    (0.3333, None, 'approximately')
    """
    if not isinstance(text, str):
        raise OptionError(f"parse_number needs the number as printed (a string), got {text!r}")
    clean = _normalise(text).strip()
    low = clean.lower()
    qualifier = None
    for q in _QUALIFIERS:
        if low.startswith(q + " "):
            qualifier = "approximately" if q == "approx." else q
            low = low[len(q) :].strip()
            clean = clean[len(q) :].strip()
            break
    if low in _WORD_FRACTIONS:
        return PrintedNumber(_WORD_FRACTIONS[low], None, qualifier, None, None, "=", text)
    m = _LABELED_RE.match(clean)
    if m is None:
        raise OptionError(f"cannot read a number from {text!r}")
    unit_raw = (m.group("unit") or "").strip().lower()
    unit = None if not unit_raw else ("%" if unit_raw == "%" else "x")
    label = m.group("label")
    rel = _RELATIONS[m.group("rel")] if m.group("rel") else "="
    return PrintedNumber(
        float(m.group("num")), decimals(m.group("num")), qualifier, unit, label, rel, text
    )


#: Slack on the count bounds of :func:`grim_counts` so that a bound that is a
#: whole number up to floating-point error (e.g. 33.35 * 3 / 100) still counts.
GRIM_EPS = 1e-9


def grim_counts(percent: float, n: int, *, decimals: int) -> tuple[int, ...]:
    """Whole counts ``k`` out of ``n`` whose share rounds to a printed percentage (GRIM).

    A percentage ``p`` printed with ``d`` decimals stands for ``[p - 0.5
    10^-d, p + 0.5 10^-d]`` (:func:`rounding_interval`); the counts are the
    integers ``k`` in ``[ceil(lo n / 100), floor(hi n / 100)]`` within
    ``[0, n]``. None means the percentage cannot arise from a whole count
    out of ``n`` (Brown & Heathers 2017). The test has power only when one
    count moves the share by more than the printed unit (``100 / n >
    10^-d``); otherwise every printed value is reachable.

    Parameters
    ----------
    percent
        The printed percentage.
    n
        The denominator (>= 1).
    decimals
        Decimals the percentage was printed with (>= 0).

    Returns
    -------
    tuple of int
        The possible counts, increasing (empty when none).

    References
    ----------
    Brown NJL, Heathers JAJ (2017) The GRIM test: a simple technique detects
    numerous anomalies in the reporting of results in psychology. Soc Psychol
    Personal Sci 8:363-369, doi:10.1177/1948550616673876.

    Examples
    --------
    >>> grim_counts(33.3, 3, decimals=1), grim_counts(50.0, 3, decimals=1)
    ((1,), ())
    >>> grim_counts(10, 200, decimals=0)
    (19, 20, 21)
    """
    if not (isinstance(n, int) and n >= 1):
        raise OptionError(f"n must be a whole number >= 1, got {n!r}")
    if not (isinstance(decimals, int) and decimals >= 0):
        raise OptionError(f"decimals must be a whole number >= 0, got {decimals!r}")
    lo, hi = rounding_interval(float(percent), decimals)
    a = math.ceil(lo * n / 100 - GRIM_EPS)
    b = math.floor(hi * n / 100 + GRIM_EPS)
    return tuple(range(max(a, 0), min(b, n) + 1))


__all__ += ["GRIM_EPS", "grim_counts"]

"""Numbers as printed in running text: digits, word numbers and word fractions.

Digits are read by :func:`b12stats.stats.printed.parse_number`; this module
adds what prose prints instead: cardinal words ("Forty-six", "One hundred
eighty-three") and the word fractions that the printed-number parser knows
("one-third", "half").
"""

from __future__ import annotations

import re

from b12stats.errors import OptionError
from b12stats.stats.printed import _WORD_FRACTIONS, parse_number

__all__ = ["WORD_NUMBER", "number_value", "word_to_int"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip

_SMALL = "|".join(sorted(_UNITS, key=len, reverse=True))
_TEN = "|".join(_TENS)
_BELOW_100 = rf"(?:(?:{_TEN})(?:[\s-](?:{_SMALL}))?|{_SMALL})"
#: A cardinal number in words, up to "nine hundred ninety-nine" (case-insensitive use).
WORD_NUMBER = rf"(?:{_BELOW_100}\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?|{_BELOW_100})"
_WORD_RE = re.compile(rf"^{WORD_NUMBER}$", re.IGNORECASE)


def word_to_int(text: str) -> int:
    """Value of a cardinal number written in words.

    Raises
    ------
    OptionError
        If ``text`` is not a number in words.

    Examples
    --------
    >>> word_to_int("Forty-six"), word_to_int("One hundred eighty-three"), word_to_int("twelve")
    (46, 183, 12)
    """
    clean = " ".join(text.lower().replace("-", " ").split())
    if not _WORD_RE.match(text.strip()):
        raise OptionError(f"not a number in words: {text!r}")
    total = 0
    current = 0
    for word in clean.split():
        if word == "and":
            continue
        if word == "hundred":
            current *= 100
        elif word in _TENS:
            current += _TENS[word]
        else:
            current += _UNITS[word]
    total += current
    return total


def number_value(text: str) -> float:
    """Value of a printed number: digits (``".23"``, ``"13,612"``), words or a word fraction.

    Word fractions are returned as proportions (``"one-third"`` -> 0.333...).

    Raises
    ------
    OptionError
        If no number can be read.

    Examples
    --------
    >>> number_value(".23"), number_value("13,612"), number_value("Twenty-seven")
    (0.23, 13612.0, 27.0)
    >>> round(number_value("approximately one-third"), 4)
    0.3333
    """
    clean = text.strip()
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", clean):
        clean = clean.replace(",", "")
    try:
        return float(word_to_int(clean))
    except OptionError:
        pass
    low = clean.lower()
    if low in _WORD_FRACTIONS:
        return _WORD_FRACTIONS[low]
    return parse_number(clean).value

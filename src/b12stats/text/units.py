"""Units as printed in abstracts, normalised to one spelling.

The concentration units are spelled as in :data:`b12stats.units.UNIT_NAMES`; the
spellings of the micro prefix (µ micro sign, μ Greek mu, ``u``, ``mc``,
``micro``) and of litre/millilitre/decilitre are folded onto them.
"""

from __future__ import annotations

import re

__all__ = ["CONCENTRATION", "UNIT", "normalise_unit"]

_MICRO_ALT = "micro|mc|µ|μ|u"
_MICRO = rf"(?:{_MICRO_ALT})"
_MASS = rf"(?:p|n|{_MICRO}|m)?g"
_MOL = rf"(?:p|n|{_MICRO}|m)?mol"
_VOLUME = r"(?:m|d)?[lL]"
_PER_DAY = r"(?:d|day)"

#: A unit printed after a number (longest alternatives first).
UNIT = (
    rf"(?:(?:{_MOL}|{_MASS})\s?/\s?{_VOLUME}\b"
    rf"|(?:{_MASS}|mL)\s?/\s?{_PER_DAY}\b"
    r"|%|-fold|fold\b"
    r"|(?:weeks?|wks?|months?|mo|years?|yrs?|y|days?|d|hours?|h)\b"
    rf"|(?:k?g|{_MASS})\b)"
)

#: A unit of concentration or of daily intake (the units a location of B12 can carry).
CONCENTRATION = rf"(?:(?:{_MOL}|{_MASS})\s?/\s?{_VOLUME}\b|(?:{_MASS}|mL)\s?/\s?{_PER_DAY}\b)"

_PREFIX = {"µ": "µ", "μ": "µ", "u": "µ", "mc": "µ", "micro": "µ", "p": "p", "n": "n", "m": "m"}
_TIME = {
    "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks",
    "month": "months", "months": "months", "mo": "months",
    "year": "years", "years": "years", "y": "years", "yr": "years", "yrs": "years",
    "day": "days", "days": "days", "d": "days", "hour": "hours", "hours": "hours", "h": "hours",
}  # fmt: skip
_SPLIT = re.compile(
    rf"^(?P<prefix>{_MICRO_ALT}|p|n|m)?(?P<base>mol|g)\s?/\s?(?P<den>m|d)?(?P<l>[lL]|d|day)$"
)


def normalise_unit(text: str) -> str:
    """One spelling of a printed unit.

    Examples
    --------
    >>> [normalise_unit(u) for u in ("pmol/l", "pg/ml", "μmol/L", "microg/dl", "mcg/day")]
    ['pmol/L', 'pg/mL', 'µmol/L', 'µg/dL', 'µg/d']
    >>> normalise_unit("ug/L") in ("µg/L",), normalise_unit("wk")
    (True, 'weeks')
    """
    raw = text.strip()
    low = raw.lower()
    if low in _TIME:
        return _TIME[low]
    if low in ("fold", "-fold"):
        return "fold"
    if re.fullmatch(r"ml\s?/\s?(?:d|day)", low):
        return "mL/d"
    m = _SPLIT.match(raw.replace(" ", ""))
    if m is None:
        return raw
    prefix = _PREFIX.get(m.group("prefix") or "", "")
    base = m.group("base")
    den, tail = m.group("den") or "", m.group("l")
    unit = f"{prefix}{base}/d" if tail.lower() in ("d", "day") else f"{prefix}{base}/{den}L"
    return unit

"""The one place numbers and P values become text.

Every sentence b12stats writes about a number (audit details, report prose,
command-line summaries) goes through these functions, so that a P value
reads the same wherever it appears.

P values (:func:`format_p`)
    three decimals from 0.01 up (``0.105``), two significant digits between
    1e-4 and 0.01 (``0.0031``), scientific notation with two significant
    digits below 1e-4 (``7.7e-05``). This is the convention of the audit's
    prose, which reports every bundled P already; it keeps the digits that
    a reader needs to compare a recomputed P with a printed threshold
    (``0.047`` against ``P < 0.05``) without false precision.
    ``style="threshold"`` reads P below 0.001 as ``< 0.001`` (figure labels,
    where a reader compares with the printed thresholds);
    :func:`format_p_statement` writes ``P = 0.081`` / ``P < 0.001``.
Numbers (:func:`format_number`)
    ``digits`` significant digits, trailing zeros dropped (``%g``).
Fixed decimals (:func:`format_fixed`)
    correlations, slopes, ratios: ``decimals`` decimals, never ``-0.00``;
    figures use the typographic minus (:data:`MINUS`).
Printed numbers (:func:`format_printed`)
    with the decimals they were printed with, when known.
Shares (:func:`format_pct`)
    a proportion as a percentage with fixed decimals (``0.337 -> '33.7%'``).
Intervals (:func:`format_interval`)
    two numbers joined by ``-`` (``'0.83-0.92'``), each formatted alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = [
    "MINUS",
    "MISSING",
    "P_STYLES",
    "format_count",
    "format_fixed",
    "format_interval",
    "format_number",
    "format_p",
    "format_p_statement",
    "format_pct",
    "format_printed",
    "format_table",
    "result_html",
    "shorten",
]

#: Text for a missing count (:func:`format_count`).
MISSING = "n/a"
#: The typographic minus sign (U+2212), for figure labels.
MINUS = "\u2212"
#: Styles of :func:`format_p`: every digit needed (``value``), or ``< 0.001`` below 0.001.
P_STYLES = ("value", "threshold")
#: Below this, ``style="threshold"`` writes ``< 0.001``.
P_THRESHOLD = 0.001


def _is_missing(x: Any) -> bool:
    return x is None or bool(pd.isna(x))


def format_p(p: float, *, style: str = "value") -> str:
    """A P value for reading.

    Parameters
    ----------
    p
        The P value (a float in [0, 1]; NaN and infinities give ``'nan'``).
    style
        ``"value"`` (default) or ``"threshold"``: below 0.001 the latter
        gives ``'< 0.001'``.

    Returns
    -------
    str
        ``f"{p:.3f}"`` for ``p >= 0.01``, ``f"{p:.2g}"`` for
        ``1e-4 <= p < 0.01`` and ``f"{p:.1e}"`` below.

    Examples
    --------
    >>> format_p(0.10512), format_p(0.0031), format_p(7.7e-5), format_p(float("nan"))
    ('0.105', '0.0031', '7.7e-05', 'nan')
    >>> format_p(7.7e-5, style="threshold"), format_p(0.0031, style="threshold")
    ('< 0.001', '0.0031')
    """
    if style not in P_STYLES:
        from b12stats.errors import OptionError

        raise OptionError(f"style must be one of {', '.join(P_STYLES)}, got {style!r}")
    if not math.isfinite(p):
        return "nan"
    if style == "threshold" and p < P_THRESHOLD:
        return f"< {P_THRESHOLD:g}"
    if p < 1e-4:
        return f"{p:.1e}"
    if p < 0.01:
        return f"{p:.2g}"
    return f"{p:.3f}"


def format_p_statement(p: float, *, style: str = "value", name: str = "P") -> str:
    """``P = 0.081``, or ``P < 0.001`` with ``style="threshold"`` (:func:`format_p`).

    Examples
    --------
    >>> format_p_statement(0.0812), format_p_statement(3e-5, style="threshold")
    ('P = 0.081', 'P < 0.001')
    """
    text = format_p(p, style=style)
    return f"{name} {text}" if text.startswith("<") else f"{name} = {text}"


def format_fixed(x: float, decimals: int = 2, *, minus: str = "-", missing: str = "nan") -> str:
    """``x`` with ``decimals`` decimals; ``-0.00`` reads ``0.00``; ``minus`` is the sign.

    Parameters
    ----------
    x
        The number.
    decimals
        Decimals shown.
    minus
        The minus sign (:data:`MINUS` in figures).
    missing
        Text for NaN, infinities and missing values.

    Examples
    --------
    >>> format_fixed(0.3612), format_fixed(-0.031, minus=MINUS), format_fixed(-0.001)
    ('0.36', '−0.03', '0.00')
    >>> format_fixed(float("nan"), missing="NA")
    'NA'
    """
    if _is_missing(x) or not math.isfinite(float(x)):
        return missing
    text = f"{float(x):.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return minus + text[1:] if text.startswith("-") else text


def format_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, trailing zeros dropped.

    Examples
    --------
    >>> format_number(2.0346), format_number(220.0), format_number(0.81512, 3)
    ('2.035', '220', '0.815')
    """
    return f"{x:.{digits}g}"


def format_printed(value: float, decimals: Any) -> str:
    """A number as it was printed: with its decimals when known, else compactly.

    Parameters
    ----------
    value
        The number.
    decimals
        How many decimals it was printed with; ``None`` or NaN when unknown
        (then :func:`format_number` with 4 significant digits).

    Examples
    --------
    >>> format_printed(276.0, 0), format_printed(0.4, 2), format_printed(2.0346, None)
    ('276', '0.40', '2.035')
    """
    if _is_missing(decimals):
        return format_number(value)
    return f"{value:.{int(decimals)}f}"


def format_pct(x: float, decimals: int = 1) -> str:
    """A proportion as a percentage with ``decimals`` decimals.

    Examples
    --------
    >>> format_pct(0.33712), format_pct(0.5, 0)
    ('33.7%', '50%')
    """
    return f"{100 * x:.{decimals}f}%"


def format_interval(
    low: float, high: float, fmt: Callable[[float], str] = format_number, *, sep: str = "-"
) -> str:
    """Two bounds formatted by ``fmt`` and joined by ``sep``.

    Examples
    --------
    >>> format_interval(0.8312, 0.9151, lambda x: f"{x:.2f}")
    '0.83-0.92'
    >>> format_interval(0.2, 0.3, format_pct)
    '20.0%-30.0%'
    """
    return f"{fmt(low)}{sep}{fmt(high)}"


def format_count(x: Any) -> str:
    """A whole number, or :data:`MISSING` when it is missing.

    Examples
    --------
    >>> format_count(67.0), format_count(float("nan")), format_count(None)
    ('67', 'n/a', 'n/a')
    """
    return MISSING if _is_missing(x) else str(int(x))


def shorten(text: Any, width: int) -> str:
    """One line of at most ``width`` characters (whitespace collapsed), cut with '…'.

    Examples
    --------
    >>> shorten("a  long\\nline of text", 10)
    'a long li…'
    """
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: max(width - 1, 0)] + "…"


def format_table(frame: pd.DataFrame, digits: int = 5) -> pd.DataFrame:
    """A table with its numbers as text: ``p_value`` columns by :func:`format_p`.

    Columns whose name is ``p_value`` or ends in ``_p`` get :func:`format_p`,
    other numeric columns :func:`format_number` with ``digits`` significant
    digits; other columns are left as they are. Result objects' ``summary()``
    and ``_repr_html_`` render their tables through this.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["x"], "estimate": [0.123456], "p_value": [0.0031]})
    >>> format_table(t).to_dict("records")
    [{'term': 'x', 'estimate': '0.12346', 'p_value': '0.0031'}]
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        if col == "p_value" or str(col).endswith("_p"):
            out[col] = [format_p(float(v)) for v in values]
        else:
            out[col] = [format_number(float(v), digits) for v in values]
    return out


def result_html(title: str, lines: Any, table: pd.DataFrame | None = None) -> str:
    """A result for a notebook: a bold title, lines of text and a table.

    Examples
    --------
    >>> result_html("Fit <x>", ["n = 3"])
    '<div class="b12stats-result"><p><strong>Fit &lt;x&gt;</strong></p><p>n = 3</p></div>'
    """
    import html

    parts = [f"<p><strong>{html.escape(title)}</strong></p>"]
    parts += [f"<p>{html.escape(str(line))}</p>" for line in lines]
    if table is not None:
        parts.append(table.to_html(index=False, border=0))
    return '<div class="b12stats-result">' + "".join(parts) + "</div>"

"""Tables for reading: every DataFrame in the report goes through :func:`table_view`.

The view says, for each header and cell, the text a reader sees and its CSS
class; the one Jinja2 macro ``table`` in ``templates/macros.html.j2`` renders it.
Full precision stays in the CSV outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.format import format_number, format_p

__all__ = ["MAX_ROW_COLUMNS", "TableView", "fmt_cell", "name_value", "table_view"]

#: Columns holding P values: shown by :func:`b12stats.format.format_p` (``3.1e-05``,
#: ``0.025``, ``0.145``); every other float with four significant digits
#: (:func:`b12stats.format.format_number`). CSV outputs keep full precision.
P_COLUMNS = frozenset({"p_value", "p_from_ci", "median_p", "p_trend", "loglog_slope_p"})
#: Columns of free text: given room to wrap instead of being squeezed.
TEXT_COLUMNS = frozenset({"detail", "explanation", "note", "text", "claim", "pooling"})
#: Long identifier columns, allowed to break so that they do not take the room of text.
ID_COLUMNS = frozenset({"check_id", "source", "row_id", "summary_row_id"})
#: Text columns that carry the explanation of a row: the widest.
WIDE_COLUMNS = frozenset({"detail", "explanation"})
#: A one-row table wider than this is shown as quantity/value rows.
MAX_ROW_COLUMNS = 8
#: CSS class of each audit verdict (coloured as in the audit figure).
VERDICT_CLASS = {
    "reproduced": "v-ok",
    "consistent": "v-ok",
    "inconsistent": "v-bad",
    "conflicts_with_primary": "v-bad",
    "unverifiable": "v-na",
}


def fmt_cell(x: Any, *, p_value: bool = False) -> str:
    """One table cell as a human reads it (floats rounded, missing values blank).

    Examples
    --------
    >>> fmt_cell(3.0661234e-05, p_value=True), fmt_cell(0.1446798), fmt_cell(True)
    ('3.1e-05', '0.1447', 'yes')
    >>> fmt_cell(0.1446798, p_value=True)
    '0.145'
    """
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, float | np.floating):
        if not np.isfinite(x):
            return ""
        value = float(x)
        if value.is_integer() and abs(value) < 1e9 and not p_value:
            return f"{int(value)}"
        return format_p(value) if p_value else format_number(value)
    if x is None or x is pd.NA:
        return ""
    return str(x)


def name_value(frame: pd.DataFrame) -> pd.DataFrame:
    """A one-row table as ``quantity, value`` rows (readable instead of very wide)."""
    row = frame.iloc[0]
    return pd.DataFrame(
        {
            "quantity": [str(c) for c in frame.columns],
            "value": [fmt_cell(row[c], p_value=str(c) in P_COLUMNS) for c in frame.columns],
        }
    )


@dataclass(frozen=True)
class TableView:
    """What the ``table`` macro draws: ``(text, css class)`` per header and per cell."""

    head: tuple[tuple[str, str], ...]
    rows: tuple[tuple[tuple[str, str], ...], ...]


def table_view(frame: pd.DataFrame) -> TableView:
    """A DataFrame as text and CSS classes for reading.

    Columns empty in every row are left out, a one-row table wider than
    :data:`MAX_ROW_COLUMNS` reads down the page, text columns get room to wrap,
    identifiers may break, and audit verdicts are coloured.
    """
    frame = frame.loc[:, [c for c in frame.columns if not frame[c].isna().all()]]
    if len(frame) == 1 and frame.shape[1] > MAX_ROW_COLUMNS:  # one wide row: read it down
        frame = name_value(frame)
    cols = [str(c) for c in frame.columns]
    klass = dict.fromkeys(TEXT_COLUMNS, "txt")
    klass.update(dict.fromkeys(WIDE_COLUMNS, "txt wide"))
    head = tuple((c, klass.get(c, "")) for c in cols)
    body = []
    for values in frame.itertuples(index=False):
        cells = []
        for col, v in zip(cols, values, strict=True):
            text = fmt_cell(v, p_value=col in P_COLUMNS)
            if col == "verdict" and str(v) in VERDICT_CLASS:
                cells.append((str(v).replace("_", " "), VERDICT_CLASS[str(v)]))
            elif col in TEXT_COLUMNS:
                cells.append((text, klass[col]))
            elif col in ID_COLUMNS:  # long keys may break (at any character)
                cells.append((text, "id"))
            else:
                cells.append((text, ""))
        body.append(tuple(cells))
    return TableView(head=head, rows=tuple(body))

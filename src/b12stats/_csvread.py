"""Read a user's CSV file: the one reader of the commands that take one.

:func:`read_csv` reads the file itself (not :func:`pandas.read_csv`, which
renames a repeated header name to ``r.1`` and calls an empty one
``Unnamed: 18``) and fails with one :class:`~b12stats.errors.DataValidationError`
naming the file, the line and the column:

- a missing file, a directory, an empty file, a binary file or bytes that are
  not UTF-8;
- a header name that appears twice (both columns are named), a row with
  more cells than the header;
- a header with no data rows.

Empty trailing columns (a spreadsheet's trailing commas: no name, no data) are
dropped with a logged warning. The cells come back as text, in a frame whose
index is the line number minus 2 (so line = index + 2, the convention of
:func:`b12stats.pooling.pool_table`; correct also for quoted newlines).
:func:`typed` then gives each column the type :func:`pandas.read_csv` would,
and :func:`require_numeric` checks the columns a model uses as numbers.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from b12stats.errors import DataValidationError

__all__ = ["NA_VALUES", "parse_csv", "read_csv", "read_text", "require_numeric", "typed"]

logger = logging.getLogger(__name__)

#: Cells read as missing: pandas.read_csv's default set.
NA_VALUES = frozenset(
    {
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
        "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    }
)  # fmt: skip

_BOOLEANS = {"true": True, "false": False}


def read_text(path: str | Path, *, label: str | None = None) -> str:
    """The text of a user's file, or one DataValidationError saying why it cannot be read.

    Examples
    --------
    >>> read_text("no/such.csv")
    Traceback (most recent call last):
    ...
    b12stats.errors.DataValidationError: no/such.csv: file not found
    """
    label = str(path) if label is None else label
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError("file not found", file=label) from None
    except IsADirectoryError:
        raise DataValidationError("is a directory, not a CSV file", file=label) from None
    except PermissionError:
        raise DataValidationError("permission denied (cannot read the file)", file=label) from None
    except OSError as exc:
        raise DataValidationError(f"cannot read the file ({exc.strerror})", file=label) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataValidationError(
            "a binary file (it holds NUL bytes), not a CSV text file", file=label, line=line
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            f"bytes that are not UTF-8 (0x{raw[exc.start]:02x} at byte {exc.start}); "
            "save the file as UTF-8",
            file=label,
            line=line,
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataValidationError("the file is empty; expected a header line and data", file=label)
    return text


def read_csv(
    path: str | Path, *, label: str | None = None, missing_as_nan: bool = False
) -> pd.DataFrame:
    """Read a user's CSV file as text cells, checking its header.

    Parameters
    ----------
    path
        The file.
    label
        How messages name the file (default: ``path`` as given).
    missing_as_nan
        Cells in :data:`NA_VALUES` (the empty cell, ``NA``, ...) become NaN
        instead of staying text.

    Returns
    -------
    pandas.DataFrame
        One column per named header cell, text cells (missing cells as the
        empty string), index = line number - 2.

    Raises
    ------
    DataValidationError
        Naming the file, line and column of the first problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("a,r,b,r\\n1,2,3,4\\n")
    >>> try:
    ...     read_csv(p)
    ... except DataValidationError as exc:
    ...     print(exc.line, exc.reason)
    1 column 'r' appears twice (columns 2 and 4)
    >>> _ = p.write_text("a,b,,\\n1,2,,\\n\\n3,4\\n")
    >>> read_csv(p)
       a  b
    0  1  2
    2  3  4
    """
    label = str(path) if label is None else label
    return parse_csv(read_text(path, label=label), label=label, missing_as_nan=missing_as_nan)


def parse_csv(text: str, *, label: str, missing_as_nan: bool = False) -> pd.DataFrame:
    """:func:`read_csv` for text already read (by :func:`read_text`); ``label`` names the file.

    Examples
    --------
    >>> parse_csv("a,b\\n1,\\n", label="x.csv", missing_as_nan=True)
       a    b
    0  1  NaN
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        rows: list[list[str]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataValidationError(
            f"malformed CSV ({exc}); check the quoting", file=label, line=reader.line_num
        ) from None
    width = len(header)
    keep = check_header(header, rows, lines, label)
    for row, line in zip(rows, lines, strict=True):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise DataValidationError(
                f"{len(row)} cells but the header names {width} columns; "
                "check the quoting and the number of commas",
                file=label,
                line=line,
            )
    if not rows:
        raise DataValidationError(
            "the file has a header but no data rows", file=label, line=reader.line_num + 1
        )
    columns = [header[j] for j in keep]
    cells = [[row[j] if j < len(row) else "" for j in keep] for row in rows]
    index = pd.Index(np.asarray(lines, dtype=np.int64) - 2)
    frame = pd.DataFrame(cells, columns=columns, index=index, dtype=object)
    return frame.mask(frame.isin(NA_VALUES)) if missing_as_nan else frame


def check_header(
    header: list[str], rows: list[list[str]], lines: list[int], label: str
) -> list[int]:
    """Positions of the columns to keep (and their names); raise on a repeated name.

    A column with data but no name is kept as ``Unnamed: j`` (0-based, as
    :func:`pandas.read_csv` names it: the index column ``DataFrame.to_csv``
    writes); one with neither is dropped with a logged warning.
    """
    names = [h.strip() for h in header]
    if not any(names):
        raise DataValidationError("the header line names no columns", file=label, line=1)
    keep, dropped = [], []
    for j, name in enumerate(names):
        if name:
            keep.append(j)
            continue
        first = next(
            (ln for row, ln in zip(rows, lines, strict=True) if j < len(row) and row[j].strip()),
            None,
        )
        if first is not None:  # e.g. the index pandas.to_csv writes: named as read_csv would
            header[j] = f"Unnamed: {j}"
            keep.append(j)
            continue
        dropped.append(j)
    if dropped:
        logger.warning(
            "%s: dropped %d empty column(s) without a name (e.g. trailing commas): number %s",
            label,
            len(dropped),
            ", ".join(str(j + 1) for j in dropped),
        )
    seen: dict[str, int] = {}
    for j in keep:
        h = header[j]
        if h in seen:
            raise DataValidationError(
                f"column {h!r} appears twice (columns {seen[h] + 1} and {j + 1})",
                file=label,
                line=1,
            )
        seen[h] = j
    return keep


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give each text column the type :func:`pandas.read_csv` would give it.

    Missing cells (:data:`NA_VALUES`) become NaN; a column whose other cells
    are all numbers becomes int64 (no missing cells, whole numbers) or
    float64; one of only true/false (any case, no missing cells) becomes
    bool; any other column stays text.

    Examples
    --------
    >>> f = typed(pd.DataFrame({"a": ["1", "2"], "b": ["1.5", "NA"], "c": ["x", ""]}))
    >>> f.dtypes.astype(str).tolist()[:2], f["c"].isna().tolist()
    (['int64', 'float64'], [False, True])
    """
    out = {}
    for col in frame.columns:
        cells = frame[col].astype(object)
        missing = cells.isin(NA_VALUES) | cells.isna()
        present = cells[~missing]
        numbers = pd.to_numeric(present, errors="coerce")
        if present.empty:
            out[col] = pd.Series(np.nan, index=frame.index, dtype=float)
        elif numbers.notna().all():
            out[col] = pd.to_numeric(cells.where(~missing, None))
        elif not missing.any() and present.str.strip().str.lower().isin(_BOOLEANS).all():
            out[col] = present.str.strip().str.lower().map(_BOOLEANS).astype(bool)
        else:
            out[col] = pd.Series(cells.where(~missing, None).tolist(), index=frame.index)
    return pd.DataFrame(out, index=frame.index)


def require_numeric(frame: pd.DataFrame, columns: Iterable[str], *, label: str, why: str) -> None:
    """Raise unless every present cell of ``columns`` (text cells) is a number.

    ``why`` ends the message, e.g. ``"a column used numerically must hold
    numbers only"``. Columns not in ``frame`` are left to the caller; a
    column of only true/false is accepted (read as booleans).

    Examples
    --------
    >>> f = pd.DataFrame({"milk_b12": ["120", "<50"]}, index=[0, 15])
    >>> try:
    ...     require_numeric(f, ["milk_b12"], label="kenya.csv", why="numbers only")
    ... except DataValidationError as exc:
    ...     print(exc)
    kenya.csv, line 17, column milk_b12: '<50' is not a number (numbers only)
    """
    for col in columns:
        if col not in frame.columns:
            continue
        cells = frame[col].astype(object)
        present = cells[~(cells.isin(NA_VALUES) | cells.isna())]
        if present.str.strip().str.lower().isin(_BOOLEANS).all():
            continue
        bad = pd.to_numeric(present, errors="coerce").isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataValidationError(
                f"{present.iloc[i]!r} is not a number ({why})",
                file=label,
                line=int(present.index[i]) + 2,
                column=col,
            )

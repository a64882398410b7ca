"""Load and validate the published numbers: files -> typed, checked DataFrames.

The bundled tables live in ``data/`` at the repository root (shipped inside the
wheel as ``b12stats/_data``). Each table ``NAME.csv`` has a Frictionless Table
Schema ``NAME.schema.json`` beside it, listed in ``datapackage.json``: field
names, types, units, meanings, allowed values, the primary key and foreign
keys. Rules that span several columns (Q1 <= median <= Q3, a CI containing its
estimate, printed P values that parse) are listed under the schema's
``b12stats:checks`` key. The schemas are read by :mod:`b12stats._schema`
(re-exported here); a field's ``unique`` constraint is checked like the key.

Every load validates. The first problem found raises one
:class:`~b12stats.errors.DataValidationError` naming the file, the line in the
file (the header is line 1) and the column; nothing is half-loaded.

Derived columns are computed here, never typed into the files:

- ``p_relation`` and ``p_value`` parsed from ``p_text`` (``"P < 0.001"`` gives
  ``"<"`` and ``0.001``);
- ``<column>_decimals`` for numeric columns whose printed precision matters
  (``r = 0.20`` was printed to 2 decimals), read from the file's text;
- ``source_kind`` joined from the sources table onto every other table.

Examples
--------
>>> from b12stats.data import load_table
>>> corr = load_table("correlations")
>>> row = corr.loc[corr["p_value"] == 0.27].iloc[0]
>>> float(row["r"]), int(row["r_decimals"]), row["p_relation"], float(row["p_value"])
(0.2, 2, '=', 0.27)
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12stats._schema import (
    TableSchema,
    data_dir,
    schema_version,
    table_names,
    table_schema,
    vocabulary,
)
from b12stats._validation import check_params
from b12stats.errors import DataValidationError, OptionError

__all__ = [
    "SOURCE_KINDS",
    "TableSchema",
    "as_printed",
    "data_dir",
    "list_tables",
    "load_claims",
    "load_cohorts",
    "load_comparisons",
    "load_concentrations",
    "load_correlations",
    "load_effects",
    "load_prevalences",
    "load_reference_values",
    "load_sources",
    "load_table",
    "parse_p_text",
    "schema_version",
    "table_names",
    "table_schema",
    "vocabulary",
]

SOURCE_KINDS = ("primary", "secondary", "lay", "reference")

_P_TEXT = re.compile(
    r"^\s*p(?:[- ]?trend)?\s*(?P<rel><=|>=|=|<|>|≤|≥)\s*(?P<val>\d*\.?\d+(?:[eE]-?\d+)?)\s*$",
    re.IGNORECASE,
)
_REL_NORMAL = {"≤": "<=", "≥": ">="}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_p_text(text: str) -> tuple[str, float]:
    """Parse a printed P value into its relation and number.

    Parameters
    ----------
    text
        As printed: ``"P < 0.001"``, ``"p=0.27"``, ``"P-trend = 0.03"``.

    Returns
    -------
    relation, value
        ``relation`` is one of ``'=', '<', '>', '<=', '>='``.

    Raises
    ------
    ValueError
        When the text is not a printed P value or the number is outside [0, 1].

    Examples
    --------
    >>> parse_p_text("P-trend = 0.03")
    ('=', 0.03)
    >>> parse_p_text("p<0.001")
    ('<', 0.001)
    """
    match = _P_TEXT.match(text)
    if match is None:
        raise ValueError(
            f"expected a printed P value like 'P = 0.03' or 'P < 0.001', got {text!r}"
        )
    rel = _REL_NORMAL.get(match["rel"], match["rel"])
    value = float(match["val"])
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"P value must be in [0, 1], got {value:g} in {text!r}")
    return rel, value


def _position(frame: pd.DataFrame, column: str) -> int:
    """Position of ``column`` in ``frame`` (columns are unique)."""
    return int(frame.columns.get_loc(column))  # type: ignore[arg-type]


def _decimals(text: str) -> int:
    """Number of decimals printed in ``text`` ('0.20' -> 2, '276' -> 0)."""
    text = text.strip().lower()
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return max(0, _decimals(mantissa) - int(exponent))
    return len(text.split(".", 1)[1]) if "." in text else 0


# --- reading and validating -------------------------------------------------------------------


def _read_text(path: Path, label: str) -> str:
    from b12stats._csvread import read_text

    return read_text(path, label=label)


def _read_strings(text: str, label: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Parse CSV text into strings; also the line each data row starts on and its width.

    Returns the frame of strings (rows of the wrong width padded or cut to the
    header; the caller reports them), the line in the file where each data row
    starts (header = 1; quoted newlines counted) and the number of values in
    each row, not counting the cells of the empty unnamed columns that are
    dropped (:func:`b12stats._csvread.check_header`). Blank lines are skipped;
    a line of commas is a row of empty cells.
    """
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip()):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataValidationError(
            f"malformed CSV ({exc}); check quoting and the number of commas",
            file=label,
            line=start,
        ) from None
    if not header:
        raise DataValidationError("the file is empty", file=label)
    from b12stats._csvread import check_header

    keep = check_header(header, rows, lines, label)  # repeated names; empty columns dropped
    width = len(header)
    # a row's width counts the kept columns only: a dropped column is empty in every
    # row (a spreadsheet's trailing commas), whether or not the row has its cell
    dropped = np.setdiff1d(np.arange(width), np.asarray(keep, dtype=int))
    lengths = np.asarray([len(r) for r in rows], dtype=int)
    widths = lengths - np.searchsorted(dropped, lengths)
    cells = [[(r + [""] * width)[j] for j in keep] for r in rows]
    frame = pd.DataFrame(cells, columns=[header[j].strip() for j in keep], dtype=object)
    return frame, np.asarray(lines, dtype=int), widths


def _convert(
    values: pd.Series, field: Mapping[str, Any], label: str, lines: np.ndarray
) -> tuple[pd.Series, pd.Series | None]:
    """Convert one column of strings to its schema type, checking constraints."""
    name = field["name"]
    kind = field["type"]
    c = field.get("constraints", {})
    stripped = values.str.strip()
    missing = stripped == ""

    def fail(i: int, message: str) -> DataValidationError:
        return DataValidationError(message, file=label, line=int(lines[i]), column=name)

    if c.get("required"):
        bad = np.flatnonzero(missing.to_numpy())
        if bad.size:
            raise fail(bad[0], "a value is required here but the cell is empty")

    decimals = None
    out: pd.Series
    if kind == "string":
        out = pd.Series(
            [None if m else v for v, m in zip(stripped, missing, strict=True)],
            index=values.index,
            dtype="object",
        )
        if "enum" in c:
            ok = missing | stripped.isin(c["enum"])
            bad = np.flatnonzero(~ok.to_numpy())
            if bad.size:
                raise fail(
                    bad[0],
                    f"{stripped.iloc[bad[0]]!r} is not allowed; expected one of: "
                    + ", ".join(c["enum"]),
                )
    elif kind in ("number", "integer"):
        nums = pd.to_numeric(stripped.where(~missing, None), errors="coerce")
        bad = np.flatnonzero((nums.isna() & ~missing).to_numpy())
        if bad.size:
            raise fail(bad[0], f"expected a {kind}, got {stripped.iloc[bad[0]]!r}")
        arr = nums.to_numpy(dtype=float)
        notna = ~np.isnan(arr)
        bad = np.flatnonzero(notna & ~np.isfinite(arr))
        if bad.size:
            raise fail(bad[0], f"expected a finite {kind}, got {stripped.iloc[bad[0]]!r}")
        if kind == "integer":
            bad = np.flatnonzero(notna & (np.floor(arr) != arr))
            if bad.size:
                raise fail(bad[0], f"expected a whole number, got {stripped.iloc[bad[0]]!r}")
        lo, hi = c.get("minimum"), c.get("maximum")
        if lo is not None:
            bad = np.flatnonzero(notna & (arr < lo))
            if bad.size:
                raise fail(bad[0], f"{stripped.iloc[bad[0]]} is below the minimum {lo}")
        if hi is not None:
            bad = np.flatnonzero(notna & (arr > hi))
            if bad.size:
                raise fail(bad[0], f"{stripped.iloc[bad[0]]} is above the maximum {hi}")
        if kind == "integer":
            out = pd.Series(nums.astype("Int64"), index=values.index)
        else:
            out = pd.Series(arr, index=values.index, dtype="float64")
        if field.get("b12stats:decimals"):
            decimals = pd.Series(
                pd.array(
                    [None if m else _decimals(s) for s, m in zip(stripped, missing, strict=True)],
                    dtype="Int64",
                ),
                index=values.index,
            )
    elif kind == "boolean":
        low = stripped.str.lower()
        bad = np.flatnonzero((~missing & ~low.isin(_TRUE | _FALSE)).to_numpy())
        if bad.size:
            raise fail(bad[0], f"expected true or false, got {stripped.iloc[bad[0]]!r}")
        out = pd.Series(
            pd.array(
                [None if m else v in _TRUE for v, m in zip(low, missing, strict=True)],
                dtype="boolean",
            ),
            index=values.index,
        )
    else:  # pragma: no cover - schemas are ours
        raise ValueError(f"unsupported field type {kind!r} in schema of {label}")
    return out, decimals


def _check_rules(
    frame: pd.DataFrame,
    schema: TableSchema,
    label: str,
    lines: np.ndarray,
    known: Mapping[str, set[str]],
) -> pd.DataFrame:
    """Apply the cross-column rules; return the frame with parsed p columns added."""

    def fail(i: int, column: str, message: str) -> DataValidationError:
        return DataValidationError(message, file=label, line=int(lines[i]), column=column)

    for rule in schema.checks:
        kind = rule["rule"]
        if kind == "ordered":
            cols = rule["fields"]
            for a, b in itertools.pairwise(cols):
                x, y = frame[a].to_numpy(dtype=float), frame[b].to_numpy(dtype=float)
                bad = np.flatnonzero(~np.isnan(x) & ~np.isnan(y) & (x > y))
                if bad.size:
                    i = bad[0]
                    raise fail(
                        i,
                        a,
                        f"{a} = {x[i]:g} is greater than {b} = {y[i]:g}; "
                        f"expected {' <= '.join(cols)}",
                    )
        elif kind == "together":
            present = frame[rule["fields"]].notna().to_numpy()
            bad = np.flatnonzero(present.any(axis=1) & ~present.all(axis=1))
            if bad.size:
                i = bad[0]
                missing = [c for c, p in zip(rule["fields"], present[i], strict=True) if not p]
                raise fail(i, missing[0], f"{', '.join(rule['fields'])} must be given together")
        elif kind == "one_of_required":
            present = frame[rule["fields"]].notna().to_numpy()
            bad = np.flatnonzero(~present.any(axis=1))
            if bad.size:
                raise fail(
                    bad[0], rule["fields"][0], f"one of {', '.join(rule['fields'])} is required"
                )
        elif kind == "different":
            a, b = rule["fields"]
            bad = np.flatnonzero((frame[a] == frame[b]).to_numpy())
            if bad.size:
                raise fail(bad[0], b, f"{a} and {b} must name two different variables")
        elif kind == "reference":
            col, table = rule["field"], rule["table"]
            # a key that is not the referenced table's primary key (cohort) is checked
            # where the whole package is known (b12stats.packages)
            primary = rule["key"] in table_schema(table).primary_key
            keys = known.get(table) if primary else None
            if keys is None:
                continue
            vals = frame[col]
            bad = np.flatnonzero((vals.notna() & ~vals.isin(keys)).to_numpy())
            if bad.size:
                raise fail(bad[0], col, f"unknown {table} key {vals.iloc[bad[0]]!r}")
        elif kind == "row_ids":
            continue  # ';'-joined row ids of any table: checked by b12stats.packages
        elif kind == "p_text":
            col = rule["field"]
            rel: list[str | None] = []
            val: list[float] = []
            for i, text in enumerate(frame[col]):
                if text is None:
                    rel.append(None)
                    val.append(math.nan)
                    continue
                try:
                    r, v = parse_p_text(text)
                except ValueError as exc:
                    raise fail(i, col, str(exc)) from None
                rel.append(r)
                val.append(v)
            pos = _position(frame, col) + 1
            frame.insert(pos, "p_relation", pd.Series(rel, index=frame.index, dtype="object"))
            frame.insert(pos + 1, "p_value", pd.Series(val, index=frame.index, dtype="float64"))
        elif kind == "fraction":
            col = rule["field"]
            for i, text in enumerate(frame[col]):
                if text is None:
                    continue
                m = _FRACTION.match(text)
                if m is None or int(m[2]) == 0 or int(m[1]) > int(m[2]):
                    raise fail(i, col, f"expected a fraction p/q with 0 <= p <= q, got {text!r}")
        else:  # pragma: no cover - schemas are ours
            raise ValueError(f"unknown rule {kind!r} in schema of {schema.name}")
    return frame


def _check_widths(
    widths: np.ndarray, lines: np.ndarray, header: list[str], expected: list[str], label: str
) -> None:
    """Raise for the first data row with more or fewer values than the header has columns."""
    bad = np.flatnonzero(widths != len(header))
    if not bad.size:
        return
    i = int(bad[0])
    got = int(widths[i])
    message = (
        f"this row has {got} values but the header has {len(header)} columns; "
        "check the number of commas (a value containing a comma must be quoted)"
    )
    if got == len(expected) < len(header):
        left_out = [c for c in header if c not in expected]
        message += (
            f"; the row has as many values as the table's own columns, but the header also "
            f"has {', '.join(left_out)}: fill those cells or drop those columns"
        )
    raise DataValidationError(message, file=label, line=int(lines[i]))


def _check_unique(frame: pd.DataFrame, schema: TableSchema, label: str, lines: np.ndarray) -> None:
    """Raise for the first value repeated in the primary key or a ``unique`` field.

    Frictionless's ``unique`` constraint: missing cells are not compared.
    The message names the line the value first appeared on.
    """
    unique = [f["name"] for f in schema.fields if f.get("constraints", {}).get("unique")]
    for col in dict.fromkeys([*schema.primary_key, *unique]):
        values = frame[col]
        repeated = (values.notna() & values.duplicated(keep="first")).to_numpy()
        if not repeated.any():
            continue
        i = int(np.flatnonzero(repeated)[0])
        first = int(lines[int(np.flatnonzero((values == values.iloc[i]).to_numpy())[0])])
        what = "duplicate key" if col in schema.primary_key else "repeated value"
        raise DataValidationError(
            f"{what} {values.iloc[i]!r}, first on line {first} ({col} must be unique)",
            file=label,
            line=int(lines[i]),
            column=col,
        )


def _validate_lines(
    text: str,
    schema: TableSchema,
    label: str,
    known: Mapping[str, set[str]],
    *,
    allow_empty: bool = False,
    optional_columns: bool = False,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Validate a table's CSV text against its schema; the typed frame and each row's line.

    ``known``: the keys other tables define, by table (references to a table
    not in it are checked elsewhere).

    For a package's file (:mod:`b12stats.packages`): ``allow_empty`` accepts
    a header without rows; ``optional_columns`` lets the header leave out
    columns whose cells are optional (read as empty), so a file written
    before an optional column was added still loads.
    """
    raw, lines, widths = _read_strings(text, label)
    header = [str(c) for c in raw.columns]
    expected = schema.columns
    missing = [c for c in expected if c not in header]
    left_out: list[str] = []
    if optional_columns:
        left_out = [
            c for c in missing if not schema.field(c).get("constraints", {}).get("required")
        ]
        missing = [c for c in missing if c not in left_out]
    derived = set(schema.derived_columns)
    extra = [c for c in header if c not in expected and c not in derived]
    for cols, what, verb in ((missing, "missing", "needs"), (extra, "unexpected", "has")):
        if cols:
            raise DataValidationError(
                f"{what} column(s) {', '.join(cols)}; the {schema.name} table {verb}: "
                + ", ".join(expected),
                file=label,
                line=1,
                column=cols[0],
            )
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise DataValidationError("duplicate column name", file=label, line=1, column=dup)
    _check_widths(widths, lines, header, expected, label)
    raw = raw[[c for c in header if c not in derived]]  # recomputed below, never trusted
    for c in left_out:
        raw[c] = ""
    if raw.empty and not allow_empty:
        raise DataValidationError("the file has a header but no data rows", file=label, line=2)
    out: dict[str, pd.Series] = {}
    for f in schema.fields:
        col, dec = _convert(raw[f["name"]], f, label, lines)
        out[f["name"]] = col
        if dec is not None:
            out[f"{f['name']}_decimals"] = dec
    frame = pd.DataFrame(out)
    _check_unique(frame, schema, label, lines)
    for fk in schema.foreign_keys:
        col = fk["fields"]
        keys = known.get(fk["reference"]["resource"])
        if keys is None:
            continue
        bad = np.flatnonzero((frame[col].notna() & ~frame[col].isin(keys)).to_numpy())
        if bad.size:
            i = int(bad[0])
            raise DataValidationError(
                f"unknown source id {frame[col].iloc[i]!r}; add it to the sources table first",
                file=label,
                line=int(lines[i]),
                column=col,
            )
    return _check_rules(frame, schema, label, lines, known), lines


@functools.cache
def _bundled(name: str) -> pd.DataFrame:
    label = f"data/{name}.csv"
    ids = set() if name == "sources" else set(_bundled("sources")["source_id"])
    frame = _read_table(data_dir() / f"{name}.csv", table_schema(name), label, ids)
    return _with_kind(frame, name, None)


def _read_table(path: Path, schema: TableSchema, label: str, source_ids: set[str]) -> pd.DataFrame:
    """Read and validate one file; ``source_ids``: the sources its rows may name.

    A sources table may also name its own rows (``cites_source_id``), checked
    once they are read.
    """
    known: dict[str, set[str]] = {}
    if schema.name != "sources":
        known["sources"] = source_ids
    if schema.name == "comparisons":
        known["concentrations"] = set(_bundled("concentrations")["row_id"])
    frame, lines = _validate_lines(_read_text(path, label), schema, label, known)
    if schema.name == "sources":
        own = {"sources": source_ids | set(frame["source_id"])}
        frame = _check_rules(frame, schema, label, lines, own)
    return frame


def _with_kind(
    frame: pd.DataFrame, name: str, sources: str | Path | pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` with ``source_kind`` after its ``source_id`` (bundled and ``sources``)."""
    if name == "sources" or "source_id" not in frame:
        return frame
    kinds = _source_kinds(sources)
    pos = _position(frame, "source_id") + 1
    frame.insert(pos, "source_kind", frame["source_id"].map(kinds).astype("object"))
    return frame


def _source_kinds(sources: str | Path | pd.DataFrame | None) -> pd.Series:
    """Kinds of the bundled sources plus a user's extra sources, indexed by source_id."""
    kinds = _bundled("sources").set_index("source_id")["kind"]
    if sources is None:
        return kinds
    extra = sources if isinstance(sources, pd.DataFrame) else load_table(sources, table="sources")
    both = pd.concat([kinds, extra.set_index("source_id")["kind"]])
    # a user's sources file may repeat bundled sources; their own entry wins
    return both[~both.index.duplicated(keep="last")]


def load_table(
    name_or_path: str | Path,
    *,
    table: str | None = None,
    sources: str | Path | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load one table, validated, as a typed DataFrame.

    Parameters
    ----------
    name_or_path
        A bundled table's name (see :func:`list_tables`), or the path of a
        user's CSV file laid out like one of them.
    table
        For a path: which table's schema the file follows. Defaults to the
        file's stem when that is a table name (``correlations.csv``).
    sources
        For a user's file: extra sources (a sources CSV path or frame) whose
        ids the file may use besides the bundled ones.

    Returns
    -------
    pandas.DataFrame
        Typed columns (float64 numbers, nullable Int64 integers, nullable
        booleans, object strings with None for missing), plus the derived
        columns described in the module docstring. A fresh copy each call.

    Raises
    ------
    DataValidationError
        Naming the file, line and column of the first problem.
    OptionError
        For an unknown table name.

    Examples
    --------
    >>> conc = load_table("concentrations")
    >>> sorted(conc["statistic"].dropna().unique())[:2]
    ['geometric_mean', 'mean']
    """
    if isinstance(name_or_path, str) and name_or_path in table_names() and table is None:
        return _bundled(name_or_path).copy()
    path = Path(name_or_path)
    if not path.exists() and path.suffix == "" and len(path.parts) == 1:
        raise OptionError(
            f"unknown table {str(path)!r}; expected one of: {', '.join(table_names())}, "
            "or the path of a CSV file"
        )
    if table is None:
        if path.stem not in table_names():
            raise OptionError(
                f"cannot tell which table {str(path)!r} follows; name it (table=..., on the "
                f"command line --as NAME), one of: {', '.join(table_names())}"
            )
        table = path.stem
    ids = set(_bundled("sources")["source_id"])
    if sources is not None and table != "sources":
        if not isinstance(sources, pd.DataFrame):
            sources = load_table(sources, table="sources")
        ids |= set(sources["source_id"])
    frame = _read_table(path, table_schema(table), str(path), ids)
    return _with_kind(frame, table, sources)


def as_printed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A loaded table with each number written to the decimals it was printed with.

    The inverse of loading for output: ``r = 0.20`` is written ``0.20``, not
    ``0.2``, so a file written from this frame loads back with the same
    printed precision (columns with ``b12stats:decimals`` in the schema).

    Raises
    ------
    OptionError
        When ``frame`` is not a DataFrame or ``table`` names no table.

    Examples
    --------
    >>> corr = load_table("correlations")
    >>> printed = as_printed(corr, "correlations")
    >>> printed.loc[corr["p_value"] == 0.27, "r"].iloc[0]
    '0.20'
    """
    check_params(frame=frame, constraints={"frame": ["dataframe"]})
    out = frame.copy()
    for f in table_schema(table).fields:
        name = f["name"]
        if not f.get("b12stats:decimals") or f"{name}_decimals" not in out:
            continue
        out[name] = [
            "" if pd.isna(v) else f"{v:.{int(d)}f}"
            for v, d in zip(out[name], out[f"{name}_decimals"], strict=True)
        ]
    return out


def list_tables() -> pd.DataFrame:
    """The bundled tables with their row counts and descriptions.

    Examples
    --------
    >>> tables = list_tables()
    >>> list(tables.columns)
    ['table', 'rows', 'title', 'description']
    >>> int(tables.set_index("table").loc["sources", "rows"]) > 5
    True
    """
    rows = []
    for name in table_names():
        schema = table_schema(name)
        rows.append(
            {
                "table": name,
                "rows": len(_bundled(name)),
                "title": schema.title,
                "description": schema.description,
            }
        )
    return pd.DataFrame(rows)


def _loader(name: str, what: str) -> Callable[[], pd.DataFrame]:
    """``load_NAME()``: :func:`load_table` of one bundled table, ``what`` its docstring."""

    def load() -> pd.DataFrame:
        return load_table(name)

    load.__name__ = load.__qualname__ = f"load_{name}"
    load.__doc__ = f"{what} (see :func:`load_table`)."
    return load


load_sources = _loader("sources", "The sources table")
load_cohorts = _loader("cohorts", "Cohort characteristics per source")
load_concentrations = _loader("concentrations", "Concentration summaries")
load_comparisons = _loader("comparisons", "Between-group ratios and tests")
load_correlations = _loader("correlations", "Published correlations")
load_prevalences = _loader("prevalences", "Published prevalences")
load_effects = _loader("effects", "Published effect estimates")
load_reference_values = _loader("reference_values", "Reference values and cut-offs")
load_claims = _loader("claims", "Claims: untraceable citations, paraphrases, qualitative findings")

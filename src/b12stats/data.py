"""Load and validate the published numbers: files -> typed, checked DataFrames.

The bundled tables live in ``data/`` at the repository root (shipped inside the
wheel as ``b12stats/_data``). Each table ``NAME.csv`` has a Frictionless Table
Schema ``NAME.schema.json`` beside it, listed in ``datapackage.json``: field
names, types, units, meanings, allowed values, the primary key and foreign
keys. Rules that span several columns (Q1 <= median <= Q3, a CI containing its
estimate, printed P values that parse) are listed under the schema's
``b12stats:checks`` key.

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
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class TableSchema:
    """A table's Frictionless schema plus its description.

    Attributes
    ----------
    name, title, description
        From ``datapackage.json``.
    fields
        The schema's field descriptors, in column order.
    primary_key
        Column(s) whose values must be unique.
    foreign_keys
        Frictionless foreign-key descriptors.
    checks
        Cross-column rules (``b12stats:checks``).
    """

    name: str
    title: str
    description: str
    fields: tuple[dict[str, Any], ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]
    checks: tuple[dict[str, Any], ...]

    @property
    def columns(self) -> list[str]:
        """Column names in schema order."""
        return [f["name"] for f in self.fields]

    @property
    def derived_columns(self) -> list[str]:
        """Columns the loader adds (see the module docstring); ignored in input files."""
        out = [f"{f['name']}_decimals" for f in self.fields if f.get("b12stats:decimals")]
        if any(rule["rule"] == "p_text" for rule in self.checks):
            out += ["p_relation", "p_value"]
        if self.name != "sources":
            out.append("source_kind")
        return out

    def field(self, name: str) -> dict[str, Any]:
        """The descriptor of field ``name``."""
        for f in self.fields:
            if f["name"] == name:
                return f
        raise KeyError(name)

    def describe(self) -> pd.DataFrame:
        """One row per column: name, type, unit, required, allowed values, meaning.

        Examples
        --------
        >>> from b12stats.data import table_schema
        >>> table_schema("correlations").describe().set_index("name").loc["r", "type"]
        'number'
        """
        rows = []
        for f in self.fields:
            c = f.get("constraints", {})
            allowed = ", ".join(c["enum"]) if "enum" in c else _range_text(c)
            rows.append(
                {
                    "name": f["name"],
                    "type": f["type"],
                    "unit": f.get("unit", ""),
                    "required": bool(c.get("required", False)),
                    "allowed": allowed,
                    "description": f.get("description", ""),
                }
            )
        return pd.DataFrame(rows)


def _range_text(c: Mapping[str, Any]) -> str:
    lo, hi = c.get("minimum"), c.get("maximum")
    if lo is not None and hi is not None:
        return f"[{lo}, {hi}]"
    if lo is not None:
        return f">= {lo}"
    if hi is not None:
        return f"<= {hi}"
    return ""


def data_dir() -> Path:
    """The folder holding the bundled tables.

    Inside an installed wheel this is ``b12stats/_data``; in a source checkout
    (editable install) it is ``data/`` at the repository root.
    """
    packaged = Path(str(resources.files("b12stats"))) / "_data"
    if (packaged / "datapackage.json").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "data"
    if (checkout / "datapackage.json").is_file():
        return checkout
    raise FileNotFoundError("b12stats bundled data not found (no datapackage.json)")


@functools.cache
def _package() -> dict[str, Any]:
    with open(data_dir() / "datapackage.json", encoding="utf-8") as fh:
        return dict(json.load(fh))


def schema_version() -> str:
    """The version of the tables' schemas (``b12stats:schema_version``, data/SCHEMA_CHANGES.md).

    Examples
    --------
    >>> schema_version().count(".")
    2
    """
    return str(_package()["b12stats:schema_version"])


def vocabulary(name: str) -> pd.DataFrame:
    """The terms of one shared vocabulary (``b12stats:vocabularies`` in datapackage.json).

    ``compartment`` is what a concentration or prevalence was measured in;
    ``variable`` what a correlation relates. Each compartment names its
    variable, so the two lists are one vocabulary at two levels of detail.
    A schema field with ``"b12stats:vocabulary": NAME`` has exactly these
    terms as its allowed values (checked when the schema is read).

    Examples
    --------
    >>> comp = vocabulary("compartment").set_index("name")
    >>> comp.loc["infant_serum", "variable"]
    'infant_blood'
    """
    vocabularies = _package().get("b12stats:vocabularies", {})
    if name not in vocabularies:
        raise OptionError(
            f"unknown vocabulary {name!r}; expected one of: {', '.join(vocabularies)}"
        )
    return pd.DataFrame(vocabularies[name]["terms"]).astype(object)


def table_names() -> list[str]:
    """Names of the bundled tables, in the order ``datapackage.json`` lists them."""
    return [r["name"] for r in _package()["resources"]]


@functools.cache
def table_schema(name: str) -> TableSchema:
    """The schema of bundled table ``name``.

    Raises
    ------
    OptionError
        For an unknown table name.
    """
    for res in _package()["resources"]:
        if res["name"] == name:
            with open(data_dir() / res["schema"], encoding="utf-8") as fh:
                raw = json.load(fh)
            _check_vocabularies(raw, res["schema"])
            return TableSchema(
                name=name,
                title=res.get("title", name),
                description=res.get("description", ""),
                fields=tuple(raw["fields"]),
                primary_key=tuple(raw.get("primaryKey", [])),
                foreign_keys=tuple(raw.get("foreignKeys", [])),
                checks=tuple(raw.get("b12stats:checks", [])),
            )
    raise OptionError(f"unknown table {name!r}; expected one of: {', '.join(table_names())}")


def _check_vocabularies(raw: Mapping[str, Any], label: str) -> None:
    """A field that names a shared vocabulary allows exactly its terms (one list, many tables)."""
    for f in raw["fields"]:
        voc = f.get("b12stats:vocabulary")
        if voc is None:
            continue
        terms = vocabulary(voc)["name"].tolist()
        if f.get("constraints", {}).get("enum") != terms:
            raise DataValidationError(
                f"the allowed values differ from the {voc!r} vocabulary of datapackage.json "
                f"({', '.join(terms)}); a shared vocabulary is one list",
                file=f"data/{label}",
                column=f["name"],
            )


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


def _validate(
    text: str, schema: TableSchema, label: str, known: Mapping[str, set[str]]
) -> pd.DataFrame:
    return _validate_lines(text, schema, label, known)[0]


def _validate_lines(
    text: str,
    schema: TableSchema,
    label: str,
    known: Mapping[str, set[str]],
    *,
    allow_empty: bool = False,
    optional_columns: bool = False,
) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`_validate`, also returning the line of each row.

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
    if missing:
        raise DataValidationError(
            f"missing column(s) {', '.join(missing)}; the {schema.name} table needs: "
            + ", ".join(expected),
            file=label,
            line=1,
            column=missing[0],
        )
    derived = set(schema.derived_columns)
    extra = [c for c in header if c not in expected and c not in derived]
    if extra:
        raise DataValidationError(
            f"unexpected column(s) {', '.join(extra)}; the {schema.name} table has: "
            + ", ".join(expected),
            file=label,
            line=1,
            column=extra[0],
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
    for key in schema.primary_key:
        repeated = frame[key].duplicated(keep="first").to_numpy()
        if repeated.any():
            i = int(np.flatnonzero(repeated)[0])
            raise DataValidationError(
                f"duplicate key {frame[key].iloc[i]!r} (keys must be unique)",
                file=label,
                line=int(lines[i]),
                column=key,
            )
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
    schema = table_schema(name)
    path = data_dir() / f"{name}.csv"
    known: dict[str, set[str]] = {}
    if name != "sources":
        known["sources"] = set(_bundled("sources")["source_id"])
    if name == "comparisons":
        known["concentrations"] = set(_bundled("concentrations")["row_id"])
    label = f"data/{name}.csv"
    frame = _validate(_read_text(path, label), schema, label, known)
    if name == "sources":
        known_sources = set(frame["source_id"])
        frame = _check_rules(
            frame,
            schema,
            label,
            _read_strings(_read_text(path, label), label)[1],
            {"sources": known_sources},
        )
    return _with_kind(frame, name)


def _with_kind(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == "sources" or "source_id" not in frame:
        return frame
    kinds = _source_kinds(None)
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
    schema = table_schema(table)
    known: dict[str, set[str]] = {}
    if table != "sources":
        ids = set(_bundled("sources")["source_id"])
        if sources is not None:
            extra = (
                sources
                if isinstance(sources, pd.DataFrame)
                else load_table(sources, table="sources")
            )
            ids |= set(extra["source_id"])
        known["sources"] = ids
    if table == "comparisons":
        known["concentrations"] = set(_bundled("concentrations")["row_id"])
    label = str(path)
    frame = _validate(_read_text(path, label), schema, label, known)
    if table == "sources":
        ids = set(frame["source_id"]) | set(_bundled("sources")["source_id"])
        frame = _check_rules(
            frame,
            schema,
            label,
            _read_strings(_read_text(path, label), label)[1],
            {"sources": ids},
        )
        return frame
    kinds = _source_kinds(sources)
    frame.insert(
        _position(frame, "source_id") + 1,
        "source_kind",
        frame["source_id"].map(kinds).astype("object"),
    )
    return frame


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


def load_sources() -> pd.DataFrame:
    """The sources table (see :func:`load_table`)."""
    return load_table("sources")


def load_cohorts() -> pd.DataFrame:
    """Cohort characteristics per source (see :func:`load_table`)."""
    return load_table("cohorts")


def load_concentrations() -> pd.DataFrame:
    """Concentration summaries (see :func:`load_table`)."""
    return load_table("concentrations")


def load_comparisons() -> pd.DataFrame:
    """Between-group ratios and tests (see :func:`load_table`)."""
    return load_table("comparisons")


def load_correlations() -> pd.DataFrame:
    """Published correlations (see :func:`load_table`)."""
    return load_table("correlations")


def load_prevalences() -> pd.DataFrame:
    """Published prevalences (see :func:`load_table`)."""
    return load_table("prevalences")


def load_effects() -> pd.DataFrame:
    """Published effect estimates (see :func:`load_table`)."""
    return load_table("effects")


def load_reference_values() -> pd.DataFrame:
    """Reference values and cut-offs (see :func:`load_table`)."""
    return load_table("reference_values")


def load_claims() -> pd.DataFrame:
    """Claims: untraceable citations, paraphrases, qualitative findings."""
    return load_table("claims")

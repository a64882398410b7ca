"""A researcher's own data packages: folders of tables joined with the bundled ones.

A data package is a folder holding any subset of the bundled tables, each as
``NAME.csv`` with the bundled header (see ``b12stats data NAME --schema``),
plus its own ``sources.csv`` for the sources its rows cite. An optional
``datapackage.json`` (a Frictionless Data Package) lists the files as
``resources`` (``name`` = the table, ``path`` = the CSV file in the folder)
and may state ``b12stats:schema_version``, the version of the schemas the
files were written against (a package without one is read as version 1.0.0,
the first versioned schemas; see data/SCHEMA_CHANGES.md). Other files (a
README) are ignored.

:func:`load_tables` validates every package as a whole before any work and
raises one :class:`~b12stats.errors.DataValidationError` naming the file, the
line and the column of the first problem:

- each file against its table's schema (types, allowed values, required
  cells, cross-column rules, a row shorter or longer than the header);
- row ids are unique across all tables, source ids across the sources
  tables: an id already defined in the bundled tables or in another package
  is an error naming both places;
- references resolve across the joined tables: ``source_id``,
  ``cites_source_id``, ``traced_source_id`` in the sources, ``cohort`` in the
  cohorts table, ``numerator_id``/``denominator_id`` in the concentrations,
  ``cutoff_row_id`` in the reference values, a judgement's ``claim_row_id``
  in the claims and its ``evidence_row_ids`` in any table.

A file may leave out optional columns (their cells are read as empty): a file
written before an optional column was added keeps loading.

A table with a header and no rows is allowed (a package from ``b12stats
init``). ``source_kind`` is derived from the joined sources.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "sources.csv").write_text(
...     "source_id,kind,authors,year,title,journal,volume_pages,doi,pmid,seed_file,"
...     "cites_source_id,verified,note\\n"
...     "mine2026,primary,Me,2026,My study,,,,,,,true,\\n")
>>> tables = load_tables([d], data_only=True)
>>> tables["sources"]["source_id"].tolist(), len(tables["correlations"])
(['mine2026'], 0)
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12stats import data as _data
from b12stats.errors import DataValidationError, OptionError

__all__ = [
    "PACKAGE_FILE",
    "PackageSet",
    "TableFile",
    "load_packages",
    "load_tables",
]

logger = logging.getLogger(__name__)

#: The optional package descriptor in a package folder.
PACKAGE_FILE = "datapackage.json"

#: The version a package without ``b12stats:schema_version`` was written against.
UNVERSIONED = "1.0.0"

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class TableFile:
    """One validated file of a package (or a bundled table).

    Attributes
    ----------
    table
        The table it holds (``correlations``).
    origin
        ``"bundled"`` or the package folder as given.
    label
        How messages name the file (``mine/correlations.csv``).
    path
        The file.
    frame
        Its rows, typed, with the derived columns.
    lines
        The line of each row in the file (header = 1).
    """

    table: str
    origin: str
    label: str
    path: Path
    frame: pd.DataFrame
    lines: np.ndarray


@dataclass(frozen=True)
class PackageSet:
    """Bundled tables and packages, validated and joined.

    Attributes
    ----------
    tables
        Every table by name (bundled rows first, then each package's in order).
    files
        Every file read, bundled ones first.
    directories
        The package folders, as given.
    """

    tables: dict[str, pd.DataFrame]
    files: tuple[TableFile, ...]
    directories: tuple[str, ...]

    @property
    def inputs(self) -> list[Path]:
        """Every package file read (the bundled ones excluded)."""
        return [f.path for f in self.files if f.origin != "bundled"]

    def counts(self) -> pd.DataFrame:
        """Rows per table and origin: columns ``table, origin, file, rows``.

        One row per bundled table (unless data-only) and per package file.
        """
        rows = [
            {"table": f.table, "origin": f.origin, "file": f.label, "rows": len(f.frame)}
            for f in self.files
        ]
        return pd.DataFrame(rows, columns=["table", "origin", "file", "rows"])


def load_tables(
    data_dirs: Sequence[str | Path] = (), *, data_only: bool = False
) -> dict[str, pd.DataFrame]:
    """Every table: the bundled rows joined with each package's, validated as a whole.

    Parameters
    ----------
    data_dirs
        Package folders (see the module docstring), joined in this order.
    data_only
        Use the packages' rows alone, without the bundled ones.

    Returns
    -------
    dict of str to pandas.DataFrame
        Every table of :func:`b12stats.data.table_names`, typed as
        :func:`b12stats.data.load_table` returns them (a table no package
        holds is empty, with its columns).

    Raises
    ------
    DataValidationError
        Naming the file, line and column of the first problem.
    OptionError
        ``data_only`` without a package.

    Examples
    --------
    >>> tables = load_tables()
    >>> sorted(tables) == sorted(_data.table_names())
    True
    """
    return load_packages(data_dirs, data_only=data_only).tables


def load_packages(data_dirs: Sequence[str | Path] = (), *, data_only: bool = False) -> PackageSet:
    """:func:`load_tables`, keeping where each row came from (for listings and messages)."""
    dirs = [str(d) for d in data_dirs]
    if data_only and not dirs:
        raise OptionError("data_only needs at least one package folder (--data DIR)")
    seen: dict[Path, str] = {}
    for d in dirs:
        resolved = Path(d).resolve()
        if resolved in seen:
            raise OptionError(f"the package {d} is given twice (also as {seen[resolved]})")
        seen[resolved] = d
    files: list[TableFile] = [] if data_only else list(_bundled_files())
    for d in dirs:
        files.extend(_read_package(d))
    _check_ids(files)
    _check_references(files, dirs)
    return PackageSet(tables=_join(files), files=tuple(files), directories=tuple(dirs))


# --- reading ---------------------------------------------------------------------------------


@functools.cache
def _bundled_lines(name: str) -> np.ndarray:
    """The line of each row of a bundled table (for messages naming both places)."""
    label = f"data/{name}.csv"
    lines = _data._read_strings(_data._read_text(_data.data_dir() / f"{name}.csv", label), label)
    return lines[1]


def _bundled_files() -> Iterable[TableFile]:
    root = _data.data_dir()
    for name in _data.table_names():
        yield TableFile(
            name,
            "bundled",
            f"data/{name}.csv",
            root / f"{name}.csv",
            _data.load_table(name),
            _bundled_lines(name),
        )


def _read_package(directory: str) -> list[TableFile]:
    root = Path(directory)
    if not root.exists():
        raise DataValidationError("no such folder (a data package is a folder)", file=directory)
    if not root.is_dir():
        raise DataValidationError(
            "is a file; --data takes a folder holding NAME.csv tables", file=directory
        )
    descriptor = root / PACKAGE_FILE
    if descriptor.is_file():
        entries = _resources(descriptor, _label(directory, PACKAGE_FILE))
    else:
        entries = _csv_files(root, directory)
    out = []
    for table, rel in entries:
        label = _label(directory, rel)
        path = root / rel
        text = _data._read_text(path, label)
        frame, lines = _data._validate_lines(
            text, _data.table_schema(table), label, {}, allow_empty=True, optional_columns=True
        )
        out.append(TableFile(table, directory, label, path, frame, lines))
    return out


def _label(directory: str, name: str) -> str:
    return str(Path(directory) / name)


def _csv_files(root: Path, directory: str) -> list[tuple[str, str]]:
    """The tables of a folder without datapackage.json: every NAME.csv with a table's name.

    Other CSV files (an output such as audit.csv) are left out with a logged
    warning; a name close to a table's (``correlation.csv``) is an error.
    """
    names = _data.table_names()
    out = []
    for path in sorted(root.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file():
            continue
        if path.stem in names:
            out.append((path.stem, path.name))
            continue
        close = difflib.get_close_matches(path.stem.lower(), names, n=1, cutoff=0.8)
        if close:
            raise DataValidationError(
                f"{path.name!r} is not a table of b12stats; did you mean {close[0]}.csv? "
                f"(each file is named after its table: {', '.join(names)})",
                file=_label(directory, path.name),
            )
        logger.warning(
            "%s: not a table of b12stats (not one of %s); left out",
            _label(directory, path.name),
            ", ".join(f"{n}.csv" for n in names),
        )
    return out


def _resources(descriptor: Path, label: str) -> list[tuple[str, str]]:
    """The (table, file) pairs a package's datapackage.json lists, checked."""
    text = _data._read_text(descriptor, label)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataValidationError(
            f"not valid JSON ({exc.msg}, column {exc.colno})", file=label, line=exc.lineno
        ) from None

    def fail(message: str, needle: str | None = None) -> DataValidationError:
        line = None
        if needle is not None and needle in text:
            line = text[: text.index(needle)].count("\n") + 1
        return DataValidationError(message, file=label, line=line)

    if not isinstance(raw, dict):
        raise fail("expected a JSON object with a 'resources' list")
    _check_version(raw.get("b12stats:schema_version", UNVERSIONED), fail)
    resources = raw.get("resources")
    if not isinstance(resources, list) or not resources:
        raise fail("expected a non-empty 'resources' list (one entry per CSV file)")
    names = _data.table_names()
    out: list[tuple[str, str]] = []
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            raise fail(f"{where}: expected an object with 'name' and 'path'")
        name, rel = res.get("name"), res.get("path")
        if name not in names:
            raise fail(
                f"{where}: name {name!r} is not a table of b12stats; expected one of: "
                + ", ".join(names),
                json.dumps(name) if isinstance(name, str) else None,
            )
        if not isinstance(rel, str) or not rel.strip():
            raise fail(f"{where} ({name}): 'path' must name the CSV file", json.dumps(name))
        needle = json.dumps(rel)
        p = Path(rel)
        if p.is_absolute() or ".." in p.parts:
            raise fail(f"{where} ({name}): path {rel!r} must be inside the package folder", needle)
        if p.suffix.lower() != ".csv":
            raise fail(f"{where} ({name}): path {rel!r} must be a .csv file", needle)
        for key, allowed in (("format", "csv"), ("encoding", "utf-8")):
            value = res.get(key, allowed)
            if str(value).lower() != allowed:
                raise fail(f"{where} ({name}): {key} must be {allowed!r}, got {value!r}")
        if not (descriptor.parent / p).is_file():
            raise fail(f"{where} ({name}): the file {rel} does not exist", needle)
        for other, other_rel in out:
            if other == name:
                raise fail(f"{where}: the table {name} is listed twice", json.dumps(name))
            if Path(other_rel) == p:
                raise fail(f"{where}: the file {rel} is listed twice ({other}, {name})", needle)
        out.append((name, rel))
    return out


def _check_version(version: Any, fail: Any) -> None:
    """A package's schema version must be one this b12stats reads."""
    ours = _data.schema_version()
    m = _VERSION.match(str(version)) if isinstance(version, str) else None
    if m is None:
        raise fail(
            f"b12stats:schema_version must be a version like {ours!r}, got {version!r}",
            "b12stats:schema_version",
        )
    mine = tuple(int(x) for x in m.groups())
    have = tuple(int(x) for x in ours.split("."))
    if mine[0] != have[0] or mine > have:
        raise fail(
            f"written for schema version {version}, which this b12stats (schema version "
            f"{ours}) cannot read; see data/SCHEMA_CHANGES.md for what changed"
            + ("; a newer b12stats reads it" if mine > have else ""),
            "b12stats:schema_version",
        )


# --- checks across the package -----------------------------------------------------------------


def _where(f: TableFile, i: int) -> str:
    place = f"the bundled {f.table}.csv" if f.origin == "bundled" else f.label
    return f"{place}, line {int(f.lines[i])}"


def _check_ids(files: Sequence[TableFile]) -> None:
    """Row ids unique across every table; source ids across every sources table.

    Also a field with Frictionless's ``unique`` constraint across the files of
    its table (one judgement per claim, in the bundled data and every package).
    """
    defined: dict[tuple[str, str], tuple[TableFile, int]] = {}
    for f in files:
        key = "source_id" if f.table == "sources" else "row_id"
        space = "source" if f.table == "sources" else "row"
        fields = _data.table_schema(f.table).fields
        unique = [c["name"] for c in fields if c.get("constraints", {}).get("unique")]
        for col, where in [(key, space), *((c, f"{f.table}.{c}") for c in unique if c != key)]:
            for i, value in enumerate(f.frame[col]):
                first = defined.get((where, value)) if value is not None else None
                if first is not None:  # (a value repeated within one file fails on load)
                    other, j = first
                    what = "defined" if col == key else f"used ({col} must be unique)"
                    raise DataValidationError(
                        f"{value!r} is already {what} in {_where(other, j)}",
                        file=f.label,
                        line=int(f.lines[i]),
                        column=col,
                    )
                defined[(where, value)] = (f, i)


def _references(table: str) -> list[tuple[str, str, str]]:
    """(column, table, key) of every reference a table's rows make."""
    schema = _data.table_schema(table)
    out = [
        (str(fk["fields"]), str(fk["reference"]["resource"]), str(fk["reference"]["fields"]))
        for fk in schema.foreign_keys
    ]
    out += [
        (rule["field"], rule["table"], rule["key"])
        for rule in schema.checks
        if rule["rule"] == "reference"
    ]
    return out


def _check_references(files: Sequence[TableFile], dirs: Sequence[str]) -> None:
    keys: dict[tuple[str, str], set[Any]] = {}

    def known(table: str, key: str) -> set[Any]:
        if (table, key) not in keys:
            keys[(table, key)] = {
                v for f in files if f.table == table for v in f.frame[key] if v is not None
            }
        return keys[(table, key)]

    row_ids = {v for f in files if f.table != "sources" for v in f.frame["row_id"]}
    has_sources = {f.origin for f in files if f.table == "sources"}
    for f in files:  # the bundled files too: their cohorts are checked here only
        for rule in _data.table_schema(f.table).checks:
            if rule["rule"] != "row_ids":
                continue
            col = rule["field"]
            for i, cell in enumerate(f.frame[col]):
                unknown = [x for x in str(cell or "").split(";") if x and x not in row_ids]
                if unknown:
                    raise DataValidationError(
                        f"unknown row id {unknown[0]!r} (expected ';'-separated row ids of "
                        "the tables in use)",
                        file=f.label,
                        line=int(f.lines[i]),
                        column=col,
                    )
        for col, table, key in _references(f.table):
            values = f.frame[col]
            bad = np.flatnonzero((values.notna() & ~values.isin(known(table, key))).to_numpy())
            if not bad.size:
                continue
            i = int(bad[0])
            value = values.iloc[i]
            if table == "sources":
                if f.origin in has_sources:
                    hint = f"add it to {_label(f.origin, 'sources.csv')}"
                else:
                    hint = (
                        f"the package {f.origin} has no sources.csv: add one with a row for "
                        f"{value!r}"
                    )
                message = f"unknown source id {value!r}; {hint}"
            elif table == "cohorts":
                message = (
                    f"unknown cohort {value!r}; describe it in a cohorts table (cohorts.csv, at "
                    "least one row, e.g. attribute n_participants)"
                )
            else:
                message = f"unknown {table} {key} {value!r}; no {table} table in use defines it"
            raise DataValidationError(message, file=f.label, line=int(f.lines[i]), column=col)


# --- joining -----------------------------------------------------------------------------------


def _join(files: Sequence[TableFile]) -> dict[str, pd.DataFrame]:
    sources = [f.frame for f in files if f.table == "sources" and len(f.frame)]
    kinds: Mapping[str, str] = (
        dict(zip(pd.concat(sources)["source_id"], pd.concat(sources)["kind"], strict=True))
        if sources
        else {}
    )
    out: dict[str, pd.DataFrame] = {}
    for name in _data.table_names():
        parts = []
        for f in files:
            if f.table != name:
                continue
            frame = f.frame
            if f.origin != "bundled" and name != "sources":
                frame = frame.copy()
                pos = int(frame.columns.get_loc("source_id")) + 1  # type: ignore[arg-type]
                frame.insert(pos, "source_kind", frame["source_id"].map(kinds).astype("object"))
            parts.append(frame)
        out[name] = _concat(name, parts)
    return out


def _concat(name: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of every part, typed as the bundled table; an empty table keeps its columns."""
    template = _data.load_table(name).iloc[:0]
    full = [p for p in parts if len(p)]
    if not full:
        return template.reset_index(drop=True)
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    joined = pd.concat(full, ignore_index=True)
    for col in template.columns:  # an all-missing part may have widened a dtype
        if joined[col].dtype != template[col].dtype:
            joined[col] = joined[col].astype(template[col].dtype)
    return joined


# --- a package to fill in ----------------------------------------------------------------------


def template_files(name: str = "my-study") -> dict[str, str]:
    """The files of an empty package: each table's header, datapackage.json and a README.

    Parameters
    ----------
    name
        The package's name in datapackage.json (lower case, digits, ``-._``).

    Returns
    -------
    dict of str to str
        File name -> text. Each ``NAME.csv`` holds the header of a bundled
        table (its input columns; derived columns are computed on load).

    Examples
    --------
    >>> files = template_files()
    >>> files["correlations.csv"].startswith("row_id,source_id,cohort,")
    True
    >>> sorted(set(files) - {f"{t}.csv" for t in _data.table_names()})
    ['README.md', 'datapackage.json']
    """
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-") or "my-study"
    files: dict[str, str] = {}
    resources = []
    for table in _data.table_names():
        schema = _data.table_schema(table)
        files[f"{table}.csv"] = ",".join(schema.columns) + "\n"
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "title": schema.title,
                "description": schema.description,
                "format": "csv",
                "encoding": "utf-8",
            }
        )
    descriptor = {
        "name": slug,
        "title": "",
        "description": "A b12stats data package: published B12 numbers as printed, with "
        "their sources. Fill in the CSV files; README.md says what each column holds.",
        "b12stats:schema_version": _data.schema_version(),
        "resources": resources,
    }
    files[PACKAGE_FILE] = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    files["README.md"] = _readme()
    return dict(sorted(files.items()))


def _cell(value: Any) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _readme() -> str:
    version = _data.schema_version()
    lines = [
        "# A b12stats data package",
        "",
        "Each `NAME.csv` here holds the header of one of b12stats' tables. Add one row per",
        "number as it is printed in its source (the text as printed goes in `text`; derived",
        "numbers are computed by b12stats, never typed in). Leave a table with its header only",
        "if you have nothing for it. Every row cites a source: list yours in `sources.csv`.",
        "Every cohort named in concentrations, correlations, prevalences or effects needs at",
        "least one row in `cohorts.csv` (e.g. attribute `n_participants`).",
        "",
        "Row ids must be new (not used by the bundled tables, `b12stats data TABLE` lists them,",
        "nor by another package you use with it), and so must source ids, unless a row cites",
        "a bundled source.",
        "",
        "```",
        "b12stats data --data .                 # validate; rows per table",
        "b12stats reproduce --data .            # the audit, with the bundled tables",
        "b12stats reproduce --data . --data-only  # the audit of this package alone",
        "b12stats meta --data .                 # pool the correlations",
        "```",
        "",
        f"The files follow b12stats' schema version {version} (`b12stats:schema_version` in",
        "`datapackage.json`; b12stats' data/SCHEMA_CHANGES.md lists what changed between",
        "versions). `datapackage.json` lists the files (a Frictionless Data Package): remove a",
        "table's entry there if you delete its file.",
        "",
        "Cells: numbers with a point as decimal mark, as printed (`0.20` keeps its two",
        "decimals); booleans `true`/`false`; an empty cell is missing; a cell holding a comma is",
        'quoted (`"a, b"`).',
        "",
    ]
    for table in _data.table_names():
        schema = _data.table_schema(table)
        lines += [f"## {table}.csv: {schema.title}", "", schema.description, ""]
        lines += [
            "| column | type | unit | required | allowed values | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for row in schema.describe().itertuples(index=False):
            lines.append(
                f"| `{row.name}` | {row.type} | {_cell(row.unit)} | "
                f"{'yes' if row.required else 'no'} | {_cell(row.allowed)} | "
                f"{_cell(row.description)} |"
            )
        rules = [_rule_text(rule) for rule in schema.checks]
        if rules:
            lines += ["", "Rules: " + "; ".join(r for r in rules if r) + "."]
        lines.append("")
    lines += ["## Vocabularies", ""]
    for voc in ("compartment", "variable"):
        terms = _data.vocabulary(voc)
        lines += [f"`{voc}`:", ""]
        for term in terms.itertuples(index=False):
            extra = ""
            if voc == "compartment":
                var = getattr(term, "variable", None)
                extra = f" (variable `{var}`)" if isinstance(var, str) else " (no variable)"
            lines.append(f"- `{term.name}`: {term.description}{extra}")
        lines.append("")
    return "\n".join(lines)


def _rule_text(rule: Mapping[str, Any]) -> str:
    kind = rule["rule"]
    if kind == "ordered":
        return " <= ".join(f"`{f}`" for f in rule["fields"])
    if kind == "together":
        return ", ".join(f"`{f}`" for f in rule["fields"]) + " are given together"
    if kind == "one_of_required":
        return "one of " + ", ".join(f"`{f}`" for f in rule["fields"]) + " is required"
    if kind == "different":
        a, b = rule["fields"]
        return f"`{a}` and `{b}` differ"
    if kind == "reference":
        return f"`{rule['field']}` is a `{rule['key']}` of the {rule['table']} table"
    if kind == "p_text":
        return f"`{rule['field']}` is a printed P value ('P = 0.03', 'P < 0.001')"
    if kind == "fraction":
        return f"`{rule['field']}` is a fraction p/q ('1/3')"
    return ""

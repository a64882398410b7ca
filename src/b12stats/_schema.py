"""The bundled tables' Frictionless Table Schemas, read from ``datapackage.json``.

Part of :mod:`b12stats.data` (which re-exports everything public here): where the
bundled data live (:func:`data_dir`), the package descriptor, the shared
vocabularies and one :class:`TableSchema` per table.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from b12stats.errors import DataValidationError, OptionError

__all__ = [
    "TableSchema",
    "data_dir",
    "schema_version",
    "table_names",
    "table_schema",
    "vocabulary",
]


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


def package_attribute(key: str) -> Any:
    """One top-level entry of the bundled ``datapackage.json`` (None if absent).

    Examples
    --------
    >>> package_attribute("b12stats:schema_version") == schema_version()
    True
    """
    return _package().get(key)


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

"""Helpers shared by the reanalyses: the tables in use, row iteration, labels, defaults.

Every analysis takes ``tables``: a mapping of table name to DataFrame, as
:func:`b12stats.packages.load_tables` returns it (the bundled tables joined
with a researcher's data packages), or ``None`` for the bundled tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from b12stats.errors import DataValidationError

#: The tables an analysis reads: name -> DataFrame, or None for the bundled ones.
Tables = Mapping[str, pd.DataFrame] | None


class NothingToShow(DataValidationError):
    """The data in use hold nothing an analysis can show; the message says why.

    The report leaves the analysis's section out and lists the reason under
    "Not shown"; called directly, the analysis raises it (a
    :class:`~b12stats.errors.DataValidationError`).
    """


def table(tables: Tables, name: str) -> pd.DataFrame:
    """Table ``name`` of ``tables`` (``None``: the bundled one; absent: empty, with its columns).

    Examples
    --------
    >>> len(table({}, "effects")), "row_id" in table({}, "effects").columns
    (0, True)
    """
    from b12stats import data

    if tables is None:
        return data.load_table(name)
    if name in tables:
        return tables[name]
    return data.load_table(name).iloc[0:0].copy()


#: Default seed of every simulation in the report (written into the report).
DEFAULT_SEED = 20180101
#: Default Monte Carlo replicates per power-curve point: small enough that the
#: whole report runs in under a minute on 2 cores; raise it for publication.
DEFAULT_REPS = 200


def rows(frame: Any) -> Iterator[Any]:
    """``frame.itertuples(index=False)`` typed loosely (cells are of any type)."""
    return iter(frame.itertuples(index=False))


def country(cohort: str, tables: Tables = None) -> str:
    """The country of ``cohort`` in the cohorts table (the cohort id if it has none)."""
    cohorts = table(tables, "cohorts")
    match = cohorts.loc[cohorts["cohort"] == cohort, "country"]
    return str(match.iloc[0]) if len(match) else cohort


def compartment_group(compartment: str) -> str:
    """``maternal``, ``milk`` or ``infant`` for a compartment name (itself otherwise)."""
    for key in ("maternal", "milk", "infant"):
        if compartment.startswith(key):
            return key
    return compartment


def source_label(source_id: str, tables: Tables = None) -> str:
    """How the report names a source: first author and year.

    A secondary source without authors is named by what it is, from its
    ``journal`` cell (``web summary page`` -> ``summary page``), else
    ``secondary source``.

    Examples
    --------
    >>> src = pd.DataFrame({"source_id": ["a", "b"], "kind": ["primary", "secondary"],
    ...                     "authors": ["Smith J, Doe K", "unknown"], "year": [2020, None],
    ...                     "journal": ["J Nutr", "web summary page"]})
    >>> source_label("a", {"sources": src}), source_label("b", {"sources": src})
    ('Smith 2020', 'summary page')
    """
    src = table(tables, "sources").set_index("source_id")
    if source_id not in src.index:
        return source_id
    s: Any = src.loc[source_id]
    authors = str(s["authors"]) if pd.notna(s["authors"]) else ""
    first = authors.split(",")[0].split(" ")[0] if authors and authors != "unknown" else ""
    year = f" {int(s['year'])}" if pd.notna(s["year"]) else ""
    if s["kind"] == "secondary" and not first:
        journal = str(s["journal"]).strip() if pd.notna(s["journal"]) else ""
        return journal.removeprefix("web ") if journal else "secondary source"
    return f"{first}{year}" if first else source_id.replace("_", " ").capitalize()


def source_phrase(source_id: str, tables: Tables = None) -> str:
    """:func:`source_label` as a sentence names it: ``the summary page``, ``Williams 2018``.

    Examples
    --------
    >>> src = pd.DataFrame({"source_id": ["a", "b"], "kind": ["primary", "secondary"],
    ...                     "authors": ["Smith J", "unknown"], "year": [2020, None],
    ...                     "journal": ["J Nutr", "web summary page"]})
    >>> source_phrase("b", {"sources": src}), source_phrase("a", {"sources": src})
    ('the summary page', 'Smith 2020')
    """
    label = source_label(source_id, tables)
    return label if label[:1].isupper() or label == source_id else f"the {label}"


def published_row(row_id: str | None, tables: Tables = None) -> pd.Series | None:
    """The row ``row_id`` from whichever of ``tables`` holds it (None if none does)."""
    if not row_id:
        return None
    for name in (
        "correlations",
        "concentrations",
        "cohorts",
        "prevalences",
        "effects",
        "reference_values",
    ):
        frame = table(tables, name)
        match = frame[frame["row_id"] == row_id]
        if len(match):
            return match.iloc[0]
    return None


def design_label(design: Any, tables: Tables = None) -> str:
    """The place a design describes: the country of its correlation's row, else its name."""
    row = published_row(getattr(design, "sources", {}).get("correlation"), tables)
    if row is not None and isinstance(row.get("cohort"), str):
        return country(str(row["cohort"]), tables)
    return str(design.name).capitalize()


#: The reference-values quantity of the milk B12 level behind the Adequate Intake.
MILK_AI_QUANTITY = "milk B12 level used to establish the Adequate Intake"


def milk_ai_level(tables: Tables = None, *, required: bool = True) -> float:
    """The milk B12 level (pmol/L) behind the Adequate Intake, from reference_values.csv.

    With ``required=False`` a table without that row gives NaN instead of an error.

    Examples
    --------
    >>> milk_ai_level() > 0
    True
    >>> milk_ai_level({}, required=False)
    nan
    """
    ref = table(tables, "reference_values")
    row = ref[(ref["quantity"] == MILK_AI_QUANTITY) & (ref["unit"] == "pmol/L")]
    if row.empty:
        if not required:
            return float("nan")
        raise DataValidationError(f"reference_values.csv has no row for {MILK_AI_QUANTITY!r}")
    return float(row["value"].iloc[0])

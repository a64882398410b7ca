"""Helpers shared by the reanalyses: row iteration, cohort and source labels, defaults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

#: Default seed of every simulation in the report (written into the report).
DEFAULT_SEED = 20180101
#: Default Monte Carlo replicates per power-curve point: small enough that the
#: whole report runs in under a minute on 2 cores; raise it for publication.
DEFAULT_REPS = 200


def rows(frame: Any) -> Iterator[Any]:
    """``frame.itertuples(index=False)`` typed loosely (cells are of any type)."""
    return iter(frame.itertuples(index=False))


def country(cohort: str) -> str:
    """The country of ``cohort`` in the cohorts table (the cohort id if it has none)."""
    from b12stats.data import load_cohorts

    cohorts = load_cohorts()
    match = cohorts.loc[cohorts["cohort"] == cohort, "country"]
    return str(match.iloc[0]) if len(match) else cohort


def compartment_group(compartment: str) -> str:
    """``maternal``, ``milk`` or ``infant`` for a compartment name (itself otherwise)."""
    for key in ("maternal", "milk", "infant"):
        if compartment.startswith(key):
            return key
    return compartment


def source_label(source_id: str) -> str:
    from b12stats.data import load_sources

    src = load_sources().set_index("source_id")
    if source_id not in src.index:
        return source_id
    s: Any = src.loc[source_id]
    if s["kind"] == "secondary":
        return "summary page"
    authors = str(s["authors"]) if pd.notna(s["authors"]) else ""
    first = authors.split(",")[0].split(" ")[0] if authors and authors != "unknown" else ""
    year = f" {int(s['year'])}" if pd.notna(s["year"]) else ""
    return f"{first}{year}" if first else source_id.replace("_", " ").capitalize()


def published_row(row_id: str | None) -> pd.Series | None:
    """The bundled row ``row_id`` from whichever table holds it (None if none does)."""
    if not row_id:
        return None
    from b12stats import data

    for loader in (
        data.load_correlations,
        data.load_concentrations,
        data.load_cohorts,
        data.load_prevalences,
        data.load_effects,
        data.load_reference_values,
    ):
        table = loader()
        match = table[table["row_id"] == row_id]
        if len(match):
            return match.iloc[0]
    return None


def design_label(design: Any) -> str:
    """The place a design describes: the country of its correlation's row, else its name."""
    row = published_row(getattr(design, "sources", {}).get("correlation"))
    if row is not None and isinstance(row.get("cohort"), str):
        return country(str(row["cohort"]))
    return str(design.name).capitalize()


#: The reference-values quantity of the milk B12 level behind the Adequate Intake.
MILK_AI_QUANTITY = "milk B12 level used to establish the Adequate Intake"


def milk_ai_level() -> float:
    """The milk B12 level (pmol/L) behind the Adequate Intake, from reference_values.csv.

    Examples
    --------
    >>> milk_ai_level() > 0
    True
    """
    from b12stats import data
    from b12stats.errors import DataValidationError

    ref = data.load_reference_values()
    row = ref[(ref["quantity"] == MILK_AI_QUANTITY) & (ref["unit"] == "pmol/L")]
    if row.empty:
        raise DataValidationError(f"reference_values.csv has no row for {MILK_AI_QUANTITY!r}")
    return float(row["value"].iloc[0])

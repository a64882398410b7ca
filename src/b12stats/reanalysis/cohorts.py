"""A secondary source against the primary paper it cites: values, ratios, CI coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.format import format_fixed
from b12stats.reanalysis._common import NothingToShow, Tables, table
from b12stats.reanalysis._common import compartment_group as _compartment_group
from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows


@dataclass(frozen=True)
class CohortsResult:
    """Result of :func:`analysis_cohort_comparison`.

    ``values``, ``ratios`` and ``outside_ci`` are tidy tables; the other fields
    name what was compared, read from the sources and cohorts tables:
    ``countries`` are the countries compared, the numerator and denominator of
    the ratios first (when there are ratios).
    """

    values: pd.DataFrame
    ratios: pd.DataFrame
    outside_ci: pd.DataFrame
    secondary_source_id: str
    primary_source_id: str
    primary_label: str
    countries: tuple[str, ...]
    secondary_n: tuple[int, ...]
    primary_n: tuple[int, ...]
    secondary_label: str = ""
    secondary_phrase: str = ""  # as a sentence names it ("the summary page")


_RATIO_COLUMNS = [
    "compartment",
    "source_kind",
    "numerator",
    "denominator",
    "ratio",
    "ratio_printed",
    "consistent_with_rounding",
    "ratio_text",
]
_OUTSIDE_COLUMNS = [
    "compartment",
    "country",
    "primary_geometric_mean",
    "primary_ci_low",
    "primary_ci_high",
    "primary_n",
    "summary_median",
    "summary_n",
    "summary_inside_primary_ci",
]


def comparison_pairs(tables: Tables = None) -> list[tuple[str, str, str]]:
    """Every secondary source that cites a source: ``(secondary, cited, reason)``.

    ``reason`` is empty when both have concentrations (a comparison can be
    drawn), else it says what is missing.

    Examples
    --------
    >>> sum(not why for _, _, why in comparison_pairs())  # bundled: one comparable pair
    1
    """
    sources = table(tables, "sources")
    has_values = set(table(tables, "concentrations")["source_id"])
    out = []
    for s in _rows(sources):
        cited = s.cites_source_id
        if s.kind != "secondary" or not isinstance(cited, str) or not cited:
            continue
        missing = [sid for sid in (s.source_id, cited) if sid not in has_values]
        why = (
            f"{s.source_id} cites {cited}, but {' and '.join(missing)} "
            f"{'has' if len(missing) == 1 else 'have'} no concentrations to compare"
            if missing
            else ""
        )
        out.append((str(s.source_id), str(cited), why))
    return out


def analysis_cohort_comparison(
    secondary_source_id: str | None = None, *, tables: Tables = None
) -> CohortsResult:
    """A secondary source's values and ratios beside the primary paper it cites.

    The secondary source (default: the first one in the sources table that has
    concentrations and whose ``cites_source_id`` has some too; bundled: the
    summary page of Chebaya 2017) is compared with the primary it cites.

    ``ratios`` holds the summary's printed ratios (comparisons table) checked
    against its own values (:func:`~b12stats.stats.effects.check_ratio`) and
    the primary paper's ratios of the same two countries
    (:func:`~b12stats.stats.effects.ratio`); empty when the secondary source
    prints no ratio. ``outside_ci`` lists, per compartment and country, whether
    the secondary source's value lies inside the primary's 95% CI (NaN when
    the primary printed no CI).

    Raises
    ------
    NothingToShow
        When no secondary source with concentrations cites a source with some.

    Examples
    --------
    >>> res = analysis_cohort_comparison()
    >>> bool(res.outside_ci["summary_inside_primary_ci"].any())
    False
    >>> res.ratios.loc[res.ratios["source_kind"] == "primary", "ratio"].round(2).tolist()
    [1.13, 1.43, 1.42]
    """
    from b12stats.reanalysis._common import source_label, source_phrase
    from b12stats.stats.effects import check_ratio, ratio

    conc = table(tables, "concentrations")
    if secondary_source_id is None:
        pairs = [(s, p) for s, p, why in comparison_pairs(tables) if not why]
        if not pairs:
            raise NothingToShow(
                "no secondary source with concentrations cites a source with concentrations"
            )
        secondary_source_id, primary_source_id = pairs[0]
    else:
        cites = table(tables, "sources").set_index("source_id")["cites_source_id"]
        primary_source_id = str(cites.get(secondary_source_id, ""))
    sel = conc[conc["source_id"].isin([primary_source_id, secondary_source_id])].copy()
    if sel.empty:
        raise NothingToShow(f"{secondary_source_id}: no concentrations to compare")
    sel["country"] = [_country(c, tables) for c in sel["cohort"]]
    sel["compartment_group"] = [_compartment_group(c) for c in sel["compartment"]]
    values = pd.DataFrame(
        {
            "row_id": sel["row_id"],
            "source_id": sel["source_id"],
            "compartment": sel["compartment_group"],
            "country": sel["country"],
            "source_kind": sel["source_kind"],
            "statistic": sel["statistic"],
            "value": sel["value"],
            "ci_low": sel["ci_low"],
            "ci_high": sel["ci_high"],
            "n": sel["n"],
        }
    ).reset_index(drop=True)
    comp = table(tables, "comparisons")
    comp = comp[comp["source_id"] == secondary_source_id]
    by_id = conc.set_index("row_id")
    found = list(dict.fromkeys(values["country"]))
    if len(comp):  # the countries of the secondary source's printed ratios
        first = comp.iloc[0]
        num_country = _country(str(by_id.loc[first["numerator_id"], "cohort"]), tables)
        den_country = _country(str(by_id.loc[first["denominator_id"], "cohort"]), tables)
    elif len(found) >= 2:
        num_country, den_country = found[0], found[1]
    else:
        num_country = den_country = ""
    countries = tuple(dict.fromkeys([c for c in (num_country, den_country) if c] + found))
    rows = []
    for c in _rows(comp):
        num, den = by_id.loc[c.numerator_id], by_id.loc[c.denominator_id]
        chk = check_ratio(
            float(num["value"]),
            float(den["value"]),
            str(c.ratio_text),
            numerator_decimals=int(num["value_decimals"]),
            denominator_decimals=int(den["value_decimals"]),
        ).iloc[0]
        rows.append(
            {
                "compartment": _compartment_group(str(num["compartment"])),
                "source_kind": "secondary",
                "numerator": float(num["value"]),
                "denominator": float(den["value"]),
                "ratio": float(chk["ratio"]),
                "ratio_printed": str(c.ratio_text),
                "consistent_with_rounding": bool(chk["consistent_with_rounding"]),
                "ratio_text": f"{c.ratio_text} (medians)",
            }
        )
    prim = values[values["source_kind"] == "primary"]
    for comp_name, grp in prim.groupby("compartment", sort=False):
        g: Any = grp.set_index("country")["value"]
        if num_country != den_country and {num_country, den_country} <= set(g.index):
            rr = ratio(g.loc[num_country], g.loc[den_country])
            rows.append(
                {
                    "compartment": comp_name,
                    "source_kind": "primary",
                    "numerator": float(g.loc[num_country]),
                    "denominator": float(g.loc[den_country]),
                    "ratio": float(rr),
                    "ratio_printed": "",
                    "consistent_with_rounding": np.nan,
                    "ratio_text": f"{format_fixed(float(rr))}x (geometric means)",
                }
            )
    ratios = pd.DataFrame(rows, columns=_RATIO_COLUMNS)
    out = []
    groups: Any = values.groupby(["compartment", "country"], sort=False)
    for (comp_name, country), grp in groups:
        p = grp[grp["source_kind"] == "primary"]
        s = grp[grp["source_kind"] == "secondary"]
        if p.empty or s.empty:
            continue
        p0, s0 = p.iloc[0], s.iloc[0]
        has_ci = pd.notna(p0["ci_low"]) and pd.notna(p0["ci_high"])
        inside = bool(p0["ci_low"] <= s0["value"] <= p0["ci_high"]) if has_ci else np.nan
        out.append(
            {
                "compartment": comp_name,
                "country": country,
                "primary_geometric_mean": p0["value"],
                "primary_ci_low": p0["ci_low"],
                "primary_ci_high": p0["ci_high"],
                "primary_n": p0["n"],
                "summary_median": s0["value"],
                "summary_n": s0["n"],
                "summary_inside_primary_ci": inside,
            }
        )
    outside = pd.DataFrame(out, columns=_OUTSIDE_COLUMNS)
    return CohortsResult(
        values=values,
        ratios=ratios,
        outside_ci=outside,
        secondary_source_id=secondary_source_id,
        primary_source_id=primary_source_id,
        primary_label=source_label(primary_source_id, tables),
        secondary_label=source_label(secondary_source_id, tables),
        secondary_phrase=source_phrase(secondary_source_id, tables),
        countries=countries,
        secondary_n=tuple(int(v) for v in dict.fromkeys(outside["summary_n"].dropna())),
        primary_n=tuple(int(v) for v in dict.fromkeys(outside["primary_n"].dropna())),
    )

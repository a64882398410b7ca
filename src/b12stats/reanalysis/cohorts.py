"""A secondary source against the primary paper it cites: values, ratios, CI coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.reanalysis._common import compartment_group as _compartment_group
from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows


@dataclass(frozen=True)
class CohortsResult:
    """Result of :func:`analysis_canada_cambodia`.

    ``values``, ``ratios`` and ``outside_ci`` are tidy tables; the other fields
    name what was compared, read from the sources and cohorts tables:
    ``countries`` is (numerator, denominator) of the secondary source's ratios.
    """

    values: pd.DataFrame
    ratios: pd.DataFrame
    outside_ci: pd.DataFrame
    secondary_source_id: str
    primary_source_id: str
    primary_label: str
    countries: tuple[str, str]
    secondary_n: tuple[int, ...]
    primary_n: tuple[int, ...]


def _secondary_with_primary(sources: pd.DataFrame, conc: pd.DataFrame) -> tuple[str, str]:
    """The first secondary source with concentrations that cites a primary with some."""
    from b12stats.errors import DataValidationError

    has_values = set(conc["source_id"])
    for s in _rows(sources):
        cited = s.cites_source_id
        if s.kind == "secondary" and s.source_id in has_values and cited in has_values:
            return str(s.source_id), str(cited)
    raise DataValidationError(
        "no secondary source with concentrations cites a primary source with concentrations"
    )


def analysis_canada_cambodia(secondary_source_id: str | None = None) -> CohortsResult:
    """A secondary source's medians and ratios beside the primary paper it cites.

    The secondary source (default: the first one in the sources table that has
    concentrations and whose ``cites_source_id`` has some too; bundled: the
    summary page of Chebaya 2017) is compared with the primary it cites.

    ``ratios`` holds the summary's printed ratios checked against its own
    medians (:func:`~b12stats.stats.effects.check_ratio`) and the primary
    paper's ratios of geometric means (:func:`~b12stats.stats.effects.ratio`).
    ``outside_ci`` lists, per compartment and country, whether the summary's
    value lies inside the primary paper's 95% CI.

    Examples
    --------
    >>> res = analysis_canada_cambodia()
    >>> bool(res.outside_ci["summary_inside_primary_ci"].any())
    False
    >>> res.ratios.loc[res.ratios["source_kind"] == "primary", "ratio"].round(2).tolist()
    [1.13, 1.43, 1.42]
    """
    from b12stats.data import load_comparisons, load_concentrations, load_sources
    from b12stats.reanalysis._common import source_label
    from b12stats.stats.effects import check_ratio, ratio

    conc = load_concentrations()
    sources = load_sources()
    if secondary_source_id is None:
        secondary_source_id, primary_source_id = _secondary_with_primary(sources, conc)
    else:
        cites = sources.set_index("source_id")["cites_source_id"]
        primary_source_id = str(cites.get(secondary_source_id, ""))
    sel = conc[conc["source_id"].isin([primary_source_id, secondary_source_id])].copy()
    sel["country"] = [_country(c) for c in sel["cohort"]]
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
    comp = load_comparisons()
    comp = comp[comp["source_id"] == secondary_source_id]
    by_id = conc.set_index("row_id")
    if comp.empty:
        from b12stats.errors import DataValidationError

        raise DataValidationError(f"{secondary_source_id}: no ratios in comparisons.csv")
    first = comp.iloc[0]
    num_country = _country(str(by_id.loc[first["numerator_id"], "cohort"]))
    den_country = _country(str(by_id.loc[first["denominator_id"], "cohort"]))
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
        if {num_country, den_country} <= set(g.index):
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
                    "ratio_text": f"{float(rr):.2f}x (geometric means)",
                }
            )
    ratios = pd.DataFrame(rows)
    out = []
    groups: Any = values.groupby(["compartment", "country"], sort=False)
    for (comp_name, country), grp in groups:
        p = grp[grp["source_kind"] == "primary"]
        s = grp[grp["source_kind"] == "secondary"]
        if p.empty or s.empty:
            continue
        p0, s0 = p.iloc[0], s.iloc[0]
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
                "summary_inside_primary_ci": bool(p0["ci_low"] <= s0["value"] <= p0["ci_high"]),
            }
        )
    outside = pd.DataFrame(out)
    return CohortsResult(
        values=values,
        ratios=ratios,
        outside_ci=outside,
        secondary_source_id=secondary_source_id,
        primary_source_id=primary_source_id,
        primary_label=source_label(primary_source_id),
        countries=(num_country, den_country),
        secondary_n=tuple(int(v) for v in dict.fromkeys(outside["summary_n"].dropna())),
        primary_n=tuple(int(v) for v in dict.fromkeys(outside["primary_n"].dropna())),
    )

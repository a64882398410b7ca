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
    """Result of :func:`analysis_canada_cambodia`."""

    values: pd.DataFrame
    ratios: pd.DataFrame
    outside_ci: pd.DataFrame


def analysis_canada_cambodia() -> CohortsResult:
    """Chebaya 2017's geometric means beside the summary page's medians and ratios.

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
    from b12stats.data import load_comparisons, load_concentrations
    from b12stats.stats.effects import check_ratio, ratio

    conc = load_concentrations()
    sel = conc[conc["source_id"].isin(["chebaya2017", "summary_chebaya2017"])].copy()
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
    comp = comp[comp["source_id"] == "summary_chebaya2017"]
    by_id = conc.set_index("row_id")
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
        if {"Canada", "Cambodia"} <= set(g.index):
            rr = ratio(g.loc["Canada"], g.loc["Cambodia"])
            rows.append(
                {
                    "compartment": comp_name,
                    "source_kind": "primary",
                    "numerator": float(g.loc["Canada"]),
                    "denominator": float(g.loc["Cambodia"]),
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
    return CohortsResult(values=values, ratios=ratios, outside_ci=pd.DataFrame(out))

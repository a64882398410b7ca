"""The report's sensitivity section: which conclusions hold across each assumption's range."""

from __future__ import annotations

from typing import Any

import pandas as pd

from b12stats.format import format_number, format_pct
from b12stats.reanalysis import Tables
from b12stats.reanalysis.sensitivity import SENSITIVITY_REPS_DIVISOR, analysis_sensitivity


def _value(value: Any) -> str:
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _range(text: str) -> str:
    """``0.01, 0.05, 0.1`` as ``0.01–0.1``; words as ``a, b or c``."""
    parts = [p.strip() for p in text.split(",")]
    try:
        nums = sorted(float(p) for p in parts)
    except ValueError:
        return ", ".join(parts[:-1]) + " or " + parts[-1] if len(parts) > 1 else parts[0]
    return f"{format_number(nums[0])}–{format_number(nums[-1])}"


def _sentence(claim: str, rows: pd.DataFrame, unit: Any) -> str:
    """``claim`` holds across ... ; hinges on ...: one sentence per conclusion."""
    holds = rows[rows["holds"]]
    hinges = rows[~rows["holds"]]
    bits = [claim]
    if len(holds):
        bits.append(
            " holds across the plausible range of "
            + "; ".join(f"{r.parameter} ({_range(r.values)})" for r in holds.itertuples())
        )
    if len(hinges):
        bits.append(
            ("; it" if len(holds) else "")
            + " hinges on "
            + "; ".join(
                f"{r.parameter}: {unit(r.worst_estimate)} at {r.parameter} = "
                f"{_value(r.worst_value)} (MC SE {unit(r.worst_mcse)})"
                for r in hinges.itertuples()
            )
        )
    unsettled = rows[rows["within_mc_error"] != ""]
    if len(unsettled):
        bits.append(
            "; within Monte Carlo error of the threshold at "
            + "; ".join(f"{r.parameter} = {r.within_mc_error}" for r in unsettled.itertuples())
            + " (more replicates would settle it)"
        )
    return "".join(bits) + "."


def section_sensitivity(
    seed: int, reps: int, design: Any = None, tables: Tables = None, tag: str = ""
) -> Any:
    """The section (a :class:`b12stats.report.sections.Section`)."""
    from b12stats.plots.sensitivity import figure_sensitivity
    from b12stats.report.sections import Section

    res = analysis_sensitivity(
        seed=seed, reps=max(1, reps // SENSITIVITY_REPS_DIVISOR), design=design, tables=tables
    )
    sec = Section("sensitivity", f"Sensitivity to the unpublished assumptions{tag}")
    c = res.conclusions
    power = c[c["conclusion"] == "power"]
    first = power.iloc[0]
    reach = "reaches" if first["design_verdict"] else "stays below"
    sec.finding = (
        f"Each assumed parameter of the {res.design_label}-like design was varied alone over "
        f"its plausible range (the design file's, listed below), {res.reps} simulated studies "
        f"of {res.n_dyads} dyads per value (trend model, seed {res.seed}; the same random "
        "numbers for every value, so the differences come from the assumptions). Error bars "
        "are ±1.96 Monte Carlo SE."
    )
    sec.finding_items = [
        _sentence(
            f"Power {reach} {format_pct(res.target_power, 0)} at {res.n_dyads} dyads "
            f"({format_pct(first['design_estimate'])} with the design's values): this",
            power,
            format_pct,
        )
    ]
    plaus = c[c["conclusion"] == "ptrend_plausible"]
    measures = [("power", "power_mcse", "power", res.target_power)]
    if len(plaus):
        p0 = plaus.iloc[0]
        verdict = "plausible" if p0["design_verdict"] else "implausible"
        sec.finding_items.append(
            _sentence(
                f"{res.published_label}'s {res.published_text} is {verdict} (share of "
                f"simulated P at or above it {format_pct(p0['design_estimate'])} with the "
                f"design's values, against {format_pct(res.plausible_share, 0)}): this",
                plaus,
                format_pct,
            )
        )
        measures.append(
            (
                "share_p_at_or_above_published",
                "share_mcse",
                "simulated P-trends at or above the published",
                res.plausible_share,
            )
        )
    sec.figures.append(
        (
            "sensitivity",
            figure_sensitivity(res.table, res.parameters, measures=measures),
            "Trend-model power"
            + (
                " (left) and the share of simulated P-trends at or above the published one (right)"
                if len(plaus)
                else ""
            )
            + " at each value of each assumed parameter (a row each), the others at the "
            "design's value (filled: the design itself); dashed: the conclusion's threshold.",
        )
    )
    sec.tables.append(("Plausible ranges of the assumed parameters", res.ranges))
    sec.tables.append(("Conclusions per parameter", c))
    sec.tables.append(("Power and P-trend plausibility per variant", res.table))
    return sec

"""The report's sections: a reanalysis result turned into a finding, figures and tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from b12stats.reanalysis import (
    PTREND_REPS_FACTOR,
    analysis_audit,
    analysis_canada_cambodia,
    analysis_correlations,
    analysis_distributions,
    analysis_kenya,
    analysis_power,
    analysis_ptrend,
    analysis_supplement_effects,
)
from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows
from b12stats.reanalysis.correlations import _PAIR_NAME
from b12stats.report.figures import (
    figure_audit,
    figure_canada_cambodia,
    figure_correlations,
    figure_distributions,
    figure_kenya,
    figure_power,
    figure_ptrend,
    figure_supplement_effects,
)
from b12stats.report.tables import name_value as _name_value


@dataclass
class Section:
    """One report section: a finding in plain words, figures, tables, assumptions."""

    key: str
    title: str
    finding: str = ""
    #: Parallel results the finding lists (shown as bullets under its first sentence).
    finding_items: list[str] = field(default_factory=list)
    figures: list[tuple[str, Any, str]] = field(default_factory=list)  # (name, fig, caption)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (caption, frame)
    assumptions: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    available: bool = True
    seconds: float = 0.0


def _pct0(x: float) -> str:
    return f"{100 * x:.0f}%"


def _and(items: Any) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(i) for i in items]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else ""


#: Level below which a share or P value counts as small in the prose.
ALPHA = 0.05


def _assumed(assumptions: pd.DataFrame, parameter: str) -> float:
    """A design parameter's value from its ``describe()`` table."""
    row = assumptions.loc[assumptions["parameter"] == parameter, "value"]
    return float(row.iloc[0])


def _countries(cohorts: Any) -> list[str]:
    return list(dict.fromkeys(_country(str(c)) for c in cohorts))


def _section_distributions() -> Section:
    res = analysis_distributions()
    sec = Section("distributions", "Distributions rebuilt from published summaries")
    bits = []
    agreements = []
    for row in _rows(res.table):
        agree = (
            row.implied_ci_low <= row.printed <= row.implied_ci_high
            if np.isfinite(row.implied_ci_low)
            else abs(row.implied - row.printed) < 0.05
        )
        sym = "≤" if row.side == "at_or_below" else ("<" if row.side == "below" else ">")
        ci = (
            f" (95% CI {_pct0(row.implied_ci_low)}–{_pct0(row.implied_ci_high)})"
            if np.isfinite(row.implied_ci_low)
            else ""
        )
        agreements.append(bool(agree))
        bits.append(
            f"{_country(row.cohort)} {row.compartment.replace('_', ' ')} "
            f"({row.summary_source_id}, {row.basis}) implies "
            f"{_pct0(row.implied)}{ci} {sym} {row.cutoff:g} pmol/L against "
            f"{row.printed_text} printed by {row.printed_source_id} "
            f"({'agrees' if agree else 'does not agree'})"
        )
    n_agree = sum(agreements)
    drawn = {p.country for p in res.panels}
    no_spread = [c for c in _countries(res.without_quartiles["cohort"]) if c not in drawn]
    sec.finding = (
        f"Under a log-normal through each printed summary, {n_agree} of {len(bits)} "
        "printed shares beyond a cut-off agree with the share the summary implies."
        + (
            f" Cohorts with a median or mean only ({', '.join(no_spread)}) give no spread, "
            "so no distribution is drawn for them."
            if no_spread
            else ""
        )
    )
    by_q = _countries(p.country for p in res.panels if "Q1" in dict(map(reversed, p.marks)))
    by_gm = [c for c in dict.fromkeys(p.country for p in res.panels) if c not in by_q]
    through = [f"the printed quartiles ({', '.join(by_q)})"] if by_q else []
    through += [f"geometric mean, 95% CI and n ({', '.join(by_gm)})"] if by_gm else []
    sec.finding_items = [b[0].upper() + b[1:] for b in bits]
    sec.figures.append(
        (
            "distributions",
            figure_distributions(res),
            f"Log-normal densities on a log axis through {' or '.join(through)}; shaded: "
            "the share beyond each cut-off the curve implies; boxes: implied share (95% CI "
            "where n is known) and the printed share. Milk panels without a printed share "
            f"show the {res.milk_level:g} pmol/L level behind the Adequate Intake.",
        )
    )
    sec.tables.append(("Implied vs printed shares", res.table))
    sec.tables.append(("Summaries without a spread (not drawn)", res.without_quartiles))
    return sec


def _section_cohorts() -> Section:
    res = analysis_canada_cambodia()
    num, den = res.countries
    sec = Section("canada_cambodia", f"{num} vs {den}: summary page vs primary paper")
    inside = int(res.outside_ci["summary_inside_primary_ci"].sum())
    total = len(res.outside_ci)
    sec_r = res.ratios[res.ratios["source_kind"] == "secondary"]["ratio"]
    pri_r = res.ratios[res.ratios["source_kind"] == "primary"]["ratio"]
    sec.finding = (
        f"{'None' if inside == 0 else inside} of the summary page's {total} medians "
        f"{'lies' if inside == 0 else 'lie'} inside the primary paper's 95% CI "
        f"of the geometric mean for the same country and compartment; the summary's "
        f"{num}/{den} ratios ({sec_r.min():.2f}x–{sec_r.max():.2f}x) are "
        f"{'far larger than' if sec_r.min() > pri_r.max() else 'not the same as'} "
        f"the primary paper's ({pri_r.min():.2f}x–{pri_r.max():.2f}x), and its sample sizes "
        f"({_and(res.secondary_n)}) "
        f"{'are not' if res.secondary_n != res.primary_n else 'are'} the paper's "
        f"({_and(res.primary_n)})."
    )
    sec.figures.append(
        (
            "canada_cambodia",
            figure_canada_cambodia(res),
            "Filled circles: "
            "primary geometric means with 95% CI; open diamonds: the summary "
            f"page's medians; top: {num}/{den} ratios of both sources.",
        )
    )
    sec.tables.append(("Summary medians against the primary 95% CIs", res.outside_ci))
    sec.tables.append(("Ratios", res.ratios))
    return sec


def _section_correlations() -> Section:
    res = analysis_correlations()
    sec = Section("correlations", "Published correlations, pooled where allowed")
    parts = []
    for row in _rows(res.pooled) if len(res.pooled) else []:
        parts.append(
            f"{int(row.k)} primary correlations of "
            f"{_PAIR_NAME.get(frozenset(row.group.removeprefix('pair=').split('~')), row.group)} "
            "pool to "
            f"r = {row.estimate_r:.2f} (95% CI {row.ci_low_r:.2f} to {row.ci_high_r:.2f}; "
            f"I² = {row.i2:.0f}%)"
        )
    if len(res.comparison):
        c = res.comparison.iloc[0]
        parts.append(
            f"the summary page's r = {c['r1']:.2f} (n = {int(c['n1'])}) and r = {c['r2']:.2f} "
            f"(n = {int(c['n2'])}) differ by {c['estimate']:.2f} (95% CI {c['ci_low']:.2f} to "
            f"{c['ci_high']:.2f}; P = {c['p_value']:.3f}), so they "
            + (
                "do not show that the association differs between the countries"
                if c["p_value"] >= ALPHA
                else "differ between the countries at the 5% level"
            )
        )
    sec.finding = (
        "; ".join(parts) + f". {len(res.excluded)} published coefficients cannot be pooled "
        "(no n, no r, adjusted, or from a secondary source): see the table."
    )
    sec.figures.append(
        (
            "correlations",
            figure_correlations(res),
            "Every bundled "
            "correlation by variable pair, Fisher-z 95% CIs where n is known, "
            "pooled estimates (diamonds, random effects), and the difference "
            "between the summary page's two r (Zou interval, Fisher test).",
        )
    )
    cols = ["group", "label", "r", "n", "p_text", "coefficient", "ci_low", "ci_high", "pooling"]
    sec.tables.append(("Correlations", res.rows[res.rows["row_type"] == "study"][cols]))
    if len(res.pooled):
        sec.tables.append(
            (
                "Pools",
                res.pooled[
                    [
                        "group",
                        "k",
                        "n_total",
                        "estimate_r",
                        "ci_low_r",
                        "ci_high_r",
                        "pi_low_r",
                        "pi_high_r",
                        "tau2",
                        "i2",
                        "method",
                        "note",
                    ]
                ],
            )
        )
    if len(res.comparison):
        c = res.comparison.iloc[0]
        sec.tables.append((f"Comparison of {c['r1']:.2f} and {c['r2']:.2f}", res.comparison))
    return sec


def _section_effects() -> Section:
    res = analysis_supplement_effects()
    groups = [str(g).lower() for g in dict.fromkeys(res.table["group"])]
    if all(g.endswith(" supplement") for g in groups):
        what = _and(g.removesuffix(" supplement") for g in groups) + " supplements"
    else:
        what = _and(groups)
    sec = Section("supplementation", f"{_and(res.labels)}: {what}")
    t = res.table.dropna(subset=["estimate"])
    outcome = _and(res.outcomes)
    higher = "higher" if (t["estimate"] > 0).all() else "different"
    bits = [
        f"{r.group.lower()} {r.ci_text.replace(' (', '% (')} at {r.label}, "
        f"printed {r.p_text}, recomputed from the CI P = {r.p_from_ci:.3g}"
        f" ({'consistent' if r.p_consistent else 'inconsistent'})"
        for r in _rows(t)
    ]
    sec.finding = (
        f"{outcome[:1].upper()}{outcome[1:]} was {higher} with the supplement than with placebo: "
        + "; ".join(bits)
        + "."
        + "".join(
            f" The {group.lower().removesuffix(' supplement')} effect at {when} is described "
            f"only in words ({words}); no estimate is drawn for it."
            for group, when, words in res.worded
        )
    )
    sec.figures.append(
        (
            "supplementation",
            figure_supplement_effects(res),
            f"Percent difference in {outcome}, supplement vs placebo, with printed 95% CIs.",
        )
    )
    sec.tables.append(("Effects", res.table))
    return sec


def _section_kenya(seed: int) -> Section:
    res = analysis_kenya(seed=seed)
    s = res.summary.iloc[0]
    place = res.design_label
    cut = _assumed(res.assumptions, "adequacy_cutoff")
    sec = Section("kenya", f"A simulated {place}-like cohort and the papers' GEE models")
    sec.finding = (
        f"One cohort of {int(s['n_dyads'])} dyads in {int(s['n_clusters'])} clusters, "
        f"simulated from the published quartiles and r = {s['target_r']:.2f} (seed {seed}), "
        f"has r = {s['simulated_r']:.2f} on the log scale, {_pct0(1 - s['share_adequate'])} of "
        f"infants at or below {cut:g} pmol/L and {_pct0(s['share_milk_below_310'])} of milk "
        f"below {res.milk_level:g} pmol/L. Its GEE log-log slope is "
        f"{s['loglog_slope']:.2f} (95% CI "
        f"{s['loglog_slope_ci_low']:.2f} to {s['loglog_slope_ci_high']:.2f}): 10% more milk "
        f"B12 goes with about {100 * (1.1 ** s['loglog_slope'] - 1):.1f}% more infant B12; "
        f"the milk-quartile P-trend for adequacy is {s['p_trend']:.2g}. These are one "
        "simulated draw under stated assumptions, not data."
    )
    sec.figures.append(
        (
            "kenya_scatter",
            figure_kenya(res),
            "Simulated dyads (log axes), "
            "the GEE fit of log infant on log milk B12 with its 95% confidence "
            f"band, and the {res.milk_level:g} and {cut:g} pmol/L cut-offs.",
        )
    )
    sec.tables.append(("Headline numbers", _name_value(res.summary)))
    sec.tables.append(("Linear GEE (log-log)", res.linear))
    sec.tables.append(("Trend GEE (adequacy on milk quartile)", res.trend))
    sec.assumptions.append((f"{place} design", res.assumptions))
    sec.notes.extend(res.flags)
    return sec


def _section_power(seed: int, reps: int) -> Section:
    res = analysis_power(seed=seed, reps=reps)
    sec = Section("power", "How many dyads? Power by simulation")
    bits = []
    for model, grp in res.table.groupby("model", sort=False):
        g = grp.sort_values("n_dyads")
        hit = g[g["power"] >= 0.8]
        where = (
            f"reaches 80% power at {int(hit['n_dyads'].iloc[0])} dyads on this grid"
            if len(hit)
            else f"stays below 80% up to {int(g['n_dyads'].max())} dyads"
        )
        bits.append(f"the {model} model {where}")
    sec.finding = (
        f"With the {res.design_label}-like design "
        f"({reps} simulated studies per point, seed {seed}), "
        + "; ".join(bits)
        + ". Error bars are ±1.96 Monte Carlo SE; raise --reps for publication."
    )
    sec.figures.append(
        (
            "power",
            figure_power(res),
            "Simulated power of the GEE Wald "
            "test against the number of dyads, with Monte Carlo error bars.",
        )
    )
    # power.COLUMNS less what the section states once (design, alpha, method)
    cols = [c for c in res.table.columns if c not in ("design", "alpha", "method")]
    sec.tables.append(("Power", res.table[cols]))
    sec.assumptions.append(("Power design", res.assumptions))
    return sec


def _section_ptrend(seed: int, reps: int) -> Section:
    res = analysis_ptrend(seed=seed, reps=reps * PTREND_REPS_FACTOR)
    sec = Section("ptrend", "How plausible is the published P-trend?")
    t = res.table
    first = t.iloc[0]
    share = float(first["share_p_at_or_above_published"])
    others = "; ".join(
        f"{int(r.n_dyads)} dyads: {100 * r.share_p_at_or_above_published:.1f}%"
        for r in _rows(t.iloc[1:])
    )
    sec.finding = (
        f"{res.published_label} printed {res.published_text} for milk B12 and infant "
        f"adequacy. In {int(first['reps'])} simulated {res.design_label}-like cohorts of "
        f"{int(first['n_dyads'])} dyads with r = {res.correlation:.2f} the trend test's "
        f"median P is {first['median_p']:.2g} and {'only ' if share < ALPHA else ''}"
        f"{100 * share:.1f}% "
        f"(Monte Carlo SE {100 * first['share_mcse']:.1f}%) have P at or above the published "
        f"value (smaller cohorts — {others})."
        + (
            " Under these assumptions the published P-trend "
            f"is weaker than r = {res.correlation:.2f} implies: the model was fitted on fewer "
            f"dyads than the {int(first['n_dyads'])} assumed here, or the milk effect adjusted "
            "for the multivariable model's covariates was weaker than the crude r. The scale "
            "of r does not explain it: read as Spearman or as Pearson on concentrations, r = "
            f"{res.correlation:.2f} implies a stronger latent correlation, not a weaker one."
            if share < ALPHA
            else " Under these assumptions the published P-trend is in line with "
            f"r = {res.correlation:.2f}."
        )
    )
    sec.figures.append(
        (
            "ptrend",
            figure_ptrend(res),
            "Cumulative distribution of the simulated trend test's P (log scale), one line per "
            "cohort size; the dashed line is the published P-trend.",
        )
    )
    sec.tables.append(("P-trend in simulated cohorts", t))
    sec.assumptions.append(("P-trend design", res.assumptions))
    return sec


def _section_audit() -> Section:
    res = analysis_audit()
    sec = Section("audit", "Audit of every published claim")
    t = res.table
    problem_verdicts = ("inconsistent", "conflicts_with_primary")
    problems = t[t["verdict"].isin(problem_verdicts)]
    parts = []
    for kind, grp in problems.groupby("source_kind", sort=False):
        counts = grp["verdict"].value_counts()
        detail = ", ".join(
            f"{int(counts[v])} {v.replace('_', ' ')}" for v in problem_verdicts if v in counts
        )
        parts.append(f"{len(grp)} in {kind} sources ({detail})")
    n_unverifiable = int((t["verdict"] == "unverifiable").sum())
    n_primary = int((problems["source_kind"] == "primary").sum())
    sec.finding = (
        f"Of {len(t)} checks of published claims, {len(problems)} find a problem: "
        + ("; ".join(parts) if parts else "none")
        + (
            ". None concerns a primary paper. "
            if n_primary == 0
            else f". {n_primary} concern a primary paper. "
        )
        + f"{n_unverifiable} claims cannot be "
        "checked from what was printed (untraceable citations, missing n or r)."
    )
    sec.figures.append(
        (
            "audit",
            figure_audit(res),
            "Number of checks by source kind and verdict; the full table follows.",
        )
    )
    # report view: source id and kind in one column so that the detail has room;
    # every column is in audit.csv (`b12stats reproduce --out DIR`)
    view = t.assign(source=t["source_id"] + " (" + t["source_kind"] + ")")
    cols = [
        c
        for c in ("check_id", "source", "claim", "reported", "recomputed", "verdict", "detail")
        if c in view.columns
    ]
    sec.tables.append(("Verdicts by source kind", res.summary))
    failing = view[view["verdict"].isin(problem_verdicts)]
    if len(failing):
        sec.tables.append(
            (f"The {len(failing)} claims that fail (inconsistent or conflicting)", failing[cols])
        )
    sec.tables.append(("Full audit table", view[cols]))
    return sec


def plan(*, seed: int, reps: int) -> list[tuple[str, str, Callable[[], Section]]]:
    """The report's sections in order: ``(key, title, function)``."""
    return [
        ("audit", "Audit of every published claim", _section_audit),
        ("canada_cambodia", "Secondary source vs primary paper", _section_cohorts),
        (
            "distributions",
            "Distributions rebuilt from published quartiles",
            _section_distributions,
        ),
        ("correlations", "Published correlations", _section_correlations),
        ("supplementation", "Supplement effects", _section_effects),
        ("kenya", "Simulated cohort", lambda: _section_kenya(seed)),
        ("ptrend", "Plausibility of the published P-trend", lambda: _section_ptrend(seed, reps)),
        ("power", "Power by simulation", lambda: _section_power(seed, reps)),
    ]

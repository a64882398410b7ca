"""The report's sections: a reanalysis result turned into a finding, figures and tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from b12stats import reanalysis as _an
from b12stats.designs import default_design_name
from b12stats.format import (
    format_fixed,
    format_number,
    format_p,
    format_p_statement,
    format_pct,
)
from b12stats.reanalysis import PTREND_REPS_FACTOR, NothingToShow, Tables
from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows
from b12stats.reanalysis.correlations import _PAIR_NAME
from b12stats.report.figures import (
    figure_audit,
    figure_cohort_comparison,
    figure_correlations,
    figure_distributions,
    figure_power,
    figure_ptrend,
    figure_simulated_cohort,
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
    #: the figures drawn (``report.build.RenderedFigure``); ``figures`` is emptied then
    rendered: list[Any] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (caption, frame)
    #: ``tables`` as the page shows them (``report.tables.TableView``), made with the figures
    table_views: list[tuple[str, Any]] = field(default_factory=list)
    assumptions: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    available: bool = True
    #: left out because the data in use hold nothing for it (``finding`` says why)
    omitted: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class Job:
    """Work that sections need, run once (in a process of its own) before them.

    ``fn()``'s result is passed to every section that lists the job; jobs
    with the same ``key`` are the same work.
    """

    key: str
    fn: Callable[[], Any]


class Planned(NamedTuple):
    """One section of the plan: ``fn(*results of needs)`` makes it."""

    key: str
    title: str
    fn: Callable[..., Section]
    needs: tuple[Job, ...] = ()


def _and(items: Any) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(i) for i in items]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else ""


#: Level below which a share or P value counts as small in the prose.
ALPHA = 0.05
#: The power the prose reports the number of dyads for (the convention of study planning).
POWER_TARGET = 0.8


def _assumed(assumptions: pd.DataFrame, parameter: str) -> float:
    """A design parameter's value from its ``describe()`` table."""
    row = assumptions.loc[assumptions["parameter"] == parameter, "value"]
    return float(row.iloc[0])


def _countries(cohorts: Any, tables: Tables = None) -> list[str]:
    return list(dict.fromkeys(_country(str(c), tables) for c in cohorts))


def _section_distributions(tables: Tables = None) -> Section:
    res = _an.analysis_distributions(tables=tables)
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
            f" (95% CI {format_pct(row.implied_ci_low, 0)}–{format_pct(row.implied_ci_high, 0)})"
            if np.isfinite(row.implied_ci_low)
            else ""
        )
        agreements.append(bool(agree))
        bits.append(
            f"{_country(row.cohort, tables)} {row.compartment.replace('_', ' ')} "
            f"({row.summary_source_id}, {row.basis}) implies "
            f"{format_pct(row.implied, 0)}{ci} {sym} {format_number(row.cutoff)} pmol/L against "
            f"{row.printed_text} printed by {row.printed_source_id} "
            f"({'agrees' if agree else 'does not agree'})"
        )
    n_agree = sum(agreements)
    drawn = {p.cohort for p in res.panels}
    no_spread = _countries((c for c in res.without_quartiles["cohort"] if c not in drawn), tables)
    agree_text = (
        f"Under a log-normal through each printed summary, {n_agree} of {len(bits)} "
        "printed shares beyond a cut-off agree with the share the summary implies."
        if bits
        else f"{len(res.panels)} printed summaries give a log-normal; none of them has a "
        "printed share beyond a cut-off to compare with."
    )
    sec.finding = agree_text + (
        f" Cohorts with a median or mean only ({', '.join(no_spread)}) give no spread, "
        "so no distribution is drawn for them."
        if no_spread
        else ""
    )
    by_q = list(
        dict.fromkeys(p.country for p in res.panels if "Q1" in dict(map(reversed, p.marks)))
    )
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
            "where n is known) and the printed share."
            + (
                " Milk panels without a printed share "
                f"show the {format_number(res.milk_level)} pmol/L level behind the Adequate "
                "Intake."
                if np.isfinite(res.milk_level)
                else ""
            ),
        )
    )
    if len(res.table):
        sec.tables.append(("Implied vs printed shares", res.table))
    if len(res.without_quartiles):
        sec.tables.append(("Summaries without a spread (not drawn)", res.without_quartiles))
    return sec


def _statistic_name(values: Any, kind: str) -> str:
    """The statistics a source printed, in words (``geometric mean``; ``median``)."""
    stats = dict.fromkeys(str(v) for v in values.loc[values["source_kind"] == kind, "statistic"])
    return _and(st.replace("_", " ") for st in stats)


def _plural(word: str, count: int) -> str:
    return word if count == 1 else f"{word}s"


def _section_cohorts(secondary: str, tables: Tables = None, *, many: bool = False) -> Section:
    res = _an.analysis_cohort_comparison(secondary, tables=tables)
    tag = f" ({res.secondary_source_id})" if many else ""
    who = res.secondary_phrase + tag
    countries = " vs ".join(res.countries)
    key = "cohort_comparison"
    sec = Section(key, f"{countries}: {res.secondary_label}{tag} vs primary paper")
    sec_stat = _statistic_name(res.values, "secondary")
    pri_stat = _statistic_name(res.values, "primary")
    checked = res.outside_ci[res.outside_ci["summary_inside_primary_ci"].notna()]
    inside = int(checked["summary_inside_primary_ci"].astype(bool).sum())
    total = len(checked)
    parts = []
    if total:
        parts.append(
            f"{'None' if inside == 0 else inside} of the {total} {_plural(sec_stat, total)} "
            f"of {who} {'lies' if inside in (0, 1) else 'lie'} inside the primary "
            f"paper's 95% CI of the {pri_stat} for the same country and compartment"
        )
    no_ci = len(res.outside_ci) - total
    if no_ci:
        parts.append(
            f"{'' if total else 'the '}{no_ci} {_plural(sec_stat, no_ci)} of {who} "
            f"{'has' if no_ci == 1 else 'have'} no primary CI to compare with "
            f"({res.primary_label} printed the {pri_stat})"
        )
    sec_r = res.ratios[res.ratios["source_kind"] == "secondary"]["ratio"]
    pri_r = res.ratios[res.ratios["source_kind"] == "primary"]["ratio"]
    if len(sec_r) and len(pri_r):
        num, den = res.countries[:2]
        parts.append(
            f"its {num}/{den} ratios "
            f"({format_fixed(sec_r.min())}x–{format_fixed(sec_r.max())}x) are "
            f"{'far larger than' if sec_r.min() > pri_r.max() else 'not the same as'} "
            f"the primary paper's ({format_fixed(pri_r.min())}x–{format_fixed(pri_r.max())}x)"
        )
    if res.secondary_n and res.primary_n:
        one = len(res.secondary_n) == 1
        same = res.secondary_n == res.primary_n
        parts.append(
            f"its sample {'size' if one else 'sizes'} ({_and(res.secondary_n)}) "
            f"{'is' if one else 'are'}{'' if same else ' not'} the paper's "
            f"({_and(res.primary_n)})"
        )
    if not parts:
        parts.append(f"{who} and {res.primary_label} share no country and compartment to compare")
    text = "; ".join(parts[:-1]) + (", and " if len(parts) > 1 else "") + parts[-1]
    sec.finding = text[0].upper() + text[1:] + "."
    top = f"; top: {'/'.join(res.countries[:2])} ratios of both sources" if len(res.ratios) else ""
    sec.figures.append(
        (
            "cohort_comparison",
            figure_cohort_comparison(res),
            f"Filled circles: primary {_plural(pri_stat, 2)} with 95% CI"
            + (" where printed" if no_ci else "")
            + "; "
            f"open diamonds: {_plural(sec_stat, 2)} of {who}{top}.",
        )
    )
    if len(res.outside_ci):
        sec.tables.append(
            (
                f"{res.secondary_label.capitalize()} {_plural(sec_stat, 2)} against the "
                "primary 95% CIs",
                res.outside_ci,
            )
        )
    if len(res.ratios):
        sec.tables.append(("Ratios", res.ratios))
    return sec


def _section_correlations(tables: Tables = None) -> Section:
    res = _an.analysis_correlations(tables=tables)
    sec = Section("correlations", "Published correlations, pooled where allowed")
    parts = []
    for row in _rows(res.pooled) if len(res.pooled) else []:
        parts.append(
            f"{int(row.k)} primary correlations of "
            f"{_PAIR_NAME.get(frozenset(row.group.removeprefix('pair=').split('~')), row.group)} "
            "pool to "
            f"r = {format_fixed(row.estimate_r)} (95% CI {format_fixed(row.ci_low_r)} to "
            f"{format_fixed(row.ci_high_r)}; "
            f"I² = {format_fixed(row.i2, 0)}%)"
        )
    for who, c in zip(res.comparison_sources, _rows(res.comparison), strict=True):
        parts.append(
            f"r = {format_fixed(c.r1)} (n = {int(c.n1)}) and r = {format_fixed(c.r2)} "
            f"(n = {int(c.n2)}) of {who} differ by {format_fixed(c.estimate)} (95% CI "
            f"{format_fixed(c.ci_low)} to "
            f"{format_fixed(c.ci_high)}; {format_p_statement(c.p_value)}), so they "
            + (
                "do not show that the association differs between the countries"
                if c.p_value >= ALPHA
                else "differ between the countries at the 5% level"
            )
        )
    n_shown = int((res.rows["row_type"] == "study").sum())
    if not parts:
        parts.append(
            f"{n_shown} {_plural('correlation', n_shown)} {'is' if n_shown == 1 else 'are'} "
            "shown; no variable pair has two primary correlations with r and n to pool"
        )
    n_out = len(res.excluded)
    sec.finding = "; ".join(parts) + (
        f". {n_out} published {_plural('coefficient', n_out)} cannot be pooled "
        "(no n, no r, adjusted, from a secondary source, or nothing to pool with): "
        "see the table."
        if n_out
        else "."
    )
    sec.figures.append(
        (
            "correlations",
            figure_correlations(res),
            "Every correlation in use by variable pair, Fisher-z 95% CIs where n is known, "
            "pooled estimates (diamonds, random effects)"
            + (
                ", and the difference between a secondary source's two r (Zou interval, "
                "Fisher test)."
                if len(res.comparison)
                else "."
            ),
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
    for i, c in enumerate(_rows(res.comparison)):
        sec.tables.append(
            (
                f"Comparison of {format_fixed(c.r1)} and {format_fixed(c.r2)}",
                res.comparison.iloc[[i]],
            )
        )
    return sec


def _section_effects(tables: Tables = None) -> Section:
    res = _an.analysis_supplement_effects(tables=tables)
    other = res.other
    if res.table.empty:  # no percent difference with a CI: the rows as printed
        sec = Section("supplementation", "Effects as printed")
        sec.finding = (
            f"The data in use hold {len(other)} effects "
            f"{_plural('row', len(other))} ("
            + _and(dict.fromkeys(str(m).replace("_", " ") for m in other["measure"]))
            + "), none a percent difference with a CI to draw; they are listed as printed."
        )
        sec.tables.append(("Effects as printed", other))
        return sec
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
        f"printed {r.p_text}, recomputed from the CI {format_p_statement(r.p_from_ci)}"
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
        + (
            f" {len(other)} other effects {_plural('row', len(other))} ("
            + _and(dict.fromkeys(str(m).replace("_", " ") for m in other["measure"]))
            + ") are listed as printed."
            if len(other)
            else ""
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
    if len(other):
        sec.tables.append(("Other effects rows, as printed", other))
    return sec


def _status(assumptions: pd.DataFrame, parameter: str) -> str:
    row = assumptions.loc[assumptions["parameter"] == parameter, "status"]
    return str(row.iloc[0]) if len(row) else "assumed"


#: The design parameters behind the two marginals.
MARGINAL_PARAMETERS = ("milk_mu", "milk_sigma", "infant_mu", "infant_sigma")


def _basis(assumptions: pd.DataFrame) -> str:
    """What a simulated cohort rests on, from the design's statuses.

    ``the published quartiles and r = 0.36`` when every marginal parameter and
    the correlation are published (primary); otherwise says which are not.
    """
    r = format_fixed(_assumed(assumptions, "correlation"))
    marginals = {p: _status(assumptions, p) for p in MARGINAL_PARAMETERS}
    r_status = _status(assumptions, "correlation")
    if all(v == "published" for v in marginals.values()):
        method = " ".join(str(v) for v in assumptions["explanation"].astype(str))
        what = "the published quartiles" if "quartile" in method else "the published marginals"
    else:
        assumed = [p for p, v in marginals.items() if v != "published"]
        what = f"marginals with {_and(assumed)} not from a primary source"
    r_text = f"r = {r}" if r_status == "published" else f"r = {r} ({r_status})"
    return f"{what} and {r_text}"


def _section_simulated_cohort(
    seed: int, design: Any = None, tables: Tables = None, tag: str = ""
) -> Section:
    res = _an.analysis_simulated_cohort(seed=seed, design=design, tables=tables)
    s = res.summary.iloc[0]
    place = res.design_label
    cut = _assumed(res.assumptions, "adequacy_cutoff")
    milk = (
        f" and {format_pct(s['share_milk_below_310'], 0)} of milk below "
        f"{format_number(res.milk_level)} pmol/L"
        if np.isfinite(res.milk_level)
        else ""
    )
    sec = Section(
        "simulated_cohort", f"A simulated {place}-like cohort and the papers' GEE models{tag}"
    )
    sec.finding = (
        f"One cohort of {int(s['n_dyads'])} dyads in {int(s['n_clusters'])} clusters, "
        f"simulated from {_basis(res.assumptions)} (seed {seed}), "
        f"has r = {format_fixed(s['simulated_r'])} on the log scale, "
        f"{format_pct(1 - s['share_adequate'], 0)} of "
        f"infants at or below {format_number(cut)} pmol/L{milk}. Its GEE log-log slope is "
        f"{format_fixed(s['loglog_slope'])} (95% CI "
        f"{format_fixed(s['loglog_slope_ci_low'])} to "
        f"{format_fixed(s['loglog_slope_ci_high'])}): 10% more milk "
        f"B12 goes with about {format_pct(1.1 ** s['loglog_slope'] - 1)} more infant B12; "
        f"the milk-quartile P-trend for adequacy is {format_p(s['p_trend'])}. These are one "
        "simulated draw under stated assumptions, not data."
    )
    sec.figures.append(
        (
            "simulated_cohort_scatter",
            figure_simulated_cohort(res),
            "Simulated dyads (log axes), "
            "the GEE fit of log infant on log milk B12 with its 95% confidence "
            + (
                f"band, and the {format_number(res.milk_level)} and {format_number(cut)} pmol/L "
                "cut-offs."
                if np.isfinite(res.milk_level)
                else f"band, and the {format_number(cut)} pmol/L cut-off."
            ),
        )
    )
    sec.tables.append(("Headline numbers", _name_value(res.summary)))
    sec.tables.append(("Linear GEE (log-log)", res.linear))
    sec.tables.append(("Trend GEE (adequacy on milk quartile)", res.trend))
    sec.assumptions.append((f"{place} design{tag}", res.assumptions))
    sec.notes.extend(res.flags)
    if res.cov_struct != "exchangeable":
        sec.notes.append(f"GEE working correlation {res.cov_struct}: {res.cov_struct_reason}.")
    return sec


def _section_power(
    seed: int,
    reps: int,
    design: Any = None,
    tables: Tables = None,
    tag: str = "",
    *targets: dict[tuple[str, int], float],
) -> Section:
    true_values = {k: v for t in targets for k, v in t.items()}
    res = _an.analysis_power(
        seed=seed, reps=reps, design=design, tables=tables, true_values=true_values
    )
    sec = Section("power", f"How many dyads? Power by simulation{tag}")
    bits = []
    for model, grp in res.table.groupby("model", sort=False):
        g = grp.sort_values("n_dyads")
        hit = g[g["power"] >= POWER_TARGET]
        where = (
            f"reaches {format_pct(POWER_TARGET, 0)} power at {int(hit['n_dyads'].iloc[0])} dyads "
            "on this grid"
            if len(hit)
            else f"stays below {format_pct(POWER_TARGET, 0)} up to {int(g['n_dyads'].max())} dyads"
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
    sec.assumptions.append((f"Power design{tag}", res.assumptions))
    return sec


def _section_ptrend(
    seed: int, reps: int, design: Any = None, tables: Tables = None, tag: str = ""
) -> Section:
    res = _an.analysis_ptrend(
        seed=seed, reps=reps * PTREND_REPS_FACTOR, design=design, tables=tables
    )
    sec = Section("ptrend", f"How plausible is the published P-trend?{tag}")
    t = res.table
    first = t.iloc[0]
    share = float(first["share_p_at_or_above_published"])
    others = "; ".join(
        f"{int(r.n_dyads)} dyads: {format_pct(r.share_p_at_or_above_published)}"
        for r in _rows(t.iloc[1:])
    )
    sec.finding = (
        f"{res.published_label} printed {res.published_text} for milk B12 and infant "
        f"adequacy. In {int(first['reps'])} simulated {res.design_label}-like cohorts of "
        f"{int(first['n_dyads'])} dyads with r = {format_fixed(res.correlation)} the trend test's "
        f"median P is {format_p(first['median_p'])} and {'only ' if share < ALPHA else ''}"
        f"{format_pct(share)} "
        f"(Monte Carlo SE {format_pct(first['share_mcse'])}) have P at or above the published "
        f"value (smaller cohorts — {others})."
        + (
            " Under these assumptions the published P-trend "
            f"is weaker than r = {format_fixed(res.correlation)} implies: the model was fitted "
            "on fewer "
            f"dyads than the {int(first['n_dyads'])} assumed here, or the milk effect adjusted "
            "for the multivariable model's covariates was weaker than the crude r. The scale "
            "of r does not explain it: read as Spearman or as Pearson on concentrations, r = "
            f"{format_fixed(res.correlation)} implies a stronger latent correlation, not a "
            "weaker one."
            if share < ALPHA
            else " Under these assumptions the published P-trend is in line with "
            f"r = {format_fixed(res.correlation)}."
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
    sec.assumptions.append((f"P-trend design{tag}", res.assumptions))
    return sec


def _section_audit(tables: Tables = None) -> Section:
    res = _an.analysis_audit(tables=tables)
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
        f"Of {len(t)} {_plural('check', len(t))} of published claims, {len(problems)} "
        f"{'finds' if len(problems) == 1 else 'find'} a problem: "
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


def _section_sensitivity(*args: Any) -> Section:
    from b12stats.report.section_sensitivity import section_sensitivity  # imports Section

    return section_sensitivity(*args)  # type: ignore[no-any-return]


def _nothing(reason: str) -> Callable[[], Section]:
    def fn() -> Section:
        raise NothingToShow(reason)

    return fn


def _coverage_jobs(j: int, design: Any) -> tuple[Job, ...]:
    """One job per coverage target of the power section's trend model (about 1 s each)."""
    return tuple(
        Job(
            f"coverage-{j + 1}-{group[0]}",
            lambda group=group: _an.coverage_targets(design, only=group),
        )
        for group in _an.coverage_groups(design)
    )


def plan(
    *, seed: int, reps: int, tables: Tables = None, designs: Sequence[Any] | None = None
) -> list[Planned]:
    """The report's sections in order: ``(key, title, function, needs)``.

    One cohort-comparison section per secondary source that cites a source
    (:func:`~b12stats.reanalysis.comparison_pairs`), and a simulated cohort,
    P-trend and power section per design in ``designs`` (names, ``.toml``
    paths or Design objects). A function raising
    :class:`~b12stats.reanalysis.NothingToShow` leaves its section out. The
    power section's coverage targets are jobs of their own (``needs``), so
    that they run beside the other sections.
    """
    from b12stats.simulate import get_design

    items: list[Planned] = [
        Planned("audit", "Audit of every published claim", lambda: _section_audit(tables))
    ]
    pairs = _an.comparison_pairs(tables)
    usable = [p for p in pairs if not p[2]]
    for i, (secondary, cited, why) in enumerate(pairs):
        key = "cohort_comparison" if i == 0 else f"cohort_comparison-{i + 1}"
        title = f"Secondary source {secondary} vs {cited}"
        if why:
            items.append(Planned(key, title, _nothing(why)))
        else:
            items.append(
                Planned(
                    key,
                    title,
                    lambda s=secondary: _section_cohorts(s, tables, many=len(usable) > 1),
                )
            )
    if not pairs:
        items.append(
            Planned(
                "cohort_comparison",
                "Secondary source vs primary paper",
                _nothing("no secondary source in the data in use cites another source"),
            )
        )
    items += [
        Planned(
            "distributions",
            "Distributions rebuilt from published quartiles",
            lambda: _section_distributions(tables),
        ),
        Planned("correlations", "Published correlations", lambda: _section_correlations(tables)),
        Planned("supplementation", "Effects", lambda: _section_effects(tables)),
    ]
    if designs is None:
        designs = (default_design_name(),)
    resolved = [get_design(d) for d in designs]
    if not resolved:
        items.append(
            Planned(
                "simulated_cohort",
                "Simulated cohort, P-trend and power",
                _nothing("no design given (b12stats report --design NAME|FILE.toml)"),
            )
        )
    for j, d in enumerate(resolved):
        suffix = "" if j == 0 else f"-{j + 1}"
        tag = f" (design {d.name})" if len(resolved) > 1 else ""
        items += [
            Planned(
                f"simulated_cohort{suffix}",
                f"Simulated cohort{tag}",
                lambda d=d, tag=tag: _section_simulated_cohort(seed, d, tables, tag),
            ),
            Planned(
                f"ptrend{suffix}",
                f"Plausibility of the published P-trend{tag}",
                lambda d=d, tag=tag: _section_ptrend(seed, reps, d, tables, tag),
            ),
            Planned(
                f"power{suffix}",
                f"Power by simulation{tag}",
                lambda *targets, d=d, tag=tag: _section_power(
                    seed, reps, d, tables, tag, *targets
                ),
                _coverage_jobs(j, d),
            ),
            Planned(
                f"sensitivity{suffix}",
                f"Sensitivity to the unpublished assumptions{tag}",
                lambda d=d, tag=tag: _section_sensitivity(seed, reps, d, tables, tag),
            ),
        ]
    return items

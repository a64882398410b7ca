"""The whole reanalysis in one self-contained HTML file.

Each analysis has two public pieces that the numbered scripts in ``analyses/``
and :func:`build_report` both call, so there is one implementation of each:

* an ``analysis_*`` function that gathers the published numbers
  (:mod:`b12stats.data`) and computes through the library
  (:mod:`b12stats.stats`, :mod:`b12stats.models`, :mod:`b12stats.simulate`,
  :mod:`b12stats.power`, :mod:`b12stats.audit`), returning tidy tables;
* a ``figure_*`` function that lays those tables out on a matplotlib figure
  with the drawing functions of :mod:`b12stats.plots`.

:func:`build_report` runs every section, embeds the figures as base64 PNG,
adds the audit table, every simulation assumption, the sources with their
DOIs, and the package version, seed and date, and writes ``DIR/index.html``
atomically. A section whose library piece is missing from this installation
says "not available in this version" instead of failing.

Examples
--------
>>> res = analysis_supplement_effects()
>>> res.table[["label", "estimate"]].dropna().to_dict("records")[0]
{'label': '6 weeks postpartum', 'estimate': 34.4}
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import html
import io
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12stats._version import __version__

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_REPS",
    "DEFAULT_SEED",
    "STYLE",
    "CohortsResult",
    "CorrelationsResult",
    "DistributionPanel",
    "EffectsResult",
    "Section",
    "analysis_canada_cambodia",
    "analysis_correlations",
    "analysis_distributions",
    "analysis_supplement_effects",
    "build_report",
    "figure_canada_cambodia",
    "figure_correlations",
    "figure_distributions",
    "figure_supplement_effects",
    "save_figure_set",
    "style_context",
]

#: Default seed of every simulation in the report (written into the report).
DEFAULT_SEED = 20180101
#: Default Monte Carlo replicates per power-curve point: small enough that the
#: whole report runs in under a minute on 2 cores; raise it for publication.
DEFAULT_REPS = 200

#: Figure style shared by every report and script figure (applied locally with
#: :func:`style_context`, never globally).
STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
    "svg.fonttype": "none",
}

_NOT_AVAILABLE = "not available in this version"


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the b12stats figure style inside a ``with`` block only.

    :func:`b12stats.plots.style.style_context` with :data:`STYLE` on top;
    rcParams are restored on exit.
    """
    from b12stats.plots.style import style_context as _shared

    with _shared(STYLE):
        yield


def save_figure_set(
    fig: Any, directory: str | Path, name: str, *, formats: Sequence[str] = ("png", "pdf")
) -> list[Path]:
    """Save ``fig`` as ``directory/name.<fmt>`` for every format, atomically."""
    from b12stats._io import save_figure

    paths = []
    for fmt in formats:
        path = Path(directory) / f"{name}.{fmt}"
        save_figure(fig, path, bbox_inches="tight", dpi=150 if fmt == "png" else None)
        paths.append(path)
    return paths


def _country(cohort: str) -> str:
    from b12stats.data import load_cohorts

    cohorts = load_cohorts()
    match = cohorts.loc[cohorts["cohort"] == cohort, "country"]
    return str(match.iloc[0]) if len(match) else cohort


def _compartment_group(compartment: str) -> str:
    for key in ("maternal", "milk", "infant"):
        if compartment.startswith(key):
            return key
    return compartment


# ---------------------------------------------------------------------------
# distributions from quartiles
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributionPanel:
    """One printed set of quartiles, its log-normal fit and the shares beyond cut-offs."""

    row_id: str
    title: str
    compartment: str
    unit: str
    fit: Any
    shares: pd.DataFrame


@dataclass(frozen=True)
class DistributionsResult:
    """Result of :func:`analysis_distributions`."""

    panels: tuple[DistributionPanel, ...]
    table: pd.DataFrame
    without_quartiles: pd.DataFrame


_COMPARTMENT_NAME = {
    "infant_serum": "infant serum B12",
    "milk": "milk B12",
    "maternal_serum": "maternal serum B12",
}


def _printed_share(row: pd.Series) -> tuple[float, str]:
    if pd.notna(row["percent"]):
        pct = float(row["percent"])
        return pct / 100.0, f"{pct:g}%"
    frac = str(row["fraction"])
    num, den = (float(x) for x in frac.split("/"))
    qual = "≈ " if str(row.get("qualifier", "")) == "approximately" else ""
    return num / den, f"{qual}{frac}"


def analysis_distributions() -> DistributionsResult:
    """Log-normal fits to every printed median (Q1, Q3) in pmol/L, with shares.

    For each concentration row with quartiles, the shares beyond every cut-off
    printed for the same cohort and compartment
    (:func:`~b12stats.stats.quartiles.prevalence_from_quartiles`, with the
    delta-method CI when n is known) are set beside the printed shares.
    """
    from b12stats.data import load_concentrations, load_prevalences
    from b12stats.stats.quartiles import lognormal_from_quartiles, prevalence_from_quartiles

    conc = load_concentrations()
    prev = load_prevalences()
    quart = conc[conc["q1"].notna() & conc["q3"].notna() & (conc["unit"] == "pmol/L")]
    panels = []
    rows = []
    for c in quart.itertuples(index=False):
        fit = lognormal_from_quartiles(c.q1, c.value, c.q3)
        printed = prev[
            (prev["cohort"] == c.cohort)
            & (prev["compartment"] == c.compartment)
            & prev["cutoff"].notna()
            & (prev["unit"] == "pmol/L")
        ]
        share_rows = []
        for (cut, rel), grp in printed.groupby(["cutoff", "relation"], sort=True):
            side = {"<": "below", "<=": "at_or_below", ">": "above", ">=": "at_or_above"}[rel]
            n = None if pd.isna(c.n) else int(c.n)
            est = prevalence_from_quartiles(c.q1, c.value, c.q3, cut, side=side, n=n).iloc[0]
            pub = [_printed_share(r) for _, r in grp.iterrows()]
            texts = [f"{t} ({sid})" for (_, t), sid in zip(pub, grp["source_id"], strict=True)]
            share_rows.append(
                {
                    "cutoff": float(cut),
                    "side": side,
                    "estimate": float(est["estimate"]),
                    "ci_low": float(est["ci_low"]),
                    "ci_high": float(est["ci_high"]),
                    "published": pub[0][0],
                    "published_text": "; ".join(texts),
                }
            )
            for (val, text), r in zip(pub, grp.itertuples(index=False), strict=True):
                rows.append(
                    {
                        "quartiles_row_id": c.row_id,
                        "quartiles_source_id": c.source_id,
                        "cohort": c.cohort,
                        "compartment": c.compartment,
                        "q1": c.q1,
                        "median": c.value,
                        "q3": c.q3,
                        "n": n,
                        "mu": fit.mu,
                        "sigma": fit.sigma,
                        "fit_method": fit.method,
                        "asymmetry": fit.asymmetry,
                        "cutoff": float(cut),
                        "side": side,
                        "implied": float(est["estimate"]),
                        "implied_ci_low": float(est["ci_low"]),
                        "implied_ci_high": float(est["ci_high"]),
                        "printed": val,
                        "printed_text": text,
                        "printed_row_id": r.row_id,
                        "printed_source_id": r.source_id,
                    }
                )
        country = _country(c.cohort)
        name = _COMPARTMENT_NAME.get(c.compartment, c.compartment)
        n_txt = f", n = {int(c.n)}" if pd.notna(c.n) else ""
        panels.append(
            DistributionPanel(
                row_id=c.row_id,
                title=f"{country}: {name} ({c.source_id}{n_txt})",
                compartment=c.compartment,
                unit=c.unit,
                fit=fit,
                shares=pd.DataFrame(share_rows),
            )
        )
    others = conc[
        ~conc.index.isin(quart.index) & conc["compartment"].isin(["infant_serum", "milk"])
    ]
    without = others[["row_id", "source_id", "cohort", "compartment", "statistic", "value"]]
    return DistributionsResult(
        panels=tuple(panels), table=pd.DataFrame(rows), without_quartiles=without
    )


def figure_distributions(res: DistributionsResult) -> Any:
    """One panel per printed set of quartiles (:func:`plot_quartile_distribution`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.distributions import plot_quartile_distribution

    with style_context():
        k = max(len(res.panels), 1)
        fig, axes = plt.subplots(1, k, figsize=(5.2 * k, 3.9), squeeze=False)
        for ax, panel in zip(axes[0], res.panels, strict=False):
            plot_quartile_distribution(
                panel.fit,
                shares=panel.shares,
                ax=ax,
                unit=panel.unit,
                quantity=_COMPARTMENT_NAME.get(panel.compartment, panel.compartment),
                title=panel.title,
            )
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Canada vs Cambodia
# ---------------------------------------------------------------------------


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
    for c in comp.itertuples(index=False):
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
        g = grp.set_index("country")
        if {"Canada", "Cambodia"} <= set(g.index):
            rr = ratio(g.loc["Canada", "value"], g.loc["Cambodia", "value"])
            rows.append(
                {
                    "compartment": comp_name,
                    "source_kind": "primary",
                    "numerator": float(g.loc["Canada", "value"]),
                    "denominator": float(g.loc["Cambodia", "value"]),
                    "ratio": float(rr),
                    "ratio_printed": "",
                    "consistent_with_rounding": np.nan,
                    "ratio_text": f"{float(rr):.2f}x (geometric means)",
                }
            )
    ratios = pd.DataFrame(rows)
    out = []
    for (comp_name, country), grp in values.groupby(["compartment", "country"], sort=False):
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


def figure_canada_cambodia(res: CohortsResult) -> Any:
    """The two sources on one axis (:func:`plot_cohort_comparison`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.cohorts import plot_cohort_comparison

    with style_context():
        fig, ax = plt.subplots(figsize=(7.5, 4.6))
        plot_cohort_comparison(res.values, ratios=res.ratios, ax=ax)
        ax.set_title(
            "Canada vs Cambodia (Chebaya 2017): primary abstract vs summary page", loc="left"
        )
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Wang 2024 supplement effects
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectsResult:
    """Result of :func:`analysis_supplement_effects`."""

    table: pd.DataFrame


def _fmt_printed(value: float, decimals: Any) -> str:
    d = 0 if pd.isna(decimals) else int(decimals)
    return f"{value:.{d}f}"


def _printed_ci(e: Any) -> str:
    est = _fmt_printed(e.estimate, e.estimate_decimals)
    lo = _fmt_printed(e.ci_low, e.ci_low_decimals)
    hi = _fmt_printed(e.ci_high, e.ci_high_decimals)
    return f"{est} ({lo}, {hi})"


def analysis_supplement_effects() -> EffectsResult:
    """Wang 2024's printed percent differences, with P recomputed from each CI.

    Cells with a verbal finding only (the prenatal supplement at 7 months,
    "no effect") are rows with NaN estimate and the words as ``note``.
    ``p_from_ci`` is :func:`~b12stats.stats.effects.effect_from_ci`'s P and
    ``p_consistent`` :func:`~b12stats.stats.effects.check_p_against_ci`'s verdict.
    """
    from b12stats.data import load_claims, load_effects
    from b12stats.stats.effects import check_p_against_ci, effect_from_ci

    eff = load_effects()
    eff = eff[(eff["source_id"] == "wang2024") & (eff["measure"] == "percent_difference")]
    rows = []
    for e in eff.itertuples(index=False):
        period = "Prenatal supplement" if "prenatal" in e.contrast else "Postnatal supplement"
        fromci = effect_from_ci(e.estimate, e.ci_low, e.ci_high).iloc[0]
        chk = check_p_against_ci(e.p_text, e.estimate, e.ci_low, e.ci_high).iloc[0]
        rows.append(
            {
                "row_id": e.row_id,
                "group": period,
                "label": e.timepoint,
                "estimate": float(e.estimate),
                "ci_low": float(e.ci_low),
                "ci_high": float(e.ci_high),
                "p_text": e.p_text,
                "ci_text": _printed_ci(e),
                "p_from_ci": float(fromci["p_value"]),
                "p_consistent": bool(chk["consistent"]),
                "n": e.n,
                "note": "",
            }
        )
    claims = load_claims()
    for c in claims[claims["row_id"] == "wa24_prenatal_7m"].itertuples(index=False):
        rows.append(
            {
                "row_id": c.row_id,
                "group": "Prenatal supplement",
                "label": "7 months postpartum",
                "estimate": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_text": "",
                "ci_text": "",
                "p_from_ci": np.nan,
                "p_consistent": np.nan,
                "n": pd.NA,
                "note": f'"{c.value_text}" (in words; no estimate printed)',
            }
        )
    table = pd.DataFrame(rows)
    order = {"Prenatal supplement": 0, "Postnatal supplement": 1}
    table = table.sort_values(
        ["group", "label"], key=lambda s: s.map(order) if s.name == "group" else s
    ).reset_index(drop=True)
    return EffectsResult(table=table)


def figure_supplement_effects(res: EffectsResult) -> Any:
    """Percent differences by period and timepoint (:func:`plot_effects`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.effects import plot_effects

    with style_context():
        fig, ax = plt.subplots(figsize=(7.5, 2.8))
        plot_effects(res.table, ax=ax)
        ax.set_title("Wang 2024 (Tanzania): milk B12, supplement vs placebo", loc="left")
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# correlations: forest plot, pools, 0.51 vs 0.20
# ---------------------------------------------------------------------------

_PAIR_NAME = {
    frozenset({"maternal_blood", "infant_blood"}): "maternal blood vs infant blood B12",
    frozenset({"milk", "infant_blood"}): "milk vs infant blood B12",
    frozenset({"maternal_blood", "milk"}): "maternal blood vs milk B12",
    frozenset({"maternal_intake", "milk"}): "maternal B12 intake vs milk B12",
}


def _source_label(source_id: str) -> str:
    from b12stats.data import load_sources

    src = load_sources().set_index("source_id")
    if source_id not in src.index:
        return source_id
    s = src.loc[source_id]
    if s["kind"] == "secondary":
        return "summary page"
    authors = str(s["authors"]) if pd.notna(s["authors"]) else ""
    first = authors.split(",")[0].split(" ")[0] if authors and authors != "unknown" else ""
    year = f" {int(s['year'])}" if pd.notna(s["year"]) else ""
    return f"{first}{year}" if first else source_id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class CorrelationsResult:
    """Result of :func:`analysis_correlations`.

    ``rows`` is the figure's input (:data:`b12stats.plots.correlations.ROW_COLUMNS`
    plus ``row_id, r, n, p_text, coefficient``); ``pooled`` the pools
    (:meth:`b12stats.stats.meta.MetaTable.to_frame`); ``excluded`` the rows
    left out of pooling with the reason; ``comparison`` the Fisher/Zou
    comparison of the summary page's two correlations.
    """

    rows: pd.DataFrame
    pooled: pd.DataFrame
    excluded: pd.DataFrame
    comparison: pd.DataFrame


def _fmt_r(x: float) -> str:
    return f"{x:.2f}".replace("-", "−")


def analysis_correlations(*, method: str = "REML") -> CorrelationsResult:
    """All bundled correlations with Fisher-z CIs, pooled where pooling is allowed.

    Pools are formed by :func:`~b12stats.stats.meta.pool_table` per variable
    pair from primary sources only, skipping (and listing) rows without r or
    n and adjusted coefficients. The summary page's r = 0.51 (n = 40, Canada)
    and r = 0.20 (n = 67, Cambodia) are compared with
    :func:`~b12stats.stats.correlation.compare_correlations`.
    """
    from b12stats.data import load_correlations
    from b12stats.stats.correlation import compare_correlations, fisher_z_ci
    from b12stats.stats.meta import pool_table

    corr = load_correlations()
    table = pool_table(
        corr,
        by=["pair"],
        label="row_id",
        source_kinds=["primary"],
        on_unpoolable="skip",
        method=method,
    )
    pooled = table.to_frame() if table.results else pd.DataFrame()
    excluded = table.excluded
    reason = dict(zip(excluded["row"], excluded["reason"], strict=True))
    pool_by_pair = {}
    for res in table.results:
        pool_by_pair[frozenset(res.group.removeprefix("pair=").split("~"))] = res
    corr = corr.assign(
        pair=[frozenset({x, y}) for x, y in zip(corr.var_x, corr.var_y, strict=True)]
    )
    order = list(_PAIR_NAME)
    order += [p for p in dict.fromkeys(corr["pair"]) if p not in order]
    rows = []
    for pair in order:
        sub = corr[corr["pair"] == pair]
        if sub.empty:
            continue
        group = _PAIR_NAME.get(pair, " vs ".join(sorted(pair)))
        for c in sub.itertuples(index=False):
            label = f"{_source_label(c.source_id)}, {_country(c.cohort)}"
            lo = hi = np.nan
            has_r, has_n = pd.notna(c.r), pd.notna(c.n)
            if has_r and has_n:
                ci = fisher_z_ci(float(c.r), int(c.n)).iloc[0]
                lo, hi = float(ci["ci_low"]), float(ci["ci_high"])
            parts = []
            if has_r:
                parts.append(f"r = {_fmt_r(float(c.r))}")
                if has_n:
                    parts[-1] += f" ({_fmt_r(lo)}, {_fmt_r(hi)})"
            else:
                parts.append("no r printed")
            parts.append(f"n = {int(c.n)}" if has_n else "n not printed")
            if isinstance(c.p_text, str) and c.p_text:
                parts.append(c.p_text)
            elif c.significant is False or str(c.significant).lower() == "false":
                parts.append("reported as not correlated")
            if c.coefficient != "unspecified":
                parts.append(str(c.coefficient))
            if c.row_id in reason and has_r and has_n:
                parts.append("not pooled: secondary" if c.source_kind == "secondary" else "")
            rows.append(
                {
                    "row_id": c.row_id,
                    "group": group,
                    "label": label,
                    "row_type": "study",
                    "estimate": float(c.r) if has_r else np.nan,
                    "ci_low": lo,
                    "ci_high": hi,
                    "source_kind": c.source_kind,
                    "text": "; ".join(p for p in parts if p),
                    "r": float(c.r) if has_r else np.nan,
                    "n": int(c.n) if has_n else pd.NA,
                    "p_text": c.p_text if isinstance(c.p_text, str) else "",
                    "coefficient": c.coefficient,
                    "pooling": reason.get(c.row_id, "pooled"),
                }
            )
        res = pool_by_pair.get(pair)
        if res is not None:
            f = res.to_frame().iloc[0]
            txt = (
                f"{_fmt_r(f['estimate_r'])} ({_fmt_r(f['ci_low_r'])}, {_fmt_r(f['ci_high_r'])}); "
                f"k = {int(f['k'])}, n = {int(f['n_total'])}"
            )
            if np.isfinite(f["i2"]):
                txt += f"; I² = {f['i2']:.0f}%"
            rows.append(
                {
                    "row_id": "",
                    "group": group,
                    "label": f"pooled, primary ({f['method']})",
                    "row_type": "pooled",
                    "estimate": float(f["estimate_r"]),
                    "ci_low": float(f["ci_low_r"]),
                    "ci_high": float(f["ci_high_r"]),
                    "source_kind": "",
                    "text": txt,
                    "r": np.nan,
                    "n": int(f["n_total"]),
                    "p_text": "",
                    "coefficient": "",
                    "pooling": "",
                }
            )
    summ = corr[(corr["source_kind"] == "secondary") & corr["r"].notna() & corr["n"].notna()]
    comparison = pd.DataFrame()
    if len(summ) == 2:
        a, b = summ.iloc[0], summ.iloc[1]
        comparison = compare_correlations(float(a["r"]), int(a["n"]), float(b["r"]), int(b["n"]))
        comparison.insert(0, "row_id_2", b["row_id"])
        comparison.insert(0, "row_id_1", a["row_id"])
        cmp = comparison.iloc[0]
        rows.append(
            {
                "row_id": "",
                "group": "difference between the summary page's two r",
                "label": f"{_country(a['cohort'])} − {_country(b['cohort'])}",
                "row_type": "difference",
                "estimate": float(cmp["estimate"]),
                "ci_low": float(cmp["ci_low"]),
                "ci_high": float(cmp["ci_high"]),
                "source_kind": "",
                "text": (
                    f"{_fmt_r(float(a['r']))} − {_fmt_r(float(b['r']))} = "
                    f"{_fmt_r(float(cmp['estimate']))} ({_fmt_r(float(cmp['ci_low']))}, "
                    f"{_fmt_r(float(cmp['ci_high']))}); z = {float(cmp['statistic']):.2f}, "
                    f"P = {float(cmp['p_value']):.3f}"
                ),
                "r": np.nan,
                "n": pd.NA,
                "p_text": "",
                "coefficient": "",
                "pooling": "",
            }
        )
    return CorrelationsResult(
        rows=pd.DataFrame(rows), pooled=pooled, excluded=excluded, comparison=comparison
    )


def figure_correlations(res: CorrelationsResult) -> Any:
    """Grouped forest plot (:func:`b12stats.plots.correlations.plot_correlations`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.correlations import plot_correlations

    n_lines = len(res.rows) + 1.4 * res.rows["group"].nunique()
    with style_context():
        fig, ax = plt.subplots(figsize=(9.5, 0.3 * n_lines + 1.0))
        plot_correlations(res.rows, ax=ax, xlabel="correlation r, or difference in r (95% CI)")
        ax.set_title(
            "Published correlations of B12 between mother, milk and infant", loc="left", pad=12
        )
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Kenya-like simulated cohort and the papers' two GEE models
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KenyaResult:
    """Result of :func:`analysis_kenya`.

    ``cohort`` is the simulated cohort; ``line`` the fitted geometric-mean
    curve of infant B12 over milk B12 with its 95% band
    (:data:`b12stats.plots.scatter.LINE_COLUMNS`); ``linear`` and ``trend``
    the tidy model tables; ``summary`` one row of headline numbers;
    ``assumptions`` the design's :meth:`~b12stats.simulate.Design.describe`.
    """

    cohort: pd.DataFrame
    line: pd.DataFrame
    linear: pd.DataFrame
    trend: pd.DataFrame
    summary: pd.DataFrame
    assumptions: pd.DataFrame
    flags: tuple[str, ...]
    seed: int


def _loglog_band(
    data: pd.DataFrame, *, groups: str, grid: np.ndarray, conf_level: float = 0.95
) -> tuple[pd.DataFrame, Any]:
    """Fitted ``exp(b0 + b1 log x)`` with a pointwise Wald band, from two GEE fits.

    :class:`b12stats.models.GEEResult` carries standard errors but not the
    coefficient covariance, which the band needs. A GEE with identity link is
    equivariant under re-centring the covariate, so fitting once with
    ``log(milk)`` and once with ``log(milk) - c`` gives
    ``Var(a_c) = Var(a_0) - 2 c Cov(a_0, b) + c^2 Var(b)``, hence
    ``Cov(a_0, b) = (Var(a_0) + c^2 Var(b) - Var(a_c)) / (2 c)``; the band is
    ``exp(fit ± z sqrt(Var(a_0) + 2 t Cov + t^2 Var(b)))`` at ``t = log x``.
    """
    from scipy import stats as _st

    from b12stats.models import fit_gee, fit_linear

    res = fit_linear(data, groups=groups, log=True, conf_level=conf_level)
    coef = res.coefficients.set_index("term")
    a0, b = float(coef["estimate"].iloc[0]), float(coef["estimate"].iloc[1])
    va, vb = float(coef["se"].iloc[0]) ** 2, float(coef["se"].iloc[1]) ** 2
    c = float(np.mean(np.log(data["milk_b12"])))
    centred = fit_gee(
        data,
        f"np.log(infant_b12) ~ I(np.log(milk_b12) - {c!r})",
        groups=groups,
        conf_level=conf_level,
    )
    vc = float(centred.coefficients["se"].iloc[0]) ** 2
    cov = (vc - va - c * c * vb) / (2.0 * c)
    t = np.log(grid)
    fit = a0 + b * t
    se = np.sqrt(np.maximum(va + 2.0 * t * cov + t * t * vb, 0.0))
    crit = float(_st.norm.ppf(0.5 + conf_level / 2.0))
    line = pd.DataFrame(
        {
            "x": grid,
            "estimate": np.exp(fit),
            "ci_low": np.exp(fit - crit * se),
            "ci_high": np.exp(fit + crit * se),
        }
    )
    return line, res


def analysis_kenya(*, seed: int = DEFAULT_SEED, n_dyads: int | None = None) -> KenyaResult:
    """Simulate a Kenya-like cohort and fit the papers' two GEE models.

    The design is :func:`b12stats.simulate.get_design` ``("kenya")``: log-normal
    marginals from the printed quartiles, r = 0.36 (scale assumed), clusters and
    ICCs assumed (every assumption is in ``assumptions``). Models:
    :func:`b12stats.models.fit_linear` on the log-log scale (the slope is an
    elasticity) and :func:`b12stats.models.fit_trend` (adequacy > 220 pmol/L on
    milk-B12 quartiles; P-trend), both exchangeable GEE with robust SEs.
    """
    from scipy import stats as _st

    from b12stats.models import fit_trend
    from b12stats.simulate import get_design, simulate_cohort

    design = get_design("kenya")
    cohort = simulate_cohort(design, n_dyads=n_dyads, rng=seed)
    grid = np.geomspace(float(cohort["milk_b12"].min()), float(cohort["milk_b12"].max()), 60)
    line, linear = _loglog_band(cohort, groups="cluster", grid=grid)
    trend = fit_trend(cohort, groups="cluster", outcome="adequate", exposure="milk_b12")
    r_sim = float(_st.pearsonr(np.log(cohort["milk_b12"]), np.log(cohort["infant_b12"]))[0])
    slope = linear.coefficients.iloc[1]
    summary = pd.DataFrame(
        [
            {
                "design": design.name,
                "n_dyads": len(cohort),
                "n_clusters": int(cohort["cluster"].nunique()),
                "target_r": design.correlation,
                "correlation_scale": design.correlation_scale,
                "simulated_r": r_sim,
                "share_adequate": float(cohort["adequate"].mean()),
                "share_milk_below_310": float((cohort["milk_b12"] < 310).mean()),
                "loglog_slope": float(slope["estimate"]),
                "loglog_slope_ci_low": float(slope["ci_low"]),
                "loglog_slope_ci_high": float(slope["ci_high"]),
                "loglog_slope_p": float(slope["p_value"]),
                "p_trend": float(trend.p_trend),
                "seed": seed,
            }
        ]
    )
    return KenyaResult(
        cohort=cohort,
        line=line,
        linear=linear.to_frame(),
        trend=trend.to_frame(),
        summary=summary,
        assumptions=design.describe(),
        flags=tuple(design.flags),
        seed=seed,
    )


def figure_kenya(res: KenyaResult) -> Any:
    """Scatter with GEE fit and cut-offs (:func:`b12stats.plots.scatter.plot_milk_infant`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.scatter import plot_milk_infant

    s = res.summary.iloc[0]
    with style_context():
        fig, ax = plt.subplots(figsize=(7.8, 4.6))
        plot_milk_infant(
            res.cohort,
            line=res.line,
            target_r=float(s["target_r"]),
            simulated_r=float(s["simulated_r"]),
            r_label="r (log scale)",
            line_label="GEE fit, log-log (95% CI)",
            ax=ax,
        )
        ax.set_title(
            f"Simulated Kenya-like cohort ({int(s['n_dyads'])} dyads, "
            f"{int(s['n_clusters'])} clusters; seed {res.seed})",
            loc="left",
        )
        fig.tight_layout()
    return fig

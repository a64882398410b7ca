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

References
----------
Williams AM et al. (2018). J Nutr 148:86-93. doi:10.1093/jn/nxx009
Williams AM et al. (2016). J Nutr 146:1125-31. doi:10.3945/jn.115.228189
Chebaya P et al. (2017). Nutrients 9:270. doi:10.3390/nu9030270
Wang D et al. (2024). Am J Clin Nutr 119:730-739. doi:10.1016/j.ajcnut.2023.07.023

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
    "PTrendResult",
    "Section",
    "analysis_canada_cambodia",
    "analysis_correlations",
    "analysis_distributions",
    "analysis_ptrend",
    "analysis_supplement_effects",
    "build_report",
    "figure_canada_cambodia",
    "figure_correlations",
    "figure_distributions",
    "figure_ptrend",
    "figure_supplement_effects",
    "save_figure_set",
    "style_context",
]


def _rows(frame: Any) -> Iterator[Any]:
    """``frame.itertuples(index=False)`` typed loosely (cells are of any type)."""
    return iter(frame.itertuples(index=False))


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


#: Largest PNG written by :func:`save_figure_set` (committed figures stay small).
MAX_PNG_BYTES = 300_000


def save_figure_set(
    fig: Any,
    directory: str | Path,
    name: str,
    *,
    formats: Sequence[str] = ("png", "pdf"),
    dpi: int = 150,
    max_png_bytes: int = MAX_PNG_BYTES,
) -> list[Path]:
    """Save ``fig`` as ``directory/name.<fmt>`` for every format, atomically.

    PNGs are drawn at ``dpi``; if the file would exceed ``max_png_bytes`` the
    resolution is lowered step by step (to no less than 72 dpi). Vector formats
    (PDF, SVG) are resolution-independent.
    """
    from b12stats._io import save_figure, write_bytes

    paths = []
    for fmt in formats:
        path = Path(directory) / f"{name}.{fmt}"
        if fmt == "png":
            res = dpi
            while True:
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=res, bbox_inches="tight")
                if buf.tell() <= max_png_bytes or res <= 72:
                    break
                res = max(72, int(res * 0.85))
            write_bytes(path, buf.getvalue())
        else:  # no creation date in the file, so regenerated figures diff only when they change
            meta = (
                {"CreationDate": None} if fmt == "pdf" else {"Date": None} if fmt == "svg" else {}
            )
            save_figure(fig, path, bbox_inches="tight", metadata=meta)
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
    """One printed summary (quartiles, or a geometric mean with CI), its log-normal, shares."""

    row_id: str
    title: str
    country: str
    compartment: str
    unit: str
    fit: Any
    marks: tuple[tuple[float, str], ...]
    shares: pd.DataFrame


@dataclass(frozen=True)
class DistributionsResult:
    """Result of :func:`analysis_distributions`."""

    panels: tuple[DistributionPanel, ...]
    table: pd.DataFrame
    without_quartiles: pd.DataFrame


_COMPARTMENT_NAME = {
    "infant_serum": "infant serum B12",
    "infant_serum_or_plasma": "infant serum/plasma B12",
    "milk": "milk B12",
    "maternal_serum": "maternal serum B12",
}

_SIDE = {"<": "below", "<=": "at_or_below", ">": "above", ">=": "at_or_above"}

#: Cut-off drawn on milk panels with no printed share: the level behind the AI.
MILK_AI_LEVEL = 310.0


def _printed_share(row: Any) -> tuple[float, str]:
    if pd.notna(row.percent):
        pct = float(row.percent)
        return pct / 100.0, f"{pct:g}%"
    frac = str(row.fraction)
    num, den = (float(x) for x in frac.split("/"))
    qual = "≈ " if str(row.qualifier) == "approximately" else ""
    return num / den, f"{qual}{frac}"


def analysis_distributions() -> DistributionsResult:
    """Log-normal distributions behind printed summaries, with shares beyond cut-offs.

    Two kinds of printed summary give a distribution (pmol/L; infant blood and milk):

    * median (Q1, Q3): :func:`~b12stats.stats.quartiles.lognormal_from_quartiles`;
      shares beyond every cut-off printed for the same cohort and compartment from
      :func:`~b12stats.stats.quartiles.prevalence_from_quartiles` (delta-method CI
      when n is known);
    * geometric mean with 95% CI and n (Chebaya 2017):
      :meth:`b12stats.simulate.LognormalMarginal.from_geometric_mean_ci` for the
      curve; printed shares are set beside the audit's recomputation
      (:func:`b12stats.audit.check_prevalence_from_gm_ci`, with its CI). Milk has
      no printed share there: the share below 310 pmol/L is the curve's, without CI.

    Each row of ``table`` is one (summary, cut-off, printed share) triple.

    Examples
    --------
    >>> res = analysis_distributions()
    >>> row = res.table.set_index("printed_row_id").loc["w18_inf_220"]
    >>> round(float(row["implied"]), 3), round(float(row["printed"]), 3)
    (0.337, 0.333)
    """
    from b12stats.audit import check_prevalence_from_gm_ci, load_tables
    from b12stats.data import load_concentrations, load_prevalences
    from b12stats.simulate import LognormalMarginal
    from b12stats.stats.quartiles import lognormal_from_quartiles, prevalence_from_quartiles

    conc = load_concentrations()
    prev = load_prevalences()
    blood_or_milk = conc["compartment"].str.startswith("infant") | (conc["compartment"] == "milk")
    pmol = conc["unit"] == "pmol/L"
    quart = conc[conc["q1"].notna() & conc["q3"].notna() & pmol & blood_or_milk]
    gms = conc[
        (conc["statistic"] == "geometric_mean")
        & conc["ci_low"].notna()
        & conc["n"].notna()
        & pmol
        & blood_or_milk
    ]
    from_gm = {
        c.check_id.split(":")[0]: c
        for c in check_prevalence_from_gm_ci(load_tables())
        if c.check_id.endswith(":from_gm")
    }
    panels = []
    rows = []
    for c in [*_rows(quart), *_rows(gms)]:
        n = None if pd.isna(c.n) else int(c.n)
        by_quartiles = pd.notna(c.q1)
        marks: tuple[tuple[Any, str], ...]
        if by_quartiles:
            fit: Any = lognormal_from_quartiles(c.q1, c.value, c.q3)
            marks = ((c.q1, "Q1"), (c.value, "median"), (c.q3, "Q3"))
            basis = "quartiles"
        else:
            fit = LognormalMarginal.from_geometric_mean_ci(c.value, c.ci_low, c.ci_high, int(c.n))
            marks = ((c.value, "geometric mean"),)
            basis = "geometric mean (95% CI)"
        printed = prev[
            (prev["cohort"] == c.cohort)
            & (prev["compartment"] == c.compartment)
            & prev["cutoff"].notna()
            & (prev["unit"] == "pmol/L")
        ]
        share_rows = []
        for (cut, rel), grp in printed.groupby(["cutoff", "relation"], sort=True):
            side = _SIDE[str(rel)]
            pub = [_printed_share(r) for r in _rows(grp)]
            if by_quartiles:
                est = prevalence_from_quartiles(c.q1, c.value, c.q3, cut, side=side, n=n)
                e = est.iloc[0]
                implied = (float(e["estimate"]), float(e["ci_low"]), float(e["ci_high"]))
            else:
                chk = from_gm[str(grp["row_id"].iloc[0])]
                implied = (float(chk.value), float(chk.value_low), float(chk.value_high))
            texts = [f"{t} ({sid})" for (_, t), sid in zip(pub, grp["source_id"], strict=True)]
            share_rows.append(
                {
                    "cutoff": float(cut),
                    "side": side,
                    "estimate": implied[0],
                    "ci_low": implied[1],
                    "ci_high": implied[2],
                    "published": pub[0][0],
                    "published_text": "; ".join(texts),
                }
            )
            for (val, text), r in zip(pub, _rows(grp), strict=True):
                rows.append(
                    {
                        "summary_row_id": c.row_id,
                        "summary_source_id": c.source_id,
                        "basis": basis,
                        "cohort": c.cohort,
                        "compartment": c.compartment,
                        "n": n,
                        "mu": fit.mu,
                        "sigma": fit.sigma,
                        "cutoff": float(cut),
                        "side": side,
                        "implied": implied[0],
                        "implied_ci_low": implied[1],
                        "implied_ci_high": implied[2],
                        "printed": val,
                        "printed_text": text,
                        "printed_row_id": r.row_id,
                        "printed_source_id": r.source_id,
                    }
                )
        if not share_rows and c.compartment == "milk":
            share_rows.append(
                {
                    "cutoff": MILK_AI_LEVEL,
                    "side": "below",
                    "estimate": float(fit.cdf(MILK_AI_LEVEL)),
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "published": np.nan,
                    "published_text": "",
                }
            )
        country = _country(c.cohort)
        name = _COMPARTMENT_NAME.get(c.compartment, c.compartment)
        n_txt = f", n = {n}" if n is not None else ""
        panels.append(
            DistributionPanel(
                row_id=c.row_id,
                title=f"{country}: {name}\n({c.source_id}, {basis}{n_txt})",
                country=country,
                compartment=c.compartment,
                unit=c.unit,
                fit=fit,
                marks=tuple((float(v), lab) for v, lab in marks),
                shares=pd.DataFrame(share_rows),
            )
        )
    used = set(quart.index) | set(gms.index)
    others = conc[~conc.index.isin(used) & blood_or_milk]
    without = others[["row_id", "source_id", "cohort", "compartment", "statistic", "value", "n"]]
    return DistributionsResult(
        panels=tuple(panels), table=pd.DataFrame(rows), without_quartiles=without
    )


def figure_distributions(res: DistributionsResult) -> Any:
    """Infant blood (left), milk (right), a row per cohort (:func:`plot_quartile_distribution`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.distributions import plot_quartile_distribution

    countries = list(dict.fromkeys(p.country for p in res.panels)) or ["none"]
    kinds = ("infant", "milk")
    with style_context():
        fig, axes = plt.subplots(
            len(countries), len(kinds), figsize=(10.5, 3.5 * len(countries)), squeeze=False
        )
        for j, kind in enumerate(kinds):
            col_panels = [p for p in res.panels if p.compartment.startswith(kind)]
            if col_panels:  # one x range per column so the cohorts compare at a glance
                lo = min(float(p.fit.quantile(0.002)) for p in col_panels)
                hi = max(float(p.fit.quantile(0.998)) for p in col_panels)
            for i, country in enumerate(countries):
                ax = axes[i][j]
                match = [p for p in col_panels if p.country == country]
                if not match:
                    ax.set_axis_off()
                    ax.text(
                        0.5,
                        0.5,
                        f"{country}: no {kind} summary published",
                        ha="center",
                        va="center",
                        transform=ax.transAxes,
                    )
                    continue
                panel = match[0]
                plot_quartile_distribution(
                    panel.fit,
                    shares=panel.shares,
                    marks=panel.marks,
                    ax=ax,
                    unit=panel.unit,
                    quantity=_COMPARTMENT_NAME.get(panel.compartment, panel.compartment),
                    title=panel.title,
                    xlim=(lo, hi),
                )
            # and one density scale per column: equal heights mean equal densities
            drawn = [axes[i][j] for i in range(len(countries)) if axes[i][j].axison]
            if drawn:
                top = max(ax.get_ylim()[1] for ax in drawn)
                for ax in drawn:
                    ax.set_ylim(0, top)
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
    for e in _rows(eff):
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
    for c in _rows(claims[claims["row_id"] == "wa24_prenatal_7m"]):
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
    s: Any = src.loc[source_id]
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
    :func:`~b12stats.stats.correlation.compare_correlations` (Fisher's z test,
    Zou 2007 interval, doi:10.1037/1082-989X.12.4.399). Study CIs are Fisher-z
    intervals ``tanh(atanh r ± z / sqrt(n - 3))``.

    Examples
    --------
    >>> res = analysis_correlations()
    >>> round(float(res.comparison["p_value"].iloc[0]), 3)
    0.081
    >>> res.pooled[["k", "n_total"]].to_dict("records")
    [{'k': 2, 'n_total': 200}]
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
    pairs: list[Any] = [frozenset({x, y}) for x, y in zip(corr.var_x, corr.var_y, strict=True)]
    corr = corr.assign(pair=pairs)
    order = list(_PAIR_NAME)
    order += [p for p in dict.fromkeys(corr["pair"]) if p not in order]
    rows = []
    for pair in order:
        sub = corr[corr["pair"] == pair]
        if sub.empty:
            continue
        group = _PAIR_NAME.get(pair, " vs ".join(sorted(pair)))
        for c in _rows(sub):
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
        pool = pool_by_pair.get(pair)
        if pool is not None:
            f = pool.to_frame().iloc[0]
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
    """Fitted ``exp(a + b log x)`` of the log-log GEE with its pointwise Wald band.

    With coefficient covariance ``V`` (robust, from the fit), the band at
    ``t = log x`` is ``exp(a + b t ± z sqrt(V_aa + 2 t V_ab + t^2 V_bb))``.
    """
    from scipy import stats as _st

    from b12stats.models import fit_linear

    res = fit_linear(data, groups=groups, log=True, conf_level=conf_level)
    a0, b = (float(v) for v in res.coefficients["estimate"].iloc[:2])
    cov = np.asarray(res.cov_params, dtype=float)[:2, :2]
    t = np.log(grid)
    fit = a0 + b * t
    se = np.sqrt(np.maximum(cov[0, 0] + 2.0 * t * cov[0, 1] + t * t * cov[1, 1], 0.0))
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


# ---------------------------------------------------------------------------
# power by simulation
# ---------------------------------------------------------------------------

#: Numbers of dyads on the power curves.
POWER_N_DYADS = (30, 60, 100, 150, 200, 286, 400)


@dataclass(frozen=True)
class PowerResult:
    """Result of :func:`analysis_power`: :func:`b12stats.power.power` rows for both models."""

    table: pd.DataFrame
    design_n: int
    assumptions: pd.DataFrame


def analysis_power(
    *,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS,
    n_dyads: Sequence[int] = POWER_N_DYADS,
    design: str = "kenya",
    progress: bool | None = False,
) -> PowerResult:
    """Simulated power of the linear and trend GEE models over numbers of dyads.

    :func:`b12stats.power.power` for ``model="linear"`` (log-log slope) and
    ``model="trend"`` (milk-quartile score), the design's dyads per cluster
    kept, ``reps`` replicates per point, seeded by ``seed``.
    """
    from b12stats.power import power
    from b12stats.simulate import get_design

    d = get_design(design)
    parts = [
        power(d, n_dyads=list(n_dyads), reps=reps, model=m, rng=seed, progress=progress)
        for m in ("linear", "trend")
    ]
    return PowerResult(
        table=pd.concat(parts, ignore_index=True), design_n=d.n_dyads, assumptions=d.describe()
    )


def figure_power(res: PowerResult) -> Any:
    """Power curves (:func:`b12stats.plots.power.plot_power`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.power import plot_power

    with style_context():
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        plot_power(res.table, ax=ax, mark_n=res.design_n, mark_label="Williams 2016 women")
        design = str(res.table["design"].iloc[0]).capitalize()
        ax.set_title(
            f"Power at alpha = 0.05, {design}-like design (clusters scale with dyads)", loc="left"
        )
        fig.tight_layout()
    return fig


#: (n_dyads, n_clusters) scenarios for the P-trend analysis: the design's own
#: (286 dyads, 60 clusters, both assumptions) and two smaller cohorts, since the
#: number of dyads behind the published P-trend was not published.
PTREND_SCENARIOS = ((286, 60), (150, 30), (100, 20))
#: Replicates per P-trend scenario, as a multiple of the report's ``--reps``: the
#: share of P values above the published one is a tail share, so it needs more.
PTREND_REPS_FACTOR = 5


@dataclass(frozen=True)
class PTrendResult:
    """Result of :func:`analysis_ptrend`."""

    pvalues: pd.DataFrame  # one row per replicate: scenario, n_dyads, n_clusters, p_value, ...
    table: pd.DataFrame  # one row per scenario
    published_p: float
    published_text: str
    assumptions: pd.DataFrame
    correlation: float  # the design's target r (published, Williams 2018)


def analysis_ptrend(
    *,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS * PTREND_REPS_FACTOR,
    scenarios: Sequence[tuple[int, int]] = PTREND_SCENARIOS,
    design: str = "kenya",
    progress: bool | None = False,
) -> PTrendResult:
    """How plausible is the published P-trend given r = 0.36 in a Kenya-like cohort?

    Simulates ``reps`` cohorts per (n_dyads, n_clusters) scenario from the
    design (published quartiles and r; assumed clusters, ICCs and scale of r),
    fits the logistic GEE of adequacy on the milk-quartile score in each
    (:func:`b12stats.power.replicate_estimates`) and compares the distribution
    of its P with the published P-trend (effects row ``w18_ptrend``). The share
    of simulated P at or above the published one has Monte Carlo SE
    ``sqrt(s (1 - s) / reps)``.
    """
    from b12stats.data import load_effects
    from b12stats.power import replicate_estimates
    from b12stats.simulate import get_design

    effects = load_effects()
    row = effects[effects["row_id"] == "w18_ptrend"]
    published = float(row["p_value"].to_numpy(dtype=float)[0])
    published_text = str(row["p_text"].to_numpy()[0])
    d = get_design(design)
    parts, rows = [], []
    for n, k in scenarios:
        est = replicate_estimates(
            d, n_dyads=n, n_clusters=k, reps=reps, model="trend", rng=seed, progress=progress
        )
        label = f"{n} dyads, {k} clusters"
        parts.append(est.assign(scenario=label))
        p = est.loc[est["converged"], "p_value"].to_numpy(dtype=float)
        share = float(np.mean(p >= published)) if p.size else float("nan")
        rows.append(
            {
                "scenario": label,
                "n_dyads": n,
                "n_clusters": k,
                "reps": reps,
                "converged": int(p.size),
                "median_p": float(np.median(p)) if p.size else float("nan"),
                "share_p_at_or_above_published": share,
                "share_mcse": float(np.sqrt(share * (1 - share) / p.size)) if p.size else np.nan,
                "share_p_below_0_05": float(np.mean(p < 0.05)) if p.size else float("nan"),
                "mean_log_odds_per_quartile": float(est["estimate"].mean()),
                "seed": seed,
            }
        )
    return PTrendResult(
        pvalues=pd.concat(parts, ignore_index=True),
        table=pd.DataFrame(rows),
        published_p=published,
        published_text=published_text,
        correlation=float(d.correlation),
        assumptions=d.describe(),
    )


def figure_ptrend(res: PTrendResult) -> Any:
    """The simulated P-trend distributions (:func:`b12stats.plots.ptrend.plot_p_distribution`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.ptrend import plot_p_distribution

    with style_context():
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        plot_p_distribution(
            res.pvalues,
            published_p=res.published_p,
            published_label=f"Williams 2018 {res.published_text.split('=')[0].strip()}",
            ax=ax,
        )
        ax.set_title("Milk-quartile trend test in simulated Kenya-like cohorts", loc="left")
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# audit
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditResult:
    """Result of :func:`analysis_audit`: the full table and counts by source kind."""

    table: pd.DataFrame
    summary: pd.DataFrame
    verdicts: tuple[str, ...]


def analysis_audit() -> AuditResult:
    """Every published claim recomputed and judged (:func:`b12stats.audit.run_audit`)."""
    from b12stats import audit

    res = audit.run_audit()
    return AuditResult(
        table=res.to_frame(),
        summary=res.summary(),
        verdicts=tuple(getattr(audit, "VERDICTS", ())),
    )


def figure_audit(res: AuditResult) -> Any:
    """Verdict counts by source kind (:func:`b12stats.plots.audit.plot_audit`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.audit import plot_audit

    with style_context():
        fig, ax = plt.subplots(figsize=(7.5, 2.8))
        plot_audit(res.table, ax=ax, verdict_order=res.verdicts or None)
        ax.set_title(f"Audit: {len(res.table)} checks of published claims", loc="left")
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# HTML assembly
# ---------------------------------------------------------------------------


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
    sec.finding = (
        f"Under a log-normal through each printed summary, {n_agree} of {len(bits)} "
        "printed shares beyond a cut-off agree with the share the summary implies. "
        "Cohorts with a median or mean only (Tanzania, Norway, India) give no spread, "
        "so no distribution is drawn for them."
    )
    sec.finding_items = [b[0].upper() + b[1:] for b in bits]
    sec.figures.append(
        (
            "distributions",
            figure_distributions(res),
            "Log-normal densities on a log axis through the printed quartiles (Kenya) or "
            "geometric mean, 95% CI and n (Canada, Cambodia); shaded: the share beyond each "
            "cut-off the curve implies; boxes: implied share (95% CI where n is known) and the "
            "printed share. Milk panels without a printed share show the 310 pmol/L level "
            "behind the Adequate Intake.",
        )
    )
    sec.tables.append(("Implied vs printed shares", res.table))
    sec.tables.append(("Summaries without a spread (not drawn)", res.without_quartiles))
    return sec


def _section_cohorts() -> Section:
    res = analysis_canada_cambodia()
    sec = Section("canada_cambodia", "Canada vs Cambodia: summary page vs primary paper")
    inside = int(res.outside_ci["summary_inside_primary_ci"].sum())
    total = len(res.outside_ci)
    sec_r = res.ratios[res.ratios["source_kind"] == "secondary"]["ratio"]
    pri_r = res.ratios[res.ratios["source_kind"] == "primary"]["ratio"]
    sec.finding = (
        f"{'None' if inside == 0 else inside} of the summary page's {total} medians "
        f"{'lies' if inside == 0 else 'lie'} inside the primary paper's 95% CI "
        f"of the geometric mean for the same country and compartment; the summary's "
        f"Canada/Cambodia ratios ({sec_r.min():.2f}x–{sec_r.max():.2f}x) are far larger than "
        f"the primary paper's ({pri_r.min():.2f}x–{pri_r.max():.2f}x), and its sample sizes "
        "(40 and 67) are not the paper's (124 and 69)."
    )
    sec.figures.append(
        (
            "canada_cambodia",
            figure_canada_cambodia(res),
            "Filled circles: "
            "primary geometric means with 95% CI; open diamonds: the summary "
            "page's medians; top: Canada/Cambodia ratios of both sources.",
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
            f"{c['ci_high']:.2f}; P = {c['p_value']:.3f}), so they do not show that the "
            "association differs between the countries"
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
    sec.tables.append(("Comparison of 0.51 and 0.20", res.comparison))
    return sec


def _section_effects() -> Section:
    res = analysis_supplement_effects()
    sec = Section("supplementation", "Wang 2024: prenatal and postnatal supplements")
    t = res.table.dropna(subset=["estimate"])
    bits = [
        f"{r.group.lower()} {r.ci_text.replace(' (', '% (')} at {r.label}, "
        f"printed {r.p_text}, recomputed from the CI P = {r.p_from_ci:.3g}"
        f" ({'consistent' if r.p_consistent else 'inconsistent'})"
        for r in _rows(t)
    ]
    sec.finding = (
        "Milk B12 was higher with the supplement than with placebo: "
        + "; ".join(bits)
        + ". The prenatal effect at 7 months is described only in words (no effect); "
        "no estimate is drawn for it."
    )
    sec.figures.append(
        (
            "supplementation",
            figure_supplement_effects(res),
            "Percent difference in milk B12, supplement vs placebo, with printed 95% CIs.",
        )
    )
    sec.tables.append(("Effects", res.table))
    return sec


def _section_kenya(seed: int) -> Section:
    res = analysis_kenya(seed=seed)
    s = res.summary.iloc[0]
    sec = Section("kenya", "A simulated Kenya-like cohort and the papers' GEE models")
    sec.finding = (
        f"One cohort of {int(s['n_dyads'])} dyads in {int(s['n_clusters'])} clusters, "
        f"simulated from the published quartiles and r = {s['target_r']:.2f} (seed {seed}), "
        f"has r = {s['simulated_r']:.2f} on the log scale, {_pct0(1 - s['share_adequate'])} of "
        f"infants at or below 220 pmol/L and {_pct0(s['share_milk_below_310'])} of milk "
        f"below 310 pmol/L. Its GEE log-log slope is {s['loglog_slope']:.2f} (95% CI "
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
            "band, and the 310 and 220 pmol/L cut-offs.",
        )
    )
    sec.tables.append(("Headline numbers", _name_value(res.summary)))
    sec.tables.append(("Linear GEE (log-log)", res.linear))
    sec.tables.append(("Trend GEE (adequacy on milk quartile)", res.trend))
    sec.assumptions.append(("Kenya design", res.assumptions))
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
        f"With the Kenya-like design ({reps} simulated studies per point, seed {seed}), "
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
    others = "; ".join(
        f"{int(r.n_dyads)} dyads: {100 * r.share_p_at_or_above_published:.1f}%"
        for r in _rows(t.iloc[1:])
    )
    sec.finding = (
        f"Williams 2018 printed {res.published_text} for milk B12 and infant adequacy. In "
        f"{int(first['reps'])} simulated Kenya-like cohorts of {int(first['n_dyads'])} dyads "
        f"with r = {res.correlation:.2f} the trend test's median P is {first['median_p']:.2g} "
        "and only "
        f"{100 * first['share_p_at_or_above_published']:.1f}% "
        f"(Monte Carlo SE {100 * first['share_mcse']:.1f}%) have P at or above the published "
        f"value (smaller cohorts — {others}). Under these assumptions the published P-trend "
        f"is weaker than r = {res.correlation:.2f} implies: the model was fitted on fewer "
        f"dyads than the {int(first['n_dyads'])} assumed here, or the milk effect adjusted "
        "for the multivariable model's covariates was weaker than the crude r. The scale of r "
        "does not "
        "explain it: read as Spearman or as Pearson on concentrations, r = "
        f"{res.correlation:.2f} implies a stronger latent correlation, not a weaker one."
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


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:2em}h3{font-size:1em}
.finding{background:#f3f7fb;border-left:4px solid #0072B2;padding:.6em .9em}
div.finding p{margin:0 0 .3em}div.finding ul{margin:0;padding-left:1.3em}
figure{margin:1em 0}figure img{max-width:100%;height:auto}figcaption{font-size:.85em;color:#555}
div.tbl{overflow-x:auto;max-height:32em;overflow-y:auto;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:.78em}th,td{border:1px solid #ddd;padding:2px 6px;
text-align:left;vertical-align:top;max-width:30em}th{background:#f2f2f2;position:sticky;top:0}
th.txt,td.txt{min-width:12em;max-width:40em}th.wide,td.wide{min-width:26em}
td.id{min-width:9em;max-width:12em;overflow-wrap:anywhere}td{font-variant-numeric:tabular-nums}
.na{color:#a00}td.v-ok{background:#e6f4ee}td.v-bad{background:#fbe3d6;font-weight:bold}
td.v-na{background:#eee}.meta{font-size:.85em;color:#555}details{margin:.4em 0}
"""

_SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) { ok++; }
  }
  document.body.setAttribute('data-images-loaded', ok + '/' + imgs.length);
});
"""


def _fig_to_base64(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


#: Columns holding P values: shown with two significant digits (``3.1e-05``,
#: ``0.025``); every other float with four. CSV outputs keep full precision.
_P_COLUMNS = frozenset({"p_value", "p_from_ci", "median_p", "p_trend", "loglog_slope_p"})
#: Columns of free text: given room to wrap instead of being squeezed.
_TEXT_COLUMNS = frozenset({"detail", "explanation", "note", "text", "claim", "pooling"})
#: Long identifier columns, allowed to break so that they do not take the room of text.
_ID_COLUMNS = frozenset({"check_id", "source", "row_id", "summary_row_id"})
#: Text columns that carry the explanation of a row: the widest.
_WIDE_COLUMNS = frozenset({"detail", "explanation"})


def _fmt_cell(x: Any, *, p_value: bool = False) -> str:
    """One table cell as a human reads it (floats rounded, missing values blank)."""
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, float | np.floating):
        if not np.isfinite(x):
            return ""
        value = float(x)
        if value.is_integer() and abs(value) < 1e9 and not p_value:
            return f"{int(value)}"
        return f"{x:.2g}" if p_value else f"{x:.4g}"
    if x is None or x is pd.NA:
        return ""
    return str(x)


_VERDICT_CLASS = {
    "reproduced": "v-ok",
    "consistent": "v-ok",
    "inconsistent": "v-bad",
    "conflicts_with_primary": "v-bad",
    "unverifiable": "v-na",
}


def _name_value(frame: pd.DataFrame) -> pd.DataFrame:
    """A one-row table as ``quantity, value`` rows (readable instead of very wide)."""
    row = frame.iloc[0]
    return pd.DataFrame(
        {
            "quantity": [str(c) for c in frame.columns],
            "value": [_fmt_cell(row[c], p_value=c in _P_COLUMNS) for c in frame.columns],
        }
    )


#: A one-row table wider than this is shown as quantity/value rows.
MAX_ROW_COLUMNS = 8


def _table_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an HTML table for reading (full precision stays in the CSVs).

    Columns empty in every row are left out and text columns get room to wrap.
    """
    frame = frame.loc[:, [c for c in frame.columns if not frame[c].isna().all()]]
    if len(frame) == 1 and frame.shape[1] > MAX_ROW_COLUMNS:  # one wide row: read it down
        row = frame.iloc[0]
        frame = pd.DataFrame(
            {
                "quantity": [str(c) for c in frame.columns],
                "value": [_fmt_cell(v, p_value=str(c) in _P_COLUMNS) for c, v in row.items()],
            }
        )
    cols = [str(c) for c in frame.columns]
    klass = dict.fromkeys(_TEXT_COLUMNS, ' class="txt"')
    klass.update(dict.fromkeys(_WIDE_COLUMNS, ' class="txt wide"'))
    head = "".join(f"<th{klass.get(c, '')}>{html.escape(c)}</th>" for c in cols)
    verdict_col = cols.index("verdict") if "verdict" in cols else -1
    body = []
    for row in _rows(frame):
        cells = []
        for i, v in enumerate(row):
            text = html.escape(_fmt_cell(v, p_value=cols[i] in _P_COLUMNS))
            if i == verdict_col and str(v) in _VERDICT_CLASS:  # colour verdicts as in the figure
                label = html.escape(str(v).replace("_", " "))
                cells.append(f'<td class="{_VERDICT_CLASS[str(v)]}">{label}</td>')
            elif cols[i] in _TEXT_COLUMNS:
                cells.append(f"<td{klass[cols[i]]}>{text}</td>")
            elif cols[i] in _ID_COLUMNS:  # long keys may break (at any character)
                cells.append(f'<td class="id">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    rows = "".join(body)
    return (
        f'<div class="tbl"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _sources_html() -> str:
    from b12stats.data import load_sources

    src = load_sources()
    groups: dict[str, list[str]] = {}
    for s in _rows(src):
        bits = [f"<code>{html.escape(str(s.source_id))}</code>"]  # the kind is the heading
        if isinstance(s.authors, str) and s.authors.strip().lower() != "unknown":
            bits.append(html.escape(s.authors))
        if pd.notna(s.year):
            bits.append(f"{int(s.year)}.")
        if isinstance(s.title, str):
            bits.append(html.escape(s.title) + ".")
        if isinstance(s.journal, str):
            vol = f" {s.volume_pages}" if isinstance(s.volume_pages, str) else ""
            bits.append(html.escape(f"{s.journal}{vol}."))
        if isinstance(s.doi, str) and s.doi:
            doi = html.escape(s.doi)
            bits.append(f'doi:<a href="https://doi.org/{doi}">{doi}</a>.')
        else:
            bits.append("<em>no DOI found</em>.")
        if pd.notna(s.pmid) and str(s.pmid).strip():
            bits.append(f"PMID {html.escape(str(s.pmid).strip())}.")
        if isinstance(s.cites_source_id, str) and s.cites_source_id:
            bits.append(f"Claims to report <code>{html.escape(s.cites_source_id)}</code>.")
        groups.setdefault(str(s.kind), []).append(f"<li>{' '.join(bits)}</li>")
    order = [k for k in _SOURCE_KIND_HEADINGS if k in groups] + sorted(
        k for k in groups if k not in _SOURCE_KIND_HEADINGS
    )
    return "".join(
        f"<h3>{html.escape(_SOURCE_KIND_HEADINGS.get(k, k))}</h3><ul>{''.join(groups[k])}</ul>"
        for k in order
    )


#: Source kinds in the order the report lists them, with their headings.
_SOURCE_KIND_HEADINGS = {
    "primary": "Primary papers",
    "secondary": "Secondary summaries",
    "lay": "Lay articles",
    "reference": "Reference values and constants",
}


def _section_html(sec: Section) -> str:
    out = [f'<section id="{html.escape(sec.key)}"><h2>{html.escape(sec.title)}</h2>']
    if not sec.available:
        out.append(f'<p class="na">{html.escape(sec.finding)}</p></section>')
        return "".join(out)
    if sec.finding_items:
        items = "".join(f"<li>{html.escape(i)}</li>" for i in sec.finding_items)
        out.append(f'<div class="finding"><p>{html.escape(sec.finding)}</p><ul>{items}</ul></div>')
    else:
        out.append(f'<p class="finding">{html.escape(sec.finding)}</p>')
    for name, fig, caption in sec.figures:
        data = _fig_to_base64(fig)
        out.append(
            f'<figure><img alt="{html.escape(name)}: {html.escape(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}'
            "</figcaption></figure>"
        )
    for note in sec.notes:
        out.append(f'<p class="meta">Note: {html.escape(note)}</p>')
    for caption, frame in sec.tables:
        out.append(f"<h3>{html.escape(caption)}</h3>{_table_html(frame)}")
    out.append("</section>")
    return "".join(out)


def _run_section(key: str, title: str, fn: Callable[[], Section]) -> Section:
    t0 = time.perf_counter()
    try:
        sec = fn()
    except ImportError as exc:  # a library piece missing from this installation
        logger.warning("section %s: %s", key, exc)
        sec = Section(key, title, available=False, finding=f"{title}: {_NOT_AVAILABLE} ({exc}).")
    sec.seconds = time.perf_counter() - t0
    return sec


def build_report(
    out: str | Path = "report",
    *,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS,
    progress: bool | None = None,
) -> Path:
    """Run every analysis and write one self-contained ``out/index.html``.

    Parameters
    ----------
    out
        Output directory (created if missing).
    seed
        Seed of every simulation (the Kenya cohort and the power curves).
    reps
        Monte Carlo replicates per point of the power curves.
    progress
        Print one line per section on stderr; default: only when stderr is a
        terminal.

    Returns
    -------
    Path
        The path of ``index.html``.

    Examples
    --------
    >>> import tempfile
    >>> path = build_report(tempfile.mkdtemp(), reps=20)  # doctest: +SKIP
    """
    import matplotlib

    from b12stats._io import write_text
    from b12stats.errors import OptionError

    if not isinstance(reps, int | np.integer) or reps < 1:
        raise OptionError(f"reps must be a whole number >= 1, got {reps!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise OptionError(f"seed must be a non-negative whole number, got {seed!r}")
    if progress is None:
        progress = sys.stderr.isatty()
    t_start = time.perf_counter()
    started = _dt.datetime.now(_dt.UTC)
    plan: list[tuple[str, str, Callable[[], Section]]] = [
        ("audit", "Audit of every published claim", _section_audit),
        ("canada_cambodia", "Canada vs Cambodia", _section_cohorts),
        (
            "distributions",
            "Distributions rebuilt from published quartiles",
            _section_distributions,
        ),
        ("correlations", "Published correlations", _section_correlations),
        ("supplementation", "Wang 2024 supplement effects", _section_effects),
        ("kenya", "Simulated Kenya-like cohort", lambda: _section_kenya(seed)),
        ("ptrend", "Plausibility of the published P-trend", lambda: _section_ptrend(seed, reps)),
        ("power", "Power by simulation", lambda: _section_power(seed, reps)),
    ]
    sections = []
    for i, (key, title, fn) in enumerate(plan, 1):
        if progress:
            print(f"[{i}/{len(plan)}] {title} ...", file=sys.stderr, flush=True)
        sections.append(_run_section(key, title, fn))
    assumptions: list[tuple[str, pd.DataFrame]] = []
    for sec in sections:  # the same design used twice is listed once
        for name, frame in sec.assumptions:
            same = [n for n, f in assumptions if f.equals(frame)]
            if same:
                sec.notes.append(f"{name}: the same design as '{same[0]}'.")
                continue
            assumptions.append((name, frame))
    toc = "".join(
        f'<li><a href="#{html.escape(s.key)}">{html.escape(s.title)}</a></li>' for s in sections
    )
    body = "".join(_section_html(s) for s in sections)
    assum_html = (
        "".join(f"<h3>{html.escape(name)}</h3>{_table_html(frame)}" for name, frame in assumptions)
        or f"<p>{_NOT_AVAILABLE}</p>"
    )
    elapsed = time.perf_counter() - t_start
    meta = (
        f"b12stats {html.escape(__version__)} · seed {seed} · {reps} Monte Carlo replicates "
        f"per power point · generated {started:%Y-%m-%d %H:%M:%S} UTC · "
        f"numpy {np.__version__}, pandas {pd.__version__}, matplotlib "
        f"{matplotlib.__version__}, Python {sys.version.split()[0]} · {elapsed:.1f} s"
    )
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>b12stats report</title><style>{_CSS}</style><script>{_SCRIPT}</script></head>
<body data-images-loaded="pending">
<h1>Vitamin B12 in mothers, milk and infants: a reanalysis of published numbers</h1>
<p class="meta">{meta}</p>
<p>Every number below is either printed in a source (listed at the end, with its kind:
primary paper, secondary summary, lay article, reference value) or computed from printed
numbers by b12stats. Simulated cohorts rest on the assumptions listed in their section.
Reproduce with <code>b12stats report --seed {seed} --reps {reps}</code>.</p>
<nav><ol>{toc}<li><a href="#assumptions">Assumptions behind the simulations</a></li>
<li><a href="#sources">Sources</a></li></ol></nav>
{body}
<section id="assumptions"><h2>Assumptions behind the simulations</h2>
<p>Status "published" values come from the bundled data (row id given), "published
(secondary)" ones from a secondary or lay source's row (use with care); "assumed" values
were not published and can be changed with <code>Design.replace</code>.</p>{assum_html}
</section>
<section id="sources"><h2>Sources</h2>{_sources_html()}</section>
<p class="meta">{meta}</p>
</body></html>
"""
    path = Path(out) / "index.html"
    write_text(path, doc)
    with contextlib.suppress(OSError):  # temp files are created 0600; a report is for sharing
        path.chmod(0o644)
    if progress:
        print(f"wrote {path} ({elapsed:.1f} s)", file=sys.stderr, flush=True)
    return path

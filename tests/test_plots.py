"""Figures: render each on the Agg backend and check what is drawn.

Not only that a file appears: axis labels and units, the number of points or
rows, the cut-off lines, the printed numbers in the annotations, that global
rcParams are left alone, and that the committed PNGs stay small.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from numpy.testing import assert_allclose

from b12stats import reanalysis, report
from b12stats.errors import OptionError
from b12stats.plots.audit import plot_audit
from b12stats.plots.cohorts import plot_cohort_comparison
from b12stats.plots.correlations import plot_correlations
from b12stats.plots.distributions import plot_quartile_distribution
from b12stats.plots.effects import plot_effects
from b12stats.plots.power import plot_power
from b12stats.plots.scatter import plot_milk_infant
from b12stats.plots.style import COLORS
from b12stats.stats.quartiles import lognormal_from_quartiles

ROOT = Path(__file__).resolve().parent.parent
#: The issue's size limit for committed figure PNGs.
MAX_PNG_BYTES = 300_000
#: Printed shares are compared at the precision they are written in the figure
#: (whole percent), so half a percentage point.
PCT_TOL = 0.005


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def _texts(ax) -> str:
    return "\n".join(t.get_text() for t in ax.texts)


def _vlines_at(ax, x: float) -> list[Line2D]:
    return [
        ln
        for ln in ax.lines
        if len(ln.get_xdata()) == 2 and np.allclose(np.asarray(ln.get_xdata(), float), x)
    ]


def _hlines_at(ax, y: float) -> list[Line2D]:
    return [
        ln
        for ln in ax.lines
        if len(ln.get_ydata()) == 2 and np.allclose(np.asarray(ln.get_ydata(), float), y)
    ]


# --------------------------------------------------------------------------- distributions


def test_distribution_draws_cutoff_shading_and_both_shares(ax):
    fit = lognormal_from_quartiles(193, 276, 399)
    shares = pd.DataFrame(
        {
            "cutoff": [220.0],
            "side": ["at_or_below"],
            "estimate": [0.337],
            "ci_low": [np.nan],
            "ci_high": [np.nan],
            "published": [1 / 3],
            "published_text": ["≈ 1/3"],
        }
    )
    plot_quartile_distribution(fit, shares=shares, ax=ax)
    assert ax.get_xscale() == "log"
    assert "pmol/L" in ax.get_xlabel()
    assert ax.get_ylabel()
    assert len(_vlines_at(ax, 220.0)) == 1  # the cut-off line
    # one shaded region, lying entirely at or below the cut-off
    fills = [c for c in ax.collections if c.get_paths()]
    assert len(fills) == 1
    verts = fills[0].get_paths()[0].vertices
    assert verts[:, 0].max() <= 220.0 + 1e-9
    text = _texts(ax)
    assert "implied 34%" in text and "printed ≈ 1/3" in text and "≤ 220 pmol/L" in text
    # quartile labels are the printed quartiles
    for q in ("193", "276", "399"):
        assert q in text


@pytest.mark.parametrize("cutoff", [150.0, 220.0, 600.0])
def test_distribution_share_box_leaves_the_cutoff_line_visible(ax, cutoff):
    # the box sits beside its cut-off line, never across it; several printed
    # shares go on one line each
    fit = lognormal_from_quartiles(61, 113, 199)
    shares = pd.DataFrame(
        {
            "cutoff": [cutoff],
            "side": ["below"],
            "estimate": [0.88],
            "ci_low": [0.83],
            "ci_high": [0.92],
            "published": [0.90],
            "published_text": ["90% (williams2018); 89% (williams2016)"],
        }
    )
    plot_quartile_distribution(fit, shares=shares, ax=ax)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = next(t for t in ax.texts if "implied" in t.get_text())
    assert "printed 90% (williams2018)\nprinted 89% (williams2016)" in box.get_text()
    extent = box.get_window_extent(renderer)
    line_x = ax.transData.transform((cutoff, 0.0))[0]
    assert not extent.x0 <= line_x <= extent.x1
    axes_box = ax.get_window_extent(renderer)
    assert axes_box.x0 <= extent.x0 and extent.x1 <= axes_box.x1


def test_distribution_from_bundled_data_matches_printed_shares():
    res = reanalysis.analysis_distributions()
    # Kenya (quartiles), Canada and Cambodia (geometric mean, CI, n): infant and milk each
    assert sorted((p.country, p.compartment.split("_")[0]) for p in res.panels) == sorted(
        [
            ("Kenya", "infant"),
            ("Kenya", "milk"),
            ("Canada", "infant"),
            ("Canada", "milk"),
            ("Cambodia", "infant"),
            ("Cambodia", "milk"),
        ]
    )
    tab = res.table.set_index("printed_row_id")
    # Williams 2018: "approximately one-third" <= 220; Williams 2016: 89% < 310
    assert_allclose(tab.loc["w18_inf_220", "printed"], 1 / 3)
    assert_allclose(tab.loc["w18_inf_220", "implied"], 1 / 3, atol=0.01)
    assert_allclose(tab.loc["w16_milk_310", "printed"], 0.89)
    for row_id in ("w16_milk_310", "ch17_can_inf_221", "ch17_cam_inf_221"):
        row = tab.loc[row_id]
        assert row["implied_ci_low"] <= row["printed"] <= row["implied_ci_high"], row_id
    fig = report.figure_distributions(res)
    try:
        axes = fig.get_axes()
        assert len(axes) == 6
        # one row per cohort (Kenya, Canada, Cambodia), infant left, milk right
        infant_kenya, milk_kenya, infant_canada, milk_canada = axes[:4]
        assert len(_vlines_at(infant_kenya, 220.0)) == 1
        assert len(_vlines_at(infant_canada, 221.0)) == 1
        assert len(_vlines_at(milk_kenya, 310.0)) == 1
        assert "printed 90% (williams2018)\nprinted 89% (williams2016)" in _texts(milk_kenya)
        assert "printed 94% (chebaya2017)" in _texts(infant_canada)
        assert "no share printed" in _texts(milk_canada)
        # one x range per column, so cohorts compare at a glance
        assert infant_kenya.get_xlim() == infant_canada.get_xlim()
        # and one density scale per column (the milk peaks differ: 1.05 vs 1.42)
        assert infant_kenya.get_ylim() == infant_canada.get_ylim()
        assert milk_kenya.get_ylim() == milk_canada.get_ylim()
        for ax in axes:
            assert "pmol/L" in ax.get_xlabel()
    finally:
        plt.close(fig)


def test_distribution_rejects_incomplete_shares(ax):
    fit = lognormal_from_quartiles(193, 276, 399)
    with pytest.raises(OptionError, match="missing columns"):
        plot_quartile_distribution(fit, shares=pd.DataFrame({"cutoff": [220.0]}), ax=ax)


# --------------------------------------------------------------------------- Canada vs Cambodia


def test_cohort_comparison_draws_every_value_with_ratios():
    res = reanalysis.analysis_cohort_comparison()
    fig = report.figure_cohort_comparison(res)
    try:
        ax = fig.get_axes()[0]
        assert ax.get_ylabel() == "vitamin B12 (pmol/L)"
        assert [t.get_text() for t in ax.get_xticklabels()] == [
            "maternal serum/plasma",
            "breast milk",
            "infant serum/plasma",
        ]
        # 6 geometric means (errorbar markers) + 6 medians (open diamonds)
        markers = [
            ln for ln in ax.lines if ln.get_marker() in ("o", "D") and len(ln.get_xdata()) == 1
        ]
        assert sum(ln.get_marker() == "o" for ln in markers) == 6
        assert sum(ln.get_marker() == "D" for ln in markers) == 6
        ys = sorted(float(ln.get_ydata()[0]) for ln in markers)
        assert_allclose(ys, sorted([698, 452, 506, 620, 317, 357, 348, 347, 291, 171, 148, 145]))
        text = _texts(ax)
        for printed in ("2.03x", "2.01x", "2.34x", "1.13x"):
            assert printed in text
    finally:
        plt.close(fig)
    assert not res.outside_ci["summary_inside_primary_ci"].any()


def test_cohort_comparison_rejects_missing_columns(ax):
    with pytest.raises(OptionError, match="missing columns"):
        plot_cohort_comparison(pd.DataFrame({"value": [1.0]}), ax=ax)


# --------------------------------------------------------------------------- Wang effects


def test_effects_rows_printed_text_and_reference_line():
    res = reanalysis.analysis_supplement_effects()
    fig = report.figure_supplement_effects(res)
    try:
        ax = fig.get_axes()[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["6 weeks postpartum", "7 months postpartum", "7 months postpartum"]
        assert "(%)" in ax.get_xlabel()
        assert len(_vlines_at(ax, 0.0)) == 1
        text = _texts(ax)
        assert "34.4 (17.0, 54.5)" in text  # printed decimals kept
        assert "15.9 (1.91, 31.9)" in text
        assert "no effect" in text
        assert "Prenatal supplement" in text and "Postnatal supplement" in text
    finally:
        plt.close(fig)
    # P recomputed from the CI: 0.0249 for 15.9 (1.91, 31.9) (Altman-Bland, by hand)
    row = res.table.set_index("row_id").loc["wa24_postnatal_7m"]
    assert_allclose(row["p_from_ci"], 0.0249, atol=5e-5)


def test_effects_rejects_missing_columns(ax):
    with pytest.raises(OptionError):
        plot_effects(pd.DataFrame({"label": ["x"]}), ax=ax)


# --------------------------------------------------------------------------- correlations


def test_correlations_forest_rows_pool_and_difference():
    res = reanalysis.analysis_correlations()
    fig = report.figure_correlations(res)
    try:
        ax = fig.get_axes()[0]
        assert len(ax.get_yticklabels()) == len(res.rows)
        assert "correlation r" in ax.get_xlabel()
        assert ax.get_xlim() == (-1.0, 1.0)
        # one pooled diamond (maternal vs infant blood, Punjab + Mittal)
        diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
        assert len(diamonds) == 1
        text = _texts(ax)
        assert "0.51 − 0.20 = 0.31" in text and "P = 0.081" in text
        assert "r = 0.51 (0.24, 0.71); n = 40" in text
    finally:
        plt.close(fig)
    assert res.pooled["k"].tolist() == [2]
    # compare_correlations(0.51, 40, 0.20, 67): z = 1.7431 (stats.correlation docstring)
    assert_allclose(res.comparison["statistic"].iloc[0], 1.7431, atol=1e-4)


def test_correlations_draws_nothing_for_missing_r(ax):
    rows = pd.DataFrame(
        {
            "group": ["g", "g"],
            "label": ["with r", "no r"],
            "row_type": ["study", "study"],
            "estimate": [0.4, np.nan],
            "ci_low": [0.1, np.nan],
            "ci_high": [0.6, np.nan],
            "source_kind": ["primary", "primary"],
            "text": ["r = 0.40", "no r printed"],
        }
    )
    plot_correlations(rows, ax=ax)
    points = [ln for ln in ax.lines if ln.get_marker() == "s"]
    assert len(points) == 1
    assert_allclose(points[0].get_xdata(), [0.4])


#: WCAG 2 minimum contrast for normal text (success criterion 1.4.3, AA).
WCAG_AA_CONTRAST = 4.5


def _contrast_on_white(color: str) -> float:
    # WCAG 2 relative luminance and contrast ratio, worked from the definition
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (lum + 0.05)


def test_correlations_text_is_readable_on_white(ax):
    rows = pd.DataFrame(
        {
            "group": ["g", "g", "g"],
            "label": ["primary", "secondary", "no r"],
            "row_type": ["study", "study", "study"],
            "estimate": [0.4, 0.5, np.nan],
            "ci_low": [0.1, 0.2, np.nan],
            "ci_high": [0.6, 0.7, np.nan],
            "source_kind": ["primary", "secondary", "primary"],
            "text": ["r = 0.40", "r = 0.50; secondary", "no r printed"],
        }
    )
    plot_correlations(rows, ax=ax)
    texts = [t for t in ax.texts if t.get_text().startswith(("r = ", "no r"))]
    assert len(texts) == 3
    for t in texts:
        assert _contrast_on_white(t.get_color()) >= WCAG_AA_CONTRAST, t.get_text()
    # the secondary marker keeps the flag colour (lighter than its text)
    marker = next(ln for ln in ax.lines if ln.get_marker() == "s" and ln.get_xdata()[0] == 0.5)
    assert marker.get_color() == COLORS["secondary"]


# --------------------------------------------------------------------------- scatter


def test_scatter_points_cutoffs_band_and_r(ax):
    rng = np.random.default_rng(3)
    d = pd.DataFrame(
        {
            "milk_b12": np.exp(rng.normal(4.7, 0.8, 57)),
            "infant_b12": np.exp(rng.normal(5.6, 0.5, 57)),
        }
    )
    line = pd.DataFrame(
        {
            "x": [20.0, 500.0],
            "estimate": [200.0, 300.0],
            "ci_low": [180.0, 270.0],
            "ci_high": [220.0, 330.0],
        }
    )
    plot_milk_infant(d, line=line, target_r=0.36, simulated_r=0.31, ax=ax)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "milk B12 (pmol/L, log scale)"
    assert ax.get_ylabel() == "infant serum B12 (pmol/L, log scale)"
    pts = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(pts) == 1 and len(pts[0].get_offsets()) == 57
    assert len(_vlines_at(ax, 310.0)) == 1
    assert len(_hlines_at(ax, 220.0)) == 1
    text = _texts(ax)
    assert "target r = 0.36" in text and "simulated r = 0.31" in text
    # legend sits outside the data area (anchored right of the axes)
    legend = ax.get_legend()
    assert legend is not None and legend._bbox_to_anchor.bounds[0] > ax.bbox.bounds[0]


def test_scatter_rejects_non_positive(ax):
    d = pd.DataFrame({"milk_b12": [0.0, 1.0], "infant_b12": [1.0, 2.0]})
    with pytest.raises(OptionError, match="positive"):
        plot_milk_infant(d, ax=ax)


# --------------------------------------------------------------------------- power


def test_power_curves_error_bars_and_target(ax):
    f = pd.DataFrame(
        {
            "model": ["linear"] * 3 + ["trend"] * 3,
            "n_dyads": [50, 100, 200] * 2,
            "power": [0.4, 0.7, 0.95, 0.2, 0.45, 0.8],
            "power_mcse": [0.05, 0.045, 0.02, 0.04, 0.05, 0.04],
            "reps": [100] * 6,
        }
    )
    plot_power(f, ax=ax, mark_n=286)
    data_lines = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert len(data_lines) == 2
    assert_allclose(np.asarray(data_lines[1].get_ydata(), float), [0.2, 0.45, 0.8])
    assert len(_hlines_at(ax, 0.8)) == 1
    assert len(_vlines_at(ax, 286.0)) == 1
    assert ax.get_xlabel() == "number of mother-infant dyads"
    assert "Monte Carlo SE" in ax.get_ylabel()
    # error bar half-length is 1.96 MCSE: check the first point of the first curve
    segs = next(c for c in ax.collections if hasattr(c, "get_segments")).get_segments()
    assert_allclose(segs[0][:, 1], [0.4 - 1.96 * 0.05, 0.4 + 1.96 * 0.05])


# --------------------------------------------------------------------------- audit


def test_audit_bars_counts(ax):
    a = pd.DataFrame(
        {
            "source_kind": ["primary", "primary", "secondary", "secondary", "secondary", "lay"],
            "verdict": [
                "reproduced",
                "unverifiable",
                "conflicts_with_primary",
                "reproduced",
                "conflicts_with_primary",
                "unverifiable",
            ],
        }
    )
    plot_audit(a, ax=ax, verdict_order=["reproduced", "conflicts_with_primary", "unverifiable"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["primary", "secondary", "lay"]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    assert sorted(b.get_width() for b in bars) == [1, 1, 1, 1, 2]
    assert ax.get_xlabel() == "number of checks"
    # legend in words (the report's verdict cells read the same)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "reproduced",
        "conflicts with primary",
        "unverifiable",
    ]


def test_audit_numbers_small_segments_in_the_more_contrasting_colour(ax):
    # 70 reproduced, 2 consistent (sky blue), 2 inconsistent (orange) in one kind:
    # a count of 2 in 74 still gets its number, in dark text on the light fills
    a = pd.DataFrame(
        {
            "source_kind": ["primary"] * 74,
            "verdict": ["reproduced"] * 70 + ["consistent"] * 2 + ["inconsistent"] * 2,
        }
    )
    plot_audit(a, ax=ax)
    inside = {t.get_text(): t for t in ax.texts if t.get_fontweight() == "bold"}
    assert sorted(inside) == ["2", "70"]
    labels = [t for t in ax.texts if t.get_text() == "2"]
    assert len(labels) == 2
    # white on these fills would be 2.3:1 (sky blue), 2.3:1 (orange), 3.4:1 (green);
    # the near-black chosen is 4.7:1 or better on each
    for t in [*labels, inside["70"]]:
        assert _contrast_on_white(t.get_color()) > 10  # near-black, not white


def test_audit_rejects_missing_column(ax):
    with pytest.raises(OptionError):
        plot_audit(pd.DataFrame({"verdict": ["x"]}), ax=ax)


# --------------------------------------------------------------------------- global state, files


def test_figures_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    fig = report.figure_supplement_effects(reanalysis.analysis_supplement_effects())
    plt.close(fig)
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    "name",
    [
        "audit",
        "distributions",
        "kenya_scatter",
        "canada_cambodia",
        "correlations",
        "supplementation",
        "power",
    ],
)
def test_committed_figures_exist_and_are_small(name):
    png = ROOT / "figures" / f"{name}.png"
    assert png.is_file(), f"{png} missing: run python analyses/0*.py"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size < MAX_PNG_BYTES
    assert (ROOT / "figures" / f"{name}.pdf").is_file()

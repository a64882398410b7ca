"""Tests of the forest plot: what is drawn, not only that a file appears."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Polygon
from numpy.testing import assert_allclose

from b12stats._io import save_figure
from b12stats.errors import OptionError
from b12stats.plots.forest import plot_forest
from b12stats.pooling import pool_table
from b12stats.stats.meta import meta_correlations

# coordinates are copied from the result into the artists: only float noise
DRAW_RTOL = 1e-12

R = [0.36, 0.51, 0.20, 0.31, 0.05]
N = [90, 40, 67, 100, 150]
LABELS = ["Kenya", "Canada", "Cambodia", "Punjab", "Delhi"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_draws_one_row_per_study_diamond_and_pi():
    res = meta_correlations(R, N, labels=LABELS, method="REML")
    ax = plot_forest(res)
    assert len(_by_gid(ax, "study_ci")) == len(R)
    (points,) = _by_gid(ax, "study_points")
    assert_allclose(points.get_offsets()[:, 0], np.array(R), rtol=DRAW_RTOL)
    # markers grow with weight: the heaviest study has the largest marker
    assert np.argmax(points.get_sizes()) == np.argmax(res.studies()["weight_pct"])
    (diamond,) = _by_gid(ax, "pooled_diamond")
    assert isinstance(diamond, Polygon)
    xy = diamond.get_xy()
    f = res.fit
    assert_allclose(xy[:, 0].min(), math.tanh(f.ci_low), rtol=DRAW_RTOL)
    assert_allclose(xy[:, 0].max(), math.tanh(f.ci_high), rtol=DRAW_RTOL)
    assert_allclose(xy[1, 0], math.tanh(f.estimate), rtol=DRAW_RTOL)
    (pi_line,) = _by_gid(ax, "prediction_interval")
    assert_allclose(
        sorted(pi_line.get_xdata()), [math.tanh(f.pi_low), math.tanh(f.pi_high)], rtol=DRAW_RTOL
    )
    assert len(_by_gid(ax, "reference_line")) == 1
    assert "r" in ax.get_xlabel().split() and "Fisher z" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[: len(LABELS)] == LABELS
    assert labels[-1].startswith("Pooled (REML, z), k = 5")
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "I² =" in texts and "PI [" in texts
    weights = [c.get_text() for c in ax.texts if c.get_text().endswith("%")]
    assert len(weights) == len(R)


def test_z_scale_and_equal_effects_has_no_pi():
    res = meta_correlations(R, N, method="EE")
    _fig, ax = plt.subplots()
    out = plot_forest(res, ax=ax, scale="z")
    assert out is ax
    assert ax.get_xlabel().startswith("Fisher z")
    (points,) = _by_gid(ax, "study_points")
    assert_allclose(points.get_offsets()[:, 0], np.arctanh(R), rtol=DRAW_RTOL)
    assert _by_gid(ax, "prediction_interval") == []
    assert len(_by_gid(ax, "pooled_diamond")) == 1


def test_one_study_without_ci_draws_no_diamond():
    res = meta_correlations([0.3], [40], test="knha")
    ax = plot_forest(res)
    assert len(_by_gid(ax, "study_ci")) == 1
    assert _by_gid(ax, "pooled_diamond") == []
    assert "not estimable" in " ".join(t.get_text() for t in ax.texts)


def test_stacks_subgroups():
    import pandas as pd

    frame = pd.DataFrame(
        {"r": R, "n": N, "label": LABELS, "region": ["Africa", "America", "Asia", "Asia", "Asia"]}
    )
    table = pool_table(frame, label="label", by=["region"], method="DL")
    ax = plot_forest(table)
    assert len(_by_gid(ax, "pooled_diamond")) == 3
    assert len(_by_gid(ax, "study_ci")) == len(R)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "region=Asia" in labels
    # Africa and America pools have k = 1: no τ², so no prediction interval
    assert len(_by_gid(ax, "prediction_interval")) == 1


def test_rcparams_untouched_and_saves(tmp_path):
    before = dict(matplotlib.rcParams)
    ax = plot_forest(meta_correlations(R, N, labels=LABELS))
    assert dict(matplotlib.rcParams) == before
    out = tmp_path / "forest.png"
    save_figure(ax.figure, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_labels_fit_inside_figure():
    long = ["A study with a rather long label 2019", "B", "C", "D", "E"]
    ax = plot_forest(meta_correlations(R, N, labels=long, test="knha"))
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for lab in ax.get_yticklabels():
        assert lab.get_window_extent(renderer).x0 >= 0, lab.get_text()
    for text in ax.texts:  # the estimate and weight columns on the right
        assert text.get_window_extent(renderer).x1 <= fig.bbox.x1, text.get_text()


def test_rejects_bad_input():
    with pytest.raises(OptionError, match="scale"):
        plot_forest(meta_correlations(R, N), scale="log")
    with pytest.raises(OptionError, match="MetaResult"):
        plot_forest([1, 2, 3])

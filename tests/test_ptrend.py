"""The P-trend plausibility analysis: its numbers and its figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from b12stats.errors import OptionError
from b12stats.plots.ptrend import plot_p_distribution
from b12stats.power import replicate_estimates
from b12stats.reanalysis import analysis_ptrend
from b12stats.report import figure_ptrend
from b12stats.simulate import get_design

SCENARIOS = ((120, 30), (60, 15))
REPS = 60


@pytest.fixture(scope="module")
def ptrend():
    return analysis_ptrend(seed=11, reps=REPS, scenarios=SCENARIOS)


def test_published_p_comes_from_the_data(ptrend) -> None:
    assert ptrend.published_p == 0.03
    assert ptrend.published_text == "P-trend = 0.03"


def test_shares_are_the_replicates_own(ptrend) -> None:
    # Recompute each scenario's summary from the same seeded replicates.
    design = get_design("kenya")
    for row, (n, k) in zip(ptrend.table.itertuples(index=False), SCENARIOS, strict=True):
        est = replicate_estimates(
            design, n_dyads=n, n_clusters=k, reps=REPS, model="trend", rng=11
        )
        p = est.loc[est["converged"], "p_value"].to_numpy()
        share = np.mean(p >= 0.03)
        assert row.share_p_at_or_above_published == share
        assert_allclose(row.share_mcse, np.sqrt(share * (1 - share) / p.size), rtol=1e-12)
        assert_allclose(row.median_p, np.median(p), rtol=1e-12)
    # fewer dyads, a weaker test: a larger median P (by far more than MC noise here)
    first, second = ptrend.table["median_p"]
    assert second > first


def test_figure_draws_one_curve_per_scenario_and_the_published_p(ptrend) -> None:
    fig = figure_ptrend(ptrend)
    ax = fig.axes[0]
    steps = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2]
    assert len(steps) == len(SCENARIOS)
    vlines = [ln for ln in ax.get_lines() if len(set(np.asarray(ln.get_xdata()))) == 1]
    assert_allclose(vlines[0].get_xdata()[0], np.log10(0.03))
    assert "log10 P" in ax.get_xlabel()
    for ln in steps:
        y = np.asarray(ln.get_ydata())
        assert np.all(np.diff(y) >= 0) and y[-1] == 1.0
    plt.close(fig)


def test_plot_rejects_bad_input() -> None:
    with pytest.raises(OptionError, match="missing columns"):
        plot_p_distribution(pd.DataFrame({"p": [0.1]}), published_p=0.03)
    with pytest.raises(OptionError, match="published_p"):
        plot_p_distribution(pd.DataFrame({"scenario": ["a"], "p_value": [0.1]}), published_p=0)

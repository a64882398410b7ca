"""The scripts in analyses/ give the report's numbers (same reanalysis calls, same defaults)."""

from __future__ import annotations

import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from b12stats import reanalysis

ROOT = Path(__file__).resolve().parent.parent
ANALYSES = ROOT / "analyses"
#: Monte Carlo replicates for the simulation scripts in tests (the defaults take minutes).
TEST_REPS = 8


def _run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    monkeypatch.setenv("B12STATS_OUT", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        return runpy.run_path(str(ANALYSES / name), run_name="__main__")
    finally:
        plt.close("all")


def _same_csv(tmp_path: Path, *names: str) -> None:
    """The script's CSVs equal the committed analyses/results (regenerated, unchanged)."""
    for name in names:
        new = pd.read_csv(tmp_path / "analyses" / "results" / name)
        old = pd.read_csv(ANALYSES / "results" / name)
        assert_frame_equal(new, old, check_exact=False, rtol=1e-12, obj=name)


def test_01_reproduce(tmp_path, monkeypatch):
    g = _run("01_reproduce.py", tmp_path, monkeypatch)
    assert_frame_equal(g["audit"].table, reanalysis.analysis_audit().table)
    dist = reanalysis.analysis_distributions().table
    assert_frame_equal(g["dist"].table, dist)
    # the share computed by hand is the report's for the same summary and cut-off
    row = dist[(dist["summary_row_id"] == g["q"]["row_id"]) & (dist["cutoff"] == 220)]
    assert float(g["share"]["estimate"].iloc[0]) == pytest.approx(float(row["implied"].iloc[0]))
    _same_csv(tmp_path, "audit.csv", "distribution_shares.csv")
    assert (tmp_path / "figures" / "distributions.png").stat().st_size > 0


def test_02_kenya(tmp_path, monkeypatch):
    g = _run("02_kenya.py", tmp_path, monkeypatch)
    ref = reanalysis.analysis_simulated_cohort()
    assert_frame_equal(g["res"].summary, ref.summary)
    assert_frame_equal(g["res"].linear, ref.linear)
    _same_csv(tmp_path, "kenya_summary.csv", "kenya_linear.csv", "kenya_trend.csv")


def test_03_canada_cambodia(tmp_path, monkeypatch):
    g = _run("03_canada_cambodia.py", tmp_path, monkeypatch)
    ref = reanalysis.analysis_cohort_comparison()
    assert_frame_equal(g["res"].ratios, ref.ratios)
    assert_frame_equal(g["res"].outside_ci, ref.outside_ci)
    _same_csv(tmp_path, "canada_cambodia_ratios.csv", "canada_cambodia_vs_primary_ci.csv")


def test_04_pooling(tmp_path, monkeypatch):
    g = _run("04_pooling.py", tmp_path, monkeypatch)
    ref = reanalysis.analysis_correlations()
    assert_frame_equal(g["pools"].to_frame(), ref.pooled)  # the pools by hand = the report's
    assert_frame_equal(g["res"].rows, ref.rows)
    _same_csv(tmp_path, "correlations_pooled.csv", "correlations_comparison.csv")


def test_05_supplementation(tmp_path, monkeypatch):
    g = _run("05_supplementation.py", tmp_path, monkeypatch)
    ref = reanalysis.analysis_supplement_effects().table
    assert_frame_equal(g["res"].table, ref)
    assert set(g["effects"]["row_id"]) == set(
        ref["row_id"].where(ref["estimate"].notna()).dropna()
    )
    _same_csv(tmp_path, "supplementation.csv")


def test_06_power(tmp_path, monkeypatch):
    g = _run("06_power.py", tmp_path, monkeypatch, B12STATS_REPS=str(TEST_REPS))
    ref = reanalysis.analysis_power(reps=TEST_REPS)  # the report's call, its defaults
    assert_frame_equal(g["table"], ref.table)


def test_07_ptrend(tmp_path, monkeypatch):
    g = _run("07_ptrend.py", tmp_path, monkeypatch, B12STATS_REPS=str(TEST_REPS))
    ref = reanalysis.analysis_ptrend(reps=TEST_REPS)
    assert_frame_equal(g["res"].table, ref.table)
    assert g["res"].published_p == ref.published_p


def test_08_sensitivity(tmp_path, monkeypatch):
    g = _run("08_sensitivity.py", tmp_path, monkeypatch, B12STATS_REPS=str(TEST_REPS))
    ref = reanalysis.analysis_sensitivity(reps=TEST_REPS)  # the report's call, its defaults
    assert_frame_equal(g["res"].table, ref.table)
    assert_frame_equal(g["res"].conclusions, ref.conclusions)
    assert (tmp_path / "figures" / "sensitivity.png").stat().st_size > 0

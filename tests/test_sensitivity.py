"""b12stats.power.sensitivity: power over the design's assumptions, one row per scenario."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from b12stats.designs import design_dir
from b12stats.errors import DataValidationError, OptionError
from b12stats.power import (
    COLUMNS,
    _model,
    parse_vary,
    plausible_vary,
    power,
    sensitivity,
    varied_parameters,
)
from b12stats.power._model import _true_value
from b12stats.power.spec import PowerSpec
from b12stats.simulate import Design, get_design

KENYA = get_design("kenya")
#: Monte Carlo tolerance of a simulated rejection rate: this many of its SEs.
MC_SES = 4.0


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def test_single_variant_equals_power_byte_for_byte():
    res = sensitivity(
        KENYA, vary={"icc_infant": [0.2]}, n_dyads=[60, 100], reps=120, model="trend", rng=3
    )
    ref = power(KENYA.replace(icc_infant=0.2), n_dyads=[60, 100], reps=120, model="trend", rng=3)
    assert list(res.table.columns) == ["icc_infant", *COLUMNS]
    assert _csv(res.table[list(COLUMNS)]) == _csv(ref)
    assert (res.table["icc_infant"] == 0.2).all()


def test_design_value_equals_power_of_the_design_itself():
    res = sensitivity(KENYA, vary={"icc_milk": [KENYA.icc_milk]}, n_dyads=80, reps=100, rng=2)
    assert _csv(res.table[list(COLUMNS)]) == _csv(power(KENYA, n_dyads=80, reps=100, rng=2))


def test_row_does_not_depend_on_the_rest_of_the_grid():
    big = sensitivity(
        KENYA,
        vary={"icc_infant": [0.05, 0.2], "n_clusters": [12, 20]},
        n_dyads=[60, 100],
        reps=100,
        model="trend",
        rng=11,
    ).table
    small = sensitivity(
        KENYA, vary={"icc_infant": [0.2], "n_clusters": [20]}, n_dyads=100, reps=100,
        model="trend", rng=11,
    ).table  # fmt: skip
    row = big[(big.icc_infant == 0.2) & (big.n_dyads == 100) & (big.n_clusters == 20)]
    assert len(big) == 8
    assert _csv(row) == _csv(small)


def test_same_seed_same_table_for_one_and_two_workers():
    kw = {"vary": {"icc_infant": [0.01, 0.1]}, "n_dyads": [40, 80], "reps": 150, "rng": 5}
    one = sensitivity(KENYA, workers=1, model="trend", **kw).table
    two = sensitivity(KENYA, workers=2, model="trend", **kw).table
    assert _csv(one) == _csv(two)


def test_varied_icc_reaches_the_simulation():
    res = sensitivity(KENYA, vary={"icc_infant": [0.01, 0.5]}, n_dyads=100, reps=100, rng=4)
    a, b = res.table["empirical_sd"]
    assert a != b
    # common random numbers: the same milk draws, so the estimates differ only by the ICC
    ea, eb = (r[0] for r in res.replicates)
    assert not np.array_equal(ea, eb)


def test_correlation_zero_gives_power_near_alpha():
    reps, alpha = 600, 0.05
    res = sensitivity(
        KENYA, vary={"correlation": [0.0, 0.36]}, n_dyads=286, reps=reps, rng=8
    ).table.set_index("correlation")
    mcse = math.sqrt(alpha * (1 - alpha) / reps)
    assert abs(res.loc[0.0, "power"] - alpha) < MC_SES * mcse
    assert res.loc[0.36, "power"] > 0.9
    assert res.loc[0.0, "true_value"] == 0.0  # the closed-form log-log slope follows r


def test_effect_and_marginal_parameters_reach_the_design():
    res = sensitivity(
        KENYA,
        vary={"effect_infant_age_months": [0.0, 0.15]},
        n_dyads=100,
        reps=60,
        model="trend",
        rng=1,
        true_value=math.nan,
    ).table
    assert res["power"].iloc[0] != res["power"].iloc[1] or (
        res["mean_estimate"].iloc[0] != res["mean_estimate"].iloc[1]
    )
    sig = sensitivity(KENYA, vary={"milk_sigma": [0.5, 1.0]}, n_dyads=100, reps=40, rng=1)
    # the closed-form slope rho * sigma_infant / sigma_milk halves when sigma_milk doubles
    t = sig.table["true_value"].to_numpy()
    assert t[0] == pytest.approx(2 * t[1], rel=1e-12)


def test_n_clusters_is_the_scenario_count():
    res = sensitivity(KENYA, vary={"n_clusters": [10, 20]}, n_dyads=[60, 100], reps=20, rng=1)
    assert list(res.table.columns) == list(COLUMNS)
    assert res.table[["n_dyads", "n_clusters"]].values.tolist() == [
        [60, 10], [100, 10], [60, 20], [100, 20],
    ]  # fmt: skip
    ref = power(KENYA, n_dyads=100, n_clusters=20, reps=20, rng=1)
    assert _csv(res.table.iloc[[3]]) == _csv(ref)


def test_assumed_parameters_lead_the_table():
    res = sensitivity(
        KENYA, vary={"correlation": [0.3], "icc_infant": [0.1]}, n_dyads=40, reps=10, rng=1
    )
    assert list(res.table.columns[:2]) == ["icc_infant", "correlation"]
    assert res.status == {"icc_infant": "assumed", "correlation": "published"}


def test_one_at_a_time():
    res = sensitivity(
        KENYA,
        vary={"icc_infant": [0.01, 0.05, 0.1], "n_clusters": [30, 60]},
        crossed=False,
        reps=20,
        rng=1,
        true_value=math.nan,
    )
    t = res.table
    # the design, then each non-design value of each parameter; n_clusters = 60 is the design's
    assert t["varied"].tolist() == ["", "icc_infant", "icc_infant", "n_clusters"]
    assert t["icc_infant"].tolist() == [0.05, 0.01, 0.1, 0.05]
    assert t["n_clusters"].tolist() == [60, 60, 60, 30]
    r = res.ranges().set_index("parameter")
    assert r.loc["n_clusters", "power_min"] == t["power"].iloc[[0, 3]].min()
    assert "varied" in res.summary() and "<table" in res._repr_html_()


def test_coverage_targets_in_parallel_equal_the_serial_ones():
    _model._TRUE_CACHE.clear()
    res = sensitivity(
        KENYA, vary={"icc_infant": [0.02, 0.2]}, n_dyads=60, reps=20, model="trend",
        rng=1, workers=2,
    )  # fmt: skip
    got = res.table["true_value"].tolist()
    _model._TRUE_CACHE.clear()
    want = [
        _true_value(
            PowerSpec(KENYA.replace(icc_infant=v), model="trend").for_scenarios([(60, 13)]),
            n_dyads=60,
            n_clusters=13,
            simulate=_model._simulate_arrays,
        )
        for v in (0.02, 0.2)
    ]
    assert got == want and got[0] != got[1]


def test_coverage_target_cache_ignores_names_and_texts():
    spec = PowerSpec(KENYA, model="trend").for_scenarios([(60, 13)])
    renamed = PowerSpec(KENYA.replace(name="other", description="x"), model="trend").for_scenarios(
        [(60, 13)]
    )
    key = _model._true_value_key(spec, n_dyads=60, n_clusters=13)
    assert key == _model._true_value_key(renamed, n_dyads=60, n_clusters=13)
    assert key != _model._true_value_key(
        PowerSpec(KENYA.replace(icc_milk=0.1), model="trend").for_scenarios([(60, 13)]),
        n_dyads=60,
        n_clusters=13,
    )


@pytest.mark.parametrize(
    ("vary", "words"),
    [
        ({"icc_infnt": [0.1]}, ["icc_infnt", "icc_infant", "effect_asf_score"]),
        ({"icc_infant": []}, ["icc_infant", "at least one"]),
        ({"icc_infant": [0.1, 0.1]}, ["icc_infant", "repeat"]),
        ({"icc_infant": [1.5]}, ["icc_infant", "[0, 1)"]),
        ({"icc_infant": ["x"]}, ["icc_infant", "numbers"]),
        ({"n_clusters": [2.5]}, ["n_clusters", "whole"]),
        ({"n_clusters": [400]}, ["n_clusters", "exceed"]),
        ({"correlation_scale": ["kendall"]}, ["correlation", "kendall"]),
        ({"effect_nope": [0.1]}, ["effect_nope", "effect_infant_age_months"]),
        ({}, ["non-empty"]),
    ],
)
def test_bad_vary_names_the_parameter(vary, words):
    with pytest.raises(OptionError) as err:
        sensitivity(KENYA, vary=vary, n_dyads=100, reps=5, rng=1)
    for word in words:
        assert word in str(err.value)


def test_parse_vary():
    assert parse_vary(KENYA, ["n_clusters=30,60", "icc_milk=0.1"]) == {
        "n_clusters": (30, 60),
        "icc_milk": (0.1,),
    }
    for bad, word in [
        (["icc_milk"], "NAME=V1"),
        (["icc_milk="], "comma-separated"),
        (["icc_milk=0.1,"], "comma-separated"),
        (["icc_milk=0.1", "icc_milk=0.2"], "twice"),
        (["icc_milk=abc"], "numbers"),
        (["bogus=1"], "icc_milk"),
    ]:
        with pytest.raises(OptionError, match=word):
            parse_vary(KENYA, bad)


def test_varied_parameters_and_plausible_ranges():
    names = varied_parameters(KENYA)
    assert "icc_infant" in names and "effect_maternal_age" in names
    ranges = plausible_vary(KENYA)
    assert ranges["icc_infant"] == (0.01, 0.05, 0.1)
    assert ranges["n_clusters"] == (30, 60, 120)
    assert all(KENYA.describe().set_index("parameter").loc[list(ranges), "status"] == "assumed")
    with pytest.raises(OptionError, match="no plausible range"):
        plausible_vary(KENYA, ["correlation"])


def _kenya_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (design_dir() / "kenya.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "k.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("new", "words"),
    [
        ("plausible = [0.01]", ["icc_milk.plausible", "at least 2"]),
        ("plausible = 0.01", ["icc_milk.plausible", "list"]),
        ("plausible = [0.01, 1.5]", ["icc_milk.plausible[1]", "[0, 1)"]),
        ("plausible = [0.1, 0.01]", ["icc_milk.plausible", "ascending"]),
        ("plausible = [0.1, 0.1]", ["icc_milk.plausible", "distinct"]),
        ('plausible = [0.01, "a"]', ["icc_milk.plausible[1]", "finite number"]),
    ],
)
def test_bad_plausible_range_names_file_and_key(tmp_path, new, words):
    path = _kenya_with(
        tmp_path, "plausible = [0.01, 0.05, 0.10]\n\n[icc_infant]", new + "\n\n[icc_infant]"
    )
    with pytest.raises(DataValidationError) as err:
        Design.from_toml(path)
    assert "k.toml" in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_plausible_needs_a_reason_and_clusters_fit(tmp_path):
    path = _kenya_with(tmp_path, "plausible = [30, 60, 120]", "plausible = [30, 600]")
    with pytest.raises(DataValidationError, match=r"n_clusters\.plausible"):
        Design.from_toml(path)
    path = _kenya_with(
        tmp_path,
        'adequacy_cutoff = { table = "reference_values", row_id = "w18_adequacy" }',
        'adequacy_cutoff = { table = "reference_values", row_id = "w18_adequacy", '
        "plausible = [200.0, 220.0] }",
    )
    with pytest.raises(DataValidationError, match="reason"):
        Design.from_toml(path)


def test_plausible_ranges_round_trip(tmp_path):
    path = tmp_path / "k.toml"
    KENYA.to_toml(path)
    back = Design.from_toml(path)
    assert back == KENYA and back.plausible == KENYA.plausible
    assert KENYA.to_dict()["plausible"]["n_clusters"] == [30, 60, 120]


def test_sensitivity_result_frame_is_a_copy():
    res = sensitivity(KENYA, vary={"icc_milk": [0.0, 0.1]}, n_dyads=40, reps=10, rng=1)
    frame = res.to_frame()
    frame.loc[0, "power"] = -1.0
    assert res.table.loc[0, "power"] != -1.0
    assert_frame_equal(res.to_frame(), res.table)
    assert res.p_values(0).shape == (int(res.replicates[0][2].sum()),)


def test_analysis_sensitivity_conclusions_hold_or_hinge():
    from b12stats.reanalysis import analysis_sensitivity
    from b12stats.report.section_sensitivity import _sentence

    res = analysis_sensitivity(reps=40, n_dyads=60, parameters=["icc_infant", "n_clusters"])
    t = res.table
    assert t["varied"].tolist()[0] == "" and set(t["n_dyads"]) == {60}
    # 120 > 60 dyads dropped; 60 is not the design's 13 clusters at 60 dyads
    assert set(t.loc[t["varied"] == "n_clusters", "n_clusters"]) == {30, 60}
    c = res.conclusions.set_index(["conclusion", "parameter"])
    rows = t[t["varied"].isin(["", "icc_infant"])]
    assert c.loc[("power", "icc_infant"), "holds"] == bool(
        (rows["power"] >= 0.8).all() or (rows["power"] < 0.8).all()
    )
    assert c.loc[("power", "icc_infant"), "worst_estimate"] == (
        rows["power"].min()
        if c.loc[("power", "icc_infant"), "design_verdict"]
        else rows["power"].max()
    )
    frame = pd.DataFrame(
        {
            "parameter": ["icc_milk", "n_clusters"],
            "values": ["0.01, 0.05, 0.1", "30, 60, 120"],
            "holds": [True, False],
            "worst_value": [0.01, 30],
            "worst_estimate": [0.81, 0.58],
            "worst_mcse": [0.01, 0.02],
            "within_mc_error": ["", ""],
        }
    )
    text = _sentence("Power reaches 80%: this", frame, lambda v: f"{100 * v:.0f}%")
    assert text == (
        "Power reaches 80%: this holds across the plausible range of icc_milk (0.01–0.1); it "
        "hinges on n_clusters: 58% at n_clusters = 30 (MC SE 2%)."
    )
    frame.loc[0, "within_mc_error"] = "0.01"
    assert _sentence("P", frame, lambda v: f"{100 * v:.0f}%").endswith(
        "; within Monte Carlo error of the threshold at icc_milk = 0.01 "
        "(more replicates would settle it)."
    )


def test_conclusions_name_the_values_within_mc_error():
    from b12stats.reanalysis.sensitivity import SENSITIVITY_MCSE_BOUND, _conclusions

    # threshold 0.8; SEs 0.01: 0.81 is within 2 SE of it, 0.95 and 0.70 are not
    tab = pd.DataFrame(
        {
            "varied": ["", "icc", "icc", "k", "k"],
            "icc": [0.05, 0.01, 0.1, 0.05, 0.05],
            "k": [60, 60, 60, 30, 120],
            "reps": [10_000] * 5,
            "power": [0.95, 0.81, 0.96, 0.70, 0.99],
            "power_mcse": [0.01] * 5,
        }
    )
    assert SENSITIVITY_MCSE_BOUND == 2.0
    c = _conclusions(tab, {"icc": (0.01, 0.1), "k": (30, 120)}, {}, [
        ("power", "power", "power_mcse", 0.8, True)
    ]).set_index("parameter")  # fmt: skip
    assert c.loc["icc", "holds"] and c.loc["icc", "within_mc_error"] == "0.01"
    assert not c.loc["k", "holds"] and c.loc["k", "within_mc_error"] == ""
    # a share of 0 in 100 replicates has MC SE 0; the floor (one event in 100) applies
    zero = tab.assign(reps=100, power=[0.0, 0.0, 0.0, 0.0, 0.0], power_mcse=0.0)
    c0 = _conclusions(zero, {"icc": (0.01, 0.1)}, {}, [
        ("share", "power", "power_mcse", 0.02, True)
    ]).set_index("parameter")  # fmt: skip
    # 0.02 - 0 = 0.02 > 2 * sqrt(0.01 * 0.99 / 100) = 0.0199: clear; at 0.019 it is not
    assert c0.loc["icc", "within_mc_error"] == ""
    c1 = _conclusions(zero, {"icc": (0.01, 0.1)}, {}, [
        ("share", "power", "power_mcse", 0.019, True)
    ]).set_index("parameter")  # fmt: skip
    assert c1.loc["icc", "within_mc_error"] == "0.05, 0.01, 0.1"  # the design's value first

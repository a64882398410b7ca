"""Tests of b12stats.stats.meta against R's metafor, statsmodels and hand calculation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from b12stats.errors import DataValidationError, OptionError
from b12stats.pooling import pool_table
from b12stats.stats.meta import (
    EXCLUDED_COLUMNS,
    METHODS,
    STUDY_COLUMNS,
    SUMMARY_COLUMNS,
    TESTS,
    leave_one_out,
    meta_correlations,
    rma,
    subgroup,
)

# metafor run to convergence (threshold/tol 1e-13, see metafor_reference.R); our REML
# threshold is 1e-12 and the root finders' xtol 1e-15. Observed agreement is ~1e-10
# relative, so 1e-8 leaves room for platform differences and is stricter than the
# 1e-6 asked for in issue 5.
REL_TOL = 1e-8
# quantities that are exactly 0 in one implementation (τ² at the boundary) are
# compared absolutely: metafor's iterate stops within its 1e-13 threshold of 0.
ABS_TOL = 1e-11
# metafor with its *default* control stops REML at a change in τ² < 1e-5 and PM /
# Q-profile uniroot at tol = eps^0.25 ≈ 1.2e-4 (absolute, on τ²).
DEFAULT_CONTROL_ATOL = 2e-4
# statsmodels' iterated Paule-Mandel stops at its own tolerance (atol 1e-5 on τ²)
STATSMODELS_PM_ATOL = 1e-5
# closed forms computed here by hand: floating-point noise only
CLOSED_FORM_RTOL = 1e-12

QUANTITIES = {  # reference name -> attribute of RmaFit
    "k": "k",
    "estimate": "estimate",
    "se": "se",
    "statistic": "statistic",
    "p_value": "p_value",
    "ci_low": "ci_low",
    "ci_high": "ci_high",
    "tau2": "tau2",
    "se_tau2": "tau2_se",
    "i2": "i2",
    "h2": "h2",
    "q": "q",
    "q_p_value": "q_p_value",
    "s2w": "s2w",
    "vt": "vt",
    "pi_low": "pi_low",
    "pi_high": "pi_high",
    "tau2_ci_low": "tau2_ci_low",
    "tau2_ci_high": "tau2_ci_high",
    "i2_ci_low": "i2_ci_low",
    "i2_ci_high": "i2_ci_high",
    "h2_ci_low": "h2_ci_low",
    "h2_ci_high": "h2_ci_high",
}


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.astype(str).str.strip().replace("NA", np.nan), errors="coerce")


@pytest.fixture(scope="module")
def reference() -> dict[str, pd.DataFrame]:
    from pathlib import Path

    ref = Path(__file__).resolve().parent / "reference"
    fits = pd.read_csv(ref / "metafor_reference_fits.csv", dtype=str)
    fits["value"] = _numeric(fits["value"])
    inputs = pd.read_csv(ref / "metafor_reference_inputs.csv")
    studies = pd.read_csv(ref / "metafor_reference_studies.csv", dtype=str)
    for col in ("yi", "vi", "weight_pct"):
        studies[col] = _numeric(studies[col])
    loo = pd.read_csv(ref / "metafor_reference_leave1out.csv", dtype=str)
    for col in loo.columns[3:]:
        loo[col] = _numeric(loo[col])
    meta = json.loads((ref / "metafor_reference_meta.json").read_text())
    return {"fits": fits, "inputs": inputs, "studies": studies, "loo": loo, "meta": meta}


def _data(inputs: pd.DataFrame, dataset: str, subset: str) -> pd.DataFrame:
    d = inputs[inputs["dataset"] == dataset]
    if subset != "all":
        d = d[d["group"] == subset.split("=", 1)[1]]
    return d


def _fits(reference: dict[str, pd.DataFrame], control: str):
    fits = reference["fits"]
    for key, grp in fits[fits["control"] == control].groupby(
        ["dataset", "subset", "method", "test"], sort=False
    ):
        yield key, dict(zip(grp["quantity"], grp["value"], strict=True))


def test_reference_covers_every_method_and_test(reference):
    fits = reference["fits"]
    assert reference["meta"]["metafor_version"]
    for dataset in ("molloy2014", "mcdaniel1994"):
        combos = set(
            map(tuple, fits.loc[fits["dataset"] == dataset, ["method", "test"]].to_numpy())
        )
        assert combos == {(m, t) for m in METHODS for t in TESTS}


def test_matches_metafor_all_methods_tests(reference):
    n_compared = 0
    for (dataset, subset, method, test), ref in _fits(reference, "tight"):
        d = _data(reference["inputs"], dataset, subset)
        res = meta_correlations(d["ri"], d["ni"], method=method, test=test)
        fit = res.fit
        for name, attr in QUANTITIES.items():
            if name not in ref:
                continue
            expected = ref[name]
            got = getattr(fit, attr)
            where = f"{dataset}/{subset} {method} {test}: {name}"
            if np.isnan(expected):
                assert np.isnan(got), where
                continue
            assert_allclose(got, expected, rtol=REL_TOL, atol=ABS_TOL, err_msg=where)
            n_compared += 1
        # back-transformed columns are tanh of metafor's z-scale numbers
        row = res.to_frame().iloc[0]
        assert_allclose(row["estimate_r"], math.tanh(ref["estimate"]), rtol=REL_TOL)
        assert_allclose(row["ci_low_r"], math.tanh(ref["ci_low"]), rtol=REL_TOL)
        if method != "EE":
            assert_allclose(row["pi_high_r"], math.tanh(ref["pi_high"]), rtol=REL_TOL)
    assert n_compared > 1000


def test_close_to_metafor_default_control(reference):
    for (dataset, subset, method, test), ref in _fits(reference, "default"):
        d = _data(reference["inputs"], dataset, subset)
        fit = meta_correlations(d["ri"], d["ni"], method=method, test=test).fit
        for name in ("estimate", "se", "tau2", "tau2_ci_low", "tau2_ci_high"):
            if name in ref:
                assert_allclose(
                    getattr(fit, name), ref[name], atol=DEFAULT_CONTROL_ATOL, rtol=0, err_msg=name
                )


def test_study_weights_match_metafor(reference):
    studies = reference["studies"]
    for (dataset, subset, method), grp in studies.groupby(
        ["dataset", "subset", "method"], sort=False
    ):
        d = _data(reference["inputs"], dataset, subset)
        res = meta_correlations(d["ri"], d["ni"], method=method)
        table = res.studies()
        assert list(table.columns) == list(STUDY_COLUMNS)
        assert_allclose(table["z"], grp["yi"], rtol=REL_TOL)
        assert_allclose(table["vi"], grp["vi"], rtol=REL_TOL)
        assert_allclose(table["weight_pct"], grp["weight_pct"], rtol=REL_TOL)


def test_leave_one_out_matches_metafor(reference):
    loo_ref = reference["loo"]
    d = _data(reference["inputs"], "molloy2014", "all")
    for (method, test), grp in loo_ref.groupby(["method", "test"], sort=False):
        loo = leave_one_out(d["ri"], d["ni"], method=method, test=test, labels=d["label"])
        assert loo["omitted"].tolist() == d["label"].tolist()
        assert (loo["k"] == len(d) - 1).all()
        for mine, theirs in [
            ("estimate_z", "estimate"),
            ("se_z", "se"),
            ("ci_low_z", "ci_low"),
            ("ci_high_z", "ci_high"),
            ("q", "q"),
            ("q_p_value", "q_p_value"),
            ("i2", "i2"),
            ("h2", "h2"),
        ]:
            assert_allclose(loo[mine], grp[theirs], rtol=REL_TOL, atol=ABS_TOL, err_msg=mine)
        if method != "EE":
            assert_allclose(loo["tau2"], grp["tau2"], rtol=REL_TOL, atol=ABS_TOL)


@pytest.mark.parametrize(("method", "sm_method"), [("DL", "dl"), ("PM", "iterated")])
def test_agrees_with_statsmodels_combine_effects(method, sm_method):
    from statsmodels.stats.meta_analysis import combine_effects

    r = np.array([0.3, 0.5, 0.2, 0.4, 0.05, 0.62])
    n = np.array([40, 60, 100, 80, 150, 35])
    y, v = np.arctanh(r), 1 / (n - 3)
    sm = combine_effects(y, v, method_re=sm_method)
    fit = rma(y, v, method=method)
    tol = {"atol": STATSMODELS_PM_ATOL} if method == "PM" else {"rtol": CLOSED_FORM_RTOL}
    assert_allclose(fit.tau2, sm.tau2, **tol)
    assert_allclose(fit.estimate, sm.mean_effect_re, **tol)
    assert_allclose(fit.q, sm.q, rtol=CLOSED_FORM_RTOL)


def test_equal_effects_by_hand():
    r = np.array([0.2, 0.6])
    n = np.array([53, 23])  # variances 1/50 and 1/20
    z = np.arctanh(r)
    w = n - 3.0
    mu = float(np.sum(w * z) / w.sum())
    se = 1 / math.sqrt(w.sum())
    q = float(np.sum(w * (z - mu) ** 2))
    res = meta_correlations(r, n, method="EE")
    f = res.fit
    assert_allclose([f.estimate, f.se, f.q], [mu, se, q], rtol=CLOSED_FORM_RTOL)
    assert_allclose(f.ci_high, mu + stats.norm.ppf(0.975) * se, rtol=CLOSED_FORM_RTOL)
    assert_allclose(f.h2, q, rtol=CLOSED_FORM_RTOL)  # H² = Q / (k - 1), k - 1 = 1
    assert math.isnan(f.pi_low) and math.isnan(f.tau2_ci_high)
    assert "not estimated" in res.to_frame()["note"].iloc[0]
    # Knapp-Hartung under EE: variance scaled by Q / (k - 1), t with 1 df
    fk = meta_correlations(r, n, method="EE", test="knha").fit
    assert_allclose(fk.se, se * math.sqrt(q), rtol=CLOSED_FORM_RTOL)
    assert_allclose(fk.ci_low, mu - stats.t.ppf(0.975, 1) * se * math.sqrt(q), rtol=1e-12)


def test_dl_by_hand():
    y = np.array([0.1, 0.5, 0.3])
    v = np.array([0.01, 0.02, 0.04])
    w = 1 / v
    ybar = np.sum(w * y) / w.sum()
    q = np.sum(w * (y - ybar) ** 2)
    c = w.sum() - np.sum(w**2) / w.sum()
    tau2 = max(0.0, (q - 2) / c)
    fit = rma(y, v, method="DL")
    assert_allclose(fit.tau2, tau2, rtol=CLOSED_FORM_RTOL)
    assert_allclose(fit.i2, 100 * tau2 / (tau2 + 2 / c), rtol=CLOSED_FORM_RTOL)
    ws = 1 / (v + tau2)
    mu = np.sum(ws * y) / ws.sum()
    se = 1 / math.sqrt(ws.sum())
    assert_allclose(fit.estimate, mu, rtol=CLOSED_FORM_RTOL)
    half = stats.norm.ppf(0.975) * math.sqrt(se**2 + tau2)
    assert_allclose([fit.pi_low, fit.pi_high], [mu - half, mu + half], rtol=CLOSED_FORM_RTOL)


def test_one_study_says_what_cannot_be_estimated():
    res = meta_correlations([0.4], [50], method="REML")
    f = res.fit
    assert_allclose(f.estimate, math.atanh(0.4), rtol=CLOSED_FORM_RTOL)
    assert_allclose(f.se, 1 / math.sqrt(47), rtol=CLOSED_FORM_RTOL)
    for attr in ("tau2", "i2", "h2", "q", "pi_low", "tau2_ci_high"):
        assert math.isnan(getattr(f, attr)), attr
    assert "k = 1" in res.to_frame()["note"].iloc[0]
    knha = meta_correlations([0.4], [50], test="knha").fit
    assert math.isnan(knha.se) and math.isnan(knha.ci_low)
    assert "0 degrees of freedom" in knha.notes[-1]


@pytest.mark.parametrize("method", ["DL", "REML", "PM"])
def test_two_homogeneous_studies_flag_zero_tau2(method):
    res = meta_correlations([0.30, 0.31], [50, 60], method=method)
    assert res.fit.tau2 == 0.0
    note = res.to_frame()["note"].iloc[0]
    assert "not evidence of homogeneity" in note
    assert res.fit.tau2_ci_high > 0  # the Q-profile CI shows how little we know


def test_two_heterogeneous_studies_note_imprecision():
    res = meta_correlations([0.05, 0.7], [200, 150], method="REML", test="knha")
    assert res.fit.tau2 > 0
    note = res.to_frame()["note"].iloc[0]
    assert "1 degree of freedom" in note and "1 df" in note
    assert res.fit.df == 1.0


def test_summary_columns_fixed():
    a = meta_correlations([0.3, 0.5, 0.2], [40, 60, 100]).to_frame()
    b = meta_correlations([0.3], [40], method="EE", test="knha").to_frame()
    assert list(a.columns) == list(b.columns) == list(SUMMARY_COLUMNS)
    required = [
        "k",
        "estimate_z",
        "se_z",
        "ci_low_z",
        "ci_high_z",
        "estimate_r",
        "ci_low_r",
        "ci_high_r",
        "pi_low_r",
        "pi_high_r",
        "tau2",
        "i2",
        "q",
        "q_p_value",
        "method",
        "test",
    ]
    assert set(required) <= set(SUMMARY_COLUMNS)


@pytest.mark.parametrize(
    ("r", "n", "match"),
    [
        ([0.3, 1.0], [40, 50], "strictly between"),
        ([0.3, -1.2], [40, 50], "strictly between"),
        ([0.3, 0.2], [40, 3], "at least 4"),
        ([0.3, 0.2], [40, 20.5], "whole number"),
        ([0.3, np.nan], [40, 50], "missing"),
        ([0.3, 0.2], [40, np.nan], "without n"),
    ],
)
def test_rejects_impossible_input(r, n, match):
    with pytest.raises(DataValidationError, match=match):
        meta_correlations(r, n)


def test_rejects_bad_options():
    with pytest.raises(OptionError, match="method"):
        meta_correlations([0.3, 0.2], [40, 50], method="ML")
    with pytest.raises(OptionError, match="test"):
        meta_correlations([0.3, 0.2], [40, 50], test="t")
    with pytest.raises(OptionError, match="conf_level"):
        meta_correlations([0.3, 0.2], [40, 50], conf_level=95)
    with pytest.raises(OptionError, match="length"):
        meta_correlations([0.3, 0.2], [40])


def test_subgroup_between_test_by_hand():
    r = [0.3, 0.4, 0.35, 0.1, 0.15]
    n = [50, 60, 70, 80, 70]
    groups = ["a", "a", "a", "b", "b"]
    out = subgroup(r, n, groups, method="EE")
    assert out["group"].tolist() == ["a", "b", "between subgroups"]
    a = meta_correlations(r[:3], n[:3], method="EE").fit
    b = meta_correlations(r[3:], n[3:], method="EE").fit
    assert_allclose(out["estimate_z"].iloc[:2], [a.estimate, b.estimate], rtol=CLOSED_FORM_RTOL)
    w = np.array([1 / a.se**2, 1 / b.se**2])
    est = np.array([a.estimate, b.estimate])
    mu = np.sum(w * est) / w.sum()
    q = np.sum(w * (est - mu) ** 2)
    assert_allclose(out["q"].iloc[-1], q, rtol=CLOSED_FORM_RTOL)
    assert_allclose(out["q_p_value"].iloc[-1], stats.chi2.sf(q, 1), rtol=CLOSED_FORM_RTOL)


def test_subgroup_matches_metafor_subsets(reference):
    d = _data(reference["inputs"], "mcdaniel1994", "all")
    d = d[d["group"].notna()]  # 3 studies have no interview type
    out = subgroup(d["ri"], d["ni"], d["group"], method="REML", test="knha")
    fits = reference["fits"]
    for g in ("j", "p", "s"):
        sel = fits[
            (fits["dataset"] == "mcdaniel1994")
            & (fits["subset"] == f"type={g}")
            & (fits["method"] == "REML")
            & (fits["test"] == "knha")
            & (fits["quantity"] == "estimate")
        ]
        got = out.loc[out["group"] == g, "estimate_z"].iloc[0]
        assert_allclose(got, sel["value"].iloc[0], rtol=REL_TOL)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-0.95, 0.95, allow_nan=False), st.integers(min_value=4, max_value=5000)
        ),
        min_size=2,
        max_size=12,
    ),
    st.sampled_from(METHODS),
    st.sampled_from(TESTS),
)
def test_properties(rows, method, test):
    r = [x for x, _ in rows]
    n = [m for _, m in rows]
    f = meta_correlations(r, n, method=method, test=test).fit
    z = np.arctanh(r)
    assert z.min() - 1e-12 <= f.estimate <= z.max() + 1e-12  # a weighted mean
    assert f.tau2 >= 0
    assert f.ci_low <= f.estimate <= f.ci_high
    if method != "EE":
        assert f.pi_low <= f.ci_low + 1e-12 and f.pi_high >= f.ci_high - 1e-12
        assert f.tau2_ci_low <= f.tau2_ci_high
    assert 0 <= f.i2 <= 100
    assert_allclose(f.weights.sum(), 100.0, rtol=1e-12)


# ---------------------------------------------------------------------------
# pool_table
# ---------------------------------------------------------------------------


def _table(**overrides) -> pd.DataFrame:
    base = {
        "row_id": ["a1", "a2", "a3", "a4"],
        "source_id": ["s1", "s2", "s3", "s4"],
        "source_kind": ["primary", "primary", "primary", "primary"],
        "cohort": ["c1", "c2", "c3", "c4"],
        "var_x": ["milk", "infant_blood", "milk", "maternal_blood"],
        "var_y": ["infant_blood", "milk", "infant_blood", "milk"],
        "coefficient": ["pearson", "spearman", "pearson", "pearson"],
        "adjusted": [False, False, False, False],
        "r": [0.36, 0.30, 0.22, 0.51],
        "n": pd.array([90, 100, 67, 40], dtype="Int64"),
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_pool_table_groups_unordered_pairs():
    out = pool_table(_table(), by=["pair"], method="DL")
    frame = out.to_frame()
    assert frame["group"].tolist() == ["pair=infant_blood~milk", "pair=maternal_blood~milk"]
    assert frame["k"].tolist() == [3, 1]
    expected = meta_correlations([0.36, 0.30, 0.22], [90, 100, 67], method="DL")
    assert_allclose(frame["estimate_z"].iloc[0], expected.fit.estimate, rtol=CLOSED_FORM_RTOL)
    assert out.excluded.empty and list(out.excluded.columns) == list(EXCLUDED_COLUMNS)
    assert out.studies()["label"].tolist() == ["a1", "a2", "a3", "a4"]


def test_pool_table_refuses_mixed_pairs():
    with pytest.raises(DataValidationError, match=r"mixes variable pairs.*a4"):
        pool_table(_table())


def test_pool_table_refuses_adjusted_mixed_with_raw():
    t = _table(adjusted=[False, True, False, False])
    with pytest.raises(DataValidationError, match=r"adjusted coefficients \(rows a2\)"):
        pool_table(t, by=["pair"])
    out = pool_table(t, by=["pair"], on_unpoolable="skip")
    assert out.excluded.to_dict("records") == [
        {
            "row": "a2",
            "label": "a2",
            "group": "pair=infant_blood~milk",
            "reason": "adjusted coefficient, not a raw correlation",
        }
    ]
    assert out.to_frame()["k"].tolist() == [2, 1]
    assert out.unpooled_groups == ()


def test_pool_table_lists_groups_with_nothing_to_pool():
    t = _table(n=pd.array([90, 100, 67, None], dtype="Int64"))
    out = pool_table(t, by=["pair"], on_unpoolable="skip")
    assert out.unpooled_groups == ("pair=maternal_blood~milk",)
    assert out.to_frame()["group"].tolist() == ["pair=infant_blood~milk"]


def test_pool_table_leave_one_out_per_pool():
    out = pool_table(_table(), by=["pair"], method="DL")
    loo = out.leave_one_out()
    # only the 3-study pool has a leave-one-out; the 1-study pool has none
    assert loo["pool"].unique().tolist() == ["pair=infant_blood~milk"]
    assert loo["omitted"].tolist() == ["a1", "a2", "a3"]
    direct = leave_one_out([0.36, 0.30, 0.22], [90, 100, 67], method="DL")
    assert_allclose(loo["estimate_z"], direct["estimate_z"], rtol=CLOSED_FORM_RTOL)


def test_pool_table_missing_n_names_line_and_column():
    t = _table(n=pd.array([90, None, 67, 40], dtype="Int64"))
    with pytest.raises(DataValidationError) as info:
        pool_table(t, by=["pair"], file="my.csv")
    assert str(info.value).startswith("my.csv, line 3, column n: no n")
    out = pool_table(t, by=["pair"], on_unpoolable="skip")
    assert out.excluded["row"].tolist() == ["a2"]


def test_pool_table_non_numeric_and_bad_values():
    t = _table(r=["0.36", "0.3o", "0.22", "0.51"])
    with pytest.raises(
        DataValidationError, match=r"x.csv, line 3, column r: not a number: '0.3o'"
    ):
        pool_table(t, by=["pair"], file="x.csv")
    t = _table(r=[0.36, 0.30, 1.5, 0.51])
    with pytest.raises(DataValidationError, match=r"line 4, column r: r = 1.5 is outside"):
        pool_table(t, by=["pair"], file="x.csv")
    t = _table(n=[90, 100, 3, 40])
    with pytest.raises(DataValidationError, match=r"line 4, column n: n = 3 must be"):
        pool_table(t, by=["pair"], file="x.csv")
    with pytest.raises(DataValidationError, match="column rho"):
        pool_table(_table(), r="rho", file="x.csv")


def test_pool_table_source_kinds_and_secondary_duplicates():
    t = _table(
        source_kind=["primary", "secondary", "lay", "secondary"],
        cohort=["c1", "c1", "c3", "c4"],
    )
    out = pool_table(t, by=["pair"], source_kinds=("primary", "secondary"), on_unpoolable="skip")
    reasons = dict(zip(out.excluded["row"], out.excluded["reason"], strict=True))
    assert reasons["a3"].startswith("source kind lay is not pooled")
    assert reasons["a2"] == "repeats primary row a1 (same cohort and pair)"
    frame = out.to_frame()
    assert frame["k"].tolist() == [1, 1]
    assert "includes secondary-source rows: a4" in frame["note"].iloc[1]


def test_pool_table_notes_repeated_cohort():
    t = _table(cohort=["c1", "c1", "c3", "c4"])
    note = pool_table(t, by=["pair"]).to_frame()["note"].iloc[0]
    assert "cohort c1 contributes 2 rows (not independent)" in note


def test_pool_table_nothing_left():
    t = _table(r=[np.nan] * 4)
    with pytest.raises(DataValidationError, match="nothing left to pool"):
        pool_table(t, by=["pair"], on_unpoolable="skip")


KNHA_IDENTICAL = Path(__file__).parent / "reference" / "metafor_knha_identical.csv"


@pytest.mark.parametrize("method", ["DL", "REML", "PM"])
@pytest.mark.parametrize(
    ("label", "vi"), [("equal_vi", [0.01, 0.01, 0.01]), ("unequal_vi", [0.01, 0.02, 0.03])]
)
def test_knha_identical_effects_match_metafor(method: str, label: str, vi: list[float]) -> None:
    """Identical effects: KH scale 0, so se 0, statistic Inf and p 0, as metafor."""
    ref = pd.read_csv(KNHA_IDENTICAL)
    ref = ref[(ref["input"] == label) & (ref["method"] == method)]
    want = dict(zip(ref["quantity"], ref["value"].astype(float), strict=True))
    fit = rma([0.3, 0.3, 0.3], vi, method=method, test="knha")
    assert want["s2w"] == fit.s2w == 0.0
    assert want["se"] == fit.se == 0.0
    assert fit.statistic == want["statistic"] == math.inf
    assert fit.p_value == want["p_value"] == 0.0
    np.testing.assert_allclose(
        [fit.estimate, fit.ci_low, fit.ci_high, fit.tau2],
        [want["estimate"], want["ci_low"], want["ci_high"], want["tau2"]],
        rtol=CLOSED_FORM_RTOL,
        atol=1e-15,
    )


def test_pool_groups_is_meta_correlations_per_group():
    from b12stats.stats.meta import pool_groups

    r, n = [0.3, 0.5, 0.2, 0.1, 0.25], [40, 60, 100, 50, 70]
    out = pool_groups(r, n, ["b", "a", "b", "a", "b"], notes={"a": ["note a"]}, method="DL")
    assert [res.group for res in out.results] == ["b", "a"]
    by_hand = meta_correlations([0.3, 0.2, 0.25], [40, 100, 70], method="DL")
    assert_allclose(out.results[0].fit.estimate, by_hand.fit.estimate, rtol=1e-12)
    assert out.results[1].notes[-1] == "note a"
    assert out.excluded.empty and list(out.excluded.columns) == list(EXCLUDED_COLUMNS)
    with pytest.raises(OptionError, match="groups has 2 entries"):
        pool_groups(r, n, ["a", "b"])


def test_summaries_of_a_pool_and_a_table():
    t = _table(n=pd.array([90, 100, None, 40], dtype="Int64"))
    out = pool_table(t, by=["pair"], method="DL", on_unpoolable="skip")
    text = out.summary()
    row = out.to_frame().iloc[0]
    first = out.results[0].summary().splitlines()
    assert first[0] == f"{row['group']}: k = {row['k']}, n = {row['n_total']}"
    assert f"r = {row['estimate_r']:.3f} [95% CI {row['ci_low_r']:.3f}, " in first[1]
    assert text.startswith(out.results[0].summary())
    assert text.splitlines()[-2:] == ["left out:", "  a3: no n (sample size not reported)"]
    html = out._repr_html_()
    assert html.count("<table") == len(out.results) + 1 and "a3" in html

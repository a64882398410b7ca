"""Tests for b12stats.stats.effects against R (tests/reference/stats_reference.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from b12stats.errors import OptionError
from b12stats.stats.effects import check_p_against_ci, check_ratio, effect_from_ci, ratio

REFERENCE_CSV = Path(__file__).parent / "reference" / "stats_reference.csv"

# closed forms (log, qnorm, pnorm) in R and numpy: floating-point agreement
CLOSED_FORM_RTOL = 1e-9

WANG = {
    # Wang et al. 2024 AJCN: prenatal +34.4% (95% CI 17.0, 54.5), P < 0.001;
    # postnatal +15.9% (95% CI 1.91, 31.9), P = 0.025
    "wang_prenatal_6wk": ("34.4", "17.0", "54.5", "P < 0.001"),
    "wang_postnatal_7mo": ("15.9", "1.91", "31.9", "P = 0.025"),
}


def _val(section: str, case: str, quantity: str) -> float:
    ref = pd.read_csv(REFERENCE_CSV, comment="#")
    row = ref[(ref["section"] == section) & (ref["case"] == case) & (ref["quantity"] == quantity)]
    assert len(row) == 1, (section, case, quantity)
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("case", sorted(WANG))
def test_effect_from_ci_matches_r(case: str) -> None:
    est, lo, hi, _ = WANG[case]
    res = effect_from_ci(float(est), float(lo), float(hi)).iloc[0]
    for col in ("estimate", "se", "statistic", "p_value", "asymmetry"):
        assert_allclose(res[col], _val("effect", case, col), rtol=CLOSED_FORM_RTOL)


def test_effect_by_hand_ratio_scale() -> None:
    # ratio 2 (1, 4): log CI symmetric, se = log(4) / (2 * 1.959964), z = log 2 / se
    res = effect_from_ci(2.0, 1.0, 4.0, scale="ratio").iloc[0]
    se = np.log(4.0) / (2 * 1.959963984540054)
    assert_allclose(res["se"], se, rtol=1e-12)
    assert_allclose(res["statistic"], np.log(2.0) / se, rtol=1e-12)
    assert_allclose(res["asymmetry"], 0.0, atol=1e-12)
    # a 90% interval gives a smaller SE multiplier: se = log 4 / (2 * 1.644854)
    res90 = effect_from_ci(2.0, 1.0, 4.0, scale="ratio", conf_level=0.90).iloc[0]
    assert_allclose(res90["se"], np.log(4.0) / (2 * 1.6448536269514722), rtol=1e-12)


@pytest.mark.parametrize("case", sorted(WANG))
def test_check_p_against_ci_matches_r_corners(case: str) -> None:
    est, lo, hi, p_text = WANG[case]
    row = check_p_against_ci(p_text, est, lo, hi).iloc[0]
    assert_allclose(row["p_low"], _val("effect", case, "p_low"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(row["p_high"], _val("effect", case, "p_high"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(row["p_recomputed"], _val("effect", case, "p_value"), rtol=CLOSED_FORM_RTOL)
    # literature: both printed P values are consistent with their CIs
    assert row["consistent"]


def test_check_p_against_ci_detects_inconsistency() -> None:
    # P printed as 0.01 for +15.9% (1.91, 31.9): recomputed 0.024-0.026 -> inconsistent
    assert not check_p_against_ci("P = 0.01", "15.9", "1.91", "31.9").iloc[0]["consistent"]
    # P < 0.001 is not compatible with the postnatal CI
    assert not check_p_against_ci("P < 0.001", "15.9", "1.91", "31.9").iloc[0]["consistent"]
    # rounding matters: at the printed numbers P = 0.02494, outside [0.0255, 0.0265]
    # ("P = 0.026"), but within the rounding of the estimate and bounds P reaches
    # 0.02561, so "P = 0.026" is consistent
    row = check_p_against_ci("P = 0.026", "15.9", "1.91", "31.9").iloc[0]
    assert row["consistent"] and not (0.0255 <= row["p_recomputed"] <= 0.0265)
    # floats: decimals inferred from the repr (15.9 -> 1, 1.91 -> 2) give the
    # same answer as the strings; given per input they override the inference
    floats = check_p_against_ci("P = 0.026", 15.9, 1.91, 31.9).iloc[0]
    assert_allclose([floats["p_low"], floats["p_high"]], [row["p_low"], row["p_high"]])
    given = check_p_against_ci(
        "P = 0.026", 15.9, 1.91, 31.9, estimate_decimals=1, ci_low_decimals=2, ci_high_decimals=1
    ).iloc[0]
    assert_allclose([given["p_low"], given["p_high"]], [row["p_low"], row["p_high"]])
    # floats taken as exact: the range collapses to the point
    exact = check_p_against_ci("P = 0.026", 15.9, 1.91, 31.9, infer_decimals=False).iloc[0]
    assert not exact["consistent"]
    assert_allclose(exact["p_low"], exact["p_high"], rtol=1e-12)
    # 17.0 as a float infers 0 decimals: a wider box than the printed "17.0"
    wide = check_p_against_ci("P < 0.001", 34.4, 17.0, 54.5).iloc[0]
    narrow = check_p_against_ci("P < 0.001", "34.4", "17.0", "54.5").iloc[0]
    assert wide["p_high"] > narrow["p_high"]


def test_ratio_and_literature_ratios() -> None:
    assert_allclose(ratio(348, 171), 348 / 171, rtol=1e-15)
    assert_allclose(ratio([2.0, 9.0], [1.0, 3.0]), [2.0, 3.0], rtol=1e-15)
    # by hand: 348/171 = 2.03509 -> rounds to 2.04, not 2.03; with the medians'
    # rounding, [347.5/171.5, 348.5/170.5] = [2.02624, 2.04399] meets [2.025, 2.035]
    row = check_ratio(348, 171, "2.03x").iloc[0]
    assert not row["reproduced_exact"] and row["consistent_with_rounding"]
    assert_allclose([row["ratio_low"], row["ratio_high"]], [347.5 / 171.5, 348.5 / 170.5])
    # 291/145 = 2.00690 -> 2.01 and 347/148 = 2.34459 -> 2.34: both reproduced
    for num, den, text in ((291, 145, "2.01x"), (347, 148, "2.34x")):
        row = check_ratio(num, den, text).iloc[0]
        assert row["reproduced_exact"] and row["consistent_with_rounding"]
    # a ratio no rounding can rescue: 348/171 printed as 2.10x
    row = check_ratio("348", "171", "2.10x").iloc[0]
    assert not row["reproduced_exact"] and not row["consistent_with_rounding"]


@settings(max_examples=50, deadline=None)
@given(
    num=st.integers(min_value=10, max_value=2000),
    den=st.integers(min_value=10, max_value=2000),
    d=st.integers(min_value=1, max_value=3),
)
def test_ratio_printed_from_its_inputs_is_reproduced(num: int, den: int, d: int) -> None:
    text = f"{num / den:.{d}f}x"
    row = check_ratio(num, den, text).iloc[0]
    assert row["reproduced_exact"] and row["consistent_with_rounding"]


@settings(max_examples=50, deadline=None)
@given(
    log_est=st.floats(min_value=-1.0, max_value=1.0),
    se=st.floats(min_value=0.01, max_value=0.5),
)
def test_p_printed_from_ci_is_consistent(log_est: float, se: float) -> None:
    # round trip: an effect and CI built on the log scale, printed with 1 or 2
    # decimals, and the P value printed with 3 decimals, must be consistent
    z = 1.959963984540054
    pct = [100 * np.expm1(log_est + k * z * se) for k in (0.0, -1.0, 1.0)]
    p = effect_from_ci(*pct).iloc[0]["p_value"]
    p_text = f"P = {p:.3f}" if p >= 0.001 else "P < 0.001"
    texts = [f"{x:.2f}" for x in pct]
    assert check_p_against_ci(p_text, *texts).iloc[0]["consistent"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: effect_from_ci(34.4, 54.5, 17.0), "ci_low < estimate < ci_high"),
        (lambda: effect_from_ci(-50.0, -120.0, 10.0), "> -100"),
        (lambda: effect_from_ci(2.0, 0.0, 3.0, scale="ratio"), "> 0"),
        (lambda: effect_from_ci(2.0, 1.0, 3.0, scale="odds"), "unknown scale"),
        (lambda: effect_from_ci(2.0, 1.0, 3.0, conf_level=95), "conf_level"),
        (lambda: check_p_against_ci("P = x", "15.9", "1.91", "31.9"), "cannot read a P"),
        (lambda: check_p_against_ci("P = 0.1", "1.0", "1.0", "1.0"), "ci_low < estimate"),
        (lambda: ratio(1.0, 0.0), "denominator is zero"),
        (lambda: check_ratio(348, 171, "about twice"), "cannot read a number"),
        (lambda: check_ratio(-348, 171, "2.03x"), "positive"),
    ],
)
def test_invalid_inputs_raise_option_error(call: object, match: str) -> None:
    with pytest.raises(OptionError, match=match):
        call()  # type: ignore[operator]

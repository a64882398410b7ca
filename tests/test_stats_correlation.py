"""Tests for b12stats.stats.correlation against R (tests/reference/stats_reference.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from b12stats.errors import OptionError
from b12stats.stats.correlation import (
    NInterval,
    check_r_p_n,
    compare_correlations,
    fisher_z_ci,
    n_for_power_correlation,
    n_interval_from_r_p,
    p_from_r,
    power_correlation,
    r_to_z,
    z_to_r,
)

REFERENCE_CSV = Path(__file__).parent / "reference" / "stats_reference.csv"

# closed forms evaluated by R and by scipy with the same formula: agree to
# floating point (t tail areas to ~1e-12 relative at the smallest P we test)
CLOSED_FORM_RTOL = 1e-9
# R integrate(rel.tol=1e-10) vs scipy quad(epsabs=1e-12) of the same integral
INTEGRAL_RTOL = 1e-6
# a P value printed in a paper with 1 significant digit ("0.0008", "0.10"):
# half a unit of its last printed digit
HALF_UNIT_4DP = 0.5e-4
HALF_UNIT_2DP = 0.5e-2


def _ref(section: str) -> pd.DataFrame:
    ref = pd.read_csv(REFERENCE_CSV, comment="#")
    return ref[ref["section"] == section]


def _val(section: str, case: str, quantity: str) -> float:
    ref = _ref(section)
    row = ref[(ref["case"] == case) & (ref["quantity"] == quantity)]
    assert len(row) == 1, (section, case, quantity)
    return float(row["value"].iloc[0])


# ---------------------------------------------------------------- P from r


def test_p_from_r_matches_r_pt() -> None:
    ref = _ref("p_from_r")
    parsed = ref["case"].str.extract(r"r=(?P<r>[-\d.]+);n=(?P<n>\d+)").astype(float)
    for alt in ("two-sided", "greater", "less"):
        sel = ref["quantity"] == alt
        got = p_from_r(parsed["r"][sel].to_numpy(), parsed["n"][sel].to_numpy(), alternative=alt)
        assert_allclose(got, ref["value"][sel].to_numpy(), rtol=CLOSED_FORM_RTOL)


def test_p_from_r_matches_cor_test_on_data() -> None:
    # R's cor.test on data built to have r = 0.51 exactly, n = 40
    assert_allclose(
        p_from_r(0.51, 40), _val("cor_test", "r=0.51;n=40", "p_value"), rtol=CLOSED_FORM_RTOL
    )


def test_literature_p_values() -> None:
    # literature.md: r = 0.51, n = 40 gives p ~ 0.0008; r = 0.20, n = 67 gives p ~ 0.10
    assert_allclose(p_from_r(0.51, 40), 0.0008, atol=HALF_UNIT_4DP)
    assert_allclose(p_from_r(0.20, 67), 0.10, atol=HALF_UNIT_2DP)


def test_p_from_r_edges() -> None:
    assert p_from_r(1.0, 10) == 0.0
    assert_allclose(p_from_r(0.0, 10), 1.0, rtol=CLOSED_FORM_RTOL)
    assert isinstance(p_from_r(0.3, 20), float)
    assert p_from_r(np.array([0.1, 0.2]), 20).shape == (2,)


# ---------------------------------------------------------------- Fisher z


def test_fisher_z_ci_matches_r() -> None:
    ref = _ref("fisher_ci")
    for case in ref["case"].unique():
        r, n, cl = (float(x.split("=")[1]) for x in case.split(";"))
        res = fisher_z_ci(r, int(n), conf_level=cl)
        assert list(res.columns) == [
            "estimate",
            "se_z",
            "ci_low",
            "ci_high",
            "n",
            "conf_level",
            "method",
        ]
        assert_allclose(
            res[["ci_low", "ci_high"]].to_numpy()[0],
            [_val("fisher_ci", case, "ci_low"), _val("fisher_ci", case, "ci_high")],
            rtol=CLOSED_FORM_RTOL,
        )
        assert_allclose(res["se_z"].iloc[0], 1 / np.sqrt(n - 3), rtol=CLOSED_FORM_RTOL)


def test_fisher_z_vectorised_and_round_trip() -> None:
    res = fisher_z_ci([0.1, 0.5], [20, 50])
    assert len(res) == 2
    assert_allclose(z_to_r(r_to_z(np.array([-0.9, 0.0, 0.36]))), [-0.9, 0.0, 0.36], rtol=1e-12)
    # by hand: atanh(0.5) = 0.5 * log(3)
    assert_allclose(r_to_z(0.5), 0.5 * np.log(3.0), rtol=1e-14)


# ----------------------------------------------------------- n from (r, P)

N_CASES = {
    "r=0.51;p=0.003": ("0.51", "p = 0.003", "two-sided"),
    "r=0.20;p=0.27": ("0.20", "p = 0.27", "two-sided"),
    "r=0.36;p<0.001": ("r = 0.36", "P < 0.001", "two-sided"),
    "r=0.30;p<0.05": ("0.30", "P < 0.05", "two-sided"),
    "r=0.659;p<0.001": ("0.659", "P < 0.001", "two-sided"),
    "r=0.23;p=0.02": ("0.23", "P = 0.02", "two-sided"),
    "r=-0.12;p=0.30": ("-0.12", "P = 0.30", "two-sided"),
    "r=0.20;p=0.27;greater": ("0.20", "p = 0.27", "greater"),
    "r=0.05;p>0.05": ("0.05", "P > 0.05", "two-sided"),
    "r=0.9;p=0.5": ("0.9", "P = 0.5", "two-sided"),
}


@pytest.mark.parametrize("case", sorted(N_CASES))
def test_n_interval_matches_r_brute_force(case: str) -> None:
    r_text, p_text, alt = N_CASES[case]
    iv = n_interval_from_r_p(r_text, p_text, alternative=alt)
    lo, hi = _val("n_interval", case, "n_min"), _val("n_interval", case, "n_max")
    if np.isnan(lo):
        assert iv.is_empty and iv.n_min is None and iv.n_max is None
        assert not iv.contains(10)
    else:
        assert (iv.n_min, iv.n_max) == (int(lo), int(hi))
        assert iv.contiguous
        assert iv.capped == (int(hi) == 100_000)


def test_literature_n_intervals_exclude_printed_n() -> None:
    # seed 003 prints r = 0.51 (p = 0.003) with n = 40 and r = 0.20 (p = 0.27)
    # with n = 67; neither n is compatible with its (r, p) pair
    canada = n_interval_from_r_p("0.51", "p = 0.003")
    cambodia = n_interval_from_r_p("0.20", "p = 0.27")
    assert not canada.contains(40)
    assert not cambodia.contains(67)
    assert canada.contains(32) and cambodia.contains(32)
    frame = cambodia.to_frame()
    assert frame.loc[0, "n_min"] == 31 and frame.loc[0, "n_max"] == 34


def test_check_r_p_n_fields() -> None:
    row = check_r_p_n("0.20", "p = 0.27", 67).iloc[0]
    assert_allclose(
        row["p_recomputed"], _val("p_from_r", "r=0.2;n=67", "two-sided"), rtol=CLOSED_FORM_RTOL
    )
    # range over r in [0.195, 0.205] at n = 67, by the closed form
    assert_allclose(
        [row["p_low"], row["p_high"]], [p_from_r(0.205, 67), p_from_r(0.195, 67)], rtol=1e-12
    )
    assert not row["consistent"]
    assert (row["n_min"], row["n_max"]) == (31, 34)
    assert check_r_p_n("0.36", "P < 0.001", 200).iloc[0]["consistent"]


@settings(max_examples=40, deadline=None)
@given(
    r=st.floats(min_value=-0.95, max_value=0.95, allow_nan=False),
    n=st.integers(min_value=5, max_value=2000),
    d_r=st.integers(min_value=2, max_value=3),
    d_p=st.integers(min_value=2, max_value=4),
)
def test_round_trip_printed_r_p_contains_n(r: float, n: int, d_r: int, d_p: int) -> None:
    # (r, n) -> p -> both printed with rounding -> the n interval must contain n
    p = p_from_r(r, n)
    r_text = f"{r:.{d_r}f}"
    p_text = f"P = {p:.{d_p}f}" if p >= 10**-d_p else f"P < {10**-d_p:.{d_p}f}"
    iv = n_interval_from_r_p(r_text, p_text, n_max=5000)
    assert iv.contains(n)


@settings(max_examples=40, deadline=None)
@given(
    r=st.floats(min_value=0.01, max_value=0.98, allow_nan=False),
    n=st.integers(min_value=4, max_value=500),
)
def test_p_decreases_in_abs_r_and_in_n(r: float, n: int) -> None:
    assert p_from_r(r, n) >= p_from_r(min(r + 0.01, 0.999), n)
    assert p_from_r(-r, n) >= p_from_r(-min(r + 0.01, 0.999), n)
    assert p_from_r(r, n) >= p_from_r(r, n + 1)


# ------------------------------------------------------- two correlations

COMPARE_CASES = {
    "0.51,40 vs 0.20,67;0.95": (0.51, 40, 0.20, 67, 0.95),
    "0.30,183 vs 0.659,100;0.95": (0.30, 183, 0.659, 100, 0.95),
    "-0.20,50 vs 0.40,30;0.90": (-0.20, 50, 0.40, 30, 0.90),
}


@pytest.mark.parametrize("case", sorted(COMPARE_CASES))
def test_compare_correlations_matches_cocor_formulas(case: str) -> None:
    r1, n1, r2, n2, cl = COMPARE_CASES[case]
    res = compare_correlations(r1, n1, r2, n2, conf_level=cl).iloc[0]
    assert_allclose(res["statistic"], _val("compare", case, "statistic"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(res["p_value"], _val("compare", case, "p_two"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(res["ci_low"], _val("compare", case, "ci_low"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(res["ci_high"], _val("compare", case, "ci_high"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(res["estimate"], r1 - r2, rtol=1e-14)
    for alt, q in (("greater", "p_greater"), ("less", "p_less")):
        p = compare_correlations(r1, n1, r2, n2, conf_level=cl, alternative=alt)["p_value"]
        assert_allclose(p.iloc[0], _val("compare", case, q), rtol=CLOSED_FORM_RTOL)


def test_literature_canada_vs_cambodia_not_significant() -> None:
    # r = 0.51 (n = 40) vs r = 0.20 (n = 67): Fisher z = 1.74, p = 0.081 > 0.05,
    # and Zou's interval for the difference includes 0
    res = compare_correlations(0.51, 40, 0.20, 67).iloc[0]
    assert res["p_value"] > 0.05
    assert res["ci_low"] < 0 < res["ci_high"]


# ------------------------------------------------------------------ power

POWER_CASES = [(0.3, 84), (0.2, 67), (0.51, 40), (0.1, 500), (0.5, 12)]
# Fisher-z approximation vs exact t-test power (R numbers above): differences
# 0.001-0.006 for n >= 40, 0.023-0.035 at n = 12; bounds with some room
APPROXIMATION_ATOL_N40 = 0.01
APPROXIMATION_ATOL_N12 = 0.04


@pytest.mark.parametrize(("r", "n"), POWER_CASES)
@pytest.mark.parametrize("alt", ["two-sided", "greater"])
def test_power_matches_r(r: float, n: int, alt: str) -> None:
    case = f"r={r:g};n={n};{'two.sided' if alt == 'two-sided' else alt}"
    fz = power_correlation(r, n, alternative=alt)
    assert_allclose(fz, _val("power", case, "fisher_z"), rtol=CLOSED_FORM_RTOL)
    exact = power_correlation(r, n, alternative=alt, method="exact")
    assert_allclose(exact, _val("power", case, "exact"), rtol=INTEGRAL_RTOL)
    atol = APPROXIMATION_ATOL_N40 if n >= 40 else APPROXIMATION_ATOL_N12
    assert_allclose(fz, exact, atol=atol)


def test_power_less_mirrors_greater_and_null_gives_alpha() -> None:
    assert_allclose(
        power_correlation(-0.3, 50, alternative="less"),
        power_correlation(0.3, 50, alternative="greater"),
        rtol=1e-14,
    )
    assert_allclose(power_correlation(0.0, 50, method="exact"), 0.05, rtol=1e-12)


@pytest.mark.parametrize(
    ("r", "power", "case"),
    [
        (0.3, 0.8, "r=0.3;power=0.8"),
        (0.2, 0.9, "r=0.2;power=0.9"),
        (0.51, 0.8, "r=0.51;power=0.8"),
    ],
)
def test_n_for_power_matches_r(r: float, power: float, case: str) -> None:
    n = n_for_power_correlation(r, power)
    assert n == int(_val("n_for_power", case, "fisher_z"))
    assert power_correlation(r, n) >= power > power_correlation(r, n - 1)


# ------------------------------------------------------------ bad inputs


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: p_from_r(1.2, 10), r"r must lie in \[-1, 1\]"),
        (lambda: p_from_r(0.3, 2), "n must be >= 3"),
        (lambda: p_from_r(0.3, 10.5), "whole numbers"),
        (lambda: p_from_r(0.3, 10, alternative="two.sided"), "unknown alternative"),
        (lambda: fisher_z_ci(0.3, 3), "n must be >= 4"),
        (lambda: fisher_z_ci(1.0, 30), r"r must lie in \(-1, 1\)"),
        (lambda: fisher_z_ci(0.3, 30, conf_level=1.0), "conf_level"),
        (lambda: compare_correlations(0.3, 30, 0.2, 30, conf_level=0), "conf_level"),
        (lambda: compare_correlations(0.3, 30, 0.2, 3), "n2 must be >= 4"),
        (lambda: n_interval_from_r_p("0.3", "p = x"), "cannot read a P value"),
        (lambda: n_interval_from_r_p("about half", "p = 0.1"), "printed with digits"),
        (lambda: n_interval_from_r_p("0.3", "p = 0.1", alternative="both"), "alternative"),
        (lambda: power_correlation(0.3, 50, alpha=0), "alpha"),
        (lambda: power_correlation(0.3, 50, method="pwr"), "unknown method"),
        (lambda: n_for_power_correlation(0.0, 0.8), "r = 0"),
        (lambda: n_for_power_correlation(0.3, 1.2), "power"),
        (lambda: n_for_power_correlation(-0.3, 0.8, alternative="greater"), "points away"),
    ],
)
def test_invalid_inputs_raise_option_error(call: object, match: str) -> None:
    with pytest.raises(OptionError, match=match):
        call()  # type: ignore[operator]


def test_ninterval_is_frozen() -> None:
    iv = NInterval(3, 5, False, True, "0.5", "p = 0.1", "two-sided")
    with pytest.raises(AttributeError):
        iv.n_min = 4  # type: ignore[misc]
    assert iv.contains(4) and not iv.contains(6)

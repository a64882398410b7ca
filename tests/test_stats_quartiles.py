"""Tests for b12stats.stats.quartiles against R (tests/reference/stats_reference.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from b12stats.errors import OptionError
from b12stats.stats.quartiles import (
    LognormalFit,
    lognormal_from_quartiles,
    mean_sd_from_quartiles,
    prevalence_from_quartiles,
)

REFERENCE_CSV = Path(__file__).parent / "reference" / "stats_reference.csv"

# closed forms (lm on 3 points, qlnorm/plnorm, matrix products) in R and numpy
CLOSED_FORM_RTOL = 1e-9
# Monte Carlo: R = 2000 replicates, SD of an SD estimate ~ 1/sqrt(2R) = 1.6%
# relative; 4 MC SEs plus the O(1/n) error of the asymptotic variance at n = 400
MC_SD_RTOL = 0.08
# coverage of a 95% interval: MC SE sqrt(0.95 * 0.05 / 2000) = 0.0049; 3 MC SEs
MC_COVERAGE_ATOL = 0.015
# "approximately one-third", "90%", "89%" as printed: half a unit of the last
# digit for the percentages; for the words our documented 10% relative band
PRINTED_PERCENT_ATOL = 0.005


def _ref(section: str) -> pd.DataFrame:
    ref = pd.read_csv(REFERENCE_CSV, comment="#")
    return ref[ref["section"] == section]


def _val(section: str, case: str, quantity: str) -> float:
    ref = _ref(section)
    row = ref[(ref["case"] == case) & (ref["quantity"] == quantity)]
    assert len(row) == 1, (section, case, quantity)
    return float(row["value"].iloc[0])


QUARTILE_CASES = {
    "193/276/399": (193.0, 276.0, 399.0),
    "61/113/199": (61.0, 113.0, 199.0),
    "100/150/250": (100.0, 150.0, 250.0),
    "0.3/1.5/9.7": (0.3, 1.5, 9.7),
}


@pytest.mark.parametrize("case", sorted(QUARTILE_CASES))
def test_least_squares_fit_matches_r_lm(case: str) -> None:
    q1, m, q3 = QUARTILE_CASES[case]
    fit = lognormal_from_quartiles(q1, m, q3, rtol=0.0)  # rtol 0: always least squares
    assert fit.method == "least_squares"
    assert_allclose(fit.mu, _val("lognormal_ls", case, "mu"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(fit.sigma, _val("lognormal_ls", case, "sigma"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(
        fit.asymmetry, _val("lognormal_ls", case, "asymmetry"), rtol=CLOSED_FORM_RTOL, atol=1e-15
    )
    for p in (0.1, 0.25, 0.5, 0.9):
        assert_allclose(
            fit.quantile(p), _val("lognormal_ls", case, f"q{p:g}"), rtol=CLOSED_FORM_RTOL
        )
    for x in (148, 220, 310):
        assert_allclose(fit.cdf(x), _val("lognormal_ls", case, f"cdf{x}"), rtol=CLOSED_FORM_RTOL)
    # residuals sum to zero and are symmetric (z = -a, 0, a)
    assert_allclose(sum(fit.residuals), 0.0, atol=1e-12)
    assert_allclose(fit.residuals[0], fit.residuals[2], rtol=1e-12)


def test_exact_fit_matches_r_and_flags() -> None:
    # Kenya infants: asymmetry 0.0149 <= rtol 0.02 -> exact, mu = log(276)
    fit = lognormal_from_quartiles(193, 276, 399)
    assert fit.exact and fit.method == "exact"
    assert_allclose(fit.mu, _val("lognormal_exact", "193/276/399", "mu"), rtol=CLOSED_FORM_RTOL)
    assert_allclose(
        fit.cdf(220), _val("lognormal_exact", "193/276/399", "cdf220"), rtol=CLOSED_FORM_RTOL
    )
    # Kenya milk: asymmetry -0.043 -> least squares
    milk = lognormal_from_quartiles(61, 113, 199)
    assert not milk.exact and milk.method == "least_squares"
    assert milk.misfit > 0
    frame = milk.to_frame()
    assert frame.shape[0] == 1 and {"mu", "sigma", "exact", "asymmetry", "misfit"} <= set(
        frame.columns
    )
    with pytest.raises(AttributeError):
        milk.mu = 1.0  # type: ignore[misc]
    assert isinstance(milk, LognormalFit)


@settings(max_examples=50, deadline=None)
@given(
    mu=st.floats(min_value=-2.0, max_value=8.0),
    sigma=st.floats(min_value=0.05, max_value=2.0),
)
def test_exact_lognormal_quartiles_recover_parameters(mu: float, sigma: float) -> None:
    q = np.exp(mu + sigma * stats.norm.ppf([0.25, 0.5, 0.75]))
    fit = lognormal_from_quartiles(*q)
    assert fit.exact
    assert_allclose([fit.mu, fit.sigma], [mu, sigma], rtol=1e-9, atol=1e-9)
    assert_allclose(fit.residuals, 0.0, atol=1e-9)


# -------------------------------------------------------------- prevalence


def test_literature_kenya_infant_share_at_or_below_220() -> None:
    # Williams 2018: quartiles 193/276/399 pmol/L; "approximately one-third" <= 220
    res = prevalence_from_quartiles(193, 276, 399, 220, side="at_or_below").iloc[0]
    assert_allclose(
        res["estimate"], _val("lognormal_exact", "193/276/399", "cdf220"), rtol=CLOSED_FORM_RTOL
    )
    assert_allclose(res["estimate"], 1 / 3, rtol=0.1)  # the documented "approximately" band
    assert np.isnan(res["se"]) and np.isnan(res["ci_low"]) and np.isnan(res["ci_high"])
    assert pd.isna(res["n"])
    assert "n unknown" in res["note"]


def test_literature_kenya_milk_share_below_310() -> None:
    # Williams 2016: milk quartiles 61/113/199, n = 286; printed "89%" below 310
    # (2018 abstract: 90%). The log-normal implies 87.9% (95% CI 83.4, 91.5):
    # the printed shares lie inside the interval.
    res = prevalence_from_quartiles(61, 113, 199, 310, n=286).iloc[0]
    case = "kenya_milk_lt310_n286"
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert_allclose(res[col], _val("prevalence", case, col), rtol=CLOSED_FORM_RTOL)
    assert res["ci_low"] < 0.89 < res["ci_high"]
    assert res["fit"] == "least_squares"


def test_prevalence_matches_r_other_cases() -> None:
    res = prevalence_from_quartiles(193, 276, 399, 220, side="at_or_below", n=100).iloc[0]
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert_allclose(
            res[col], _val("prevalence", "kenya_infant_le220_n100", col), rtol=CLOSED_FORM_RTOL
        )
    res = prevalence_from_quartiles(
        61, 113, 199, 310, n=286, side="at_or_above", conf_level=0.90
    ).iloc[0]
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert_allclose(
            res[col], _val("prevalence", "kenya_milk_ge310_n286_90", col), rtol=CLOSED_FORM_RTOL
        )


def test_prevalence_vectorised_columns_fixed() -> None:
    res = prevalence_from_quartiles([193, 61], [276, 113], [399, 199], [220, 310], n=[None, 286])
    assert list(res.columns) == [
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "cutoff",
        "side",
        "mu",
        "sigma",
        "asymmetry",
        "fit",
        "conf_level",
        "method",
        "note",
    ]
    assert len(res) == 2
    assert np.isnan(res["ci_low"].iloc[0]) and np.isfinite(res["ci_low"].iloc[1])


def test_delta_method_by_monte_carlo() -> None:
    # sample quartiles of n = 400 log-normal values, 2000 replicates, fixed seed:
    # the delta-method SE matches the spread of the estimates and the 95%
    # interval covers the true share about 95% of the time
    rng = np.random.default_rng(20261122)
    mu, sigma, n, reps, cutoff = 5.6, 0.54, 400, 2000, 220.0
    x = rng.lognormal(mu, sigma, size=(reps, n))
    q = np.quantile(x, [0.25, 0.5, 0.75], axis=1)
    true = stats.norm.cdf((np.log(cutoff) - mu) / sigma)
    for fit in ("least_squares", "exact"):
        res = prevalence_from_quartiles(q[0], q[1], q[2], cutoff, n=n, fit=fit)
        assert_allclose(res["estimate"].std(ddof=1), res["se"].mean(), rtol=MC_SD_RTOL)
        coverage = ((res["ci_low"] <= true) & (true <= res["ci_high"])).mean()
        assert_allclose(coverage, 0.95, atol=MC_COVERAGE_ATOL)


@settings(max_examples=40, deadline=None)
@given(
    c1=st.floats(min_value=20.0, max_value=1000.0),
    c2=st.floats(min_value=20.0, max_value=1000.0),
)
def test_prevalence_monotone_in_cutoff(c1: float, c2: float) -> None:
    lo, hi = sorted((c1, c2))
    below = prevalence_from_quartiles(193, 276, 399, [lo, hi])["estimate"].to_numpy()
    above = prevalence_from_quartiles(193, 276, 399, [lo, hi], side="above")["estimate"]
    assert below[0] <= below[1]
    assert above.iloc[0] >= above.iloc[1]
    assert_allclose(below + above.to_numpy(), 1.0, rtol=1e-12)


# ------------------------------------------------------------ mean and SD

MEAN_SD_CASES = {
    "193/276/399/100": (193.0, 276.0, 399.0, 100),
    "61/113/199/286": (61.0, 113.0, 199.0, 286),
    "0.3/1.5/9.7/286": (0.3, 1.5, 9.7, 286),
    "10/12/15/25": (10.0, 12.0, 15.0, 25),
}


@pytest.mark.parametrize("case", sorted(MEAN_SD_CASES))
@pytest.mark.parametrize("method", ["wan", "luo_wan", "shi_lognormal"])
def test_mean_sd_matches_metafor_formulas(case: str, method: str) -> None:
    q1, m, q3, n = MEAN_SD_CASES[case]
    res = mean_sd_from_quartiles(q1, m, q3, n, method=method).iloc[0]
    key = f"{case};{method}"
    for col in ("mean", "sd", "skew_statistic", "skew_critical"):
        assert_allclose(res[col], _val("mean_sd", key, col), rtol=CLOSED_FORM_RTOL)
    assert res["skew_significant"] == (res["skew_statistic"] >= res["skew_critical"])


def test_wan_by_hand() -> None:
    # Wan 2014 C3: mean (61 + 113 + 199) / 3 = 124.333; eta(286) = 2 qnorm(214.375/286.25)
    res = mean_sd_from_quartiles(61, 113, 199, 286).iloc[0]
    assert_allclose(res["mean"], 373 / 3, rtol=1e-14)
    eta = 2 * stats.norm.ppf((0.75 * 286 - 0.125) / (286 + 0.25))
    assert_allclose(res["sd"], 138 / eta, rtol=1e-14)


# ------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: lognormal_from_quartiles(300, 276, 399), "q1 < median < q3"),
        (lambda: lognormal_from_quartiles(-1, 276, 399), "q1 must be > 0"),
        (lambda: lognormal_from_quartiles(193, 276, 276), "q1 < median < q3"),
        (lambda: lognormal_from_quartiles(193, 276, 399, rtol=-1), "rtol"),
        (lambda: lognormal_from_quartiles([1, 2], [3, 4], [5, 6]), "q1 must be a finite number"),
        (lambda: prevalence_from_quartiles(193, 276, 399, 220, side="le"), "unknown side"),
        (lambda: prevalence_from_quartiles(193, 276, 399, 220, conf_level=1.5), "conf_level"),
        (lambda: prevalence_from_quartiles(193, 276, 399, -5), "cutoff"),
        (lambda: prevalence_from_quartiles(193, 276, 399, 220, n=1), "n must be"),
        (lambda: prevalence_from_quartiles(193, 276, 399, 220, method="boot"), "unknown method"),
        (lambda: prevalence_from_quartiles(193, 276, 399, 220, fit="ml"), "unknown fit"),
        (lambda: mean_sd_from_quartiles(193, 276, 399, 4), "n must be"),
        (lambda: mean_sd_from_quartiles(193, 276, 399, 50, method="hozo"), "unknown method"),
        (lambda: mean_sd_from_quartiles(400, 276, 399, 50), "q1 < median < q3"),
        (lambda: mean_sd_from_quartiles(0, 276, 399, 50, method="shi_lognormal"), "> 0"),
    ],
)
def test_invalid_inputs_raise_option_error(call: object, match: str) -> None:
    with pytest.raises(OptionError, match=match):
        call()  # type: ignore[operator]


def test_mean_sd_large_n_limits_by_hand() -> None:
    # independent of metafor's source: with exact population quartiles and a
    # huge n, Wan's SD -> sigma for normal data (eta(n) -> 2 * 0.6745) and Shi's
    # log-normal back-transform -> exp(mu + s^2/2), sqrt(exp(s^2) - 1) * mean;
    # the remaining differences are O(1/n) = 1e-6 relative
    large_n_rtol = 1e-5
    z = stats.norm.ppf([0.25, 0.5, 0.75])
    q = 50 + 10 * z
    wan = mean_sd_from_quartiles(*q, 10**6).iloc[0]
    assert_allclose([wan["mean"], wan["sd"]], [50, 10], rtol=large_n_rtol)
    mu, s = 5.0, 0.6
    q = np.exp(mu + s * z)
    shi = mean_sd_from_quartiles(*q, 10**6, method="shi_lognormal").iloc[0]
    mean = np.exp(mu + s**2 / 2)
    assert_allclose(
        [shi["mean"], shi["sd"]], [mean, mean * np.sqrt(np.expm1(s**2))], rtol=large_n_rtol
    )

"""The statistics moved out of the audit, against closed forms.

Tolerance: closed forms, so 1e-10 relative (floating-point error of a few
operations on numbers of order 1).
"""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose
from scipy import stats

from b12stats import format as fmt
from b12stats.errors import OptionError
from b12stats.stats.correlation import p_from_r, r_critical
from b12stats.stats.effects import ratio_from_cis
from b12stats.stats.printed import grim_counts
from b12stats.stats.quartiles import prevalence_from_gm_ci

RTOL = 1e-10  # closed forms


def test_ratio_from_cis_matches_the_log_scale_closed_form() -> None:
    # se_a = 10 and se_b = 4 exactly (half-widths over z_0.975)
    z = stats.norm.ppf(0.975)
    res = ratio_from_cis(200.0, (200 - 10 * z, 200 + 10 * z), 80.0, (80 - 4 * z, 80 + 4 * z))
    row = res.iloc[0]
    se = math.sqrt((10 / 200) ** 2 + (4 / 80) ** 2)
    assert_allclose(row.estimate, 2.5, rtol=RTOL)
    assert_allclose(row.se, se, rtol=RTOL)
    assert_allclose(
        [row.ci_low, row.ci_high], [2.5 * math.exp(-z * se), 2.5 * math.exp(z * se)], rtol=RTOL
    )
    assert_allclose(row.statistic, math.log(2.5) / se, rtol=RTOL)
    assert_allclose(row.p_value, 2 * stats.norm.sf(math.log(2.5) / se), rtol=RTOL)


def test_ratio_ci_excludes_one_exactly_when_p_below_alpha() -> None:
    z = stats.norm.ppf(0.975)
    # choose the numerator so that the lower bound is exactly 1: then P = 0.05
    se = math.hypot(0.1, 0.1)
    a = math.exp(z * se) * 100.0
    res = ratio_from_cis(
        a, (a * (1 - 0.1 * z), a * (1 + 0.1 * z)), 100.0, (100 - 10 * z, 100 + 10 * z)
    )
    assert_allclose(res.ci_low.iloc[0], 1.0, rtol=1e-9)
    assert_allclose(res.p_value.iloc[0], 0.05, rtol=1e-9)


def test_ratio_from_cis_rejects_bad_input() -> None:
    with pytest.raises(OptionError, match="numerator"):
        ratio_from_cis(-1.0, (1, 2), 1.0, (0.5, 1.5))
    with pytest.raises(OptionError, match="denominator_ci"):
        ratio_from_cis(1.0, (0.5, 1.5), 1.0, (1.5, 0.5))


def test_prevalence_from_gm_ci_linear_and_log_closed_forms() -> None:
    z = stats.norm.ppf(0.975)
    n, gm, sigma = 64, 150.0, 0.4
    # linear CI: GM ± z GM sigma / sqrt(n)
    half = z * gm * sigma / math.sqrt(n)
    res = prevalence_from_gm_ci(gm, gm - half, gm + half, n, 220.0).iloc[0]
    w = math.log(220 / gm) / sigma
    assert res.ci_scale == "linear"
    assert_allclose(res.sigma, sigma, rtol=RTOL)
    assert_allclose(res.estimate, stats.norm.cdf(w), rtol=RTOL)
    se_w = math.sqrt((1 + w * w / 2) / n)
    assert_allclose(
        [res.ci_low, res.ci_high], stats.norm.cdf([w - z * se_w, w + z * se_w]), rtol=RTOL
    )
    # log CI: exp(log GM ± z sigma / sqrt(n)); "above" is the complement
    f = math.exp(z * sigma / math.sqrt(n))
    res = prevalence_from_gm_ci(gm, gm / f, gm * f, n, 220.0, side="above").iloc[0]
    assert res.ci_scale == "log"
    assert_allclose(res.sigma, sigma, rtol=RTOL)
    assert_allclose(res.estimate, stats.norm.sf(w), rtol=RTOL)
    assert_allclose(
        [res.ci_low, res.ci_high], stats.norm.sf([w + z * se_w, w - z * se_w]), rtol=RTOL
    )


def test_prevalence_from_gm_ci_rejects_bad_input() -> None:
    with pytest.raises(OptionError, match="n must be"):
        prevalence_from_gm_ci(100.0, 90.0, 110.0, 1, 100.0)
    with pytest.raises(OptionError, match="ci_low must be below"):
        prevalence_from_gm_ci(100.0, 110.0, 90.0, 10, 100.0)
    with pytest.raises(OptionError, match="side"):
        prevalence_from_gm_ci(100.0, 90.0, 110.0, 10, 100.0, side="left")


def test_grim_counts_by_enumeration() -> None:
    for n in (3, 7, 25, 40, 67, 200):
        for d in (0, 1):
            for tenths in range(0, 1001, 7):
                pct = round(tenths / 10, d)
                expected = tuple(
                    k
                    for k in range(n + 1)
                    if round(100 * k / n - pct, 9) <= 0.5 * 10**-d
                    and round(pct - 100 * k / n, 9) <= 0.5 * 10**-d
                )
                assert grim_counts(pct, n, decimals=d) == expected, (pct, n, d)


def test_grim_counts_rejects_bad_n() -> None:
    with pytest.raises(OptionError, match="n must be"):
        grim_counts(50.0, 0, decimals=1)


def test_r_critical_inverts_the_t_test() -> None:
    for n in (5, 10, 30, 67, 500):
        for alpha in (0.05, 0.01, 0.001):
            assert_allclose(p_from_r(r_critical(n, alpha=alpha), n), alpha, rtol=1e-9)
    # the textbook table value at n = 10, alpha = 0.05: 0.632
    assert abs(r_critical(10) - 0.632) < 0.0005
    with pytest.raises(OptionError, match="n must be > 2"):
        r_critical(2)


def test_format_p_convention() -> None:
    assert [fmt.format_p(x) for x in (0.2736, 0.01, 0.00999, 1e-4, 9.9e-5, 3.14e-10)] == [
        "0.274", "0.010", "0.01", "0.0001", "9.9e-05", "3.1e-10",
    ]  # fmt: skip

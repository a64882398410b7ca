"""Tests for b12stats.audit: the verdicts the issue names, the recomputed numbers, coverage.

Expected numbers are worked here from closed forms with scipy.stats/numpy
directly (not through b12stats.stats), or taken from the papers.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from b12stats import audit
from b12stats.data import load_table
from b12stats.format import format_p

#: closed forms recomputed here with the same formulas: only floating-point noise differs
CLOSED_FORM_RTOL = 1e-10

#: tables the audit reads
TABLES = (
    "sources",
    "cohorts",
    "concentrations",
    "comparisons",
    "correlations",
    "prevalences",
    "effects",
    "reference_values",
    "claims",
)

Z975 = stats.norm.ppf(0.975)
Z75 = stats.norm.ppf(0.75)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: load_table(name) for name in TABLES}


@pytest.fixture(scope="module")
def result(tables: dict[str, pd.DataFrame]) -> audit.AuditResult:
    return audit.run_audit(tables)


@pytest.fixture(scope="module")
def frame(result: audit.AuditResult) -> pd.DataFrame:
    return result.to_frame().set_index("check_id", drop=False)


def _p_pearson(r: float, n: int) -> float:
    """cor.test's two-sided P, worked directly: t = r sqrt((n-2)/(1-r^2)), t_{n-2}."""
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), n - 2))


def _n_compatible(r_lo: float, r_hi: float, p_lo: float, p_hi: float, n_max: int) -> list[int]:
    """Brute force: n whose P range over [r_lo, r_hi] meets [p_lo, p_hi]."""
    out = []
    for n in range(4, n_max + 1):
        a, b = _p_pearson(r_hi, n), _p_pearson(r_lo, n)  # P decreases in r > 0
        if a <= p_hi and b >= p_lo:
            out.append(n)
    return out


# --- structure ---------------------------------------------------------------------------------


def test_frame_columns_ids_and_verdicts(result: audit.AuditResult) -> None:
    frame = result.to_frame()
    required = ["check_id", "source_id", "source_kind", "claim", "reported", "recomputed"]
    required += ["verdict", "detail"]
    assert list(frame.columns[: len(required)]) == required
    assert list(frame.columns) == list(audit.COLUMNS)
    assert frame["check_id"].is_unique
    assert set(frame["verdict"]) <= set(audit.VERDICTS)
    assert set(frame["source_kind"]) <= {"primary", "secondary", "lay", "reference"}
    assert (frame["detail"].str.len() > 20).all()
    assert frame["value"].dtype == np.float64


def test_every_data_row_is_checked(
    tables: dict[str, pd.DataFrame], result: audit.AuditResult, frame: pd.DataFrame
) -> None:
    used = {rid for ids in frame["row_ids"] for rid in ids.split(";")}
    need = {(t, rid) for t in audit.REQUIRED_TABLES for rid in tables[t]["row_id"]}
    coh = tables["cohorts"]
    lay_or_secondary = coh["source_kind"].isin(["secondary", "lay"])
    need |= {("cohorts", rid) for rid in coh.loc[lay_or_secondary, "row_id"]}
    missing = sorted(f"{t}:{rid}" for t, rid in need if rid not in used)
    assert missing == []
    assert audit.coverage(result, tables).empty


def test_an_unjudged_worded_claim_is_an_explicit_unverifiable_check(
    tables: dict[str, pd.DataFrame],
) -> None:
    # a user's paraphrase with no claim_judgements row, and a claim type the audit does not know
    claims = tables["claims"]
    extra = claims[claims["row_id"] == "lay_plateau"].copy()
    extra["row_id"] = "lay_new_paraphrase"
    other = extra.copy()
    other["row_id"], other["claim_type"] = "lay_new_other", "expert_opinion"
    changed = {**tables, "claims": pd.concat([claims, extra, other], ignore_index=True)}
    res = audit.run_audit(changed)
    frame = res.to_frame().set_index("check_id")
    row = frame.loc["lay_new_paraphrase:paraphrase"]
    assert row["verdict"] == "unverifiable"
    assert "no judgement of it is recorded in claim_judgements" in row["detail"]
    assert row["row_ids"] == "lay_new_paraphrase"
    assert row["cited_source_id"] == extra["traced_source_id"].iloc[0]
    new = frame.loc["lay_new_other:unjudged"]
    assert (new["verdict"], new["category"]) == ("unverifiable", "expert_opinion")
    assert "(expert opinion)" in new["detail"]
    # the judged paraphrase it was copied from keeps its curated verdict
    assert frame.loc["lay_plateau:paraphrase", "verdict"] == "consistent"
    assert audit.coverage(res, changed).empty


def test_a_row_no_check_references_is_reported_uncovered(tables: dict[str, pd.DataFrame]) -> None:
    res = audit.run_audit(tables)
    kept = audit.AuditResult(tuple(c for c in res.checks if "lay_plateau" not in c.row_ids))
    assert audit.coverage(kept, tables)["row_id"].tolist() == ["lay_plateau"]


def test_summary_counts_by_source_kind(result: audit.AuditResult, frame: pd.DataFrame) -> None:
    s = result.summary()
    assert list(s.columns) == ["source_kind", *audit.VERDICTS, "total"]
    assert s["source_kind"].tolist() == ["primary", "secondary", "lay", "reference"]
    assert int(s["total"].sum()) == len(frame)
    expected = pd.crosstab(frame["source_kind"], frame["verdict"])
    for kind, row in s.set_index("source_kind").iterrows():
        for v in audit.VERDICTS:
            want = int(expected.loc[kind, v]) if (kind in expected.index and v in expected) else 0
            assert int(row[v]) == want
    assert result.has_problems
    assert sum(result.verdict_counts().values()) == len(frame)


def test_no_problems_without_the_garbled_sources(tables: dict[str, pd.DataFrame]) -> None:
    bad = {"summary_chebaya2017", "lay_wang2024"}
    clean = {
        name: (t if name == "sources" else t[~t["source_id"].isin(bad)].reset_index(drop=True))
        for name, t in tables.items()
    }
    res = audit.run_audit(clean)
    assert not res.has_problems
    assert audit.coverage(res, clean).empty


def test_missing_table_is_an_option_error(tables: dict[str, pd.DataFrame]) -> None:
    from b12stats.errors import OptionError

    partial = {k: v for k, v in tables.items() if k != "claims"}
    with pytest.raises(OptionError, match="claims"):
        audit.run_audit(partial)


# --- the summary page (secondary) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("row_id", "num", "den", "verdict"),
    [
        ("sum_ratio_mat", 348, 171, "consistent"),  # 2.0351 rounds to 2.04; inputs' rounding: ok
        ("sum_ratio_inf", 291, 145, "reproduced"),  # 2.0069 -> 2.01
        ("sum_ratio_milk", 347, 148, "reproduced"),  # 2.3446 -> 2.34
    ],
)
def test_summary_ratios(
    frame: pd.DataFrame, row_id: str, num: int, den: int, verdict: str
) -> None:
    row = frame.loc[f"{row_id}:ratio"]
    assert row["verdict"] == verdict
    assert_allclose(row["value"], num / den, rtol=CLOSED_FORM_RTOL)
    # integer-printed inputs stand for +-0.5
    assert_allclose(row["value_low"], (num - 0.5) / (den + 0.5), rtol=CLOSED_FORM_RTOL)
    assert_allclose(row["value_high"], (num + 0.5) / (den - 0.5), rtol=CLOSED_FORM_RTOL)


def test_summary_r051_n40_p0003_is_inconsistent(frame: pd.DataFrame) -> None:
    row = frame.loc["sum_can_mat_inf:r_p_n"]
    assert row["verdict"] == "inconsistent"
    assert_allclose(row["value"], _p_pearson(0.51, 40), rtol=CLOSED_FORM_RTOL)
    assert_allclose(row["value"], 0.00077, atol=0.000005)  # literature.md: p ~ 0.0008
    ns = _n_compatible(0.505, 0.515, 0.0025, 0.0035, 200)
    assert ns == list(range(ns[0], ns[-1] + 1))
    assert f"needs n in [{ns[0]}, {ns[-1]}]; reported n = 40" in row["detail"]


def test_summary_r020_n67_p027_is_inconsistent(frame: pd.DataFrame) -> None:
    row = frame.loc["sum_cam_mat_inf:r_p_n"]
    assert row["verdict"] == "inconsistent"
    assert_allclose(row["value"], _p_pearson(0.20, 67), rtol=CLOSED_FORM_RTOL)
    ns = _n_compatible(0.195, 0.205, 0.265, 0.275, 200)
    assert (ns[0], ns[-1]) == (31, 34)  # the example
    assert "p=0.27 with r = 0.20 needs n in [31, 34]; reported n = 67" in row["detail"]


def test_difference_between_051_and_020(frame: pd.DataFrame) -> None:
    row = frame.loc["sum_can_mat_inf:difference"]
    z = (math.atanh(0.51) - math.atanh(0.20)) / math.sqrt(1 / 37 + 1 / 64)
    p = 2 * stats.norm.sf(z)
    assert_allclose(p, 0.0813, atol=5e-5)
    assert f"z = {z:.2f}, p = {p:.3f}" in row["detail"]
    # Zou (2007) CI from the two Fisher-z intervals, worked here
    l1, u1 = np.tanh(math.atanh(0.51) + np.array([-1, 1]) * Z975 / math.sqrt(37))
    l2, u2 = np.tanh(math.atanh(0.20) + np.array([-1, 1]) * Z975 / math.sqrt(64))
    low = 0.31 - math.sqrt((0.51 - l1) ** 2 + (u2 - 0.20) ** 2)
    high = 0.31 + math.sqrt((u1 - 0.51) ** 2 + (0.20 - l2) ** 2)
    assert_allclose([row["value_low"], row["value_high"]], [low, high], rtol=CLOSED_FORM_RTOL)
    assert low < 0 < high
    assert row["verdict"] == "unverifiable"  # the contrast is not established
    assert "not significant" in row["detail"]


@pytest.mark.parametrize(
    ("check_id", "numbers"),
    [
        ("sum_can_n:vs_primary", ["40", "124"]),
        ("sum_cam_n:vs_primary", ["67", "69"]),
        ("sum_can_supp:vs_primary", ["No vitamin B12 supplementation", "consumed a daily"]),
        ("sum_cam_mat_inf:vs_primary", ["r = 0.20", "p=0.27", "p < 0.001"]),
        ("sum_can_mat:vs_primary", ["median 348", "geometric mean 698", "648-747"]),
        ("sum_cam_mat:vs_primary", ["171", "620"]),
        ("sum_can_inf:vs_primary", ["291", "506"]),
        ("sum_cam_inf:vs_primary", ["145", "357"]),
        ("sum_can_milk:vs_primary", ["347", "452"]),
        ("sum_cam_milk:vs_primary", ["148", "317"]),
        ("sum_ratio_mat:vs_primary", ["2.03x", "698", "620"]),
    ],
)
def test_summary_conflicts_with_primary(
    frame: pd.DataFrame, check_id: str, numbers: list[str]
) -> None:
    row = frame.loc[check_id]
    assert row["verdict"] == "conflicts_with_primary"
    assert row["cited_source_id"] == "chebaya2017"
    assert row["source_kind"] == "secondary"
    for text in numbers:
        assert text in row["detail"]


def test_cambodia_primary_p_needs_larger_r(frame: pd.DataFrame) -> None:
    # primary: p < 0.001 with n = 69 needs |r| >= t / sqrt(df + t^2) at alpha = 0.001
    t = stats.t.isf(0.0005, 67)
    crit = t / math.sqrt(67 + t * t)
    row = frame.loc["sum_cam_mat_inf:vs_primary"]
    assert_allclose(row["value"], crit, rtol=CLOSED_FORM_RTOL)
    assert crit > 0.20


def test_summary_facts_that_agree_are_reproduced(frame: pd.DataFrame) -> None:
    for cid in ("sum_cam_supp:vs_primary", "sum_can_time:vs_primary", "sum_cam_time:vs_primary"):
        assert frame.loc[cid, "verdict"] == "reproduced"
    assert frame.loc["sum_can_mat_inf:vs_primary", "verdict"] == "consistent"


def test_primary_ratio_interval_from_gm_cis(frame: pd.DataFrame) -> None:
    row = frame.loc["sum_ratio_mat:vs_primary"]
    se_a, se_b = (747 - 648) / (2 * Z975), (687 - 552) / (2 * Z975)
    se_log = math.hypot(se_a / 698, se_b / 620)
    ratio = 698 / 620
    want = [ratio, ratio * math.exp(-Z975 * se_log), ratio * math.exp(Z975 * se_log)]
    got = [row["value"], row["value_low"], row["value_high"]]
    assert_allclose(got, want, rtol=CLOSED_FORM_RTOL)
    assert want[2] < 2.03


# --- Kenya (Williams 2018, 2016) ---------------------------------------------------------------


def test_kenya_one_third_at_or_below_220(frame: pd.DataFrame) -> None:
    row = frame.loc["w18_inf_220:from_quartiles"]
    y1, y2, y3 = np.log([193, 276, 399])
    sigma = (y3 - y1) / (2 * Z75)
    # the quartiles are log-symmetric (asymmetry 0.015 < 0.02): mu = log median
    share = stats.norm.cdf((math.log(220) - y2) / sigma)
    assert_allclose(row["value"], share, rtol=CLOSED_FORM_RTOL)
    assert_allclose(share, 0.337, atol=0.0005)
    # 'approximately one-third' = 1/3 +- 10% (APPROX_REL_TOL)
    assert (1 / 3) * (1 - audit.APPROX_REL_TOL) <= share <= (1 / 3) * (1 + audit.APPROX_REL_TOL)
    assert row["verdict"] == "consistent"
    assert math.isnan(row["value_low"])  # no dyad n: no CI
    assert "no n printed" in row["detail"] and "n = 286" in row["detail"]


@pytest.mark.parametrize(("row_id", "printed"), [("w18_milk_310", 0.90), ("w16_milk_310", 0.89)])
def test_kenya_milk_below_310(frame: pd.DataFrame, row_id: str, printed: float) -> None:
    row = frame.loc[f"{row_id}:from_quartiles"]
    y = np.log([61, 113, 199])
    # asymmetric quartiles: least-squares log-normal, mu = mean of the log quartiles
    share = stats.norm.cdf((math.log(310) - y.mean()) / ((y[2] - y[0]) / (2 * Z75)))
    assert_allclose(row["value"], share, rtol=CLOSED_FORM_RTOL)
    assert_allclose(share, 0.879, atol=0.0005)
    assert row["value_low"] < printed < row["value_high"]
    assert row["value_low"] < share < row["value_high"]
    assert row["verdict"] == "consistent"
    assert "61/113/199" in row["detail"]
    if row_id == "w18_milk_310":
        assert "williams2016" in row["detail"]  # the borrowed quartiles are named


def test_williams_r036_needs_n(frame: pd.DataFrame) -> None:
    row = frame.loc["w18_milk_inf:n_needed"]
    # smallest n at which some r in [0.355, 0.365] gives P < 0.001
    n_min = next(n for n in range(4, 1000) if _p_pearson(0.365, n) < 0.001)
    assert row["value"] == n_min
    assert f"n >= {n_min}" in row["detail"] and "286" in row["detail"]
    assert row["verdict"] == "consistent"


# --- Wang 2024 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row_id", "est", "lo", "hi"),
    [("wa24_prenatal_6w", 34.4, 17.0, 54.5), ("wa24_postnatal_7m", 15.9, 1.91, 31.9)],
)
def test_wang_p_from_ci(
    frame: pd.DataFrame, row_id: str, est: float, lo: float, hi: float
) -> None:
    row = frame.loc[f"{row_id}:p_from_ci"]
    se = (math.log1p(hi / 100) - math.log1p(lo / 100)) / (2 * Z975)
    p = 2 * stats.norm.sf(math.log1p(est / 100) / se)
    assert_allclose(row["value"], p, rtol=CLOSED_FORM_RTOL)
    assert row["verdict"] == "reproduced"
    if row_id == "wa24_postnatal_7m":
        assert 0.0245 <= p <= 0.0255  # rounds to the printed P = 0.025
    else:
        assert p < 0.001


def test_lay_paraphrases_of_wang(frame: pd.DataFrame) -> None:
    assert frame.loc["lay_plateau:paraphrase", "verdict"] == "consistent"
    row = frame.loc["lay_postnatal_sustained:paraphrase"]
    assert row["verdict"] == "conflicts_with_primary"
    assert "68.4%" in row["detail"] and "15.9" in row["detail"]


# --- lay claims and reference values -----------------------------------------------------------


def test_untraceable_claims(frame: pd.DataFrame) -> None:
    row = frame.loc["lay_cornell_68:untraceable"]
    assert row["verdict"] == "unverifiable"
    assert "untraceable" in row["detail"] and "Cornell" in row["detail"]
    for rid in ("lay_ajcn_27", "lay_mcgill_half", "lay_nih_1_4"):
        assert frame.loc[f"{rid}:untraceable", "verdict"] == "unverifiable"


def test_lay_reference_values_match_iom(frame: pd.DataFrame) -> None:
    rda = frame.loc["lay_rda_lactation:vs_reference"]
    assert rda["verdict"] == "reproduced" and rda["cited_source_id"] == "iom1998"
    assert_allclose(rda["value"], 2.8)
    prenatal = frame.loc["lay_prenatal_dose:vs_reference"]
    assert prenatal["verdict"] == "reproduced"
    assert_allclose(prenatal["value"], 2.6)


def test_milk_ai_conversion(frame: pd.DataFrame) -> None:
    row = frame.loc["w18_milk_ai_level:conversion"]
    assert_allclose(row["value"], 0.42e6 / 1355.4, rtol=CLOSED_FORM_RTOL)
    assert row["verdict"] == "reproduced"  # 309.87 rounds to 310


# --- other primary checks ----------------------------------------------------------------------


def test_punjab_and_mittal(frame: pd.DataFrame) -> None:
    pj = frame.loc["pj_mat_inf:r_p_n"]
    assert pj["verdict"] == "reproduced"
    assert_allclose(pj["value"], _p_pearson(0.659, 100), rtol=1e-8)
    mi = frame.loc["mi17_mat_inf:implied_p"]
    assert_allclose(mi["value"], _p_pearson(0.23, 100), rtol=CLOSED_FORM_RTOL)
    assert mi["value"] < 0.05 and mi["verdict"] == "consistent"


def test_henjum_betas_ci_excludes_zero(frame: pd.DataFrame) -> None:
    betas = (("hj20_beta_mma", -42.5, -82.5, -2.5), ("hj20_beta_time", -4.9, -9.6, -0.3))
    for rid, est, lo, hi in betas:
        row = frame.loc[f"{rid}:p_from_ci"]
        p = 2 * stats.norm.sf(abs(est) / ((hi - lo) / (2 * Z975)))
        assert_allclose(row["value"], p, rtol=CLOSED_FORM_RTOL)
        assert row["verdict"] == "consistent"


def test_percent_counts(frame: pd.DataFrame) -> None:
    row = frame.loc["wa24_milk_310_7m:count"]
    # a count that fits shows the share possible, it does not recompute it: 'consistent'
    assert row["verdict"] == "consistent"
    assert_allclose(row["value"], 282 / 412, rtol=CLOSED_FORM_RTOL)  # 68.45% -> 68.4%
    assert "282/412" in row["detail"]


def test_percent_count_without_power_is_unverifiable(frame: pd.DataFrame) -> None:
    # n = 286 > 100: k/n moves in steps of 0.35 points, every whole percentage is reachable
    row = frame.loc["w16_hunger:count"]
    assert row["verdict"] == "unverifiable"
    assert_allclose(row["value"] * 100, 27, atol=0.5)
    # n = 69 < 100: informative, and 58/69 = 84.06% rounds to 84%
    assert frame.loc["ch17_cam_inf_221:count", "verdict"] == "consistent"
    assert_allclose(frame.loc["ch17_cam_inf_221:count", "value"], 58 / 69, rtol=CLOSED_FORM_RTOL)


def test_percent_count_that_cannot_arise(tables: dict[str, pd.DataFrame]) -> None:
    prev = tables["prevalences"].copy()
    i = prev.index[prev["row_id"] == "wa24_milk_310_7m"][0]
    prev.loc[i, "percent"] = 68.5  # k/412 near 68.5%: 282 -> 68.447, 283 -> 68.689
    prev.loc[i, "percent_decimals"] = 1
    res = audit.run_audit({**tables, "prevalences": prev}).to_frame().set_index("check_id")
    row = res.loc["wa24_milk_310_7m:count"]
    assert row["verdict"] == "consistent"  # a smaller denominator (missing values) fits
    assert re.search(r"\d+/\d+ does", row["detail"])


def test_sufficiency_from_gm_and_ci(frame: pd.DataFrame) -> None:
    # Cambodian infants: GM 357 (312, 402), n = 69, 84% > 221 pmol/L; log-normal, delta-method SE
    sigma = (402 - 312) / (2 * Z975) * math.sqrt(69) / 357
    w = (math.log(221) - math.log(357)) / sigma
    se_w = math.sqrt((1 + w * w / 2) / 69)
    want = [stats.norm.sf(w), stats.norm.sf(w + Z975 * se_w), stats.norm.sf(w - Z975 * se_w)]
    row = frame.loc["ch17_cam_inf_221:from_gm"]
    got = [row["value"], row["value_low"], row["value_high"]]
    assert_allclose(got, want, rtol=CLOSED_FORM_RTOL)
    assert row["value_low"] < 0.84 < row["value_high"]
    assert row["verdict"] == "consistent"


def test_gm_cis_are_symmetric_on_the_linear_scale(frame: pd.DataFrame) -> None:
    row = frame.loc["ch17_can_mat:gm_ci"]
    assert row["verdict"] == "consistent"
    assert_allclose(row["value"], math.sqrt(648 * 747), rtol=CLOSED_FORM_RTOL)


def test_duggan_comparisons_unverifiable(frame: pd.DataFrame) -> None:
    row = frame.loc["du14_milk_p:p"]
    assert row["verdict"] == "unverifiable"
    assert_allclose(row["value"], 136 / 87, rtol=CLOSED_FORM_RTOL)


def test_check_rejects_unknown_verdict() -> None:
    from b12stats.errors import OptionError

    with pytest.raises(OptionError, match="verdict"):
        audit.Check("x", "c", "t", ("r",), "s", "primary", "c", "r", "r", "fine", "d")


# --- review fixes: verdicts by the module's definitions ----------------------------------------


def test_model_based_shares_are_never_reproduced(frame: pd.DataFrame) -> None:
    # a share computed from a fitted log-normal rests on an assumed distribution: even when it
    # rounds to the printed share it is 'consistent', not 'reproduced' (that verdict means the
    # arithmetic of printed numbers holds)
    model = frame[frame["category"].isin(["prevalence_from_gm_ci", "prevalence_from_quartiles"])]
    assert len(model) >= 8
    assert (model["verdict"] != "reproduced").all()
    # Canadian infants: GM 506 (459, 552), n = 124 -> 94.4% > 221, rounds to the printed 94%
    sigma = (552 - 459) / (2 * Z975) * math.sqrt(124) / 506
    est = stats.norm.sf((math.log(221) - math.log(506)) / sigma)
    row = frame.loc["ch17_can_inf_221:from_gm"]
    assert_allclose(row["value"], est, rtol=CLOSED_FORM_RTOL)
    assert 0.935 <= est < 0.945
    assert row["verdict"] == "consistent"
    assert "model-based" in row["detail"]


def test_percent_count_wording_when_the_step_equals_the_printed_unit(frame: pd.DataFrame) -> None:
    # n = 100: one count is exactly one point, the printed unit (not "finer than" it)
    row = frame.loc["pj_inf_low:count"]
    assert row["verdict"] == "unverifiable"
    assert "finer than" not in row["detail"] and "equal to the printed unit" in row["detail"]
    assert "1 percentage point," in row["detail"]
    # n = 286: 0.35 points, finer than the printed unit of 1 point
    assert "finer than the printed unit" in frame.loc["w16_hunger:count", "detail"]
    assert frame.loc["w16_hunger:count", "detail"].startswith("a primary prevalence")


def test_adequacy_cutoffs_are_not_called_the_same_threshold(frame: pd.DataFrame) -> None:
    # '> 220' (Williams 2018) and '> 221' (Chebaya 2017) differ for a value of 221 pmol/L
    row = frame.loc["adequacy_cutoffs:agreement"]
    assert row["verdict"] == "consistent"
    assert_allclose(row["value"], 1.0)
    assert "same threshold by" not in row["detail"]
    assert (
        "not the same threshold" in row["detail"] and "221 pmol/L passes '> 220'" in row["detail"]
    )


def test_needed_n_names_the_kind_of_adjusted_coefficient(frame: pd.DataFrame) -> None:
    # Deegan's milk r's come from "a multiple regression analysis" (kind unstated); the infant vs
    # maternal r is "controlling for" covariates (a partial r)
    assert "unstated kind" in frame.loc["dg12_milk_mat:n_needed", "detail"]
    assert "(partial r: add" in frame.loc["dg12_mat_inf:n_needed", "detail"]
    assert "adjusted" not in frame.loc["w18_milk_inf:n_needed", "detail"]
    # r = 0.30 (rounding interval [0.295, 0.305]) with P < 0.05 needs n >= 42
    n_min = next(n for n in range(4, 1000) if _p_pearson(0.305, n) < 0.05)
    assert frame.loc["dg12_milk_mat:n_needed", "value"] == n_min == 42


def test_lay_prenatal_dose_says_the_rda_is_a_total_intake(frame: pd.DataFrame) -> None:
    row = frame.loc["lay_prenatal_dose:vs_reference"]
    assert "total daily intake" in row["detail"]
    assert "total daily intake" not in frame.loc["lay_rda_lactation:vs_reference", "detail"]


def test_sustained_paraphrase_names_the_median_as_indicative(frame: pd.DataFrame) -> None:
    row = frame.loc["lay_postnatal_sustained:paraphrase"]
    assert "(all arms together)" in row["detail"]
    assert "only indicative" in row["detail"] and "far beyond" not in row["detail"]
    # 310 / 206 - 1 = 50.5%: the rise the 6-week median would need
    assert f"+{100 * (310 / 206 - 1):.0f}%" in row["detail"]


def test_untraceable_wording_does_not_deny_a_cited_report_exists(frame: pd.DataFrame) -> None:
    # the lay article links a real NIH fact sheet; what cannot be traced is its 1.4%
    row = frame.loc["lay_nih_1_4:untraceable"]
    assert "no such paper or report" not in row["detail"]
    assert "no paper or report holding this number was found" in row["detail"]


def test_percent_counts_are_never_reproduced(frame: pd.DataFrame) -> None:
    # GRIM shows a printed share can arise from some whole count; the count is not printed
    counts = frame[frame["category"] == "percent_count"]
    assert (counts["verdict"] != "reproduced").all()
    for rid, k, n in [("si15_def", 18, 68), ("ch17_cam_mat_221", 67, 69)]:
        row = frame.loc[f"{rid}:count"]
        assert row["verdict"] == "consistent"
        assert_allclose(row["value"], k / n, rtol=CLOSED_FORM_RTOL)
        assert "count is not printed" in row["detail"]


@pytest.mark.parametrize(
    ("row_id", "a", "a_lo", "a_hi", "b", "b_lo", "b_hi"),
    [
        ("sum_ratio_mat", 698, 648, 747, 620, 552, 687),
        ("sum_ratio_milk", 452, 400, 504, 317, 256, 378),
    ],
)
def test_primary_ratio_p_agrees_with_its_interval(
    frame: pd.DataFrame, row_id: str, a: float, a_lo: float, a_hi: float, b: float,
    b_lo: float, b_hi: float,
) -> None:  # fmt: skip
    # the P printed next to the ratio's CI comes from the same log-ratio z statistic
    se_log = math.hypot((a_hi - a_lo) / (2 * Z975) / a, (b_hi - b_lo) / (2 * Z975) / b)
    p = 2 * stats.norm.sf(abs(math.log(a / b)) / se_log)
    row = frame.loc[f"{row_id}:vs_primary"]
    assert f"log ratio p = {format_p(p)}" in row["detail"]
    assert (row["value_low"] > 1) == (p < 0.05)


# --- the audit knows studies only from data ------------------------------------------------------


def _bundled_ids() -> set[str]:
    import csv
    from pathlib import Path

    ids: set[str] = set()
    for path in (Path(__file__).resolve().parent.parent / "data").glob("*.csv"):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                ids |= {row[c] for c in ("row_id", "source_id") if row.get(c)}
    return ids


def test_no_bundled_id_is_a_string_literal_in_the_audit() -> None:
    # every string constant in the code (f-string parts included; docstrings, whose
    # examples name rows on purpose, excluded) is searched for a bundled row or source id
    import ast
    from pathlib import Path

    ids = _bundled_ids()
    assert {"lay_plateau", "wang2024", "molar_mass"} <= ids  # the scan sees the data
    word = re.compile(r"[A-Za-z0-9_]+")
    found = []
    for path in sorted(Path(audit.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if id(node) not in docs and (hit := set(word.findall(node.value)) & ids):
                found.append(f"{path.name}:{node.lineno}: {sorted(hit)}")
    assert found == []


def test_paraphrase_verdicts_and_reasoning_come_from_the_judgement_table(
    tables: dict[str, pd.DataFrame],
) -> None:
    jd = load_table("claim_judgements")
    assert set(jd["claim_row_id"]) == set(
        tables["claims"].loc[tables["claims"]["claim_type"] == "secondary_paraphrase", "row_id"]
    )
    # change the curated verdict and a number the reasoning names: the check follows the data
    jd2 = jd.copy()
    i = jd2.index[jd2["claim_row_id"] == "lay_postnatal_sustained"][0]
    jd2.loc[i, "verdict"] = "consistent"
    eff = tables["effects"].copy()
    eff.loc[eff["row_id"] == "wa24_postnatal_7m", "ci_high"] = 99.5
    res = audit.run_audit({**tables, "effects": eff, "claim_judgements": jd2}).to_frame()
    row = res.set_index("check_id").loc["lay_postnatal_sustained:paraphrase"]
    assert row["verdict"] == "consistent"
    assert "95% CI 1.91-99.5" in row["detail"] and "upper CI bound 99.5%" in row["detail"]
    # the percent change the reasoning asks for is computed, not typed: 310 / 206 - 1
    assert f"+{100 * (310 / 206 - 1):.0f}% to reach 310" in row["detail"]
    assert row["row_ids"].split(";")[1:] == jd.loc[i, "evidence_row_ids"].split(";")


def test_a_judgement_naming_a_row_outside_its_evidence_is_an_option_error(
    tables: dict[str, pd.DataFrame],
) -> None:
    from b12stats.errors import OptionError

    jd = load_table("claim_judgements")
    jd.loc[0, "reasoning"] = "see {w18_infant.value:g}"
    with pytest.raises(OptionError, match="not among its evidence rows"):
        audit.run_audit({**tables, "claim_judgements": jd})
    jd.loc[0, "reasoning"] = "{claim.no_such_column}"
    with pytest.raises(OptionError, match="no column"):
        audit.run_audit({**tables, "claim_judgements": jd})
    jd.loc[0, "reasoning"] = "{mean(claim.row_id)}"
    with pytest.raises(OptionError, match="unknown template function"):
        audit.run_audit({**tables, "claim_judgements": jd})


def test_reference_checks_follow_the_role_column_not_the_wording(
    tables: dict[str, pd.DataFrame],
) -> None:
    # reword every quantity: the checks still find the rows by role
    ref = tables["reference_values"].copy()
    ref["quantity"] = [f"quantity {i}" for i in range(len(ref))]
    base = audit.run_audit(tables).to_frame().set_index("check_id")
    res = audit.run_audit({**tables, "reference_values": ref}).to_frame().set_index("check_id")
    for cid in (
        "adequacy_cutoffs:agreement",
        "deficiency_cutoffs:partition",
        "w18_milk_ai_level:conversion",
        "iom_ai_infant:derivation",
        "w16_intake_ear:vs_reference",
    ):
        assert res.loc[cid, "verdict"] == base.loc[cid, "verdict"], cid
    # a reference value without a role is reported, not skipped
    ref.loc[ref["row_id"] == "molar_mass", "role"] = None
    res = audit.run_audit({**tables, "reference_values": ref}).to_frame().set_index("check_id")
    assert res.loc["molar_mass:reference", "verdict"] == "unverifiable"
    assert "w18_milk_ai_level:conversion" not in res.index


def test_result_has_html_and_summary(result: audit.AuditResult) -> None:
    html_text = result._repr_html_()
    assert html_text.startswith("<p>") and "<table" in html_text
    assert "sum_cam_mat_inf:r_p_n" in html_text  # an inconsistent check is listed
    assert result.summary_line() in html_text


def test_family_registry_runs_in_a_fixed_order() -> None:
    from b12stats.audit.registry import register
    from b12stats.errors import OptionError

    names = list(audit.FAMILIES)
    assert names[0] == "ratios" and names[-1] == "claims" and len(names) == len(set(names))
    with pytest.raises(OptionError, match="clashes"):
        register("ratios", order=9999)(lambda tables: [])


def test_context_rows_with_given_and_lacking_columns() -> None:
    from b12stats.audit.core import Context, load_tables

    ctx = Context.of(load_tables())
    cor = load_table("correlations")
    want = cor[cor["r"].notna() & cor["n"].notna() & cor["p_text"].isna()]["row_id"].tolist()
    got = [row["row_id"] for row in ctx.rows_with("correlations", "r", "n", lacking=("p_text",))]
    assert got == want and 0 < len(got) < len(cor)
    assert len(list(ctx.rows_with("correlations"))) == len(cor)

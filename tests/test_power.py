"""Tests for b12stats.power: simulated power, Monte Carlo SEs, determinism, executors."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import math
import multiprocessing as mp
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from b12stats import power as pw
from b12stats.errors import OptionError
from b12stats.models import milk_quartile
from b12stats.power import _model as pw_model
from b12stats.power import executor as pw_executor
from b12stats.power import run as pw_run
from b12stats.simulate import get_design
from b12stats.stats.correlation import n_for_power_correlation, power_correlation

KENYA = get_design("kenya")
#: Independent dyads, no clustering: the log-log slope test is a test of a
#: bivariate normal correlation, whose power has a closed form.
INDEPENDENT = KENYA.replace(icc_milk=0.0, icc_infant=0.0)

#: Bounds of Monte Carlo checks, in Monte Carlo standard errors (fixed seeds).
MC_BOUND = 3.0
#: The robust (sandwich, HC0) Wald z test is slightly liberal in finite samples:
#: its SE is biased down by about p/n. At n = 400 this raises the size from 0.05
#: to about 0.053 and the power near 0.6 by about 0.01 (measured 0.006 with
#: 5,000 replicates at n = 120 for the size, 0.025 for power: scaled by 120/400).
ROBUST_SE_ALLOWANCE = 0.01


# ------------------------------------------------------------------ quartile score


@pytest.mark.parametrize("n", [4, 5, 6, 7, 8, 9, 10, 13, 31, 286])
def test_quartile_scores_match_pandas_qcut(n: int) -> None:
    # milk_quartile (pandas.qcut at type-7 quantiles) is the independent reference
    rng = np.random.default_rng(n)
    x = rng.lognormal(5.0, 0.8, size=(5, n))
    got = pw.quartile_scores(x)
    want = np.array([milk_quartile(row).astype(float).to_numpy() for row in x])
    np.testing.assert_array_equal(got, want)


def test_quartile_scores_rejects_short_rows() -> None:
    with pytest.raises(OptionError, match="N >= 4"):
        pw.quartile_scores([1.0, 2.0, 3.0])


# ------------------------------------------------------------------ MC SE formula


def test_summary_measures_by_hand() -> None:
    # z = 1, 2, 3 and one failed fit; two-sided alpha = 0.05 rejects z = 2 and 3.
    est = np.array([1.0, 2.0, 3.0, np.nan])
    se = np.array([1.0, 1.0, 1.0, np.nan])
    ok = np.array([True, True, True, False])
    out = pw_run._summarise(est, se, ok, alpha=0.05, alternative="two-sided", true_value=0.0)
    assert_allclose(out["power"], 2 / 3, rtol=1e-15)
    # Morris et al. (2019) Table 6: sqrt(P (1 - P) / n_sim) over the converged fits
    assert_allclose(out["power_mcse"], math.sqrt(2 / 27), rtol=1e-15)
    assert_allclose(out["mean_estimate"], 2.0, rtol=1e-15)
    assert_allclose(out["empirical_sd"], 1.0, rtol=1e-15)
    assert_allclose(out["mean_se"], 1.0, rtol=1e-15)
    # 95% intervals 1 +- 1.96 (covers 0), 2 +- 1.96 and 3 +- 1.96 (do not)
    assert_allclose(out["coverage"], 1 / 3, rtol=1e-15)
    assert_allclose(out["nonconverged_share"], 0.25, rtol=1e-15)
    # one-sided: "less" rejects nothing here, "greater" at z > 1.645 the same two
    less = pw_run._summarise(est, se, ok, alpha=0.05, alternative="less", true_value=0.0)
    assert less["power"] == 0.0
    assert less["power_mcse"] == 0.0


def test_summary_all_failed_is_nan() -> None:
    nan = np.full(3, np.nan)
    failed = np.zeros(3, bool)
    out = pw_run._summarise(nan, nan, failed, alpha=0.05, alternative="two-sided", true_value=0.0)
    assert math.isnan(out["power"]) and out["nonconverged_share"] == 1.0


# ------------------------------------------------------- against closed forms


def test_power_matches_correlation_test() -> None:
    # No clustering, log scale: the slope test is the test of a bivariate normal
    # correlation; the exact power of cor.test is the closed form.
    rho, n, reps = 0.12, 400, 2000
    tab = pw.power(
        INDEPENDENT.replace(correlation=rho),
        n_dyads=n,
        n_clusters=n,
        reps=reps,
        cov_struct="independence",
        rng=20261122,
    )
    row = tab.iloc[0]
    expected = power_correlation(rho, n, method="exact")
    assert row["nonconverged_share"] == 0.0
    assert abs(row["power"] - expected) <= MC_BOUND * row["power_mcse"] + ROBUST_SE_ALLOWANCE
    # the generating slope is rho * sigma_infant / sigma_milk (latent log scale)
    slope = rho * INDEPENDENT.infant.sigma / INDEPENDENT.milk.sigma
    assert_allclose(row["true_value"], slope, rtol=1e-12)
    assert abs(row["mean_estimate"] - slope) <= MC_BOUND * row["empirical_sd"] / math.sqrt(reps)


def test_null_rejection_rate_is_alpha() -> None:
    reps, n = 3000, 400
    tab = pw.power(
        INDEPENDENT.replace(correlation=0.0),
        n_dyads=n,
        n_clusters=n,
        reps=reps,
        cov_struct="independence",
        alpha=0.05,
        rng=11,
    )
    row = tab.iloc[0]
    mcse = math.sqrt(0.05 * 0.95 / reps)
    assert abs(row["power"] - 0.05) <= MC_BOUND * mcse + ROBUST_SE_ALLOWANCE / 2
    assert abs(row["coverage"] - 0.95) <= MC_BOUND * mcse + ROBUST_SE_ALLOWANCE / 2


def test_clustered_linear_slope_is_unbiased_and_se_calibrated() -> None:
    # Kenya clustering (60 clusters), exchangeable GEE: the analytic slope is the
    # target of the estimator (correct mean model) and the robust SE tracks the
    # empirical SD (to within its own Monte Carlo error, ~ SD / sqrt(2 reps)).
    reps = 1000
    row = pw.power(KENYA, n_dyads=286, reps=reps, rng=5).iloc[0]
    assert row["n_clusters"] == 60
    assert abs(row["mean_estimate"] - row["true_value"]) <= MC_BOUND * row[
        "empirical_sd"
    ] / math.sqrt(reps)
    assert abs(row["mean_se"] / row["empirical_sd"] - 1) <= MC_BOUND / math.sqrt(2 * reps) + 0.03
    assert abs(row["coverage"] - 0.95) <= MC_BOUND * math.sqrt(0.05 * 0.95 / reps) + 0.01


def test_bias_reduced_se_is_calibrated_with_few_clusters() -> None:
    # Kenya linear model at 100 dyads in 21 clusters: the robust sandwich is
    # biased down (Mancl & DeRouen 2001; measured with 4,000 replicates: mean
    # SE / empirical SD = 0.925, coverage 0.917), the bias-reduced one is not
    # (1.003, coverage 0.937; the rest is the normal reference). Same replicates
    # (same seed) for both, so the comparison is paired.
    reps = 600
    kw = {"n_dyads": 100, "reps": reps, "rng": 11}
    rob = pw.power(KENYA, **kw).iloc[0]
    br = pw.power(KENYA, cov_type="bias_reduced", **kw).iloc[0]
    assert rob["n_clusters"] == br["n_clusters"] == 21
    assert br["mean_estimate"] == rob["mean_estimate"]
    assert "bias-reduced" in br["method"] and "bias-reduced" not in rob["method"]
    # the ratio's MC error is about SD / sqrt(2 reps) relative
    ratio_mc = MC_BOUND / math.sqrt(2 * reps)
    assert abs(br["mean_se"] / br["empirical_sd"] - 1) <= ratio_mc
    assert rob["mean_se"] / rob["empirical_sd"] < br["mean_se"] / br["empirical_sd"] - 0.04
    assert br["coverage"] > rob["coverage"]
    # the null: size of the bias-reduced test within 0.015 (normal reference) + MC of 0.05
    null = KENYA.replace(correlation=0.0)
    size = pw.power(null, cov_type="bias_reduced", **kw).iloc[0]["power"]
    assert abs(size - 0.05) <= MC_BOUND * math.sqrt(0.05 * 0.95 / reps) + 0.015


def test_cov_type_passes_through_sample_size_and_replicate_estimates() -> None:
    # sample_size and replicate_estimates fit the same replicates as power()
    # with the requested covariance: same estimates, the bias-reduced SEs
    kw = {"n_dyads": 60, "n_clusters": 12, "reps": 30, "rng": 4}
    br = pw.replicate_estimates(KENYA, model="linear", cov_type="bias_reduced", **kw)
    rob = pw.replicate_estimates(KENYA, model="linear", **kw)
    assert_allclose(br["estimate"], rob["estimate"], rtol=0)
    assert (br["se"] > rob["se"]).all()
    curve = pw.power(KENYA, model="linear", cov_type="bias_reduced", **kw)
    assert_allclose(curve.loc[0, "mean_se"], br["se"].mean(), rtol=1e-12)
    res = pw.sample_size(KENYA, n_grid=[60], reps=30, rng=4, cov_type="bias_reduced")
    assert "bias-reduced" in res.curve.loc[0, "method"]


def test_trend_target_is_large_sample_limit() -> None:
    # At 1,500 dyads the trend-score estimator should sit on its large-sample
    # limit (the coverage target from the big simulation) up to MC error.
    reps = 150
    row = pw.power(KENYA, model="trend", n_dyads=1500, reps=reps, rng=8).iloc[0]
    assert row["nonconverged_share"] == 0.0
    mc = row["empirical_sd"] / math.sqrt(reps)
    assert abs(row["mean_estimate"] - row["true_value"]) <= MC_BOUND * mc + 0.01
    assert 0.3 < row["true_value"] < 0.8  # a clear positive trend (latent rho 0.36)


# ------------------------------------------------------------- determinism


def test_same_seed_same_table_for_any_executor() -> None:
    kw = {"n_dyads": [60, 90], "reps": 130, "model": "trend", "chunk_size": 40, "rng": 3}
    kw["true_value"] = math.nan  # no coverage target needed here
    inline = pw.power(KENYA, **kw)
    assert list(inline.columns) == list(pw.COLUMNS)
    with cf.ThreadPoolExecutor(3) as ex:
        threads = pw.power(KENYA, executor=ex, **kw)
    pd.testing.assert_frame_equal(inline, threads, check_exact=True)
    processes = pw.power(KENYA, workers=2, **kw)
    pd.testing.assert_frame_equal(inline, processes, check_exact=True)
    # a fresh-interpreter pool (forkserver): tasks and designs pickle, workers import
    with cf.ProcessPoolExecutor(2, mp_context=mp.get_context("forkserver")) as ex:
        forkserver = pw.power(KENYA, executor=ex, **kw)
    pd.testing.assert_frame_equal(inline, forkserver, check_exact=True)
    # a scenario's result does not depend on the other scenarios in the grid
    alone = pw.power(KENYA, **{**kw, "n_dyads": 90})
    pd.testing.assert_frame_equal(
        alone.reset_index(drop=True), inline.iloc[[1]].reset_index(drop=True), check_exact=True
    )


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_executor_gives_identical_results(processes: bool) -> None:
    # processes=True pickles the tasks to separate worker processes, as on a
    # real cluster (~5 s of start-up); processes=False runs in this process
    distributed = pytest.importorskip("distributed")
    kw = {"n_dyads": [60, 90], "reps": 60, "model": "linear", "chunk_size": 25, "rng": 4}
    inline = pw.power(KENYA, **kw)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = pw.power(KENYA, executor=client.get_executor(), **kw)
    with warnings.catch_warnings():  # the closed cluster's sockets, collected here
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    pd.testing.assert_frame_equal(inline, on_dask, check_exact=True)


def test_generator_seed_is_recorded_and_reproduces() -> None:
    kw = {"n_dyads": 40, "reps": 30}
    first = pw.power(KENYA, rng=np.random.default_rng(99), **kw)
    seed = int(first["seed"].iloc[0])
    again = pw.power(KENYA, rng=seed, **kw)
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = pw.power(KENYA, rng=seed + 1, **kw)
    assert other["mean_estimate"].iloc[0] != first["mean_estimate"].iloc[0]


# ------------------------------------------------------------- sample size


def test_sample_size_bisection_matches_closed_form() -> None:
    # Independent dyads: n for 80% power of the correlation test is a closed form.
    rho = 0.3
    res = pw.sample_size(
        INDEPENDENT.replace(correlation=rho),
        target_power=0.8,
        n_min=30,
        n_max=200,
        n_tol=4,
        dyads_per_cluster=1,
        cov_struct="independence",
        reps=1000,
        rng=17,
    )
    expected = n_for_power_correlation(rho, 0.8, method="exact")  # 84
    # MC error ~ 3 dyads per MCSE near the target (power rises ~0.005 per dyad),
    # bisection width 4, and the robust test's liberalness (~4 dyads here).
    assert res.search == "bisection" and res.reached
    assert abs(res.n_dyads - expected) <= 3 * MC_BOUND + 4 + 4
    assert res.n_clusters == res.n_dyads
    assert res.power >= 0.8
    frame = res.to_frame()
    assert frame.loc[0, "n_dyads"] == res.n_dyads and frame.loc[0, "seed"] == 17


def test_sample_size_grid_picks_smallest_reaching() -> None:
    res = pw.sample_size(KENYA, n_grid=[80, 40, 60, 100], reps=150, rng=2, target_power=0.8)
    curve = res.curve
    assert curve["n_dyads"].tolist() == [40, 60, 80, 100]
    reaching = curve.loc[curve["power"] >= 0.8, "n_dyads"]
    assert res.n_dyads == reaching.min()
    assert res.n_dyads_low is not None and res.n_dyads_low <= res.n_dyads
    if res.n_dyads_high is not None:
        assert res.n_dyads_high >= res.n_dyads
    # clusters follow the design's dyads per cluster (286 / 60)
    assert_allclose(curve["n_dyads"] / curve["n_clusters"], 286 / 60, rtol=0.12)
    never = pw.sample_size(KENYA, n_grid=[20], reps=30, rng=2, target_power=0.999)
    assert not never.reached and never.n_dyads is None and math.isnan(never.power)


# ------------------------------------------------------------- bad options


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"reps": 0}, "reps"),
        ({"reps": 2.5}, "reps"),
        ({"model": "quadratic"}, "model"),
        ({"scale": "sqrt"}, "scale"),
        ({"cov_struct": "ar1"}, "cov_struct"),
        ({"cov_type": "naive"}, "cov_type"),
        ({"alternative": "both"}, "alternative"),
        ({"alpha": 1.5}, "alpha"),
        ({"workers": 0}, "workers"),
        ({"n_dyads": 50, "n_clusters": 60}, "cannot exceed"),
        ({"n_dyads": 4}, "n_dyads"),
        ({"n_dyads": [100], "n_clusters": [100], "cov_struct": "exchangeable"}, "--cov-struct"),
        ({"covariates": ["shoe_size"]}, "unknown covariate"),
        ({"executor": "threads"}, "Executor"),
    ],
)
def test_bad_options_raise_option_error(kwargs: dict, match: str) -> None:
    opts = {"reps": 5, **kwargs}
    with pytest.raises(OptionError, match=match):
        pw.power(KENYA, **opts)


def test_bad_design_and_sample_size_options() -> None:
    with pytest.raises(OptionError, match="design"):
        pw.power("atlantis", reps=5)
    with pytest.raises(OptionError, match="design"):
        pw.power(object(), reps=5)
    with pytest.raises(OptionError, match="target_power"):
        pw.sample_size(KENYA, target_power=1.2, n_grid=[50])
    with pytest.raises(OptionError, match="n_min"):
        pw.sample_size(KENYA, n_min=100, n_max=50)
    with pytest.raises(OptionError, match="n_grid"):
        pw.sample_size(KENYA)
    with pytest.raises(OptionError, match="not both"):
        pw.sample_size(KENYA, n_grid=[50], n_clusters=10, dyads_per_cluster=5)
    with pytest.raises(OptionError, match="unknown option"):
        pw.sample_size(KENYA, n_grid=[50], colour="red")


def test_covariates_and_one_sided_alternatives() -> None:
    # Same seed -> same replicates: with a positive slope (power ~0.6-0.9) the
    # one-sided test at the same alpha rejects at least as often as the
    # two-sided one, and "less" essentially never.
    kw = {"n_dyads": 40, "reps": 200, "rng": 6, "covariates": "all"}
    two = pw.power(KENYA, **kw).iloc[0]
    greater = pw.power(KENYA, alternative="greater", **kw).iloc[0]
    less = pw.power(KENYA, alternative="less", **kw).iloc[0]
    assert greater["power"] >= two["power"] > 0.3
    assert less["power"] <= 0.01
    # the covariates are independent of milk in the design: same analytic target
    slope = KENYA.latent_correlation * KENYA.infant.sigma / KENYA.milk.sigma
    assert_allclose(two["true_value"], slope, rtol=1e-12)
    assert two["mean_estimate"] == greater["mean_estimate"]


@pytest.mark.parametrize(
    ("model", "scale", "cov_type"),
    [
        ("trend", "log", "robust"),
        ("linear", "log", "robust"),
        ("linear", "raw", "robust"),
        ("trend", "log", "bias_reduced"),
        ("linear", "log", "bias_reduced"),
    ],
)
def test_chunk_fits_equal_statsmodels_on_same_replicates(
    model: str, scale: str, cov_type: str
) -> None:
    # Independent assembly of the same model: pandas.qcut quartiles, explicit
    # design matrix, statsmodels GEE with the ddof_scale power uses (geepack's)
    # and the same covariance (robust or Mancl-DeRouen bias-reduced).
    import statsmodels.api as sm

    from b12stats.simulate import simulate_arrays

    n, c, seed, reps = 90, 19, 31, 3
    names = tuple(x.name for x in KENYA.covariates) if model == "trend" else ()
    spec = pw.PowerSpec(
        KENYA,
        model=model,
        scale=scale,
        covariates=list(names),
        cov_struct="exchangeable",
        cov_type=cov_type,
    )
    task = pw_executor._Chunk(spec, n, c, reps, seed, 0, pw_model._simulate_arrays)
    est, se, ok = pw_executor._run_chunk(task)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(n, c, 0)))
    sim = simulate_arrays(KENYA, n_dyads=n, n_clusters=c, reps=reps, rng=rng)
    for r in range(reps):
        if model == "trend":
            x = pd.qcut(sim.milk_b12[r], 4, labels=False).astype(float)
            y, family = sim.adequate[r].astype(float), sm.families.Binomial()
        else:
            f = np.log if scale == "log" else (lambda v: v)
            x, y, family = f(sim.milk_b12[r]), f(sim.infant_b12[r]), sm.families.Gaussian()
        X = np.column_stack([np.ones(n), x, *(sim.covariates[k][r] for k in names)])
        gee = sm.GEE(
            y, X, groups=sim.cluster, family=family, cov_struct=sm.cov_struct.Exchangeable()
        )
        fit = gee.fit(ddof_scale=pw.GEE_DDOF_SCALE, cov_type=cov_type)
        assert ok[r]
        # both iterate to statsmodels' tolerance 1e-6 on the score norm
        assert_allclose([est[r], se[r]], [fit.params[1], fit.bse[1]], rtol=1e-6)


def test_replicate_estimates_are_the_replicates_power_counts() -> None:
    # The same seed gives the same replicates in both functions, so the share of
    # replicate P values below alpha must equal power() exactly, and the Wald P
    # must be the two-sided normal tail of estimate / se.
    from scipy import stats as sps

    from b12stats.simulate import get_design

    design = get_design("kenya")
    est = pw.replicate_estimates(
        design, n_dyads=150, n_clusters=30, reps=120, model="trend", rng=7
    )
    curve = pw.power(design, n_dyads=150, n_clusters=30, reps=120, model="trend", rng=7)
    ok = est["converged"]
    assert (est.loc[ok, "p_value"] < 0.05).mean() == curve.loc[0, "power"]
    assert_allclose(est.loc[ok, "estimate"].mean(), curve.loc[0, "mean_estimate"], rtol=1e-12)
    z = est["estimate"] / est["se"]
    assert_allclose(est["p_value"], 2 * sps.norm.sf(np.abs(z)), rtol=1e-12)
    with pytest.raises(OptionError, match="one scenario"):
        pw.replicate_estimates(design, n_dyads=[100, 200], n_clusters=[20, 40], reps=5)


def test_bias_and_coverage_have_their_monte_carlo_ses() -> None:
    # Morris et al. (2019) Table 6: MCSE(bias) = SD / sqrt(R'), MCSE(coverage) =
    # sqrt(c (1 - c) / R'); bias = mean estimate - true value.
    row = pw.power("kenya", n_dyads=120, n_clusters=30, reps=80, rng=3).iloc[0]
    n_ok = round(row["reps"] * (1 - row["nonconverged_share"]))
    assert_allclose(row["bias"], row["mean_estimate"] - row["true_value"], rtol=1e-12)
    assert_allclose(row["bias_mcse"], row["empirical_sd"] / math.sqrt(n_ok), rtol=1e-12)
    c = row["coverage"]
    assert_allclose(row["coverage_mcse"], math.sqrt(c * (1 - c) / n_ok), rtol=1e-12)
    # the analytic log-log slope is the truth: bias within 4 Monte Carlo SEs
    assert abs(row["bias"]) < 4 * row["bias_mcse"]


def test_spec_resolves_and_checks_its_options() -> None:
    spec = pw.PowerSpec("kenya", model="trend", reps=10)
    assert spec.design is get_design("kenya") or spec.design == get_design("kenya")
    assert spec.covariates == tuple(c.name for c in KENYA.covariates)
    assert spec.family == "binomial" and spec.cov_struct is None
    assert spec.for_scenarios([(100, 20)]).cov_struct == "exchangeable"
    assert spec.for_scenarios([(100, 100)]).cov_struct == "independence"
    with pytest.raises(OptionError, match="n_clusters = n_dyads = 50"):
        pw.PowerSpec("kenya", cov_struct="exchangeable").for_scenarios([(50, 50)])
    with pytest.raises(OptionError, match="unknown covariate 'nosuch'"):
        pw.PowerSpec("kenya", covariates=["nosuch"])
    with pytest.raises(OptionError, match=r"^alpha"):
        pw.PowerSpec("kenya", alpha=1.5)
    with pytest.raises(OptionError, match=r"^reps"):
        pw.PowerSpec("kenya", reps=0)
    with pytest.raises(AttributeError):
        spec.model = "linear"  # type: ignore[misc]


def test_smallest_n_picks_from_the_grid_with_mc_bounds() -> None:
    # by hand: power 0.55, 0.79, 0.93 with MCSE 0.02, 0.02, 0.01 and target 0.8:
    # first reaching 300; upper bounds 0.59, 0.83, 0.95 -> 200; lower 0.51, 0.75, 0.91 -> 300
    curve = pd.DataFrame(
        {
            "n_dyads": [300, 100, 200, 200],
            "n_clusters": [60, 20, 40, 10],
            "power": [0.93, 0.55, 0.79, 0.70],
            "power_mcse": [0.01, 0.02, 0.02, 0.02],
        }
    )
    res = pw.smallest_n(curve, 0.8)
    assert (res.n_dyads, res.n_clusters, res.power) == (300, 60, 0.93)
    assert (res.n_dyads_low, res.n_dyads_high) == (200, 300)
    assert res.search == "grid" and res.reached
    assert res.summary().startswith("smallest n reaching power 0.8: 300 dyads in 60 clusters")
    # the lowest n evaluated already reaches the target: not called "the smallest"
    low = pw.smallest_n(curve, 0.5)
    assert low.n_dyads == 100
    assert low.summary().startswith("the smallest n evaluated already reaches power 0.5: 100")
    none = pw.smallest_n(curve, 0.99)
    assert not none.reached and none.summary() == "no scenario reaches power 0.99"
    with pytest.raises(OptionError, match=r"^target_power"):
        pw.smallest_n(curve, 1.5)


def test_power_result_summary() -> None:
    tab = pw.power("kenya", n_dyads=[40, 80], reps=20, rng=3)
    res = pw.PowerResult(tab)
    text = res.summary(target_power=0.5)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["model", "n_dyads", "n_clusters"]
    assert lines[-2] == f"# {tab['method'].iloc[0]}; alpha 0.05; seed 3"
    assert lines[-1] == "# " + pw.smallest_n(tab, 0.5).summary()
    assert "<table" in res._repr_html_()
    pd.testing.assert_frame_equal(res.to_frame(), tab)

"""Bad arguments to the public API raise b12stats errors naming the argument.

The corpus: each case calls one public function with one bad argument (a list
where a DataFrame is expected, a design name that does not exist, a str rng,
unequal-length arrays, ``'abc'``, inf, NaN, negative n, r = 1.5, p = 2, ...)
and expects an :class:`~b12stats.errors.OptionError` or
:class:`~b12stats.errors.DataValidationError` whose one-line message matches
the given pattern (the argument's name, or what is wrong). Also the memory
limits of ``power`` and ``n_interval_from_r_p``, which must refuse before
allocating anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from b12stats import _validation as V
from b12stats import batch_gee as BG
from b12stats import models as MO
from b12stats import power as PW
from b12stats.errors import B12StatsError, DataValidationError, OptionError
from b12stats.pooling import pool_table
from b12stats.stats import correlation as C
from b12stats.stats import effects as E
from b12stats.stats import meta as M
from b12stats.stats import printed as P
from b12stats.stats import quartiles as Q

inf, nan = math.inf, math.nan

DF = pd.DataFrame(
    {
        "infant_b12": [300.0, 250, 400, 350, 200, 280, 310, 330],
        "milk_b12": [200.0, 150, 300, 250, 120, 180, 260, 220],
        "cluster": [1, 1, 2, 2, 3, 3, 4, 4],
        "adequate": [1, 0, 1, 1, 0, 1, 0, 1],
    }
)
MIXED = DF.assign(cluster=[1, 1, "a", "a", 3, 3, "b", "b"])
Y = np.random.default_rng(1).normal(size=(2, 8))
X = np.column_stack([np.ones(8), np.arange(8.0)])
G = np.repeat([0, 1, 2, 3], 2)
R2 = pd.DataFrame({"r": [0.1, 0.2], "n": [10, 20]})
F = "infant_b12 ~ milk_b12"


def case(name: str, func: Callable[..., Any], *args: Any, match: str, **kwargs: Any) -> Any:
    return pytest.param(func, args, kwargs, match, id=name)


CASES = [
    # stats.correlation
    case("r_to_z str", C.r_to_z, "abc", match="^r must be a number"),
    case("r_to_z list with text", C.r_to_z, ["0.1", "x"], match="^r must be numbers.*'x'"),
    case("r_to_z r=1.5", C.r_to_z, 1.5, match=r"^r must lie in \(-1, 1\)"),
    case("r_to_z None", C.r_to_z, None, match="^r must be"),
    case("z_to_r str", C.z_to_r, "abc", match="^z must be"),
    case("fisher n=inf", C.fisher_z_ci, 0.3, inf, match="^n must be finite.*inf"),
    case("fisher n=-5", C.fisher_z_ci, 0.3, -5, match="^n must be >= 4"),
    case("fisher n str", C.fisher_z_ci, 0.3, "abc", match="^n must be"),
    case("fisher unequal", C.fisher_z_ci, [0.3, 0.2, 0.1], [10, 20], match="^r and n .*3 and 2"),
    case("fisher conf str", C.fisher_z_ci, 0.3, 10, conf_level="0.95", match="^conf_level"),
    case("fisher conf nan", C.fisher_z_ci, 0.3, 10, conf_level=nan, match="^conf_level.*nan"),
    case("fisher r nan", C.fisher_z_ci, nan, 10, match="^r contains NaN"),
    case("p_from_r r=1.5", C.p_from_r, 1.5, 10, match=r"^r must lie in \[-1, 1\]"),
    case("p_from_r n=inf", C.p_from_r, 0.3, inf, match="^n must be finite"),
    case(
        "p_from_r alternative", C.p_from_r, 0.3, 10, alternative="two", match="alternative 'two'"
    ),
    case("p_from_r alternative list", C.p_from_r, 0.3, 10, alternative=["x"], match="alternative"),
    case("p_from_r unequal", C.p_from_r, [0.3, 0.2], [10, 20, 30], match="^r and n"),
    case("p_from_r dict", C.p_from_r, {"a": 1}, 10, match="^r must be"),
    case("n_interval r nan", C.n_interval_from_r_p, nan, "p = 0.03", match="^r_text"),
    case(
        "n_interval p float", C.n_interval_from_r_p, "0.3", 0.03, match="^p_text must be a string"
    ),
    case(
        "n_interval n_max inf", C.n_interval_from_r_p, "0.3", "p=0.03", n_max=inf, match="^n_max"
    ),
    case(
        "n_interval n_max str", C.n_interval_from_r_p, "0.3", "p=0.03", n_max="9", match="^n_max"
    ),
    case(
        "n_interval n_max 1e12",
        C.n_interval_from_r_p,
        "0.3",
        "p=0.03",
        n_max=10**12,
        match=r"^n_max must be a whole number in \[3, 10000000\] \(every n",
    ),
    case("n_interval r list", C.n_interval_from_r_p, [0.3], "p = 0.03", match="^r_text"),
    case("check_r_p_n n inf", C.check_r_p_n, "0.3", "p = 0.03", inf, match="^n must be"),
    case("check_r_p_n n str", C.check_r_p_n, "0.3", "p = 0.03", "abc", match="^n must be"),
    case("check_r_p_n n list", C.check_r_p_n, "0.3", "p = 0.03", [10, 20], match="^n must be"),
    case(
        "compare unequal",
        C.compare_correlations,
        [0.3, 0.2],
        [10, 20, 30],
        0.1,
        20,
        match="^r1, n1, r2 and n2 must have the same length",
    ),
    case("compare n1 inf", C.compare_correlations, 0.3, inf, 0.1, 20, match="^n1 must be finite"),
    case("power r=1.5", C.power_correlation, 1.5, 20, match="^r must be"),
    case("power n inf", C.power_correlation, 0.3, inf, match="^n must be a whole number >= 4"),
    case("power alpha str", C.power_correlation, 0.3, 20, alpha="0.05", match="^alpha"),
    case("power alpha nan", C.power_correlation, 0.3, 20, alpha=nan, match="^alpha"),
    case("power r list", C.power_correlation, [0.3, 0.2], 20, match="^r must be"),
    case("n_for_power p=2", C.n_for_power_correlation, 0.3, 2, match=r"^power .*\(0, 1\); got 2"),
    case("n_for_power p str", C.n_for_power_correlation, 0.3, "0.8", match="^power"),
    case("n_for_power n_max inf", C.n_for_power_correlation, 0.3, 0.8, n_max=inf, match="^n_max"),
    case("n_for_power r nan", C.n_for_power_correlation, nan, 0.8, match="^r must be"),
    case("r_critical alpha 2", C.r_critical, 10, alpha=2, match="^alpha"),
    case("r_critical n str", C.r_critical, "abc", match="^n must be"),
    case("r_critical n inf", C.r_critical, inf, match="^n must be finite"),
    # stats.effects
    case(
        "ratio_from_cis numerator str",
        E.ratio_from_cis,
        "a",
        (1, 2),
        1.0,
        (0.5, 1.5),
        match="^numerator",
    ),
    case(
        "ratio_from_cis ci text",
        E.ratio_from_cis,
        2.0,
        ("a", "b"),
        1.0,
        (0.5, 1.5),
        match="^numerator_ci",
    ),
    case(
        "ratio_from_cis ci scalar",
        E.ratio_from_cis,
        2.0,
        1.5,
        1.0,
        (0.5, 1.5),
        match="^numerator_ci",
    ),
    case(
        "ratio_from_cis ci_level 95",
        E.ratio_from_cis,
        2.0,
        (1, 3),
        1.0,
        (0.5, 1.5),
        ci_level=95,
        match="^ci_level",
    ),
    case("effect str", E.effect_from_ci, "abc", 1, 2, match="^estimate must be"),
    case("effect unequal", E.effect_from_ci, [1, 2], [0, 1, 2], [2, 3], match="^estimate, ci_low"),
    case("effect conf 2", E.effect_from_ci, 1, 0.5, 2, conf_level=2, match="^conf_level"),
    case("effect scale", E.effect_from_ci, 1, 0.5, 2, scale="nope", match="unknown scale 'nope'"),
    case("effect inf", E.effect_from_ci, inf, 0.5, 2, match="ci_low < estimate < ci_high"),
    case("check_p_ci p float", E.check_p_against_ci, 0.03, "1.2", "0.5", "2.0", match="^p_text"),
    case(
        "check_p_ci est abc", E.check_p_against_ci, "p = 0.03", "abc", "0.5", "2.0", match="'abc'"
    ),
    case(
        "check_p_ci decimals -1",
        E.check_p_against_ci,
        "p = 0.03",
        "1.2",
        "0.5",
        "2.0",
        decimals=-1,
        match="^decimals",
    ),
    case(
        "check_p_ci decimals str",
        E.check_p_against_ci,
        "p = 0.03",
        "1.2",
        "0.5",
        "2.0",
        decimals="2",
        match="^decimals",
    ),
    case("ratio str", E.ratio, "abc", 2, match="^numerator"),
    case("ratio unequal", E.ratio, [1, 2, 3], [1, 2], match="^numerator and denominator"),
    case("ratio None", E.ratio, None, 2, match="^numerator"),
    case("check_ratio printed float", E.check_ratio, "2.0", "1.0", 2.0, match="^printed_text"),
    case("check_ratio numerator list", E.check_ratio, [2.0], "1.0", "2.0", match="^numerator"),
    case("check_ratio numerator abc", E.check_ratio, "abc", "1.0", "2.0", match="'abc'"),
    # stats.printed
    case("decimals float", P.decimals, 0.1, match="as printed"),
    case("rounding_interval str", P.rounding_interval, "abc", 2, match="^value"),
    case("rounding_interval inf", P.rounding_interval, inf, 2, match="^value.*inf"),
    case("rounding_interval decimals str", P.rounding_interval, 1.0, "2", match="^decimals"),
    case("parse_p float", P.parse_p, 0.05, match="as printed"),
    case("parse_p None", P.parse_p, None, match="as printed"),
    case("parse_number int", P.parse_number, 5, match="as printed"),
    # stats.quartiles
    case("lognormal str", Q.lognormal_from_quartiles, "a", 2, 3, match="^q1"),
    case("lognormal inf", Q.lognormal_from_quartiles, 1, 2, inf, match="^q3.*inf"),
    case("lognormal order", Q.lognormal_from_quartiles, 3, 2, 1, match="q1 < median < q3"),
    case("lognormal rtol str", Q.lognormal_from_quartiles, 1, 2, 3, rtol="x", match="^rtol"),
    case("lognormal list", Q.lognormal_from_quartiles, [1, 2], 2, 3, match="^q1"),
    case("mean_sd n inf", Q.mean_sd_from_quartiles, 1, 2, 3, inf, match="^n must be finite"),
    case("mean_sd n -5", Q.mean_sd_from_quartiles, 1, 2, 3, -5, match="^n must be"),
    case("mean_sd n str", Q.mean_sd_from_quartiles, 1, 2, 3, "abc", match="^n must be"),
    case(
        "mean_sd unequal",
        Q.mean_sd_from_quartiles,
        [1, 1],
        [2, 2, 2],
        [3, 3],
        20,
        match="^q1, median and q3",
    ),
    case("mean_sd method", Q.mean_sd_from_quartiles, 1, 2, 3, 20, method="x", match="method 'x'"),
    case("mean_sd q1 abc", Q.mean_sd_from_quartiles, "abc", 2, 3, 20, match="^q1"),
    case(
        "mean_sd shi n inf",
        Q.mean_sd_from_quartiles,
        1,
        2,
        3,
        inf,
        method="shi_lognormal",
        match="^n must be finite",
    ),
    case("prevalence cutoff str", Q.prevalence_from_quartiles, 1, 2, 3, "abc", match="^cutoff"),
    case("prevalence n inf", Q.prevalence_from_quartiles, 1, 2, 3, 2.5, n=inf, match="^n must"),
    case("prevalence side", Q.prevalence_from_quartiles, 1, 2, 3, 2.5, side="x", match="side"),
    case(
        "prevalence conf 1.5",
        Q.prevalence_from_quartiles,
        1,
        2,
        3,
        2.5,
        n=20,
        conf_level=1.5,
        match="^conf_level",
    ),
    case(
        "prevalence unequal",
        Q.prevalence_from_quartiles,
        [1, 1],
        [2, 2, 2],
        [3, 3],
        2.5,
        match="same length",
    ),
    case("prevalence rtol -1", Q.prevalence_from_quartiles, 1, 2, 3, 2.5, rtol=-1, match="^rtol"),
    case("prevalence fit", Q.prevalence_from_quartiles, 1, 2, 3, 2.5, fit="x", match="fit 'x'"),
    case("prevalence_from_gm_ci gm str", Q.prevalence_from_gm_ci, "abc", 1, 3, 20, 2, match="^gm"),
    case("prevalence_from_gm_ci n inf", Q.prevalence_from_gm_ci, 2, 1, 3, inf, 2, match="^n"),
    case(
        "prevalence_from_gm_ci side",
        Q.prevalence_from_gm_ci,
        2,
        1,
        3,
        20,
        2,
        side="x",
        match="side 'x'",
    ),
    # stats.meta
    case("rma unequal", M.rma, [0.1, 0.2, 0.3], [0.01, 0.02], match="yi and vi"),
    case("rma text", M.rma, ["a", "b"], [0.01, 0.02], match="^yi must be numbers"),
    case("rma conf str", M.rma, [0.1, 0.2], [0.01, 0.02], conf_level="x", match="^conf_level"),
    case("rma method list", M.rma, [0.1, 0.2], [0.01, 0.02], method=["REML"], match="method"),
    case("rma dict", M.rma, {"a": 1}, [0.01], match="^yi"),
    case("rma 2-d", M.rma, [[0.1, 0.2], [0.1, 0.2]], [[0.01, 0.02], [0.1, 0.1]], match="^yi"),
    case("rma vi 0", M.rma, [0.1, 0.2], [0.0, 0.02], match="vi"),
    case("meta r 1.5", M.meta_correlations, [1.5, 0.2], [10, 20], match="r = 1.5"),
    case("meta n inf", M.meta_correlations, [0.1, 0.2], [inf, 20], match="n is not finite"),
    case("meta n str", M.meta_correlations, [0.1, 0.2], ["abc", 20], match="^n must be numbers"),
    case(
        "meta labels str", M.meta_correlations, [0.1, 0.2], [10, 20], labels="ab", match="^labels"
    ),
    case("meta labels int", M.meta_correlations, [0.1, 0.2], [10, 20], labels=5, match="^labels"),
    case("meta group int", M.meta_correlations, [0.1, 0.2], [10, 20], group=5, match="^group"),
    case("loo unequal", M.leave_one_out, [0.1, 0.2, 0.3], [10, 20], match="r and n"),
    case("loo str", M.leave_one_out, "abc", [10, 20], match="^r must be"),
    case("subgroup unequal", M.subgroup, [0.1, 0.2], [10, 20], ["a"], match="^groups"),
    case(
        "subgroup mixed ids",
        M.subgroup,
        [0.1, 0.2, 0.3, 0.4],
        [10, 20, 30, 40],
        ["a", 1, "a", 1],
        match="^groups mixes numbers and text",
    ),
    case("subgroup groups int", M.subgroup, [0.1, 0.2], [10, 20], 3, match="^groups"),
    case("pool_table list", pool_table, [{"r": 0.1, "n": 10}], match="^frame must be a pandas"),
    case("pool_table no column", pool_table, R2, r="rr", match="column rr"),
    case("pool_table on_unpoolable", pool_table, R2, on_unpoolable="x", match="on_unpoolable"),
    case("pool_table by str", pool_table, R2, by="nosuch", match="column nosuch"),
    case("pool_table r abc", pool_table, R2.assign(r=["abc", "0.2"]), match="column r.*'abc'"),
    # models
    case("milk_quartile str", MO.milk_quartile, "abc", match="numeric"),
    case("milk_quartile text", MO.milk_quartile, ["a", "b", "c", "d", "e"], match="numeric"),
    case("fit_gee list", MO.fit_gee, [1, 2, 3], F, groups="g", match="^data must be a pandas"),
    case("fit_gee formula int", MO.fit_gee, DF, 5, groups="cluster", match="^formula"),
    case(
        "fit_gee family",
        MO.fit_gee,
        DF,
        F,
        groups="cluster",
        family="poisson",
        match="family 'poisson'",
    ),
    case(
        "fit_gee cov_struct",
        MO.fit_gee,
        DF,
        F,
        groups="cluster",
        cov_struct="x",
        match="cov_struct",
    ),
    case("fit_gee cov_type", MO.fit_gee, DF, F, groups="cluster", cov_type="x", match="cov_type"),
    case("fit_gee groups list", MO.fit_gee, DF, F, groups=["cluster"], match="^groups"),
    case(
        "fit_gee maxiter inf", MO.fit_gee, DF, F, groups="cluster", maxiter=inf, match="^maxiter"
    ),
    case("fit_gee tol nan", MO.fit_gee, DF, F, groups="cluster", tol=nan, match="^tol"),
    case("fit_gee mixed ids", MO.fit_gee, MIXED, F, groups="cluster", match="groups mixes"),
    case(
        "fit_gee outcome text",
        MO.fit_gee,
        DF.assign(infant_b12=["a"] * 8),
        F,
        groups="cluster",
        match="infant_b12",
    ),
    case(
        "fit_gee R log()",
        MO.fit_gee,
        DF,
        "infant_b12 ~ log(milk_b12)",
        groups="cluster",
        match="log",
    ),
    case(
        "fit_gee NaN formula",
        MO.fit_gee,
        DF,
        "infant_b12 ~ np.log(milk_b12 - 100000)",
        groups="cluster",
        match="missing .NaN. in every row",
    ),
    case("fit_linear list", MO.fit_linear, [1, 2, 3], groups="g", match="^data"),
    case(
        "fit_linear covariates int",
        MO.fit_linear,
        DF,
        groups="cluster",
        covariates=5,
        match="^covariates",
    ),
    case("fit_linear no groups column", MO.fit_linear, DF, groups="nosuch", match="nosuch"),
    case("fit_linear mixed ids", MO.fit_linear, MIXED, groups="cluster", match="groups mixes"),
    case("fit_linear log str", MO.fit_linear, DF, groups="cluster", log="yes", match="^log"),
    case("fit_trend list", MO.fit_trend, [1, 2], groups="g", match="^data"),
    case("fit_trend mixed ids", MO.fit_trend, MIXED, groups="cluster", match="groups mixes"),
    case(
        "fit_trend conf 2", MO.fit_trend, DF, groups="cluster", conf_level=2, match="^conf_level"
    ),
    # batch_gee
    case("batch y str", BG.fit_gee_batch, "abc", X, G, match="^y must be"),
    case("batch groups unequal", BG.fit_gee_batch, Y, X, G[:5], match="^groups"),
    case(
        "batch groups mixed",
        BG.fit_gee_batch,
        Y,
        X,
        np.array([1, 1, "a", "a", 2, 2, "b", "b"], dtype=object),
        match="^groups mixes",
    ),
    case("batch family", BG.fit_gee_batch, Y, X, G, family="x", match="family"),
    case("batch cov_struct", BG.fit_gee_batch, Y, X, G, cov_struct="x", match="cov_struct"),
    case("batch maxiter inf", BG.fit_gee_batch, Y, X, G, maxiter=inf, match="^maxiter"),
    case("batch tol str", BG.fit_gee_batch, Y, X, G, tol="x", match="^tol"),
    case("batch X text", BG.fit_gee_batch, Y, [["a"] * 2] * 8, G, match="^X must be numbers"),
    case("batch chunk 0", BG.fit_gee_batch, Y, X, G, chunk_size=0, match="^chunk_size"),
    case("batch cov_type", BG.fit_gee_batch, Y, X, G, cov_type="x", match="cov_type"),
    case("batch groups None", BG.fit_gee_batch, Y, X, None, match="^groups"),
    case("batch y 3-d", BG.fit_gee_batch, np.ones((2, 2, 8)), X, G, match="^y must have"),
    case(
        "BatchGEEResult.to_frame conf str",
        lambda **k: BG.fit_gee_batch(Y, X, G).to_frame(**k),
        conf_level="0.95",
        match="^conf_level",
    ),
    # power
    case("quartile_scores str", PW.quartile_scores, "abc", match="^x must be"),
    case("quartile_scores text", PW.quartile_scores, ["a", "b", "c", "d"], match="^x must be"),
    case("power design int", PW.power, 5, reps=2, match="^design must be a design name"),
    case("power design name", PW.power, "nosuch", reps=2, match="nosuch"),
    case("power rng str", PW.power, "kenya", reps=2, rng="abc", match="^rng must be"),
    case("power rng -1", PW.power, "kenya", reps=2, rng=-1, match="^rng must be"),
    case("power rng float", PW.power, "kenya", reps=2, rng=1.5, match="^rng must be"),
    case("power reps inf", PW.power, "kenya", reps=inf, match="^reps"),
    case(
        "power reps 1e12",
        PW.power,
        "kenya",
        reps=10**12,
        n_dyads=50,
        match="exceeds the limit of 10,000,000: every replicate",
    ),
    case("power n_dyads inf", PW.power, "kenya", reps=2, n_dyads=inf, match="^n_dyads"),
    case("power n_dyads -5", PW.power, "kenya", reps=2, n_dyads=-5, match="^n_dyads"),
    case("power n_dyads str", PW.power, "kenya", reps=2, n_dyads="abc", match="^n_dyads"),
    case(
        "power n_dyads 1e10",
        PW.power,
        "kenya",
        reps=2,
        n_dyads=10**10,
        match="n_dyads = .* exceeds the limit of 10,000,000",
    ),
    case("power alpha 2", PW.power, "kenya", reps=2, alpha=2, match="^alpha"),
    case("power model", PW.power, "kenya", reps=2, model="x", match="model 'x'"),
    case("power scale", PW.power, "kenya", reps=2, scale="x", match="scale 'x'"),
    case(
        "power workers 100000",
        PW.power,
        "kenya",
        reps=2,
        workers=100_000,
        match="^workers must be .* processes per CPU",
    ),
    case("power workers 0", PW.power, "kenya", reps=2, workers=0, match="^workers"),
    case("power chunk 0", PW.power, "kenya", reps=2, chunk_size=0, match="^chunk_size"),
    case("power true_value str", PW.power, "kenya", reps=2, true_value="x", match="^true_value"),
    case("power covariate", PW.power, "kenya", reps=2, covariates=["nosuch"], match="nosuch"),
    case("power alternative", PW.power, "kenya", reps=2, alternative="x", match="alternative"),
    case("power progress str", PW.power, "kenya", reps=2, progress="x", match="^progress"),
    case(
        "replicate_estimates rng", PW.replicate_estimates, "kenya", reps=2, rng="abc", match="^rng"
    ),
    case("replicate_estimates design", PW.replicate_estimates, 5, reps=2, match="^design"),
    case(
        "replicate_estimates two n",
        PW.replicate_estimates,
        "kenya",
        reps=2,
        n_dyads=[50, 60],
        match="one scenario",
    ),
    case(
        "sample_size target 2",
        PW.sample_size,
        "kenya",
        reps=2,
        target_power=2,
        match="^target_power",
    ),
    case("sample_size n_grid str", PW.sample_size, "kenya", reps=2, n_grid="abc", match="^n_grid"),
    case(
        "sample_size rng str",
        PW.sample_size,
        "kenya",
        reps=2,
        rng="abc",
        n_grid=[50],
        match="^rng",
    ),
    case(
        "sample_size dyads_per_cluster inf",
        PW.sample_size,
        "kenya",
        reps=2,
        dyads_per_cluster=inf,
        n_grid=[50],
        match="^dyads_per_cluster",
    ),
    case(
        "sample_size n_tol 0",
        PW.sample_size,
        "kenya",
        reps=2,
        n_tol=0,
        n_min=20,
        n_max=40,
        match="^n_tol",
    ),
    case("sample_size design int", PW.sample_size, 5, reps=2, n_grid=[50], match="^design"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "match"), CASES)
def test_bad_argument_raises_b12stats_error(
    func: Callable[..., Any], args: tuple, kwargs: dict, match: str
) -> None:
    with pytest.raises(B12StatsError, match=match) as info:
        func(*args, **kwargs)
    assert isinstance(info.value, OptionError | DataValidationError)
    assert "\n" not in str(info.value)


def test_corpus_is_large() -> None:
    assert len(CASES) >= 100


# ------------------------------------------------------------------ the module itself


def test_interval_rejects_inf_and_names_the_argument() -> None:
    @V.validate_params({"n": [V.Interval(V.Real, 4, None)]})
    def f(n: float) -> float:
        return n

    assert f(4) == 4
    with pytest.raises(OptionError, match=r"^n must be a finite number >= 4; got inf$"):
        f(inf)
    with pytest.raises(OptionError, match=r"^n must be"):
        f(True)


def test_validate_params_rejects_unknown_parameter_names() -> None:
    with pytest.raises(ValueError, match="no parameters"):
        V.validate_params({"nosuch": ["str"]})(lambda x: x)


def test_bad_call_signature_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="fisher_z_ci"):
        C.fisher_z_ci(0.3, 10, nosuch=1)


@pytest.mark.parametrize("rng", [None, 0, 7, np.random.SeedSequence(3), np.random.default_rng(1)])
def test_as_rng_accepts_seeds_and_generators(rng: Any) -> None:
    assert isinstance(V.as_rng("rng", rng), np.random.Generator)


def test_as_design_accepts_name_and_object() -> None:
    from b12stats.simulate import get_design

    design = get_design("kenya")
    assert V.as_design("design", "kenya").name == design.name
    assert V.as_design("design", design) is design


def test_cluster_ids_keep_one_type() -> None:
    assert V.cluster_ids("g", ["a", "b"]).tolist() == ["a", "b"]
    assert V.cluster_ids("g", pd.Series([1, 2])).tolist() == [1, 2]
    with pytest.raises(DataValidationError, match="mixes numbers and text"):
        V.cluster_ids("g", pd.Series([1, "a"], dtype=object))


def test_workers_capped_per_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(V.os, "cpu_count", lambda: 2)
    assert V.check_workers(8) == 8
    with pytest.raises(OptionError, match=r"in \[1, 8\] \(at most 4 processes per CPU"):
        V.check_workers(9)


def test_power_tasks_are_generated_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most MAX_IN_FLIGHT chunks are submitted and not yet collected."""
    import concurrent.futures as cf

    state = {"yielded": 0, "collected": 0}

    class Done(cf.Future):
        def result(self, timeout: float | None = None) -> Any:
            state["collected"] += 1
            return super().result(timeout)

    class Inline(cf.Executor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
            fut = Done()
            fut.set_result(fn(*args, **kwargs))
            return fut

    from b12stats.power import executor as PX

    monkeypatch.setattr(PX, "MAX_IN_FLIGHT", 3)
    monkeypatch.setattr(PX, "_run_chunk", lambda task: task)

    def tasks() -> Any:
        for i in range(10):
            assert state["yielded"] - state["collected"] <= 3
            state["yielded"] += 1
            yield i

    out = PX._execute(tasks(), n_tasks=10, executor=Inline(), workers=1, progress=False)
    assert out == list(range(10))


def test_meta_without_k_by_k_matrices() -> None:
    """50,000 correlations pool in O(k) memory (a k x k float matrix would be 18.6 GiB)."""
    import tracemalloc

    rng = np.random.default_rng(1)
    k = 50_000
    r = np.tanh(rng.normal(0.3, 0.1, k))
    n = rng.integers(20, 400, k)
    tracemalloc.start()
    res = M.meta_correlations(r, n, method="REML", test="knha")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.k == k
    assert peak < 200 * 2**20

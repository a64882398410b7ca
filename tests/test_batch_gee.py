"""Batched GEE engine against statsmodels GEE, replicate by replicate.

The reference is an independent implementation: ``statsmodels`` ``sm.GEE(...)``
``.fit()`` with its default settings (GLM starting values, ``ctol=1e-6``,
``maxiter=60``, moment estimator of the exchangeable correlation, robust
covariance), or ``.fit(ddof_scale=0)`` for the engine's ``ddof_scale=0``
(geepack's estimator, also checked against :func:`b12stats.models.fit_gee`),
looped over the replicates. The batched engine runs the same
algorithm, so it must agree on every replicate; the tolerances are the ones
the engine promises (issue 6), far looser than the ~1e-12 agreement seen in
practice, and the iteration counts must match exactly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose, assert_array_equal

from b12stats.batch_gee import BatchGEEResult, _separated, fit_gee_batch
from b12stats.errors import OptionError
from b12stats.models import fit_gee

#: coefficients: the engine's contract (issue 6) is 1e-6 relative
RTOL_PARAMS = 1e-6
#: robust standard errors: the engine's contract (issue 6) is 1e-5 relative
RTOL_BSE = 1e-5
#: alpha and scale are computed by the same moment formulas as statsmodels;
#: absolute 1e-8 is far above rounding and far below any meaningful difference
ATOL_ALPHA = 1e-8

FAMILIES = {"gaussian": sm.families.Gaussian, "binomial": sm.families.Binomial}
COVS = {"exchangeable": sm.cov_struct.Exchangeable, "independence": sm.cov_struct.Independence}


def _sm_fit(y: np.ndarray, X: np.ndarray, groups: np.ndarray, family: str, cov: str, **kw):
    """One statsmodels GEE fit, default settings unless ``kw`` says otherwise."""
    model = sm.GEE(y, X, groups, family=FAMILIES[family](), cov_struct=COVS[cov]())
    with warnings.catch_warnings():
        # separation / iteration-limit warnings are expected in the failure tests
        warnings.simplefilter("ignore")
        return model.fit(**kw)


def _design(seed: int, n_clusters: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Unequal clusters (sizes 1-9, labels shuffled and non-contiguous), p = 5."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 10, size=n_clusters)
    groups = np.repeat(rng.permutation(1000)[:n_clusters], sizes)  # arbitrary labels
    rng.shuffle(groups)
    n = groups.size
    X = np.column_stack(
        [
            np.ones(n),
            rng.normal(size=n),  # continuous
            rng.integers(0, 2, size=n),  # binary
            (rng.random(n) < 0.3).astype(float),  # unbalanced binary
            rng.gamma(2.0, size=n),  # skewed
        ]
    )
    return X, groups


def _outcomes(
    X: np.ndarray, groups: np.ndarray, family: str, n_rep: int, seed: int, sigma: float = 0.7
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    _, codes = np.unique(groups, return_inverse=True)
    u = sigma * rng.normal(size=(n_rep, codes.max() + 1))[:, codes]
    beta = np.array([-0.3, 0.5, -0.4, 0.3, 0.2])
    eta = np.asarray(X @ beta + u)
    if family == "gaussian":
        return eta + rng.normal(size=eta.shape)
    return (rng.random(eta.shape) < 1 / (1 + np.exp(-eta))).astype(float)


def _compare(res: BatchGEEResult, y, X, groups, family, cov, rows=None, **kw) -> list[int]:
    """Assert agreement on every row that statsmodels and the engine both converge on."""
    rows = range(y.shape[0]) if rows is None else rows
    iters = []
    for r in rows:
        Xr = X if X.ndim == 2 else X[r]
        fit = _sm_fit(y[r], Xr, groups, family, cov, **kw)
        n_iter = len(fit.fit_history["params"])
        iters.append(n_iter)
        sm_converged = fit.converged and np.all(np.isfinite(fit.params))
        assert res.converged[r] == sm_converged, f"replicate {r}: {res.status[r]}"
        if not sm_converged:
            assert np.all(np.isnan(res.params[r])) and np.all(np.isnan(res.bse[r]))
            continue
        assert res.n_iter[r] == n_iter, f"replicate {r}"
        assert_allclose(res.params[r], fit.params, rtol=RTOL_PARAMS, err_msg=f"replicate {r}")
        assert_allclose(res.bse[r], fit.bse, rtol=RTOL_BSE, err_msg=f"replicate {r}")
        assert_allclose(res.scale[r], fit.scale, rtol=RTOL_BSE)
        if cov == "exchangeable":
            assert_allclose(res.alpha[r], fit.cov_struct.dep_params, atol=ATOL_ALPHA)
        else:
            assert np.isnan(res.alpha[r])
    return iters


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("cov", ["exchangeable", "independence"])
def test_matches_statsmodels_every_replicate(family: str, cov: str) -> None:
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, family, n_rep=12, seed=2)
    res = fit_gee_batch(y, X, groups, family=family, cov_struct=cov)
    assert res.converged.all()
    _compare(res, y, X, groups, family, cov)


def test_per_replicate_designs_and_chunks() -> None:
    """X of shape (R, N, p): each replicate its own covariates; chunking changes nothing."""
    rng = np.random.default_rng(5)
    X0, groups = _design(seed=3)
    R = 10
    X = np.repeat(X0[None], R, axis=0)
    X[:, :, 1] = rng.normal(size=(R, X0.shape[0]))
    X[:, :, 2] = rng.integers(0, 2, size=(R, X0.shape[0]))
    y = np.stack([_outcomes(X[r], groups, "binomial", 1, seed=10 + r)[0] for r in range(R)])
    res = fit_gee_batch(y, X, groups, family="binomial")
    _compare(res, y, X, groups, "binomial", "exchangeable")
    small = fit_gee_batch(y, X, groups, family="binomial", chunk_size=3)
    # same arithmetic per replicate; only BLAS blocking can differ
    assert_allclose(small.params, res.params, rtol=1e-12)
    assert_allclose(small.bse, res.bse, rtol=1e-12)


def test_slowly_converging_replicates() -> None:
    """Replicates needing >= 20 iterations (alpha near 0, few clusters) still agree.

    Almost no between-cluster variance: the exchangeable correlation hovers
    around 0 and the joint (beta, alpha) iteration contracts slowly.
    """
    X, groups = _design(seed=11, n_clusters=12)
    y = _outcomes(X, groups, "gaussian", n_rep=300, seed=12, sigma=0.0)
    res = fit_gee_batch(y, X, groups)
    slow = np.flatnonzero(res.converged & (res.n_iter >= 20))
    assert slow.size >= 3
    iters = _compare(res, y, X, groups, "gaussian", "exchangeable", rows=slow[:5])
    assert min(iters) >= 20  # statsmodels needs as long: the case is really slow


def test_iteration_limit_marks_failures_and_keeps_others() -> None:
    """With maxiter=8 some replicates stop early: NaN and converged False, like statsmodels."""
    X, groups = _design(seed=11, n_clusters=12)
    y = _outcomes(X, groups, "gaussian", n_rep=40, seed=12, sigma=0.0)
    res = fit_gee_batch(y, X, groups, maxiter=8)
    assert 0 < res.converged.sum() < len(y)
    assert set(res.status[~res.converged]) == {"maxiter"}
    _compare(res, y, X, groups, "gaussian", "exchangeable", maxiter=8)


def test_hard_small_design_failures_match_statsmodels() -> None:
    """8 clusters, n = 46: some replicates diverge or hit the iteration limit.

    statsmodels fails on exactly those (iteration limit, or NaN estimates after
    overflow); the engine marks them and still matches on the others.
    """
    X, groups = _design(seed=1, n_clusters=8)
    y = _outcomes(X, groups, "binomial", n_rep=160, seed=1, sigma=0.0)
    res = fit_gee_batch(y, X, groups, family="binomial")
    failed = np.flatnonzero(~res.converged)
    assert {"diverged", "maxiter"} <= set(res.status[failed])
    rows = np.concatenate([failed, np.flatnonzero(res.converged)[:8]])
    _compare(res, y, X, groups, "binomial", "exchangeable", rows=rows)


def test_separated_replicate_is_nan_others_exact() -> None:
    X, groups = _design(seed=7)
    y = _outcomes(X, groups, "binomial", n_rep=6, seed=8)
    y[2] = (X[:, 1] > 0).astype(float)  # complete separation on the continuous covariate
    y[4] = 0.0  # no events at all
    res = fit_gee_batch(y, X, groups, family="binomial")
    assert_array_equal(res.converged, [True, True, False, True, False, True])
    assert res.status[2] == "separation" and res.status[4] == "separation"
    for r in (2, 4):
        assert np.isnan(res.params[r]).all() and np.isnan(res.bse[r]).all()
        assert np.isnan(res.alpha[r]) and np.isnan(res.scale[r])
    _compare(res, y, X, groups, "binomial", "exchangeable", rows=[0, 1, 3, 5])


def test_extreme_but_finite_fits_are_not_called_separated() -> None:
    """Small design whose GLM fits reach |x'b| of 17 and 31 with a finite MLE.

    The fitted probabilities are extreme, but the data are not separated, so
    the replicates must be fitted (and agree with statsmodels).
    """
    X, groups = _design(seed=0, n_clusters=8)
    y = _outcomes(X, groups, "binomial", n_rep=400, seed=0, sigma=0.0)[[91, 294]]
    res = fit_gee_batch(y, X, groups, family="binomial")
    assert res.converged.all()
    assert np.abs(X @ res.params.T).max() > 30
    _compare(res, y, X, groups, "binomial", "exchangeable")


def test_separation_check_by_construction() -> None:
    x = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
    X = np.column_stack([np.ones(6), x])
    assert _separated(X, (x > 0).astype(float))  # complete
    assert _separated(X, np.array([0, 0, 0, 1, 1, 1.0]))  # complete
    assert _separated(np.column_stack([np.ones(6), x, x == 0.5]), np.array([0, 0, 0, 1, 0, 0.0]))
    assert _separated(X, np.zeros(6))  # no events: the intercept alone separates
    assert not _separated(X, np.array([0, 1, 0, 1, 0, 1.0]))  # overlap
    assert not _separated(X, np.array([0, 0, 1, 0, 1, 1.0]))  # one crossing pair
    # quasi-complete: tie at x = 0 holds both outcomes, the rest is split by x
    xq = np.array([-2.0, -1.0, 0.0, 0.0, 1.0, 2.0])
    Xq = np.column_stack([np.ones(6), xq])
    assert _separated(Xq, np.array([0, 0, 0, 1, 1, 1.0]))


def test_collinear_design_is_marked_singular() -> None:
    X, groups = _design(seed=7)
    X = np.column_stack([X, 2 * X[:, 1]])  # exact collinearity
    y = _outcomes(X[:, :5], groups, "gaussian", n_rep=3, seed=1)
    for family, yy in [("gaussian", y), ("binomial", (y > 0).astype(float))]:
        res = fit_gee_batch(yy, X, groups, family=family)
        assert not res.converged.any()
        assert set(res.status) == {"singular"}
        assert np.isnan(res.params).all() and np.isnan(res.bse).all()


def test_dataframe_covariates_name_terms() -> None:
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, "gaussian", n_rep=2, seed=2)
    names = ["const", "milk", "male", "parity", "age"]
    res = fit_gee_batch(y, pd.DataFrame(X, columns=names), groups)
    assert res.term_names == tuple(names)
    assert_allclose(res.params, fit_gee_batch(y, X, groups).params, rtol=1e-12)


def test_to_frame_is_tidy() -> None:
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, "binomial", n_rep=3, seed=2)
    names = ["const", "milk", "male", "parity", "age"]
    res = fit_gee_batch(y, X, groups, family="binomial", term_names=names)
    frame = res.to_frame(conf_level=0.9)
    assert list(frame.columns) == [
        "replicate", "term", "estimate", "se", "ci_low", "ci_high", "statistic",
        "p_value", "alpha", "scale", "converged", "n_iter", "status", "n", "method",
    ]  # fmt: skip
    assert len(frame) == 15
    assert list(frame["term"][:5]) == names
    assert_allclose(frame["estimate"], res.params.ravel())
    # closed form: 90% Wald interval half-width is 1.6448536... standard errors
    assert_allclose(frame["ci_high"] - frame["estimate"], 1.6448536269514722 * frame["se"])
    fit = _sm_fit(y[1], X, groups, "binomial", "exchangeable")
    assert_allclose(frame.loc[frame.replicate == 1, "p_value"], fit.pvalues, rtol=RTOL_BSE)
    assert isinstance(frame, pd.DataFrame)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("cov", ["exchangeable", "independence"])
def test_ddof_scale_zero_matches_statsmodels_every_replicate(family: str, cov: str) -> None:
    """``ddof_scale=0`` (geepack's estimator) against statsmodels ``fit(ddof_scale=0)``.

    Unequal clusters (sizes 1-9, singletons included); coefficients, robust SEs,
    alpha, scale and iteration counts on every replicate.
    """
    X, groups = _design(seed=1)
    n, p = X.shape
    y = _outcomes(X, groups, family, n_rep=12, seed=2)
    res = fit_gee_batch(y, X, groups, family=family, cov_struct=cov, ddof_scale=0)
    assert res.converged.all()
    assert res.ddof_scale == 0
    _compare(res, y, X, groups, family, cov, ddof_scale=0)
    default = fit_gee_batch(y, X, groups, family=family, cov_struct=cov)
    if cov == "exchangeable":
        # the option must matter: with 25 clusters and p = 5 the df correction
        # moves alpha and the coefficients far beyond the tolerances above
        rel = np.abs(res.params / default.params - 1)
        assert rel.max() > 1e3 * RTOL_PARAMS
        assert np.abs(res.alpha - default.alpha).max() > 1e3 * ATOL_ALPHA
    else:
        # independence: the estimating equations do not involve the scale, so
        # only the reported Gaussian scale changes, by exactly (N - p) / N
        assert_allclose(res.params, default.params, rtol=1e-12)
        assert_allclose(res.bse, default.bse, rtol=1e-12)
        if family == "gaussian":
            assert_allclose(res.scale, default.scale * (n - p) / n, rtol=1e-12)
    if family == "binomial":
        assert_array_equal(res.scale, 1.0)  # statsmodels reports 1 whatever ddof_scale


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("cov", ["exchangeable", "independence"])
def test_ddof_scale_zero_equals_models_fit_gee(family: str, cov: str) -> None:
    """One replicate with ``ddof_scale=0`` equals ``b12stats fit``'s engine on a DataFrame.

    :func:`b12stats.models.fit_gee` fits with statsmodels ``ddof_scale=0`` from a
    formula, on rows sorted by cluster, with its own (scale-free) convergence
    tolerance; both stop within their tolerances of the same fixed point, so
    the contract tolerances apply.
    """
    X, groups = _design(seed=4, n_clusters=30)
    y = _outcomes(X, groups, family, n_rep=1, seed=5)[0]
    names = ["milk", "male", "parity", "age"]
    data = pd.DataFrame(X[:, 1:], columns=names).assign(y=y, village=groups)
    single = fit_gee(
        data, "y ~ " + " + ".join(names), groups="village", family=family, cov_struct=cov
    )
    assert single.converged
    assert list(single.coefficients["term"]) == ["Intercept", *names]
    est = single.coefficients["estimate"].to_numpy()
    se = single.coefficients["se"].to_numpy()
    res = fit_gee_batch(y, X, groups, family=family, cov_struct=cov, ddof_scale=0)
    assert res.converged.all()
    assert_allclose(res.params[0], est, rtol=RTOL_PARAMS)
    assert_allclose(res.bse[0], se, rtol=RTOL_BSE)
    assert_allclose(res.scale[0], single.scale, rtol=RTOL_BSE)
    if cov == "exchangeable":
        assert_allclose(res.alpha[0], single.working_correlation, atol=ATOL_ALPHA)
        # statsmodels' default df correction gives a different estimator here
        default = fit_gee_batch(y, X, groups, family=family, cov_struct=cov)
        assert np.abs(default.params[0] / est - 1).max() > 1e2 * RTOL_PARAMS


def test_ddof_scale_default_is_p() -> None:
    """``ddof_scale=None`` and ``ddof_scale=p`` are the same estimator, same label."""
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, "binomial", n_rep=4, seed=2)
    default = fit_gee_batch(y, X, groups, family="binomial")
    explicit = fit_gee_batch(y, X, groups, family="binomial", ddof_scale=np.int64(5))
    assert default.ddof_scale == explicit.ddof_scale == 5
    assert_array_equal(explicit.params, default.params)
    assert_array_equal(explicit.bse, default.bse)
    assert set(default.to_frame()["method"]) == {"gee-batch binomial exchangeable"}
    zero = fit_gee_batch(y, X, groups, family="binomial", ddof_scale=0)
    assert set(zero.to_frame()["method"]) == {"gee-batch binomial exchangeable ddof_scale=0"}


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("cov", ["exchangeable", "independence"])
@pytest.mark.parametrize("ddof_scale", [None, 0])
def test_bias_reduced_matches_statsmodels_every_replicate(
    family: str, cov: str, ddof_scale: int | None
) -> None:
    """``cov_type="bias_reduced"`` against statsmodels ``fit(cov_type="bias_reduced")``.

    Mancl-DeRouen SEs on every replicate (unequal clusters with singletons);
    the coefficients are those of the robust fit, the SEs are larger (25
    clusters, p = 5: the correction matters, about +10 %).
    """
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, family, n_rep=12, seed=2)
    res = fit_gee_batch(
        y, X, groups, family=family, cov_struct=cov, ddof_scale=ddof_scale, cov_type="bias_reduced"
    )
    assert res.converged.all()
    assert res.cov_type == "bias_reduced"
    kw = {} if ddof_scale is None else {"ddof_scale": ddof_scale}
    _compare(res, y, X, groups, family, cov, cov_type="bias_reduced", **kw)
    robust = fit_gee_batch(y, X, groups, family=family, cov_struct=cov, ddof_scale=ddof_scale)
    assert_array_equal(res.params, robust.params)
    assert np.all(res.bse > robust.bse)
    assert np.median(res.bse / robust.bse) > 1.03
    assert set(res.to_frame()["method"]) == {robust.method + " bias_reduced"}


def test_bias_reduced_per_replicate_designs() -> None:
    """Mancl-DeRouen SEs with one design per replicate, X of shape (R, N, p)."""
    rng = np.random.default_rng(5)
    X0, groups = _design(seed=3)
    R = 6
    X = np.repeat(X0[None], R, axis=0)
    X[:, :, 1] = rng.normal(size=(R, X0.shape[0]))
    y = np.stack([_outcomes(X[r], groups, "gaussian", 1, seed=20 + r)[0] for r in range(R)])
    res = fit_gee_batch(y, X, groups, cov_type="bias_reduced", ddof_scale=0)
    _compare(res, y, X, groups, "gaussian", "exchangeable", cov_type="bias_reduced", ddof_scale=0)


@pytest.mark.parametrize("cov", ["exchangeable", "independence"])
def test_bias_reduced_undefined_with_a_leverage_one_cluster(cov: str) -> None:
    # A covariate non-zero in one cluster only: that cluster's residuals are
    # fitted exactly in that direction, I - H_ii is singular and the
    # Mancl-DeRouen correction is undefined (statsmodels returns noise, e.g.
    # SE 0.57 / 1.29 / 0.38 for three replicates of this design). The
    # replicate is marked "singular"; the plain robust fit is fine.
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(10), 4)
    n = groups.size
    X = np.column_stack([np.ones(n), rng.normal(size=n), (groups == 3).astype(float)])
    y = rng.normal(size=(3, n))
    res = fit_gee_batch(y, X, groups, cov_struct=cov, cov_type="bias_reduced")
    assert_array_equal(res.status, "singular")
    assert np.isnan(res.bse).all() and not res.converged.any()
    assert fit_gee_batch(y, X, groups, cov_struct=cov).converged.all()


def test_bias_reduced_equals_models_fit_gee() -> None:
    """Batched ``ddof_scale=0`` Mancl-DeRouen SEs equal ``fit_gee(cov_type="bias_reduced")``."""
    X, groups = _design(seed=4, n_clusters=30)
    y = _outcomes(X, groups, "binomial", n_rep=1, seed=5)[0]
    names = ["milk", "male", "parity", "age"]
    data = pd.DataFrame(X[:, 1:], columns=names).assign(y=y, village=groups)
    single = fit_gee(
        data,
        "y ~ " + " + ".join(names),
        groups="village",
        family="binomial",
        cov_type="bias_reduced",
    )
    res = fit_gee_batch(y, X, groups, family="binomial", ddof_scale=0, cov_type="bias_reduced")
    assert_allclose(res.params[0], single.coefficients["estimate"], rtol=RTOL_PARAMS)
    assert_allclose(res.bse[0], single.coefficients["se"], rtol=RTOL_BSE)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cov_type": "naive"}, "cov_type"),
        ({"ddof_scale": -1}, "ddof_scale"),
        ({"ddof_scale": 1.5}, "ddof_scale"),
        ({"ddof_scale": True}, "ddof_scale"),
        ({"ddof_scale": 10_000}, "ddof_scale"),
        ({"family": "poisson"}, "unknown family"),
        ({"cov_struct": "ar1"}, "unknown cov_struct"),
        ({"maxiter": 0}, "maxiter"),
        ({"tol": -1.0}, "tol"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"term_names": ["a"]}, "term_names"),
    ],
)
def test_bad_options_raise(kwargs: dict, message: str) -> None:
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, "gaussian", n_rep=2, seed=2)
    with pytest.raises(OptionError, match=message):
        fit_gee_batch(y, X, groups, **kwargs)


def test_bad_data_raise() -> None:
    X, groups = _design(seed=1)
    y = _outcomes(X, groups, "gaussian", n_rep=2, seed=2)
    with pytest.raises(OptionError, match="X has shape"):
        fit_gee_batch(y, X[:-1], groups)
    with pytest.raises(OptionError, match="X has shape"):
        fit_gee_batch(y, np.stack([X, X, X]), groups)
    with pytest.raises(OptionError, match="groups"):
        fit_gee_batch(y, X, groups[:-1])
    with pytest.raises(OptionError, match="0/1"):
        fit_gee_batch(y, X, groups, family="binomial")
    y_nan = y.copy()
    y_nan[0, 3] = np.nan
    with pytest.raises(OptionError, match="NaN"):
        fit_gee_batch(y_nan, X, groups)
    with pytest.raises(OptionError, match="shape"):
        fit_gee_batch(y[:, :, None], X, groups)
    singletons = np.arange(len(groups))
    with pytest.raises(OptionError, match="pairs"):
        fit_gee_batch(y, X, singletons)
    with pytest.raises(OptionError, match="pairs"):
        fit_gee_batch(y, X, singletons, ddof_scale=0)
    one_pair = singletons.copy()
    one_pair[1] = one_pair[0]
    with pytest.raises(OptionError, match=r"pairs \(1\) than ddof_scale \(1\)"):
        fit_gee_batch(y, X, one_pair, ddof_scale=1)
    assert fit_gee_batch(y, X, one_pair, ddof_scale=0, cov_struct="independence").converged.all()
    # independence needs no pairs
    assert fit_gee_batch(y, X, singletons, cov_struct="independence").converged.all()

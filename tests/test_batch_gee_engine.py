"""The compiled batched GEE engine and the caches the power simulation relies on.

Reference numbers come from statsmodels fits of the same replicates and from
scipy's truncated normal; the engine's own results are only compared with
themselves for invariances that must hold exactly (chunking, array layout).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from b12stats import power as pw
from b12stats.models.batch import fit_gee_batch
from b12stats.power._model import _model_arrays, _simulate_arrays
from b12stats.simulate import Covariate, Design, get_design, simulate_arrays

#: statsmodels stops at score norm < 1e-6, so do we: estimates agree to about that
RTOL_PARAMS = 1e-6
#: robust SEs are one derivative further from the converged estimates
RTOL_BSE = 1e-5
#: closed forms and caches: rounding only
RTOL_EXACT = 1e-12

KENYA = get_design("kenya")
NAMES = tuple(c.name for c in KENYA.covariates)


def test_cached_latent_parts_equal_recomputed() -> None:
    d = KENYA.with_effects(maternal_age=0.01, exclusive_bf=0.1)
    first = d._latent()
    assert d._latent() is first  # cached on the frozen design
    assert_allclose(first, Design._latent_parts.func(d), rtol=RTOL_EXACT)


def test_cached_covariate_moments_equal_scipy() -> None:
    c = Covariate("maternal_age", "truncnormal", (26.0, 6.0, 15.0, 49.0))
    ref = stats.truncnorm((15 - 26) / 6, (49 - 26) / 6, loc=26, scale=6)
    assert_allclose([c.mean, c.variance], [ref.mean(), ref.var()], rtol=RTOL_EXACT)
    assert c.mean is c.mean  # computed once
    other = Covariate("maternal_age", "truncnormal", (30.0, 6.0, 15.0, 49.0))
    assert other.mean > c.mean + 3  # a different covariate has its own value


def test_lazy_covariates_give_the_eager_values() -> None:
    # an effect in the middle: the covariates up to it are drawn eagerly, the rest on access
    design = KENYA.with_effects(exclusive_bf=0.1)
    eager = simulate_arrays(design, n_dyads=90, n_clusters=19, reps=4, rng=5)
    lazy = simulate_arrays(design, n_dyads=90, n_clusters=19, reps=4, rng=5, lazy_covariates=True)
    assert_array_equal(lazy.infant_b12, eager.infant_b12)
    assert list(lazy.covariates) == list(NAMES) and "asf_score" in lazy.covariates
    for name in reversed(NAMES):  # reading the last one first draws the others in order
        assert_array_equal(lazy.covariates[name], eager.covariates[name])
    with pytest.raises(KeyError):
        lazy.covariates["no_such"]


@pytest.mark.parametrize("model", ["trend", "linear"])
def test_engine_matches_statsmodels_on_power_replicates(model: str) -> None:
    """Every replicate of a power chunk, with a degenerate one of each kind appended."""
    names = NAMES if model == "trend" else ()
    sim = _simulate_arrays(KENYA, n_dyads=60, n_clusters=12, reps=12, rng=np.random.default_rng(3))
    y, X, groups, _ = _model_arrays(sim, model=model, scale="log", covariates=names)
    assert not X.flags.c_contiguous  # the transposed view the engine reads without a copy
    y, X = y.copy(), X.copy()
    X[-1, :, -1] = 2.0 * X[-1, :, 0]  # collinear with the intercept -> singular
    if model == "trend":
        y[-2] = 0.0  # no adequate infant -> separation
    family = "binomial" if model == "trend" else "gaussian"
    res = fit_gee_batch(y, X, groups, family=family, ddof_scale=pw.GEE_DDOF_SCALE)
    assert res.status[-1] == "singular"
    if model == "trend":
        assert res.status[-2] == "separation"
    fam = sm.families.Binomial() if model == "trend" else sm.families.Gaussian()
    for r in np.flatnonzero(res.converged):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GEE(
                y[r], X[r], groups=groups, family=fam, cov_struct=sm.cov_struct.Exchangeable()
            ).fit(ddof_scale=pw.GEE_DDOF_SCALE)
        assert res.n_iter[r] == len(fit.fit_history["params"]), f"replicate {r}"
        assert_allclose(res.params[r], fit.params, rtol=RTOL_PARAMS, err_msg=f"replicate {r}")
        assert_allclose(res.bse[r], fit.bse, rtol=RTOL_BSE, err_msg=f"replicate {r}")
    assert res.converged[:-2].all()


def test_results_do_not_depend_on_chunking_or_layout() -> None:
    sim = simulate_arrays(KENYA, n_dyads=80, n_clusters=16, reps=9, rng=8)
    y, X, groups, _ = _model_arrays(sim, model="trend", scale="log", covariates=NAMES)
    kw = {"family": "binomial", "ddof_scale": 0}
    base = fit_gee_batch(y, X, groups, **kw)
    for other in (
        fit_gee_batch(y, X, groups, chunk_size=2, **kw),
        fit_gee_batch(y, np.ascontiguousarray(X), groups, **kw),
        fit_gee_batch(y[4:5], X[4:5], groups, **kw),
    ):
        rows = slice(4, 5) if other.n_replicates == 1 else slice(None)
        assert_array_equal(other.params, base.params[rows])
        assert_array_equal(other.bse, base.bse[rows])
        assert_array_equal(other.n_iter, base.n_iter[rows])


def test_unsorted_clusters_match_sorted() -> None:
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(15), 4)
    x = rng.normal(size=60)
    X = np.column_stack([np.ones(60), x])
    y = 0.4 * x + rng.normal(size=(3, 15))[:, groups] + rng.normal(size=(3, 60))
    perm = rng.permutation(60)
    a = fit_gee_batch(y, X, groups)
    b = fit_gee_batch(y[:, perm], X[perm], groups[perm])
    assert_allclose(b.params, a.params, rtol=RTOL_EXACT)
    assert_allclose(b.bse, a.bse, rtol=RTOL_EXACT)
    frame = pd.DataFrame({"g": groups[perm]})
    assert frame["g"].is_monotonic_increasing is False  # the permutation did unsort


def test_kernels_compiled_for_one_array_type() -> None:
    from b12stats.models import _gee_kernels as kern

    rng = np.random.default_rng(2)
    groups = np.repeat(np.arange(8), 3)
    X = np.column_stack([np.ones(24), rng.normal(size=24)])
    y = rng.normal(size=(2, 24)).astype(np.float32)
    y.setflags(write=False)
    fit_gee_batch(y, np.asfortranarray(X), groups)  # read-only float32, Fortran order
    fit_gee_batch((y > 0).astype(float), X, groups, family="binomial")
    assert len(kern.gee_fit.signatures) == 1
    assert len(kern.glm_start.signatures) == 1


def test_numba_is_imported_only_to_fit() -> None:
    import subprocess
    import sys

    code = (
        "import sys, b12stats.simulate, b12stats.power, b12stats.models.batch, b12stats.cli; "
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""The single GEE fit (statsmodels, as R geepack) and the linear model of infant on milk B12.

The package docstring (:mod:`b12stats.models`) says which model is for what.

statsmodels (``GEE.from_formula``) is the engine. Its options are set so that the
estimates are those of R's ``geepack::geeglm`` (``std.err = "san.se"``): the
scale and the exchangeable correlation are moment estimators *without* a degrees
of freedom correction (``ddof_scale=0``)::

    phi   = sum_ij r_ij^2 / N
    alpha = sum_i sum_{j<k} r_ij r_ik / (phi * sum_i n_i (n_i - 1) / 2)

with Pearson residuals ``r_ij = (y_ij - mu_ij) / sqrt(v(mu_ij))``, ``N``
observations and cluster sizes ``n_i``. This is exactly geepack's fixed point
(geepack ``geese`` updates ``phi`` and ``alpha`` by these moment equations);
statsmodels' default ``ddof_scale = p`` divides by ``N - p`` and
``n_pairs - p`` instead, which changes ``alpha`` and hence the coefficients in
the 3rd-4th digit. With ``ddof_scale=0`` coefficients and robust SEs agree with
geepack 1.3.9 to about 1e-9 relative on the datasets in ``tests/reference``.
One residual difference: for the binomial family statsmodels fixes the scale at
1, while geeglm estimates it (``phi`` close to 1); this changes neither the
coefficients, nor alpha, nor the robust SEs (the scale cancels in the
sandwich), only the *naive* SEs, which geepack multiplies by ``sqrt(phi)``.

References
----------
Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear
models. Biometrika 73:13-22. doi:10.1093/biomet/73.1.13

Mancl LA, DeRouen TA (2001). A covariance estimator for GEE with improved
small-sample properties. Biometrics 57:126-134.
doi:10.1111/j.0006-341X.2001.00126.x

Halekoh U, Hojsgaard S, Yan J (2006). The R package geepack for generalized
estimating equations. J Stat Softw 15(2):1-11. doi:10.18637/jss.v015.i02
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import (
    UNIT_OPEN,
    Integral,
    Interval,
    Options,
    Real,
    cluster_ids,
    validate_params,
)
from b12stats.errors import DataValidationError
from b12stats.models._formula import formula_columns, formula_numeric_columns, terms
from b12stats.models._options import (
    COV_STRUCTS,
    COV_TYPES,
    FAMILIES,
    FEW_CLUSTERS,
    LEVERAGE_COND,
)
from b12stats.models.results import GEEResult, _tidy

logger = logging.getLogger("b12stats.models")

__all__ = ["fit_gee", "fit_linear"]

#: A fitted probability this close to 0 or 1 is taken as separation.
_SEPARATION_EPS = 1e-8


def _is_binary(values: np.ndarray) -> bool:
    return bool(np.all((values == 0) | (values == 1)))


def _check_numeric_text(data: pd.DataFrame, formula: str) -> None:
    """A text column used as a number (outside ``C()``) that holds numbers is an error.

    patsy would make categories of it, one per distinct text: a column of
    concentrations with one ``'<50'`` (a detection limit) becomes a factor of
    as many levels as values. A text column of no numbers at all stays a
    category, as in patsy.
    """
    for col in formula_numeric_columns(formula):
        series = data[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        present = series.dropna()
        numbers = pd.to_numeric(present, errors="coerce")
        if present.empty or numbers.isna().all():
            continue
        text = numbers.isna().to_numpy()
        if text.any():
            i = int(np.flatnonzero(text)[0])
            raise DataValidationError(
                f"{present.iloc[i]!r} (row {present.index[i]!r}) is not a number in a column of "
                "numbers used numerically in the formula; make it a number or missing (NaN) "
                "first (e.g. a detection limit)",
                column=str(col),
            )
        raise DataValidationError(
            "numbers stored as text; convert the column with pandas.to_numeric, or write "
            f"C({col}) in the formula to use it as categories",
            column=str(col),
        )


def _check_outcome(data: pd.DataFrame, outcome_cols: list[str], family: str, lhs: str) -> None:
    """Check a plain-column outcome before patsy turns strings into dummy matrices."""
    if len(outcome_cols) != 1 or lhs.strip() != outcome_cols[0]:
        return  # an expression: checked on the evaluated outcome after building
    col = outcome_cols[0]
    series = data[col]
    if pd.api.types.is_bool_dtype(series):
        return
    if not pd.api.types.is_numeric_dtype(series):
        shown = ", ".join(map(repr, pd.unique(series.dropna())[:3]))
        kind = "0/1 or boolean" if family == "binomial" else "numeric"
        raise DataValidationError(
            f"outcome must be {kind} for family={family!r}; found values such as {shown}",
            column=col,
        )


_GEE_OPTIONS: dict[str, list[Any]] = {
    "data": ["dataframe"],
    "groups": ["str", Integral],
    "cov_struct": [Options(COV_STRUCTS)],
    "cov_type": [Options(COV_TYPES)],
    "conf_level": [UNIT_OPEN],
}
_COLUMN = ["str", Integral]


@validate_params(
    {
        **_GEE_OPTIONS,
        "formula": ["str"],
        "family": [Options(FAMILIES)],
        "maxiter": [Interval(Integral, 2, None)],
        "tol": [Interval(Real, 0, None, closed="neither")],
    }
)
def fit_gee(
    data: pd.DataFrame,
    formula: str,
    *,
    groups: str,
    family: str = "gaussian",
    cov_struct: str = "exchangeable",
    cov_type: str = "robust",
    conf_level: float = 0.95,
    maxiter: int = 100,
    tol: float = 1e-8,
) -> GEEResult:
    """Fit a GEE model and return tidy coefficients with robust SEs.

    The model is ``g(E[y_ij]) = x_ij' beta`` for observation ``j`` of cluster
    ``i`` with working covariance ``phi * A^(1/2) R(alpha) A^(1/2)``; ``beta``
    solves ``sum_i D_i' V_i^{-1} (y_i - mu_i) = 0``. The robust covariance is
    ``B^{-1} M B^{-1}`` with ``B = sum_i D_i' V_i^{-1} D_i`` and
    ``M = sum_i D_i' V_i^{-1} e_i e_i' V_i^{-1} D_i``; the bias-reduced variant
    (Mancl & DeRouen 2001) replaces ``e_i`` by ``(I - H_ii)^{-1} e_i`` with
    ``H_ii = D_i B^{-1} D_i' V_i^{-1}``, which corrects the downward bias of the
    sandwich when clusters are few. Intervals and P values are Wald, normal
    reference. ``phi`` and ``alpha`` are estimated as in R geepack (see the
    module docstring), so results match ``geeglm(..., std.err = "san.se")``.

    Parameters
    ----------
    data
        One row per observation.
    formula
        statsmodels/R style (patsy), e.g. ``"y ~ x + C(z)"``.
    groups
        Column identifying clusters (rows need not be sorted).
    family
        ``"gaussian"`` (identity link) or ``"binomial"`` (logit link; the
        outcome must be 0/1 or boolean).
    cov_struct
        Working correlation: ``"exchangeable"`` or ``"independence"``.
    cov_type
        ``"robust"`` (sandwich), ``"bias_reduced"`` (Mancl-DeRouen) or ``"naive"``.
    conf_level
        Confidence level of the intervals.
    maxiter, tol
        Iteration limit and relative tolerance: iterations stop when the L2
        norm of the estimating-equation score is below ``tol`` times the norm
        of its cluster-to-cluster spread at the starting values (so the
        criterion does not depend on the units of the data). Not converging
        gives ``converged=False`` and a warning in the result, not an exception.

    Returns
    -------
    GEEResult

    Raises
    ------
    DataValidationError
        A formula column or the groups column is not in ``data``; fewer than 2
        clusters; a binomial outcome not 0/1; no complete rows; collinear
        terms; perfect separation (the covariates predict a binary outcome
        exactly, so the logistic model has no finite estimates).
    OptionError
        An unknown option or an unparsable formula.

    Notes
    -----
    Rows with a missing value in a column the model uses (outcome, predictors,
    groups) are dropped, like R's ``na.omit``; their number is in
    ``n_dropped`` and in ``warnings``. Quasi-separation (some fitted
    probabilities 0 or 1) and fewer than 30 clusters with the plain robust SE
    are reported in ``warnings``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> cluster = np.repeat(np.arange(30), 4)
    >>> x = rng.normal(size=120)
    >>> y = 1.0 + 0.5 * x + rng.normal(size=30)[cluster] + rng.normal(size=120)
    >>> d = pd.DataFrame({"y": y, "x": x, "cluster": cluster})
    >>> res = fit_gee(d, "y ~ x", groups="cluster")
    >>> res.coefficients["term"].tolist()
    ['Intercept', 'x']
    >>> round(float(res.coefficients["estimate"].iloc[1]), 2), res.converged
    (0.72, True)
    >>> res.n_clusters, round(res.working_correlation, 2)
    (30, 0.52)
    """
    # maxiter >= 2: statsmodels needs one mean update after the first correlation update.
    maxiter = int(maxiter)
    outcome_cols, predictor_cols = formula_columns(formula)
    if groups not in data.columns:
        raise DataValidationError("groups column not found in the data", column=str(groups))
    for col in (*outcome_cols, *predictor_cols):
        if col not in data.columns:
            raise DataValidationError(f"unknown column {col!r} in formula {formula!r}", column=col)
    _check_outcome(data, outcome_cols, family, formula.split("~")[0])
    _check_numeric_text(data, formula)

    used = list(dict.fromkeys([*outcome_cols, *predictor_cols, groups]))
    notes: list[str] = []
    missing = data[used].isna()
    n_dropped = int(missing.any(axis=1).sum())
    frame = data.loc[~missing.any(axis=1), used]
    if n_dropped:
        cols = ", ".join(c for c in used if missing[c].any())
        notes.append(f"dropped {n_dropped} of {len(data)} rows with missing values in: {cols}")
    if frame.empty:
        raise DataValidationError("no complete rows: every row has a missing value")
    cluster_ids("groups", frame[groups], column=str(groups))
    # Stable sort: clusters contiguous, order within a cluster kept.
    frame = frame.iloc[np.argsort(pd.factorize(frame[groups])[0], kind="stable")]
    sizes = frame.groupby(groups, sort=False).size()
    if len(sizes) < 2:
        raise DataValidationError(
            f"only {len(sizes)} cluster in the data; GEE needs at least 2 clusters "
            "(and robust SEs need many)",
            column=str(groups),
        )
    if cov_struct == "exchangeable" and int(sizes.max()) < 2:
        raise DataValidationError(
            "every cluster has one observation: the exchangeable correlation cannot be "
            "estimated; use cov_struct='independence'",
            column=str(groups),
        )
    for col in used:
        values = frame[col]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric and bool(np.isinf(values.to_numpy(dtype=float)).any()):
            raise DataValidationError("infinite values are not allowed", column=col)

    model, result, caught = _statsmodels_fit(
        frame, formula, groups, family, cov_struct, cov_type, maxiter, tol
    )
    converged = bool(getattr(result, "converged", True))
    for message in caught:
        if message not in notes:
            notes.append(message)
    if not converged and not any("converge" in n for n in notes):
        notes.append(f"GEE did not converge in {maxiter} iterations")

    if family == "binomial":
        with np.errstate(all="ignore"):
            mu = np.asarray(result.fittedvalues, dtype=float)
        y = np.asarray(model.endog, dtype=float)
        if np.all(np.abs(y - mu) < 1e-6):
            raise DataValidationError(
                "perfect separation: the covariates predict the binary outcome exactly, "
                "so the logistic model has no finite estimates"
            )
        if np.any((mu < _SEPARATION_EPS) | (mu > 1 - _SEPARATION_EPS)) or any(
            "separation" in n.lower() for n in notes
        ):
            notes = [n for n in notes if "separation" not in n.lower()]
            notes.append(
                "quasi-separation: some fitted probabilities are 0 or 1; estimates and "
                "SEs of the separating terms are unreliable"
            )

    names = list(model.exog_names)
    with np.errstate(all="ignore"):
        est = np.asarray(result.params, dtype=float)
        se = np.asarray(result.bse, dtype=float)
        cov_arr = np.asarray(result.cov_params(), dtype=float)
    if cov_type == "bias_reduced" and _max_leverage_cond(model) > LEVERAGE_COND:
        notes.append(
            "a cluster has leverage 1 (e.g. a covariate non-zero in one cluster only): the "
            "bias-reduced covariance is undefined, standard errors set to NaN"
        )
        se = np.full_like(se, np.nan)
        cov_arr = np.full_like(cov_arr, np.nan)
    cov = pd.DataFrame(cov_arr, index=names, columns=names)
    if not np.all(np.isfinite(est)) or not np.all(np.isfinite(se)):
        notes.append("some estimates or standard errors are not finite")
    if cov_type == "robust" and len(sizes) < FEW_CLUSTERS:
        notes.append(
            f"only {len(sizes)} clusters: robust SEs are biased downward; "
            "consider cov_type='bias_reduced'"
        )

    alpha = math.nan
    if cov_struct == "exchangeable":
        alpha = float(np.asarray(model.cov_struct.dep_params).reshape(-1)[0])
    return GEEResult(
        coefficients=_tidy(names, est, se, family, float(conf_level)),
        formula=formula,
        family=family,
        cov_struct=cov_struct,
        cov_type=cov_type,
        conf_level=float(conf_level),
        working_correlation=alpha,
        scale=float(result.scale),
        converged=converged,
        n_obs=len(frame),
        n_clusters=len(sizes),
        cluster_size_min=int(sizes.min()),
        cluster_size_max=int(sizes.max()),
        n_dropped=n_dropped,
        warnings=tuple(notes),
        cov_params=cov,
    )


_TRANSFORM_HINT = "np.log of values <= 0, np.sqrt of negative values"


def _patsy_message(formula: str, exc: Exception) -> str:
    """One line for a formula patsy cannot evaluate; R-style ``log(x)`` gets ``np.log``."""
    import re

    msg = str(exc).splitlines()[0]
    unknown = re.search(r"NameError: name '(\w+)' is not defined", msg)
    if unknown and callable(getattr(np, unknown[1], None)):
        name = unknown[1]
        return (
            f"cannot build the model from {formula!r}: name {name!r} is not defined; "
            f"write np.{name}(...) for numpy's {name} (as in 'y ~ np.{name}(x)')"
        )
    return f"cannot build the model from {formula!r}: {msg}"


def _check_finite(formula: str, index: pd.Index, outcome: Any, design: Any) -> None:
    """Raise when a term of the formula is infinite or NaN in every row or in some rows.

    The data have no missing cells by then, so a non-finite value comes from a
    transformation (``np.log(0)`` is -inf, ``np.log`` of a negative value NaN).
    """
    names = [*outcome.design_info.column_names, *design.design_info.column_names]
    values = np.column_stack([np.asarray(outcome, dtype=float), np.asarray(design, dtype=float)])
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    rows = bad.any(axis=1)
    kinds = "/".join(sorted({"missing (NaN)" if np.isnan(v) else f"{v:g}" for v in values[bad]}))
    if rows.all():
        every = bad.all(axis=0)
        cols = np.flatnonzero(every) if every.any() else np.flatnonzero(bad.any(axis=0))
        raise DataValidationError(
            f"{formula!r} gives {kinds} in every row ({', '.join(names[j] for j in cols)}): "
            f"check its transformations ({_TRANSFORM_HINT})"
        )
    i, j = (int(a[0]) for a in np.nonzero(bad))
    raise DataValidationError(
        f"{formula!r} gives {kinds} in {int(rows.sum())} of {len(values)} rows ({names[j]}, "
        f"first in row {index[i]!r}): check its transformations ({_TRANSFORM_HINT}) or "
        "leave those rows out"
    )


def _statsmodels_fit(
    frame: pd.DataFrame,
    formula: str,
    groups: str,
    family: str,
    cov_struct: str,
    cov_type: str,
    maxiter: int,
    tol: float,
) -> tuple[Any, Any, list[str]]:
    """Build and fit the statsmodels GEE; warnings come back as strings."""
    import patsy
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    fam = sm.families.Gaussian() if family == "gaussian" else sm.families.Binomial()
    dep = sm.cov_struct.Exchangeable() if cov_struct == "exchangeable" else None
    if dep is None:
        dep = sm.cov_struct.Independence()
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")

        def build(spec: str) -> Any:
            try:
                # every row kept (NaN too): the frame has no missing cells, so a
                # non-finite value comes from a transformation in the formula
                matrices = patsy.dmatrices(
                    spec,
                    frame,
                    eval_env=patsy.EvalEnvironment([{"np": np}]),
                    NA_action=patsy.NAAction(NA_types=[]),
                )
            except patsy.PatsyError as exc:
                raise DataValidationError(_patsy_message(formula, exc)) from None
            _check_finite(formula, frame.index, *matrices)
            try:
                return sm.GEE.from_formula(
                    spec,
                    groups=groups,
                    data=frame,
                    family=fam,
                    cov_struct=dep,
                    eval_env={"np": np},
                )
            except patsy.PatsyError as exc:
                raise DataValidationError(_patsy_message(formula, exc)) from None

        model = build(formula)
        names = [str(n) for n in np.atleast_1d(model.endog_names)]
        if len(names) == 2 and names[0].endswith("[False]") and names[1].endswith("[True]"):
            # patsy expands a boolean outcome into [False], [True] indicator columns and
            # statsmodels would model the first (False); model True as 1 instead.
            lhs, rhs = formula.split("~")
            model = build(f"I(({lhs.strip()}) * 1) ~ {rhs}")
        elif len(names) > 1:
            raise DataValidationError(
                f"the outcome of {formula!r} must be one numeric or boolean column, "
                f"not categories ({', '.join(names[:3])})"
            )
        endog = np.asarray(model.endog)
        if endog.ndim != 1 or not np.issubdtype(endog.dtype, np.number):
            raise DataValidationError(f"the outcome of {formula!r} must be one numeric column")
        if family == "binomial" and not _is_binary(endog):
            shown = ", ".join(f"{v:g}" for v in np.unique(endog)[:5])
            raise DataValidationError(
                f"outcome of {formula!r} must be 0/1 for family='binomial'; found values {shown}"
            )
        exog = np.asarray(model.exog, dtype=float)
        rank = int(np.linalg.matrix_rank(exog))
        if rank < exog.shape[1]:
            raise DataValidationError(
                f"the terms of {formula!r} are collinear (design rank {rank} < "
                f"{exog.shape[1]} coefficients): drop a term or a constant column"
            )
        if family == "binomial":
            _check_separation(endog, exog, formula)
        try:
            start, ctol = _start_and_tolerance(sm, model, fam, frame[groups], tol)
            result = model.fit(
                maxiter=maxiter,
                ctol=ctol,
                start_params=start,
                cov_type=cov_type,
                ddof_scale=0,
            )
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise DataValidationError(
                f"GEE fit failed for {formula!r}: {str(exc).splitlines()[0]}"
            ) from None
    for rec in records:
        text = str(rec.message).splitlines()[0]
        if issubclass(rec.category, ConvergenceWarning) or "converge" in text.lower():
            text = f"did not converge: {text}"
        elif "separation" in text.lower() and family == "binomial":
            text = "quasi-separation: " + text
        if text not in caught:
            caught.append(text)
            logger.info("statsmodels warning during GEE fit: %s", text)
    if caught and any(t.startswith("did not converge") for t in caught):
        result.converged = False
    return model, result, caught


def _max_leverage_cond(model: Any) -> float:
    """Largest condition number of ``I - B_i B^-1`` over the clusters of a fitted GEE.

    ``B_i = D_i' V_i^-1 D_i`` is cluster i's share of ``B = sum_i B_i``; the
    Mancl-DeRouen correction ``(I - H_ii)^-1`` exists exactly when
    ``I - B_i B^-1`` is invertible (Woodbury identity).
    """
    parts = []
    for i in range(model.num_group):
        expval, lpr = model.cached_means[i]
        dmat = model.mean_deriv(model.exog_li[i], lpr)
        sdev = np.sqrt(model.family.variance(expval))
        solved = model.cov_struct.covariance_matrix_solve(expval, i, sdev, (dmat,))
        if solved is None:
            return math.inf
        parts.append(dmat.T @ solved[0])
    b_i = np.stack(parts)
    with np.errstate(all="ignore"):
        try:
            lev = np.eye(b_i.shape[-1]) - b_i @ np.linalg.inv(b_i.sum(axis=0))
        except np.linalg.LinAlgError:
            return math.inf
        return float(np.max(np.linalg.cond(lev)))


def _start_and_tolerance(
    sm: Any, model: Any, fam: Any, groups: pd.Series, tol: float
) -> tuple[np.ndarray, float]:
    """GLM (independence) starting values and a scale-free score tolerance.

    statsmodels stops when the L2 norm of the GEE score ``sum_i D_i' V_i^-1 r_i``
    falls below ``ctol``; that norm has the units of ``x * y``, so a fixed
    ``ctol`` is too strict for outcomes in the thousands (false non-convergence)
    and too loose for tiny ones. The tolerance used is ``tol`` times the L2 norm
    of the cluster-score spread ``sqrt(sum_i ||X_i' (y_i - mu_i)||^2)`` at the
    GLM start: the score is then within ``tol`` of its own sampling spread,
    whatever the units.
    """
    exog = np.asarray(model.exog, dtype=float)
    endog = np.asarray(model.endog, dtype=float)
    glm = sm.GLM(endog, exog, family=fam).fit()
    start = np.asarray(glm.params, dtype=float)
    with np.errstate(all="ignore"):
        resid = endog - np.asarray(glm.fittedvalues, dtype=float)
        codes = pd.factorize(groups)[0]
        per_cluster = np.zeros((codes.max() + 1, exog.shape[1]))
        np.add.at(per_cluster, codes, exog * resid[:, None])
        spread = float(np.sqrt(np.sum(per_cluster**2)))
    if not np.isfinite(spread):
        spread = 1.0
    return start, max(tol * spread, float(np.finfo(float).tiny))


def _check_separation(y: np.ndarray, x: np.ndarray, formula: str) -> None:
    """Raise if a binary outcome is constant or completely separated by the terms.

    Complete separation means some ``b`` gives ``x_i' b > 0`` exactly when
    ``y_i = 1``; then the likelihood (and the GEE) has no finite solution. It
    is a linear feasibility problem: is there ``b`` with
    ``(2 y_i - 1) x_i' b >= 1`` for all ``i``? (Albert & Anderson 1984,
    doi:10.1093/biomet/71.1.1.) Quasi-complete separation (equality for some
    rows) is not an error; it is reported after the fit.
    """
    from scipy.optimize import linprog

    if np.all(y == y[0]):
        raise DataValidationError(
            f"the outcome of {formula!r} is {int(y[0])} in every row; "
            "a logistic model needs both 0s and 1s"
        )
    sign = 2.0 * y - 1.0
    scale = np.maximum(np.max(np.abs(x), axis=0), 1e-300)
    a_ub = -(sign[:, None] * (x / scale))
    lp = linprog(
        np.zeros(x.shape[1]),
        A_ub=a_ub,
        b_ub=-np.ones(len(y)),
        bounds=[(None, None)] * x.shape[1],
        method="highs",
    )
    if lp.status == 0:
        raise DataValidationError(
            f"perfect separation in {formula!r}: the terms predict the binary outcome "
            "exactly, so the logistic model has no finite estimates"
        )


@validate_params(
    {
        **_GEE_OPTIONS,
        "outcome": _COLUMN,
        "exposure": _COLUMN,
        "covariates": [None, "str-list"],
        "log": ["boolean"],
    }
)
def fit_linear(
    data: pd.DataFrame,
    *,
    groups: str,
    outcome: str = "infant_b12",
    exposure: str = "milk_b12",
    covariates: Sequence[str] | str | None = None,
    log: bool = False,
    cov_struct: str = "exchangeable",
    cov_type: str = "robust",
    conf_level: float = 0.95,
) -> GEEResult:
    """Gaussian GEE of infant B12 on milk B12 (+ covariates).

    ``outcome ~ exposure + covariates``, or with ``log=True``
    ``np.log(outcome) ~ np.log(exposure) + covariates``: the exposure slope is
    then an elasticity (percent change in infant B12 per 1 % higher milk B12,
    approximately), independent of the units of either variable. Both columns
    must be positive for ``log=True``.

    Parameters
    ----------
    data
        One row per dyad.
    groups
        Cluster column.
    outcome, exposure
        Column names.
    covariates
        Extra formula terms, e.g. ``["maternal_age", "C(infant_sex)"]``.
    log
        Fit on the log-log scale.
    cov_struct, cov_type, conf_level
        As in :func:`fit_gee`.

    Returns
    -------
    GEEResult

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> cluster = np.repeat(np.arange(40), 5)
    >>> milk = np.exp(rng.normal(np.log(300), 0.4, 200))
    >>> infant = np.exp(np.log(250) + 0.3 * np.log(milk / 300) + rng.normal(0, 0.3, 200))
    >>> d = pd.DataFrame({"milk_b12": milk, "infant_b12": infant, "village": cluster})
    >>> res = fit_linear(d, groups="village", log=True)
    >>> res.coefficients["term"].tolist()
    ['Intercept', 'np.log(milk_b12)']
    >>> round(float(res.coefficients["estimate"].iloc[1]), 1)
    0.3
    """
    for col in (outcome, exposure):
        if col not in data.columns:
            raise DataValidationError("column not found in the data", column=col)
    if log:
        for col in (outcome, exposure):
            values = pd.to_numeric(data[col], errors="coerce")
            if bool((values <= 0).any()):
                raise DataValidationError("log=True needs positive values", column=col)
        lhs, rhs = f"np.log({outcome})", f"np.log({exposure})"
    else:
        lhs, rhs = outcome, exposure
    formula = " + ".join([f"{lhs} ~ {rhs}", *terms(covariates)])
    return fit_gee(
        data,
        formula,
        groups=groups,
        family="gaussian",
        cov_struct=cov_struct,
        cov_type=cov_type,
        conf_level=conf_level,
    )

"""The GEE options and the result columns, shared by the single and the batched fit."""

from __future__ import annotations

#: Families (with their canonical link: identity, logit).
FAMILIES = ("gaussian", "binomial")
#: Working correlations.
COV_STRUCTS = ("exchangeable", "independence")
#: Standard errors of :func:`b12stats.models.fit_gee`.
COV_TYPES = ("robust", "bias_reduced", "naive")
#: Sandwich variants of the batched engine: Liang-Zeger's robust covariance, or
#: Mancl & DeRouen's bias-reduced one (statsmodels ``cov_type="bias_reduced"``).
BATCH_COV_TYPES = ("robust", "bias_reduced")

#: Columns of :attr:`GEEResult.coefficients`, the same for every family (the
#: odds-ratio columns are NaN for the Gaussian family).
COEFFICIENT_COLUMNS = (
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
)

#: Fewer clusters than this get a result warning when robust SEs are used.
FEW_CLUSTERS = 30

#: Condition number of some cluster's ``I - B_i B^-1`` above which the
#: bias-reduced (Mancl-DeRouen) covariance is undefined: a cluster with
#: leverage 1, e.g. the only cluster where a covariate is non-zero (measured
#: about 1e17 there, 1-10 in regular designs). Used by both engines.
LEVERAGE_COND = 1e10

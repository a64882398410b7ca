"""GEE models with tidy results: infant B12 on milk B12, adequacy on milk-B12 quartile.

Mother-infant dyads recruited in clusters (villages, health centres, or repeated
visits of one dyad) are correlated within a cluster, so the papers' models are
generalized estimating equations (GEE; Liang & Zeger 1986) with robust
("sandwich") standard errors:

* :func:`fit_gee` fits any formula (statsmodels/R style, ``C(z)`` for categorical
  terms) with a Gaussian/identity or binomial/logit family, an exchangeable or
  independence working correlation, and robust, bias-reduced (Mancl-DeRouen) or
  naive standard errors; it returns a :class:`GEEResult` (``to_frame()``,
  ``summary()``, ``predict()``). How the estimates match R geepack is said in
  :mod:`b12stats.models.gee`.
* :func:`fit_linear` is infant B12 on milk B12 (+ covariates), optionally on the
  log-log scale.
* :func:`fit_trend` is the logistic GEE of adequacy on milk-B12 quartile
  categories (+ covariates) together with the P-trend from the 0-3 score model
  (:mod:`b12stats.models.trend`).
* :func:`milk_quartile` cuts a variable at its sample quartiles into 0..3.
* :func:`formula_columns`, :func:`formula_names` and
  :func:`formula_numeric_columns` tell which columns a formula uses (without
  building it).
* :mod:`b12stats.models.batch` fits one model to many replicate datasets at
  once (simulated power); :func:`b12stats.batch_gee.fit_gee_batch` is the same.
"""

from __future__ import annotations

from b12stats.models._formula import formula_columns, formula_names, formula_numeric_columns
from b12stats.models._options import (
    COEFFICIENT_COLUMNS,
    COV_STRUCTS,
    COV_TYPES,
    FAMILIES,
    FEW_CLUSTERS,
    LEVERAGE_COND,
)
from b12stats.models.gee import fit_gee, fit_linear
from b12stats.models.results import GEEResult, TrendResult
from b12stats.models.trend import fit_trend, milk_quartile

__all__ = [
    "COEFFICIENT_COLUMNS",
    "COV_STRUCTS",
    "COV_TYPES",
    "FAMILIES",
    "FEW_CLUSTERS",
    "LEVERAGE_COND",
    "GEEResult",
    "TrendResult",
    "fit_gee",
    "fit_linear",
    "fit_trend",
    "formula_columns",
    "formula_names",
    "formula_numeric_columns",
    "milk_quartile",
]

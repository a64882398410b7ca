"""Random-effects meta-analysis of correlations (Fisher z), aligned with R's metafor.

Layers, from generic to specific:

* :func:`rma` pools generic effect sizes ``yi`` with sampling variances ``vi``
  (equal-effects model or random-effects model with τ² by DerSimonian-Laird,
  REML or Paule-Mandel; Wald *z* or Knapp-Hartung *t* inference) and returns
  an :class:`RmaFit`.
* :func:`meta_correlations` pools correlations ``r`` with sample sizes ``n``
  on the Fisher-z scale (``yi = atanh(r)``, ``vi = 1/(n - 3)``, metafor's
  ``measure = "ZCOR"``) and back-transforms to *r*; it returns a
  :class:`MetaResult`. :func:`leave_one_out` and :func:`subgroup` repeat it.
* :class:`MetaTable` holds several pools (one :class:`MetaResult` per group)
  and the rows left out. Which rows of a table of published correlations may
  be pooled (source kinds, adjusted coefficients, repeated cohorts) is not a
  statistical question: :func:`b12stats.pooling.pool_table` decides it and
  pools through this module.

Modules: :mod:`~b12stats.stats.meta.tau2` (τ² estimators),
:mod:`~b12stats.stats.meta.rma` (the model and its inference),
:mod:`~b12stats.stats.meta.correlations` (Fisher z),
:mod:`~b12stats.stats.meta.influence` (leave-one-out),
:mod:`~b12stats.stats.meta.table` (several pools, subgroups).

Formulas (intercept-only model, ``k`` studies, ``w_i = 1/(v_i + τ²)``)::

    estimate  μ̂ = Σ w_i y_i / Σ w_i,       Var(μ̂) = 1 / Σ w_i
    Q         = Σ (y_i - ȳ_EE)² / v_i        (equal-effects weights, k - 1 df)
    DL        τ² = max(0, (Q - (k - 1)) / (Σ 1/v_i - Σ 1/v_i² / Σ 1/v_i))
    PM        τ² solves Σ w_i (y_i - μ̂(τ²))² = k - 1 (0 if Q < k - 1)
    REML      Fisher scoring  τ² += (y'PPy - tr P) / tr(PP),
              P = W - w w' / Σ w_i  (metafor's algorithm, run to convergence)
    knha      Var(μ̂) · Σ w_i (y_i - μ̂)² / (k - 1), t with k - 1 df
    PI        μ̂ ± c · sqrt(SE(μ̂)² + τ²), c the same normal or t quantile as the CI
    I², H²    I² = 100 τ² / (τ² + s²), H² = 1 + τ²/s², with the "typical"
              within-study variance s² = (k - 1) / (Σ 1/v_i - Σ 1/v_i² / Σ 1/v_i);
              for the equal-effects model I² = max(0, 100 (Q - (k-1)) / Q), H² = Q/(k-1)
    τ² CI     Q-profile: Σ w_i(τ²) (y_i - μ̂(τ²))² equal to the χ²_{k-1}
              quantiles 1 - α/2 (lower bound) and α/2 (upper bound)

With one study nothing about heterogeneity can be estimated (τ², Q, I², H² and
the prediction interval are NaN, and Knapp-Hartung has 0 degrees of freedom);
with few studies a τ² truncated at 0 is reported with a note saying that it is
not evidence of homogeneity.

References
----------
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
*J Stat Softw* 36(3):1-48. doi:10.18637/jss.v036.i03

DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. *Control Clin
Trials* 7:177-188. doi:10.1016/0197-2456(86)90046-2

Paule RC, Mandel J (1982). Consensus values and weighting factors. *J Res Natl
Bur Stand* 87:377-385. doi:10.6028/jres.087.022

Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression
with a single covariate. *Stat Med* 22:2693-2710. doi:10.1002/sim.1482

Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
meta-analysis. *Stat Med* 26:37-52. doi:10.1002/sim.2514

Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis.
*Stat Med* 21:1539-1558. doi:10.1002/sim.1186
"""

from __future__ import annotations

from b12stats.stats.meta._options import (
    EXCLUDED_COLUMNS,
    METHODS,
    REML_MAXITER,
    REML_THRESHOLD,
    ROOT_XTOL,
    STUDY_COLUMNS,
    SUMMARY_COLUMNS,
    TESTS,
)
from b12stats.stats.meta.correlations import MetaResult, meta_correlations
from b12stats.stats.meta.influence import leave_one_out
from b12stats.stats.meta.rma import RmaFit, rma
from b12stats.stats.meta.table import MetaTable, pool_groups, subgroup

__all__ = [
    "EXCLUDED_COLUMNS",
    "METHODS",
    "REML_MAXITER",
    "REML_THRESHOLD",
    "ROOT_XTOL",
    "STUDY_COLUMNS",
    "SUMMARY_COLUMNS",
    "TESTS",
    "MetaResult",
    "MetaTable",
    "RmaFit",
    "leave_one_out",
    "meta_correlations",
    "pool_groups",
    "rma",
    "subgroup",
]

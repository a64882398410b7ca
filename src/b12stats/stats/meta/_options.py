"""Options and result columns of the meta-analysis functions."""

from __future__ import annotations

from typing import Any

from b12stats._validation import (
    UNIT_OPEN,
    Options,
)

#: τ² estimators (``"EE"`` is the equal-effects model, τ² = 0 by assumption).
METHODS = ("REML", "DL", "PM", "EE")
#: Inference for the pooled estimate: Wald ``"z"`` or Knapp-Hartung ``"knha"``.
TESTS = ("z", "knha")

#: Convergence threshold on the change in τ² for REML Fisher scoring (metafor's
#: default is 1e-5; we iterate further so results match a converged metafor fit).
REML_THRESHOLD = 1e-12
#: Maximum Fisher-scoring iterations.
REML_MAXITER = 1000
#: Absolute tolerance on τ² for the root finders (PM, Q-profile).
ROOT_XTOL = 1e-15

SUMMARY_COLUMNS = (
    "group",
    "k",
    "n_total",
    "estimate_z",
    "se_z",
    "statistic",
    "df",
    "p_value",
    "ci_low_z",
    "ci_high_z",
    "pi_low_z",
    "pi_high_z",
    "estimate_r",
    "ci_low_r",
    "ci_high_r",
    "pi_low_r",
    "pi_high_r",
    "tau2",
    "tau2_ci_low",
    "tau2_ci_high",
    "tau",
    "i2",
    "i2_ci_low",
    "i2_ci_high",
    "h2",
    "h2_ci_low",
    "h2_ci_high",
    "q",
    "q_df",
    "q_p_value",
    "method",
    "test",
    "conf_level",
    "note",
)

STUDY_COLUMNS = (
    "group",
    "label",
    "r",
    "n",
    "z",
    "vi",
    "ci_low_z",
    "ci_high_z",
    "ci_low_r",
    "ci_high_r",
    "weight_pct",
)


_POOL_OPTIONS: dict[str, list[Any]] = {
    "method": [Options(METHODS)],
    "test": [Options(TESTS)],
    "conf_level": [UNIT_OPEN],
}
_LABELS = [None, "sequence"]

#: Columns of :attr:`MetaTable.excluded`.
EXCLUDED_COLUMNS = ("row", "label", "group", "reason")

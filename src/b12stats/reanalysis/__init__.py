"""The report's analyses as numbers only: one module per analysis, each a public function.

Each ``analysis_*`` function gathers published numbers (:mod:`b12stats.data`),
computes through the core (:mod:`b12stats.stats`, :mod:`b12stats.models`,
:mod:`b12stats.simulate`, :mod:`b12stats.power`, :mod:`b12stats.audit`) and
returns a small frozen result of tidy tables plus the numbers the report's prose
needs. Each takes ``tables`` (name -> DataFrame, as
:func:`b12stats.packages.load_tables` returns the bundled tables joined with a
researcher's data packages; ``None``: the bundled ones) and raises
:class:`NothingToShow` when those hold nothing it can show. Nothing here
writes text for a reader or draws: :mod:`b12stats.report` and the scripts in
``analyses/`` both call these functions, so they cannot disagree.

=========================================  ============================================
:func:`analysis_audit`                     every published claim recomputed and judged
:func:`analysis_cohort_comparison`         a secondary source against the primary it cites
:func:`analysis_distributions`             log-normals behind printed summaries, shares
:func:`analysis_correlations`              correlations, Fisher-z CIs, pools, comparison
:func:`analysis_supplement_effects`        printed effects with P recomputed from the CI
:func:`analysis_simulated_cohort`                     one simulated cohort and the two GEE models
:func:`analysis_ptrend`                    plausibility of a published P-trend
:func:`analysis_power`                     power by simulation over numbers of dyads
:func:`coverage_targets`                   its coverage targets, to compute apart
:func:`analysis_sensitivity`               conclusions over each assumption's plausible range
=========================================  ============================================
"""

from __future__ import annotations

from b12stats.reanalysis._common import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    NothingToShow,
    Tables,
    milk_ai_level,
)
from b12stats.reanalysis.audit_summary import AuditResult, analysis_audit
from b12stats.reanalysis.cohorts import (
    CohortsResult,
    analysis_cohort_comparison,
    comparison_pairs,
)
from b12stats.reanalysis.correlations import CorrelationsResult, analysis_correlations
from b12stats.reanalysis.distributions import (
    DistributionPanel,
    DistributionsResult,
    analysis_distributions,
)
from b12stats.reanalysis.effects import EffectsResult, analysis_supplement_effects
from b12stats.reanalysis.power import (
    POWER_N_DYADS,
    PowerResult,
    analysis_power,
    coverage_groups,
    coverage_targets,
)
from b12stats.reanalysis.ptrend import (
    PTREND_REPS_FACTOR,
    PTREND_SMALLER,
    PTrendResult,
    analysis_ptrend,
)
from b12stats.reanalysis.sensitivity import SensitivityResult, analysis_sensitivity
from b12stats.reanalysis.simulated_cohort import (
    SimulatedCohortResult,
    analysis_simulated_cohort,
    loglog_band,
)

__all__ = [
    "DEFAULT_REPS",
    "DEFAULT_SEED",
    "POWER_N_DYADS",
    "PTREND_REPS_FACTOR",
    "PTREND_SMALLER",
    "AuditResult",
    "CohortsResult",
    "CorrelationsResult",
    "DistributionPanel",
    "DistributionsResult",
    "EffectsResult",
    "NothingToShow",
    "PTrendResult",
    "PowerResult",
    "SensitivityResult",
    "SimulatedCohortResult",
    "Tables",
    "analysis_audit",
    "analysis_cohort_comparison",
    "analysis_correlations",
    "analysis_distributions",
    "analysis_power",
    "analysis_ptrend",
    "analysis_sensitivity",
    "analysis_simulated_cohort",
    "analysis_supplement_effects",
    "comparison_pairs",
    "coverage_groups",
    "coverage_targets",
    "loglog_band",
    "milk_ai_level",
]

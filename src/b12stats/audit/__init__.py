"""Every published claim in ``data/``, recomputed and judged.

:func:`run_audit` runs one small function per family of checks over the
bundled tables (or tables you pass) and returns an :class:`AuditResult`.
Each check recomputes what can be recomputed from the printed numbers and
gives one verdict:

``reproduced``
    The arithmetic holds to the printed precision (e.g. a ratio of printed
    medians rounds to the printed ratio; a secondary source repeats the
    primary's number exactly).
``consistent``
    Holds within the claim's own looseness ("approximately one-third") or
    within the uncertainty the recomputation carries (rounding of the
    inputs, a confidence interval, an assumed n stated in ``detail``).
``inconsistent``
    The printed numbers cannot all be true together; ``detail`` says how
    ("p = 0.27 needs n in [31, 34]; reported n = 67").
``conflicts_with_primary``
    A secondary or lay source disagrees with the primary source it cites;
    ``detail`` names the numbers on both sides.
``unverifiable``
    No primary source, or not enough published to check; ``detail`` says
    what is missing (and what can be derived, e.g. the smallest n a printed
    (r, P) pair needs).

The frame (:meth:`AuditResult.to_frame`) has one row per check and the
columns listed in :data:`COLUMNS`, in that order; they are stable (other
modules, the HTML report and the verdict figure, build on them).

Tolerance for words
-------------------
"approximately / about / around / roughly X" is read as ``X * (1 ± 0.10)``
(:data:`APPROX_REL_TOL`, the convention of
:meth:`b12stats.stats.printed.PrintedNumber.interval`): "approximately
one-third" covers 30.0% to 36.7%. "nearly X" covers ``[0.9 X, X]``.
A share recomputed inside that range is ``consistent`` with the words.

Significance
------------
Words like "correlated", "associated", "significant" are read at the
conventional two-sided level :data:`ALPHA` = 0.05 unless the source prints
its own P.

References
----------
Nuijten MB et al. (2016) The prevalence of statistical reporting errors in
psychology (1985-2013). Behav Res Methods 48:1205-1226,
doi:10.3758/s13428-015-0664-2 (statcheck: recompute P from printed test
statistics, with rounding). Brown NJL, Heathers JAJ (2017) The GRIM test.
Soc Psychol Personal Sci 8:363-369, doi:10.1177/1948550616673876 (can a
printed percentage arise from a whole count out of n?). Altman DG, Bland JM
(2011) How to obtain the P value from a confidence interval. BMJ 343:d2090,
doi:10.1136/bmj.d2090. Gelman A, Stern H (2006) The difference between
"significant" and "not significant" is not itself statistically
significant. Am Stat 60:328-331, doi:10.1198/000313006X152649.

Examples
--------
>>> from b12stats.audit import run_audit
>>> result = run_audit()
>>> frame = result.to_frame()
>>> int((frame["verdict"] == "inconsistent").sum()) >= 1
True
>>> result.has_problems
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from b12stats._validation import check_params
from b12stats.audit import (  # noqa: F401 (importing a family module registers it)
    claims,
    cohorts,
    comparisons,
    concentrations,
    correlations,
    effects,
    prevalences,
    reference_values,
)
from b12stats.audit.claims import check_claims
from b12stats.audit.cohorts import check_cohorts_vs_primary
from b12stats.audit.comparisons import check_comparison_p, check_ratios, check_ratios_vs_primary
from b12stats.audit.concentrations import (
    check_concentrations_vs_primary,
    check_geometric_mean_ci,
    check_quartiles,
    check_subgroup_means,
)
from b12stats.audit.core import (
    ALPHA,
    APPROX_REL_TOL,
    COLUMNS,
    PROBLEM_VERDICTS,
    REQUIRED_TABLES,
    VERDICTS,
    Check,
    Context,
    TableSet,
    load_tables,
)
from b12stats.audit.correlations import (
    check_correlation_differences,
    check_correlations_vs_primary,
    check_correlations_without_n,
    check_correlations_without_p,
    check_correlations_without_r,
    check_r_p_n_triples,
)
from b12stats.audit.effects import check_effects
from b12stats.audit.prevalences import (
    check_median_vs_prevalence,
    check_percent_counts,
    check_prevalence_from_gm_ci,
    check_prevalence_from_quartiles,
)
from b12stats.audit.reference_values import check_other_reference_values, check_reference_values
from b12stats.audit.registry import families
from b12stats.audit.result import AuditResult
from b12stats.errors import OptionError

__all__ = [
    "ALPHA",
    "APPROX_REL_TOL",
    "COLUMNS",
    "FAMILIES",
    "PROBLEM_VERDICTS",
    "REQUIRED_TABLES",
    "VERDICTS",
    "AuditResult",
    "Check",
    "check_claims",
    "check_cohorts_vs_primary",
    "check_comparison_p",
    "check_concentrations_vs_primary",
    "check_correlation_differences",
    "check_correlations_vs_primary",
    "check_correlations_without_n",
    "check_correlations_without_p",
    "check_correlations_without_r",
    "check_effects",
    "check_geometric_mean_ci",
    "check_median_vs_prevalence",
    "check_other_reference_values",
    "check_percent_counts",
    "check_prevalence_from_gm_ci",
    "check_prevalence_from_quartiles",
    "check_quartiles",
    "check_r_p_n_triples",
    "check_ratios",
    "check_ratios_vs_primary",
    "check_reference_values",
    "check_subgroup_means",
    "coverage",
    "load_tables",
    "run_audit",
]

#: The families of checks, in the order :func:`run_audit` runs them.
FAMILIES = families()


def run_audit(tables: Mapping[str, pd.DataFrame] | None = None) -> AuditResult:
    """Run every family of checks.

    Parameters
    ----------
    tables
        The tables, by name, as :func:`b12stats.data.load_table` returns them
        (``sources, cohorts, concentrations, comparisons, correlations,
        prevalences, effects, reference_values, claims``); ``None`` loads the
        bundled ones.

    Returns
    -------
    AuditResult

    Raises
    ------
    OptionError
        When ``tables`` is not a mapping, a table is missing or two checks
        share an id.

    Examples
    --------
    >>> res = run_audit()
    >>> s = res.summary().set_index("source_kind")
    >>> int(s.loc["secondary", "conflicts_with_primary"]) > 0
    True
    """
    check_params(tables=tables, constraints={"tables": [None, Mapping]})
    tabs = TableSet(load_tables() if tables is None else tables)
    Context.of(tabs)  # validates the table names once
    checks: list[Check] = []
    for fam in FAMILIES.values():
        checks.extend(fam(tabs))
    seen: set[str] = set()
    for c in checks:
        if c.check_id in seen:
            raise OptionError(f"two checks share the id {c.check_id!r}")
        seen.add(c.check_id)
    return AuditResult(tuple(checks))


def coverage(
    result: AuditResult, tables: Mapping[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Data rows that no check references (should be empty).

    Every row of :data:`REQUIRED_TABLES` and every cohort fact of a
    secondary or lay source must appear in some check's ``row_ids``.

    Returns
    -------
    DataFrame
        Columns ``table, row_id, source_id`` of the rows not covered.

    Examples
    --------
    >>> coverage(run_audit()).empty
    True
    """
    tabs = load_tables() if tables is None else tables
    used = {rid for c in result.checks for rid in c.row_ids}
    missing = []
    need: Iterable[tuple[str, pd.DataFrame]] = [(t, tabs[t]) for t in REQUIRED_TABLES]
    coh = tabs["cohorts"]
    need = [*need, ("cohorts", coh[coh["source_kind"].isin(["secondary", "lay"])])]
    for name, frame in need:
        for rid, src in zip(frame["row_id"], frame["source_id"], strict=True):
            if rid not in used:
                missing.append({"table": name, "row_id": rid, "source_id": src})
    return pd.DataFrame(missing, columns=["table", "row_id", "source_id"])

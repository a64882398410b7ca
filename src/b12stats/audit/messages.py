"""The audit's message templates: every sentence a check writes, by family and outcome.

A template is a :meth:`str.format` string; the check fills it from its structured
numbers (:attr:`b12stats.audit.core.Check.numbers`). Keeping them in one place lets
the prose be read, reviewed and reworded without touching the arithmetic.
"""

from __future__ import annotations

# --- claims ------------------------------------------------------------------------------------

#: Message templates, by claim type.
CLAIM_TEXT = {
    "untraceable_citation": "attributed to {attributed_to}, but {traced}an untraceable claim "
    "with no primary source to check it against.",
    "finding": "a primary finding stated without numbers; nothing printed to recompute it from.",
}


# --- cohorts -----------------------------------------------------------------------------------

#: Message templates, by outcome.
COHORT_TEXT = {
    "silent": "the source {why}: nothing to compare with.",
    "reproduced": "{cited} states the same: {primary} ('{primary_text}').",
    "conflicts_with_primary": "the summary says {attribute} = {claimed} ('{claimed_text}'); "
    "{cited} says {primary} ('{primary_text}').",
}


# --- comparisons -------------------------------------------------------------------------------

#: Message templates of :func:`check_ratios`, by verdict.
RATIO_TEXT = {
    "reproduced": "{ratio_txt} lies in the rounding interval [{printed_low:g}, {printed_high:g}] "
    "of the printed {printed}.",
    "consistent": "{ratio_txt} is outside the rounding interval [{printed_low:g}, "
    "{printed_high:g}] of {printed}, but {span}, which meets it: consistent with rounding of "
    "the printed values.",
    "inconsistent": "{ratio_txt}; even with rounding {span}, which misses [{printed_low:g}, "
    "{printed_high:g}]: {printed} cannot come from {numerator} and {denominator}.",
}

COMPARISON_P_TEXT = (
    "{printed} compares {statistic}s {numerator} vs {denominator} {unit} (ratio {ratio:.2f}, "
    "{n_txt}), but no spread, test statistic or per-group data are printed: the P cannot be "
    "recomputed."
)

RATIO_NO_PRIMARY_TEXT = "{cited} prints no matching summaries with CIs to compare."


# --- concentrations ----------------------------------------------------------------------------

#: Message templates of :func:`check_concentrations_vs_primary`, by outcome.
CONCENTRATION_VS_PRIMARY_TEXT = {
    "none": "{cited} prints no summary of this compartment in this cohort.",
    "same": "{primary}; the same number{n_txt}.",
    "inside": "{primary}; {statistic} {printed:g} lies inside the primary's CI{stat_txt}{n_txt}.",
    "outside": "{primary}; the summary's {statistic} {printed:g}{stat_txt} is {ratio:.2f} times "
    "it and lies {where} its {ci_or_value} (for a log-normal the median equals the geometric "
    "mean){n_txt}.",
}

QUARTILES_TEXT = {
    "disordered": "{claim}: Q1 <= median <= Q3 does not hold.",
    "ordered": "Q1 <= median <= Q3 holds; log-scale asymmetry {asymmetry:+.3f} ({shape}, sigma = "
    "{sigma:.3f}); a primary summary with nothing else printed to recompute it from.",
}

SHAPE = {
    True: "log-symmetric: one log-normal passes through all three",
    False: "not log-symmetric; a least-squares log-normal is used",
}

GM_CI_TEXT = {
    "reproduced": "sqrt({ci_low:g} x {ci_high:g}) = {geo_mid:.1f} matches the GM {gm:g} within "
    "rounding: the CI is symmetric on the log scale, as exp(mean log ± t SE) gives.",
    "consistent": "the CI is symmetric on the linear scale (midpoint {lin_mid:g}, -{below:g}/"
    "+{above:g}), not on the log scale (sqrt({ci_low:g} x {ci_high:g}) = {geo_mid:.1f}, outside "
    "[{gm_low:g}, {gm_high:g}] even with rounding): computed as GM ± z SE (e.g. delta method) "
    "rather than exp(mean log ± t SE); legitimate, nothing contradicts.",
    "unverifiable": "the CI is symmetric on neither the log scale (sqrt = {geo_mid:.1f}) nor the "
    "linear scale (midpoint {lin_mid:g}); its method is not printed.",
}

SUMMARY_TEXT = (
    "a primary summary statistic printed without spread; nothing printed to recompute it "
    "from{converted}."
)


# --- correlations ------------------------------------------------------------------------------

IMPLIED_P = (
    "no P printed; r = {r} with n = {n} gives p = {p} (two-sided; {p_low}-{p_high} over r's "
    "rounding interval): "
)

DIFFERENCE_CORE = (
    "{cohort_a} r = {r_a} (n = {n_a}) vs {cohort_b} r = {r_b} (n = {n_b}): Fisher z = {z:.2f}, "
    "p = {p}; Zou 95% CI for the difference {diff_low:.2f} to {diff_high:.2f}"
)


#: Message templates of :func:`check_r_p_n_triples`, by verdict.
R_P_N_TEXT = {
    "reproduced": "r = {r} with n = {n} gives p = {p}, which fits {printed_p}.",
    "consistent": "r = {r}, n = {n}: p = {p} ({p_range}) meets {printed_p}.",
    "inconsistent": "r = {r} with n = {n} gives p = {p} ({p_range}), not {printed_p}: "
    "{printed_p} with r = {r} {needs}; reported n = {n}.",
}

N_NEEDED_TEXT = {
    "unverifiable": "no n printed; r = {r} with {printed_p} needs {needs}.",
    "consistent": "no n printed for the correlation; r = {r} with {printed_p} needs {needs}, "
    "within {who} n = {n} (p = {p_all} if all {n} were used).",
    "inconsistent": "r = {r} with {printed_p} needs {needs}, but {who} n is only {n} "
    "(p = {p_all} with all {n}).",
}

IMPLIED_P_TEXT = {
    "significant": IMPLIED_P + "significant at {alpha:g}, matching the source's claim of a "
    "correlation.",
    "not_significant": IMPLIED_P + "not significant at {alpha:g} (the source states no "
    "significance).",
    "contradicts": IMPLIED_P + "but the source says {says}.",
}

#: Message templates of :func:`check_correlation_differences`, by "the difference is significant".
DIFFERENCE_TEXT = {
    True: DIFFERENCE_CORE + ": the correlations differ significantly.",
    False: DIFFERENCE_CORE + ": the difference is not significant, so a contrast between the two "
    "('{cohort_a}' correlated, '{cohort_b}' not) is not established by the printed numbers "
    "themselves.",
}

#: Message templates of :func:`check_correlations_vs_primary`, by outcome.
CORRELATION_VS_PRIMARY_TEXT = {
    "none": "{cited} prints no correlation of this pair in this cohort.",
    "unstated": "{secondary}; {primary}: significance not stated on both sides{need}.",
    "disagree": "{secondary} vs {primary}{need}.",
    "agree": "{secondary}; {primary}{need}: both call it {both} and the P values are compatible.",
    "p": "{secondary}; {primary}{need}: both call it {both}, but {printed_p} does not fit "
    "{primary_p}.",
}


# --- effects -----------------------------------------------------------------------------------

P_ONLY_TEXT = "only {printed_p} is printed (no estimate, CI or n): nothing to recompute it from."

#: Message templates of ratio-type effects, by verdict.
LOG_TEXT = {
    "reproduced": "on the log scale (1 + x/100) the CI gives SE and p = {p} ({p_range}), which "
    "fits {printed_p}.",
    "consistent": "the CI gives p = {p} ({p_range}), which meets {printed_p} with rounding.",
    "inconsistent": "the CI gives p = {p} ({p_range}), which {printed_p} excludes.",
}


# --- prevalences -------------------------------------------------------------------------------

#: How :func:`~b12stats.stats.quartiles.prevalence_from_gm_ci` got sigma, by CI scale.
SIGMA_FROM = {
    "linear": "from the linear-scale CI half-width (delta method, SE(GM) = GM sigma/sqrt(n))",
    "log": "from the log-scale CI width",
}

#: Message templates of :func:`check_prevalence_from_quartiles`, by outcome.
FROM_QUARTILES_TEXT = {
    "rounds": "{base}: rounds to the printed {printed} (a model-based estimate, not a "
    "recomputation from printed numbers alone).",
    "words": "{base}: within the looseness of '{printed}'{words}.",
    "ci": "{base}: the CI contains the printed {printed}{words}.",
    "no_n": "{base}: outside '{printed}'{words}, but no n to judge the uncertainty.",
    "excluded": "{base}: the CI excludes the printed {printed}{words}.",
}

#: Message templates of :func:`check_prevalence_from_gm_ci`, by outcome.
FROM_GM_TEXT = {
    "rounds": FROM_QUARTILES_TEXT["rounds"],
    "meets": "{base}: the CI meets the rounding interval of the printed {printed}.",
    "excluded": "{base}: the CI excludes the printed {printed} (log-normal assumed).",
}

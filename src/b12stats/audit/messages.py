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

#: A worded claim (a paraphrase, or a claim type the audit does not know) with no judgement.
UNJUDGED_CLAIM_TEXT = (
    "a worded claim ({claim_type}) that no code can recompute, and no judgement of it is "
    "recorded in {table}: nothing to judge it by."
)


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

_RATIO_VS_PRIMARY = (
    "{printed_text} ({statistic}s, n = {n_a} vs {n_b}); {cited} prints {primary_statistic}s "
    "{primary_a:g} (CI {primary_a_low:g}-{primary_a_high:g}) vs {primary_b:g} (CI "
    "{primary_b_low:g}-{primary_b_high:g}), n = {primary_n_a} vs {primary_n_b}: ratio "
    "{ratio:.2f} (95% CI {ratio_low:.2f}-{ratio_high:.2f}; z test of the log ratio p = {p}), "
    "which "
)

#: Message templates of :func:`check_ratios_vs_primary`, by "the primary's CI contains it".
RATIO_VS_PRIMARY_TEXT = {
    True: _RATIO_VS_PRIMARY + "contains {printed:g}.",
    False: _RATIO_VS_PRIMARY + "excludes {printed:g}.",
}

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

#: Message templates of :func:`check_percent_counts` (GRIM), by outcome.
PERCENT_COUNT_TEXT = {
    "no_power": "a {kind} prevalence: {k}/{n} = {share:.{digits}f}% gives {printed}, but with "
    "n = {n} one count moves the share by {step:.2g} percentage point{step_s}, {than} the "
    "printed unit of {unit:g} point{unit_s}, so every printed value is reachable and nothing "
    "can be checked.",
    "count": "{k}/{n} = {share:.{digits}f}% rounds to {printed}: a whole count out of the "
    "printed n = {n} can give the printed share (GRIM; the count is not printed, and the "
    "denominator is assumed to be that n).",
    "smaller_n": "no count out of {n} gives {printed}, but {k}/{smaller_n} does: consistent if "
    "{missing} values were missing.",
    "none": "no whole count out of any n from {n_from} to {n} gives {printed}.",
}

#: How the step of one count compares with the printed unit (step finer than the unit?).
FINER_THAN = {True: "finer than", False: "equal to"}

_MEDIAN_SIDE = (
    "median {median:g} {median_relation} {cutoff:g} {unit}, so {more_or_less} than half must be "
    "{relation} {cutoff:g}; the printed {percent:g}% "
)
#: Message templates of :func:`check_median_vs_prevalence`, by "the printed share agrees".
MEDIAN_VS_PREVALENCE_TEXT = {
    True: _MEDIAN_SIDE + "agrees (only this bound can be checked).",
    False: _MEDIAN_SIDE + "does not (only this bound can be checked).",
}

#: "more" / "less" than half, by "the share beyond the cut-off must exceed 50%".
MORE_OR_LESS = {True: "more", False: "less"}


# --- concentrations: subgroup means -----------------------------------------------------------

#: Message templates of :func:`check_subgroup_means`, by outcome.
SUBGROUP_TEXT = {
    "all_n": "the n-weighted mean of {subgroups} is {weighted_mean:.1f} vs the printed {mean:g}.",
    "plausible": "the subgroup means {subgroups} cover {n_subgroups} of {n}; the overall mean "
    "{mean:g} needs the other {n_rest} to average {rest_mean:.1f}, inside the range of the "
    "printed subgroup means ({sub_low:g}-{sub_high:g}): plausible, but not recomputable.",
    "implausible": "the subgroup means {subgroups} cover {n_subgroups} of {n}; the overall mean "
    "{mean:g} needs the other {n_rest} to average {rest_mean:.1f}, outside the printed subgroup "
    "range ({sub_low:g}-{sub_high:g}); not recomputable from what is printed.",
    "too_many": "the subgroups ({subgroups}) add up to n = {n_subgroups} > the total n = {n}.",
}


# --- effects: additive --------------------------------------------------------------------------

#: Message templates of additive effects (regression coefficients), by outcome.
ADDITIVE_TEXT = {
    "p": "SE from the CI {se:.3g}, p = {p} vs {printed_p} (CI midpoint {midpoint:g} vs estimate "
    "{estimate:g}).",
    "significant_excludes": "no P printed; SE = (hi - lo)/(2 x 1.96) = {se:.3g} gives p = {p}: "
    "the CI excludes 0, matching '{words}' (CI midpoint {midpoint:g} vs estimate {estimate:g}).",
    "significant_includes": "no P printed; SE = (hi - lo)/(2 x 1.96) = {se:.3g} gives p = {p}: "
    "the CI includes 0, contradicting '{words}' (CI midpoint {midpoint:g} vs estimate "
    "{estimate:g}).",
    "no_p": "no P printed; the CI implies p = {p} (CI midpoint {midpoint:g} vs estimate "
    "{estimate:g}).",
}


# --- reference values ---------------------------------------------------------------------------

#: How a lay value was matched to a reference row.
MATCHED_BY = {"quantity": "same quantity", "rda": "the RDA for the same population"}

#: Message templates of a lay/secondary value against its reference, by outcome.
VS_REFERENCE_TEXT = {
    "none": "no reference value for this quantity and population in data/.",
    True: "{cited} ({how}: {ref_quantity}, {ref_population}) gives {ref_value:g} {ref_unit}; "
    "the lay value {printed:g} equals it{attribution}.{quantity_note}",
    False: "{cited} ({how}: {ref_quantity}, {ref_population}) gives {ref_value:g} {ref_unit}; "
    "the lay value {printed:g} differs from it{attribution}.{quantity_note}",
}

#: Parts of :data:`VS_REFERENCE_TEXT`.
ATTRIBUTION = " (attributed to {attributed_to})"
QUANTITY_NOTE = (
    " The number is the same, the quantity is not: the RDA is a total daily intake from all "
    "sources, while the lay source uses it as '{quantity}'."
)

#: Reference values nothing else checks.
UNUSED_REFERENCE_TEXT = {
    "dri": "a dietary reference value that no other source in data/ repeats or uses; nothing "
    "printed to recompute it from.",
    "other": "a reference value with nothing printed to recompute it from.",
}

_CUTOFFS_DIFFER = "the studies' cut-offs ({cutoffs} pmol/L) differ by {spread:g} pmol/L: "

#: Message templates of the adequacy cut-offs across sources, by outcome.
CUTOFF_AGREEMENT_TEXT = {
    "strict": _CUTOFFS_DIFFER + "not the same threshold (a value of {highest:g} pmol/L passes "
    "'> {lowest:g}' but not '> {highest:g}'), but a difference of convention ({percent:.1f}% of "
    "the value), not an error; shares using them differ only by the values lying between the two.",
    "convention": _CUTOFFS_DIFFER + "a difference of convention, not an error.",
    "different": _CUTOFFS_DIFFER + "different thresholds; prevalences using them are not "
    "comparable.",
}

_PARTITION = (
    "deficient < {deficient:g}, marginal {marginal_low:g}-{marginal_high:g} and adequate > "
    "{marginal_high:g} pmol/L "
)

#: Message templates of the deficient/marginal/adequate partition, by "it partitions the axis".
PARTITION_TEXT = {
    True: _PARTITION + "partition the axis without gap or overlap; a convention without a single "
    "verified source (some papers use < 150 and 150-220).",
    False: _PARTITION + "leave a gap or overlap.",
}

_CONVERSION = (
    "{basis:g} µg/L x 10^6 / {g_per_mol:g} g/mol = {converted:.1f} pmol/L ({converted_low:.1f}-"
    "{converted_high:.1f} over the rounding of {basis:g}), which "
)

#: Message templates of the µg/L -> pmol/L conversion of the AI's milk level, by "it rounds".
CONVERSION_TEXT = {
    True: _CONVERSION + "rounds to the {level:g} pmol/L {level_source} uses.",
    False: _CONVERSION + "is compatible with the {level:g} pmol/L {level_source} uses.",
}

_DERIVATION = "{basis:g} µg/L{mothers} x {volume:g} L/d = {product:.3f} µg/d, which "

#: Message templates of the infant AI's derivation, by "the product rounds to the AI".
DERIVATION_TEXT = {
    True: _DERIVATION + "rounds to the AI of {ai:g} µg/d.",
    False: _DERIVATION + "does not round to the AI of {ai:g} µg/d: the AI is set above the plain "
    "product; the step from one to the other is not recorded in data/.",
}

#: Part of :data:`DERIVATION_TEXT`: how many mothers the milk concentration comes from.
FROM_MOTHERS = " (from {n_mothers} mothers)"

_CUTOFF_USES = "{source} uses {cutoff:g} {unit}, "

#: Message templates of a prevalence's cut-off against its reference row, by "the same value".
CUTOFF_VS_REFERENCE_TEXT = {
    True: _CUTOFF_USES + "the {quantity} for {population} in {cited} ({ref_value:g} {ref_unit}).",
    False: _CUTOFF_USES + "which is not the {quantity} for {population} in {cited} ({ref_value:g} "
    "{ref_unit}).",
}

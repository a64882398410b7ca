"""Tests of the text extractor (b12stats.text) on short sentences written for these tests.

Every construct and trap of issue 13 has a sentence here; none is copied from
a paper. Each test checks the rows, their printed values, that the offsets
hold the numbers (``text[start:end]``) and ``needs_review``.
"""

from __future__ import annotations

import pytest

from b12stats.errors import DataValidationError
from b12stats.text import COLUMNS, extract_files, extract_text, read_text_file
from b12stats.text.numbers import number_value, word_to_int
from b12stats.text.spans import mask_names, normalise, sentences
from b12stats.text.units import normalise_unit


def rows(text: str, statistic: str | None = None) -> list[dict]:
    frame = extract_text(text, file="t.txt")
    assert list(frame.columns) == list(COLUMNS)
    out = frame.to_dict("records")
    for r in out:  # the offsets hold the numbers
        span = text[r["start"] : r["end"]]
        if r["value"] and r["statistic"] not in ("share",) and not r["value"].isdigit():
            assert r["value"].lstrip("+") in span.replace("·", ".").replace("−", "-"), (r, span)
    return [r for r in out if statistic is None or r["statistic"] == statistic]


def only(text: str, statistic: str) -> dict:
    found = rows(text, statistic)
    assert len(found) == 1, found
    return found[0]


# --- correlations -----------------------------------------------------------------------------


def test_r_without_df_or_n_and_capital_p() -> None:
    t = "Cord and maternal values were related (r = 0.42, P < 0.001)."
    r = only(t, "correlation")
    assert (r["value"], r["measure"], r["p_text"]) == ("0.42", "unspecified", "P < 0.001")
    assert t[r["start"] : r["end"]] == "0.42"
    assert not r["needs_review"]
    assert rows(t, "comparison") == []  # the P belongs to r


def test_apa_style_r_gives_n_from_df() -> None:
    r = only("Scores were related, r(38) = .51, p = .003.", "correlation")
    assert (r["value"], r["n"], r["p_text"]) == (".51", "40", "p = .003")


def test_count_with_thousands_separator() -> None:
    r = only("In all, 1,234 (45.6%) were low.", "share")
    assert (r["value"], r["count"]) == ("45.6", "1,234")


def test_r_without_leading_zero_and_semicolon() -> None:
    t = "Intake predicted status (r = .23; p = .01)."
    r = only(t, "correlation")
    assert (r["value"], r["p_text"]) == (".23", "p = .01")


def test_rho_is_spearman_and_a_range_of_rho_needs_review() -> None:
    t = "Milk tracked serum at all visits (rho = 0.31-0.47, P < 0.01)."
    r = only(t, "correlation")
    assert (r["measure"], r["value"], r["low"], r["high"], r["spread"]) == (
        "spearman",
        "0.31",
        "0.31",
        "0.47",
        "range",
    )
    assert r["needs_review"]


def test_two_correlations_respectively_each_with_its_p() -> None:
    t = "Weight and length fell (r = -0.18, P = .02 and r = -0.12, P = .04, respectively)."
    found = rows(t, "correlation")
    assert [(r["value"], r["p_text"]) for r in found] == [
        ("-0.18", "P = .02"),
        ("-0.12", "P = .04"),
    ]
    assert all(r["needs_review"] for r in found)


# --- the shape x (a, b) told apart by its label ----------------------------------------------


def test_median_with_quartiles() -> None:
    t = "The median (Q1, Q3) serum value was 301 pmol/L (222, 410 pmol/L)."
    r = only(t, "location")
    assert (r["measure"], r["value"], r["low"], r["high"], r["spread"], r["unit"]) == (
        "median",
        "301",
        "222",
        "410",
        "quartiles",
        "pmol/L",
    )
    assert t[r["start"] : r["end"]] == "301 pmol/L (222, 410"


def test_median_with_iqr_in_square_brackets() -> None:
    t = "Median (interquartile range) levels rose to 388 [250-470] pmol/L."
    r = only(t, "location")
    assert (r["measure"], r["spread"], r["low"], r["high"]) == ("median", "iqr", "250", "470")


def test_geometric_mean_with_ci_and_carried_label() -> None:
    t = (
        "Holo-TC was lower in group A [geometric mean: 41 (95% CI: 36, 45)]. "
        "At one year it was 55 (50, 61) in group A."
    )
    found = rows(t, "location")
    assert [(r["measure"], r["value"], r["low"], r["high"], r["spread"]) for r in found] == [
        ("geometric_mean", "41", "36", "45", "ci"),
        ("geometric_mean", "55", "50", "61", "ci"),
    ]
    # the second takes its label from the sentence before: marked for review
    assert [r["needs_review"] for r in found] == [False, True]


def test_range_label() -> None:
    t = "The mean (range) milk concentration was 0.52 (0.11-1.90) ng/mL."
    r = only(t, "location")
    assert (r["measure"], r["spread"], r["low"], r["high"], r["unit"]) == (
        "mean",
        "range",
        "0.11",
        "1.90",
        "ng/mL",
    )


def test_unlabelled_bracket_pair_is_not_a_statistic() -> None:
    assert rows("The clinic saw 12 (3-4) visits.", "location") == []


def test_quartiles_without_space_are_two_numbers_not_a_thousand() -> None:
    t = "Median values were 210 (inner quartile range: 160,275) pmol/L."
    r = only(t, "location")
    assert (r["value"], r["low"], r["high"]) == ("210", "160", "275")


# --- ± SD or SE, and x (s) ---------------------------------------------------------------


def test_plus_minus_sd_and_ascii_plus_minus() -> None:
    t = "Mean B12 was 251 ± 88 pmol/L in mothers and 140 +/- 52.5 pg/ml in infants."
    found = rows(t, "location")
    assert [(r["value"], r["low"], r["high"], r["spread"], r["unit"]) for r in found] == [
        ("251", "88", "", "sd", "pmol/L"),
        ("140", "52.5", "", "sd", "pg/mL"),
    ]


def test_plus_minus_pair_shares_its_unit() -> None:
    t = "Serum B12 was 245.6 ± 98.3 vs. 310.2 ± 120.5 pg/mL in the two groups (p=0.01)."
    assert [r["unit"] for r in rows(t, "location")] == ["pg/mL", "pg/mL"]


def test_one_in_four_is_not_a_sample_size() -> None:
    assert rows("Just one in four mothers met the intake.", "sample_size") == []


def test_plus_minus_se() -> None:
    t = "Values are mean ± SE: 4.1 ± 0.3 µmol/L."
    r = only(t, "location")
    assert (r["spread"], r["low"]) == ("se", "0.3")


def test_mean_sd_in_brackets() -> None:
    t = "The mean (SD) age was 31 (5) years and folate 61 (30) nmol/L, respectively."
    found = rows(t, "location")
    assert [(r["value"], r["low"], r["spread"], r["unit"]) for r in found] == [
        ("31", "5", "sd", "years"),
        ("61", "30", "sd", "nmol/L"),
    ]
    assert all(r["needs_review"] for r in found)


# --- lists and "respectively" -------------------------------------------------------------


def test_values_mapped_by_respectively_need_review() -> None:
    t = "At 10, 20 and 30 wk, median values were 240, 199 and 180 pmol/L, respectively."
    found = rows(t, "location")
    assert [r["value"] for r in found] == ["240", "199", "180"]
    assert all(r["unit"] == "pmol/L" and r["measure"] == "median" for r in found)
    assert all(r["needs_review"] for r in found)
    assert rows(t, "sample_size") == []


def test_two_groups_with_vs_and_p_only() -> None:
    t = "Group A had a higher median (412 pmol/L vs. 230 pmol/L; P = 0.002)."
    locs = rows(t, "location")
    assert [r["value"] for r in locs] == ["412", "230"]
    comp = only(t, "comparison")
    assert (comp["measure"], comp["value"], comp["p_text"]) == ("p_only", "0.002", "P = 0.002")
    assert t[comp["start"] : comp["end"]] == "P = 0.002"


# --- shares, counts, cut-offs ------------------------------------------------------------


def test_share_with_count_and_n() -> None:
    t = "Of 150 infants, 33 (22.0%) were deficient (<148 pmol/L)."
    r = only(t, "share")
    assert (r["value"], r["count"], r["n"]) == ("22.0", "33", "150")
    assert r["cutoff_text"] == "<148 pmol/L"
    assert t[r["start"] : r["end"]] == "33 (22.0%"


def test_share_with_k_over_n_after() -> None:
    t = "In the low group 40.0% (12/30) had symptoms."
    r = only(t, "share")
    assert (r["value"], r["count"], r["n"]) == ("40.0", "12", "30")


def test_k_of_n_without_percent_has_an_empty_value() -> None:
    t = "Low values were seen in 9 of 14 infants."
    r = only(t, "share")
    assert (r["value"], r["count"], r["n"]) == ("", "9", "14")
    assert t[r["start"] : r["end"]] == "9 of 14"


def test_cutoff_before_applies_to_the_shares_after_it() -> None:
    t = "Deficiency (<150 pg/ml) was found in 61% of mothers and 30% of babies."
    assert [r["cutoff_text"] for r in rows(t, "share")] == ["<150 pg/ml", "<150 pg/ml"]


def test_cutoff_right_after_a_share_belongs_to_it() -> None:
    t = "Some 12% were deficient (<150 pmol/L), and 20% were marginal (150-220 pmol/L)."
    assert [r["cutoff_text"] for r in rows(t, "share")] == ["<150 pmol/L", "150-220 pmol/L"]


def test_lost_symbol_cutoff_needs_review() -> None:
    t = "Deficiency (!150 pmol/L) affected 18% of the women."
    r = only(t, "share")
    assert r["cutoff_text"] == "!150 pmol/L"
    assert r["needs_review"]


def test_lost_less_than_before_a_cutoff_is_not_a_location() -> None:
    t = "Samples were tested for vitamin B12 (250 pg/mL) deficiency; the median was high."
    assert rows(t, "location") == []


def test_word_percent_and_word_fraction() -> None:
    t = "Forty-six percent were breastfed and approximately one-third of infants were deficient."
    assert [r["value"] for r in rows(t, "share")] == ["46", "33.3"]


def test_bound_share_needs_review() -> None:
    r = only("Less than 5% of the infants were anaemic.", "share")
    assert (r["value"], r["needs_review"]) == ("5", True)


# --- effects and ratios -----------------------------------------------------------------------


def test_odds_ratio_with_ci() -> None:
    t = "Stunting raised the odds (aOR 1.62; 95% CI: 1.20, 2.19)."
    r = only(t, "effect")
    assert (r["measure"], r["value"], r["low"], r["high"], r["spread"]) == (
        "odds_ratio",
        "1.62",
        "1.20",
        "2.19",
        "ci",
    )


def test_difference_with_ci_without_dash() -> None:
    t = "Scores were 0.35 (95% CI 0.10, 0.60) SD higher with the supplement."
    r = only(t, "effect")
    assert (r["measure"], r["value"]) == ("difference", "0.35")
    assert (r["low"], r["high"]) == ("0.10", "0.60")


def test_percent_differences_signed_and_worded() -> None:
    t = "Serum B12 was lower (-18%; P = 0.03) and tHcy was 25% higher (P < 0.01)."
    found = rows(t, "effect")
    assert [(r["value"], r["p_text"]) for r in found] == [("-18", "P = 0.03"), ("25", "P < 0.01")]
    assert rows(t, "share") == [] and rows(t, "comparison") == []


def test_range_of_falls_keeps_the_sign_on_both_ends() -> None:
    r = only("Folate fell in both groups (-9-14%; P = 0.01).", "effect")
    assert (r["value"], r["low"], r["high"]) == ("-9", "-9", "-14")


def test_range_of_percent_differences() -> None:
    r = only("Holo-TC rose in all groups (+12-35%; P < 0.01).", "effect")
    assert (r["value"], r["low"], r["high"], r["spread"], r["needs_review"]) == (
        "+12",
        "+12",
        "35",
        "range",
        True,
    )


def test_fold_ratio_with_p() -> None:
    t = "Milk B12 was 1.85x higher in the city (210 pmol/L vs. 113 pmol/L; p<0.001)."
    r = only(t, "ratio")
    assert (r["value"], r["measure"], r["p_text"]) == ("1.85", "fold", "p<0.001")
    assert rows(t, "comparison") == []  # the P is the ratio's
    assert [r["value"] for r in rows(t, "location")] == ["210", "113"]


def test_median_ratio_with_ci_is_a_ratio() -> None:
    r = only("The median cord-to-maternal ratio was 1.7 (95% CI: 1.60-1.81).", "ratio")
    assert (r["value"], r["low"], r["high"]) == ("1.7", "1.60", "1.81")


def test_dose_times_dose_is_not_a_ratio() -> None:
    assert rows("They took 2 × 5 μg on each day.") == []


# --- P values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "p_text"),
    [
        ("Status improved with intake (P-trend = 0.04).", "P-trend = 0.04"),
        ("The groups differed (p = <0.001).", "p = <0.001"),
        ("The groups differed ( p value<.001 ).", "p value<.001"),
        ("Levels fell over time (P ≤ 0.01).", "P ≤ 0.01"),
        ("Levels fell over time (P = 0·004).", "P = 0·004"),
    ],
)
def test_p_only_comparisons(sentence: str, p_text: str) -> None:
    r = only(sentence, "comparison")
    assert r["p_text"] == p_text
    assert sentence[r["start"] : r["end"]] == p_text


def test_lost_p_symbol_needs_review() -> None:
    t = "Infants fed formula had 30% higher values ( < 0.001)."
    r = only(t, "effect")
    assert (r["p_text"], r["needs_review"]) == ("< 0.001", True)


def test_several_p_respectively() -> None:
    t = "Meat and milk were related to status (P = 0.01 and P = 0.03, respectively)."
    found = rows(t, "comparison")
    assert [r["value"] for r in found] == ["0.01", "0.03"]
    assert all(r["needs_review"] for r in found)


# --- sample sizes -----------------------------------------------------------------------------


def test_sample_sizes_printed_and_in_words() -> None:
    t = "We enrolled 212 pregnant women (n = 212); Thirty-one infants and One hundred eighty-three"
    t += " mothers."
    assert [r["value"] for r in rows(t, "sample_size")] == ["212", "212", "31", "183"]


def test_population_that_had_a_condition_counts_a_share() -> None:
    t = "Nine infants had elevated homocysteine. Only 14 women in the second trimester were"
    t += " anaemic."
    found = rows(t)
    assert [(r["statistic"], r["value"], r["count"], r["n"]) for r in found] == [
        ("share", "", "9", ""),
        ("share", "", "14", ""),
    ]
    assert t[found[0]["start"] : found[0]["end"]] == "Nine"


def test_population_without_a_condition_stays_a_sample_size() -> None:
    t = "We describe 5 children who had low B12. Thirty mothers with low intakes were enrolled."
    assert [(r["statistic"], r["value"]) for r in rows(t)] == [
        ("sample_size", "5"),
        ("sample_size", "30"),
    ]


def test_count_at_the_end_of_a_clause_is_a_share_of_the_earlier_sample() -> None:
    t = "We followed 64 children. Seizures were observed in 11. Anaemia was noted in 70."
    found = rows(t, "share")
    assert [(r["value"], r["count"], r["n"], r["needs_review"]) for r in found] == [
        ("", "11", "64", True)
    ]  # 70 of 64 is not a share
    assert t[found[0]["start"] : found[0]["end"]] == "11"
    assert rows("Seizures were observed in 11.", "share") == []  # no sample printed before


def test_group_sizes_printed_without_a_noun() -> None:
    t = "Of these, 52 were vegetarian and 88 were omnivorous."
    found = rows(t, "sample_size")
    assert [r["value"] for r in found] == ["52", "88"]
    assert [t[r["start"] : r["end"]] for r in found] == ["52", "88"]
    assert rows("Of these, 52 were vegetarian.", "sample_size") == []


def test_n_list_respectively() -> None:
    t = "Samples were taken at 2 and 6 mo (n = 150 and 131, respectively)."
    found = rows(t, "sample_size")
    assert [r["value"] for r in found] == ["150", "131"]
    assert all(r["needs_review"] for r in found)


def test_n_with_time_points_inside_brackets() -> None:
    t = "Lactating women (n=30, 6 wk postpartum) were studied."
    assert [r["value"] for r in rows(t, "sample_size")] == ["30"]


def test_lost_n_needs_review() -> None:
    r = only("Infants aged 1-6 months ( = 98) took part.", "sample_size")
    assert (r["value"], r["needs_review"]) == ("98", True)


# --- numbers that belong to names are not statistics ------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Vitamin B-12 and B 12 and B12 were measured.",
        "Cases of H1N1 were excluded.",
        "The trial was registered as NCT01234567.",
        "Mothers had a BMI above 25 kg/m2 at entry.",
        "See Am J Clin Nutr 2012;96(4-5):101-9 for methods.",
        "The study ran from 2003 to 2005.",
        "Each woman took 400 μg of the vitamin daily.",
        "Infants aged 6 to 24 months were eligible.",
        "Groups were allocated 1:1:1 in blocks of 8.",
        "Funded by grant 2011-67001-30101.",
        "P values < 0.05 were considered significant.",
        "The significance level was P < 0.05 throughout.",
        "With 80% power we needed 60 per arm; the intra-assay CV was 4.5%.",
        "Capsules were taken 3 times daily.",
        "The RDA is 2.6 µg/d for pregnancy.",
    ],
)
def test_names_doses_ages_are_not_statistics(sentence: str) -> None:
    assert rows(sentence) == []


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "unit"),
    [
        ("pmol/l", "pmol/L"),
        ("pg/ml", "pg/mL"),
        ("μmol/L", "µmol/L"),
        ("µmol/L", "µmol/L"),
        ("micromol/L", "µmol/L"),
        ("microg/d", "µg/d"),
        ("mcg/day", "µg/d"),
        ("ug/L", "µg/L"),
        ("ng/ml", "ng/mL"),
    ],
)
def test_units_normalised(printed: str, unit: str) -> None:
    assert normalise_unit(printed) == unit


def test_mu_and_micro_sign_give_one_unit() -> None:
    t = "Mean tHcy was 7.1 ± 2.0 μmol/L and MMA 0.2 ± 0.1 µmol/L."
    assert {r["unit"] for r in rows(t, "location")} == {"µmol/L"}


# --- the pieces -------------------------------------------------------------------------------


def test_sentences_keep_decimals_and_abbreviations() -> None:
    t = "Median 3.5 (vs. 2.1) was low, e.g. in May. Next sentence.Results: ok"
    assert [t[a:b] for a, b in sentences(t)] == [
        "Median 3.5 (vs. 2.1) was low, e.g. in May.",
        "Next sentence.",
        "Results: ok",
    ]


def test_normalise_and_mask_keep_length() -> None:
    t = "P = 0·01; 3 μg; B-12; NCT0099; 2019"
    assert len(normalise(t)) == len(t) == len(mask_names(t))
    assert "12" not in mask_names(t) and "0099" not in mask_names(t)


def test_word_numbers() -> None:
    assert word_to_int("Forty-six") == 46
    assert word_to_int("One hundred eighty-three") == 183
    assert number_value(".23") == pytest.approx(0.23)
    assert number_value("13,612") == 13612


def test_thousands_separator_value() -> None:
    r = only("The mean RBC folate was 12,480 nmol/L.", "location")
    assert r["value"] == "12,480"


def test_offsets_are_into_the_input_with_middle_dots() -> None:
    t = "Some 12·5 % were low and the mean was 3·2 ± 0·4 µmol/L."
    for r in rows(t):
        span = t[r["start"] : r["end"]]
        assert span.startswith(r["value"].replace(".", "·"))


def test_empty_text_gives_the_columns() -> None:
    frame = extract_text("No numbers here.")
    assert frame.empty and list(frame.columns) == list(COLUMNS)


# --- files ------------------------------------------------------------------------------------


def test_read_html_main_text(tmp_path) -> None:
    p = tmp_path / "page.html"
    p.write_text(
        "<html><head><title>x</title><script>var r = 0.9;</script></head><body>"
        "<nav>Menu 1 2 3</nav><article><p>Milk and serum were correlated "
        "(r = 0.33, P = 0.01).</p></article><footer>© 2020</footer></body></html>",
        encoding="utf-8",
    )
    text = read_text_file(p)
    assert "var r" not in text and "Menu" not in text
    frame = extract_files([p])
    assert list(frame["value"]) == ["0.33"]
    assert frame["file"].iloc[0] == str(p)


def test_folder_is_its_texts_sorted(tmp_path) -> None:
    (tmp_path / "b.txt").write_text("Then 30% were low.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First r = 0.5 (P = 0.01).", encoding="utf-8")
    (tmp_path / "c.csv").write_text("x\n1\n", encoding="utf-8")
    frame = extract_files([tmp_path])
    assert [f.rsplit("/", 1)[-1] for f in frame["file"]] == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        ("caf\u00e9 r = 0.3".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_files_raise_naming_the_file(tmp_path, content: bytes, message: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(DataValidationError, match=message) as info:
        read_text_file(p)
    assert str(p) in str(info.value)


def test_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(DataValidationError, match="not found"):
        read_text_file(tmp_path / "none.txt")
    with pytest.raises(DataValidationError, match="directory"):
        read_text_file(tmp_path)
    with pytest.raises(DataValidationError, match=r"no \.txt"):
        extract_files([tmp_path])


# --- more ways of printing the same statistics ------------------------------------------------


def test_correlation_in_words() -> None:
    r = only("Spearman's correlation coefficient was 0.32 (p = 0.004).", "correlation")
    assert (r["measure"], r["value"], r["p_text"]) == ("spearman", "0.32", "p = 0.004")


def test_median_with_iqr_word_without_colon() -> None:
    r = only("Median milk B12 was 250 pmol/L (IQR 180-340).", "location")
    assert (r["measure"], r["spread"], r["low"], r["high"]) == ("median", "iqr", "180", "340")


def test_effect_named_before_a_bare_interval() -> None:
    t = "Stunted children had an odds ratio of 2.3 (1.1-4.6) and an HR 0.81 (0.62, 1.05)."
    found = rows(t, "effect")
    assert [(r["measure"], r["value"], r["low"], r["high"]) for r in found] == [
        ("odds_ratio", "2.3", "1.1", "4.6"),
        ("other", "0.81", "0.62", "1.05"),
    ]
    assert rows(t, "location") == []


def test_ci_written_in_words_with_to() -> None:
    r = only("The risk ratio was 1.8; 95% confidence interval [CI] 1.2 to 2.7.", "effect")
    assert (r["measure"], r["value"], r["low"], r["high"]) == ("risk_ratio", "1.8", "1.2", "2.7")


def test_sd_named_in_the_bracket() -> None:
    r = only("Mean serum B12 was 250 pmol/L (SD 80).", "location")
    assert (r["value"], r["low"], r["spread"], r["unit"]) == ("250", "80", "sd", "pmol/L")


def test_single_labelled_age_and_weight() -> None:
    t = "The mean age was 28.4 years and the median birth weight 3120 g."
    found = rows(t, "location")
    assert [(r["measure"], r["value"], r["unit"]) for r in found] == [
        ("mean", "28.4", "years"),
        ("median", "3120", "g"),
    ]


def test_values_from_one_time_to_another() -> None:
    t = "Median B12 fell from 356 to 302 pmol/L (P < 0.001)."
    assert [r["value"] for r in rows(t, "location")] == ["356", "302"]
    assert only(t, "comparison")["p_text"] == "P < 0.001"


def test_share_with_n_after() -> None:
    t = "Deficiency was found in 35 (24.1%) of 145 infants and 47.3% (n = 52) of mothers."
    found = rows(t, "share")
    assert [(r["value"], r["count"], r["n"]) for r in found] == [
        ("24.1", "35", "145"),
        ("47.3", "", "52"),
    ]


def test_p_in_scientific_notation_is_one_p() -> None:
    r = only("The trend was clear (P = 3.2 × 10-5).", "comparison")
    assert r["p_text"] == "P = 3.2 × 10-5"


def test_n_with_thousands_separator() -> None:
    assert [r["value"] for r in rows("A cohort (n = 1,234) was followed.", "sample_size")] == [
        "1,234"
    ]


def test_median_then_iqr_after_a_semicolon() -> None:
    r = only("Levels were low (median: 186 pmol/L; IQR: 110-262 pmol/L).", "location")
    assert (r["value"], r["low"], r["high"], r["spread"]) == ("186", "110", "262", "iqr")


def test_percent_change_with_ci_and_share_with_ci() -> None:
    t = "The supplement increased milk B12 by 23% (95% CI: 12%, 35%)."
    r = only(t, "effect")
    assert (r["measure"], r["value"], r["low"], r["high"]) == (
        "percent_difference",
        "23",
        "12",
        "35",
    )
    r = only("The prevalence was 18% (95% CI: 14%, 22%).", "share")
    assert (r["value"], r["low"], r["high"], r["spread"]) == ("18", "14", "22", "ci")


def test_a_dose_after_a_median_sentence_is_not_a_location() -> None:
    t = "The median B12 was 300 pmol/L. Supplementation with 250 µg/d raised it."
    assert [r["value"] for r in rows(t, "location")] == ["300"]


def test_mean_difference_is_an_effect() -> None:
    t = "Breastfed infants had lower B12 (mean difference −58 pg/mL; 95% CI −84, −32; P < 0.001)."
    r = only(t, "effect")
    assert (r["measure"], r["value"], r["low"], r["high"], r["p_text"]) == (
        "difference",
        "-58",
        "-84",
        "-32",
        "P < 0.001",
    )
    assert rows(t, "location") == [] and rows(t, "comparison") == []


def test_count_with_its_noun_before_the_percent() -> None:
    t = "Among 420 infants, 46 infants (11.0%) were deficient."
    r = only(t, "share")
    assert (r["value"], r["count"], r["n"]) == ("11.0", "46", "420")
    assert [x["value"] for x in rows(t, "sample_size")] == ["420"]


# --- the command line ---------------------------------------------------------------------------

ABSTRACT = (
    "We studied 120 mother-infant pairs. The median (Q1, Q3) milk B12 was 310 pmol/L "
    "(220, 405 pmol/L) and 41% of mothers had serum B12 <148 pmol/L. Milk and infant serum "
    "B12 were correlated (r = 0.29, P = 0.002).\n"
)


def cli(*argv: str) -> int:
    from b12stats.cli import main

    return main(list(argv))


@pytest.fixture
def abstract(tmp_path):
    p = tmp_path / "abstract.txt"
    p.write_text(ABSTRACT, encoding="utf-8")
    return p


def test_cli_table_and_csv(abstract, capsys) -> None:
    assert cli("extract", str(abstract)) == 0
    out = capsys.readouterr().out
    assert "correlation" in out and "0.29" in out and "<148 pmol/L" in out
    assert cli("extract", str(abstract), "--format", "csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert len(lines) == 1 + len(extract_text(ABSTRACT))


def test_cli_out_writes_every_column(abstract, tmp_path, capsys) -> None:
    import pandas as pd

    out = tmp_path / "rows.csv"
    assert cli("extract", str(abstract), "--out", str(out)) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    assert set(frame["statistic"]) >= {"sample_size", "location", "share", "correlation"}
    assert f"wrote {out}" in capsys.readouterr().out


def test_cli_out_never_overwrites_an_input(abstract, capsys) -> None:
    assert cli("extract", str(abstract), "--out", str(abstract)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert abstract.read_text(encoding="utf-8") == ABSTRACT


@pytest.mark.parametrize(
    ("content", "word"),
    [(b"", "empty"), (b"\x00\xff\x00", "binary"), (b"\xe9t\xe9 r = 0.3", "UTF-8")],
)
def test_cli_bad_input_is_one_error_line(tmp_path, capsys, content: bytes, word: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    assert cli("extract", str(p)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and word in err[0] and str(p) in err[0]


def test_cli_folder_without_texts(tmp_path, capsys) -> None:
    assert cli("extract", str(tmp_path)) == 2
    assert "no .txt" in capsys.readouterr().err


def test_cli_to_data_writes_validated_drafts(abstract, tmp_path, capsys) -> None:
    import pandas as pd

    from b12stats import data

    pkg = tmp_path / "pkg"
    argv = ("extract", str(abstract), "--to-data", str(pkg), "--source-id", "me2026")
    assert cli(*argv, "--kind", "primary") == 0
    out = capsys.readouterr().out
    assert f"wrote {pkg / 'correlations.csv'} (1 rows)" in out
    sources = pkg / "sources.csv"
    src = pd.read_csv(sources, dtype=str, keep_default_na=False)
    assert list(src["verified"]) == ["false"]
    corr = data.load_table(pkg / "correlations.csv", table="correlations", sources=sources)
    assert (corr["var_x"].iloc[0], corr["var_y"].iloc[0]) == ("milk", "infant_blood")
    assert corr["r"].iloc[0] == pytest.approx(0.29)
    assert corr["location"].iloc[0].startswith("draft")
    conc = data.load_table(pkg / "concentrations.csv", table="concentrations", sources=sources)
    assert list(conc[["value", "q1", "q3"]].iloc[0]) == [310, 220, 405]
    prev = data.load_table(pkg / "prevalences.csv", table="prevalences", sources=sources)
    assert (prev["percent"].iloc[0], prev["relation"].iloc[0], prev["cutoff"].iloc[0]) == (
        41,
        "<",
        148,
    )
    # a second run appends new rows with new ids and keeps the source row once
    assert cli(*argv, "--kind", "primary") == 0
    capsys.readouterr()
    again = pd.read_csv(pkg / "correlations.csv", dtype=str)
    assert len(again) == 2 and again["row_id"].is_unique
    assert len(pd.read_csv(sources, dtype=str)) == 1


def test_cli_to_data_all_or_none(abstract, tmp_path, capsys) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "effects.csv").write_text("not,the,header\n", encoding="utf-8")
    argv = ("extract", str(abstract), "--to-data", str(pkg), "--source-id", "me2026")
    assert cli(*argv, "--kind", "primary") == 2
    assert "header" in capsys.readouterr().err
    assert sorted(p.name for p in pkg.iterdir()) == ["effects.csv"]


def test_cli_to_data_options(abstract, tmp_path, capsys) -> None:
    from b12stats import data

    pkg = str(tmp_path / "pkg")
    assert cli("extract", str(abstract), "--to-data", pkg) == 2
    assert "--source-id" in capsys.readouterr().err
    assert cli("extract", str(abstract), "--source-id", "x") == 2
    assert "--to-data" in capsys.readouterr().err
    bundled = str(data.load_sources()["source_id"].iloc[0])
    argv = ("extract", str(abstract), "--to-data", pkg, "--source-id", bundled)
    assert cli(*argv, "--kind", "primary") == 2
    assert "bundled source" in capsys.readouterr().err
    argv = ("extract", str(abstract), "--to-data", str(data.data_dir()), "--source-id", "me2026")
    assert cli(*argv, "--kind", "primary") == 2
    assert "bundled data" in capsys.readouterr().err

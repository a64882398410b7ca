"""The bundled tables load, validate and round-trip; every validation rule fires on a bad file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12stats import data
from b12stats.cli import main
from b12stats.errors import DataValidationError, OptionError

BUNDLED = data.data_dir()


def _rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(BUNDLED / f"{name}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _bad_copy(tmp_path: Path, name: str, row: int, **changes: str) -> Path:
    """A copy of bundled table `name` with data row `row` (0-based) changed."""
    header, rows = _rows(name)
    rows[row].update(changes)
    return _write(tmp_path / f"{name}.csv", header, rows)


@pytest.mark.parametrize("name", data.table_names())
def test_bundled_table_loads_with_schema_columns(name: str) -> None:
    frame = data.load_table(name)
    schema = data.table_schema(name)
    assert len(frame) > 0
    assert [c for c in frame.columns if c in schema.columns] == schema.columns
    for key in schema.primary_key:
        assert frame[key].is_unique


@pytest.mark.parametrize("name", data.table_names())
def test_every_table_round_trips_through_its_schema(tmp_path: Path, name: str) -> None:
    original = data.load_table(name)
    schema = data.table_schema(name)
    path = tmp_path / f"{name}.csv"
    original[schema.columns].to_csv(path, index=False)
    again = data.load_table(path)
    keep = [c for c in original.columns if not c.endswith("_decimals")]
    pd.testing.assert_frame_equal(again[keep], original[keep])


def test_every_non_source_row_has_a_known_source_kind() -> None:
    for name in data.table_names():
        if name == "sources":
            continue
        kinds = data.load_table(name)["source_kind"]
        assert kinds.isin(data.SOURCE_KINDS).all(), name


def test_summary_page_and_primary_abstract_are_two_sources() -> None:
    sources = data.load_sources().set_index("source_id")
    assert sources.loc["summary_chebaya2017", "kind"] == "secondary"
    assert sources.loc["summary_chebaya2017", "cites_source_id"] == "chebaya2017"
    assert sources.loc["chebaya2017", "kind"] == "primary"


def test_derived_columns_come_from_the_printed_text() -> None:
    corr = data.load_correlations().set_index("row_id")
    assert corr.loc["sum_cam_mat_inf", "r_decimals"] == 2  # printed "0.20", not "0.2"
    assert corr.loc["mi17_mat_inf", "r_decimals"] == 2  # printed ".23"
    assert corr.loc["w18_milk_inf", "p_relation"] == "<"
    np.testing.assert_allclose(corr.loc["w18_milk_inf", "p_value"], 0.001)
    effects = data.load_effects().set_index("row_id")
    assert effects.loc["wa24_postnatal_7m", "ci_low_decimals"] == 2  # "1.91"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P < 0.001", ("<", 0.001)),
        ("p=0.27", ("=", 0.27)),
        ("P-trend = 0.03", ("=", 0.03)),
        ("P ≤ 0.05", ("<=", 0.05)),
        ("p < 0.0005", ("<", 0.0005)),
    ],
)
def test_parse_p_text(text: str, expected: tuple[str, float]) -> None:
    assert data.parse_p_text(text) == expected


@pytest.mark.parametrize("text", ["0.03", "P = 1.2", "P = abc", "r = 0.3"])
def test_parse_p_text_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        data.parse_p_text(text)


# --- one bad file per validation rule ---------------------------------------------------------
# (table, row, changes, column named in the error, words in the error)
BAD_CELLS = [
    ("concentrations", 0, {"value": "-5"}, "value", "below the minimum"),
    ("concentrations", 0, {"q1": "300"}, "q1", "greater than value"),
    ("concentrations", 0, {"q3": "250"}, "value", "greater than q3"),
    ("concentrations", 3, {"ci_low": "700"}, "ci_low", "greater than value"),
    ("concentrations", 0, {"value": "abc"}, "value", "expected a number"),
    ("concentrations", 0, {"value": "inf"}, "value", "finite"),
    ("concentrations", 0, {"unit": "mg/dL"}, "unit", "not allowed"),
    ("concentrations", 0, {"q3": ""}, "q3", "together"),
    ("concentrations", 1, {"n": "0"}, "n", "below the minimum"),
    ("concentrations", 1, {"n": "2.5"}, "n", "whole number"),
    ("concentrations", 0, {"source_id": "nobody2020"}, "source_id", "unknown source id"),
    ("concentrations", 1, {"row_id": "w18_infant"}, "row_id", "duplicate key"),
    ("concentrations", 0, {"text": ""}, "text", "required"),
    ("correlations", 0, {"r": "1.3"}, "r", "above the maximum"),
    ("correlations", 0, {"r": "-1.01"}, "r", "below the minimum"),
    ("correlations", 0, {"p_text": "P = 1.5"}, "p_text", "[0, 1]"),
    ("correlations", 0, {"p_text": "significant"}, "p_text", "printed P value"),
    ("correlations", 0, {"adjusted": "maybe"}, "adjusted", "true or false"),
    ("correlations", 0, {"var_y": "milk"}, "var_y", "two different"),
    ("prevalences", 1, {"percent": "120"}, "percent", "above the maximum"),
    ("prevalences", 0, {"fraction": "4/3"}, "fraction", "fraction"),
    ("prevalences", 1, {"percent": ""}, "percent", "one of percent, fraction"),
    ("effects", 0, {"ci_high": "30"}, "estimate", "greater than ci_high"),
    ("comparisons", 0, {"numerator_id": "nope"}, "numerator_id", "unknown concentrations key"),
    ("sources", 0, {"kind": "blog"}, "kind", "not allowed"),
    ("sources", 3, {"cites_source_id": "ghost"}, "cites_source_id", "unknown sources key"),
]


@pytest.mark.parametrize(("name", "row", "changes", "column", "words"), BAD_CELLS)
def test_bad_cell_names_file_line_and_column(
    tmp_path: Path, name: str, row: int, changes: dict[str, str], column: str, words: str
) -> None:
    path = _bad_copy(tmp_path, name, row, **changes)
    with pytest.raises(DataValidationError) as info:
        data.load_table(path)
    err = info.value
    assert err.file == str(path)
    assert err.column == column
    assert err.line == row + 2  # header is line 1
    assert words in str(err)


def test_a_unique_field_names_the_line_it_repeats(tmp_path: Path) -> None:
    """Frictionless's ``unique`` (claim_judgements.claim_row_id: one judgement per claim)."""
    assert data.table_schema("claim_judgements").field("claim_row_id")["constraints"]["unique"]
    header, rows = _rows("claim_judgements")
    rows.append({**rows[0], "row_id": rows[0]["row_id"] + "_again"})  # the key stays unique
    line = len(rows) + 1  # the header is line 1
    path = _write(tmp_path / "claim_judgements.csv", header, rows)
    with pytest.raises(DataValidationError) as info:
        data.load_table(path)
    err = info.value
    assert (err.file, err.line, err.column) == (str(path), line, "claim_row_id")
    assert f"repeated value {rows[0]['claim_row_id']!r}, first on line 2" in str(err)
    assert "\n" not in str(err)


def test_a_repeated_key_names_the_line_it_first_appeared_on(tmp_path: Path) -> None:
    header, rows = _rows("correlations")
    rows[3]["row_id"] = rows[1]["row_id"]
    path = _write(tmp_path / "correlations.csv", header, rows)
    with pytest.raises(DataValidationError, match="first on line 3") as info:
        data.load_table(path)
    assert (info.value.line, info.value.column) == (5, "row_id")


def test_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    header, rows = _rows("correlations")
    rows[0]["text"] = "first line\nsecond line"
    rows[2]["r"] = "7"
    path = _write(tmp_path / "correlations.csv", header, rows)
    with pytest.raises(DataValidationError) as info:
        data.load_table(path)
    assert info.value.line == 5  # header 1, row0 spans 2-3, row1 4, row2 5


def test_missing_and_extra_columns(tmp_path: Path) -> None:
    header, rows = _rows("correlations")
    path = _write(tmp_path / "correlations.csv", [c for c in header if c != "r"], rows)
    with pytest.raises(DataValidationError, match=r"line 1, column r: missing column"):
        data.load_table(path)
    path = _write(tmp_path / "correlations.csv", [*header, "extra"], rows)
    with pytest.raises(DataValidationError, match=r"column extra: unexpected column"):
        data.load_table(path)


def test_empty_header_only_and_non_utf8_files(tmp_path: Path) -> None:
    empty = tmp_path / "effects.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="empty"):
        data.load_table(empty)
    header, _ = _rows("effects")
    only = _write(tmp_path / "effects.csv", header, [])
    with pytest.raises(DataValidationError, match="no data rows"):
        data.load_table(only)
    _, rows = _rows("effects")
    good = _write(tmp_path / "effects.csv", header, rows).read_bytes()
    lines = good.split(b"\n")
    lines[2] = lines[2].replace(b"Abstract", b"Abstr\xe9ct")
    (tmp_path / "effects.csv").write_bytes(b"\n".join(lines))
    with pytest.raises(DataValidationError, match=r"line 3: bytes that are not UTF-8"):
        data.load_table(tmp_path / "effects.csv")


def test_malformed_csv(tmp_path: Path) -> None:
    header, rows = _rows("effects")
    text = _write(tmp_path / "effects.csv", header, rows).read_text(encoding="utf-8")
    (tmp_path / "effects.csv").write_text(text + 'a,"unterminated\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"effects\.csv"):
        data.load_table(tmp_path / "effects.csv")


@pytest.mark.parametrize("change", ["drop_last", "add_one"])
def test_row_shorter_or_longer_than_header_names_its_line(tmp_path: Path, change: str) -> None:
    header, _ = _rows("effects")
    with open(BUNDLED / "effects.csv", encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    # data row 1 (line 3): one value fewer, or one more, than the header has columns
    table[2] = table[2][:-1] if change == "drop_last" else [*table[2], "x"]
    with open(tmp_path / "effects.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(table)
    with pytest.raises(DataValidationError) as info:
        data.load_table(tmp_path / "effects.csv")
    got = len(header) - 1 if change == "drop_last" else len(header) + 1
    assert info.value.file == str(tmp_path / "effects.csv")
    assert info.value.line == 3
    assert f"has {got} values but the header has {len(header)} columns" in str(info.value)


def test_row_appended_in_schema_order_under_an_exported_header(tmp_path: Path) -> None:
    # an export carries the derived columns; a row typed in the schema's order lacks them
    exported = tmp_path / "correlations.csv"
    data.as_printed(data.load_table("correlations"), "correlations").to_csv(exported, index=False)
    n_lines = len(exported.read_text(encoding="utf-8").splitlines())
    header, rows = _rows("correlations")
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=header, lineterminator="\n").writerow(rows[0])
    with open(exported, "a", encoding="utf-8") as fh:
        fh.write(buf.getvalue().replace(rows[0]["row_id"], "my_new_row", 1))
    with pytest.raises(DataValidationError) as info:
        data.load_table(exported)
    assert info.value.line == n_lines + 1
    assert "as many values as the table's own columns" in str(info.value)
    assert "source_kind" in str(info.value)


def test_line_of_commas_is_a_row_of_empty_cells(tmp_path: Path) -> None:
    header, rows = _rows("effects")
    text = _write(tmp_path / "effects.csv", header, rows).read_text(encoding="utf-8")
    lines = text.split("\n")
    lines.insert(2, "," * (len(header) - 1))
    (tmp_path / "effects.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        data.load_table(tmp_path / "effects.csv")
    assert (info.value.line, info.value.column) == (3, header[0])
    assert "required" in str(info.value)


def test_user_file_may_use_its_own_sources(tmp_path: Path) -> None:
    sh, srows = _rows("sources")
    mine = dict(srows[0], source_id="mystudy2026", kind="primary")
    sources = _write(tmp_path / "sources.csv", sh, [mine])
    header, rows = _rows("correlations")
    new = dict(rows[0], row_id="my_r", source_id="mystudy2026")
    path = _write(tmp_path / "correlations.csv", header, [new])
    with pytest.raises(DataValidationError, match="unknown source id 'mystudy2026'"):
        data.load_table(path)
    frame = data.load_table(path, sources=sources)
    assert frame.loc[0, "source_kind"] == "primary"


def test_unknown_table_and_unnamed_file() -> None:
    with pytest.raises(OptionError, match="unknown table 'nosuch'"):
        data.load_table("nosuch")
    with pytest.raises(OptionError, match="unknown table"):
        data.table_schema("nosuch")


def test_loads_are_independent_copies() -> None:
    a = data.load_correlations()
    a.loc[0, "r"] = 0.99
    assert data.load_correlations().loc[0, "r"] != 0.99


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_lists_tables_with_row_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    for name in data.table_names():
        assert name in out
    n = len(data.load_correlations())
    assert any(line.split()[:2] == ["correlations", str(n)] for line in out.splitlines())


def test_cli_prints_a_table_as_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "effects", "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(frame["row_id"]) == list(data.load_effects()["row_id"])


def test_cli_bad_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bad_copy(tmp_path, "correlations", 0, r="1.3")
    assert main(["data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: ") and "line 2, column r" in err
    assert "Traceback" not in err


def test_cli_unknown_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["data", "--format", "xml"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


# --- the text column is the text as printed ------------------------------------------------------
# Stored copies of the sources, word for word (whitespace aside): the abstract of Chebaya 2017
# (UBC cIRcle item 1.0379379 and paperexplained.cn print the same text), of Wang 2024 (PubMed
# copy, methods and results) and of Lweno 2020 (MDPI copy), and the passages of the lay article
# (seed 001) that its rows quote. Every row of these sources must quote them.
PRINTED = {
    "chebaya2017": (
        "Vitamin B12 plays an essential role in fetal and infant development. In regions where "
        "animal source food consumption is low and perinatal supplementation is uncommon, infants "
        "are at risk of vitamin B12 deficiency. In this secondary analysis, we measured total "
        "vitamin B12 concentrations in maternal and infant serum/plasma and breast milk among two "
        "samples of mother–infant dyads in Canada (assessed at 8 weeks post-partum) and in "
        "Cambodia (assessed between 3–27 weeks post-partum). Canadian mothers (n = 124) consumed "
        "a daily vitamin B12-containing multiple micronutrient supplement throughout pregnancy "
        "and lactation; Cambodian mothers (n = 69) were unsupplemented. The maternal, milk, and "
        "infant total vitamin B12 concentrations (as geometric means (95% CI) in pmol/L) were as "
        "follows: in Canada, 698 (648,747), 452 (400, 504), and 506 (459, 552); in Cambodia, 620 "
        "(552, 687), 317 (256, 378), and 357 (312, 402). The majority of participants were "
        "vitamin B12 sufficient (serum/plasma total B12 > 221 pmol/L): 99% and 97% of mothers and "
        "94% and 84% of infants in Canada and Cambodia, respectively. Among the Canadians, "
        "maternal, milk, and infant vitamin B12 were all correlated (p < 0.05); only maternal and "
        "infant vitamin B12 were correlated among the Cambodians (p < 0.001)."
    ),
    "wang2024": (
        "Methods: Pregnant women were enrolled in Dar es Salaam, Tanzania, between 2001 and 2004. "
        "From recruitment (12-27 weeks of gestation) through 6 wk postpartum, participants were "
        "randomly assigned to daily oral multiple micronutrient supplementation or placebo. From "
        "6 wk to 18 mo postpartum, a subset of participants was randomly assigned to a postnatal "
        "supplement or placebo. The supplement included 50 μg/d of vitamin B-12 and various other "
        "vitamins. HM vitamin B-12 concentrations were analyzed at 6 wk and 7 mo postpartum for "
        "412 participants. Results: The prevalence of HM vitamin B-12 of <310 pmol/L was 73.3% "
        "and 68.4% at 6 wk and 7 mo postpartum, respectively. Prenatal supplementation increased "
        "HM vitamin B-12 concentration (percent difference: 34.4; 95% CI: 17.0, 54.5; P < 0.001) "
        "at 6 wk; this effect was not present at 7 mo. Postnatal supplementation increased HM "
        "vitamin B-12 concentration (percent difference: 15.9; 95% CI: 1.91, 31.9; P = 0.025) at "
        "7 mo. Effect modification between prenatal and postnatal supplementation on HM vitamin "
        "B-12 status at 7 mo was found, with the effects of prenatal and postnatal supplements "
        "more pronounced among those receiving control during the other period"
    ),
    "lweno2020": (
        "Breast milk samples were collected at or around six weeks postpartum from 491 "
        "participants in a trial of multivitamins (NCT00197548). Linear and logistic regression "
        "models were used to examine the effect of supplements on vitamin B12 concentration in "
        "milk and its associations with other variables including potential confounders. Median "
        "vitamin B12 concentration in breast milk was 206 pmol/L and 70% of women had levels "
        "indicating inadequacy (<310 pmol/L). Multivitamin supplements did not significantly "
        "reduce the odds of inadequate vitamin B12 in breast milk, suggesting suboptimal "
        "absorption."
    ),
    "lay_wang2024": (
        "The plateau Effect: Interestingly,combining prenatal and postnatal supplementation "
        "didn’t yield additive benefits. The researchers observed a “plateau effect,” suggesting "
        "that either prenatal or postnatal supplementation can effectively correct maternal B12 "
        "deficiency. Postnatal B12: High-dose supplements taken during lactation result in more "
        "sustained benefits, maintaining adequate B12 levels in breast milk for a longer period. "
        "A 2023 report by the National Institutes of Health (NIH) highlights that approximately "
        "1.4% of adults aged 20 and over in the US are deficient in B12, with rates climbing "
        "higher in older adults and specific ethnic groups. Prenatal vitamins: Choose a "
        "high-quality prenatal vitamin that includes a sufficient dose of B12 (at least 2.6 mcg, "
        "but higher doses might potentially be recommended based on individual needs)."
    ),
}


def _squash(text: str) -> str:
    return " ".join(str(text).split())


@pytest.mark.parametrize("source_id", sorted(PRINTED))
def test_text_is_quoted_from_the_stored_copy(source_id: str) -> None:
    copy = _squash(PRINTED[source_id])
    seen = 0
    for name in data.table_names():
        if name == "sources":
            continue
        frame = data.load_table(name)
        for row_id, text in frame.loc[frame["source_id"] == source_id, ["row_id", "text"]].values:
            seen += 1
            assert _squash(text) in copy, f"{name}:{row_id}: {text!r} is not in the stored copy"
    assert seen > 0


def test_wang_design_is_recorded() -> None:
    # literature.md section 5: enrolled 2001-2004; prenatal 12-27 wk gestation to 6 wk
    # postpartum; postnatal 6 wk to 18 mo in a re-randomised subset
    coh = data.load_cohorts().set_index("row_id")
    assert coh.loc["wa24_enrolled", "value_text"] == "2001-2004"
    assert "12-27 weeks of gestation" in coh.loc["wa24_prenatal_period", "value_text"]
    assert "18 months" in coh.loc["wa24_postnatal_period", "value_text"]
    effects = data.load_effects().set_index("row_id")
    assert effects.loc["wa24_postnatal_7m", "n"] == effects.loc["wa24_prenatal_6w", "n"] == 412


#: IOM (1998) DRI report, NAP OpenBook copy, pages 323 and 341, word for word.
IOM_PRINTED = (
    "In samples collected from nine well-nourished Brazilian mothers who were not taking "
    "supplements and whose infants were receiving human milk exclusively, the average "
    "concentration of the vitamin was 0.42 µg/L at 2 months; this decreased to an average of "
    "0.34 µg/L at 3 months (Trugo and Sardinha, 1994). [...] Using the average human milk volume "
    "of 0.78 L/day during the first 6 months and the higher average B12 content of 0.42 µg/L, "
    "the AI for B12 for [...] RDA for Pregnancy 14–18 years 2.6 µg/day of vitamin B12 19–30 "
    "years 2.6 µg/day of vitamin B12 31–50 years 2.6 µg/day of vitamin B12"
)


@pytest.mark.parametrize(
    "row_id", ["iom_milk_ai_basis", "iom_milk_ai_n", "iom_milk_volume", "iom_rda_pregnancy"]
)
def test_iom_rows_quote_the_report(row_id: str) -> None:
    ref = data.load_reference_values().set_index("row_id")
    assert _squash(ref.loc[row_id, "text"]) in _squash(IOM_PRINTED)


def test_sources_not_read_in_a_copy_are_not_marked_verified() -> None:
    src = data.load_sources().set_index("source_id")
    assert not src.loc["pubchem_cyanocobalamin", "verified"]  # CID and page never seen
    assert not src.loc["cutoff_convention", "verified"]


#: numbers printed in words in the quoted text
_IN_WORDS = {
    ("prevalences", "mi17_mat_def"): "Forty-six",
    ("reference_values", "iom_milk_ai_n"): "nine",
}

#: printed numbers each table holds (n columns excepted: an n is often printed elsewhere)
_NUMBER_COLUMNS = {
    "concentrations": ["value", "q1", "q3", "ci_low", "ci_high"],
    "prevalences": ["percent", "cutoff"],
    "correlations": ["r"],
    "effects": ["estimate", "ci_low", "ci_high"],
    "reference_values": ["value"],
    "comparisons": ["ratio"],
}


@pytest.mark.parametrize("name", sorted(_NUMBER_COLUMNS))
def test_every_number_is_in_its_quoted_text(name: str) -> None:
    # the text column quotes the sentence the number was read in, so the number as printed
    # (with its printed decimals; ".23" for 0.23) must appear in it: catches typos and swaps
    frame = data.load_table(name)
    for _, row in frame.iterrows():
        text = _squash(row["text"])
        for col in _NUMBER_COLUMNS[name]:
            if pd.isna(row[col]):
                continue
            dec = row.get(f"{col}_decimals")
            printed = (
                f"{row[col]:.{int(dec)}f}"
                if dec is not None and pd.notna(dec)
                else f"{row[col]:g}"
            )
            words = _IN_WORDS.get((name, row["row_id"]))
            found = printed in text or printed.replace("0.", ".", 1) in text
            assert found or (words is not None and words in text), (
                f"{name}:{row['row_id']}:{col} = {printed} is not in its text {text!r}"
            )


def test_deegan_regression_r_is_adjusted_but_its_kind_unstated() -> None:
    # "In a multiple regression analysis, breast milk vitamin B-12 concentration was associated
    # (P < 0.05) with both maternal vitamin B-12 intake (r = 0.26) and maternal serum vitamin
    # B-12 (r = 0.30)": adjusted, but the abstract does not say partial, Pearson or Spearman
    corr = data.load_correlations().set_index("row_id")
    for row_id in ("dg12_milk_mat", "dg12_milk_intake"):
        assert corr.loc[row_id, "coefficient"] == "unspecified"
        assert corr.loc[row_id, "adjusted"]
    # "Controlling for the number of breastfeeds per day and ...": a partial correlation
    assert corr.loc["dg12_mat_inf", "coefficient"] == "partial"


def test_user_sources_may_repeat_bundled_ones(tmp_path: Path) -> None:
    # A user's sources file that copies the bundled sources and adds one.
    sh, srows = _rows("sources")
    mine = dict(srows[0], source_id="mystudy2026", kind="primary")
    sources = _write(tmp_path / "sources.csv", sh, [*srows, mine])
    header, rows = _rows("correlations")
    path = _write(
        tmp_path / "correlations.csv",
        header,
        [dict(rows[0], row_id="my_r", source_id="mystudy2026"), rows[7]],
    )
    frame = data.load_table(path, sources=sources)
    assert list(frame["source_kind"]) == ["primary", "secondary"]


@pytest.mark.parametrize("name", data.table_names())
def test_cli_csv_output_loads_back_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    # `b12stats data TABLE --format csv` writes derived columns and printed precision;
    # loading that file must give the same frame, decimals included (r = 0.20 stays 0.20).
    assert main(["data", name, "--format", "csv"]) == 0
    path = tmp_path / f"{name}.csv"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    pd.testing.assert_frame_equal(data.load_table(path), data.load_table(name))


def test_derived_columns_in_a_user_file_are_recomputed(tmp_path: Path) -> None:
    header, rows = _rows("correlations")
    row = dict(rows[0], p_value="0.9", p_relation="=", source_kind="lay", r_decimals="7")
    path = _write(
        tmp_path / "correlations.csv",
        [*header, "p_value", "p_relation", "source_kind", "r_decimals"],
        [row],
    )
    frame = data.load_table(path)
    assert frame.loc[0, "p_value"] == 0.001 and frame.loc[0, "p_relation"] == "<"
    assert frame.loc[0, "source_kind"] == "primary" and frame.loc[0, "r_decimals"] == 2

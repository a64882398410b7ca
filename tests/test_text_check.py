"""b12stats check: audits of extracted statistics, their pages and the command.

Every sentence here is written for these tests (no corpus text). Rows are built by
hand with the columns of ``b12stats extract``, so the checks are tested apart from
the extractor; the command tests at the end run the real extractor when it exists.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import pandas as pd
import pytest
from scipy import stats as sps

from b12stats.audit import COLUMNS, VERDICTS
from b12stats.text.check import audit_rows, check_extracted, row_verdicts
from b12stats.text.check_base import (
    B12_PLAUSIBLE_HIGH_PMOL_L,
    B12_PLAUSIBLE_LOW_PMOL_L,
    EXTRACT_COLUMNS,
    to_pmol,
)
from b12stats.text.check_worded import daily_dose, supplementation_stance
from b12stats.textpage import marks_for, render_summary_page, render_text_page

CHROMIUM_TIMEOUT_S = 90


def row(sentence: str, span: str | None = None, **cells: object) -> dict[str, object]:
    """One extraction row; ``span`` (default: the value) is located in ``sentence``."""
    out: dict[str, object] = dict.fromkeys(EXTRACT_COLUMNS)
    out.update(file="t.txt", text=sentence, needs_review=False)
    out.update(cells)
    what = span if span is not None else str(cells.get("value", ""))
    at = sentence.find(what)
    out["start"], out["end"] = (at, at + len(what)) if at >= 0 and what else (-1, -1)
    return out


def p_only(sentence: str, p_text: str, value: str | None = None) -> dict[str, object]:
    """A P-only comparison row (``value``: default the number after the operator)."""
    v = p_text.split()[-1] if value is None else value
    return row(sentence, p_text, statistic="comparison", measure="p_only", value=v, p_text=p_text)


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(EXTRACT_COLUMNS))


def checks_of(*rows: dict[str, object], **kw: object) -> pd.DataFrame:
    out = check_extracted(frame(*rows), **kw)  # type: ignore[arg-type]
    assert list(out.columns) == list(COLUMNS)
    assert set(out["verdict"]) <= set(VERDICTS)
    return out


def only(out: pd.DataFrame, category: str) -> pd.Series:
    sel = out[out["category"] == category]
    assert len(sel) == 1, out[["check_id", "category", "verdict"]]
    return sel.iloc[0]


# --- r, P and n ---------------------------------------------------------------------------------

S_R = "In the first group, r = 0.20 (P = 0.27, n = 67)."


def test_r_p_n_far_apart_is_inconsistent_with_the_n_that_p_needs():
    out = checks_of(row(S_R, statistic="correlation", measure="pearson", value="0.20",
                        p_text="P = 0.27", n="67"))  # fmt: skip
    c = only(out, "r_p_n")
    assert c["verdict"] == "inconsistent"
    # t = r sqrt(n-2) / sqrt(1-r^2), two-sided: the closed form
    t = 0.20 * math.sqrt(65) / math.sqrt(1 - 0.04)
    assert c["value"] == pytest.approx(2 * sps.t.sf(t, 65), rel=1e-9)
    # P = 0.27 needs t with n - 2 df near the 0.865 quantile: n in [31, 34] (scan by hand)
    ok = [n for n in range(3, 200) if any(
        0.265 <= 2 * sps.t.sf(r * math.sqrt(n - 2) / math.sqrt(1 - r * r), n - 2) <= 0.275
        for r in (0.195, 0.20, 0.205))]  # fmt: skip
    assert f"needs n in [{ok[0]}, " in c["detail"]
    assert "n printed with the correlation" in c["detail"]


def test_r_p_n_that_fits_is_reproduced():
    out = checks_of(row("We found r = 0.36, P < 0.001 in 100 women.", statistic="correlation",
                        value="0.36", p_text="P < 0.001", n="100"))  # fmt: skip
    assert only(out, "r_p_n")["verdict"] == "reproduced"


def test_r_without_n_uses_the_studys_n_and_says_so():
    s0 = "We enrolled 40 mothers and their infants."
    s1 = "Maternal and infant B12 were correlated (r = 0.51, p = 0.003)."
    out = checks_of(
        row(s0, statistic="sample_size", measure="n", value="40"),
        row(s1, statistic="correlation", value="0.51", p_text="p = 0.003"),
    )
    c = (
        only(out, "r_p_without_n")
        if "r_p_without_n" in set(out["category"])
        else out[out["check_id"].str.endswith(":n_needed")].iloc[0]
    )
    assert c["verdict"] == "consistent"
    assert "study's" in c["detail"] and "40" in c["detail"]
    assert c["row_ids"] == "t.txt#1;t.txt#0"


def test_r_without_n_needing_more_than_the_study_has_is_inconsistent():
    s0 = "We enrolled 20 mothers."
    s1 = "Maternal B12 and infant B12 were correlated (r = 0.10, P = 0.04)."
    out = checks_of(
        row(s0, statistic="sample_size", value="20"),
        row(s1, statistic="correlation", value="0.10", p_text="P = 0.04"),
    )
    assert out[out["check_id"] == "t.txt#1:n_needed"]["verdict"].item() == "inconsistent"


def test_r_without_any_n_is_unverifiable():
    out = checks_of(
        row(
            "Intake and B12 were related (r = 0.30, P = 0.01).",
            statistic="correlation",
            value="0.30",
            p_text="P = 0.01",
        )
    )
    c = out.iloc[0]
    assert c["verdict"] == "unverifiable" and "prints no sample size" in c["detail"]


# --- order, units, spread, plausibility ---------------------------------------------------------


def test_quartiles_out_of_order_are_inconsistent_in_order_consistent():
    bad = "Serum B12 was 310 (IQR 350, 290) pmol/L."
    good = "Serum B12 was 310 (IQR 250, 390) pmol/L."
    out = checks_of(
        row(bad, "310 (IQR 350, 290)", statistic="location", measure="median", value="310",
            low="350", high="290", spread="quartiles", unit="pmol/L"),
        row(good, "310 (IQR 250, 390)", statistic="location", measure="median", value="310",
            low="250", high="390", spread="quartiles", unit="pmol/L"),
    )  # fmt: skip
    order = out[out["category"] == "order"]["verdict"].tolist()
    assert order == ["inconsistent", "consistent"]


def test_one_statistic_in_two_units_is_inconsistent():
    s = "Median serum B12 was 310 pmol/L (IQR 250 pg/mL to 390 pmol/L)."
    out = checks_of(row(s, "310 pmol/L (IQR 250 pg/mL to 390 pmol/L", statistic="location",
                        measure="median", value="310", low="250", high="390",
                        spread="quartiles", unit="pmol/L"))  # fmt: skip
    c = only(out, "units")
    assert c["verdict"] == "inconsistent" and "pg/ml" in c["detail"]


def test_mean_sd_with_positive_sd_is_consistent():
    out = checks_of(
        row(
            "Mean B12 was 260 ± 80 pmol/L.",
            "260 ± 80",
            statistic="location",
            measure="mean",
            value="260",
            low="80",
            spread="sd",
            unit="pmol/L",
        )
    )
    assert only(out, "spread")["verdict"] == "consistent"


def test_implausible_b12_unit_is_inconsistent_and_bounds_are_stated():
    out = checks_of(
        row("Milk B12 was 310 mmol/L.", statistic="location", measure="median", value="310",
            unit="mmol/L"),
        row("Serum B12 was 512 pg/mL.", statistic="location", measure="median", value="512",
            unit="pg/mL"),
        row("Serum B12 was 0.4 pmol/L.", statistic="location", measure="mean", value="0.4",
            unit="pmol/L"),
        row("Plasma homocysteine was 8.1 µmol/L.", statistic="location", measure="mean",
            value="8.1", unit="µmol/L"),
    )  # fmt: skip
    plaus = out[out["category"] == "plausibility"].set_index("check_id")["verdict"]
    assert plaus.to_dict() == {
        "t.txt#0:plausible": "inconsistent",
        "t.txt#1:plausible": "consistent",
        "t.txt#2:plausible": "inconsistent",
    }  # homocysteine in µmol/L is not a B12 concentration: not judged
    assert "3.1e+11 pmol/L" in out.set_index("check_id").loc["t.txt#0:plausible", "detail"]
    # 1 mmol/L = 1e9 pmol/L; 1 pg/mL = 1000 / 1355.4 pmol/L (cyanocobalamin)
    assert to_pmol(310, "mmol/L") == pytest.approx(3.1e11)
    assert to_pmol(512, "pg/mL") == pytest.approx(512 * 1000 / 1355.4)
    assert B12_PLAUSIBLE_LOW_PMOL_L < 100 < 1000 < B12_PLAUSIBLE_HIGH_PMOL_L


def test_cutoff_printed_after_the_shares_is_judged_per_group():
    # 200 pg/dL = 2 pg/mL = 2 * 1000 / 1355.4 = 1.48 pmol/L (no serum has it); 300 pg/mL = 221
    s = ("97% of mothers and 25.3% of neonates had B12 deficiency when the threshold level is "
         "defined as 300 pg/ml for mothers and 200 pg/dl for neonates.")  # fmt: skip
    share = {"statistic": "share", "measure": "percent", "unit": "%"}
    out = checks_of(row(s, value="97", **share), row(s, value="25.3", **share))
    cut = out[out["category"] == "plausibility"].set_index("check_id")
    assert cut["verdict"].to_dict() == {"t.txt#0:cutoff": "consistent",
                                        "t.txt#1:cutoff": "inconsistent"}  # fmt: skip
    assert cut.loc["t.txt#1:cutoff", "reported"] == "200 pg/dl"
    assert float(cut.loc["t.txt#1:cutoff", "value"]) == pytest.approx(2 * 1000 / 1355.4)
    # two cut-offs printed for the same group: neither is taken
    s2 = "25.3% of neonates were below 200 pg/dl for neonates or 150 pg/ml for neonates."
    out2 = checks_of(row(s2, statistic="share", measure="percent", value="25.3", unit="%"))
    assert "plausibility" not in set(out2["category"])


def test_gm_ci_symmetric_on_the_log_scale_is_reproduced():
    # sqrt(300 x 363) = 330.0
    out = checks_of(row("Plasma B12 GM was 330 (95% CI 300, 363) pmol/L.", "330 (95% CI 300, 363)",
                        statistic="location", measure="geometric_mean", value="330", low="300",
                        high="363", spread="ci", unit="pmol/L"))  # fmt: skip
    assert only(out, "geometric_mean_ci")["verdict"] == "reproduced"


# --- shares -------------------------------------------------------------------------------------


def test_grim_impossible_share_names_conventions_and_smaller_denominators():
    s = "Of 149 mothers, 63.7% had low B12."
    out = checks_of(row(s, statistic="share", measure="percent", value="63.7", n="149",
                        unit="%"))  # fmt: skip
    c = only(out, "grim")
    assert c["verdict"] == "inconsistent"
    # 94/149 = 63.087%, 95/149 = 63.758%: neither rounds to 63.7; 95/149 truncates to it
    assert "95/149 = 63.758%" in c["detail"] and "truncation" in c["detail"]
    # the nearest smaller n with a count rounding to 63.7%: by hand, k/m in [63.65, 63.75)
    smaller = [m for m in range(148, 74, -1)
               if any(63.65 <= 100 * k / m <= 63.75 for k in range(m + 1))][:3]  # fmt: skip
    for m in smaller:
        assert f"/{m}" in c["detail"]


def test_grim_double_rounding_is_named():
    # 5/11 = 45.4545%: rounds to 45%, but to 45.5% first and then to 46% (double rounding);
    # 6/11 = 54.5%: no count out of 11 lies in [45.5, 46.5], so 46% fails GRIM at n = 11
    out = checks_of(row("Of 11 infants, 46% were deficient.", statistic="share", value="46",
                        n="11"))  # fmt: skip
    c = only(out, "grim")
    assert c["verdict"] == "inconsistent"
    assert "double rounding (5/11 = 45.45%)" in c["detail"]
    assert "truncation" not in c["detail"].split("reached by")[1]


def test_grim_reachable_share_is_consistent_and_powerless_unverifiable():
    out = checks_of(
        row("Of 40 women, 25.0% were deficient.", statistic="share", value="25.0", n="40"),
        row("Of 2000 women, 25% were deficient.", statistic="share", value="25", n="2000"),
    )
    assert out["verdict"].tolist() == ["consistent", "unverifiable"]


def test_count_with_share_recomputed():
    out = checks_of(
        row("Low B12: 95 (63.8%) of 149.", statistic="share", value="63.8", count="95", n="149"),
        row("Low B12: 95 (66.0%) of 149.", statistic="share", value="66.0", count="95", n="149"),
        row("Low B12: 95 (63.7%) of 149.", statistic="share", value="63.7", count="95", n="149"),
    )  # fmt: skip
    assert out["verdict"].tolist() == ["reproduced", "inconsistent", "consistent"]
    assert "95/149 = 63.758%" in out.loc[1, "detail"]
    assert "truncation" in out.loc[2, "detail"]


def test_count_without_a_share_is_not_judged_as_a_percent():
    # "32 of 36": no percent printed; an extractor may leave value empty or repeat the count
    s = "At 6 months, 32 of 36 infants were enrolled."
    out = checks_of(
        row(s, "32 of 36", statistic="share", value="", count="32", n="36"),
        row(s, "32 of 36", statistic="share", value="32", count="32", n="36"),
    )  # fmt: skip
    assert out["verdict"].tolist() == ["unverifiable", "unverifiable"]
    assert out["value"].tolist() == pytest.approx([32 / 36, 32 / 36])


def test_share_without_n_is_unverifiable():
    out = checks_of(row("About 30.5% were deficient.", statistic="share", value="30.5"))
    assert out.loc[0, "verdict"] == "unverifiable"


# --- effects, ratios, comparisons ---------------------------------------------------------------


def test_ci_against_p_and_estimate():
    s = "Concentrations were 15.9% higher (95% CI 1.91, 31.9; P = {p})."

    def mk(p: str, v: str = "15.9") -> dict[str, object]:
        return row(s.format(p=p), f"{v}% higher (95% CI 1.91, 31.9", statistic="effect",
                   measure="percent_difference", value=v, low="1.91", high="31.9",
                   spread="ci", p_text=f"P = {p}")  # fmt: skip

    out = checks_of(mk("0.025"), mk("0.60"), mk("0.025", "40.2"))
    assert out["verdict"].tolist() == ["reproduced", "inconsistent", "inconsistent"]
    assert out["category"].tolist() == ["ci_p", "ci_p", "ci"]


def test_ratio_against_the_values_it_divides():
    s = "B12 was 2.03x higher in group A (348 pmol/L vs 171 pmol/L)."
    s_bad = "B12 was 2.50x higher in group A (348 pmol/L vs 171 pmol/L)."
    rows = []
    for sent, fold in ((s, "2.03"), (s_bad, "2.50")):
        rows += [row(sent, f"{fold}x", statistic="ratio", measure="fold", value=fold),
                 row(sent, "348", statistic="location", measure="median", value="348",
                     unit="pmol/L"),
                 row(sent, "171", statistic="location", measure="median", value="171",
                     unit="pmol/L")]  # fmt: skip
    out = checks_of(*rows)
    ratio = out[out["category"] == "ratio"]
    # 348/171 = 2.0351 lies above 2.035 (the top of 2.03's rounding interval) but inside
    # [347.5/171.5, 348.5/170.5] = [2.026, 2.044]
    assert ratio["verdict"].tolist() == ["consistent", "inconsistent"]
    assert ratio.iloc[0]["value"] == pytest.approx(348 / 171)


def test_two_groups_with_sd_against_their_p():
    s = "Group A had 300 ± 60 (n = 50) and group B 250 ± 50 pmol/L (n = 50), {p}."
    rows = []
    for p in ("P < 0.001", "P = 0.40"):
        sent = s.format(p=p)
        rows += [row(sent, p, statistic="comparison", measure="p_only", value="", p_text=p),
                 row(sent, "300 ± 60", statistic="location", measure="mean", value="300",
                     low="60", spread="sd", n="50", unit="pmol/L"),
                 row(sent, "250 ± 50", statistic="location", measure="mean", value="250",
                     low="50", spread="sd", n="50", unit="pmol/L")]  # fmt: skip
    out = checks_of(*rows)
    comp = out[out["category"] == "comparison_p"]
    # Welch by hand: se = sqrt(60^2/50 + 50^2/50), t = 50/se, df by Welch-Satterthwaite
    va, vb = 60**2 / 50, 50**2 / 50
    t = 50 / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 49 + vb**2 / 49)
    assert comp.iloc[0]["value"] == pytest.approx(2 * sps.t.sf(t, df), rel=1e-9)
    assert comp["verdict"].tolist() == ["reproduced", "inconsistent"]


def test_two_counts_against_their_p():
    s = "Low scores were seen in 20/40 (50%) and 10/100 (10%) infants, respectively ({p})."
    rows = []
    for p in ("p = 0.20", "p < 0.001"):
        sent = s.format(p=p)
        rows += [
            row(sent, p, statistic="comparison", measure="p_only", value="", p_text=p),
            row(sent, "20/40 (50%)", statistic="share", value="50", count="20", n="40"),
            row(sent, "10/100 (10%)", statistic="share", value="10", count="10", n="100"),
        ]
    out = checks_of(*rows)
    comp = out[out["category"] == "comparison_p"]
    # Fisher's exact test on [[20, 20], [10, 90]] (scipy, independent of the check's wording)
    assert comp.iloc[0]["value"] == pytest.approx(
        sps.fisher_exact([[20, 20], [10, 90]]).pvalue, rel=1e-12
    )
    assert comp["verdict"].tolist() == ["inconsistent", "reproduced"]


def test_words_against_their_p():
    s1 = "There was no correlation between intake and B12 (p = 0.02)."
    s2 = "B12 rose significantly with intake (P = 0.31)."
    s3 = "There was no difference between the groups (P = 0.45)."
    out = checks_of(
        row(s1, "p = 0.02", statistic="comparison", value="0.02", p_text="p = 0.02"),
        row(s2, "P = 0.31", statistic="comparison", value="0.31", p_text="P = 0.31"),
        row(s3, "P = 0.45", statistic="comparison", value="0.45", p_text="P = 0.45"),
    )  # fmt: skip
    assert out["verdict"].tolist() == ["inconsistent", "inconsistent", "consistent"]
    assert set(out["category"]) == {"worded_p"}


def test_comparison_without_spread_is_unverifiable():
    s = "B12 was 348 pmol/L vs 171 pmol/L (P < 0.001)."
    out = checks_of(row(s, "P < 0.001", statistic="comparison", measure="p_only", value="",
                        p_text="P < 0.001"))  # fmt: skip
    assert out.loc[0, "verdict"] == "unverifiable"


def test_every_statistic_gets_a_check():
    out = checks_of(
        row("We enrolled 80 women.", statistic="sample_size", value="80"),
        row("B12 was 300 pmol/L.", statistic="location", value="300", unit="pmol/L"),
    )
    assert sorted(out["row_ids"].str.split(";").str[0]) == ["t.txt#0", "t.txt#1"]


# --- against a primary --------------------------------------------------------------------------


def _primary() -> pd.DataFrame:
    s1 = "We studied 67 mothers at 12 weeks."
    s2 = "Maternal serum B12 had a median of 171 (IQR 120, 230) pmol/L."
    s3 = "Milk B12 had a median of 148 pmol/L."
    rows = [
        row(s1, "67", statistic="sample_size", value="67"),
        row(
            s2,
            "171",
            statistic="location",
            measure="median",
            value="171",
            low="120",
            high="230",
            spread="quartiles",
            unit="pmol/L",
        ),
        row(s3, "148", statistic="location", measure="median", value="148", unit="pmol/L"),
    ]
    for r in rows:
        r["file"] = "primary.txt"
    return frame(*rows)


def test_against_primary_sizes_values_measures():
    sec = frame(
        row("The study had 76 mothers.", "76", statistic="sample_size", value="76"),
        row("Mothers had a median serum B12 of 171 pmol/L.", "171", statistic="location",
            measure="median", value="171", unit="pmol/L"),
        row("Milk B12 had a geometric mean of 148 pmol/L.", "148", statistic="location",
            measure="geometric_mean", value="148", unit="pmol/L"),
        row("Milk B12 was 200 pmol/L.", "200", statistic="location", measure="median",
            value="200", unit="pmol/L"),
    )  # fmt: skip
    out = check_extracted(sec, primary_rows=_primary())
    vs = out[out["check_id"].str.endswith(":vs_primary")].set_index("check_id")
    assert vs["verdict"].to_dict() == {
        "t.txt#0:vs_primary": "conflicts_with_primary",
        "t.txt#1:vs_primary": "reproduced",
        "t.txt#2:vs_primary": "conflicts_with_primary",
        "t.txt#3:vs_primary": "conflicts_with_primary",
    }
    assert "a geometric mean set against a median" in vs.loc["t.txt#2:vs_primary", "detail"]
    assert set(out["source_kind"]) == {"secondary"}
    assert set(vs["cited_source_id"]) == {"primary.txt"}


def test_supplementation_claim_against_primary():
    assert supplementation_stance("No vitamin B12 supplementation was administered.")[0] == "none"
    sec_text = "Mothers were supplemented with vitamin B12 during the study."
    prim_text = "No vitamin B12 supplements were given to the mothers."
    sec = frame(row(sec_text, "B12", statistic="sample_size", value="1"))
    res = audit_rows(sec, primary_rows=_primary(), text=sec_text, primary_text=prim_text)
    claim = [c for c in res.checks if c.category == "claim_vs_primary"]
    assert [c.verdict for c in claim] == ["conflicts_with_primary"]


P_TEXT = (
    "Chilean mothers (n = 80) took a daily B12 supplement; Kenyan mothers (n = 60) were "
    "unsupplemented. The maternal and milk B12 concentrations (geometric means (95% CI), pmol/L) "
    "were: in Chile, 500 (450, 550) and 400 (350, 450); in Kenya, 450 (400, 500) and 300 "
    "(260, 340)."
)
S_TEXT = (
    "Chilean mothers (n=80) and Kenyan mothers (n=66) took part. No B12 supplementation was "
    "given. Chilean mothers had 1.60x higher median serum B12 than Kenyan mothers (480 pmol/L vs. "
    "300 pmol/L; p<0.001). Milk B12 geometric means were lower in Kenya (300 pmol/L vs. 400 "
    "pmol/L)."
)


def _rows_in(text: str, file: str, specs: list[tuple[int, str, dict[str, object]]]):
    sents = re.split(r"(?<=\.)\s+(?=[A-Z])", text)
    out = []
    for i, value, cells in specs:
        cells = dict(cells)
        span = str(cells.pop("span", value))
        r = row(sents[i], span, value=value, **cells)
        r["file"] = file
        out.append(r)
    return frame(*out)


def _primary_chile_kenya() -> pd.DataFrame:
    gm = {"statistic": "location", "measure": "geometric_mean", "spread": "ci"}
    return _rows_in(P_TEXT, "p.txt", [
        (0, "80", {"statistic": "sample_size"}), (0, "60", {"statistic": "sample_size"}),
        (1, "500", {**gm, "low": "450", "high": "550", "span": "500 (450, 550)"}),
        (1, "400", {**gm, "low": "350", "high": "450", "span": "400 (350, 450)"}),
        (1, "450", {**gm, "low": "400", "high": "500", "span": "450 (400, 500)"}),
        (1, "300", {**gm, "low": "260", "high": "340", "span": "300 (260, 340)"}),
    ])  # fmt: skip


def test_against_primary_list_order_vs_pairs_ratio_and_claim():
    med = {"statistic": "location", "measure": "median", "unit": "pmol/L", "p_text": "p<0.001"}
    gm = {"statistic": "location", "measure": "geometric_mean", "unit": "pmol/L"}
    sec = _rows_in(S_TEXT, "s.txt", [
        (0, "80", {"statistic": "sample_size"}), (0, "66", {"statistic": "sample_size"}),
        (2, "1.60", {"statistic": "ratio", "measure": "fold"}),
        (2, "480", med), (2, "300", {**med, "span": "300 pmol/L;"}), (3, "300", gm),
        (3, "400", gm),
    ])  # fmt: skip
    res = audit_rows(sec, primary_rows=_primary_chile_kenya(), text=S_TEXT, primary_text=P_TEXT)
    vs = {c.check_id: c for c in res.checks if c.check_id.endswith(":vs_primary")}
    got = {k.split("#")[-1]: c.verdict for k, c in vs.items()}
    assert got == {
        "0:vs_primary": "reproduced",  # 80 Chilean mothers on both sides
        "1:vs_primary": "conflicts_with_primary",  # 66 against 60 Kenyan mothers
        "2:vs_primary": "conflicts_with_primary",  # 1.60x against 500/450
        "3:vs_primary": "conflicts_with_primary",  # a median of 480 against a GM of 500
        "4:vs_primary": "conflicts_with_primary",  # 300 against the Kenyan GM 450
        "5:vs_primary": "reproduced",  # Kenyan milk 300 (list order: 2nd of Kenya's part)
        "6:vs_primary": "reproduced",  # Chilean milk 400 (the other group of the vs pair)
    }
    by = {k.split("#")[-1]: c for k, c in vs.items()}
    assert "a median set against a geometric mean" in by["3:vs_primary"].detail
    # 500/450 = 1.11; its delta-method CI from the two printed CIs excludes 1.60
    assert by["2:vs_primary"].value == pytest.approx(500 / 450)
    assert by["2:vs_primary"].value_high < 1.595
    claim = [c for c in res.checks if c.category == "claim_vs_primary"]
    assert [c.verdict for c in claim] == ["conflicts_with_primary"]


def test_against_primary_unrelated_statistics_are_not_conflicts():
    prim = frame(
        row("Of 200 infants, 22% were deficient.", "22", statistic="share", value="22"),
        row("We studied 200 infants.", "200", statistic="sample_size", value="200"),
        row("We studied 200 infants.", "200", statistic="sample_size", value="200"),
    )
    prim["file"] = "p.txt"
    sec = frame(
        row("A total of 200 infants were enrolled, 71% boys.", "71", statistic="share",
            value="71"),
        row("A total of 200 infants were enrolled, 71% boys.", "200", statistic="sample_size",
            value="200"),
        row("Only 6 infants under four months were suspect.", "6", statistic="sample_size",
            value="6"),
    )  # fmt: skip
    out = check_extracted(sec, primary_rows=prim)
    vs = out[out["check_id"].str.endswith(":vs_primary")]
    assert vs["verdict"].tolist() == ["unverifiable", "reproduced", "unverifiable"]


def test_p_only_comparison_against_the_primarys_p_for_the_same_subject():
    p_s = ("Maternal B12 concentrations (p < 0.001) and B12 deficiency (p = 0.002) at delivery "
           "were associated with infant B12.")  # fmt: skip
    prim = frame(p_only(p_s, "p < 0.001", "0.001"), p_only(p_s, "p = 0.002", "0.002"))
    prim["file"] = "p.txt"
    verdicts = []
    for second in ("p<0.001", "p<0.01", "p=0.002"):
        s_s = (f"Maternal B12 concentrations (p<0.001) and B12 deficiency ({second}) were "
               "associated with infant B12.")  # fmt: skip
        later = p_only(s_s, second, second[2:])
        later["start"] = s_s.rfind(second)  # the second P, also where both print p<0.001
        later["end"] = later["start"] + len(second)
        sec = frame(p_only(s_s, "p<0.001", "0.001"), later)
        out = check_extracted(sec, primary_rows=prim).set_index("check_id")
        assert out.loc["t.txt#0:vs_primary", "verdict"] == "reproduced"
        verdicts.append(out.loc["t.txt#1:vs_primary", "verdict"])
    # the primary's p = 0.002 is in [0.0015, 0.0025): P < 0.001 excludes it, P < 0.01 holds it
    assert verdicts == ["conflicts_with_primary", "consistent", "reproduced"]
    # a subject the primary does not print: no match, no conflict
    other = "Serum folate (p<0.001) was associated with infant folate."
    out = check_extracted(frame(p_only(other, "p<0.001", "0.001")), primary_rows=prim)
    assert out.set_index("check_id").loc["t.txt#0:vs_primary", "verdict"] == "unverifiable"


# --- presentation -------------------------------------------------------------------------------

TEXT = ("Of 11 infants, 46% were deficient. Serum B12 was 310 (IQR 250, 390) pmol/L. "
        "We enrolled 16 infants.")  # fmt: skip


def _text_checks():
    rows = frame(
        row(TEXT, "46%", statistic="share", value="46", n="11"),
        row(TEXT, "310 (IQR 250, 390) pmol/L", statistic="location", measure="median",
            value="310", low="250", high="390", spread="quartiles", unit="pmol/L"),
        row(TEXT, "16 infants.", statistic="sample_size", value="16"),
    )  # fmt: skip
    return rows, audit_rows(rows).checks


def test_marks_cover_each_span_with_its_verdict():
    _rows, checks = _text_checks()
    marks = marks_for(TEXT, checks)
    assert [(TEXT[m.start : m.end], m.verdict) for m in marks] == [
        ("46%", "inconsistent"),
        ("310 (IQR 250, 390) pmol/L", "consistent"),
        ("16 infants.", "unverifiable"),
    ]
    assert row_verdicts(checks)[("t.txt", 0)] == "inconsistent"


def test_page_html_has_marks_title_panel_and_table():
    rows, checks = _text_checks()
    page = render_text_page(TEXT, checks, title="t.txt", extracted=rows)
    assert page.count('<mark class="stat v-') == 3
    assert 'class="stat v-inconsistent"' in page and 'title="inconsistent: no whole count' in page
    assert '<table id="audit">' in page and 'id="panel"' in page
    # the text is intact once the tags are removed
    assert re.sub(r"<[^>]+>", "", page.split('id="text">')[1].split("</div>")[0]) == TEXT
    summary = render_summary_page([{"file": "t.txt", "href": "texts/t.html", "statistics": 3,
                                    "checks": checks}], title="1 text")  # fmt: skip
    assert 'href="texts/t.html"' in summary


def test_page_escapes_the_text():
    rows = frame(row("A <b>bold</b> claim: 20% of 5.", "20%", statistic="share", value="20",
                     n="5"))  # fmt: skip
    page = render_text_page("A <b>bold</b> claim: 20% of 5.", audit_rows(rows).checks, title="x")
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_page_renders_in_headless_chromium(tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("chromium not installed: apt-get install chromium (CI installs it)")
    rows, checks = _text_checks()
    page = tmp_path / "index.html"
    page.write_text(
        render_text_page(TEXT, checks, title="t.txt", extracted=rows), encoding="utf-8"
    )
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run([*cmd, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=CHROMIUM_TIMEOUT_S, check=True).stdout  # fmt: skip
    # the page's script ran (it counts the marks) and the marks carry their verdict classes
    assert 'data-marks="3"' in dom
    found = re.findall(r'<mark class="stat v-([a-z_]+)"[^>]*>([^<]*)</mark>', dom)
    assert found == [("inconsistent", "46%"), ("consistent", "310 (IQR 250, 390) pmol/L"),
                     ("unverifiable", "16 infants.")]  # fmt: skip


# --- the command --------------------------------------------------------------------------------

CLI_TEXT = (
    "We enrolled 11 infants. Of the 11 infants, 46% were deficient. "
    "Serum B12 was 310 (IQR 250, 390) pmol/L.\n"
)


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    from b12stats.cli import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_check_writes_csvs_and_page(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(CLI_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, _ = _cli(["check", str(src), "--out", str(out)], capsys)
    assert code == 0
    assert "checks:" in stdout
    extracted = pd.read_csv(out / "extracted.csv")
    audit = pd.read_csv(out / "audit.csv")
    assert list(extracted.columns) == list(EXTRACT_COLUMNS)
    assert list(audit.columns) == list(COLUMNS)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('<mark class="stat v-') >= 1
    # 46% of 11 fails GRIM (5/11 = 45.45%, 6/11 = 54.55%): --strict exits 1
    assert "inconsistent" in set(audit["verdict"])
    code, _, _ = _cli(["check", str(src), "--strict"], capsys)
    assert code == 1
    ok = tmp_path / "ok.txt"
    ok.write_text("We studied 40 women; 25.0% were deficient.\n", encoding="utf-8")
    code, _, _ = _cli(["check", str(ok), "--strict"], capsys)
    assert code == 0


def test_cli_check_folder_gives_summary_and_pages(tmp_path, capsys):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(CLI_TEXT, encoding="utf-8")
    (texts / "b.txt").write_text("We studied 40 women; 25.0% were deficient.\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _stdout, _ = _cli(["check", str(texts), "--out", str(out)], capsys)
    assert code == 0
    summary = pd.read_csv(out / "summary.csv")
    assert summary["file"].tolist() == ["a.txt", "b.txt"]
    assert list(summary.columns[2:7]) == list(VERDICTS)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="texts/a.html"' in index and 'href="texts/b.html"' in index
    assert (out / "texts" / "a.html").exists() and (out / "texts" / "b.html").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary\x00", "caf\u00e9 B12".encode("latin-1")],
    ids=["empty", "binary", "not-utf8"],
)
def test_cli_check_bad_input_is_one_error_line(tmp_path, capsys, content):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    code, _stdout, err = _cli(["check", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert not (tmp_path / "o").exists()  # all outputs or none


def test_cli_check_refuses_to_write_over_its_input(tmp_path, capsys):
    src = tmp_path / "index.html"
    src.write_text("<p>We enrolled 20 women.</p>", encoding="utf-8")
    code, _, err = _cli(["check", str(src), "--out", str(tmp_path)], capsys)
    assert code == 2 and "input" in err
    assert src.read_text(encoding="utf-8") == "<p>We enrolled 20 women.</p>"


def test_cli_check_empty_folder_is_one_error_line(tmp_path, capsys):
    code, _, err = _cli(["check", str(tmp_path)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_p_only_comparison_against_the_primarys_cis_of_the_same_effects():
    # the P each CI implies (normal reference, Altman & Bland 2011): reading 0.60 (0.30,
    # 0.90) gives z = 0.60 / (0.60 / 3.92) = 3.92, P ~ 9e-5; memory 0.20 (0.01, 0.39) gives
    # z = 0.20 / (0.38 / 3.92) = 2.06, P ~ 0.039
    p_s = (
        "Against the control arm, the iron tablets raised reading scores by 0.60 (95% CI "
        "0.30, 0.90) and memory scores by 0.20 (95% CI 0.01, 0.39) standard units."
    )
    prim = frame(
        *(
            row(
                p_s,
                v,
                statistic="effect",
                measure="difference",
                value=v,
                low=lo,
                high=hi,
                spread="ci",
            )
            for v, lo, hi in (("0.60", "0.30", "0.90"), ("0.20", "0.01", "0.39"))
        )
    )
    prim["file"] = "p.txt"
    assert 2 * sps.norm.sf(0.60 / (0.60 / (2 * 1.959964))) < 1e-4
    s = (
        "Children given iron tablets improved reading scores and memory scores against the "
        "control arm ({})."
    )
    got = {}
    for p in ("p = 0.04", "p < 0.05", "p = 0.0001"):
        sec = frame(p_only(s.format(p), p))
        vs = only(check_extracted(sec, primary_rows=prim), "comparison_vs_primary")
        got[p] = vs["verdict"]
    # one P for both: 0.04 excludes reading's P; < 0.05 fits both; 0.0001 excludes memory's
    assert got == {
        "p = 0.04": "conflicts_with_primary",
        "p < 0.05": "consistent",
        "p = 0.0001": "conflicts_with_primary",
    }
    # a sentence sharing too few words with the primary's is not read as its P
    other = frame(p_only("Weight rose in both groups (p = 0.04).", "p = 0.04"))
    vs = only(check_extracted(other, primary_rows=prim), "comparison_vs_primary")
    assert vs["verdict"] == "unverifiable"


def test_p_only_comparison_against_a_primary_ratio_ci():
    # OR 2.00 (1.50, 2.67): log-scale se = (ln 2.67 - ln 1.50) / 3.92 = 0.147, z = 4.71, P ~ 2e-6
    p_s = (
        "Among smokers, low serum B12 was linked to anaemia: odds ratio 2.00 (95% CI 1.50, 2.67)."
    )
    prim = frame(
        row(
            p_s,
            "2.00",
            statistic="effect",
            measure="odds_ratio",
            value="2.00",
            low="1.50",
            high="2.67",
            spread="ci",
        )
    )
    prim["file"] = "p.txt"
    s = "In smokers, low serum B12 was linked with anaemia ({})."
    got = {}
    for p in ("P = 0.03", "P < 0.001"):
        sec = frame(p_only(s.format(p), p))
        got[p] = only(check_extracted(sec, primary_rows=prim), "comparison_vs_primary")["verdict"]
    assert got == {"P = 0.03": "conflicts_with_primary", "P < 0.001": "consistent"}


def test_two_means_against_the_primarys_percent_difference_for_the_group():
    # 300 / 250 = +20.0% and 300 / 200 = +50.0%; the primary's +35% meets neither, +21% meets
    # the first (within 3 points); a group named far from the mean is not read as its group
    sent = ("At the end, serum B12 was higher in vegans (300 pmol/L) than in omnivores "
            "(250 pmol/L) and in the rest (200 pmol/L).")  # fmt: skip
    sec = frame(*(row(sent, v, statistic="location", measure="mean", value=v, unit="pmol/L")
                  for v in ("300", "250", "200")))  # fmt: skip
    got = {}
    for pct in ("+35", "+21"):
        p_s = f"Serum B12 of vegans was higher than that of the others ({pct}%)."
        prim = frame(row(p_s, pct, statistic="effect", measure="percent_difference", value=pct,
                         unit="%"))  # fmt: skip
        prim["file"] = "p.txt"
        vs = check_extracted(sec, primary_rows=prim)
        got[pct] = vs.loc[vs["check_id"] == "t.txt#0:vs_primary", "verdict"].item()
    assert got == {"+35": "conflicts_with_primary", "+21": "consistent"}
    far = ("Serum B12 of vegans, whose diets were recorded for many weeks, was 300 pmol/L "
           "against 250 pmol/L in the others.")  # fmt: skip
    sec = frame(*(row(far, v, statistic="location", measure="mean", value=v, unit="pmol/L")
                  for v in ("300", "250")))  # fmt: skip
    vs = check_extracted(sec, primary_rows=prim)
    assert vs.loc[vs["check_id"] == "t.txt#0:vs_primary", "verdict"].item() == "unverifiable"


def test_daily_dose_claim_against_primary():
    # 9.0 vs 10.5 ug/d: 1.5 apart, beyond rounding (0.1) and 10% of 10.5 (1.05) -> conflict;
    # 10.0 vs 10.5: within -> consistent; the same printed dose -> reproduced
    prim_text = "Every woman took a cobalamin intake of about 10.5 µg/day from food and tablets."
    got = {}
    for dose in ("9.0", "10.0", "10.5"):
        sec_text = f"The women consumed a vitamin B-12 dose of {dose} mcg/d throughout."
        sec = frame(row(sec_text, "B-12", statistic="sample_size", value="1"))
        res = audit_rows(sec, primary_rows=_primary(), text=sec_text, primary_text=prim_text)
        got[dose] = [c.verdict for c in res.checks if c.category == "claim_vs_primary"]
    assert got == {"9.0": ["conflicts_with_primary"], "10.0": ["consistent"],
                   "10.5": ["reproduced"]}  # fmt: skip
    # a dose in mg, or in a sentence that does not name B12, is no daily B12 dose
    assert daily_dose("The folate dose was 400 µg/d.") is None
    assert daily_dose("The B12 dose was 1 mg/d.") is None

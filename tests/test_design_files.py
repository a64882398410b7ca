"""Tests for design files (data/designs/*.toml): reading, writing, validation, the registry."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import tomli_w
from numpy.testing import assert_allclose
from scipy import stats

from b12stats import designs
from b12stats.cli import main
from b12stats.data import data_dir, load_table
from b12stats.errors import DataValidationError, OptionError
from b12stats.packages import load_packages
from b12stats.power import power as power_fn
from b12stats.simulate import (
    DESIGN_NAMES,
    Design,
    LognormalMarginal,
    design_dir,
    get_design,
    registry,
    simulate_cohort,
)
from b12stats.stats.correlation import p_from_r
from b12stats.stats.quartiles import DEFAULT_RTOL

#: closed forms recomputed from the same cells: agreement to rounding error
CLOSED_FORM_RTOL = 1e-12

SRC = Path(__file__).resolve().parents[1] / "src" / "b12stats" / "simulate"


# --------------------------------------------------------------------------- #
# registry and round trip
# --------------------------------------------------------------------------- #
def test_every_file_is_a_builtin_design() -> None:
    stems = sorted(p.stem for p in (data_dir() / "designs").glob("*.toml"))
    assert list(DESIGN_NAMES) == stems and len(stems) >= 5
    assert design_dir() == data_dir() / "designs"


@pytest.mark.parametrize("name", DESIGN_NAMES)
def test_get_design_takes_name_path_or_design(name: str) -> None:
    d = get_design(name)
    path = design_dir() / f"{name}.toml"
    assert get_design(path) == d and get_design(str(path)) == d
    assert get_design(d) is d
    assert Design.from_toml(path) == d and d.name == name


@pytest.mark.parametrize("name", DESIGN_NAMES)
def test_builtin_round_trip(name: str, tmp_path: Path) -> None:
    d = get_design(name)
    path = tmp_path / "d.toml"
    text = d.to_toml(path)
    assert path.read_text(encoding="utf-8") == text
    back = Design.from_toml(path)
    assert back == d
    assert back.to_toml() == text  # a written file writes itself again
    pd.testing.assert_frame_equal(back.describe(), d.describe())
    pd.testing.assert_frame_equal(simulate_cohort(back, rng=1), simulate_cohort(d, rng=1))


def test_edited_design_round_trip(tmp_path: Path) -> None:
    d = (
        get_design("kenya")
        .replace(
            correlation=0.21,
            n_dyads=500,
            icc_milk=0.1,
            milk=LognormalMarginal(mu=4.5, sigma=0.8, method="my {own} fit"),
            description="edited {design} with braces",
            flags=("a flag with {braces}",),
            milk_threshold=300.0,
        )
        .with_effects(exclusive_bf=0.1, maternal_age=-0.01)
    )
    path = tmp_path / "edited.toml"
    d.to_toml(path)
    back = Design.from_toml(path)
    assert back == d
    assert back.assumptions["milk"] == d.assumptions["milk"]
    assert back.description == "edited {design} with braces"
    pd.testing.assert_frame_equal(back.describe(), d.describe())


def test_hand_written_reference_file(tmp_path: Path) -> None:
    # a user's design citing bundled rows and assuming the rest
    path = tmp_path / "mine.toml"
    path.write_text(
        """
description = "my study, n = {n_dyads}"
correlation = { value = 0.3, reason = "guess" }
correlation_scale = "spearman"
n_dyads = { value = 80, reason = "planned" }
n_clusters = 20
icc_milk = 0.02
icc_infant = 0.02
adequacy_cutoff = { table = "reference_values", row_id = "w18_adequacy" }

[milk]
fit = "quartiles"
table = "concentrations"
row_id = "w16_milk"

[infant]
mu = 5.5
sigma = { value = 0.6, reason = "from a pilot" }
""",
        encoding="utf-8",
    )
    d = Design.from_toml(path)
    ref = load_table("reference_values").set_index("row_id")
    conc = load_table("concentrations").set_index("row_id")
    row = conc.loc["w16_milk"]
    fit = LognormalMarginal.from_quartiles(row["q1"], row["value"], row["q3"])
    assert d.milk == fit and d.sources["milk_mu"] == "w16_milk"
    assert d.adequacy_cutoff == ref.loc["w18_adequacy", "value"]
    assert d.name == "mine" and d.description == "my study, n = 80"
    assert d.assumptions["infant_sigma"] == (0.6, "from a pilot")
    assert d.milk_threshold is None and "milk_share_below_threshold" not in set(
        d.targets()["quantity"]
    )
    assert Design.from_toml(_write(tmp_path / "again.toml", d.to_toml())) == d


def test_assumed_correlations_follow_from_the_data() -> None:
    # cambodia_primary: half the two-sided 5% critical r at the published n
    d = get_design("cambodia_primary")
    n = int(load_table("cohorts").set_index("row_id").loc[d.sources["n_dyads"], "value_num"])
    t = stats.t.ppf(0.975, n - 2)
    rc = t / math.sqrt(n - 2 + t * t)
    assert_allclose(p_from_r(rc, n), 0.05, rtol=1e-9)
    assert d.correlation == round(rc / 2, 3)
    assert f"|r| < {rc:.3f} at n = {n}" in d.assumptions["correlation"][1]
    # canada_primary: r borrowed from another row, an assumption without a source
    c = get_design("canada_primary")
    assert "correlation" not in c.sources and "correlation" in c.assumptions


def test_no_row_or_source_id_in_the_simulation_code() -> None:
    ids: set[str] = set()
    for table_csv in data_dir().glob("*.csv"):
        frame = pd.read_csv(table_csv, dtype=str)
        for col in ("row_id", "source_id"):
            if col in frame.columns:
                ids |= set(frame[col].dropna())
    files = [*SRC.glob("*.py"), SRC.parent / "designs.py"]
    code = "\n".join(p.read_text(encoding="utf-8") for p in files)
    found = sorted(i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w])", code))
    assert found == []


# --------------------------------------------------------------------------- #
# validation: one DataValidationError naming the file and the key
# --------------------------------------------------------------------------- #
def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _resolved(tmp_path: Path, edit: object) -> tuple[Path, str]:
    doc = tomllib.loads(get_design("kenya").to_toml())
    edit(doc)  # type: ignore[operator]
    text = tomli_w.dumps(doc)
    return _write(tmp_path / "bad.toml", text), text


def _line_of(text: str, pattern: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line))


def _fails(path: Path, key: str, match: str) -> DataValidationError:
    with pytest.raises(DataValidationError, match=match) as info:
        Design.from_toml(path)
    err = info.value
    assert err.file == str(path) and str(path) in str(err)
    assert f"key {key}" in str(err)
    return err


def test_missing_key(tmp_path: Path) -> None:
    path, _ = _resolved(tmp_path, lambda d: d.pop("adequacy_cutoff"))
    with pytest.raises(DataValidationError, match="missing key 'adequacy_cutoff'") as info:
        Design.from_toml(path)
    assert info.value.file == str(path)


def test_unknown_key(tmp_path: Path) -> None:
    path, text = _resolved(tmp_path, lambda d: d.update(colour="blue"))
    err = _fails(path, "colour", "unknown key")
    assert err.line == _line_of(text, r"^colour")


def test_unknown_nested_key(tmp_path: Path) -> None:
    path, text = _resolved(tmp_path, lambda d: d["icc_milk"].update(resaon="typo"))
    err = _fails(path, "icc_milk.resaon", "unknown key")
    assert err.line == _line_of(text, r"^resaon")


def test_negative_sigma(tmp_path: Path) -> None:
    path, text = _resolved(tmp_path, lambda d: d["milk"]["sigma"].update(value=-0.5))
    err = _fails(path, r"milk.sigma.value", "log-SD > 0")
    assert err.line == _line_of(text, r"^value = -0.5")


@pytest.mark.parametrize("r", [1.0, -1.2, 3])
def test_correlation_outside_minus_one_one(tmp_path: Path, r: float) -> None:
    path, text = _resolved(tmp_path, lambda d: d.update(correlation={"value": r}))
    err = _fails(path, "correlation.value", "strictly between -1 and 1")
    assert err.line == _line_of(text, rf"^value = {r}")


@pytest.mark.parametrize("icc", [1.0, -0.1])
def test_icc_outside_zero_one(tmp_path: Path, icc: float) -> None:
    path, _ = _resolved(tmp_path, lambda d: d["icc_infant"].update(value=icc))
    _fails(path, "icc_infant.value", r"in \[0, 1\)")


@pytest.mark.parametrize("n", [0, -3, 2.5])
def test_n_below_one(tmp_path: Path, n: float) -> None:
    path, _ = _resolved(tmp_path, lambda d: d["n_dyads"].update(value=n))
    _fails(path, "n_dyads.value", "whole number >= 1")


def test_row_id_not_in_the_data(tmp_path: Path) -> None:
    text = (design_dir() / "kenya.toml").read_text(encoding="utf-8")
    bad = text.replace('row_id = "w18_milk_inf"', 'row_id = "no_such_row"')
    assert bad != text
    path = _write(tmp_path / "bad.toml", bad)
    err = _fails(path, "correlation.row_id", "row 'no_such_row' not found in table 'correlations'")
    assert err.line == _line_of(bad, "no_such_row")


def test_unknown_table(tmp_path: Path) -> None:
    text = (design_dir() / "kenya.toml").read_text(encoding="utf-8")
    bad = text.replace('table = "correlations"', 'table = "corelations"')
    _fails(_write(tmp_path / "bad.toml", bad), "correlation.table", "unknown table")


def test_template_with_unknown_name(tmp_path: Path) -> None:
    path, _ = _resolved(tmp_path, lambda d: d.update(description="n = {n_dyad}"))
    _fails(path, "description", "cannot be filled")


def test_bad_covariate(tmp_path: Path) -> None:
    path, text = _resolved(tmp_path, lambda d: d["covariates"][1].update(distribution="poisson"))
    err = _fails(path, "covariates[1].distribution", "unknown distribution")
    assert err.line == _line_of(text, "poisson")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.toml", 'description = "x"\ncorrelation = = 0.3\n')
    with pytest.raises(DataValidationError, match="not valid TOML") as info:
        Design.from_toml(path)
    assert info.value.line == 2 and info.value.file == str(path)


def test_missing_file_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="not found"):
        get_design(tmp_path / "nothing.toml")
    with pytest.raises(OptionError, match=r"or the path of a \.toml design file"):
        get_design("atlantis")
    with pytest.raises(OptionError, match="design must be"):
        get_design(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# command line
# --------------------------------------------------------------------------- #
def test_simulate_describe_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--design", "canada", "--describe"]) == 0
    by_name = capsys.readouterr().out
    path = tmp_path / "canada.toml"
    get_design("canada").to_toml(path)
    assert main(["simulate", "--design", str(path), "--describe"]) == 0
    assert capsys.readouterr().out == by_name


@pytest.mark.parametrize("name", DESIGN_NAMES)
def test_power_with_default_options(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.csv"
    argv = ["power", "--design", name, "--reps", "4", "--seed", "1", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    d = get_design(name)
    chosen = "independence" if d.n_clusters == d.n_dyads else "exchangeable"
    assert f"# working correlation {chosen} (default:" in printed
    assert "--cov-struct" in printed
    assert pd.read_csv(out)["method"].str.contains(chosen).all()


def test_power_takes_a_design_file(tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    get_design("cambodia").replace(n_dyads=30, n_clusters=30).to_toml(path)
    out = tmp_path / "p.csv"
    assert main(["power", "--design", str(path), "--reps", "3", "--out", str(out)]) == 0
    assert pd.read_csv(out)["n_dyads"].tolist() == [30]


def test_readme_example_is_a_valid_design(tmp_path: Path) -> None:
    readme = (design_dir() / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    d = Design.from_toml(_write(tmp_path / "my_study.toml", blocks[-1]))
    assert d.name == "my_study" and d.n_dyads == 120 and d.correlation_scale == "spearman"
    assert d.description.endswith("n = 120: medians and IQR from our pilot")
    assert d.describe().set_index("parameter").loc["adequacy_cutoff", "status"] == "published"


def test_simulation_takes_a_name_or_a_path() -> None:
    d = get_design("kenya")
    by_design = simulate_cohort(d, n_dyads=20, n_clusters=5, rng=3)
    pd.testing.assert_frame_equal(
        simulate_cohort("kenya", n_dyads=20, n_clusters=5, rng=3), by_design
    )
    path = design_dir() / "kenya.toml"
    pd.testing.assert_frame_equal(
        simulate_cohort(path, n_dyads=20, n_clusters=5, rng=3), by_design
    )
    with pytest.raises(OptionError, match="design must be"):
        simulate_cohort(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# layers: the core reads no data table; the domain module registers itself
# --------------------------------------------------------------------------- #
def test_core_reads_a_resolved_file_without_the_data_layer(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    get_design("kenya").to_toml(path)
    code = (
        "import sys\n"
        "from b12stats.simulate import Design, simulate_cohort\n"
        f"d = Design.from_toml({str(path)!r}, rows={{}})\n"
        "assert d.to_toml() == open(" + repr(str(path)) + ", encoding='utf-8').read()\n"
        "simulate_cohort(d, n_dyads=10, n_clusters=10, rng=1)\n"
        "bad = sorted(m for m in sys.modules if m in ('b12stats.data', 'b12stats.designs'))\n"
        "assert bad == [], bad\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": src},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr


def test_row_references_need_rows_when_none_are_given(tmp_path: Path) -> None:
    text = (design_dir() / "kenya.toml").read_text(encoding="utf-8")
    path = _write(tmp_path / "k.toml", text)
    with pytest.raises(DataValidationError, match="unknown table 'correlations'"):
        Design.from_toml(path, rows={"concentrations": {}})


def test_rows_as_a_mapping_or_a_callable(tmp_path: Path) -> None:
    names = ("concentrations", "correlations", "cohorts", "reference_values")
    rows = {t: {r["row_id"]: r for r in load_table(t).to_dict("records")} for t in names}
    path = design_dir() / "kenya.toml"
    assert Design.from_toml(path, rows=rows) == get_design("kenya")
    assert Design.from_toml(path, rows=designs.row_lookup()) == get_design("kenya")
    edited = {**rows, "correlations": {"w18_milk_inf": {"r": 0.25}}}
    assert Design.from_toml(path, rows=edited).correlation == 0.25


def test_registry_resolves_names_and_passes_designs() -> None:
    d = get_design("kenya")
    assert registry.resolve_design(d) is d
    assert registry.resolve_design("kenya") == d
    assert registry.hook("resolve") is designs.get_design
    with pytest.raises(OptionError, match="unknown hook"):
        registry.register(resolver=designs.get_design)


def test_public_names_are_re_exported() -> None:
    import b12stats.simulate as sim

    assert sim.DESIGN_NAMES == designs.DESIGN_NAMES == designs.design_names()
    assert sim.design_dir() == designs.design_dir()
    pd.testing.assert_frame_equal(sim.list_designs(), designs.list_designs())
    with pytest.raises(AttributeError):
        sim.no_such_name


# --------------------------------------------------------------------------- #
# b12stats design: a design from a cohort's published rows
# --------------------------------------------------------------------------- #
Z75 = float(stats.norm.ppf(0.75))


def _raw(table: str) -> pd.DataFrame:
    """A bundled table as printed in the CSV (strings; '' for an empty cell)."""
    return pd.read_csv(data_dir() / f"{table}.csv", dtype=str, keep_default_na=False)


def _fit_rows(cohort: str, infant: bool) -> pd.DataFrame:
    conc = _raw("concentrations")
    comp = (
        conc["compartment"].str.startswith("infant_") if infant else conc["compartment"] == "milk"
    )
    sel = conc[(conc["cohort"] == cohort) & comp & (conc["group"] == "all")]
    quart = (sel["statistic"] == "median") & (sel["q1"] != "") & (sel["q3"] != "")
    gm = (sel["statistic"] == "geometric_mean") & (sel["ci_low"] != "") & (sel["n"] != "")
    return sel[quart | gm]


def _cohorts_with_both_marginals() -> list[str]:
    cohorts = sorted(set(_raw("concentrations")["cohort"]))
    return [c for c in cohorts if len(_fit_rows(c, False)) and len(_fit_rows(c, True))]


BOTH = _cohorts_with_both_marginals()


def test_the_bundled_cohorts_with_both_marginals() -> None:
    # the three dyad cohorts of the bundled data: the test below covers each
    assert len(BOTH) == 3
    assert set(designs.cohort_ids()) > set(BOTH)


def _expected_marginal(row: pd.Series) -> tuple[float, float]:
    """(mu, sigma) in closed form from the printed cells (pmol/L in the bundled data)."""
    assert row["unit"] == "pmol/L"
    if row["statistic"] == "median":
        y1, y2, y3 = (math.log(float(row[c])) for c in ("q1", "value", "q3"))
        # nearly symmetric on the log scale: mu = log median; otherwise least squares on
        # (log q, z) with z = -z75, 0, z75: the mean of the logs; sigma = half-spread / z75
        symmetric = abs((y3 - 2 * y2 + y1) / (y3 - y1)) <= DEFAULT_RTOL
        return (y2 if symmetric else (y1 + y2 + y3) / 3), (y3 - y1) / (2 * Z75)
    n, level = int(row["n"]), float(row["ci_level"])
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    width = math.log(float(row["ci_high"])) - math.log(float(row["ci_low"]))
    return math.log(float(row["value"])), math.sqrt(n) * width / (2 * t)


@pytest.mark.parametrize("cohort", BOTH)
def test_design_from_cohort_marginals_match_the_printed_rows(cohort: str) -> None:
    d = designs.design_from_cohort(None, cohort)
    assert d.name == cohort
    for comp, infant in (("milk", False), ("infant", True)):
        rows = _fit_rows(cohort, infant)
        row = rows.set_index("row_id").loc[d.sources[f"{comp}_mu"]]
        mu, sigma = _expected_marginal(row)
        marg = getattr(d, comp)
        assert_allclose([marg.mu, marg.sigma], [mu, sigma], rtol=CLOSED_FORM_RTOL)
        if row["statistic"] == "geometric_mean":  # the log-SD from a CI is an assumption
            assert f"{comp}_sigma" in d.assumptions
    # the cut-off is the infant row's of the prevalences table
    prev = _raw("prevalences").set_index("row_id")
    cut = prev.loc[d.sources["adequacy_cutoff"]]
    assert cut["cohort"] == cohort and cut["compartment"].startswith("infant_")
    assert d.adequacy_cutoff == float(cut["cutoff"])
    # clusters: none in the data, so independent dyads, stated as assumptions
    assert d.n_clusters == d.n_dyads and d.icc_milk == d.icc_infant == 0.0
    for key in ("n_clusters", "icc_milk", "icc_infant", "covariates"):
        assert d.assumptions[key][1]
    # every number is published (with its row) or assumed (with its reason)
    desc = d.describe()
    assert set(desc["status"]) <= {"published", "assumed", "derived"}
    published = desc[desc["status"] == "published"]
    assert published["source_row"].notna().all()


def test_design_from_cohort_correlation_and_n() -> None:
    corr = _raw("correlations")
    pair = corr[
        [
            {x, y} == {"milk", "infant_blood"}
            for x, y in zip(corr["var_x"], corr["var_y"], strict=True)
        ]
    ]
    for cohort in BOTH:
        d = designs.design_from_cohort(None, cohort)
        mine = pair[pair["cohort"] == cohort]
        printed = mine[mine["r"] != ""]
        with_p = mine[(mine["r"] == "") & (mine["p_text"] != "")]
        if len(printed):  # the printed r; its kind is not stated: assumed Pearson on logs
            assert d.correlation == float(printed["r"].iloc[0])
            assert d.sources["correlation"] == printed["row_id"].iloc[0]
            assert printed["coefficient"].iloc[0] == "unspecified"
            assert d.correlation_scale == "pearson_log" and "correlation_scale" in d.assumptions
        elif len(with_p):  # only P < alpha: the smallest r with that P at n (closed form)
            alpha = float(re.sub(r"^[pP]\s*<\s*", "", with_p["p_text"].iloc[0]))
            df = d.n_dyads - 2
            t = float(stats.t.ppf(1 - alpha / 2, df))
            assert d.correlation == round(t / math.sqrt(df + t * t), 4)
            assert_allclose(p_from_r(d.correlation, d.n_dyads), alpha, rtol=1e-3)
            assert "correlation" in d.assumptions
        else:  # nothing printed: no association assumed
            assert d.correlation == 0.0 and "correlation" in d.assumptions
    # the n: printed on both marginal rows when they agree
    conc = _raw("concentrations").set_index("row_id")
    for cohort in BOTH:
        d = designs.design_from_cohort(None, cohort)
        ns = {conc.loc[d.sources[f"{c}_mu"], "n"] for c in ("milk", "infant")}
        if len(ns) == 1 and "" not in ns:
            assert d.n_dyads == int(ns.pop()) and "n_dyads" not in d.assumptions
        else:
            assert "n_dyads" in d.assumptions


def _study_tables() -> dict[str, pd.DataFrame]:
    """A user's cohort: medians with quartiles in pg/mL, a Spearman r, a share below 150."""
    conc = load_table("concentrations").iloc[:0]
    base = dict.fromkeys(conc.columns)
    rows = [
        {**base, "row_id": "my_milk", "source_id": "me2026", "source_kind": "primary",
         "cohort": "my_study", "compartment": "milk", "group": "all", "n": 120,
         "statistic": "median", "value": 300.0, "q1": 200.0, "q3": 450.0, "unit": "pg/mL"},
        {**base, "row_id": "my_inf", "source_id": "me2026", "source_kind": "primary",
         "cohort": "my_study", "compartment": "infant_serum", "group": "all", "n": 120,
         "statistic": "median", "value": 400.0, "q1": 300.0, "q3": 533.0, "unit": "pmol/L"},
    ]  # fmt: skip
    corr = load_table("correlations").iloc[:0]
    crow = dict.fromkeys(corr.columns)
    crow.update(row_id="my_r", source_id="me2026", source_kind="primary", cohort="my_study",
                var_x="milk", var_y="infant_blood", coefficient="spearman", adjusted=False,
                r=0.3, n=118)  # fmt: skip
    prev = load_table("prevalences").iloc[:0]
    prow = dict.fromkeys(prev.columns)
    prow.update(row_id="my_low", source_id="me2026", source_kind="primary", cohort="my_study",
                compartment="infant_serum", group="all", relation="<", cutoff=150.0,
                unit="pmol/L", percent=5.0)  # fmt: skip
    return {
        "concentrations": pd.DataFrame(rows),
        "correlations": pd.DataFrame([crow]),
        "prevalences": pd.DataFrame([prow]),
        "cohorts": load_table("cohorts").iloc[:0],
    }


def test_design_from_a_users_tables() -> None:
    d = designs.design_from_cohort(_study_tables(), "my_study")
    to_pmol = 1000.0 / 1355.4  # pg/mL -> pmol/L: the molar mass of cyanocobalamin
    logs = [math.log(q * to_pmol) for q in (200.0, 300.0, 450.0)]
    assert_allclose(d.milk.mu, sum(logs) / 3, rtol=CLOSED_FORM_RTOL)
    assert "converted from pg/mL" in d.milk.method
    # a stated Spearman r is published with its scale; its n is the number of dyads
    assert (d.correlation, d.correlation_scale, d.n_dyads) == (0.3, "spearman", 118)
    assert d.sources["correlation_scale"] == "my_r" and "correlation_scale" not in d.assumptions
    assert d.adequacy_cutoff == 150.0 and d.sources["adequacy_cutoff"] == "my_low"
    assert any("5%" in f and "my_low" in f for f in d.flags)


def test_an_adjusted_or_partial_r_is_not_the_target_correlation() -> None:
    tables = _study_tables()
    corr = tables["correlations"]
    partial = corr.assign(row_id="my_partial", coefficient="partial", r=0.5, adjusted=True)
    unknown = corr.assign(row_id="my_adj", r=0.45, adjusted=None)
    tables["correlations"] = pd.concat([partial, unknown, corr], ignore_index=True)
    d = designs.design_from_cohort(tables, "my_study")
    assert d.correlation == 0.45 and d.sources["correlation"] == "my_adj"  # adjusted unknown
    tables["correlations"] = pd.concat([partial], ignore_index=True)
    d = designs.design_from_cohort(tables, "my_study")  # only a partial r: not used
    assert d.correlation == 0.0 and "my_partial" in d.assumptions["correlation"][1]


@pytest.mark.parametrize(("p_text", "relation", "p", "implied"), [
    ("P < 0.01", "<", 0.01, True), ("P = 0.02", "=", 0.02, True), ("P > 0.05", ">", 0.05, False),
])  # fmt: skip
def test_a_p_value_without_r(p_text: str, relation: str, p: float, implied: bool) -> None:
    tables = _study_tables()
    tables["correlations"] = tables["correlations"].assign(
        r=None, p_text=p_text, p_relation=relation, p_value=p
    )
    d = designs.design_from_cohort(tables, "my_study")
    if implied:  # |r| with a two-sided t-test P of exactly p at n = 118
        assert_allclose(p_from_r(d.correlation, 118), p, rtol=2e-3)
    else:  # P > 0.05 bounds r from above only: no association assumed
        assert d.correlation == 0.0 and "correlation" not in d.sources
    assert "correlation" in d.assumptions


def test_design_from_cohort_errors() -> None:
    with pytest.raises(OptionError, match="unknown cohort 'atlantis'; expected one of: "):
        designs.design_from_cohort(None, "atlantis")
    tables = _study_tables()
    tables["concentrations"] = tables["concentrations"].iloc[:1]  # milk only
    with pytest.raises(OptionError, match="no infant B12 marginal") as info:
        designs.design_from_cohort(tables, "my_study")
    assert "milk" not in str(info.value).split(":", 1)[1].split("(a design needs")[0]


@pytest.mark.parametrize("cohort", BOTH)
def test_design_command_round_trip_simulate_and_power(
    cohort: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{cohort}.toml"
    assert main(["design", "--cohort", cohort, "--out", str(path)]) == 0
    assert f"wrote {path}" in capsys.readouterr().err
    built = designs.design_from_cohort(None, cohort)
    text = path.read_text(encoding="utf-8")
    assert text == built.to_toml()
    back = Design.from_toml(path, rows={})  # resolved: needs no data rows
    assert back == built and back.to_toml() == text
    pd.testing.assert_frame_equal(back.describe(), built.describe())
    # describe: the same as simulate --describe
    assert main(["design", "--describe", str(path)]) == 0
    described = capsys.readouterr().out
    assert main(["simulate", "--design", str(path), "--describe"]) == 0
    assert capsys.readouterr().out == described
    assert all(why in described for _, why in built.assumptions.values() if len(why) < 60)
    # simulate and power with their defaults (few replicates)
    csv = tmp_path / "sim.csv"
    assert main(["simulate", "--design", str(path), "--seed", "1", "--out", str(csv)]) == 0
    assert len(pd.read_csv(csv)) == built.n_dyads
    out = tmp_path / "p.csv"
    argv = ["power", "--design", str(path), "--reps", "4", "--seed", "1", "--out", str(out)]
    assert main(argv) == 0
    assert "# working correlation independence (default:" in capsys.readouterr().out
    assert (pd.read_csv(out)["n_dyads"] == built.n_dyads).all()


def test_design_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = _raw("concentrations")
    lacking = sorted(set(raw["cohort"]) - set(BOTH))
    assert lacking
    for cohort in lacking[:3]:
        assert main(["design", "--cohort", cohort, "--out", str(tmp_path / "x.toml")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: ")
        assert f"cohort {cohort!r} cannot give a design" in err and "marginal" in err
    assert not (tmp_path / "x.toml").exists()
    assert main(["design", "--cohort", "atlantis", "--out", str(tmp_path / "x.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown cohort 'atlantis'" in err
    assert main(["design", "--out", str(tmp_path / "x.toml")]) == 2
    assert "--cohort ID is required" in capsys.readouterr().err
    assert main(["design", "--cohort", BOTH[0]]) == 2
    assert "--out FILE.toml is required" in capsys.readouterr().err


def test_design_command_list_and_describe_a_cohort(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["design", "--list"]) == 0
    listing = capsys.readouterr().out
    lines = listing.splitlines()
    assert lines[-1].startswith("# the report's default design is the built-in")
    for line in lines[1:-1]:
        cohort, ok = line.split()[:2]
        assert (ok == "yes") == (cohort in BOTH)
    assert main(["design", "--cohort", BOTH[0], "--describe"]) == 0
    printed = capsys.readouterr().out
    assert main(["design", "--describe", "kenya"]) == 0  # a built-in name works too
    assert "flag:" in printed and "parameter" in capsys.readouterr().out


def _fill(directory: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Append rows to a table that ``b12stats init`` wrote (its header decides the columns)."""
    path = directory / f"{table}.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        for row in rows:
            writer.writerow(row)


def _package(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str = "primary") -> Path:
    """A researcher's study package: medians and IQR, a Pearson r with P and n, a share < 220."""
    pkg = tmp_path / "my_study"
    assert main(["init", str(pkg)]) == 0
    capsys.readouterr()
    src = {"source_id": "me2026", "cohort": "my_dyads", "location": "Table 1"}
    _fill(
        pkg,
        "sources",
        [
            {
                "source_id": "me2026",
                "kind": kind,
                "authors": "Me",
                "year": "2026",
                "title": "My dyads",
                "verified": "true",
            }
        ],
    )
    _fill(
        pkg,
        "cohorts",
        [
            {
                **src,
                "row_id": "my_n",
                "country": "Peru",
                "attribute": "n_participants",
                "value_num": "150",
                "unit": "dyads",
                "text": "150 dyads",
            }
        ],
    )
    conc = {
        **src,
        "timepoint": "3 months",
        "group": "all",
        "n": "150",
        "statistic": "median",
        "unit": "pmol/L",
    }
    _fill(
        pkg,
        "concentrations",
        [
            {
                **conc,
                "row_id": "my_milk",
                "compartment": "milk",
                "value": "250",
                "q1": "160",
                "q3": "380",
                "text": "milk median 250 (160, 380)",
            },
            {
                **conc,
                "row_id": "my_inf",
                "compartment": "infant_serum",
                "value": "300",
                "q1": "210",
                "q3": "430",
                "text": "infant median 300 (210, 430)",
            },
        ],
    )
    _fill(
        pkg,
        "correlations",
        [
            {
                **src,
                "row_id": "my_r",
                "var_x": "milk",
                "var_y": "infant_blood",
                "coefficient": "pearson",
                "adjusted": "false",
                "r": "0.28",
                "p_text": "P < 0.001",
                "n": "148",
                "text": "r = 0.28 (P < 0.001, n = 148)",
            }
        ],
    )
    _fill(pkg, "prevalences", [{**src, "row_id": "my_low", "timepoint": "3 months",
                                "compartment": "infant_serum", "group": "all",
                                "condition": "infant serum B12 below 220", "relation": "<",
                                "cutoff": "220", "unit": "pmol/L", "percent": "30", "n": "150",
                                "text": "30% of infants had serum B12 < 220 pmol/L"}])  # fmt: skip
    return pkg


def test_design_command_from_a_data_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _package(tmp_path, capsys)
    out = tmp_path / "my_dyads.toml"
    argv = ["design", "--data", str(pkg), "--cohort", "my_dyads", "--out", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    d = Design.from_toml(out, rows={})
    logs = [math.log(q) for q in (160.0, 250.0, 380.0)]
    assert_allclose(d.infant.sigma, (math.log(430) - math.log(210)) / (2 * Z75))
    assert_allclose(d.milk.sigma, (logs[2] - logs[0]) / (2 * Z75), rtol=CLOSED_FORM_RTOL)
    assert (d.correlation, d.n_dyads, d.adequacy_cutoff) == (0.28, 148, 220.0)
    # a stated Pearson r: read on concentrations, an assumption that cites its row
    assert d.correlation_scale == "pearson" and d.sources["correlation_scale"] == "my_r"
    assert "Peru" in d.description
    # --data-only: the package alone; a bundled cohort is then unknown
    argv = ["design", "--data", str(pkg), "--data-only", "--cohort", "my_dyads", "--describe"]
    assert main(argv) == 0
    assert "my_milk" in capsys.readouterr().out
    argv = ["design", "--data", str(pkg), "--data-only", "--cohort", BOTH[0], "--describe"]
    assert main(argv) == 2
    assert "unknown cohort" in capsys.readouterr().err
    # the package's files are inputs: --out may not replace one
    argv = ["design", "--data", str(pkg), "--cohort", "my_dyads", "--out", str(pkg / "x.csv")]
    (pkg / "x.csv").write_text("", encoding="utf-8")
    assert main(argv) == 2
    assert "data package" in capsys.readouterr().err
    # simulate and power take the written file
    argv = [
        "power",
        "--design",
        str(out),
        "--reps",
        "4",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "p.csv"),
    ]
    assert main(argv) == 0


def test_design_describe_with_a_package_uses_its_source_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _package(tmp_path, capsys, kind="secondary")
    out = tmp_path / "d.toml"
    argv = ["design", "--data", str(pkg), "--cohort", "my_dyads", "--out", str(out)]
    assert main([*argv, "--describe"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"milk_mu\s+\S+\s+published \(secondary\)\s+my_milk", printed)
    assert main(["design", "--data", str(pkg), "--describe", str(out)]) == 0
    assert "published (secondary)" in capsys.readouterr().out
    assert main(["design", "--describe", str(out)]) == 0  # without the package: unknown kind
    assert "published (secondary)" not in capsys.readouterr().out


#: a hand-written design file whose published numbers are rows of the package of _package
_HAND_WRITTEN = """\
description = "my dyads, n = {n_dyads}"
correlation = { table = "correlations", row_id = "my_r" }
correlation_scale = { value = "pearson", reason = "the paper says Pearson" }
n_dyads = { table = "cohorts", row_id = "my_n" }
n_clusters = { value = 150, reason = "independent dyads" }
icc_milk = 0.0
icc_infant = 0.0
adequacy_cutoff = { value = 220.0, reason = "the usual cut-off" }

[milk]
fit = "quartiles"
table = "concentrations"
row_id = "my_milk"

[infant]
fit = "quartiles"
table = "concentrations"
row_id = "my_inf"
"""


def test_simulate_and_power_resolve_a_design_file_in_a_data_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _package(tmp_path, capsys, kind="secondary")
    design = _write(tmp_path / "mine.toml", _HAND_WRITTEN)
    out = tmp_path / "mine.csv"
    sim = ["simulate", "--design", str(design), "--seed", "3", "--out", str(out)]
    # without the package the rows are looked up in the bundled tables: not there
    assert main(sim) == 2
    assert "row 'my_r' not found in table 'correlations'" in capsys.readouterr().err
    assert not out.exists()
    assert main(["simulate", "--data", str(pkg), *sim[1:]]) == 0, capsys.readouterr().err
    capsys.readouterr()
    frame = pd.read_csv(out)
    assert len(frame) == 150  # n_dyads: the package's cohorts row my_n
    sidecar = json.loads((tmp_path / "mine.csv.json").read_text(encoding="utf-8"))
    d = Design.from_toml(design, rows=designs.row_lookup(load_packages([pkg]).tables))
    assert sidecar["design"]["correlation"] == 0.28 == d.correlation
    logs = [math.log(q) for q in (160.0, 250.0, 380.0)]
    assert_allclose(d.milk.sigma, (logs[2] - logs[0]) / (2 * Z75), rtol=CLOSED_FORM_RTOL)
    assert_allclose(d.infant.sigma, (math.log(430) - math.log(210)) / (2 * Z75))
    # --describe names the package's rows with their source kind
    assert main(["simulate", "--data", str(pkg), "--design", str(design), "--describe"]) == 0
    assert re.search(r"milk_mu\s+\S+\s+published \(secondary\)\s+my_milk", capsys.readouterr().out)
    # --data-only: the package alone; a built-in design's bundled rows are then missing
    argv = ["simulate", "--data", str(pkg), "--data-only", "--design", "kenya", "--describe"]
    assert main(argv) == 2
    assert "not found in table" in capsys.readouterr().err
    assert main(["simulate", "--data-only", "--design", "kenya", "--describe"]) == 2
    assert "--data-only needs at least one --data DIR" in capsys.readouterr().err
    # an output may not replace a package file
    (pkg / "x.csv").write_text("", encoding="utf-8")
    assert main(["simulate", "--data", str(pkg), *sim[1:-1], str(pkg / "x.csv")]) == 2
    assert "data package" in capsys.readouterr().err
    # power: the same file, the same rows; without the package the same error
    pw = ["power", "--design", str(design), "--reps", "4", "--seed", "1"]
    assert main([*pw, "--out", str(tmp_path / "p.csv")]) == 2
    assert "row 'my_r' not found" in capsys.readouterr().err
    assert main(["power", "--data", str(pkg), *pw[1:], "--out", str(tmp_path / "p.csv")]) == 0
    table = pd.read_csv(tmp_path / "p.csv")
    assert list(table["n_dyads"]) == [150] and list(table["design"]) == ["mine"]
    # with a Design object the numbers are those of the library call on the same design
    expected = power_fn(d, reps=4, rng=1, cov_struct="independence")
    assert_allclose(table["power"], expected["power"])
    assert_allclose(table["mean_estimate"], expected["mean_estimate"])


def test_list_commands_mark_the_default_design(capsys: pytest.CaptureFixture[str]) -> None:
    meta = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    default = meta["b12stats:default_design"]
    assert main(["simulate", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["name", "n_dyads", "n_clusters", "flags", "default"]
    marked = [line.split()[0] for line in lines[1:] if re.search(r"\s+yes\s", line)]
    assert marked == [default]
    assert main(["design", "--list"]) == 0
    assert f"default design is the built-in {default!r}" in capsys.readouterr().out

"""Tests for design files (data/designs/*.toml): reading, writing, validation, the registry."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import tomli_w
from numpy.testing import assert_allclose
from scipy import stats

from b12stats.cli import main
from b12stats.data import data_dir, load_table
from b12stats.errors import DataValidationError, OptionError
from b12stats.simulate import (
    DESIGN_NAMES,
    Design,
    LognormalMarginal,
    design_dir,
    get_design,
    simulate_cohort,
)
from b12stats.stats.correlation import p_from_r

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
    for csv in data_dir().glob("*.csv"):
        frame = pd.read_csv(csv, dtype=str)
        for col in ("row_id", "source_id"):
            if col in frame.columns:
                ids |= set(frame[col].dropna())
    code = "\n".join(p.read_text(encoding="utf-8") for p in SRC.glob("*.py"))
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

"""The report covers the data in use: a user's package joins (or replaces) the bundled tables."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from b12stats import report
from b12stats.cli import main
from b12stats.simulate import get_design

#: Small Monte Carlo sizes: these tests check which sections appear, not the numbers.
TEST_REPS = 4
TEST_SEED = 11

#: A small study package: one new cohort with quartiles, one correlation, and a
#: secondary source that cites the primary.
PACKAGE = Path(__file__).parent / "report_package"


def _copy(folder: Path, names: tuple[str, ...], *, primary_only: bool = False) -> Path:
    """The package's tables ``names`` in ``folder`` (``primary_only``: no secondary source)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        lines = (PACKAGE / f"{name}.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        if primary_only and name == "sources":
            lines = [ln for ln in lines if ",secondary," not in ln]
        (folder / f"{name}.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def _tables(folder: Path, *, data_only: bool) -> dict[str, pd.DataFrame]:
    """The tables in use: the bundled ones joined with the package's (or its alone)."""
    from b12stats.packages import load_tables

    return load_tables([folder], data_only=data_only)


def _section_ids(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html)


def _section(html: str, key: str) -> str:
    m = re.search(rf'<section id="{re.escape(key)}">(.*?)</section>', html, flags=re.S)
    assert m, f"no section {key!r}"
    return m.group(1)


def _not_shown(html: str) -> dict[str, str]:
    block = _section(html, "not-shown")
    items = re.findall(r"<li><strong>(.*?)</strong>: (.*?)</li>", block, flags=re.S)
    return dict(items)


@pytest.fixture(scope="module")
def package() -> Path:
    return PACKAGE


@pytest.fixture(scope="module")
def joined_html(package: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report_joined")
    path = report.build_report(
        out,
        tables=_tables(package, data_only=False),
        designs=("kenya", "canada"),
        seed=TEST_SEED,
        reps=TEST_REPS,
        progress=False,
    )
    return path.read_text(encoding="utf-8")


def test_user_cohort_is_in_the_distributions(joined_html: str) -> None:
    dist = _section(joined_html, "distributions")
    # the figure caption names every country with quartiles, the user's among them
    assert "Peru" in dist
    assert "Kenya" in dist  # the bundled cohorts stay


def test_user_correlation_is_in_the_forest_table(joined_html: str) -> None:
    corr = _section(joined_html, "correlations")
    table = corr[corr.index("<h3>Correlations</h3>") :]
    assert "Quispe 2026, Peru" in table and "0.47" in table
    # the pool of milk vs infant blood now includes the user's correlation (k = 2 -> 3 possible)
    assert "milk vs infant blood B12" in corr


def test_one_cohort_comparison_per_secondary_source(joined_html: str) -> None:
    ids = _section_ids(joined_html)
    comparisons = [i for i in ids if i.startswith("cohort_comparison")]
    assert len(comparisons) == 2
    texts = [_section(joined_html, i) for i in comparisons]
    mine = [t for t in texts if "mysummary2026" in t]
    assert len(mine) == 1
    # the user's primary printed quartiles, no CI: the finding says so instead of comparing
    assert "no primary CI to compare with" in mine[0]
    assert "Peru" in mine[0]


def test_two_designs_give_two_simulation_and_power_sections(joined_html: str) -> None:
    ids = _section_ids(joined_html)
    assert [i for i in ids if i.startswith("power")] == ["power", "power-2"]
    assert [i for i in ids if i.startswith("simulated_cohort")] == [
        "simulated_cohort",
        "simulated_cohort-2",
    ]
    assert "(design kenya)" in _section(joined_html, "power")
    assert "(design canada)" in _section(joined_html, "power-2")


def test_left_out_sections_are_listed_with_a_reason(joined_html: str) -> None:
    missing = _not_shown(joined_html)
    # the canada design's correlation is assumed: no published P-trend to set it against;
    # its design file gives no plausible range: no sensitivity section
    assert list(missing) == [
        "Plausibility of the published P-trend (design canada)",
        "Sensitivity to the unpublished assumptions (design canada)",
    ]
    assert "no published P-trend" in next(iter(missing.values()))
    assert "plausible range" in list(missing.values())[1]
    assert "ptrend-2" not in _section_ids(joined_html)


def test_data_only_with_correlations_only(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "pkg", ("sources", "cohorts", "correlations"), primary_only=True)
    path = report.build_report(
        tmp_path / "out",
        tables=_tables(folder, data_only=True),
        designs=(),
        seed=TEST_SEED,
        reps=TEST_REPS,
        progress=False,
    )
    html = path.read_text(encoding="utf-8")
    ids = _section_ids(html)
    assert "correlations" in ids
    for gone in ("cohort_comparison", "distributions", "supplementation", "simulated_cohort"):
        assert gone not in ids
    reasons = _not_shown(html)
    assert set(reasons) >= {
        "Secondary source vs primary paper",
        "Distributions rebuilt from published quartiles",
        "Effects",
        "Simulated cohort, P-trend and power",
    }
    assert all(r and "\n" not in r for r in reasons.values())  # one line each
    assert "no effects row" in reasons["Effects"]
    # nothing from the bundled data: no bundled country, source or design in the page
    body = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", html, flags=re.S)
    for word in ("Kenya", "Canada", "Cambodia", "Tanzania", "williams2018", "chebaya2017"):
        assert word not in body, word
    assert "Quispe 2026, Peru" in _section(html, "correlations")


def test_cli_report_with_data_package(package: Path, tmp_path: Path, monkeypatch) -> None:
    seen = {}

    def fake(out, *, tables, designs, seed, reps, command, workers):
        seen.update(tables=tables, designs=designs, command=command)
        return Path(out) / "index.html"

    monkeypatch.setattr(report, "build_report", fake)
    out = str(tmp_path / "r")
    assert main(["report", "--out", out, "--data", str(package), "--data-only"]) == 0
    assert seen["designs"] == []
    assert set(seen["tables"]["correlations"]["row_id"]) == {"my_r"}
    assert f"--data {package} --data-only" in seen["command"]
    design_file = tmp_path / "mine.toml"
    get_design("canada").to_toml(design_file)
    args = ["report", "--out", out, "--data", str(package), "--design", str(design_file)]
    assert main([*args, "--design", "kenya"]) == 0
    assert seen["designs"] == [str(design_file), "kenya"]
    assert {"my_r", "w18_milk_inf"} <= set(seen["tables"]["correlations"]["row_id"])

"""The HTML report: content, self-containment, the CLI, and rendering in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from b12stats import __version__, reanalysis, report
from b12stats.cli import main
from b12stats.reanalysis import loglog_band
from b12stats.report.build import render_section, render_table
from b12stats.report.tables import MAX_ROW_COLUMNS, fmt_cell

#: Small Monte Carlo size so the whole report builds in a few seconds in tests.
TEST_REPS = 20
TEST_SEED = 7
#: Sections the report must have, in order.
SECTIONS = (
    "audit",
    "cohort_comparison",
    "distributions",
    "correlations",
    "supplementation",
    "simulated_cohort",
    "ptrend",
    "power",
    "sensitivity",
    "assumptions",
    "sources",
)
#: One embedded figure per analysis section.
N_FIGURES = 9
CHROMIUM_TIMEOUT_S = 90


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[dict[str, str | None]] = []
        self.section_ids: list[str] = []
        self.links: list[str] = []
        self.scripts_with_src = 0
        self.stylesheets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        elif tag == "section" and a.get("id"):
            self.section_ids.append(str(a["id"]))
        elif tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        elif tag == "script" and a.get("src"):
            self.scripts_with_src += 1
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets += 1


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    path = report.build_report(out, seed=TEST_SEED, reps=TEST_REPS, progress=False)
    assert path == out / "index.html"
    return path


@pytest.fixture(scope="module")
def parsed(built: Path) -> tuple[str, _Collect]:
    text = built.read_text(encoding="utf-8")
    p = _Collect()
    p.feed(text)
    return text, p


def test_report_sections_in_order(parsed):
    _, p = parsed
    assert tuple(p.section_ids) == SECTIONS


def test_report_is_self_contained(parsed):
    text, p = parsed
    assert len(p.imgs) == N_FIGURES
    for img in p.imgs:
        assert str(img["src"]).startswith("data:image/png;base64,")
        assert img.get("alt")
    assert p.scripts_with_src == 0 and p.stylesheets == 0
    # the only external references are DOI links a reader may follow
    external = [u for u in p.links if u.startswith("http")]
    assert external and all(u.startswith("https://doi.org/") for u in external)
    assert "not available in this version" not in text


def test_report_states_version_seed_reps_and_date(parsed):
    text, _ = parsed
    assert f"b12stats {__version__}" in text
    assert f"seed {TEST_SEED}" in text
    assert f"{TEST_REPS} Monte Carlo replicates" in text
    assert re.search(r"generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text)
    assert f"b12stats report --seed {TEST_SEED} --reps {TEST_REPS}" in text


def test_report_findings_sources_and_assumptions(parsed):
    text, _ = parsed
    assert text.count('class="finding"') == N_FIGURES
    # sources with their DOIs (primary papers of the reanalysis)
    for doi in ("10.1093/jn/nxx009", "10.3390/nu9030270", "10.1016/j.ajcnut.2023.07.023"):
        assert f'href="https://doi.org/{doi}"' in text
    # the simulation assumptions, e.g. the assumed number of clusters and ICC
    assert "icc_milk" in text and "n_clusters" in text
    # the summary page's medians lie outside every primary CI: the finding says so
    assert "None of the 6 medians of the summary page lies inside" in text


def test_report_escapes_text(parsed):
    text, _ = parsed
    # the printed relation "<" in P values is escaped, never raw markup
    assert "P &lt; 0.001" in text
    body = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", text, flags=re.S)
    stray = re.findall(r"<(?![a-zA-Z/!])", body)
    assert stray == [], "unescaped '<' outside tags"


def test_missing_library_piece_gives_not_available_section():
    def broken() -> report.Section:
        raise ImportError("No module named 'b12stats.nothing'")

    sec = report.run_section("power", "Power by simulation", broken)
    assert not sec.available
    assert "not available in this version" in sec.finding
    html_text = render_section(sec)
    assert "not available in this version" in html_text and "<img" not in html_text


def test_sections_are_the_same_in_parallel():
    """run_sections in 2 forked processes: same sections, same order, same PNG bytes."""
    from b12stats.report.build import run_sections
    from b12stats.report.sections import plan

    items = [i for i in plan(seed=TEST_SEED, reps=TEST_REPS) if i[0] in ("audit", "correlations")]
    items.append(("supplementation", "Effects", lambda: report.Section("x", "Effects")))
    serial = run_sections(items, workers=1)
    parallel = run_sections(items, workers=2)
    assert [s.key for s in parallel] == ["audit", "correlations", "supplementation"]
    for a, b in zip(serial, parallel, strict=True):
        assert (a.finding, a.notes, len(a.rendered)) == (b.finding, b.notes, len(b.rendered))
        assert a.rendered == b.rendered  # the figures, drawn in another process
        assert not a.figures and not b.figures  # drawn once, closed
        for (ca, fa), (cb, fb) in zip(a.tables, b.tables, strict=True):
            assert ca == cb
            pd.testing.assert_frame_equal(fa, fb)
    assert len(parallel[0].rendered) == 1 and not parallel[2].rendered


def _pid() -> int:
    import os

    return os.getpid()


def _job_failing() -> int:
    raise reanalysis.NothingToShow("the job found nothing")


def _needs_pid(pid: int) -> report.Section:
    return report.Section("x", "t", finding=f"job ran in {pid}")


def test_jobs_run_once_and_pass_their_result():
    """A job two sections need runs once (one process id), before them; its error is theirs."""
    from b12stats.report.build import run_sections
    from b12stats.report.sections import Job, Planned

    shared = Job("pid", _pid)
    failing = Job("fail", _job_failing)
    items = [
        Planned("a", "A", _needs_pid, (shared,)),
        ("b", "B", lambda: report.Section("b", "B", finding="no job")),
        Planned("c", "C", _needs_pid, (shared,)),
        Planned("d", "D", _needs_pid, (failing,)),
    ]
    for workers in (1, 2):
        a, b, c, d = run_sections(items, workers=workers)
        assert a.finding == c.finding and a.finding.startswith("job ran in ")
        assert b.finding == "no job"
        assert d.omitted and d.finding == "the job found nothing"
        if workers == 2 and threading.active_count() == 1:  # forked: in a worker, not here
            assert a.finding != f"job ran in {_pid()}"


def test_power_with_coverage_targets_computed_apart_is_the_same():
    """analysis_power given coverage_targets (one call per group) gives the same table."""
    design = "kenya"
    grid = [40, 100, 286]
    targets: dict = {}
    groups = reanalysis.coverage_groups(design, n_dyads=grid)
    assert sorted(n for g in groups for n in g) == grid
    for group in groups:
        targets |= reanalysis.coverage_targets(design, n_dyads=grid, only=group)
    assert set(targets) == {("trend", n) for n in grid}
    plain = reanalysis.analysis_power(reps=TEST_REPS, seed=TEST_SEED, n_dyads=grid)
    given = reanalysis.analysis_power(
        reps=TEST_REPS, seed=TEST_SEED, n_dyads=grid, true_values=targets
    )
    pd.testing.assert_frame_equal(plain.table, given.table, check_exact=True)
    trend = plain.table[plain.table["model"] == "trend"]
    assert trend["true_value"].tolist() == [targets["trend", n] for n in grid]


def test_cli_passes_options(monkeypatch, tmp_path, capsys):
    seen = {}

    def fake(out, *, tables, designs, seed, reps, command, workers):
        seen.update(out=out, tables=tables, designs=designs, seed=seed, reps=reps)
        seen.update(command=command, workers=workers)
        return Path(out) / "index.html"

    monkeypatch.setattr(report, "build_report", fake)
    args = ["report", "--out", str(tmp_path), "--seed", "3", "--reps", "11"]
    assert main([*args, "--design", "kenya", "--design", "canada", "--workers", "1"]) == 0
    assert seen == {
        "out": str(tmp_path),
        "tables": None,
        "designs": ["kenya", "canada"],
        "seed": 3,
        "reps": 11,
        "command": "b12stats report --design kenya --design canada --seed 3 --reps 11",
        "workers": 1,
    }
    assert capsys.readouterr().out.strip() == str(tmp_path / "index.html")
    assert main(["report"]) == 0
    assert (seen["seed"], seen["reps"], seen["designs"], seen["workers"]) == (
        report.DEFAULT_SEED,
        report.DEFAULT_REPS,
        None,
        None,
    )


def test_cli_rejects_unknown_design_before_work(monkeypatch, tmp_path, capsys):
    def fake(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("the report was built")

    monkeypatch.setattr(report, "build_report", fake)
    assert main(["report", "--out", str(tmp_path), "--design", "atlantis"]) == 2
    err = capsys.readouterr().err
    assert "unknown design 'atlantis'" in err and err.count("\n") == 1


def test_cli_rejects_bad_reps(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path), "--reps", "0"]) == 2
    assert "reps must be a whole number >= 1" in capsys.readouterr().err
    assert not (tmp_path / "index.html").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium_cmd(exe: str, profile: Path) -> list[str]:
    return [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def test_report_renders_in_headless_chromium(built, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("chromium not installed: apt-get install chromium (CI installs it)")
    dom = subprocess.run(
        [*_chromium_cmd(exe, tmp_path / "profile"), "--dump-dom", built.as_uri()],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_S,
        check=True,
    ).stdout
    # the page's own script counts images with complete && naturalWidth > 0 on load
    match = re.search(r'data-images-loaded="([^"]*)"', dom)
    assert match is not None, "body attribute missing from the rendered DOM"
    assert match.group(1) == f"{N_FIGURES}/{N_FIGURES}"
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            *_chromium_cmd(exe, tmp_path / "profile2"),
            f"--screenshot={shot}",
            "--window-size=1200,3000",
            built.as_uri(),
        ],
        capture_output=True,
        timeout=CHROMIUM_TIMEOUT_S,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


#: The band comes from two iteratively fitted GEEs; both stop at the fit tolerance,
#: so agreement with a direct statsmodels covariance is to about 1e-8 relative.
BAND_RTOL = 1e-6


def test_loglog_band_matches_direct_covariance():
    # independent route: statsmodels GEE with the same estimator (geepack's
    # ddof_scale=0), the full robust covariance, and the delta method on log scale
    import numpy as np
    import statsmodels.api as sm
    from numpy.testing import assert_allclose
    from scipy import stats

    from b12stats.simulate import get_design, simulate_cohort

    d = simulate_cohort(get_design("kenya"), rng=5)
    grid = np.array([20.0, 100.0, 500.0])
    line, _ = loglog_band(d, groups="cluster", grid=grid)
    frame = d.assign(lm=np.log(d["milk_b12"]), li=np.log(d["infant_b12"]))
    fit = sm.GEE.from_formula(
        "li ~ lm", groups="cluster", data=frame, cov_struct=sm.cov_struct.Exchangeable()
    ).fit(ddof_scale=0)
    x = np.column_stack([np.ones(3), np.log(grid)])
    se = np.sqrt(np.einsum("ij,jk,ik->i", x, fit.cov_params().to_numpy(), x))
    z = stats.norm.ppf(0.975)
    eta = x @ fit.params.to_numpy()
    assert_allclose(line["estimate"], np.exp(eta), rtol=BAND_RTOL)
    assert_allclose(line["ci_low"], np.exp(eta - z * se), rtol=BAND_RTOL)
    assert_allclose(line["ci_high"], np.exp(eta + z * se), rtol=BAND_RTOL)


def test_report_tables_are_readable(parsed):
    text, _ = parsed
    # the audit's detail column gets room to wrap (it used to be squeezed to a few words)
    assert '<th class="txt wide">detail</th>' in text
    # a reader's table never shows more than four significant digits
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", text)
    assert cells
    decimals = [c for c in cells if re.fullmatch(r"-?\d*\.\d+(e[-+]?\d+)?", c)]
    assert decimals

    def significant(c: str) -> int:
        return len(c.lstrip("-").split("e")[0].replace(".", "").lstrip("0"))

    assert [c for c in decimals if significant(c) > 4] == []
    # the failing claims get their own short table before the full one: as many rows
    # as the finding counts, each with a failing verdict
    found = re.search(r"checks of published claims, (\d+) find a problem", text)
    assert found is not None
    n_fail = int(found.group(1))
    block = re.search(r"The (\d+) claims that fail.*?</table>", text, flags=re.S)
    assert block is not None and int(block.group(1)) == n_fail
    verdicts = re.findall(r'<td class="v-(\w+)">', block.group(0))
    assert verdicts == ["bad"] * n_fail
    # the one-row Kenya summary is shown as quantity/value pairs, not one very wide row
    assert "<th>quantity</th><th>value</th>" in text


def test_fmt_cell_p_values_and_missing():
    assert fmt_cell(3.0661234e-05, p_value=True) == "3.1e-05"
    assert fmt_cell(0.0249411, p_value=True) == "0.025"
    assert fmt_cell(0.1446798) == "0.1447"
    assert fmt_cell(float("nan")) == ""
    assert fmt_cell(True) == "yes"


def test_distributions_finding_lists_one_comparison_per_share(parsed):
    text, _ = parsed
    section = re.search(r'<section id="distributions">.*?</section>', text, flags=re.S)
    assert section is not None
    box = re.search(r'<div class="finding"><p>(.*?)</p><ul>(.*?)</ul></div>', section.group(0))
    assert box is not None
    items = re.findall(r"<li>(.*?)</li>", box.group(2))
    n_rows = len(reanalysis.analysis_distributions().table)
    assert len(items) == n_rows >= 1
    agree = sum(i.endswith("(agrees)") for i in items)
    assert f"{agree} of {n_rows} printed shares" in box.group(1)


def test_sources_grouped_by_kind_primary_first(parsed):
    text, _ = parsed
    section = re.search(r'<section id="sources">.*?</section>', text, flags=re.S)
    assert section is not None
    headings = re.findall(r"<h3>(.*?)</h3>", section.group(0))
    assert headings[0] == "Primary papers"
    assert headings == [h for h in report.SOURCE_KIND_HEADINGS.values() if h in headings]
    from b12stats.data import load_sources

    # every source listed once; the secondary page says which paper it claims to report
    assert section.group(0).count("<li>") == len(load_sources())
    assert "Claims to report <code>chebaya2017</code>" in section.group(0)


def test_one_wide_row_is_shown_down_the_page() -> None:
    wide = pd.DataFrame([{f"c{i}": i + 0.5 for i in range(MAX_ROW_COLUMNS + 1)}])
    out = render_table(wide)
    assert "<th>quantity</th>" in out and out.count("<tr>") == MAX_ROW_COLUMNS + 2
    narrow = wide.iloc[:, :MAX_ROW_COLUMNS]
    assert "quantity" not in render_table(narrow)


#: The curve and the shaded share are one closed form evaluated twice: equal to rounding.
SAME_DISTRIBUTION_RTOL = 1e-12


def test_distribution_curve_and_shaded_share_come_from_one_lognormal():
    # the Cambodian infants' panel once drew its curve with a t-based log-scale sigma
    # (share above 221 pmol/L 0.818) and shaded the audit's delta-method share (0.815)
    from numpy.testing import assert_allclose

    res = reanalysis.analysis_distributions()
    checked = 0
    for panel in res.panels:
        for share in panel.shares.itertuples():
            below = float(panel.fit.cdf(share.cutoff))
            curve = below if share.side in ("below", "at_or_below") else 1.0 - below
            assert_allclose(curve, share.estimate, rtol=SAME_DISTRIBUTION_RTOL)
            checked += 1
    assert checked >= len(res.table)
    table = res.table.set_index("summary_row_id")
    assert (table["sigma"] > 0).all()


def test_gee_predict_rejects_missing_terms():
    from b12stats.errors import OptionError
    from b12stats.simulate import get_design, simulate_cohort

    d = simulate_cohort(get_design("kenya"), rng=5)
    _, fit = loglog_band(d, groups="cluster", grid=np.array([100.0]))
    with pytest.raises(OptionError, match="missing terms"):
        fit.predict({"milk_b12": [1.0]})

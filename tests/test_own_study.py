"""Issue 12, end to end: a researcher's own dyad study through the command line alone.

A new study (``okello2026``, cohort ``kisumu_dyads``: 120 mother-infant dyads, median and
IQR of milk and infant serum B12, two correlations with P and n, a share of infants below
220 pmol/L) is written into the package ``b12stats init`` makes, the way a researcher fills
it: the header is read from the file init wrote, the rows are appended. One correlation is
a planted impossible triple (r = 0.10, n = 500, P = 0.90 printed: r = 0.10 with n = 500 gives
P of about 0.025). Then ``data --data`` validates and lists it, ``reproduce --data`` finds the
plant, ``design --data`` builds a design file from the cohort's rows, ``simulate`` and
``power`` run on it with their defaults, and ``report --data --design`` covers the study.
Last, bad packages and bad design files: each gives one error line naming the file and
where in it, and exit status 2.

The steps are module-scoped fixtures (each command runs once); a failing step shows as
errors in the steps that need its output. Expected numbers are closed forms computed here
(t test of r, log-normal from quartiles, Greiner's relation, Fisher-z power), not
b12stats's own output.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from b12stats.cli import main

SOURCE_ID = "okello2026"
SOURCE_LABEL = "Okello 2026"  # first author and year, as a report names a source
COHORT = "kisumu_dyads"
TIMEPOINT = "2 months postpartum"
PLANTED = "ok26_mat_milk"  # r = 0.10, P = 0.90, n = 500: impossible
GOOD = "ok26_milk_inf"  # r_s = 0.35, P < 0.001, n = 120: fits

#: every table of the bundled data; init writes one CSV per table
TABLES = (
    "sources",
    "cohorts",
    "concentrations",
    "comparisons",
    "correlations",
    "prevalences",
    "effects",
    "reference_values",
    "claims",
    "claim_judgements",
)

#: the study as printed, one dict per row, by table (column names from the schemas)
STUDY: dict[str, list[dict[str, str]]] = {
    "sources": [
        {
            "source_id": SOURCE_ID,
            "kind": "primary",
            "authors": "Okello J, Mwangi P, Achieng R",
            "year": "2026",
            "title": "Breast-milk and infant vitamin B12 in Kisumu mother-infant dyads",
            "journal": "Example J Nutr",
            "verified": "true",
        }
    ],
    "cohorts": [
        {
            "row_id": "ok26_n",
            "source_id": SOURCE_ID,
            "cohort": COHORT,
            "country": "Kenya",
            "location": "Methods",
            "attribute": "n_participants",
            "value_num": "120",
            "unit": "dyads",
            "text": "120 mother-infant dyads were enrolled at 2 months postpartum",
        }
    ],
    "concentrations": [
        {
            "row_id": "ok26_milk",
            "source_id": SOURCE_ID,
            "cohort": COHORT,
            "location": "Table 1",
            "timepoint": TIMEPOINT,
            "compartment": "milk",
            "group": "all",
            "n": "120",
            "statistic": "median",
            "value": "180",
            "q1": "110",
            "q3": "290",
            "unit": "pmol/L",
            "text": "Median (IQR) breast-milk vitamin B12 was 180 (110, 290) pmol/L",
        },
        {
            "row_id": "ok26_infant",
            "source_id": SOURCE_ID,
            "cohort": COHORT,
            "location": "Table 1",
            "timepoint": TIMEPOINT,
            "compartment": "infant_serum",
            "group": "all",
            "n": "120",
            "statistic": "median",
            "value": "260",
            "q1": "190",
            "q3": "370",
            "unit": "pmol/L",
            "text": "Median (IQR) infant serum vitamin B12 was 260 (190, 370) pmol/L",
        },
    ],
    "correlations": [
        {
            "row_id": GOOD,
            "source_id": SOURCE_ID,
            "cohort": COHORT,
            "location": "Results",
            "var_x": "milk",
            "var_y": "infant_blood",
            "coefficient": "spearman",
            "adjusted": "false",
            "r": "0.35",
            "p_text": "P < 0.001",
            "n": "120",
            "significant": "true",
            "supplemented": "false",
            "text": "Milk and infant serum B12 were correlated (rs = 0.35, P < 0.001, n = 120)",
        },
        {
            "row_id": PLANTED,
            "source_id": SOURCE_ID,
            "cohort": COHORT,
            "location": "Results",
            "var_x": "maternal_blood",
            "var_y": "milk",
            "coefficient": "pearson",
            "adjusted": "false",
            "r": "0.10",
            "p_text": "P = 0.90",
            "n": "500",
            "significant": "false",
            "supplemented": "false",
            "text": "Maternal serum and milk B12 were unrelated (r = 0.10, P = 0.90, n = 500)",
        },
    ],
    "prevalences": [
        {
            "row_id": "ok26_inf_220",
            "source_id": SOURCE_ID,
            "cohort": COHORT,
            "location": "Results",
            "timepoint": TIMEPOINT,
            "compartment": "infant_serum",
            "group": "all",
            "condition": "infant serum B12 below the adequacy cut-off",
            "relation": "<",
            "cutoff": "220",
            "unit": "pmol/L",
            "percent": "35",
            "n": "120",
            "text": "35% of infants had serum vitamin B12 <220 pmol/L",
        }
    ],
}

#: z of the upper quartile of the standard normal
Z75 = float(stats.norm.ppf(0.75))
#: closed forms (log-normal from quartiles, Greiner's relation) against the design file
CLOSED_FORM_RTOL = 1e-10
#: Monte Carlo checks: this many standard errors (fixed seeds)
MC_SES = 4.0


@dataclass(frozen=True)
class Run:
    """What one command did: exit status, stdout, stderr."""

    code: int
    out: str
    err: str


def _main(argv: tuple[str | Path, ...]) -> int:
    """``main``'s exit status; argparse's usage errors exit (status 2) instead of returning."""
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def run(*argv: str | Path) -> Run:
    """``b12stats ARGV`` in-process (``b12stats.cli.main``), its output captured.

    The module-scoped steps cannot use ``capsys`` (function-scoped), so output is
    captured here; the bad-input tests use ``capsys``.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _main(argv)
    return Run(code, out.getvalue(), err.getvalue())


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Run:
    """``b12stats ARGV`` in-process, output read with ``capsys``."""
    capsys.readouterr()
    code = _main(argv)
    out, err = capsys.readouterr()
    return Run(code, out, err)


def append_rows(pkg: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Append rows to a package file under the header the file already has.

    A key that is not a column of that header is an error (``csv.DictWriter``), so the
    header init wrote must hold every column the study fills.
    """
    path = pkg / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with open(path, "a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def line_of(path: Path, key: str, value: str) -> int:
    """Line (header = 1) of the row whose ``key`` is ``value``, read with the csv module."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            if row[key] == value:
                return reader.line_num
    raise AssertionError(f"{value} not in {path}")


def two_sided_p(r: float, n: int) -> float:
    """P of Pearson's r from the t distribution with n - 2 degrees of freedom."""
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), n - 2))


def section(html: str, section_id: str) -> str:
    """The text of ``<section id=...>`` in the report (tags removed)."""
    m = re.search(rf'<section id="{section_id}"[^>]*>(.*?)</section>', html, flags=re.S)
    assert m is not None, f"no section {section_id!r} in the report"
    return re.sub(r"<[^>]+>", " ", m.group(1))


def one_error_line(result: Run) -> str:
    """Assert exit status 2 and exactly one ``error:`` line on stderr; return it."""
    assert result.code == 2, (result.code, result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.err
    return lines[0]


# --- the steps ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("own_study")


@pytest.fixture(scope="module")
def init_run(work: Path) -> Run:
    return run("init", work / "study")


@pytest.fixture(scope="module")
def package(work: Path, init_run: Run) -> Path:
    """init, then the study's rows appended to the files init wrote."""
    assert init_run.code == 0, init_run.err
    pkg = work / "study"
    for table, rows in STUDY.items():
        append_rows(pkg, table, rows)
    return pkg


@pytest.fixture(scope="module")
def audit_run(work: Path, package: Path) -> tuple[Run, Path]:
    out = work / "audit"
    return run("reproduce", "--data", package, "--out", out), out


@pytest.fixture(scope="module")
def design_file(work: Path, package: Path) -> Path:
    path = work / "d.toml"
    result = run("design", "--data", package, "--cohort", COHORT, "--out", path)
    assert result.code == 0, result.err
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def design_doc(design_file: Path) -> dict[str, object]:
    with open(design_file, "rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def report_html(work: Path, package: Path, design_file: Path) -> str:
    out = work / "R"
    result = run("report", "--data", package, "--design", design_file, "--reps", "20",
                 "--out", out)  # fmt: skip
    assert result.code == 0, result.err
    return (out / "index.html").read_text(encoding="utf-8")


def test_init_writes_a_package_to_fill_in(work: Path, init_run: Run) -> None:
    assert init_run.code == 0, init_run.err
    pkg = work / "study"
    names = {p.name for p in pkg.iterdir()}
    assert names == {f"{t}.csv" for t in TABLES} | {"datapackage.json", "README.md"}
    for table in TABLES:  # a header and nothing else
        header, rows = read_rows(pkg / f"{table}.csv")
        assert header and rows == [], table
    package = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} == set(TABLES)
    assert f"b12stats data --data {pkg}" in init_run.out + init_run.err  # the next step


def test_schema_and_readme_describe_every_column_the_study_fills(
    init_run: Run, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init_run.code == 0, init_run.err
    readme = (work / "study" / "README.md").read_text(encoding="utf-8")
    for table, rows in STUDY.items():
        schema = cli(capsys, "data", table, "--schema")
        assert schema.code == 0, schema.err
        assert f"{table}.csv" in readme
        for column in {c for row in rows for c in row}:
            assert re.search(rf"^\s*{column}\b", schema.out, flags=re.M), (table, column)
            assert f"| `{column}` |" in readme, (table, column)


def test_the_planted_triple_is_impossible_and_the_other_fits() -> None:
    """Independent of b12stats: the t test of r."""
    assert two_sided_p(0.10, 500) < 0.05  # printed P = 0.90
    assert 2.0 * stats.t.sf(0.35 * math.sqrt(118 / (1 - 0.35**2)), 118) < 0.001  # P < 0.001


def test_data_validates_and_lists_the_package(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = cli(capsys, "data", "--data", package)
    assert listing.code == 0, listing.err
    assert str(package) in listing.out and "valid" in listing.out
    counts = {}
    for line in listing.out.splitlines():
        words = line.split()
        if words and words[0] in TABLES:
            counts[words[0]] = int(words[-1])  # the package's column is the last
    assert counts == {t: len(STUDY.get(t, [])) for t in TABLES}

    joined = cli(capsys, "data", "correlations", "--data", package, "--format", "csv")
    assert joined.code == 0, joined.err
    ids = pd.read_csv(io.StringIO(joined.out))["row_id"].tolist()
    assert {GOOD, PLANTED} <= set(ids) and len(ids) > 2  # with the bundled rows

    alone = cli(capsys, "data", "correlations", "--data", package, "--data-only",
                "--format", "csv")  # fmt: skip
    assert alone.code == 0, alone.err
    assert pd.read_csv(io.StringIO(alone.out))["row_id"].tolist() == [GOOD, PLANTED]


def test_the_installed_entry_point_validates_the_package(package: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "b12stats", "data", "--data", str(package)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(package) in proc.stdout


def test_reproduce_finds_the_planted_triple(audit_run: tuple[Run, Path]) -> None:
    result, out = audit_run
    assert result.code == 0, result.err  # without --strict
    audit = pd.read_csv(out / "audit.csv")
    mine = audit[audit["source_id"] == SOURCE_ID].set_index("check_id")
    assert len(audit) > len(mine) > 0  # joined with the bundled rows
    planted = mine.loc[mine.index.str.startswith(f"{PLANTED}:")]
    assert planted["verdict"].tolist() == ["inconsistent"], planted
    assert "500" in planted["detail"].iloc[0]  # names the printed n
    assert (mine.loc[mine.index.str.startswith(f"{GOOD}:"), "verdict"] == "reproduced").all()
    others = mine.drop(planted.index)
    bad = others["verdict"].isin(["inconsistent", "conflicts_with_primary"])
    assert not bad.any(), others[bad]
    assert PLANTED in result.out  # the table on stdout lists it too


def test_reproduce_data_only_audits_the_package_alone(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli(capsys, "reproduce", "--data", package, "--data-only", "--strict",
                 "--format", "csv")  # fmt: skip
    assert result.code == 1, result.err  # --strict: the plant is inconsistent
    audit = pd.read_csv(io.StringIO(result.out))
    assert set(audit["source_id"]) == {SOURCE_ID}
    assert (
        audit.loc[audit["verdict"] == "inconsistent", "check_id"]
        .str.startswith(f"{PLANTED}:")
        .all()
    )


def test_design_reads_the_cohorts_published_rows(design_doc: dict[str, object]) -> None:
    d = design_doc

    def entry(key: str) -> dict[str, object]:
        value = d[key]
        assert isinstance(value, dict), (key, value)
        return value

    assert (entry("correlation")["value"], entry("correlation")["source"]) == (0.35, GOOD)
    assert entry("correlation_scale")["value"] == "spearman"  # the row's coefficient
    assert entry("n_dyads")["value"] == 120
    assert entry("adequacy_cutoff")["value"] == 220.0
    assert entry("adequacy_cutoff")["source"] == "ok26_inf_220"
    for key in ("n_clusters", "icc_milk", "icc_infant"):  # not published: assumed, with why
        assert isinstance(entry(key).get("reason"), str) and entry(key)["reason"], key
        assert "source" not in entry(key), key
    # log-normal marginals from the quartiles: sigma = log(Q3/Q1) / (2 z_.75); mu between
    # log(median) (median + IQR fit) and the mean of the three log quartiles (least squares)
    for name, (q1, med, q3), row_id in (
        ("milk", (110, 180, 290), "ok26_milk"),
        ("infant", (190, 260, 370), "ok26_infant"),
    ):
        marginal = entry(name)
        mu, sigma = marginal["mu"], marginal["sigma"]
        assert isinstance(mu, dict) and isinstance(sigma, dict)
        assert mu["source"] == sigma["source"] == row_id
        np.testing.assert_allclose(
            sigma["value"], math.log(q3 / q1) / (2 * Z75), rtol=CLOSED_FORM_RTOL
        )
        ends = sorted([math.log(med), np.mean(np.log([q1, med, q3]))])
        assert ends[0] - 1e-12 <= float(mu["value"]) <= ends[1] + 1e-12, (name, mu)
    assert PLANTED not in json.dumps(d)  # the impossible row is not the design's r


def test_design_describe_says_published_and_assumed(
    design_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli(capsys, "design", "--describe", design_file)
    assert result.code == 0, result.err
    published = [line for line in result.out.splitlines() if " published " in line]
    assumed = [line for line in result.out.splitlines() if " assumed " in line]
    assert any(GOOD in line and "correlation" in line for line in published)
    assert any("ok26_milk" in line for line in published)
    assert any("n_clusters" in line for line in assumed)


def test_simulate_from_the_design(
    work: Path, design_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = work / "c.csv"
    result = cli(capsys, "simulate", "--design", design_file, "--seed", "1", "--out", out)
    assert result.code == 0, result.err
    cohort = pd.read_csv(out)
    assert len(cohort) == 120  # the design's n, the published n
    assert {"milk_b12", "infant_b12"} <= set(cohort.columns)
    sidecar = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
    assert sidecar["seed"] == 1
    # the median of log-normal draws: SE of log median = sqrt(pi / 2) sigma / sqrt(n)
    sigma = math.log(290 / 110) / (2 * Z75)
    se = math.sqrt(math.pi / 2) * sigma / math.sqrt(len(cohort))
    assert abs(math.log(cohort["milk_b12"].median()) - math.log(180)) < MC_SES * se


def test_simulate_hits_the_published_spearman_r(
    work: Path, design_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = work / "big.csv"
    n = 20_000
    result = cli(capsys, "simulate", "--design", design_file, "--n-dyads", str(n),
                 "--seed", "2", "--out", out)  # fmt: skip
    assert result.code == 0, result.err
    cohort = pd.read_csv(out)
    rs = stats.spearmanr(cohort["milk_b12"], cohort["infant_b12"]).statistic
    # var(atanh r_s) = 1.06 / (n - 3) (Fieller, Hartley & Pearson 1957), by the delta method
    se = (1 - 0.35**2) * math.sqrt(1.06 / (n - 3))
    assert abs(rs - 0.35) < MC_SES * se, rs


def test_power_with_default_options(
    work: Path, design_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = work / "p.csv"
    result = cli(capsys, "power", "--design", design_file, "--n-dyads", "100", "--reps", "50",
                 "--seed", "1", "--out", out)  # fmt: skip
    assert result.code == 0, result.err
    table = pd.read_csv(out, comment="#")
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["design"], row["n_dyads"], row["reps"], row["seed"]) == (COHORT, 100, 50, 1)
    assert row["nonconverged_share"] == 0
    # the log-log slope test is the test of the Pearson r of the logs, which a Spearman
    # r_s of bivariate normals gives as 2 sin(pi r_s / 6) (Greiner); Fisher-z power
    rho = 2 * math.sin(math.pi * 0.35 / 6)
    expected = stats.norm.cdf(math.atanh(rho) * math.sqrt(100 - 3) - stats.norm.ppf(0.975))
    mcse = math.sqrt(expected * (1 - expected) / 50)
    assert abs(row["power"] - expected) < MC_SES * mcse, (row["power"], expected)


def test_report_covers_the_study(report_html: str) -> None:
    for section_id in ("distributions", "correlations"):
        text = section(report_html, section_id)
        assert SOURCE_LABEL in text or COHORT in text, section_id
    assert PLANTED in section(report_html, "audit")
    assert COHORT in report_html  # the design given has its simulation and power


# --- bad packages: one error line naming the file and where in it, exit 2 ----------------------


def _edit(table: str, key_value: str, /, **cells: str) -> Callable[[Path], tuple[str, int]]:
    """A change of one row's cells; returns the file and line of the row."""

    def apply(pkg: Path) -> tuple[str, int]:
        path = pkg / f"{table}.csv"
        header, rows = read_rows(path)
        key = "source_id" if table == "sources" else "row_id"
        line = line_of(path, key, key_value)
        (row,) = [r for r in rows if r[key] == key_value]
        row.update(cells)
        write_rows(path, header, rows)
        return f"{table}.csv", line

    return apply


def _width(delta: int) -> Callable[[Path], tuple[str, int]]:
    """A correlations row with one value too few (-1) or too many (+1)."""

    def apply(pkg: Path) -> tuple[str, int]:
        path = pkg / "correlations.csv"
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        values = next(csv.reader([lines[-1]]))
        values[0] = "ok26_extra"
        values = values[:-1] if delta < 0 else [*values, "x"]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(values)
        path.write_text(text + buf.getvalue(), encoding="utf-8")
        return "correlations.csv", len(lines) + 1

    return apply


#: (case, change, column named, words of the message)
BAD_PACKAGES = [
    ("required", _edit("concentrations", "ok26_milk", timepoint=""), "timepoint", "required"),
    ("number", _edit("concentrations", "ok26_milk", value="1o8"), "value", "number"),
    ("integer", _edit("correlations", GOOD, n="120.5"), "n", "whole number"),
    ("boolean", _edit("correlations", GOOD, adjusted="maybe"), "adjusted", "true or false"),
    (
        "allowed",
        _edit("concentrations", "ok26_milk", compartment="breast_milk"),
        "compartment",
        "not allowed",
    ),
    ("maximum", _edit("correlations", GOOD, r="1.35"), "r", "maximum"),
    ("minimum", _edit("concentrations", "ok26_infant", n="0"), "n", "minimum"),
    ("ordered", _edit("concentrations", "ok26_milk", q1="200"), "q1", "q1 <= value <= q3"),
    ("together", _edit("concentrations", "ok26_milk", q3=""), "q3", "together"),
    ("one_of", _edit("prevalences", "ok26_inf_220", percent=""), "percent", "one of"),
    ("different", _edit("correlations", PLANTED, var_y="maternal_blood"), "var_y", "different"),
    ("p_text", _edit("correlations", GOOD, p_text="significant"), "p_text", "P value"),
    (
        "fraction",
        _edit("prevalences", "ok26_inf_220", percent="", fraction="1:3"),
        "fraction",
        "p/q",
    ),
    ("unknown_source", _edit("correlations", GOOD, source_id="ok2025"), "source_id", "ok2025"),
    ("unknown_cohort", _edit("correlations", GOOD, cohort="kisumu"), "cohort", "kisumu"),
    ("row_shorter", _width(-1), None, "header"),
    ("row_longer", _width(+1), None, "header"),
]


@pytest.fixture
def copy(package: Path, tmp_path: Path) -> Path:
    """A copy of the good study package to break."""
    return Path(shutil.copytree(package, tmp_path / "bad"))


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [pytest.param(c, col, w, id=case) for case, c, col, w in BAD_PACKAGES],
)
def test_a_bad_package_is_one_error_line(
    copy: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Path], tuple[str, int]],
    column: str | None,
    words: str,
) -> None:
    name, line = change(copy)
    error = one_error_line(cli(capsys, "data", "--data", copy))
    assert f"{copy / name}, line {line}" in error, error
    if column is not None:
        assert f"column {column}:" in error, error
    assert words in error, error


@pytest.mark.parametrize(
    ("table", "key", "bundled_id"),
    [("correlations", "row_id", "w18_milk_inf"), ("sources", "source_id", "williams2018")],
)
def test_an_id_of_the_bundled_data_names_both_places(
    copy: Path, capsys: pytest.CaptureFixture[str], table: str, key: str, bundled_id: str
) -> None:
    """The ids are looked up in ``data TABLE --format csv``, as a researcher would."""
    listed = cli(capsys, "data", table, "--format", "csv")
    assert bundled_id in set(pd.read_csv(io.StringIO(listed.out))[key])
    mine = GOOD if table == "correlations" else SOURCE_ID
    name, line = _edit(table, mine, **{key: bundled_id})(copy)
    error = one_error_line(cli(capsys, "data", "--data", copy))
    assert f"{copy / name}, line {line}, column {key}:" in error, error
    assert f"bundled {table}.csv, line " in error, error  # the other place


def test_an_id_used_twice_in_the_package_names_both_places(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, line = _edit("prevalences", "ok26_inf_220", row_id="ok26_milk")(copy)
    first = line_of(copy / "concentrations.csv", "row_id", "ok26_milk")
    error = one_error_line(cli(capsys, "data", "--data", copy))
    assert f"{copy / name}, line {line}, column row_id:" in error, error
    assert f"{copy / 'concentrations.csv'}, line {first}" in error, error


def test_a_package_without_sources_csv(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "sources.csv").unlink()
    error = one_error_line(cli(capsys, "data", "--data", copy))
    assert "sources.csv" in error, error


@pytest.mark.parametrize(
    "command",
    [
        ["reproduce"],
        ["meta"],
        ["design", "--cohort", COHORT, "--out", "OUT/d.toml"],
        ["report", "--reps", "20", "--out", "OUT/R"],
    ],
    ids=lambda c: c[0],
)
def test_every_command_validates_the_package_before_any_work(
    copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    name, line = _edit("correlations", GOOD, r="1.35")(copy)
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    error = one_error_line(cli(capsys, *argv, "--data", copy))
    assert f"{copy / name}, line {line}, column r:" in error, error
    assert not (tmp_path / "out").exists()  # nothing written


# --- bad design files ----------------------------------------------------------------------------


def _drop_table(key: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        start = text.index(f"\n[{key}]\n")
        end = text.index("\n[", start + 1)
        return text[:start] + text[end:]

    return apply


def _set_value(key: str, value: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        new, count = re.subn(rf"(\n\[{re.escape(key)}\]\nvalue = )[^\n]+", rf"\g<1>{value}", text)
        assert count == 1, key
        return new

    return apply


def _add_key(line: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        return text.replace("\n[correlation]\n", f"\n{line}\n\n[correlation]\n", 1)

    return apply


#: (case, change of the file's text, key named, words of the message, named with a line)
BAD_DESIGNS = [
    ("missing_correlation", _drop_table("correlation"), "correlation", "missing", False),
    ("r_above_one", _set_value("correlation", "1.5"), "correlation", "1.5", True),
    ("negative_sigma", _set_value("milk.sigma", "-0.7"), "milk.sigma", "-0.7", True),
    ("no_dyads", _set_value("n_dyads", "0"), "n_dyads", "0", True),
    ("icc_of_one", _set_value("icc_infant", "1.0"), "icc_infant", "1", True),
    ("not_a_number", _set_value("n_dyads", '"many"'), "n_dyads", "many", True),
    ("unknown_key", _add_key('colour = "red"'), "colour", "unknown key", True),
]


@pytest.mark.parametrize(
    ("change", "key", "words", "with_line"),
    [pytest.param(c, k, w, wl, id=case) for case, c, k, w, wl in BAD_DESIGNS],
)
@pytest.mark.parametrize("command", ["simulate", "power"])
def test_a_bad_design_file_is_one_error_line(
    design_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[str], str],
    key: str,
    words: str,
    with_line: bool,
    command: str,
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(change(design_file.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "x.csv"
    argv = ["--design", bad, "--seed", "1", "--out", out]
    if command == "power":
        argv += ["--reps", "5"]
    error = one_error_line(cli(capsys, command, *argv))
    assert str(bad) in error, error
    assert key in error and words in error, error
    if with_line:
        assert re.search(rf"{re.escape(str(bad))}, line \d+", error), error
    assert not out.exists()


# --- the walk-through in the docs is this study --------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
DOCS = {
    "docs/own_study.rst": REPO / "docs" / "own_study.rst",
    "README.md": REPO / "README.md",
}
HEREDOC = re.compile(r"^cat >> my_study/(\w+)\.csv <<'EOF'$")


def console_lines(name: str) -> list[str]:
    """The lines of the console code blocks of the walk-through (README: its section)."""
    text = DOCS[name].read_text(encoding="utf-8")
    if name == "README.md":
        start = text.find("\n## Your own study\n")
        assert start >= 0, "README.md has no '## Your own study' section"
        end = text.find("\n## ", start + 1)
        section_text = text[start : end if end >= 0 else None]
        blocks = re.findall(r"^```console\n(.*?)^```$", section_text, flags=re.S | re.M)
        return [line for block in blocks for line in block.splitlines()]
    lines = []
    for block in re.split(r"^\.\. code-block:: ", text, flags=re.M)[1:]:
        language, _, body = block.partition("\n")
        if language.strip() != "console":
            continue
        for line in body.splitlines()[1:]:  # the blank line after the directive
            if line and not line.startswith("   "):
                break
            lines.append(line[3:])
    return lines


def heredocs(lines: list[str]) -> dict[str, list[str]]:
    """``cat >> my_study/TABLE.csv <<'EOF'`` blocks: table -> its lines."""
    found: dict[str, list[str]] = {}
    table = None
    for line in lines:
        m = HEREDOC.match(line)
        if m:
            table = m.group(1)
            found[table] = []
        elif line == "EOF":
            table = None
        elif table is not None:
            found[table].append(line)
    return found


@pytest.mark.parametrize("name", list(DOCS))
def test_the_walk_through_fills_this_study(name: str, package: Path) -> None:
    """The rows the docs append, read under init's headers, are the rows tested here."""
    blocks = heredocs(console_lines(name))
    assert set(blocks) == set(STUDY), name
    for table, lines in blocks.items():
        header = (package / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
        rows = list(csv.DictReader(io.StringIO("\n".join([header, *lines]))))
        assert [{k: v for k, v in r.items() if v} for r in rows] == STUDY[table], (name, table)


@pytest.mark.parametrize("name", list(DOCS))
def test_the_walk_through_commands_parse(name: str) -> None:
    """Every ``b12stats`` line of the walk-through is accepted by the parser (not run)."""
    import shlex

    from b12stats.cli import build_parser

    lines = console_lines(name)
    commands = [line.split("  #")[0] for line in lines if line.startswith("b12stats ")]
    used = {shlex.split(c)[1] for c in commands}
    assert {"init", "data", "reproduce", "meta", "design", "simulate", "power", "report"} <= used
    for command in commands:
        try:
            build_parser().parse_args(shlex.split(command)[1:])
        except SystemExit:  # argparse printed why on stderr
            pytest.fail(f"{name}: {command!r} is not accepted")

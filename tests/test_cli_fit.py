"""End-to-end tests of ``b12stats fit`` through ``b12stats.cli.main``.

Expected numbers are geepack's (``tests/reference/geepack_results.csv``, see
``tests/test_models.py`` for how they were made and the tolerances' reasons).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from b12stats import models
from b12stats.cli import fit as cli_fit
from b12stats.cli import main

REFERENCE = Path(__file__).resolve().parent / "reference"
DIETOX = REFERENCE / "geepack_data_dietox.csv"
OHIO = REFERENCE / "geepack_data_ohio.csv"
RESULTS = pd.read_csv(REFERENCE / "geepack_results.csv")

#: Issue 4 contract (coefficients 1e-5, robust SEs 1e-3 relative to geepack).
COEF_RTOL = 1e-5
SE_RTOL = 1e-3


def _reference(model: str, cov_struct: str) -> pd.DataFrame:
    rows = RESULTS[(RESULTS["model"] == model) & (RESULTS["cov_struct"] == cov_struct)]
    return rows.set_index("term")


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


def test_gaussian_fit_writes_csv_matching_geepack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "fit.csv"
    code = main(
        [
            "fit",
            str(DIETOX),
            "--formula",
            "Weight ~ Time + C(Cu)",
            "--groups",
            "Pig",
            "--cov-struct",
            "independence",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "GEE gaussian/identity, independence, robust SE" in captured.out
    assert "861 observations in 72 clusters" in captured.out
    assert "C(Cu)[T.Cu035]" in captured.out
    assert "odds_ratio" not in captured.out
    assert captured.err == ""
    table = pd.read_csv(out).set_index("term")
    assert list(table.reset_index().columns[:10]) == list(models.COEFFICIENT_COLUMNS)
    ref = _reference("dietox_gaussian", "independence")
    assert_allclose(table.loc[ref.index, "estimate"], ref["estimate"], rtol=COEF_RTOL)
    assert_allclose(table.loc[ref.index, "se"], ref["se"], rtol=SE_RTOL)
    assert (table["n_clusters"] == 72).all()
    assert not list(tmp_path.glob("sub/.*tmp"))  # atomic write left no temp file


def test_binomial_fit_prints_odds_ratios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ohio.csv"
    argv = ["fit", str(OHIO), "--formula", "resp ~ age + smoke", "--groups", "id"]
    code = main([*argv, "--family", "binomial", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "odds_ratio" in captured.out
    assert "working correlation: 0.3543" in captured.out
    table = pd.read_csv(out).set_index("term")
    ref = _reference("ohio_binomial", "exchangeable")
    assert_allclose(table.loc[ref.index, "estimate"], ref["estimate"], rtol=COEF_RTOL)
    assert_allclose(table.loc[ref.index, "odds_ratio"], np.exp(ref["estimate"]), rtol=COEF_RTOL)


def test_bias_reduced_option_and_warnings_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = pd.read_csv(DIETOX)
    data.loc[[0, 1], "Weight"] = np.nan
    data = data[data["Pig"].isin(data["Pig"].unique()[:10])]
    path = tmp_path / "few.csv"
    data.to_csv(path, index=False)
    argv = ["fit", str(path), "--formula", "Weight ~ Time", "--groups", "Pig"]
    assert main(argv) == 0
    robust = capsys.readouterr()
    assert "warning: dropped 2 of" in robust.err
    assert "warning: only 10 clusters" in robust.err
    assert main([*argv, "--cov-type", "bias_reduced"]) == 0
    reduced = capsys.readouterr()
    assert "bias-reduced robust SE" in reduced.out
    assert "only 10 clusters" not in reduced.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--formula", "Weight ~ Time + Feedx", "--groups", "Pig"], "unknown column 'Feedx'"),
        (
            ["--formula", "Weight ~ Time", "--groups", "pig"],
            "line 1: no column 'pig' (named by --groups)",
        ),
        (["--formula", "Weight ~ log(Time)", "--groups", "Pig"], "name 'log' is not defined"),
        (
            ["--formula", "Weight ~ Time", "--groups", "Pig", "--family", "binomial"],
            "must be 0/1",
        ),
        (["--formula", "Weight ~ Time", "--groups", "Evit"], ""),  # 3 clusters: fits
    ],
)
def test_user_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["fit", str(DIETOX), *argv])
    captured = capsys.readouterr()
    if not message:
        assert code == 0
        return
    assert code == 2
    assert message in _one_error_line(captured.err)


def test_missing_and_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--formula", "y ~ x", "--groups", "g"]
    assert main(["fit", str(tmp_path / "nope.csv"), *common]) == 2
    assert "nope.csv" in _one_error_line(capsys.readouterr().err)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["fit", str(empty), *common]) == 2
    assert "empty.csv: the file is empty" in _one_error_line(capsys.readouterr().err)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    assert main(["fit", str(binary), *common]) == 2
    assert "binary.csv, line 1: bytes that are not UTF-8" in _one_error_line(
        capsys.readouterr().err
    )
    assert main(["fit", str(tmp_path), *common]) == 2
    _one_error_line(capsys.readouterr().err)


def test_single_cluster_and_bad_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "one.csv"
    pd.DataFrame({"y": [1.0, 2.0, 3.5], "x": [0.0, 1.0, 2.0], "g": [1, 1, 1]}).to_csv(path)
    assert main(["fit", str(path), "--formula", "y ~ x", "--groups", "g"]) == 2
    assert "only 1 cluster" in _one_error_line(capsys.readouterr().err)
    with pytest.raises(SystemExit) as info:
        main(["fit", str(path), "--formula", "y ~ x", "--groups", "g", "--family", "poisson"])
    assert info.value.code == 2
    assert "invalid choice" in _one_error_line(capsys.readouterr().err)


def test_cli_choices_match_the_library() -> None:
    assert cli_fit.FAMILIES == models.FAMILIES
    assert cli_fit.COV_STRUCTS == models.COV_STRUCTS
    assert cli_fit.COV_TYPES == models.COV_TYPES


def test_formula_error_names_the_file(tmp_path, capsys) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("y,x,g\n1,2,1\n2,3,1\n3,5,2\n4,4,2\n", encoding="utf-8")
    code = main(
        ["fit", str(path), "--formula", "y ~ nosuch", "--groups", "g", "--family", "gaussian"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {path}, column nosuch:") and err.count("\n") == 1

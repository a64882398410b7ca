"""End-to-end tests of ``b12stats power``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from b12stats import power as pw
from b12stats.cli import main

ARGS = ["power", "--design", "kenya", "--n-dyads", "40,80", "--reps", "40", "--seed", "12"]


def test_cli_writes_csv_identical_to_api(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "sub" / "power.csv"
    status = main([*ARGS, "--scale", "raw", "--target-power", "0.5", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0
    table = pd.read_csv(out)
    assert list(table.columns) == list(pw.COLUMNS)
    assert table["n_dyads"].tolist() == [40, 80]
    assert (table["seed"] == 12).all()
    api = pw.power("kenya", n_dyads=[40, 80], reps=40, rng=12, scale="raw")
    pd.testing.assert_frame_equal(table, api, check_exact=True, check_dtype=False)
    assert (
        "reaches power 0.5" in captured.out
        or "reaching power 0.5" in captured.out
        or ("no scenario" in captured.out)
    )
    # stderr is not a terminal here: no progress bar, only the one-line note
    assert captured.err.strip().splitlines() == [f"# wrote {out}"]
    assert not list(out.parent.glob(".*.tmp"))  # atomic write left no temp file


def test_cli_clusters_crossed(tmp_path: Path) -> None:
    # (--workers runs the same code as power(workers=...), tested in test_power.py)
    out = tmp_path / "p.csv"
    one = main([*ARGS, "--n-clusters", "10,20", "--out", str(out)])
    first = pd.read_csv(out)
    two = main([*ARGS, "--n-clusters", "10,20", "--workers", "1", "--out", str(out)])
    second = pd.read_csv(out)
    assert one == two == 0
    assert list(zip(first["n_dyads"], first["n_clusters"], strict=True)) == [
        (40, 10),
        (40, 20),
        (80, 10),
        (80, 20),
    ]
    pd.testing.assert_frame_equal(first, second, check_exact=True)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--design", "atlantis"], "design"),
        (["--reps", "0"], "reps"),
        (["--n-clusters", "100"], "cannot exceed"),
        (["--n-dyads", "40,x"], "comma-separated"),
        (["--target-power", "2"], "target-power"),
    ],
)
def test_cli_user_errors_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str], needle: str
) -> None:
    out = tmp_path / "p.csv"
    try:
        status = main([*ARGS, *extra, "--out", str(out)])
    except SystemExit as exc:  # argparse rejects a malformed value before run()
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert not out.exists()


def test_cli_cov_type_bias_reduced_matches_api(tmp_path: Path) -> None:
    out = tmp_path / "br.csv"
    assert main([*ARGS, "--cov-type", "bias_reduced", "--out", str(out)]) == 0
    api = pw.power("kenya", n_dyads=[40, 80], reps=40, rng=12, cov_type="bias_reduced")
    pd.testing.assert_frame_equal(pd.read_csv(out), api, check_exact=True, check_dtype=False)
    robust = pw.power("kenya", n_dyads=[40, 80], reps=40, rng=12)
    assert (api["mean_se"] > robust["mean_se"]).all()  # the correction inflates small-K SEs

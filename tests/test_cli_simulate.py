"""Tests for ``b12stats simulate``: files, sidecar, reproducibility, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from b12stats._version import __version__
from b12stats.cli import main
from b12stats.simulate import DESIGN_NAMES, get_design


def _run(*argv: str) -> int:
    return main(["simulate", *argv])


def test_writes_csv_and_sidecar(tmp_path: Path) -> None:
    out = tmp_path / "kenya.csv"
    assert _run("--design", "kenya", "--seed", "7", "--out", str(out)) == 0
    df = pd.read_csv(out)
    design = get_design("kenya")
    assert list(df.columns) == [
        "dyad",
        "cluster",
        "milk_b12",
        "infant_b12",
        "adequate",
        *[c.name for c in design.covariates],
    ]
    assert len(df) == 286 and df["cluster"].nunique() == 60
    assert (df["adequate"] == (df["infant_b12"] > 220).astype(int)).all()
    side = json.loads((tmp_path / "kenya.csv.json").read_text("utf-8"))
    assert side["seed"] == 7 and side["n_dyads"] == 286 and side["n_clusters"] == 60
    assert side["design"]["name"] == "kenya"
    assert side["design"]["sources"]["infant_mu"] == "w18_infant"
    assert side["b12stats_version"] == __version__
    assert set(side["columns"]) == set(df.columns)


def test_same_seed_byte_identical_different_seed_differs(tmp_path: Path) -> None:
    a, b, c = (tmp_path / f"{x}.csv" for x in "abc")
    for path, seed in ((a, "42"), (b, "42"), (c, "43")):
        assert _run("--design", "cambodia", "--seed", seed, "--out", str(path)) == 0
    assert a.read_bytes() == b.read_bytes()
    assert Path(f"{a}.json").read_bytes() == Path(f"{b}.json").read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_without_seed_the_recorded_seed_reproduces(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _run("--design", "canada", "--out", str(a)) == 0
    seed = json.loads(Path(f"{a}.json").read_text("utf-8"))["seed"]
    assert isinstance(seed, int)
    assert _run("--design", "canada", "--seed", str(seed), "--out", str(b)) == 0
    assert a.read_bytes() == b.read_bytes()


def test_sizes_from_options(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert (
        _run("--design", "kenya", "--n-dyads", "50", "--n-clusters", "10", "--seed", "1",
             "--out", str(out))
        == 0
    )  # fmt: skip
    df = pd.read_csv(out)
    assert len(df) == 50 and df["cluster"].nunique() == 10
    assert df.groupby("cluster").size().tolist() == [5] * 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--design", "atlantis"], "unknown design 'atlantis'"),
        (["--design", "kenya", "--n-dyads", "10", "--n-clusters", "20"], "--n-clusters must"),
        (["--design", "kenya", "--n-dyads", "1"], "--n-dyads must be >= 2"),
        (["--design", "kenya", "--seed", "-1"], "--seed"),
        (["--out", "x.csv"], "--design"),
    ],
)
def test_bad_options_one_error_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bad.csv"
    argv = [*args, "--out", str(out)] if "--out" not in args else args
    assert _run(*argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_missing_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--design", "kenya") == 2
    assert "--out" in capsys.readouterr().err


def test_list_and_describe(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--list") == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in DESIGN_NAMES)
    assert _run("--design", "cambodia", "--describe") == 0
    text = capsys.readouterr().out
    assert "flag: rests on the secondary summary page" in text
    assert "sum_cam_milk" in text and "assumed" in text

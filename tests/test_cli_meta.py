"""Tests of ``b12stats meta`` (the CLI layer over b12stats.stats.meta)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from b12stats.cli import main
from b12stats.data import load_table
from b12stats.stats.meta import SUMMARY_COLUMNS, meta_correlations

# metafor run to convergence vs our iterations: see tests/test_meta.py (observed ~1e-10)
REL_TOL = 1e-8
# numbers written to CSV by pandas round-trip exactly (shortest repr); allow float noise
CSV_RTOL = 1e-12

REFERENCE = Path(__file__).resolve().parent / "reference"
REQUIRED = [
    "k",
    "estimate_z",
    "se_z",
    "ci_low_z",
    "ci_high_z",
    "estimate_r",
    "ci_low_r",
    "ci_high_r",
    "pi_low_r",
    "pi_high_r",
    "tau2",
    "i2",
    "q",
    "q_p_value",
    "method",
    "test",
]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["meta", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _pair(a: str, b: str) -> str:
    return "~".join(sorted((a, b)))


def _poolable_bundled(kinds: tuple[str, ...]) -> pd.DataFrame:
    """Rows the default run should pool, worked out here from the bundled table."""
    t = load_table("correlations")
    ok = t["source_kind"].isin(kinds) & t["r"].notna() & t["n"].notna()
    ok &= ~t["adjusted"].fillna(False).astype(bool)
    t = t[ok].copy()
    t["pair"] = [_pair(a, b) for a, b in zip(t["var_x"], t["var_y"], strict=True)]
    return t


def test_bundled_default_pools_primary_rows_by_pair(capsys, tmp_path):
    out_csv = tmp_path / "pooled.csv"
    code, out, err = _run(capsys, "--out", str(out_csv))
    assert code == 0, err
    rows = _poolable_bundled(("primary",))
    pooled = pd.read_csv(out_csv, keep_default_na=False, na_values=[""])
    assert list(pooled.columns) == list(SUMMARY_COLUMNS)
    assert set(REQUIRED) <= set(pooled.columns)
    expected_groups = [f"pair={p}" for p in dict.fromkeys(rows["pair"])]
    assert sorted(pooled["group"]) == sorted(expected_groups)
    for pair, grp in rows.groupby("pair"):
        got = pooled.loc[pooled["group"] == f"pair={pair}"].iloc[0]
        ref = meta_correlations(grp["r"], grp["n"]).fit
        assert got["k"] == len(grp)
        assert_allclose(got["estimate_z"], ref.estimate, rtol=CSV_RTOL)
        assert_allclose(got["estimate_r"], math.tanh(ref.estimate), rtol=CSV_RTOL)
    # every bundled row not pooled is listed with a reason
    table = load_table("correlations")
    left_out = set(table["row_id"]) - set(rows["row_id"])
    assert "left out:" in out
    for row_id in left_out:
        assert f"  {row_id}: " in out
    assert (
        "source kind secondary is not pooled" in out
        or not (table["source_kind"] == "secondary").any()
    )


def test_bundled_include_secondary_flags_rows(capsys, tmp_path):
    studies = tmp_path / "studies.csv"
    code, out, err = _run(
        capsys, "--include-secondary", "--include-inconsistent", "--studies", str(studies)
    )
    assert code == 0, err
    rows = _poolable_bundled(("primary", "secondary"))
    # a secondary row repeating a poolable primary row (same cohort and pair) is dropped
    primary = rows[rows["source_kind"] == "primary"]
    seen = set(zip(primary["cohort"], primary["pair"], strict=True))
    secondary = rows[rows["source_kind"] == "secondary"]
    fresh = [
        rid
        for rid, c, p in zip(
            secondary["row_id"], secondary["cohort"], secondary["pair"], strict=True
        )
        if (c, p) not in seen
    ]
    table = pd.read_csv(studies)
    assert sorted(table["label"]) == sorted(
        [*primary["row_id"], *(f"{rid} [secondary]" for rid in fresh)]
    )
    if fresh:
        assert "includes secondary-source rows" in out


def _molloy_csv(tmp_path: Path) -> Path:
    inputs = pd.read_csv(REFERENCE / "metafor_reference_inputs.csv")
    d = inputs[inputs["dataset"] == "molloy2014"].rename(columns={"ri": "rho", "ni": "size"})
    path = tmp_path / "molloy.csv"
    d[["label", "rho", "size"]].to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("method", "test"), [("DL", "knha"), ("REML", "z"), ("PM", "knha")])
def test_user_csv_matches_metafor(capsys, tmp_path, method, test):
    path = _molloy_csv(tmp_path)
    out_csv = tmp_path / "out.csv"
    code, out, err = _run(
        capsys,
        str(path),
        "--r",
        "rho",
        "--n",
        "size",
        "--label",
        "label",
        "--method",
        method,
        "--test",
        test,
        "--out",
        str(out_csv),
    )
    assert code == 0, err
    got = pd.read_csv(out_csv).iloc[0]
    fits = pd.read_csv(REFERENCE / "metafor_reference_fits.csv", dtype=str)
    sel = fits[
        (fits["dataset"] == "molloy2014")
        & (fits["subset"] == "all")
        & (fits["method"] == method)
        & (fits["test"] == test)
        & (fits["control"] == "tight")
    ]
    ref = dict(zip(sel["quantity"], sel["value"].astype(float), strict=True))
    for mine, theirs in [
        ("estimate_z", "estimate"),
        ("se_z", "se"),
        ("tau2", "tau2"),
        ("pi_low_z", "pi_low"),
        ("ci_high_z", "ci_high"),
    ]:
        assert_allclose(got[mine], ref[theirs], rtol=REL_TOL, err_msg=mine)
    assert got["method"] == method and got["test"] == test
    assert f"({method}, {test})" in out


def test_plot_and_leave_one_out_files(capsys, tmp_path):
    path = _molloy_csv(tmp_path)
    png, svg, loo = tmp_path / "f.png", tmp_path / "f.svg", tmp_path / "loo.csv"
    args = [str(path), "--r", "rho", "--n", "size", "--label", "label"]
    code, _, err = _run(capsys, *args, "--plot", str(png), "--leave-one-out", str(loo))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(loo)
    assert len(table) == 16 and (table["k"] == 15).all()
    code, _, err = _run(capsys, *args, "--plot", str(svg), "--scale", "z")
    assert code == 0, err
    assert "Fisher z" in svg.read_text()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "argv", "message"),
    [
        ("r,n\n0.3,40\n1.2,50\n", [], "my.csv, line 3, column r: r = 1.2 is outside [-1, 1]"),
        ("r,n\n0.3,40\n0.2,3\n", [], "my.csv, line 3, column n: n = 3 must be a whole number"),
        ("r,n\n0.3,40\n0.2,abc\n", [], "my.csv, line 3, column n: not a number: 'abc'"),
        ("r,n\n0.3,40\n0.2,\n", [], "my.csv, line 3, column n: no n"),
        ("r,n\n0.3,40\n\n0.2,x\n", [], "my.csv, line 4, column n: not a number"),
        ("r,n\n0.3,40\n", ["--r", "rho"], "my.csv, column rho: no such column"),
        ("", [], "my.csv: the file is empty"),
        (
            "r,n,var_x,var_y\n0.3,40,milk,infant_blood\n0.2,50,maternal_blood,milk\n",
            [],
            "mixes variable pairs",
        ),
        (
            "r,n,adjusted\n0.3,40,false\n0.2,50,true\n",
            [],
            "mixes adjusted coefficients (rows line 3)",
        ),
        ("r,n\n0.3,40\n", ["--plot", "x.jpg"], "--plot must end in one of"),
        ("r,n\n0.3,40\n", ["--include-secondary"], "applies to the tables (no DATA.csv)"),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, tmp_path, text, argv, message):
    path = _write(tmp_path, text)
    code, _out, err = _run(capsys, str(path), *argv)
    assert code == 2
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_skip_unpoolable_lists_rows(capsys, tmp_path):
    path = _write(tmp_path, "r,n,study\n0.3,40,A\n0.2,,B\n0.4,60,C\n")
    code, out, err = _run(capsys, str(path), "--label", "study", "--skip-unpoolable")
    assert code == 0, err
    assert "k = 2" in out
    assert "line 3: no n (sample size not reported)" in out


def test_by_pair_pools_pairs_separately(capsys, tmp_path):
    path = _write(
        tmp_path,
        "r,n,var_x,var_y\n0.3,40,milk,infant_blood\n0.35,45,infant_blood,milk\n"
        "0.2,50,maternal_blood,milk\n",
    )
    out_csv = tmp_path / "o.csv"
    code, out, err = _run(capsys, str(path), "--by", "pair", "--out", str(out_csv))
    assert code == 0, err
    pooled = pd.read_csv(out_csv)
    assert pooled["group"].tolist() == ["pair=infant_blood~milk", "pair=maternal_blood~milk"]
    assert pooled["k"].tolist() == [2, 1]
    assert np.isnan(pooled["tau2"].iloc[1])  # k = 1: not estimable, not 0
    assert "k = 1: τ², Q, I², H² and the prediction interval cannot be estimated" in out

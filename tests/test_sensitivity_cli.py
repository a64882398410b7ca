"""``b12stats power --vary`` (sensitivity grid) and ``--target-power`` (bisection search)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from b12stats import power as pw
from b12stats.cli import main
from b12stats.simulate import get_design

ARGS = ["power", "--design", "kenya", "--n-dyads", "40,80", "--reps", "30", "--seed", "3"]
#: Monte Carlo tolerance of a simulated power: this many of its SEs.
MC_SES = 4.0


def test_cli_vary_writes_the_sensitivity_table(tmp_path: Path, capsys) -> None:
    out = tmp_path / "s.csv"
    argv = [
        *ARGS,
        "--model",
        "trend",
        "--vary",
        "icc_infant=0.01,0.2",
        "--vary",
        "n_clusters=10,20",
    ]
    assert main([*argv, "--out", str(out)]) == 0
    table = pd.read_csv(out)
    api = pw.sensitivity(
        "kenya",
        vary={"icc_infant": [0.01, 0.2], "n_clusters": [10, 20]},
        n_dyads=[40, 80],
        reps=30,
        model="trend",
        rng=3,
    ).table
    pd.testing.assert_frame_equal(table, api, check_exact=True, check_dtype=False)
    assert list(table.columns[:2]) == ["icc_infant", "design"] and len(table) == 8
    assert "varied: icc_infant (assumed)" in capsys.readouterr().out


def _closed_form_power(n: float, rho: float, alpha: float = 0.05) -> float:
    """Power of the two-sided Wald test of the log-log slope with independent dyads.

    ``z = b / se(b)`` with ``se(b) = sqrt((1 - rho^2) / n) sigma_i / sigma_m``, so the
    noncentrality is ``rho sqrt(n) / sqrt(1 - rho^2)`` (normal approximation).
    """
    ncp = rho * math.sqrt(n) / math.sqrt(1 - rho**2)
    z = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.sf(z - ncp) + stats.norm.cdf(-z - ncp))


def test_target_power_search_brackets_the_closed_form(tmp_path: Path, capsys) -> None:
    design = get_design("canada_primary")  # independent dyads, log-log r = 0.36
    rho = design.latent_correlation
    # closed form: n* = (z_{1-alpha/2} + z_{0.8})^2 (1 - rho^2) / rho^2 (about 53)
    n_star = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * (1 - rho**2) / rho**2
    out = tmp_path / "p.csv"
    argv = ["power", "--design", "canada_primary", "--n-dyads", "20,200", "--reps", "800"]
    assert main([*argv, "--seed", "4", "--target-power", "0.8", "--out", str(out)]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if "bisection" in x]
    assert len(line) == 1 and "bisection over 20-200 dyads" in line[0]
    found = re.search(
        r"power 0\.8: (\d+) dyads .*power ([\d.]+), MC SE ([\d.]+)\).*: (\d+) to (\d+)", line[0]
    )
    assert found is not None
    n, p, se, low, high = (float(v) for v in found.groups())
    # the answer's simulated power agrees with the closed form there ...
    assert abs(p - _closed_form_power(n, rho)) < MC_SES * se
    # ... and its Monte Carlo range holds the closed-form n (to the search's n_tol = 10)
    assert low - 10 <= n_star <= high + 10
    assert low <= n <= high


def test_target_power_search_per_variant(capsys, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    argv = [*ARGS, "--vary", "correlation=0.2,0.5", "--target-power", "0.8", "--out", str(out)]
    assert main(argv) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if "bisection" in x]
    assert [x.split(":")[0] for x in lines] == ["# correlation=0.2", "# correlation=0.5"]
    # one n given: the bracket is a quarter to 4 times it
    assert (
        main([*ARGS[:3], "--n-dyads", "40", *ARGS[5:], "--target-power", "0.5", "--out", str(out)])
        == 0
    )
    assert "bisection over 10-160 dyads" in capsys.readouterr().out


def test_sample_size_with_fixed_clusters() -> None:
    res = pw.sample_size(
        "kenya", target_power=0.5, n_min=20, n_max=60, n_clusters=10, reps=40, rng=1
    )
    assert set(res.curve["n_clusters"]) == {10}
    with pytest.raises(Exception, match="not both"):
        pw.sample_size("kenya", n_grid=[20], n_clusters=10, dyads_per_cluster=2.0)

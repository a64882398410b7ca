"""The command line starts without the heavy libraries; the commands that use them import them.

Each check runs in a fresh interpreter (this test process has imported everything
already) and lists which of :data:`HEAVY` ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import b12stats

#: Libraries whose import costs a noticeable share of a short command (0.3-1 s each).
HEAVY = ("scipy", "scipy.stats", "statsmodels", "matplotlib", "pandas")

_PROBE = """
import contextlib, io, json, sys
import b12stats.cli
from b12stats.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    for argv in json.loads(sys.argv[1]):
        try:
            main(argv)
        except SystemExit:
            pass
print(json.dumps([m for m in json.loads(sys.argv[2]) if m in sys.modules]))
"""


def _heavy_imported(*argvs: list[str]) -> list[str]:
    src = str(Path(b12stats.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(argvs)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_heavy_library():
    assert _heavy_imported() == []


@pytest.mark.parametrize("command", [[], ["report"], ["simulate"], ["reproduce"], ["power"]])
def test_help_imports_no_heavy_library(command):
    assert _heavy_imported([*command, "--help"]) == []


def test_the_probe_sees_a_heavy_import():
    """The check can fail: listing the designs reads them, which needs pandas and scipy.stats."""
    seen = _heavy_imported(["simulate", "--list"])
    assert "pandas" in seen and "scipy.stats" in seen


def test_reproduce_runs_without_scipy_stats_statsmodels_matplotlib():
    """The audit's normal and t functions come from scipy.special (stats._scipy_stats)."""
    seen = _heavy_imported(["reproduce"])
    assert not {"scipy.stats", "statsmodels", "matplotlib"} & set(seen)


#: Inputs where scipy.stats treats the ends, signs and NaN itself.
_X = [0.0, -0.0, 1.96, -1.96, 40.0, -40.0, np.inf, -np.inf, np.nan, 3, [0.1, -2.0]]
_Q = [0.0, 1.0, 0.5, 0.975, 0.025, 1e-12, 1 - 1e-12, -0.1, 1.1, np.nan, [0.2, 0.8, 0.0, 1.0]]
_DF = [1, 2.5, 28, 284, np.inf, [3.0, 30.0, 300.0, 3000.0]]


def _same(a, b) -> bool:
    """Same type, dtype, shape, NaN places and bits (signed zeros included)."""
    a_, b_ = np.asarray(a), np.asarray(b)
    if type(a) is not type(b) or a_.dtype != b_.dtype or a_.shape != b_.shape:
        return False
    nan = np.isnan(a_)
    return bool(np.array_equal(nan, np.isnan(b_))) and a_[~nan].tobytes() == b_[~nan].tobytes()


def test_scipy_stats_stand_in_gives_the_same_numbers():
    import scipy.stats

    from b12stats.stats import _scipy_stats as lite

    rng = np.random.default_rng(7)
    xs = [*_X, rng.normal(size=200) * 5]
    qs = [*_Q, rng.uniform(size=200)]
    for x in xs:
        for m in ("cdf", "sf", "pdf"):
            assert _same(getattr(scipy.stats.norm, m)(x), getattr(lite.norm, m)(x)), (m, x)
        for df in _DF:
            if np.ndim(x) and np.ndim(df) and np.shape(x) != np.shape(df):
                continue
            for m in ("cdf", "sf"):
                assert _same(getattr(scipy.stats.t, m)(x, df), getattr(lite.t, m)(x, df))
    for q in qs:
        for m in ("ppf", "isf"):
            assert _same(getattr(scipy.stats.norm, m)(q), getattr(lite.norm, m)(q)), (m, q)
            for df in _DF:
                if np.ndim(q) and np.ndim(df) and np.shape(q) != np.shape(df):
                    continue
                assert _same(getattr(scipy.stats.t, m)(q, df), getattr(lite.t, m)(q, df))
    # anything else is scipy.stats's own
    assert lite.norm.ppf(0.9, loc=2, scale=3) == scipy.stats.norm.ppf(0.9, loc=2, scale=3)
    assert lite.chi2 is scipy.stats.chi2

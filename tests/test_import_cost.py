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

"""A corpus of bad inputs, CLI and Python API (issue 10, "Done when").

The README promises: a user error prints one ``error: ...`` line (naming the
user's file, line and column where there is one, or the option), exits with
status 2, never a traceback, and outputs are written whole or not at all. The
Python API raises :class:`b12stats.errors.B12StatsError` (``OptionError`` or
``DataValidationError``) whose message names the argument.

The corpus is three tables:

- ``CLI_CASES``: a command line, the files it finds in a scratch directory, and
  what the one error line must name. For each case the test checks the exit
  status (2), that stderr is exactly one ``error:`` line without a traceback or
  an internal temporary file name, and that the scratch directory and the
  bundled ``data/`` are byte-identical afterwards (inputs untouched, no output
  left behind, also when the command has several outputs and one fails).
- ``SCHEMA_CASES``: generated from ``data/*.schema.json``. Each constraint of
  each field (required, enum, minimum, maximum, type), the primary and foreign
  keys and each ``b12stats:checks`` rule gets a one-row file (built from a
  bundled row that passes) that breaks only that rule, checked through
  ``b12stats data FILE --as TABLE``; the message names the file, the line and
  the column.
- ``API_CASES``: a call, the error class and the argument names the message
  must contain.

A few cases must *work* (design names where a ``Design`` is expected, trailing
empty CSV columns with a warning, ``b12stats power`` with its defaults for every
built-in design). Cases that could exhaust memory or fork without limit run in a
subprocess under ``RLIMIT_AS`` with a timeout, so a regression fails the test
instead of the machine. The CLI is called in-process (``b12stats.cli.main``)
except for two cases through the real console entry point.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import logging
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import b12stats
from b12stats.cli import main
from b12stats.data import data_dir
from b12stats.errors import B12StatsError, DataValidationError, OptionError

SRC = Path(b12stats.__file__).resolve().parents[1]
DATA = data_dir()

#: Memory a subprocess case may use (address space; Python + numpy + pandas +
#: statsmodels need well under 1 GiB, a k x k matrix for k = 50,000 needs 18 GiB).
MEMORY_LIMIT = 3 * 2**30
#: Seconds a subprocess case may take: "refuse quickly" (startup is ~1-2 s).
SUBPROCESS_TIMEOUT = 20


# --- helpers ----------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, str]:
    """Every entry under ``root``: directories, symlink targets and file hashes."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = f"link:{os.readlink(path)}"
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _run_cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``b12stats ARGV`` in-process; return (exit status, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits on its own errors
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _error_line(code: int, err: str) -> str:
    """The one ``error:`` line of a failed run (asserting the README's promise)."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (
        f"expected exit 2 and one 'error:' line, got exit {code} and stderr:\n{err}"
    )
    line = lines[0]
    assert not re.search(r"\.tmp\b", line), f"names an internal temporary file: {line}"
    return line


def _names(message: str, needle: str) -> bool:
    """Whether ``message`` names ``needle`` (``re:`` prefix: a regex; case-insensitive)."""
    if needle.startswith("re:"):
        return re.search(needle[3:], message, re.IGNORECASE) is not None
    return needle.lower() in message.lower()


def _column(name: str) -> str:
    """A needle matching 'column NAME' (quoted or not), not a longer name."""
    return rf"re:column\W{{1,3}}{re.escape(name)}(?![\w.])"


def _word(name: str) -> str:
    """A needle matching ``name`` as a whole word (``n`` but not ``n_dyads``)."""
    return rf"re:(?<![\w-]){re.escape(name)}(?![\w])"


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONWARNINGS="ignore",
    )
    return env


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run_limited(
    cmd: Sequence[str], cwd: Path, timeout: float = SUBPROCESS_TIMEOUT
) -> tuple[int, str, str, float]:
    """Run ``cmd`` under the memory limit; return (status, stdout, stderr, seconds).

    The child gets its own process group, killed afterwards (also on timeout), so
    that workers it forked never outlive the test.
    """
    start = time.monotonic()
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        env=_subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit_memory,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        pytest.fail(f"{' '.join(cmd)} did not finish within {timeout} s")
    finally:
        _kill_group(proc.pid)
    return proc.returncode, out, err, time.monotonic() - start


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


# --- input files ------------------------------------------------------------------------------


def _dyads(n: int = 60, k: int = 12) -> pd.DataFrame:
    """A small cohort with the columns of ``b12stats simulate`` (fits in milliseconds)."""
    rng = np.random.default_rng(20261201)
    milk = np.exp(rng.normal(5.5, 0.5, n))
    infant = np.exp(5.6 + 0.3 * (np.log(milk) - 5.5) + rng.normal(0.0, 0.4, n))
    return pd.DataFrame(
        {
            "cluster": np.repeat(np.arange(1, k + 1), n // k),
            "milk_b12": milk.round(1),
            "infant_b12": infant.round(1),
            "infant_age_months": rng.integers(1, 7, n),
            "adequate": (infant >= 220).astype(int),
        }
    )


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


DYADS = _csv(_dyads())
DYAD_LINES = DYADS.splitlines(keepends=True)


def _dyads_with(line: int, column: str, value: str) -> str:
    """DYADS with the cell at file line ``line`` (header = 1) in ``column`` set to ``value``."""
    header = DYAD_LINES[0].rstrip("\n").split(",")
    cells = DYAD_LINES[line - 1].rstrip("\n").split(",")
    cells[header.index(column)] = value
    return "".join([*DYAD_LINES[: line - 1], ",".join(cells) + "\n", *DYAD_LINES[line:]])


STUDIES = "study,r,n\nA,0.31,40\nB,0.12,67\nC,0.45,25\nD,0.28,120\nE,0.05,88\n"


def _studies_with(line: int, column: str, value: str) -> str:
    rows = [r.split(",") for r in STUDIES.splitlines()]
    rows[line - 1][rows[0].index(column)] = value
    return "".join(",".join(r) + "\n" for r in rows)


BINARY = bytes(range(256)) * 8
LATIN1 = "study,r,n\nA,0.31,40\nMüller,0.12,67\n".encode("latin-1")  # 0xfc on line 3
FORMULA = "infant_b12 ~ milk_b12"
FIT = ("fit", "d.csv", "--formula", FORMULA, "--groups", "cluster")
META = ("meta", "m.csv", "--label", "study")
#: Small enough that a case which (wrongly) runs finishes in a second or two.
POWER = ("power", "--design", "kenya", "--n-dyads", "60", "--n-clusters", "12", "--reps", "4")
SIM = ("simulate", "--design", "kenya", "--n-dyads", "60", "--n-clusters", "12", "--seed", "1")


def _design_file() -> str:
    """Text of a design file for ``--design FILE`` (a copy of the built-in kenya design)."""
    for candidate in (DATA / "designs" / "kenya.toml", SRC.parent / "data/designs/kenya.toml"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return 'name = "kenya_copy"\n'  # before design files exist: still an input


DIR = object()  #: marker: create a directory instead of a file


@dataclass(frozen=True)
class CliCase:
    """One bad command line.

    ``files`` are created in a scratch directory that is the working directory
    (relative path -> text, bytes, ``DIR`` or ``("link", target)``); ``{DATA}``
    in ``argv`` and ``names`` is the bundled data folder. ``names``: what the
    error line must contain (see :func:`_names`); ``not_names``: what it must not.
    """

    id: str
    argv: tuple[str, ...]
    names: tuple[str, ...]
    files: Mapping[str, Any] = field(default_factory=dict)
    not_names: tuple[str, ...] = ()


def _c(
    id: str,
    argv: Sequence[str],
    names: Sequence[str],
    files: Mapping[str, Any] | None = None,
    not_names: Sequence[str] = (),
) -> CliCase:
    return CliCase(id, tuple(argv), tuple(names), dict(files or {}), tuple(not_names))


def _materialise(files: Mapping[str, Any], root: Path) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is DIR:
            path.mkdir(exist_ok=True)
        elif isinstance(content, tuple) and content[0] == "link":
            path.symlink_to(content[1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


D = {"d.csv": DYADS}
M = {"m.csv": STUDIES}
BLOCK = {"blocker": "a regular file, not a directory\n"}

CLI_CASES: list[CliCase] = [
    # --- outputs that name an input: refused, naming both, input untouched ---------------------
    _c("fit-out-is-data", [*FIT, "--out", "d.csv"], ["--out", "d.csv"], D),
    _c(
        "fit-out-is-data-other-spelling",
        [*FIT, "--out", "./x/../d.csv"],
        ["--out"],
        D | {"x": DIR},
    ),
    _c(
        "fit-out-is-data-symlink",
        [*FIT, "--out", "link.csv"],
        ["--out"],
        D | {"link.csv": ("link", "d.csv")},
    ),
    _c("meta-out-is-data", [*META, "--out", "m.csv"], ["--out", "m.csv"], M),
    _c("meta-studies-is-data", [*META, "--studies", "m.csv"], ["--studies", "m.csv"], M),
    _c(
        "meta-leave-one-out-is-data",
        [*META, "--leave-one-out", "m.csv"],
        ["--leave-one-out", "m.csv"],
        M,
    ),
    _c(
        "meta-plot-is-data",
        ["meta", "m.png", "--label", "study", "--plot", "m.png"],
        ["--plot", "m.png"],
        {"m.png": STUDIES},
    ),
    _c("meta-out-is-data-abs", [*META, "--out", "{TMP}/m.csv"], ["--out"], M),
    _c(
        "simulate-out-is-design",
        ["simulate", "--design", "my.toml", "--seed", "1", "--out", "my.toml"],
        ["--out", "--design", "my.toml"],
        {"my.toml": _design_file()},
    ),
    _c(
        "simulate-sidecar-is-design",
        ["simulate", "--design", "my.csv.json", "--seed", "1", "--out", "my.csv"],
        ["--design", "my.csv.json"],
        {"my.csv.json": _design_file()},
    ),
    _c(
        "power-out-is-design",
        ["power", "--design", "my.toml", "--reps", "4", "--seed", "1", "--out", "my.toml"],
        ["--out", "--design", "my.toml"],
        {"my.toml": _design_file()},
    ),
    _c(
        "reproduce-out-is-bundled-table",
        ["reproduce", "--out", "{DATA}/correlations.csv"],
        ["--out", "correlations.csv"],
    ),
    _c(
        "report-out-is-bundled-table",
        ["report", "--reps", "10", "--out", "{DATA}/correlations.csv"],
        ["--out", "correlations.csv"],
    ),
    # --- two outputs naming the same file ----------------------------------------------------
    _c(
        "meta-out-and-studies-same",
        [*META, "--out", "o.csv", "--studies", "o.csv"],
        ["--out", "--studies"],
        M,
    ),
    _c(
        "meta-out-and-loo-same",
        [*META, "--out", "o.csv", "--leave-one-out", "o.csv"],
        ["--out", "--leave-one-out"],
        M,
    ),
    _c(
        "meta-studies-and-loo-same",
        [*META, "--studies", "o.csv", "--leave-one-out", "o.csv"],
        ["--studies", "--leave-one-out"],
        M,
    ),
    _c(
        "meta-out-and-plot-same",
        [*META, "--out", "o.png", "--plot", "o.png"],
        ["--out", "--plot"],
        M,
    ),
    _c(
        "meta-same-other-spelling",
        [*META, "--out", "o.csv", "--studies", "./o.csv"],
        ["--out", "--studies"],
        M,
    ),
    _c(
        "meta-same-existing-via-symlink",
        [*META, "--out", "o.csv", "--studies", "l.csv"],
        ["--out", "--studies"],
        M | {"o.csv": "old output\n", "l.csv": ("link", "o.csv")},
    ),
    # --- an output under a regular file: checked before the work, one line -------------------
    _c("fit-out-under-file", [*FIT, "--out", "blocker/fit.csv"], ["blocker"], D | BLOCK),
    _c("meta-out-under-file", [*META, "--out", "blocker/o.csv"], ["blocker"], M | BLOCK),
    _c("meta-studies-under-file", [*META, "--studies", "blocker/s.csv"], ["blocker"], M | BLOCK),
    _c("meta-loo-under-file", [*META, "--leave-one-out", "blocker/l.csv"], ["blocker"], M | BLOCK),
    _c("meta-plot-under-file", [*META, "--plot", "blocker/f.png"], ["blocker"], M | BLOCK),
    _c("simulate-out-under-file", [*SIM, "--out", "blocker/c.csv"], ["blocker"], BLOCK),
    _c(
        "power-out-under-file",
        [*POWER, "--seed", "1", "--out", "blocker/p.csv"],
        ["blocker"],
        BLOCK,
    ),
    _c("reproduce-out-under-file", ["reproduce", "--out", "blocker/audit"], ["blocker"], BLOCK),
    _c(
        "report-out-under-file",
        ["report", "--reps", "10", "--out", "blocker/report"],
        ["blocker"],
        BLOCK,
    ),
    _c("fit-out-is-directory", [*FIT, "--out", "outdir"], ["outdir"], D | {"outdir": DIR}),
    # --- several outputs, one fails: none is left behind ---------------------------------------
    _c(
        "meta-partial-plot-fails",
        [*META, "--out", "o.csv", "--studies", "s.csv", "--plot", "blocker/f.png"],
        ["blocker"],
        M | BLOCK,
    ),
    _c(
        "meta-partial-loo-fails",
        [*META, "--out", "o.csv", "--leave-one-out", "blocker/l.csv"],
        ["blocker"],
        M | BLOCK,
    ),
    _c(
        "meta-partial-plot-dir",
        [*META, "--out", "o.csv", "--plot", "f.png"],
        ["f.png"],
        M | {"f.png": DIR},
    ),
    _c(
        "simulate-partial-sidecar-fails",
        [*SIM, "--out", "c.csv"],
        ["c.csv.json"],
        {"c.csv.json": DIR},
    ),
    _c(
        "simulate-partial-keeps-old",
        [*SIM, "--out", "c.csv"],
        ["c.csv.json"],
        {"c.csv": "old cohort\n", "c.csv.json": DIR},
    ),
    # --- fit: formulas ---------------------------------------------------------------------
    _c(
        "fit-formula-nan-every-row",
        [
            "fit",
            "d.csv",
            "--formula",
            "infant_b12 ~ np.log(milk_b12 - 100000)",
            "--groups",
            "cluster",
        ],
        ["milk_b12"],
        D,
    ),
    _c(
        "fit-formula-outcome-nan-every-row",
        [
            "fit",
            "d.csv",
            "--formula",
            "np.log(infant_b12 - 100000) ~ milk_b12",
            "--groups",
            "cluster",
        ],
        ["infant_b12"],
        D,
    ),
    _c(
        "fit-formula-log0",
        ["fit", "d.csv", "--formula", "infant_b12 ~ np.log(milk_b12 * 0)", "--groups", "cluster"],
        ["milk_b12"],
        D,
        ["collinear"],
    ),
    _c(
        "fit-formula-r-style-log",
        ["fit", "d.csv", "--formula", "infant_b12 ~ log(milk_b12)", "--groups", "cluster"],
        ["np.log"],
        D,
    ),
    _c(
        "fit-formula-unknown-column",
        ["fit", "d.csv", "--formula", "infant_b12 ~ milk", "--groups", "cluster"],
        [_word("milk")],
        D,
    ),
    _c(
        "fit-formula-syntax",
        [
            "fit",
            "d.csv",
            "re:--formula|formula '",
            "infant_b12 ~ (milk_b12",
            "--groups",
            "cluster",
        ],
        ["--formula"],
        D,
    ),
    _c(
        "fit-formula-no-tilde",
        ["fit", "d.csv", "--formula", "infant_b12", "--groups", "cluster"],
        ["--formula"],
        D,
    ),
    _c(
        "fit-unknown-groups",
        ["fit", "d.csv", "--formula", FORMULA, "--groups", "village"],
        ["village"],
        D,
    ),
    _c(
        "fit-binomial-outcome-not-01",
        ["fit", "d.csv", "--formula", FORMULA, "--groups", "cluster", "--family", "binomial"],
        ["infant_b12"],
        D,
    ),
    # --- fit: the CSV -----------------------------------------------------------------------
    _c(
        "fit-below-detection-limit-cell",
        FIT,
        ["d.csv", "line 6", _column("milk_b12"), "<50"],
        {"d.csv": _dyads_with(6, "milk_b12", "<50")},
    ),
    _c(
        "fit-non-numeric-cell",
        FIT,
        ["d.csv", "line 9", _column("infant_b12"), "n/a?"],
        {"d.csv": _dyads_with(9, "infant_b12", "n/a?")},
    ),
    _c(
        "fit-non-numeric-group-by-cell",
        [*FIT[:3], "infant_b12 ~ milk_b12 + infant_age_months", *FIT[4:]],
        ["d.csv", "line 4", _column("infant_age_months"), "three"],
        {"d.csv": _dyads_with(4, "infant_age_months", "three")},
    ),
    _c(
        "fit-duplicate-header",
        FIT,
        ["d.csv", _word("milk_b12")],
        {"d.csv": DYADS.replace("infant_age_months", "milk_b12", 1)},
        ["milk_b12.1"],
    ),
    _c("fit-header-only", FIT, ["d.csv", "re:no (data )?rows"], {"d.csv": DYAD_LINES[0]}),
    _c("fit-empty-file", FIT, ["d.csv", "empty"], {"d.csv": ""}),
    _c("fit-blank-lines-only", FIT, ["d.csv", "empty"], {"d.csv": "\n\n  \n"}),
    _c("fit-binary-file", FIT, ["d.csv"], {"d.csv": BINARY}),
    _c("fit-directory", FIT, ["d.csv", "directory"], {"d.csv": DIR}),
    _c(
        "fit-not-utf8",
        FIT,
        ["d.csv", "UTF-8", "line 3"],
        {"d.csv": _dyads_with(3, "milk_b12", "\udcb5").encode("utf-8", "surrogateescape")},
    ),
    _c(
        "fit-file-not-found",
        ["fit", "dyad.csv", "--formula", FORMULA, "--groups", "cluster"],
        ["dyad.csv", "not found"],
        D,
    ),
    _c("fit-ragged-row", FIT, ["d.csv", "line 5"], {"d.csv": _dyads_with(5, "adequate", "1,2,3")}),
    # --- fit: options -----------------------------------------------------------------------
    _c("fit-conf-level-above-1", [*FIT, "--conf-level", "1.5"], ["--conf-level"], D),
    _c("fit-conf-level-percent", [*FIT, "--conf-level", "95"], ["--conf-level"], D),
    _c("fit-conf-level-nan", [*FIT, "--conf-level", "nan"], ["--conf-level"], D),
    _c("fit-conf-level-text", [*FIT, "--conf-level", "high"], ["--conf-level"], D),
    _c("fit-unknown-family", [*FIT, "--family", "poisson"], ["--family", "poisson"], D),
    _c("fit-unknown-cov-struct", [*FIT, "--cov-struct", "ar1"], ["--cov-struct", "ar1"], D),
    _c("fit-unknown-option", [*FIT, "--nosuch"], ["--nosuch"], D),
    _c("fit-missing-formula", ["fit", "d.csv", "--groups", "cluster"], ["--formula"], D),
    # --- meta: the CSV ---------------------------------------------------------------------
    _c(
        "meta-r-above-1",
        META,
        ["m.csv", "line 3", _column("r")],
        {"m.csv": _studies_with(3, "r", "1.2")},
    ),
    _c(
        "meta-r-below-minus-1",
        META,
        ["m.csv", "line 4", _column("r")],
        {"m.csv": _studies_with(4, "r", "-3")},
    ),
    _c(
        "meta-r-text",
        META,
        ["m.csv", "line 2", _column("r"), "strong"],
        {"m.csv": _studies_with(2, "r", "strong")},
    ),
    _c(
        "meta-n-text",
        META,
        ["m.csv", "line 5", _column("n"), "many"],
        {"m.csv": _studies_with(5, "n", "many")},
    ),
    _c(
        "meta-n-inf",
        META,
        ["m.csv", "line 3", _column("n")],
        {"m.csv": _studies_with(3, "n", "inf")},
    ),
    _c(
        "meta-n-fraction",
        META,
        ["m.csv", "line 3", _column("n")],
        {"m.csv": _studies_with(3, "n", "40.5")},
    ),
    _c(
        "meta-n-too-small",
        META,
        ["m.csv", "line 6", _column("n")],
        {"m.csv": _studies_with(6, "n", "3")},
    ),
    _c("meta-unknown-r-column", [*META, "--r", "rho"], ["rho"], M),
    _c("meta-unknown-label-column", ["meta", "m.csv", "--label", "name"], [_word("name")], M),
    _c("meta-unknown-by-column", [*META, "--by", "region"], ["region"], M),
    _c(
        "meta-duplicate-header",
        META,
        ["m.csv", _word("r")],
        {"m.csv": STUDIES.replace("study,r,n", "study,r,r")},
        ["r.1"],
    ),
    _c("meta-header-only", META, ["m.csv", "re:no (data )?rows"], {"m.csv": "study,r,n\n"}),
    _c("meta-empty-file", META, ["m.csv", "empty"], {"m.csv": ""}),
    _c("meta-binary-file", META, ["m.csv"], {"m.csv": BINARY}),
    _c("meta-directory", META, ["m.csv", "directory"], {"m.csv": DIR}),
    _c("meta-not-utf8", META, ["m.csv", "UTF-8", "line 3"], {"m.csv": LATIN1}),
    _c("meta-file-not-found", ["meta", "my_r.csv"], ["my_r.csv", "not found"], M),
    _c("meta-conf-level-zero", [*META, "--conf-level", "0"], ["--conf-level"], M),
    _c("meta-conf-level-one", [*META, "--conf-level", "1"], ["--conf-level"], M),
    _c("meta-conf-level-text", [*META, "--conf-level", "95%"], ["--conf-level"], M),
    _c("meta-unknown-method", [*META, "--method", "ML"], ["--method", "ML"], M),
    _c("meta-unknown-test", [*META, "--test", "t"], ["--test"], M),
    _c("meta-plot-suffix", [*META, "--plot", "forest.txt"], ["--plot", "forest.txt"], M),
    _c(
        "meta-include-secondary-with-file",
        [*META, "--include-secondary"],
        ["--include-secondary"],
        M,
    ),
    _c("meta-unknown-option", [*META, "--nosuch"], ["--nosuch"], M),
    # --- simulate --------------------------------------------------------------------------
    _c("simulate-unknown-design", ["simulate", "--design", "kenia", "--out", "c.csv"], ["kenia"]),
    _c(
        "simulate-design-file-not-found",
        ["simulate", "--design", "mine.toml", "--out", "c.csv"],
        ["mine.toml", "not found"],
    ),
    _c("simulate-no-design", ["simulate", "--out", "c.csv"], ["--design"]),
    _c("simulate-no-out", ["simulate", "--design", "kenya", "--seed", "1"], ["--out"]),
    _c(
        "simulate-n-dyads-zero",
        ["simulate", "--design", "kenya", "--n-dyads", "0", "--out", "c.csv"],
        ["--n-dyads"],
    ),
    _c(
        "simulate-n-dyads-negative",
        ["simulate", "--design", "kenya", "--n-dyads", "-5", "--out", "c.csv"],
        ["--n-dyads"],
    ),
    _c(
        "simulate-n-dyads-text",
        ["simulate", "--design", "kenya", "--n-dyads", "many", "--out", "c.csv"],
        ["--n-dyads"],
    ),
    _c(
        "simulate-n-dyads-float",
        ["simulate", "--design", "kenya", "--n-dyads", "1e10", "--out", "c.csv"],
        ["--n-dyads"],
    ),
    _c(
        "simulate-n-clusters-zero",
        ["simulate", "--design", "kenya", "--n-clusters", "0", "--out", "c.csv"],
        ["--n-clusters"],
    ),
    _c(
        "simulate-more-clusters-than-dyads",
        [
            "simulate",
            "--design",
            "kenya",
            "--n-dyads",
            "20",
            "--n-clusters",
            "40",
            "--out",
            "c.csv",
        ],
        ["--n-clusters"],
    ),
    _c("simulate-seed-negative", [*SIM[:-2], "--seed", "-1", "--out", "c.csv"], ["--seed"]),
    _c("simulate-seed-text", [*SIM[:-2], "--seed", "one", "--out", "c.csv"], ["--seed"]),
    _c("power-unknown-design", ["power", "--design", "kenia", "--out", "p.csv"], ["kenia"]),
    _c("power-reps-zero", [*POWER[:-2], "--reps", "0", "--out", "p.csv"], ["--reps"]),
    _c("power-reps-text", [*POWER[:-2], "--reps", "lots", "--out", "p.csv"], ["--reps"]),
    _c("power-workers-zero", [*POWER, "--workers", "0", "--out", "p.csv"], ["--workers"]),
    _c("power-alpha-above-1", [*POWER, "--alpha", "1.5", "--out", "p.csv"], ["--alpha"]),
    _c("power-alpha-zero", [*POWER, "--alpha", "0", "--out", "p.csv"], ["--alpha"]),
    _c(
        "power-target-power-above-1",
        [*POWER, "--target-power", "1.5", "--out", "p.csv"],
        ["--target-power"],
    ),
    _c("power-seed-negative", [*POWER, "--seed", "-1", "--out", "p.csv"], ["--seed"]),
    _c(
        "power-n-dyads-list-text",
        ["power", "--design", "kenya", "--n-dyads", "100,abc", "--reps", "4", "--out", "p.csv"],
        ["--n-dyads"],
    ),
    _c(
        "power-n-dyads-zero",
        ["power", "--design", "kenya", "--n-dyads", "0", "--reps", "4", "--out", "p.csv"],
        ["--n-dyads"],
    ),
    _c(
        "power-more-clusters-than-dyads",
        [
            "power",
            "--design",
            "kenya",
            "--n-dyads",
            "20",
            "--n-clusters",
            "40",
            "--reps",
            "4",
            "--out",
            "p.csv",
        ],
        ["--n-clusters"],
    ),
    _c(
        "power-unknown-model",
        [*POWER, "--model", "quadratic", "--out", "p.csv"],
        ["--model", "quadratic"],
    ),
    _c("power-no-out", [*POWER], ["--out"]),
    # --- reproduce, report -------------------------------------------------------------------
    _c("reproduce-width-small", ["reproduce", "--width", "10"], ["--width"]),
    _c("reproduce-width-text", ["reproduce", "--width", "wide"], ["--width"]),
    _c("reproduce-unknown-format", ["reproduce", "--format", "json"], ["--format", "json"]),
    _c("report-reps-zero", ["report", "--reps", "0", "--out", "r"], ["--reps"]),
    _c("report-reps-text", ["report", "--reps", "many", "--out", "r"], ["--reps"]),
    _c(
        "report-seed-negative",
        ["report", "--reps", "10", "--seed", "-1", "--out", "r"],
        ["--seed"],
    ),
    # --- data: files and table names -----------------------------------------------------------
    _c("data-unknown-table", ["data", "correlation"], ["correlation"]),
    _c(
        "data-as-unknown-table",
        ["data", "mine.csv", "--as", "nosuch"],
        [_word("nosuch")],
        {"mine.csv": "a,b\n1,2\n"},
    ),
    _c(
        "data-as-unknown-table-missing-file",
        ["data", "mine.csv", "--as", "nosuch"],
        [_word("nosuch")],
    ),
    _c("data-schema-unknown-table", ["data", "nosuch", "--schema"], [_word("nosuch")]),
    _c(
        "data-file-not-found",
        ["data", "my_study.csv", "--as", "correlations"],
        ["my_study.csv", "not found"],
    ),
    _c(
        "data-file-not-found-no-as",
        ["data", "corelations.csv"],
        ["corelations.csv", "not found"],
        {},
        ["cannot tell"],
    ),
    _c(
        "data-file-not-found-in-dir",
        ["data", "sub/correlations.csv"],
        ["sub/correlations.csv", "not found"],
        {"sub": DIR},
    ),
    _c(
        "data-no-as-unknown-stem",
        ["data", "mine.csv"],
        ["mine.csv", "--as"],
        {"mine.csv": "a,b\n1,2\n"},
    ),
    _c(
        "data-empty-file",
        ["data", "mine.csv", "--as", "correlations"],
        ["mine.csv", "empty"],
        {"mine.csv": ""},
    ),
    _c(
        "data-header-only",
        ["data", "mine.csv", "--as", "correlations"],
        ["mine.csv", "re:no (data )?rows"],
        {"mine.csv": (DATA / "correlations.csv").read_text("utf-8").splitlines()[0] + "\n"},
    ),
    _c(
        "data-binary-file",
        ["data", "mine.csv", "--as", "correlations"],
        ["mine.csv"],
        {"mine.csv": BINARY},
    ),
    _c(
        "data-directory",
        ["data", "mine.csv", "--as", "correlations"],
        ["mine.csv", "directory"],
        {"mine.csv": DIR},
    ),
    _c(
        "data-not-utf8",
        ["data", "mine.csv", "--as", "correlations"],
        ["mine.csv", "UTF-8", "line 2"],
        {"mine.csv": b"row_id,source_id\n\xff\xfe,x\n"},
    ),
    _c("data-unknown-format", ["data", "correlations", "--format", "xlsx"], ["--format", "xlsx"]),
    _c("data-as-without-value", ["data", "mine.csv", "--as"], ["--as"], {"mine.csv": "a\n1\n"}),
    # --- the top level -----------------------------------------------------------------------
    _c("unknown-command", ["simulat"], ["simulat"]),
    _c("unknown-top-option", ["--nosuch", "data"], ["--nosuch"]),
    # --- power --vary (sensitivity analysis) ---------------------------------------------------
    _c(
        "power-vary-unknown-name",
        [*POWER, "--vary", "icc=0.1", "--out", "p.csv"],
        ["icc", "icc_infant"],
    ),
    _c(
        "power-vary-empty-list",
        [*POWER, "--vary", "icc_infant=", "--out", "p.csv"],
        ["--vary", "icc_infant"],
    ),
    _c(
        "power-vary-no-equals",
        [*POWER, "--vary", "icc_infant", "--out", "p.csv"],
        ["--vary", "NAME="],
    ),
    _c(
        "power-vary-bad-number",
        [*POWER, "--vary", "icc_infant=0.1,abc", "--out", "p.csv"],
        ["icc_infant", "abc"],
    ),
    _c(
        "power-vary-repeated-name",
        [*POWER, "--vary", "icc_milk=0.1", "--vary", "icc_milk=0.2", "--out", "p.csv"],
        ["--vary", "icc_milk", "twice"],
    ),
    _c(
        "power-vary-out-of-range",
        [*POWER, "--vary", "icc_infant=0.1,1.5", "--out", "p.csv"],
        ["icc_infant", "1.5"],
    ),
    _c(
        "power-vary-clusters-fraction",
        [*POWER[:5], *POWER[7:], "--vary", "n_clusters=10,12.5", "--out", "p.csv"],
        ["n_clusters", "12.5"],
    ),
    _c(
        "power-vary-clusters-and-n-clusters",
        [*POWER, "--vary", "n_clusters=10", "--out", "p.csv"],
        ["--n-clusters", "--vary"],
    ),
    _c(
        "power-vary-unknown-scale",
        [*POWER, "--vary", "correlation_scale=kendall", "--out", "p.csv"],
        ["correlation", "kendall"],
    ),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_bad_input(
    case: CliCase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One error line naming what is wrong; nothing changed, nothing left behind."""
    monkeypatch.chdir(tmp_path)
    _materialise(case.files, tmp_path)

    def fill(text: str) -> str:
        return text.replace("{DATA}", str(DATA)).replace("{TMP}", str(tmp_path))

    before, bundled = _snapshot(tmp_path), _snapshot(DATA)
    code, _, err = _run_cli([fill(a) for a in case.argv], capsys)
    line = _error_line(code, err)
    missing = [n for n in case.names if not _names(line, fill(n))]
    assert not missing, f"the error line does not name {missing}: {line}"
    wrong = [n for n in case.not_names if _names(line, n)]
    assert not wrong, f"the error line names {wrong}: {line}"
    assert _snapshot(tmp_path) == before, "files changed or left behind"
    assert _snapshot(DATA) == bundled, "the bundled data changed"


# --- cases that must work ---------------------------------------------------------------------


def _trailing_commas(text: str, n: int = 2) -> str:
    """``text`` as a spreadsheet saves it with ``n`` empty columns on the right."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in csv.reader(io.StringIO(text)):
        writer.writerow([*row, *[""] * n])
    return buf.getvalue()


TRAILING_CASES = [
    pytest.param(
        ("fit", "d.csv", "--formula", FORMULA, "--groups", "cluster"), "d.csv", DYADS, id="fit"
    ),
    pytest.param(("meta", "m.csv", "--label", "study"), "m.csv", STUDIES, id="meta"),
    pytest.param(
        ("data", "mine.csv", "--as", "correlations"),
        "mine.csv",
        (DATA / "correlations.csv").read_text("utf-8"),
        id="data",
    ),
]


@pytest.mark.parametrize(("argv", "name", "text"), TRAILING_CASES)
def test_trailing_empty_columns_warn_and_work(
    argv: tuple[str, ...],
    name: str,
    text: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Spreadsheet trailing commas (empty, unnamed columns) are dropped with a warning.

    The warning may be a ``warning:`` line, a logged warning (the console shows it on
    stderr; in-process pytest captures it) or a Python warning.
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(_trailing_commas(text), encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out, err = _run_cli(argv, capsys)
    assert code == 0, err
    assert "Traceback" not in err
    said = "\n".join(
        [
            *[line for line in err.splitlines() if re.match(r"warning", line, re.IGNORECASE)],
            *[r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING],
            *[str(w.message) for w in caught],
        ]
    )
    assert re.search(r"empty|trailing|unnamed", said, re.IGNORECASE), f"no such warning: {said!r}"
    assert "Unnamed: " not in out + said


def test_trailing_empty_columns_some_rows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Trailing commas on some rows and not others load; a value past the header does not."""
    monkeypatch.chdir(tmp_path)
    text = (DATA / "correlations.csv").read_text("utf-8")
    header, first, *rest = text.splitlines()
    mixed = "\n".join([header + ",,", first, *(r + ",," for r in rest[:1])]) + "\n"
    (tmp_path / "mine.csv").write_text(mixed, encoding="utf-8")
    code, _, err = _run_cli(
        ["data", "mine.csv", "--as", "correlations", "--format", "csv"], capsys
    )
    assert code == 0, err
    wide = "\n".join([header + ",,", first + ",,,x"]) + "\n"  # x past the 16 cells
    (tmp_path / "mine.csv").write_text(wide, encoding="utf-8")
    code, _, err = _run_cli(["data", "mine.csv", "--as", "correlations"], capsys)
    line = _error_line(code, err)
    assert re.search(r"mine\.csv, line 2\b", line), line


@pytest.mark.parametrize("name", ["fit", "meta"])
def test_positive_controls_work(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixtures the bad cases break are themselves good input."""
    monkeypatch.chdir(tmp_path)
    _materialise(D | M, tmp_path)
    argv = [*FIT, "--out", "o.csv"] if name == "fit" else [*META, "--out", "o.csv"]
    code, _, err = _run_cli(argv, capsys)
    assert code == 0, err
    assert (tmp_path / "o.csv").is_file()


@pytest.mark.parametrize(
    ("raised", "status", "needles"),
    [
        pytest.param(KeyboardInterrupt(), 130, ["interrupt"], id="ctrl-c"),
        pytest.param(
            OSError(28, "No space left on device"), 2, ["f.png", "space"], id="disk-full"
        ),
    ],
)
def test_failure_while_writing_the_plot_leaves_no_output(
    raised: BaseException,
    status: int,
    needles: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C or a full disk while saving the forest plot: no CSV, no temporary file left.

    The figure is the last and slowest output of ``meta``; whatever order the command
    writes in, ``Figure.savefig`` is where saving it fails.
    """
    import matplotlib.figure

    monkeypatch.chdir(tmp_path)
    _materialise(M, tmp_path)
    before = _snapshot(tmp_path)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise raised

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", fail)
    argv = [*META, "--out", "o.csv", "--studies", "s.csv", "--plot", "f.png"]
    code, _, err = _run_cli(argv, capsys)
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert code == status and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    assert all(_names(lines[0], n) for n in needles), lines[0]
    assert not re.search(r"\.tmp\b", lines[0]), lines[0]
    assert _snapshot(tmp_path) == before, "files changed or left behind"


def _builtin_designs() -> list[str]:
    """Names printed by ``b12stats simulate --list`` (first column)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["simulate", "--list"])
    names = []
    for text in buf.getvalue().splitlines()[1:]:
        token = text.split()[0] if text.split() else ""
        if re.fullmatch(r"[a-z][a-z0-9_]*", token):
            names.append(token)
    return names


BUILTIN_DESIGNS = _builtin_designs()


def test_builtin_designs_are_listed() -> None:
    assert {"kenya", "canada", "cambodia"} <= set(BUILTIN_DESIGNS), BUILTIN_DESIGNS


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_power_defaults_work_for_every_builtin_design(
    design: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``b12stats power --design NAME`` with its default options exits 0.

    Only ``--reps`` is lowered (it does not choose anything, it only costs time). The
    output must say what was chosen (the working correlation).
    """
    monkeypatch.chdir(tmp_path)
    code, out, err = _run_cli(
        ["power", "--design", design, "--reps", "10", "--seed", "1", "--out", "p.csv"], capsys
    )
    assert code == 0, err
    assert "Traceback" not in err
    # the output says which working correlation was used
    assert re.search(r"independence|exchangeable", out + err), out + err
    table = pd.read_csv(tmp_path / "p.csv")
    assert len(table) >= 1
    assert table["power"].between(0, 1).all()


# --- the real console entry point -------------------------------------------------------------


def _console() -> list[str]:
    """The installed ``b12stats`` script (beside this Python, not a pyenv shim)."""
    beside = Path(sys.executable).parent / "b12stats"
    script = str(beside) if beside.is_file() else shutil.which("b12stats")
    return [script] if script else [sys.executable, "-m", "b12stats"]


@pytest.mark.parametrize(
    ("argv", "files", "needles"),
    [
        pytest.param(
            ["fit", "d.csv", "--formula", FORMULA, "--groups", "cluster", "--out", "d.csv"],
            D,
            ["--out", "d.csv"],
            id="fit-out-is-data",
        ),
        pytest.param(
            ["meta", "m.csv", "--label", "study"],
            {"m.csv": _studies_with(3, "r", "1.2")},
            ["m.csv", "line 3"],
            id="meta-r-above-1",
        ),
    ],
)
def test_console_entry_point_no_traceback(
    argv: list[str], files: Mapping[str, Any], needles: list[str], tmp_path: Path
) -> None:
    _materialise(files, tmp_path)
    before = _snapshot(tmp_path)
    code, _, err, _ = _run_limited([*_console(), *argv], tmp_path)
    line = _error_line(code, err)
    assert all(_names(line, n) for n in needles), line
    assert _snapshot(tmp_path) == before


# --- unbounded work: refused quickly (or done in bounded memory) ------------------------------

HUGE_CLI = [
    pytest.param(
        [*SIM[:3], "--n-dyads", "10000000000", "--seed", "1", "--out", "c.csv"],
        "--n-dyads",
        id="simulate-n-dyads-1e10",
    ),
    pytest.param(
        [*POWER[:-2], "--reps", "1000000000000", "--seed", "1", "--out", "p.csv"],
        "--reps",
        id="power-reps-1e12",
    ),
    pytest.param(
        [*POWER[:3], "--n-dyads", "10000000000", "--reps", "2", "--seed", "1", "--out", "p.csv"],
        "--n-dyads",
        id="power-n-dyads-1e10",
    ),
    pytest.param(
        [*POWER, "--workers", "100000", "--seed", "1", "--out", "p.csv"],
        "--workers",
        id="power-workers-1e5",
    ),
]


@pytest.mark.parametrize(("argv", "option"), HUGE_CLI)
def test_huge_sizes_are_refused_quickly(argv: list[str], option: str, tmp_path: Path) -> None:
    """One line naming the option and its limit, within seconds, in bounded memory."""
    # a pool of 100,000 workers forks for as long as it is allowed to: stop it early
    timeout = 10 if option == "--workers" else SUBPROCESS_TIMEOUT
    code, _, err, seconds = _run_limited(
        [sys.executable, "-m", "b12stats", *argv], tmp_path, timeout=timeout
    )
    line = _error_line(code, err)
    assert _names(line, option), line
    assert re.search(r"\d", line.split(option, 1)[-1]), f"states no limit: {line}"
    assert seconds < 20, f"took {seconds:.1f} s"
    assert _snapshot(tmp_path) == {}


def test_meta_cli_many_studies_bounded(tmp_path: Path) -> None:
    """``meta`` on 25,000 correlations: pooled in bounded memory, or one error line.

    25,000 (the API cases take 50,000): a k x k matrix (5 GB) still breaks the memory
    limit, and the CLI's per-row reading costs half the time.
    """
    rng = np.random.default_rng(5)
    k = 25_000
    frame = pd.DataFrame(
        {"study": [f"s{i}" for i in range(k)], "r": rng.uniform(-0.2, 0.6, k).round(3)}
    ).assign(n=rng.integers(20, 300, k))
    frame.to_csv(tmp_path / "many.csv", index=False)
    before = _snapshot(tmp_path)
    code, out, err, seconds = _run_limited(
        [sys.executable, "-m", "b12stats", "meta", "many.csv", "--label", "study"], tmp_path
    )
    assert "Traceback" not in err, err[-3000:]
    if code != 0:
        _error_line(code, err)
    else:
        assert "k = 25000" in out
    assert seconds < 30, f"took {seconds:.1f} s"
    assert _snapshot(tmp_path) == before


HUGE_API = [
    pytest.param(
        """
        from b12stats.stats.meta import meta_correlations
        rng = np.random.default_rng(1)
        k = 50_000
        res = meta_correlations(rng.uniform(-0.2, 0.6, k), rng.integers(20, 300, k))
        assert res.k == k
        """,
        r"\b(r|n|k)\b",
        id="meta_correlations-k-50000",
    ),
    pytest.param(
        """
        from b12stats.stats.meta import rma
        rng = np.random.default_rng(1)
        k = 50_000
        vi = rng.uniform(0.001, 0.05, k)
        yi = 0.3 + rng.normal(0.0, 0.1, k) + rng.normal(0.0, np.sqrt(vi))
        rma(yi, vi, method="REML", test="knha")
        """,
        r"\b(yi|vi|k)\b",
        id="rma-k-50000",
    ),
    pytest.param(
        """
        from b12stats.simulate import get_design, simulate_cohort
        simulate_cohort(get_design("kenya"), n_dyads=10**10, rng=1)
        """,
        r"\bn_dyads\b",
        id="simulate_cohort-n_dyads-1e10",
    ),
    pytest.param(
        """
        from b12stats.simulate import get_design, simulate_arrays
        simulate_arrays(get_design("kenya"), n_dyads=286, reps=10**9, rng=1)
        """,
        r"\breps\b",
        id="simulate_arrays-reps-1e9",
    ),
    pytest.param(
        """
        from b12stats.power import power
        power("kenya", n_dyads=60, n_clusters=12, reps=10**12, rng=1, progress=False)
        """,
        r"\breps\b",
        id="power-reps-1e12",
    ),
]


@pytest.mark.parametrize(("code", "argument"), HUGE_API)
def test_api_huge_sizes_bounded(code: str, argument: str, tmp_path: Path) -> None:
    """Works within the memory limit, or raises a B12StatsError naming the argument."""
    script = (
        "import numpy as np\n"
        "from b12stats.errors import B12StatsError\n"
        "try:\n"
        + textwrap.indent(textwrap.dedent(code).strip(), "    ")
        + "\nexcept B12StatsError as exc:\n"
        "    print('B12StatsError:', exc)\n"
        "else:\n"
        "    print('OK')\n"
    )
    status, out, err, seconds = _run_limited([sys.executable, "-c", script], tmp_path)
    assert status == 0 and "Traceback" not in err, err[-3000:]
    result = out.strip().splitlines()[-1]
    if result != "OK":
        assert re.search(argument, result), result
    assert seconds < 30, f"took {seconds:.1f} s"


def test_rma_reml_widely_differing_variances_converges() -> None:
    """REML on 2,000 effects with widely differing sampling variances converges.

    Found while building the k = 50,000 case: with vi from 0.001 to 0.05 and a
    small positive tau2, Fisher scoring (expected information) overshoots and its
    iterates oscillate with growing amplitude around tau2 = 0.0026; metafor's
    remedy is a smaller step (stepadj). Not a bad input, a good one that must work.
    """
    from b12stats.stats.meta import rma

    rng = np.random.default_rng(1)
    k = 2000
    yi, vi = rng.normal(0.3, 0.1, k), rng.uniform(0.001, 0.05, k)
    fit = rma(yi, vi, method="REML")
    assert 0.0 <= fit.tau2 < 0.01  # the effects' variance, 0.01, bounds it

    def minus_reml(tau2: float) -> float:  # -2 x restricted log-likelihood, up to a constant
        w = 1.0 / (vi + tau2)
        mu = np.sum(w * yi) / np.sum(w)
        return float(np.sum(np.log(vi + tau2)) + np.log(np.sum(w)) + np.sum(w * (yi - mu) ** 2))

    from scipy import optimize

    best = optimize.minimize_scalar(
        minus_reml, bounds=(0.0, 0.01), method="bounded", options={"xatol": 1e-12}
    )
    # the likelihood is flat to rounding within ~1e-10 of its maximum
    assert fit.tau2 == pytest.approx(best.x, abs=1e-8)


# --- every rule of the bundled tables' schemas ------------------------------------------------


def _schema(table: str) -> dict[str, Any]:
    return dict(json.loads((DATA / f"{table}.schema.json").read_text("utf-8")))


def _rows(table: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if not any("\n" in v for v in r.values())]
        return list(reader.fieldnames or []), rows


def _table_csv(header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return buf.getvalue()


@dataclass(frozen=True)
class SchemaCase:
    """A user's file for ``b12stats data FILE --as TABLE`` breaking one rule."""

    id: str
    table: str
    text: str
    line: int | None
    columns: tuple[str, ...]  # the message names at least one of these
    needles: tuple[str, ...] = ()
    not_needles: tuple[str, ...] = ()
    # a reference to another table is checked where every table in use is known:
    # ``b12stats data --data DIR`` with the file as DIR/TABLE.csv
    package: bool = False
    extra: tuple[tuple[str, str], ...] = ()  # (table, CSV text) beside it in the package


def _schema_cases() -> tuple[list[SchemaCase], list[SchemaCase]]:
    """(bad cases, the good one-row files they are built from)."""
    bad: list[SchemaCase] = []
    good: list[SchemaCase] = []
    package = json.loads((DATA / "datapackage.json").read_text("utf-8"))
    for res in package["resources"]:
        table = res["name"]
        schema = _schema(table)
        header, rows = _rows(table)
        fields = {f["name"]: f for f in schema["fields"]}
        checks = schema.get("b12stats:checks", [])
        together = [set(c["fields"]) for c in checks if c["rule"] == "together"]

        def pick(
            need: Sequence[str],
            *,
            rows: list[dict[str, str]] = rows,
            together: list[set[str]] = together,
        ) -> dict[str, str] | None:
            """First bundled row with every field in ``need`` (and its together-group) filled."""
            wanted = set(need)
            for group in together:
                if wanted & group:
                    wanted |= group
            for row in rows:
                if all(row.get(c, "").strip() for c in wanted):
                    return dict(row)
            return None

        def add(
            rule: str,
            row: dict[str, str] | None,
            columns: Sequence[str],
            *,
            line: int | None = 2,
            extra_rows: Sequence[Mapping[str, str]] = (),
            hdr: Sequence[str] | None = None,
            needles: Sequence[str] = (),
            not_needles: Sequence[str] = (),
            table: str = table,
            header: list[str] = header,
            checks: list[dict[str, Any]] = checks,
            fields: dict[str, dict[str, Any]] = fields,
            package: bool = False,
        ) -> None:
            if row is None:  # every rule gets a case: build one by hand if this fires
                raise AssertionError(f"{table}-{rule}: no bundled row to build the case from")
            extra: list[tuple[str, str]] = []
            if package:  # beside the bundled tables the row needs an id of its own
                key = "source_id" if table == "sources" else "row_id"
                row = row | {key: f"mine_{row[key]}"}
                # a unique reference (a claim judged once) points at a copy of its row
                for rule in checks:
                    col = rule.get("field")
                    unique = fields.get(col, {}).get("constraints", {}).get("unique")
                    if rule["rule"] != "reference" or not unique or col in columns:
                        continue
                    ref_header, ref_rows = _rows(rule["table"])
                    ref = next(r for r in ref_rows if r[rule["key"]] == row[col])
                    row = row | {col: f"mine_{row[col]}"}
                    ref = ref | {rule["key"]: row[col]}
                    extra.append((rule["table"], _table_csv(ref_header, [ref])))
            text = _table_csv(hdr or header, [row, *extra_rows])
            bad.append(
                SchemaCase(
                    f"{table}-{rule}",
                    table,
                    text,
                    line,
                    tuple(columns),
                    tuple(needles),
                    tuple(not_needles),
                    package,
                    tuple(extra),
                )
            )

        first = pick([])
        assert first is not None, table
        good.append(SchemaCase(f"{table}-good", table, _table_csv(header, [first]), None, ()))
        for name, f in fields.items():
            c = f.get("constraints", {})
            kind = f["type"]
            if c.get("required"):
                row = pick([name])
                if row is not None:
                    row[name] = ""
                add(f"required-{name}", row, [name])
            if "enum" in c:
                row = pick([name])
                if row is not None:
                    row[name] = "not_an_allowed_value"
                add(f"enum-{name}", row, [name], needles=["not_an_allowed_value"])
            lo, hi = c.get("minimum"), c.get("maximum")
            if lo is not None:
                row = pick([name])
                if row is not None:
                    row[name] = str(int(lo) - 1) if kind == "integer" else f"{lo - 0.5:g}"
                add(f"minimum-{name}", row, [name])
            if hi is not None:
                row = pick([name])
                if row is not None:
                    row[name] = str(int(hi) + 1) if kind == "integer" else f"{hi + 0.5:g}"
                add(f"maximum-{name}", row, [name])
            bad_values = {
                "number": {"text": "about 3", "inf": "inf"},
                "integer": {"fraction": "2.5", "text": "ten"},
                "boolean": {"text": "maybe"},
            }.get(kind, {})
            for label, value in bad_values.items():
                row = pick([name])
                if row is not None:
                    row[name] = value
                add(f"type-{kind}-{label}-{name}", row, [name])
        for key in schema.get("primaryKey", []):
            row = pick([key])
            if row is not None:
                add(f"primary-key-{key}", row, [key], line=3, extra_rows=[dict(row)])
        for fk in schema.get("foreignKeys", []):
            col = fk["fields"]
            row = pick([col])
            if row is not None:
                row[col] = "no_such_source_zz"
            add(f"foreign-key-{col}", row, [col], needles=["no_such_source_zz"])
        for rule in checks:
            kind = rule["rule"]
            if kind == "ordered":
                for a, b in zip(rule["fields"], rule["fields"][1:], strict=False):
                    row = pick(rule["fields"])
                    if row is not None:
                        row[a] = f"{float(row[b]) + abs(float(row[b])) + 1:g}"
                    add(f"ordered-{a}-{b}", row, [a, b])
            elif kind == "together":
                for col in rule["fields"]:
                    row = pick(rule["fields"])
                    if row is not None and not fields[col].get("constraints", {}).get("required"):
                        row[col] = ""
                        add(f"together-{'-'.join(rule['fields'])}-without-{col}", row, [col])
            elif kind == "one_of_required":
                row = pick([])
                if row is not None:
                    for col in rule["fields"]:
                        row[col] = ""
                add(f"one-of-required-{'-'.join(rule['fields'])}", row, rule["fields"])
            elif kind == "different":
                a, b = rule["fields"]
                row = pick([a, b])
                if row is not None:
                    row[b] = row[a]
                add(f"different-{a}-{b}", row, [a, b])
            elif kind == "reference":
                col = rule["field"]
                row = pick([])
                if row is not None:
                    row[col] = "no_such_key_zz"
                add(f"reference-{col}", row, [col], needles=["no_such_key_zz"], package=True)
            elif kind == "row_ids":
                col = rule["field"]
                row = pick([col])
                if row is not None:
                    row[col] = "no_such_row_zz"
                add(f"row-ids-{col}", row, [col], needles=["no_such_row_zz"], package=True)
            elif kind == "p_text":
                col = rule["field"]
                for label, value in (("unparsable", "P is small"), ("above-1", "P = 1.5")):
                    row = pick([col])
                    if row is not None:
                        row[col] = value
                    add(f"p-text-{label}-{col}", row, [col])
            elif kind == "fraction":
                col = rule["field"]
                for label, value in (
                    ("above-1", "3/2"),
                    ("zero-denominator", "1/0"),
                    ("text", "half"),
                ):
                    row = pick([])
                    if row is not None:
                        row[col] = value
                    add(f"fraction-{label}-{col}", row, [col])
            else:
                raise AssertionError(f"rule {kind!r} of {table} has no case: add one")
        # the header
        required = [n for n, f in fields.items() if f.get("constraints", {}).get("required")]
        gone = required[-1]
        add(
            f"missing-column-{gone}",
            dict(first),
            [gone],
            line=1,
            hdr=[h for h in header if h != gone],
        )
        add(
            "unexpected-column",
            dict(first) | {"bogus_col": "1"},
            ["bogus_col"],
            line=1,
            hdr=[*header, "bogus_col"],
        )
        dup = header[-1]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([*header, dup])
        writer.writerow([*[first.get(h, "") for h in header], first.get(dup, "")])
        bad.append(
            SchemaCase(
                f"{table}-duplicate-header-{dup}",
                table,
                buf.getvalue(),
                1,
                (dup,),
                (),
                (f"{dup}.1",),
            )
        )
    return bad, good


SCHEMA_CASES, SCHEMA_GOOD = _schema_cases()


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.id for c in SCHEMA_CASES])
def test_data_schema_rule(
    case: SchemaCase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``b12stats data mine.csv --as TABLE``: the file, the line and the column."""
    monkeypatch.chdir(tmp_path)
    if case.package:
        (tmp_path / "mine").mkdir()
        name = f"mine/{case.table}.csv"
        argv = ["data", "--data", "mine"]
    else:
        name = "mine.csv"
        argv = ["data", name, "--as", case.table]
    (tmp_path / name).write_text(case.text, encoding="utf-8")
    for table, text in case.extra:
        (tmp_path / "mine" / f"{table}.csv").write_text(text, encoding="utf-8")
    before = _snapshot(tmp_path)
    code, _, err = _run_cli(argv, capsys)
    line = _error_line(code, err)
    assert name in line, line
    if case.line is not None:
        assert re.search(rf"\bline {case.line}\b", line), line
    assert any(_names(line, _column(c)) for c in case.columns), (
        f"names none of the columns {case.columns}: {line}"
    )
    for needle in case.needles:
        assert _names(line, needle), line
    for needle in case.not_needles:
        assert not _names(line, needle), line
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("case", SCHEMA_GOOD, ids=[c.id for c in SCHEMA_GOOD])
def test_data_schema_rule_base_rows_load(
    case: SchemaCase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The bundled row each rule case starts from loads as it is (so the rule is the cause)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.csv").write_text(case.text, encoding="utf-8")
    code, _, err = _run_cli(["data", "mine.csv", "--as", case.table, "--format", "csv"], capsys)
    assert code == 0, err


# --- the Python API -------------------------------------------------------------------------


def _f(path: str) -> Callable[..., Any]:
    """``module:attr`` (``attr`` may be dotted), imported when called."""
    module, _, attr = path.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        obj: Any = import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    return call


corr = {n: _f(f"b12stats.stats.correlation:{n}") for n in (
    "r_to_z", "fisher_z_ci", "p_from_r", "n_interval_from_r_p", "check_r_p_n",
    "compare_correlations", "power_correlation", "n_for_power_correlation",
)}  # fmt: skip
quart = {n: _f(f"b12stats.stats.quartiles:{n}") for n in (
    "lognormal_from_quartiles", "prevalence_from_quartiles", "mean_sd_from_quartiles",
)}  # fmt: skip
eff = {n: _f(f"b12stats.stats.effects:{n}") for n in (
    "effect_from_ci", "check_p_against_ci", "ratio", "check_ratio",
)}  # fmt: skip
meta = {n: _f(f"b12stats.stats.meta:{n}") for n in (
    "rma", "meta_correlations", "leave_one_out", "subgroup",
)} | {"pool_table": _f("b12stats.pooling:pool_table")}  # fmt: skip
models = {
    n: _f(f"b12stats.models:{n}") for n in ("fit_gee", "fit_linear", "fit_trend", "milk_quartile")
}
sim = {n: _f(f"b12stats.simulate:{n}") for n in (
    "simulate_cohort", "simulate_arrays", "get_design", "cluster_labels",
    "observed_correlation", "latent_correlation", "write_cohort",
)}  # fmt: skip
marginal = _f("b12stats.simulate:LognormalMarginal.from_quartiles")
pw = {n: _f(f"b12stats.power:{n}") for n in ("power", "sample_size", "replicate_estimates")}
batch = _f("b12stats.batch_gee:fit_gee_batch")
units = {n: _f(f"b12stats.units:{n}") for n in ("convert", "to_pmol_per_l")}
printed = {n: _f(f"b12stats.stats.printed:{n}") for n in ("parse_p", "parse_number")}
load_table = _f("b12stats.data:load_table")
as_printed = _f("b12stats.data:as_printed")
run_audit = _f("b12stats.audit:run_audit")

INF = math.inf
NAN = math.nan
R, N = [0.31, 0.12, 0.45, 0.28], [40, 67, 25, 120]
SMALL = {"n_dyads": 30, "n_clusters": 6}
POW = {"n_dyads": 30, "n_clusters": 6, "reps": 2, "rng": 1, "progress": False}


def _kenya() -> Any:
    return sim["get_design"]("kenya")


def _frame() -> pd.DataFrame:
    return _dyads()


def _mixed_ids() -> pd.DataFrame:
    frame = _dyads().astype({"cluster": object})
    frame.loc[frame.index[::2], "cluster"] = "village_" + frame.loc[
        frame.index[::2], "cluster"
    ].astype(str)
    return frame


def _records() -> list[dict[str, Any]]:
    return _dyads().to_dict("records")


def _batch_inputs(n_groups: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    y = rng.normal(size=(2, 60))
    x = np.stack([np.ones((2, 60)), rng.normal(size=(2, 60))], axis=-1)
    return y, x, np.repeat(np.arange(12), 5)[:n_groups]


def _write_cohort_to(tmp: Path, frame: Any, design: Any) -> Any:
    return sim["write_cohort"](frame, tmp / "c.csv", design=design, seed=1)


OE, DVE, ANY = OptionError, DataValidationError, B12StatsError


@dataclass(frozen=True)
class ApiCase:
    id: str
    call: Callable[[Path], Any]  # gets a scratch directory
    error: type[B12StatsError]
    names: tuple[str, ...]


def _a(id: str, call: Callable[[Path], Any], error: type[B12StatsError], *names: str) -> ApiCase:
    return ApiCase(
        id, call, error, tuple(_word(n) if not n.startswith("re:") else n for n in names)
    )


API_CASES: list[ApiCase] = [
    # r outside [-1, 1]
    _a("p_from_r-r-above-1", lambda t: corr["p_from_r"](1.2, 40), OE, "r"),
    _a("p_from_r-r-array-outside", lambda t: corr["p_from_r"]([0.2, -1.5], [40, 50]), OE, "r"),
    _a("r_to_z-r-outside", lambda t: corr["r_to_z"](1.5), OE, "r"),
    _a("fisher_z_ci-r-outside", lambda t: corr["fisher_z_ci"](-1.5, 40), OE, "r"),
    _a(
        "compare_correlations-r2-outside",
        lambda t: corr["compare_correlations"](0.5, 40, 2.0, 67),
        OE,
        "r2",
    ),
    _a("power_correlation-r-outside", lambda t: corr["power_correlation"](1.5, 50), OE, "r"),
    _a(
        "n_for_power_correlation-r-outside",
        lambda t: corr["n_for_power_correlation"](-2.0, 0.8),
        OE,
        "r",
    ),
    _a(
        "meta_correlations-r-outside",
        lambda t: meta["meta_correlations"]([0.3, 1.4, 0.2], [40, 50, 60]),
        ANY,
        "r",
    ),
    _a(
        "latent_correlation-r-outside",
        lambda t: sim["latent_correlation"](1.5, "pearson_log"),
        OE,
        "r",
    ),
    _a(
        "observed_correlation-rho-outside",
        lambda t: sim["observed_correlation"](1.5, "pearson_log"),
        OE,
        "rho",
    ),
    # n = inf, n too small, n not whole
    _a("p_from_r-n-inf", lambda t: corr["p_from_r"](0.3, INF), OE, "n"),
    _a("p_from_r-n-too-small", lambda t: corr["p_from_r"](0.3, 2), OE, "n"),
    _a("fisher_z_ci-n-inf", lambda t: corr["fisher_z_ci"](0.3, INF), OE, "n"),
    _a("fisher_z_ci-n-nan", lambda t: corr["fisher_z_ci"](0.3, NAN), OE, "n"),
    _a(
        "compare_correlations-n1-inf",
        lambda t: corr["compare_correlations"](0.5, INF, 0.2, 67),
        OE,
        "n1",
    ),
    _a("check_r_p_n-n-inf", lambda t: corr["check_r_p_n"]("0.20", "0.27", INF), OE, "n"),
    _a("power_correlation-n-inf", lambda t: corr["power_correlation"](0.3, INF), OE, "n"),
    _a("power_correlation-n-fraction", lambda t: corr["power_correlation"](0.3, 40.5), OE, "n"),
    _a(
        "mean_sd_from_quartiles-n-inf",
        lambda t: quart["mean_sd_from_quartiles"](193, 276, 399, INF),
        OE,
        "n",
    ),
    _a(
        "mean_sd_from_quartiles-n-zero",
        lambda t: quart["mean_sd_from_quartiles"](193, 276, 399, 0),
        OE,
        "n",
    ),
    _a(
        "prevalence_from_quartiles-n-inf",
        lambda t: quart["prevalence_from_quartiles"](193, 276, 399, 220, n=INF),
        OE,
        "n",
    ),
    _a(
        "meta_correlations-n-inf",
        lambda t: meta["meta_correlations"](R, [40, INF, 25, 120]),
        ANY,
        "n",
    ),
    _a(
        "meta_correlations-n-3", lambda t: meta["meta_correlations"](R, [40, 3, 25, 120]), ANY, "n"
    ),
    _a(
        "simulate_cohort-n_dyads-inf",
        lambda t: sim["simulate_cohort"](_kenya(), n_dyads=INF, rng=1),
        OE,
        "n_dyads",
    ),
    _a(
        "simulate_cohort-n_dyads-negative",
        lambda t: sim["simulate_cohort"](_kenya(), n_dyads=-5, rng=1),
        OE,
        "n_dyads",
    ),
    _a(
        "simulate_cohort-n_dyads-float",
        lambda t: sim["simulate_cohort"](_kenya(), n_dyads=30.5, n_clusters=6, rng=1),
        OE,
        "n_dyads",
    ),
    _a(
        "simulate_cohort-n_clusters-zero",
        lambda t: sim["simulate_cohort"](_kenya(), n_dyads=30, n_clusters=0, rng=1),
        OE,
        "n_clusters",
    ),
    _a(
        "cluster_labels-more-clusters-than-dyads",
        lambda t: sim["cluster_labels"](10, 20, rng=1),
        OE,
        "n_clusters",
    ),
    _a(
        "power-n_dyads-inf",
        lambda t: pw["power"]("kenya", **(POW | {"n_dyads": [INF]})),
        OE,
        "n_dyads",
    ),
    _a(
        "power-n_dyads-text",
        lambda t: pw["power"]("kenya", **(POW | {"n_dyads": [30, "many"]})),
        OE,
        "n_dyads",
    ),
    # p > 1, alpha, power
    _a(
        "n_interval_from_r_p-p-above-1",
        lambda t: corr["n_interval_from_r_p"]("0.20", "1.5"),
        OE,
        "re:p",
    ),
    _a("check_r_p_n-p-above-1", lambda t: corr["check_r_p_n"]("0.20", "P = 1.2", 30), OE, "re:p"),
    _a(
        "check_p_against_ci-p-above-1",
        lambda t: eff["check_p_against_ci"]("P = 1.3", 10, 5, 15),
        OE,
        "re:p_text|P = 1\\.3",
    ),
    _a("parse_p-above-1", lambda t: printed["parse_p"]("P = 1.5"), OE, "re:1\\.5"),
    _a(
        "power_correlation-alpha-above-1",
        lambda t: corr["power_correlation"](0.3, 50, alpha=1.5),
        OE,
        "alpha",
    ),
    _a(
        "n_for_power_correlation-power-above-1",
        lambda t: corr["n_for_power_correlation"](0.3, 1.5),
        OE,
        "power",
    ),
    _a("power-alpha-above-1", lambda t: pw["power"]("kenya", alpha=1.5, **POW), OE, "alpha"),
    _a(
        "sample_size-target-above-1",
        lambda t: pw["sample_size"]("kenya", target_power=1.2, reps=2, rng=1, progress=False),
        OE,
        "target_power",
    ),
    # quartiles: Q1 > median, negative concentrations
    _a(
        "lognormal_from_quartiles-q1-above-median",
        lambda t: quart["lognormal_from_quartiles"](300, 276, 399),
        OE,
        "q1",
        "median",
    ),
    _a(
        "lognormal_from_quartiles-median-above-q3",
        lambda t: quart["lognormal_from_quartiles"](193, 420, 399),
        OE,
        "median",
        "q3",
    ),
    _a(
        "prevalence_from_quartiles-q1-above-median",
        lambda t: quart["prevalence_from_quartiles"](300, 276, 399, 220),
        OE,
        "q1",
        "median",
    ),
    _a(
        "mean_sd_from_quartiles-q1-above-median",
        lambda t: quart["mean_sd_from_quartiles"](300, 276, 399, 50),
        OE,
        "q1",
        "median",
    ),
    _a("LognormalMarginal-q1-above-median", lambda t: marginal(300, 276, 399), OE, "q1", "median"),
    _a(
        "lognormal_from_quartiles-negative",
        lambda t: quart["lognormal_from_quartiles"](-10, 276, 399),
        OE,
        "q1",
    ),
    _a("LognormalMarginal-negative", lambda t: marginal(-10, 276, 399), OE, "q1"),
    _a(
        "prevalence_from_quartiles-negative-cutoff",
        lambda t: quart["prevalence_from_quartiles"](193, 276, 399, -5),
        OE,
        "cutoff",
    ),
    _a("ratio-negative-concentration", lambda t: eff["ratio"](-276, 193), OE, "numerator"),
    _a("ratio-zero-denominator", lambda t: eff["ratio"](276, 0), OE, "denominator"),
    _a(
        "to_pmol_per_l-negative",
        lambda t: units["to_pmol_per_l"](-5, "pg/mL"),
        OE,
        "re:value|concentration",
    ),
    # non-numeric strings
    _a("p_from_r-r-text", lambda t: corr["p_from_r"]("abc", 40), OE, "r"),
    _a("fisher_z_ci-n-text", lambda t: corr["fisher_z_ci"](0.3, "forty"), OE, "n"),
    _a(
        "n_interval_from_r_p-r-text",
        lambda t: corr["n_interval_from_r_p"]("strong", "0.27"),
        OE,
        "re:\\br(_text)?\\b",
    ),
    _a("power_correlation-r-text", lambda t: corr["power_correlation"]("x", 50), OE, "r"),
    _a(
        "lognormal_from_quartiles-text",
        lambda t: quart["lognormal_from_quartiles"]("low", 276, 399),
        OE,
        "q1",
    ),
    _a(
        "prevalence_from_quartiles-cutoff-text",
        lambda t: quart["prevalence_from_quartiles"](193, 276, 399, "x"),
        OE,
        "cutoff",
    ),
    _a(
        "meta_correlations-r-text",
        lambda t: meta["meta_correlations"](["a", "b", "c"], [40, 50, 60]),
        ANY,
        "r",
    ),
    _a("ratio-text", lambda t: eff["ratio"]("x", 2), OE, "numerator"),
    _a("convert-value-text", lambda t: units["convert"]("abc", "pmol/L", "pg/mL"), OE, "value"),
    _a(
        "effect_from_ci-estimate-text",
        lambda t: eff["effect_from_ci"]("big", 5, 15),
        OE,
        "estimate",
    ),
    _a("parse_number-text", lambda t: printed["parse_number"]("about"), OE, "about"),
    # unequal-length arrays
    _a("p_from_r-unequal", lambda t: corr["p_from_r"]([0.1, 0.2], [10, 20, 30]), OE, "r", "n"),
    _a(
        "fisher_z_ci-unequal",
        lambda t: corr["fisher_z_ci"]([0.1, 0.2, 0.3], [10, 20]),
        OE,
        "r",
        "n",
    ),
    _a(
        "meta_correlations-unequal", lambda t: meta["meta_correlations"](R, [40, 67]), OE, "r", "n"
    ),
    _a(
        "meta_correlations-labels-unequal",
        lambda t: meta["meta_correlations"](R, N, labels=["a"]),
        OE,
        "labels",
    ),
    _a("rma-unequal", lambda t: meta["rma"]([0.1, 0.2, 0.3], [0.01, 0.02]), OE, "yi", "vi"),
    _a("leave_one_out-unequal", lambda t: meta["leave_one_out"](R, N[:3]), OE, "r", "n"),
    _a("subgroup-groups-unequal", lambda t: meta["subgroup"](R, N, ["a", "b"]), OE, "groups"),
    _a(
        "prevalence_from_quartiles-unequal",
        lambda t: quart["prevalence_from_quartiles"]([193, 200], [276, 280, 290], [399, 400], 220),
        OE,
        "q1",
        "median",
    ),
    _a(
        "effect_from_ci-unequal",
        lambda t: eff["effect_from_ci"]([10, 12], [5, 6, 7], [15, 16]),
        OE,
        "estimate",
        "ci_low",
    ),
    _a("fit_gee_batch-unequal", lambda t: batch(*_batch_inputs(50)), OE, "groups"),
    # bad variance, bad option strings, bad conf_level
    _a(
        "rma-negative-variance",
        lambda t: meta["rma"]([0.1, 0.2, 0.3], [0.01, -0.02, 0.03]),
        ANY,
        "vi",
    ),
    _a("rma-nan-effect", lambda t: meta["rma"]([0.1, NAN, 0.3], [0.01, 0.02, 0.03]), ANY, "yi"),
    _a(
        "meta_correlations-method",
        lambda t: meta["meta_correlations"](R, N, method="ML"),
        OE,
        "method",
        "ML",
    ),
    _a(
        "meta_correlations-conf-level-percent",
        lambda t: meta["meta_correlations"](R, N, conf_level=95),
        OE,
        "conf_level",
    ),
    _a(
        "p_from_r-alternative",
        lambda t: corr["p_from_r"](0.3, 40, alternative="bigger"),
        OE,
        "alternative",
    ),
    _a(
        "fisher_z_ci-conf-level",
        lambda t: corr["fisher_z_ci"](0.3, 40, conf_level=1.5),
        OE,
        "conf_level",
    ),
    _a(
        "compare_correlations-conf-level-text",
        lambda t: corr["compare_correlations"](0.5, 40, 0.2, 67, conf_level="high"),
        OE,
        "conf_level",
    ),
    _a(
        "prevalence_from_quartiles-side",
        lambda t: quart["prevalence_from_quartiles"](193, 276, 399, 220, side="left"),
        OE,
        "side",
        "left",
    ),
    _a(
        "mean_sd_from_quartiles-method",
        lambda t: quart["mean_sd_from_quartiles"](193, 276, 399, 50, method="guess"),
        OE,
        "method",
        "guess",
    ),
    _a(
        "effect_from_ci-scale",
        lambda t: eff["effect_from_ci"](10, 5, 15, scale="percent"),
        OE,
        "scale",
    ),
    _a(
        "effect_from_ci-conf-level",
        lambda t: eff["effect_from_ci"](10, 5, 15, conf_level=0),
        OE,
        "conf_level",
    ),
    _a(
        "effect_from_ci-estimate-outside-ci",
        lambda t: eff["effect_from_ci"](30, 5, 15),
        OE,
        "estimate",
    ),
    _a(
        "convert-unknown-unit",
        lambda t: units["convert"](100, "pmol/L", "furlongs"),
        OE,
        "furlongs",
    ),
    _a(
        "latent_correlation-scale",
        lambda t: sim["latent_correlation"](0.3, "cubic"),
        OE,
        "scale",
        "cubic",
    ),
    _a(
        "fit_gee_batch-family",
        lambda t: batch(*_batch_inputs(), family="poisson"),
        OE,
        "family",
        "poisson",
    ),
    # a list where a DataFrame is expected
    _a(
        "fit_gee-list",
        lambda t: models["fit_gee"](_records(), FORMULA, groups="cluster"),
        OE,
        "data",
    ),
    _a(
        "fit_linear-list", lambda t: models["fit_linear"](_records(), groups="cluster"), OE, "data"
    ),
    _a("fit_trend-list", lambda t: models["fit_trend"](_records(), groups="cluster"), OE, "data"),
    _a(
        "pool_table-list",
        lambda t: meta["pool_table"]([{"r": 0.3, "n": 40}, {"r": 0.2, "n": 50}]),
        OE,
        "frame",
    ),
    _a("write_cohort-list", lambda t: _write_cohort_to(t, _records(), "kenya"), OE, "frame"),
    _a("as_printed-list", lambda t: as_printed([{"r": 0.2}], "correlations"), OE, "frame"),
    _a("run_audit-list", lambda t: run_audit(["correlations"]), OE, "tables"),
    # a frame with the wrong columns / cells
    _a(
        "fit_gee-unknown-groups",
        lambda t: models["fit_gee"](_frame(), FORMULA, groups="village"),
        ANY,
        "village",
    ),
    _a(
        "fit_gee-unknown-term",
        lambda t: models["fit_gee"](_frame(), "infant_b12 ~ milk", groups="cluster"),
        ANY,
        "milk",
    ),
    _a(
        "fit_gee-r-style-log",
        lambda t: models["fit_gee"](_frame(), "infant_b12 ~ log(milk_b12)", groups="cluster"),
        ANY,
        "re:np\\.log",
    ),
    _a(
        "fit_gee-nan-every-row",
        lambda t: models["fit_gee"](
            _frame(), "infant_b12 ~ np.log(milk_b12 - 100000)", groups="cluster"
        ),
        DVE,
        "re:milk_b12",
    ),
    _a(
        "fit_gee-text-column",
        lambda t: models["fit_gee"](
            _frame()
            .astype({"milk_b12": str})
            .assign(milk_b12=lambda d: d["milk_b12"].where(d.index != 3, "<50")),
            FORMULA,
            groups="cluster",
        ),
        DVE,
        "milk_b12",
    ),
    _a(
        "fit_gee-mixed-cluster-ids",
        lambda t: models["fit_gee"](_mixed_ids(), FORMULA, groups="cluster"),
        DVE,
        "cluster",
    ),
    _a(
        "fit_linear-mixed-cluster-ids",
        lambda t: models["fit_linear"](_mixed_ids(), groups="cluster"),
        DVE,
        "cluster",
    ),
    _a(
        "fit_gee_batch-mixed-cluster-ids",
        lambda t: batch(*_batch_inputs()[:2], np.array([1, "a"] * 30, dtype=object)),
        ANY,
        "groups",
    ),
    _a(
        "fit_gee-family",
        lambda t: models["fit_gee"](_frame(), FORMULA, groups="cluster", family="poisson"),
        OE,
        "family",
        "poisson",
    ),
    _a(
        "fit_gee-conf-level",
        lambda t: models["fit_gee"](_frame(), FORMULA, groups="cluster", conf_level=1.0),
        OE,
        "conf_level",
    ),
    _a(
        "fit_linear-unknown-exposure",
        lambda t: models["fit_linear"](_frame(), groups="cluster", exposure="milk"),
        ANY,
        "milk",
    ),
    _a(
        "milk_quartile-text",
        lambda t: models["milk_quartile"](["low", "high", "mid", "low"]),
        ANY,
        "x",
    ),
    _a(
        "pool_table-unknown-column",
        lambda t: meta["pool_table"](pd.DataFrame({"r": R, "n": N}), r="rho"),
        ANY,
        "rho",
    ),
    # rng that is neither a seed nor a Generator
    _a(
        "simulate_cohort-rng-text",
        lambda t: sim["simulate_cohort"](_kenya(), rng="abc", **SMALL),
        OE,
        "rng",
    ),
    _a(
        "simulate_cohort-rng-float",
        lambda t: sim["simulate_cohort"](_kenya(), rng=1.5, **SMALL),
        OE,
        "rng",
    ),
    _a(
        "simulate_cohort-rng-negative",
        lambda t: sim["simulate_cohort"](_kenya(), rng=-1, **SMALL),
        OE,
        "rng",
    ),
    _a(
        "simulate_cohort-rng-object",
        lambda t: sim["simulate_cohort"](_kenya(), rng=object(), **SMALL),
        OE,
        "rng",
    ),
    _a(
        "simulate_arrays-rng-text",
        lambda t: sim["simulate_arrays"](_kenya(), rng="abc", reps=2, **SMALL),
        OE,
        "rng",
    ),
    _a(
        "cluster_labels-rng-text",
        lambda t: sim["cluster_labels"](30, 6, sizes="multinomial", rng="abc"),
        OE,
        "rng",
    ),
    _a("power-rng-text", lambda t: pw["power"]("kenya", **(POW | {"rng": "abc"})), OE, "rng"),
    _a(
        "power-rng-list-of-text",
        lambda t: pw["power"]("kenya", **(POW | {"rng": ["a"]})),
        OE,
        "rng",
    ),
    # power / simulation options
    _a("power-reps-zero", lambda t: pw["power"]("kenya", **(POW | {"reps": 0})), OE, "reps"),
    _a("power-reps-float", lambda t: pw["power"]("kenya", **(POW | {"reps": 2.5})), OE, "reps"),
    _a("power-workers-zero", lambda t: pw["power"]("kenya", workers=0, **POW), OE, "workers"),
    _a(
        "power-model",
        lambda t: pw["power"]("kenya", model="quadratic", **POW),
        OE,
        "model",
        "quadratic",
    ),
    _a("power-unknown-design", lambda t: pw["power"]("kenia", **POW), OE, "kenia"),
    _a(
        "replicate_estimates-reps-negative",
        lambda t: pw["replicate_estimates"](
            "kenya", reps=-1, n_dyads=30, n_clusters=6, rng=1, progress=False
        ),
        OE,
        "reps",
    ),
    _a("get_design-unknown", lambda t: sim["get_design"]("kenia"), OE, "kenia"),
    _a("get_design-not-a-name", lambda t: sim["get_design"](42), OE, "re:design|name"),
    _a(
        "simulate_cohort-unknown-design-name",
        lambda t: sim["simulate_cohort"]("kenia", rng=1),
        OE,
        "kenia",
    ),
    _a("simulate_cohort-not-a-design", lambda t: sim["simulate_cohort"](42, rng=1), OE, "design"),
    # data loading
    _a("load_table-unknown-name", lambda t: load_table("correlation"), OE, "correlation"),
    _a(
        "load_table-unknown-table-option",
        lambda t: load_table(DATA / "correlations.csv", table="nosuch"),
        OE,
        "nosuch",
    ),
    _a(
        "load_table-file-not-found",
        lambda t: load_table(t / "mine.csv", table="correlations"),
        DVE,
        "re:not found",
    ),
]


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api_bad_argument(case: ApiCase, tmp_path: Path) -> None:
    """The package's own error, naming the argument; nothing written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a warning is not the error under test
        with pytest.raises(B12StatsError) as info:
            case.call(tmp_path)
    assert isinstance(info.value, case.error), (
        f"expected {case.error.__name__}, got {type(info.value).__name__}: {info.value}"
    )
    message = str(info.value)
    assert "\n" not in message.strip(), message
    missing = [n for n in case.names if not _names(message, n)]
    assert not missing, f"the message does not name {missing}: {message}"
    assert list(tmp_path.iterdir()) == []


# --- a design name wherever a Design is accepted ----------------------------------------------

DESIGN_NAME_CALLS = [
    pytest.param(lambda d, t: sim["simulate_cohort"](d, rng=7, **SMALL), id="simulate_cohort"),
    pytest.param(
        lambda d, t: sim["simulate_arrays"](d, rng=7, reps=2, **SMALL), id="simulate_arrays"
    ),
    pytest.param(lambda d, t: pw["power"](d, **POW), id="power"),
    pytest.param(
        lambda d, t: pw["replicate_estimates"](
            d, reps=2, n_dyads=30, n_clusters=6, rng=7, progress=False
        ),
        id="replicate_estimates",
    ),
    pytest.param(
        lambda d, t: (
            _write_cohort_to(t, sim["simulate_cohort"](_kenya(), rng=7, **SMALL), d),
            (t / "c.csv").read_bytes(),
        )[1],
        id="write_cohort",
    ),
]


def _same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    elif hasattr(a, "__dataclass_fields__"):
        for name in a.__dataclass_fields__:
            _same(getattr(a, name), getattr(b, name))
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    else:
        assert a == b


@pytest.mark.parametrize("call", DESIGN_NAME_CALLS)
def test_design_name_accepted_where_design_is(
    call: Callable[[Any, Path], Any], tmp_path: Path
) -> None:
    """``"kenya"`` works wherever ``get_design("kenya")`` does, with the same result."""
    by_name_dir, by_object_dir = tmp_path / "name", tmp_path / "object"
    by_name_dir.mkdir()
    by_object_dir.mkdir()
    by_name = call("kenya", by_name_dir)
    by_object = call(_kenya(), by_object_dir)
    if isinstance(by_name, pd.DataFrame) and "seed" in by_name:
        by_name, by_object = by_name.drop(columns="seed"), by_object.drop(columns="seed")
    _same(by_name, by_object)

"""Tests for ``b12stats reproduce``: table format, --strict, --out, --format csv, errors."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from b12stats import audit
from b12stats.cli import main

REQUIRED = ["check_id", "source_id", "source_kind", "claim", "reported", "recomputed"]
REQUIRED += ["verdict", "detail"]

#: the table is sized for a terminal of this many characters
TERMINAL = 100

SUMMARY_RE = re.compile(
    r"^(\d+) checks: (\d+) reproduced, (\d+) consistent, (\d+) inconsistent, "
    r"(\d+) conflicts_with_primary, (\d+) unverifiable$"
)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return audit.run_audit().to_frame()


def test_table_output(capsys: pytest.CaptureFixture[str], frame: pd.DataFrame) -> None:
    assert main(["reproduce"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["check_id", "source_kind", "verdict", "claim"]
    assert max(len(line) for line in lines) <= TERMINAL
    for cid in frame["check_id"]:
        assert any(line.startswith(cid[:29]) for line in lines), cid
    m = SUMMARY_RE.match(lines[-1])
    assert m is not None, lines[-1]
    counts = [int(x) for x in m.groups()]
    assert counts[0] == len(frame) == sum(counts[1:])
    assert counts[1:] == [int((frame["verdict"] == v).sum()) for v in audit.VERDICTS]


def test_table_width_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reproduce", "--width", "120", "--full"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert any(line.endswith("reported n = 67.") for line in lines)  # detail not cut


def test_strict_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reproduce", "--strict"]) == 1  # the bundled data have problems
    capsys.readouterr()


def test_strict_passes_without_problems(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    res = audit.run_audit()
    clean = audit.AuditResult(
        tuple(c for c in res.checks if c.verdict not in audit.PROBLEM_VERDICTS)
    )
    monkeypatch.setattr(audit, "run_audit", lambda tables=None: clean)
    assert main(["reproduce", "--strict"]) == 0
    assert "0 inconsistent, 0 conflicts_with_primary" in capsys.readouterr().out


def test_out_writes_audit_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], frame: pd.DataFrame
) -> None:
    out = tmp_path / "new" / "dir"
    assert main(["reproduce", "--out", str(out)]) == 0
    assert f"wrote {out / 'audit.csv'}" in capsys.readouterr().out
    written = pd.read_csv(out / "audit.csv", keep_default_na=False)
    assert list(written.columns[: len(REQUIRED)]) == REQUIRED
    assert written["check_id"].tolist() == frame["check_id"].tolist()
    assert written["verdict"].tolist() == frame["verdict"].tolist()
    assert sorted(p.name for p in out.iterdir()) == ["audit.csv"]  # no temporary files left


def test_csv_to_stdout(capsys: pytest.CaptureFixture[str], frame: pd.DataFrame) -> None:
    assert main(["reproduce", "--format", "csv"]) == 0
    got = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(got.columns) == list(audit.COLUMNS)
    assert len(got) == len(frame)


def test_out_is_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["reproduce", "--out", str(f)]) == 2
    assert capsys.readouterr().err.startswith("error: --out must be a directory")


def test_too_narrow_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reproduce", "--width", "20"]) == 2
    assert "--width" in capsys.readouterr().err


def test_console_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "b12stats", "reproduce", "--strict"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert SUMMARY_RE.match(proc.stdout.splitlines()[-1])

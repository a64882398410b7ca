"""Outputs never destroy inputs, and a command writes all its outputs or none.

Every command runs in-process through :func:`b12stats.cli.main`. Each case
checks the exit status, the one ``error:`` line, that the inputs are
byte-identical afterwards and that no output (nor a temporary file, nor a
directory made for an output) is left behind.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from b12stats import _io
from b12stats.cli import main
from b12stats.errors import OptionError

R_CSV = "study,r,n\nA,0.30,40\nB,0.45,55\nC,0.20,80\n"


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def _listing(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small simulated cohort (fit's input), as bytes."""
    d = tmp_path_factory.mktemp("cohort")
    out = d / "k.csv"
    argv = ["simulate", "--design", "kenya", "--n-dyads", "60", "--n-clusters", "12"]
    assert main([*argv, "--seed", "3", "--out", str(out)]) == 0
    return out.read_bytes()


FIT = ["--formula", "infant_b12 ~ milk_b12", "--groups", "cluster"]


# --- an output that is an input -------------------------------------------------------------
@pytest.mark.parametrize("option", ["--out", "--studies", "--leave-one-out", "--plot"])
def test_meta_output_that_is_the_input_is_refused(tmp_path, capsys, option):
    data = tmp_path / "my_r.svg"  # a CSV under a name --plot accepts
    data.write_text(R_CSV)
    before = data.read_bytes()
    code, err = _run(capsys, "meta", str(data), option, str(data))
    assert code == 2
    assert f"{option} {data} is the input DATA.csv; choose another path" in _one_error_line(err)
    assert data.read_bytes() == before
    assert _listing(tmp_path) == {"my_r.svg"}


@pytest.mark.parametrize("spelling", ["same", "relative", "symlink", "hardlink"])
def test_fit_output_that_is_the_input_is_refused(tmp_path, capsys, cohort, spelling, monkeypatch):
    data = tmp_path / "data.csv"
    data.write_bytes(cohort)
    out = {"same": str(data), "relative": "./sub/../data.csv"}.get(spelling)
    monkeypatch.chdir(tmp_path)
    if spelling == "symlink":
        (tmp_path / "link.csv").symlink_to(data)
        out = "link.csv"
    elif spelling == "hardlink":
        os.link(data, tmp_path / "hard.csv")
        out = "hard.csv"
    (tmp_path / "sub").mkdir()
    code, err = _run(capsys, "fit", str(data), *FIT, "--out", str(out))
    assert code == 2
    assert f"--out {out} is the input DATA.csv" in _one_error_line(err)
    assert data.read_bytes() == cohort


def test_two_outputs_with_one_path_are_refused(tmp_path, capsys):
    data = tmp_path / "r.csv"
    data.write_text(R_CSV)
    out = tmp_path / "a.csv"
    for other, spelled in (("--studies", str(out)), ("--leave-one-out", f"{tmp_path}/./a.csv")):
        code, err = _run(capsys, "meta", str(data), "--out", str(out), other, spelled)
        assert code == 2
        line = _one_error_line(err)
        assert f"{other} {spelled} is the same file as --out" in line
    assert _listing(tmp_path) == {"r.csv"}


# --- outputs that cannot be written: refused before any work ---------------------------------
def _commands(tmp_path: Path, data: Path, target: str) -> dict[str, list[str]]:
    r = tmp_path / "r.csv"
    return {
        "fit": ["fit", str(data), *FIT, "--out", target],
        "meta --out": ["meta", str(r), "--out", target],
        "meta --studies": ["meta", str(r), "--studies", target],
        "meta --leave-one-out": ["meta", str(r), "--leave-one-out", target],
        "meta --plot": ["meta", str(r), "--plot", target.replace(".csv", ".png")],
        "simulate": ["simulate", "--design", "kenya", "--seed", "1", "--out", target],
        "power": [
            "power",
            "--design",
            "kenya",
            "--n-dyads",
            "40",
            "--reps",
            "10",
            "--out",
            target,
        ],
    }


@pytest.mark.parametrize(
    "command",
    ["fit", "meta --out", "meta --studies", "meta --leave-one-out", "meta --plot", "simulate",
     "power"],
)  # fmt: skip
def test_output_under_a_regular_file_is_one_line(tmp_path, capsys, cohort, command, monkeypatch):
    data = tmp_path / "data.csv"
    data.write_bytes(cohort)
    (tmp_path / "r.csv").write_text(R_CSV)
    (tmp_path / "x").write_text("a file\n")
    monkeypatch.chdir(tmp_path)
    argv = _commands(tmp_path, data, "x/y.csv")[command]
    code, err = _run(capsys, *argv)
    assert code == 2
    option = argv[-2]
    assert f"{option} {argv[-1]}: x is a file, not a directory" in _one_error_line(err)
    assert data.read_bytes() == cohort
    assert (tmp_path / "x").read_text() == "a file\n"
    assert _listing(tmp_path) == {"data.csv", "r.csv", "x"}


@pytest.mark.parametrize("command", ["report", "reproduce"])
def test_directory_outputs_are_checked_before_the_work(tmp_path, capsys, command, monkeypatch):
    (tmp_path / "x").write_text("a file\n")

    def no_work(*args, **kwargs):
        raise AssertionError("the work started before the output was checked")

    monkeypatch.setattr("b12stats.report.build_report", no_work)
    monkeypatch.setattr("b12stats.audit.run_audit", no_work)
    name = "index.html" if command == "report" else "audit.csv"
    code, err = _run(capsys, command, "--out", str(tmp_path / "x" / "sub"))
    assert code == 2
    assert f"{tmp_path / 'x' / 'sub' / name}: " in _one_error_line(err)
    assert "is a file, not a directory" in err


def test_unwritable_directory_message(tmp_path, capsys, monkeypatch):
    """An unwritable directory (os.access says no; as root, chmod is not enforced)."""
    data = tmp_path / "r.csv"
    data.write_text(R_CSV)
    monkeypatch.setattr(_io.os, "access", lambda path, mode: False)
    code, err = _run(capsys, "meta", str(data), "--out", str(tmp_path / "new" / "a.csv"))
    assert code == 2
    line = _one_error_line(err)
    assert line == (
        f"error: --out {tmp_path / 'new' / 'a.csv'}: cannot write in the directory "
        f"{tmp_path} (permission denied)"
    )
    assert _listing(tmp_path) == {"r.csv"}


def test_output_that_is_a_directory_is_one_line(tmp_path, capsys):
    data = tmp_path / "r.csv"
    data.write_text(R_CSV)
    code, err = _run(capsys, "meta", str(data), "--out", str(tmp_path))
    assert code == 2
    assert "is a directory" in _one_error_line(err)


# --- all outputs or none ---------------------------------------------------------------------
def _fail_savefig(monkeypatch, exc: BaseException) -> None:
    """Make the forest plot fail while its temporary file is open (after the CSVs)."""
    import matplotlib.figure

    def savefig(self, fh, **kwargs):
        fh.write(b"half a PNG")
        if isinstance(exc, OSError):  # as a failing write reports it: no file name
            raise OSError(exc.errno, exc.strerror)
        raise exc

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)


@pytest.mark.parametrize(
    "exc",
    [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt(), RuntimeError("bug")],
)
def test_meta_failing_at_the_plot_leaves_no_output(tmp_path, capsys, monkeypatch, exc):
    data = tmp_path / "r.csv"
    data.write_text(R_CSV)
    old = tmp_path / "old.csv"
    old.write_text("the previous run\n")
    _fail_savefig(monkeypatch, exc)
    argv = ["meta", str(data), "--out", str(tmp_path / "new" / "deep" / "ok.csv")]
    argv += ["--studies", str(old), "--plot", str(tmp_path / "forest.png")]
    if isinstance(exc, RuntimeError):
        with pytest.raises(RuntimeError):
            main(argv)
    else:
        code, err = _run(capsys, *argv)
        line = _one_error_line(err)
        if isinstance(exc, KeyboardInterrupt):
            assert code == 130 and line == "error: interrupted"
        else:
            assert code == 2
            assert line == f"error: {tmp_path / 'forest.png'}: no space left on device"
    # nothing new, no temporary file, the directories made for --out removed again,
    # the old output untouched, the input byte-identical
    assert _listing(tmp_path) == {"r.csv", "old.csv"}
    assert old.read_text() == "the previous run\n"
    assert data.read_text() == R_CSV


@pytest.mark.parametrize(
    "exc", [OSError(errno.EDQUOT, "Disk quota exceeded"), KeyboardInterrupt()]
)
def test_simulate_leaves_neither_csv_nor_sidecar(tmp_path, capsys, monkeypatch, exc):
    import b12stats.simulate.engine

    real = b12stats.simulate.engine.write_text

    def write_text(path, text):  # the sidecar, written after the CSV
        with _io.atomic_open(path) as fh:
            fh.write(text[:10])
            if isinstance(exc, OSError):  # naming the temporary file, as the OS would
                tmp = next(path.parent.glob(f".{path.name}.*.tmp"))
                raise OSError(exc.errno, exc.strerror, str(tmp))
            raise exc
        real(path, text)  # pragma: no cover

    monkeypatch.setattr(b12stats.simulate.engine, "write_text", write_text)
    out = tmp_path / "k.csv"
    code, err = _run(capsys, "simulate", "--design", "kenya", "--seed", "1", "--out", str(out))
    line = _one_error_line(err)
    if isinstance(exc, OSError):
        assert code == 2
        assert line == f"error: {out}.json: disk quota exceeded"
        assert ".tmp" not in line
    else:
        assert code == 130
    assert _listing(tmp_path) == set()


def test_fit_failing_leaves_the_old_output(tmp_path, capsys, cohort):
    data = tmp_path / "data.csv"
    data.write_bytes(cohort)
    out = tmp_path / "fit.csv"
    out.write_text("old\n")
    code, err = _run(capsys, "fit", str(data), "--formula", "nosuch ~ milk_b12",
                     "--groups", "cluster", "--out", str(out))  # fmt: skip
    assert code == 2
    _one_error_line(err)
    assert out.read_text() == "old\n"
    assert _listing(tmp_path) == {"data.csv", "fit.csv"}


def test_successful_outputs_all_written(tmp_path, capsys):
    data = tmp_path / "r.csv"
    data.write_text(R_CSV)
    outs = [tmp_path / "o" / "pooled.csv", tmp_path / "w.csv", tmp_path / "loo.csv"]
    code = main(["meta", str(data), "--out", str(outs[0]), "--studies", str(outs[1]),
                 "--leave-one-out", str(outs[2]), "--plot", str(tmp_path / "f.svg")])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert all(p.stat().st_size > 0 for p in outs)
    umask = os.umask(0)
    os.umask(umask)
    assert (outs[0].stat().st_mode & 0o777) == 0o666 & ~umask  # not mkstemp's 0600
    assert _listing(tmp_path) == {"r.csv", "o", "o/pooled.csv", "w.csv", "loo.csv", "f.svg"}
    assert data.read_text() == R_CSV


# --- the plan itself ------------------------------------------------------------------------
def test_plan_defers_every_write_and_rolls_back(tmp_path):
    plan = _io.OutputPlan()
    plan.add_output("--a", tmp_path / "a.csv")
    plan.add_output("--b", tmp_path / "d1" / "d2" / "b.txt")
    with pytest.raises(ValueError, match="late"), plan:
        _io.write_text(tmp_path / "a.csv", "a")
        assert not (tmp_path / "a.csv").exists()  # renamed only at the end
        _io.write_text(tmp_path / "d1" / "d2" / "b.txt", "b")
        raise ValueError("late")
    assert _listing(tmp_path) == set()


def test_plan_checks(tmp_path):
    (tmp_path / "in.csv").write_text("x\n")
    plan = _io.OutputPlan()
    plan.add_output("--out", tmp_path / "in.csv")
    with pytest.raises(OptionError, match=r"--out .* is the input DATA\.csv"):
        plan.add_input("DATA.csv", tmp_path / "in.csv")  # order does not matter
    plan = _io.OutputPlan()
    with pytest.raises(OptionError, match="expected a file name"):
        plan.add_output("--out", "dir/")
    plan.add_output("--out", None)  # an option not given
    assert plan.outputs == []


def test_library_writes_raise_the_package_error(tmp_path):
    """Outside the command line too: a bad path is an OptionError, not FileExistsError."""
    import pandas as pd

    (tmp_path / "x").write_text("a file\n")
    with pytest.raises(OptionError, match=r"x/y\.csv: .*x is a file, not a directory"):
        _io.write_csv(tmp_path / "x" / "y.csv", pd.DataFrame({"a": [1]}))
    with pytest.raises(OptionError, match="is a directory"):
        _io.write_text(tmp_path, "text")
    assert _listing(tmp_path) == {"x"}


def test_bundled_data_files_are_inputs_too(capsys):
    from b12stats.data import data_dir

    target = data_dir() / "correlations.csv"
    before = target.read_bytes()
    code, err = _run(capsys, "simulate", "--design", "kenya", "--seed", "1", "--out", str(target))
    assert code == 2
    assert "is a file of the bundled data (an input)" in _one_error_line(err)
    assert target.read_bytes() == before

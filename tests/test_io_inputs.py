"""A user's CSV (fit, meta), the data command's messages, and the limits of counts.

Every bad input gives exit status 2 and one ``error:`` line naming the file
(line and column where there is one) and the right cause.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd
import pytest

from b12stats import _csvread
from b12stats.cli import _args, main
from b12stats.errors import DataValidationError

REFERENCE = Path(__file__).resolve().parent / "reference"
FIT = ["--formula", "y ~ x", "--groups", "g"]
GOOD = "y,x,g\n1.0,2,1\n2.5,3,1\n3.1,5,2\n4.2,4,2\n2.2,1,3\n3.3,2,3\n"


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def _file(tmp_path: Path, content: str | bytes, name: str = "x.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- unreadable files: the same line from fit and meta ---------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "x.csv: the file is empty"),
        ("\n  \n", "x.csv: the file is empty"),
        ("y,x,g\n", "x.csv, line 2: the file has a header but no data rows"),
        ("y,x,g\n\n,,\n", "x.csv, line 4: the file has a header but no data rows"),
        (b"y,x,g\n1,2,\x003\n", "x.csv, line 2: a binary file (it holds NUL bytes)"),
        (b"y,x,g\n1,2,caf\xe9\n", "x.csv, line 2: bytes that are not UTF-8 (0xe9 at byte 13)"),
        ("y,x,y\n1,2,3\n", "x.csv, line 1: column 'y' appears twice (columns 1 and 3)"),
        ("y,x,g\n1,2,3,4\n", "x.csv, line 2: 4 cells but the header names 3 columns"),
        (",,\n,,\n", "x.csv, line 1: the header line names no columns"),
        ('y,x,g\n1,"2\n', "x.csv"),  # an unclosed quote
    ],
)
@pytest.mark.parametrize("command", ["fit", "meta"])
def test_unreadable_csv_is_one_line(tmp_path, capsys, content, message, command):
    path = _file(tmp_path, content)
    before = path.read_bytes()
    argv = ["fit", str(path), *FIT] if command == "fit" else ["meta", str(path)]
    line = _error(capsys, argv)
    assert f"{tmp_path}/{message}" in line
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["fit", "meta", "data"])
def test_missing_file_and_directory(tmp_path, capsys, command):
    def argv(path: Path) -> list[str]:
        return {
            "fit": ["fit", str(path), *FIT],
            "meta": ["meta", str(path)],
            "data": ["data", str(path), "--as", "correlations"],
        }[command]

    assert (
        _error(capsys, argv(tmp_path / "nope.csv"))
        == f"error: {tmp_path}/nope.csv: file not found"
    )
    assert _error(capsys, argv(tmp_path)) == f"error: {tmp_path}: is a directory, not a CSV file"


# --- header rules ----------------------------------------------------------------------------
def test_trailing_empty_columns_are_dropped_with_a_warning(tmp_path, capsys, caplog):
    rows = GOOD.replace("\n", ",,\n")  # a spreadsheet's trailing commas
    path = _file(tmp_path, rows)
    with caplog.at_level(logging.WARNING, logger="b12stats._csvread"):
        assert main(["fit", str(path), *FIT]) == 0
    assert "dropped 2 empty column(s) without a name" in caplog.text
    assert "Unnamed" not in capsys.readouterr().out
    frame = _csvread.read_csv(path)
    assert list(frame.columns) == ["y", "x", "g"]


def test_duplicate_header_in_meta_names_both_columns(tmp_path, capsys):
    path = _file(tmp_path, "study,r,n,note,r\nA,0.3,40,x,0.9\nB,0.4,50,y,0.8\n")
    line = _error(capsys, ["meta", str(path)])
    assert line == f"error: {path}, line 1: column 'r' appears twice (columns 2 and 5)"


def test_index_column_without_a_name_is_kept(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"y": [1.0, 2.0], "g": [1, 2]}).to_csv(path)  # writes the index, unnamed
    assert list(_csvread.read_csv(path).columns) == ["Unnamed: 0", "y", "g"]


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path, capsys):
    path = _file(tmp_path, 'study,r,n\n"A\nsecond line",0.3,40\n\nB,0.2,x\n')
    frame = _csvread.read_csv(path)
    assert (frame.index + 2).tolist() == [2, 5]
    line = _error(capsys, ["meta", str(path), "--label", "study"])
    assert f"{path}, line 5, column n: not a number" in line


# --- numbers where the formula needs numbers ------------------------------------------------
def test_below_detection_limit_cell_names_file_line_column_and_value(tmp_path, capsys):
    rows = GOOD.splitlines()
    rows[4] = "4.2,<50,2"
    path = _file(tmp_path, "\n".join(rows) + "\n", name="kenya.csv")
    line = _error(capsys, ["fit", str(path), *FIT])
    assert line == (
        f"error: {path}, line 5, column x: '<50' is not a number "
        "(a column used numerically must hold numbers only)"
    )


def test_outcome_and_transformed_terms_must_be_numeric(tmp_path, capsys):
    path = _file(tmp_path, GOOD.replace("2.5,3,1", "n.d.,3,1"))
    line = _error(capsys, ["fit", str(path), "--formula", "np.log(y) ~ x", "--groups", "g"])
    assert "line 3, column y: 'n.d.' is not a number" in line


def test_text_column_outside_c_says_to_write_c(tmp_path, capsys):
    path = _file(tmp_path, "y,sex,g\n1,f,1\n2,m,1\n3,f,2\n4,m,2\n5,f,3\n")
    line = _error(capsys, ["fit", str(path), "--formula", "y ~ sex", "--groups", "g"])
    assert "column sex: 'f' is not a number" in line and "write C(sex)" in line
    assert main(["fit", str(path), "--formula", "y ~ C(sex)", "--groups", "g"]) == 0


def test_missing_cells_are_missing_not_text(tmp_path, capsys):
    path = _file(tmp_path, GOOD.replace("2.5,3,1", "NA,3,1").replace("3.1,5,2", ",5,2"))
    assert main(["fit", str(path), *FIT]) == 0
    assert "2 rows dropped" in capsys.readouterr().out


def test_groups_column_must_exist(tmp_path, capsys):
    path = _file(tmp_path, GOOD)
    line = _error(capsys, ["fit", str(path), "--formula", "y ~ x", "--groups", "village"])
    assert line == f"error: {path}, line 1: no column 'village' (named by --groups); " + (
        "the columns are: y, x, g"
    )


def test_numeric_columns_of_a_formula():
    from b12stats.cli.fit import numeric_columns

    assert numeric_columns("y ~ x + C(z)") == ["y", "x"]
    both = numeric_columns("np.log(y) ~ I(x**2) + C(z, Treatment(1)):w + Q('a b')")
    assert sorted(both) == ["a b", "w", "x", "y"]


@pytest.mark.parametrize("name", sorted(p.name for p in REFERENCE.glob("geepack_data_*.csv")))
def test_typed_reads_as_pandas_does(name):
    """The reader gives the columns pandas.read_csv gives (types and values, exactly)."""
    path = REFERENCE / name
    ours = _csvread.typed(_csvread.read_csv(path)).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, pd.read_csv(path), check_exact=True)


def test_require_numeric_raises_the_package_error():
    f = pd.DataFrame({"a": ["1", "2", "x"]}, index=[0, 1, 5])
    with pytest.raises(DataValidationError) as info:
        _csvread.require_numeric(f, ["a"], label="f.csv", why="numbers only")
    assert (info.value.file, info.value.line, info.value.column) == ("f.csv", 7, "a")


# --- data command messages -------------------------------------------------------------------
def test_data_messages(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _file(tmp_path, "r,n\n0.3,40\n", name="mine.csv")
    assert "--as nosuch: unknown table" in _error(capsys, ["data", "mine.csv", "--as", "nosuch"])
    assert "--as nosuch: unknown table" in _error(
        capsys, ["data", "correlations", "--as", "nosuch"]
    )
    assert _error(capsys, ["data", "mistyped.csv"]) == "error: mistyped.csv: file not found"
    line = _error(capsys, ["data", "mine.csv"])
    assert "cannot tell which table mine.csv follows; name it with --as NAME" in line
    assert "table=" not in line  # the CLI flag, not the Python argument
    assert "unknown table 'nosuch'" in _error(capsys, ["data", "nosuch"])


# --- limits of counts ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "--design", "kenya", "--n-dyads", "1e10"], "1e10 is above the limit of"),
        (["power", "--design", "kenya", "--reps", "1e12"], "1e12 is above the limit of 1000000"),
        (["power", "--design", "kenya", "--n-dyads", "100,1e9"], "1e9 is above the limit"),
        (["report", "--reps", "1e12"], "1e12 is above the limit"),
        (["power", "--design", "kenya", "--workers", "100000"], "100000 is above the limit"),
    ],
)
def test_counts_beyond_the_limit_are_refused_with_the_reason(tmp_path, capsys, argv, message):
    out = ["--out", str(tmp_path / ("r" if argv[0] == "report" else "x.csv"))]
    line = _error(capsys, [*argv, *out])
    assert message in line
    assert "(" in line and line.endswith(")")  # the reason
    assert list(tmp_path.iterdir()) == []


def test_counts_must_be_whole_numbers(capsys):
    line = _error(capsys, ["power", "--design", "kenya", "--reps", "2.5", "--out", "x.csv"])
    assert "argument --reps: expected a whole number, got '2.5'" in line


def test_workers_limit_scales_with_the_cpus():
    limit = _args.max_workers()
    assert limit == _args.WORKERS_PER_CPU * _args._cpus()
    assert _args.workers(str(limit)) == limit
    with pytest.raises(argparse.ArgumentTypeError, match="per CPU"):
        _args.workers(str(limit + 1))


def test_flag_spelling_leaves_prose_and_columns_alone():
    p = argparse.ArgumentParser()
    p.add_argument("--scale")
    p.add_argument("--cov-struct")
    p.add_argument("--leave-one-out", dest="loo")
    text = "on the log scale; use cov_struct='independence'; loo must be a path"
    assert _args.flag_spelling(text, p) == (
        "on the log scale; use --cov-struct independence; --leave-one-out must be a path"
    )
    assert _args.flag_spelling("scale must be x", p, keywords_only=True) == "scale must be x"


def test_data_check_of_a_users_table_reads_the_header_itself(tmp_path, capsys):
    from b12stats.data import data_dir

    header, *rows = (data_dir() / "correlations.csv").read_text("utf-8").splitlines()
    path = _file(tmp_path, "\n".join([header + ",r", *(row + ",0.9" for row in rows)]) + "\n")
    line = _error(capsys, ["data", str(path), "--as", "correlations"])
    assert "line 1: column 'r' appears twice" in line

"""No study is known by name in the code: every bundled row and source id lives in data/ only.

Issue 11: a test reads every id in ``data/*.csv`` and greps ``src/`` (code, comments and
docstrings alike). What is specific to a study belongs in a data file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import b12stats
from b12stats.data import data_dir

#: Columns whose values name a row or a source of the bundled tables.
ID_COLUMNS = ("row_id", "source_id")


def _bundled_ids() -> set[str]:
    ids: set[str] = set()
    for path in sorted(data_dir().glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                ids.update(v.strip() for c in ID_COLUMNS if (v := row.get(c)) and v.strip())
    return ids


def test_the_scan_sees_the_bundled_ids() -> None:
    ids = _bundled_ids()
    assert len(ids) > 100
    assert {"wang2024", "summary_chebaya2017"} <= ids


def test_no_bundled_row_or_source_id_appears_in_src() -> None:
    ids = _bundled_ids()
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, sorted(ids))) + r")(?![A-Za-z0-9_])"
    )
    src = Path(b12stats.__file__).parent
    found = [
        f"{path.relative_to(src)}:{lineno}: {match.group(1)}"
        for path in sorted(src.rglob("*"))
        if path.is_file() and path.suffix in {".py", ".j2", ".html", ".css", ".js", ".toml"}
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in pattern.finditer(line)
    ]
    assert found == []

"""The bundled data package is valid Frictionless, checked by frictionless itself.

b12stats' loader checks the same Table Schema rules on its own (it is faster and
its messages name file, line and column); these tests keep the files honest
against the reference implementation, and check that both agree on bad cells.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import frictionless
import pytest

from b12stats import data
from b12stats.errors import DataValidationError

BUNDLED = data.data_dir()


def _errors(report: frictionless.Report) -> list[str]:
    return [f"{task.name}: {e.message}" for task in report.tasks for e in task.errors] + [
        e.message for e in report.errors
    ]


def test_bundled_data_package_is_valid() -> None:
    report = frictionless.validate(str(BUNDLED / "datapackage.json"))
    assert report.valid, "\n".join(_errors(report))
    assert {task.name for task in report.tasks} == set(data.table_names())


@pytest.mark.parametrize("name", data.table_names())
def test_every_schema_is_a_valid_table_schema(name: str) -> None:
    path = BUNDLED / f"{name}.schema.json"
    report = frictionless.validate(str(path), type="schema")
    assert report.valid, "\n".join(_errors(report))
    schema = frictionless.Schema(str(path))
    assert schema.field_names == data.table_schema(name).columns


# Cells that break a rule of the Table Schema standard itself (not a b12stats:checks rule):
# (table, data row, changes, field frictionless must name (None: a row-level error))
SCHEMA_RULES = [
    ("concentrations", 0, {"value": "-5"}, "value"),
    ("concentrations", 0, {"value": "abc"}, "value"),
    ("concentrations", 0, {"unit": "mg/dL"}, "unit"),
    ("concentrations", 1, {"n": "2.5"}, "n"),
    ("concentrations", 0, {"text": ""}, "text"),
    ("concentrations", 1, {"row_id": "w18_infant"}, None),
    ("concentrations", 0, {"source_id": "nobody2020"}, None),
    ("correlations", 0, {"r": "1.3"}, "r"),
    ("correlations", 0, {"adjusted": "maybe"}, "adjusted"),
    ("sources", 0, {"kind": "blog"}, "kind"),
]


@pytest.mark.parametrize(("name", "row", "changes", "field"), SCHEMA_RULES)
def test_frictionless_and_the_loader_reject_the_same_cell(
    tmp_path: Path, name: str, row: int, changes: dict[str, str], field: str | None
) -> None:
    package = tmp_path / "data"
    shutil.copytree(BUNDLED, package)
    path = package / f"{name}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows[row].update(changes)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    report = frictionless.validate(str(package / "datapackage.json"))
    assert not report.valid
    (task,) = [t for t in report.tasks if t.errors]
    assert task.name == name
    first = task.errors[0]
    assert first.row_number == row + 2  # frictionless counts the header as row 1, as we do
    assert getattr(first, "field_name", None) == field

    with pytest.raises(DataValidationError) as info:
        data.load_table(path)
    assert info.value.line == row + 2
    assert info.value.column == (field or next(iter(changes)))

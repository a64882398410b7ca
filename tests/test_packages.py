"""A researcher's data packages: --data DIR, --data-only, init, and load_tables."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from b12stats import _schema, data
from b12stats.audit import run_audit
from b12stats.cli import main
from b12stats.errors import DataValidationError, OptionError
from b12stats.packages import load_packages, load_tables, template_files

BUNDLED = data.data_dir()

SOURCE = {"source_id": "mine2026", "kind": "primary", "year": "2026", "verified": "true"}
SECONDARY = {
    "source_id": "mine_review",
    "kind": "secondary",
    "verified": "false",
    "cites_source_id": "mine2026",
}
COHORT = {
    "row_id": "mine_n",
    "source_id": "mine2026",
    "cohort": "mine_cohort",
    "country": "Kenya",
    "location": "Methods",
    "attribute": "n_participants",
    "value_num": "500",
    "text": "500 mother-infant dyads",
}


def corr(row_id: str, r: str, p: str, n: str, **kw: str) -> dict[str, str]:
    """A correlations row of the package's cohort (milk vs infant blood unless given)."""
    row = {
        "row_id": row_id,
        "source_id": "mine2026",
        "cohort": "mine_cohort",
        "location": "Table 2",
        "var_x": "milk",
        "var_y": "infant_blood",
        "coefficient": "pearson",
        "adjusted": "false",
        "r": r,
        "p_text": p,
        "n": n,
        "text": f"r = {r} ({p}, n = {n})",
    }
    row.update(kw)
    return row


def write(directory: Path, table: str, rows: list[dict[str, str]]) -> Path:
    """Write a package table with the bundled header (input columns, schema order)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}.csv"
    columns = data.table_schema(table).columns
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            unknown = set(row) - set(columns)
            assert not unknown, unknown
            writer.writerow(row)
    return path


def study(directory: Path, *correlations: dict[str, str]) -> Path:
    """A small package: one source, one cohort fact, the given correlations."""
    write(directory, "sources", [SOURCE])
    write(directory, "cohorts", [COHORT])
    write(directory, "correlations", list(correlations))
    return directory


def bundled_line(table: str, key: str, value: str) -> int:
    """Line of ``value`` in column ``key`` of a bundled file, read with the csv module."""
    with open(BUNDLED / f"{table}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            if row[key] == value:
                return reader.line_num
    raise AssertionError(value)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- joining ---------------------------------------------------------------------------------


def test_package_rows_join_the_bundled_ones(tmp_path: Path) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    tables = load_tables([pkg])
    bundled = data.load_table("correlations")
    joined = tables["correlations"]
    assert len(joined) == len(bundled) + 1
    assert joined["row_id"].iloc[-1] == "m1"
    assert joined["source_kind"].iloc[-1] == "primary"
    assert int(joined["r_decimals"].iloc[-1]) == 2
    assert joined["p_relation"].iloc[-1] == "<"
    assert list(joined.columns) == list(bundled.columns)
    assert (joined.dtypes == bundled.dtypes).all()
    assert len(tables["sources"]) == len(data.load_table("sources")) + 1
    # every table is there, even those the package does not hold
    assert set(tables) == set(data.table_names())
    assert len(tables["effects"]) == len(data.load_table("effects"))


def test_data_only_uses_the_package_alone(tmp_path: Path) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    tables = load_tables([pkg], data_only=True)
    assert tables["correlations"]["row_id"].tolist() == ["m1"]
    assert tables["effects"].empty
    assert list(tables["effects"].columns) == list(data.load_table("effects").columns)
    with pytest.raises(OptionError, match="at least one package"):
        load_tables([], data_only=True)


def test_two_packages_join_in_order(tmp_path: Path) -> None:
    a = study(tmp_path / "a", corr("a1", "0.30", "P < 0.001", "200"))
    b = tmp_path / "b"
    write(b, "correlations", [corr("b1", "0.25", "P = 0.01", "120")])  # cites a's source
    packages = load_packages([a, b], data_only=True)
    assert packages.tables["correlations"]["row_id"].tolist() == ["a1", "b1"]
    counts = packages.counts().set_index(["origin", "table"])["rows"]
    assert counts[(str(a), "correlations")] == 1 and counts[(str(b), "correlations")] == 1


def test_a_row_may_cite_a_bundled_source_and_cohort(tmp_path: Path) -> None:
    sources = data.load_table("sources")
    cohorts = data.load_table("cohorts")
    row = corr("m1", "0.30", "P < 0.001", "200")
    row.update(source_id=sources["source_id"].iloc[0], cohort=cohorts["cohort"].iloc[0])
    pkg = tmp_path / "mine"
    write(pkg, "correlations", [row])
    joined = load_tables([pkg])["correlations"]
    assert joined["source_kind"].iloc[-1] == sources["kind"].iloc[0]
    with pytest.raises(DataValidationError) as info:  # without the bundled sources
        load_tables([pkg], data_only=True)
    assert info.value.column == "source_id"
    assert "has no sources.csv" in str(info.value)


# --- clashes ----------------------------------------------------------------------------------


def test_a_row_id_of_the_bundled_data_is_an_error_naming_both_places(tmp_path: Path) -> None:
    taken = data.load_table("correlations")["row_id"].iloc[0]
    pkg = study(
        tmp_path / "mine",
        corr("m1", "0.30", "P < 0.001", "200"),
        corr(taken, "0.20", "P = 0.01", "150"),
    )
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    line = bundled_line("correlations", "row_id", taken)
    assert str(info.value) == (
        f"{pkg / 'correlations.csv'}, line 3, column row_id: {taken!r} is already defined "
        f"in the bundled correlations.csv, line {line}"
    )
    # with --data-only the bundled rows are not in use: no clash
    assert len(load_tables([pkg], data_only=True)["correlations"]) == 2


def test_a_row_id_of_another_table_clashes_too(tmp_path: Path) -> None:
    taken = data.load_table("concentrations")["row_id"].iloc[1]
    pkg = study(tmp_path / "mine", corr(taken, "0.30", "P < 0.001", "200"))
    line = bundled_line("concentrations", "row_id", taken)
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert f"in the bundled concentrations.csv, line {line}" in str(info.value)


def test_a_source_id_of_the_bundled_data_clashes(tmp_path: Path) -> None:
    taken = data.load_table("sources")["source_id"].iloc[2]
    pkg = tmp_path / "mine"
    write(pkg, "sources", [SOURCE, {**SOURCE, "source_id": taken}])
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert (info.value.line, info.value.column) == (3, "source_id")
    line = bundled_line("sources", "source_id", taken)
    assert f"already defined in the bundled sources.csv, line {line}" in str(info.value)


def test_a_second_judgement_of_a_bundled_claim_names_the_first(tmp_path: Path) -> None:
    """claim_judgements.claim_row_id is ``unique``: across the bundled data and packages too."""
    with open(BUNDLED / "claim_judgements.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    claim = rows[0]["claim_row_id"]
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    write(pkg, "claim_judgements", [{**rows[0], "row_id": "mine_judgement"}])
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    err = info.value
    assert (err.file, err.line, err.column) == (
        str(pkg / "claim_judgements.csv"),
        2,
        "claim_row_id",
    )
    line = bundled_line("claim_judgements", "claim_row_id", claim)
    assert f"{claim!r} is already used (claim_row_id must be unique) in the bundled " in str(err)
    assert f"claim_judgements.csv, line {line}" in str(err)


def test_ids_clashing_between_two_packages_name_both_files(tmp_path: Path) -> None:
    a = study(tmp_path / "a", corr("m1", "0.30", "P < 0.001", "200"))
    b = tmp_path / "b"
    write(b, "sources", [{**SOURCE, "source_id": "other"}, SOURCE])
    with pytest.raises(DataValidationError) as info:
        load_tables([a, b])
    assert str(info.value) == (
        f"{b / 'sources.csv'}, line 3, column source_id: 'mine2026' is already defined in "
        f"{a / 'sources.csv'}, line 2"
    )
    c = tmp_path / "c"
    write(c, "correlations", [corr("m1", "0.31", "P < 0.001", "210")])
    with pytest.raises(DataValidationError, match=r"'m1' is already defined in .*a/correl"):
        load_tables([a, c])


def test_the_same_package_twice_is_refused(tmp_path: Path) -> None:
    a = study(tmp_path / "a", corr("m1", "0.30", "P < 0.001", "200"))
    with pytest.raises(OptionError, match="given twice"):
        load_tables([a, tmp_path / "." / "a"])


# --- rows, files, references -----------------------------------------------------------------


@pytest.mark.parametrize("extra", [-1, 1])
def test_a_row_shorter_or_longer_than_the_header(tmp_path: Path, extra: int) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    path = pkg / "correlations.csv"
    header = path.read_text().splitlines()[0]
    cells = ["m2"] + ["x"] * (header.count(",") + extra)
    path.write_text(path.read_text() + ",".join(cells) + "\n")
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert info.value.file == str(path)
    assert info.value.line == 3
    width = header.count(",") + 1
    assert f"this row has {width + extra} values but the header has {width} columns" in str(
        info.value
    )


def test_missing_sources_csv(tmp_path: Path) -> None:
    pkg = tmp_path / "mine"
    write(pkg, "cohorts", [COHORT])
    write(pkg, "correlations", [corr("m1", "0.30", "P < 0.001", "200")])
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert str(info.value) == (
        f"{pkg / 'cohorts.csv'}, line 2, column source_id: unknown source id 'mine2026'; "
        f"the package {pkg} has no sources.csv: add one with a row for 'mine2026'"
    )


def test_unknown_source_id(tmp_path: Path) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200", source_id="nobody"))
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert (info.value.file, info.value.line, info.value.column) == (
        str(pkg / "correlations.csv"),
        2,
        "source_id",
    )
    assert f"add it to {pkg / 'sources.csv'}" in str(info.value)


def test_cites_source_id_resolves_across_packages(tmp_path: Path) -> None:
    a = study(tmp_path / "a", corr("m1", "0.30", "P < 0.001", "200"))
    b = tmp_path / "b"
    write(b, "sources", [SECONDARY])  # cites a's source
    assert "mine_review" in set(load_tables([a, b])["sources"]["source_id"])
    with pytest.raises(DataValidationError) as info:
        load_tables([b])
    assert info.value.column == "cites_source_id"


def test_foreign_keys_across_tables_and_packages(tmp_path: Path) -> None:
    a = study(tmp_path / "a")
    conc = {
        "row_id": "m_milk",
        "source_id": "mine2026",
        "cohort": "mine_cohort",
        "location": "Table 1",
        "timepoint": "6 months",
        "compartment": "milk",
        "group": "all",
        "n": "500",
        "statistic": "median",
        "value": "150",
        "q1": "100",
        "q3": "220",
        "unit": "pmol/L",
        "text": "median 150 (100, 220) pmol/L",
    }
    write(a, "concentrations", [conc, {**conc, "row_id": "m_milk2", "group": "other"}])
    b = tmp_path / "b"
    comparison = {
        "row_id": "m_ratio",
        "source_id": "mine2026",
        "location": "Table 1",
        "numerator_id": "m_milk",
        "denominator_id": "m_milk2",
        "ratio": "1.0",
        "text": "the same",
    }
    write(b, "comparisons", [comparison])
    tables = load_tables([a, b], data_only=True)
    assert tables["comparisons"]["row_id"].tolist() == ["m_ratio"]
    write(b, "comparisons", [{**comparison, "denominator_id": "m_nothing"}])
    with pytest.raises(DataValidationError) as info:
        load_tables([a, b], data_only=True)
    assert (info.value.line, info.value.column) == (2, "denominator_id")
    assert "unknown concentrations row_id 'm_nothing'" in str(info.value)


def test_a_cohort_needs_a_cohorts_row(tmp_path: Path) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200", cohort="elsewhere"))
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert (info.value.line, info.value.column) == (2, "cohort")
    assert "unknown cohort 'elsewhere'" in str(info.value)


def test_a_bad_cell_names_file_line_and_column(tmp_path: Path) -> None:
    pkg = study(
        tmp_path / "mine",
        corr("m1", "0.30", "P < 0.001", "200"),
        corr("m2", "0.30", "P < 0.001", "200", var_x="breast_milk"),
    )
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert (info.value.file, info.value.line, info.value.column) == (
        str(pkg / "correlations.csv"),
        3,
        "var_x",
    )


def test_stray_and_misnamed_csv_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    (pkg / "audit.csv").write_text("check_id\nx\n")
    (pkg / "README.md").write_text("notes\n")
    assert len(load_tables([pkg], data_only=True)["correlations"]) == 1
    assert "audit.csv: not a table of b12stats" in caplog.text
    (pkg / "correlation.csv").write_text("row_id\n")
    with pytest.raises(DataValidationError, match=r"did you mean correlations\.csv"):
        load_tables([pkg])


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="no such folder"):
        load_tables([tmp_path / "nothing"])
    (tmp_path / "f.csv").write_text("x\n")
    with pytest.raises(DataValidationError, match="is a file"):
        load_tables([tmp_path / "f.csv"])


# --- datapackage.json ------------------------------------------------------------------------


def descriptor(pkg: Path, resources: list[dict[str, str]], **extra: str) -> None:
    (pkg / "datapackage.json").write_text(
        json.dumps({"name": "mine", "resources": resources, **extra}, indent=2)
    )


def test_datapackage_json_resources_decide_the_files(tmp_path: Path) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    (pkg / "correlations.csv").rename(pkg / "my_r.csv")
    descriptor(
        pkg,
        [
            {"name": "sources", "path": "sources.csv"},
            {"name": "cohorts", "path": "cohorts.csv"},
            {"name": "correlations", "path": "my_r.csv"},
        ],
        **{"b12stats:schema_version": data.schema_version()},
    )
    assert load_tables([pkg], data_only=True)["correlations"]["row_id"].tolist() == ["m1"]


@pytest.mark.parametrize(
    ("resources", "extra", "message", "line"),
    [
        ([{"name": "correlation", "path": "x.csv"}], {}, "name 'correlation' is not a table", 5),
        ([{"name": "sources", "path": "nothing.csv"}], {}, "nothing.csv does not exist", 6),
        ([{"name": "sources", "path": "../sources.csv"}], {}, "inside the package folder", 6),
        ([{"name": "sources", "path": "sources.csv", "format": "xlsx"}], {}, "format", None),
        (
            [{"name": "sources", "path": "sources.csv"}, {"name": "sources", "path": "c.csv"}],
            {},
            "listed twice",
            None,
        ),
        ([], {}, "non-empty 'resources' list", None),
        (
            [{"name": "sources", "path": "sources.csv"}],
            {"b12stats:schema_version": "99.0.0"},
            "written for schema version 99.0.0",
            2,
        ),
        (
            [{"name": "sources", "path": "sources.csv"}],
            {"b12stats:schema_version": "one"},
            "must be a version like",
            2,
        ),
    ],
)
def test_a_bad_datapackage_json(
    tmp_path: Path,
    resources: list[dict[str, str]],
    extra: dict[str, str],
    message: str,
    line: int | None,
) -> None:
    pkg = tmp_path / "mine"
    write(pkg, "sources", [SOURCE])
    (pkg / "c.csv").write_text((pkg / "sources.csv").read_text())
    (pkg / "datapackage.json").write_text(
        json.dumps({**extra, "name": "mine", "resources": resources}, indent=2)
    )
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert info.value.file == str(pkg / "datapackage.json")
    assert message in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_datapackage_json_that_is_not_json(tmp_path: Path) -> None:
    pkg = tmp_path / "mine"
    write(pkg, "sources", [SOURCE])
    (pkg / "datapackage.json").write_text('{\n  "resources": [\n    {"name": }\n  ]\n}\n')
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert info.value.line == 3 and "not valid JSON" in str(info.value)


# --- files written against today's schemas --------------------------------------------------


def _renamed_copy(target: Path) -> None:
    """Every bundled file as written today (raw text), with every id prefixed ``v1_``."""
    id_columns = {
        "row_id",
        "source_id",
        "cites_source_id",
        "traced_source_id",
        "numerator_id",
        "denominator_id",
        "cutoff_row_id",
        "claim_row_id",
    }
    row_ids = {
        rid
        for name in data.table_names()
        if name != "sources"
        for rid in data.load_table(name)["row_id"]
    }
    target.mkdir()
    for name in data.table_names():
        text = (BUNDLED / f"{name}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0]
        for row in rows[1:]:
            for j, column in enumerate(header):
                if j >= len(row) or not row[j]:
                    continue
                if column in id_columns:
                    row[j] = "v1_" + row[j]
                elif column == "evidence_row_ids":
                    row[j] = ";".join("v1_" + x for x in row[j].split(";"))
                elif column == "reasoning":  # a judgement's template names rows: ID.column
                    row[j] = re.sub(
                        r"(?<!\w)(\w+)(?=\.\w)",
                        lambda m: "v1_" + m[1] if m[1] in row_ids else m[0],
                        row[j],
                    )
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (target / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")


def test_a_package_written_with_todays_headers_loads_and_audits_the_same(
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "v1"
    _renamed_copy(pkg)  # no datapackage.json: read as schema version 1.0.0
    tables = load_tables([pkg], data_only=True)
    for name in data.table_names():
        bundled = data.load_table(name)
        mine = tables[name]
        assert list(mine.columns) == list(bundled.columns), name
        assert len(mine) == len(bundled), name
        key = "source_id" if name == "sources" else "row_id"
        assert (mine[key] == "v1_" + bundled[key]).all(), name
    # joined with the bundled tables there is no clash (every id is new)
    assert len(load_tables([pkg])["correlations"]) == 2 * len(data.load_table("correlations"))
    # the same verdicts, check by check (judgements of worded claims are data too)
    mine = run_audit(tables).to_frame()
    mine_ids = mine["check_id"].str.removeprefix("v1_")
    mine_verdicts = dict(zip(mine_ids, mine["verdict"], strict=True))
    bundled = run_audit().to_frame()
    expected = dict(zip(bundled["check_id"], bundled["verdict"], strict=True))
    assert mine_verdicts == expected


def test_a_file_without_optional_columns_loads(tmp_path: Path) -> None:
    """A file written before an optional column was added (or leaving it out) still loads."""
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    schema = data.table_schema("correlations")
    optional = [f["name"] for f in schema.fields if not f.get("constraints", {}).get("required")]
    assert "significant" in optional
    frame = pd.read_csv(pkg / "correlations.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=["significant"]).to_csv(pkg / "correlations.csv", index=False)
    loaded = load_tables([pkg], data_only=True)["correlations"]
    assert list(loaded.columns) == list(data.load_table("correlations").columns)
    assert loaded["significant"].isna().all()
    frame.drop(columns=["cohort"]).to_csv(pkg / "correlations.csv", index=False)
    with pytest.raises(DataValidationError) as info:  # a required column may not be left out
        load_tables([pkg])
    assert (info.value.line, info.value.column) == (1, "cohort")


def test_references_of_judgements_and_cut_offs(tmp_path: Path) -> None:
    pkg = study(tmp_path / "mine")
    claim = {
        "row_id": "m_claim",
        "source_id": "mine2026",
        "location": "Discussion",
        "claim_type": "finding",
        "subject": "x",
        "value_text": "no difference",
        "text": "a finding",
    }
    write(pkg, "claims", [claim])
    judgement = {
        "row_id": "m_judged",
        "source_id": "mine2026",
        "claim_row_id": "m_claim",
        "verdict": "unverifiable",
        "evidence_row_ids": "m_claim;mine_n",
        "reasoning": "nothing to recompute",
        "text": "a finding",
    }
    write(pkg, "claim_judgements", [judgement])
    assert (
        len(load_tables([pkg])["claim_judgements"]) == len(data.load_table("claim_judgements")) + 1
    )
    write(pkg, "claim_judgements", [{**judgement, "evidence_row_ids": "m_claim;m_gone"}])
    with pytest.raises(DataValidationError) as info:
        load_tables([pkg])
    assert (info.value.line, info.value.column) == (2, "evidence_row_ids")
    assert "unknown row id 'm_gone'" in str(info.value)
    write(pkg, "claim_judgements", [{**judgement, "claim_row_id": "m_nothing"}])
    with pytest.raises(DataValidationError, match="unknown claims row_id 'm_nothing'"):
        load_tables([pkg])


def test_derived_columns_written_by_data_format_csv_load_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = study(tmp_path / "mine", corr("m1", "0.30", "P < 0.001", "200"))
    code, out, err = run(capsys, "data", "correlations", "--data", str(pkg), "--data-only",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    assert "p_relation" in out.splitlines()[0]
    (pkg / "correlations.csv").write_text(out)
    again = load_tables([pkg], data_only=True)["correlations"]
    assert again["r"].tolist() == [0.30] and int(again["r_decimals"].iloc[0]) == 2


# --- one vocabulary ---------------------------------------------------------------------------


def test_one_vocabulary_for_compartments_and_variables() -> None:
    compartments = data.vocabulary("compartment")
    variables = data.vocabulary("variable")["name"].tolist()
    named = [v for v in compartments["variable"] if isinstance(v, str)]
    assert set(named) == set(variables)  # every variable is measured in some compartment
    fields = 0
    for name in data.table_names():
        for field in data.table_schema(name).fields:
            voc = field.get("b12stats:vocabulary")
            if voc is None:
                continue
            fields += 1
            assert field["constraints"]["enum"] == data.vocabulary(voc)["name"].tolist()
    assert fields == 4  # concentrations, prevalences: compartment; correlations: var_x, var_y
    # the columns called compartment or var_* all use it
    for name in data.table_names():
        for field in data.table_schema(name).fields:
            if field["name"] in ("compartment", "var_x", "var_y"):
                assert "b12stats:vocabulary" in field, (name, field["name"])


def test_a_schema_whose_list_differs_from_the_vocabulary_is_refused() -> None:
    raw = {
        "fields": [
            {
                "name": "compartment",
                "b12stats:vocabulary": "compartment",
                "constraints": {"enum": ["milk"]},
            }
        ]
    }
    with pytest.raises(DataValidationError, match="differ from the 'compartment' vocabulary"):
        _schema._check_vocabularies(raw, "x.schema.json")


def test_schema_version_and_changes_file() -> None:
    version = data.schema_version()
    changes = (BUNDLED / "SCHEMA_CHANGES.md").read_text(encoding="utf-8")
    assert f"## {version}" in changes


# --- init and the command line ---------------------------------------------------------------


def test_init_writes_a_package_that_validates_with_no_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "new"
    code, out, err = run(capsys, "init", str(pkg))
    assert code == 0, err
    assert sorted(p.name for p in pkg.iterdir()) == sorted(template_files())
    for name in data.table_names():
        schema = data.table_schema(name)
        header = (pkg / f"{name}.csv").read_text().splitlines()
        assert header == [",".join(schema.columns)]
        assert not set(schema.derived_columns) & set(header[0].split(","))
    meta = json.loads((pkg / "datapackage.json").read_text())
    assert meta["b12stats:schema_version"] == data.schema_version()
    assert [r["name"] for r in meta["resources"]] == data.table_names()
    readme = (pkg / "README.md").read_text()
    for name in data.table_names():
        for row in data.table_schema(name).describe().itertuples(index=False):
            assert f"| `{row.name}` | {row.type} |" in readme
    assert "infant_serum_or_plasma" in readme and "pmol/L" in readme

    code, out, err = run(capsys, "data", "--data", str(pkg))
    assert code == 0, err
    assert f"{pkg}: valid, no rows yet" in out
    assert load_tables([pkg], data_only=True)["correlations"].empty


def test_an_init_package_is_a_valid_frictionless_data_package(tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    pkg = tmp_path / "new"
    pkg.mkdir()
    for name, text in template_files().items():
        (pkg / name).write_text(text, encoding="utf-8")
    report = frictionless.validate(str(pkg / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "old"
    pkg.mkdir()
    (pkg / "notes.txt").write_text("mine\n")
    code, _out, err = run(capsys, "init", str(pkg))
    assert code == 2
    assert "is not empty" in err and "nothing was written" in err
    assert [p.name for p in pkg.iterdir()] == ["notes.txt"]


def _planted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """init, then fill sources, cohorts and correlations (one impossible r/P/n)."""
    pkg = tmp_path / "study"
    assert run(capsys, "init", str(pkg))[0] == 0
    write(pkg, "sources", [SOURCE, SECONDARY])
    write(pkg, "cohorts", [COHORT])
    write(
        pkg,
        "correlations",
        [
            corr("m_bad", "0.10", "P = 0.9", "500"),  # impossible: r = 0.10 with n = 500
            corr("m_good", "0.30", "P < 0.001", "200"),
            corr("m_other", "0.25", "P < 0.001", "300"),
            corr("m_review", "0.40", "P < 0.001", "80", source_id="mine_review"),
        ],
    )
    return pkg


def two_sided_p(r: float, n: int) -> float:
    """P of Pearson's r from the t distribution with n - 2 degrees of freedom."""
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), n - 2))


def test_init_fill_then_reproduce_finds_the_planted_r_p_n(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _planted(tmp_path, capsys)
    assert two_sided_p(0.10, 500) < 0.05  # the plant: P = 0.9 is impossible
    code, out, err = run(capsys, "data", "--data", str(pkg))
    assert code == 0, err
    assert f"{pkg}: valid, 7 row(s) in 3 table(s)" in out
    code, out, err = run(capsys, "reproduce", "--data", str(pkg), "--data-only", "--strict",
                         "--format", "csv")  # fmt: skip
    assert code == 1, err
    audit = pd.read_csv(io.StringIO(out)).set_index("check_id")
    assert audit.loc["m_bad:r_p_n", "verdict"] == "inconsistent"
    assert audit.loc["m_good:r_p_n", "verdict"] == "reproduced"
    code, out, err = run(capsys, "reproduce", "--data", str(pkg), "--format", "csv")
    joined = pd.read_csv(io.StringIO(out))
    assert len(joined) > len(audit)
    assert "m_bad:r_p_n" in set(joined["check_id"])


def test_meta_pools_the_joined_correlations_and_leaves_out_inconsistent_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _planted(tmp_path, capsys)
    out_csv = tmp_path / "pooled.csv"
    code, out, err = run(capsys, "meta", "--data", str(pkg), "--data-only", "--out",
                         str(out_csv))  # fmt: skip
    assert code == 0, err
    pooled = pd.read_csv(out_csv).set_index("group")
    assert pooled.loc["pair=infant_blood~milk", "k"] == 2  # m_good and m_other
    assert pooled.loc["pair=infant_blood~milk", "n_total"] == 500
    assert "m_bad: the audit judges it inconsistent (m_bad:r_p_n:" in out
    assert "m_review: source kind secondary is not pooled" in out
    code, out, err = run(capsys, "meta", "--data", str(pkg), "--data-only",
                         "--include-inconsistent", "--out", str(out_csv))  # fmt: skip
    assert code == 0, err
    assert pd.read_csv(out_csv)["k"].tolist() == [3]
    assert "judges it inconsistent" not in out
    # with the bundled rows: the package's rows are in the pools of their pair
    code, out, err = run(capsys, "meta", "--data", str(pkg), "--studies", str(out_csv))
    assert code == 0, err
    labels = set(pd.read_csv(out_csv)["label"])
    assert {"m_good", "m_other"} <= labels and "m_bad" not in labels


def test_meta_primary_only_on_a_users_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _planted(tmp_path, capsys)
    mine = tmp_path / "r.csv"
    mine.write_text(
        "study,source_id,r,n\nA,mine2026,0.30,200\nB,mine_review,0.40,80\nC,mine2026,0.25,300\n"
    )
    out_csv = tmp_path / "pooled.csv"
    code, out, err = run(capsys, "meta", str(mine), "--label", "study", "--primary-only",
                         "--data", str(pkg), "--out", str(out_csv))  # fmt: skip
    assert code == 0, err
    assert pd.read_csv(out_csv)["k"].tolist() == [2]
    assert "line 3: source kind secondary is not pooled (--primary-only)" in out
    code, out, err = run(capsys, "meta", str(mine), "--data", str(pkg), "--out", str(out_csv))
    assert code == 0, err
    assert pd.read_csv(out_csv)["k"].tolist() == [3]  # without --primary-only: every row
    # the kinds come from the sources in use: without the package the ids are unknown
    code, out, err = run(capsys, "meta", str(mine), "--primary-only")
    assert code == 2
    assert err.strip() == (
        f"error: {mine}, line 2, column source_id: unknown source id 'mine2026'; add it to "
        "your package's sources.csv and give the package with --data DIR"
    )
    nosrc = tmp_path / "plain.csv"
    nosrc.write_text("r,n\n0.3,40\n")
    code, out, err = run(capsys, "meta", str(nosrc), "--primary-only")
    assert code == 2 and "needs a source_id column" in err


def test_meta_audits_a_users_file_laid_out_like_correlations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _planted(tmp_path, capsys)
    (pkg / "correlations.csv").rename(tmp_path / "my_correlations.csv")
    write(pkg, "correlations", [])
    mine = tmp_path / "my_correlations.csv"
    out_csv = tmp_path / "pooled.csv"
    code, out, err = run(capsys, "meta", str(mine), "--data", str(pkg), "--by", "pair",
                         "--out", str(out_csv))  # fmt: skip
    assert code == 0, err
    assert "m_bad: the audit judges it inconsistent" in out
    assert pd.read_csv(out_csv)["k"].tolist() == [3]  # m_good, m_other, m_review
    code, out, err = run(capsys, "meta", str(mine), "--data", str(pkg), "--by", "pair",
                         "--include-inconsistent", "--out", str(out_csv))  # fmt: skip
    assert pd.read_csv(out_csv)["k"].tolist() == [4]


def test_an_output_may_not_replace_a_package_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _planted(tmp_path, capsys)
    before = (pkg / "correlations.csv").read_text()
    code, _out, err = run(capsys, "meta", "--data", str(pkg), "--out",
                          str(pkg / "correlations.csv"))  # fmt: skip
    assert code == 2
    assert f"is the input --data {pkg}" in err
    assert (pkg / "correlations.csv").read_text() == before
    code, _out, err = run(capsys, "meta", "--data", str(pkg), "--out", str(pkg / "README.md"))
    assert code == 2 and f"is a file of the data package {pkg} (an input)" in err
    code, _out, err = run(capsys, "reproduce", "--data", str(pkg), "--out", str(tmp_path))
    assert code == 0, err


def test_data_prints_a_joined_table_and_flags_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _planted(tmp_path, capsys)
    code, out, err = run(capsys, "data", "correlations", "--data", str(pkg), "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == len(data.load_table("correlations")) + 4
    code, _out, err = run(capsys, "data", "--data-only")
    assert code == 2 and "--data-only needs at least one --data DIR" in err
    code, _out, err = run(capsys, "reproduce", "--data-only")
    assert code == 2 and "--data-only needs at least one --data DIR" in err
    write(pkg, "correlations", [corr("m1", "0.30", "P < 0.001", "200", cohort="nowhere")])
    code, _out, err = run(capsys, "data", "--data", str(pkg))
    assert code == 2
    assert err.startswith(f"error: {pkg / 'correlations.csv'}, line 2, column cohort:")
    assert err.count("\n") == 1


def test_meta_audits_an_exported_bundled_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    exported = tmp_path / "correlations.csv"
    code, out, err = run(capsys, "data", "correlations", "--format", "csv")
    assert code == 0, err
    exported.write_text(out)
    audit = run_audit().to_frame()
    bad = audit[(audit["verdict"] == "inconsistent") & (audit["table"] == "correlations")]
    assert len(bad)  # the bundled data has such rows
    code, out, err = run(capsys, "meta", str(exported), "--by", "pair", "--skip-unpoolable")
    assert code == 0, err  # its ids repeat the bundled ones: no clash, DATA replaces them
    for check_id in bad["check_id"]:
        assert f"{check_id.split(':')[0]}: the audit judges it inconsistent ({check_id}:" in out
    # a file that does not follow the schema is pooled, not audited, and says so
    lines = exported.read_text().splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[1]]))
    cells[header.index("p_text")] = "ns"
    lines[1] = ",".join(f'"{c}"' for c in cells)
    exported.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "meta", str(exported), "--by", "pair", "--skip-unpoolable")
    assert code == 0, err
    assert "judges it inconsistent" not in out
    assert "not audited" in caplog.text and "column p_text" in caplog.text


def test_meta_with_nothing_to_pool_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    assert run(capsys, "init", str(empty))[0] == 0
    code, _out, err = run(capsys, "meta", "--data", str(empty), "--data-only")
    assert code == 2 and "no correlations in the data in use" in err
    only_bad = study(tmp_path / "bad", corr("m_bad", "0.10", "P = 0.9", "500"))
    code, _out, err = run(capsys, "meta", "--data", str(only_bad), "--data-only")
    assert code == 2
    assert err.startswith("error: nothing left to pool (m_bad: the audit judges it inconsistent")

"""Structure of the hand labels of the text corpus (tests/text_corpus/, issue 13).

The labels are the yardstick of ``b12stats extract`` and ``b12stats check``; these tests keep
them well-formed: the columns of the shared spec, the allowed values per column, numbers that
parse, verdict rows that point at labelled statistics, and files that exist in the corpus.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LABELS_DIR = REPO / "tests" / "text_corpus"

LABEL_COLUMNS = [
    "file",
    "statistic",
    "measure",
    "value",
    "low",
    "high",
    "spread",
    "count",
    "n",
    "p_text",
    "unit",
    "cutoff_text",
    "needs_review",
    "note",
]
VERDICT_COLUMNS = ["file", "statistic", "value", "expected_verdict", "reason"]
FILE_COLUMNS = ["file", "kind", "primary_file", "all_consistent"]

MEASURES = {
    "correlation": {"pearson", "spearman", "unspecified"},
    "location": {"median", "geometric_mean", "mean"},
    "share": {"percent"},
    "effect": {
        "percent_difference",
        "difference",
        "beta",
        "odds_ratio",
        "risk_ratio",
        "prevalence_ratio",
        "other",
    },
    "ratio": {"fold"},
    "comparison": {"p_only"},
    "sample_size": {"n"},
}
SPREADS = {"", "quartiles", "iqr", "ci", "sd", "se", "range", "none"}
VERDICTS = {"inconsistent", "conflicts_with_primary"}
KINDS = {"primary", "secondary", "lay", "review"}
BOOLEANS = {"true", "false"}
# Texts the labels name that live outside the shared corpus folder (see README.md): the primary
# abstract of seed 003, kept beside the worktrees, never in the project.
OUTSIDE_CORPUS = {"chebaya2017_abstract.txt"}
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (LABELS_DIR / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _corpus_dir() -> Path | None:
    """The shared corpus folder: $B12STATS_TEXT_CORPUS, else ../shared or ../../shared."""
    env = os.environ.get("B12STATS_TEXT_CORPUS")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared"]
    for cand in candidates:
        if (cand / "seeds").is_dir() and (cand / "abstracts").is_dir():
            return cand
    return None


@pytest.fixture(scope="module")
def labels() -> list[dict[str, str]]:
    columns, rows = _read("labels.csv")
    assert columns == LABEL_COLUMNS
    return rows


@pytest.fixture(scope="module")
def verdicts() -> list[dict[str, str]]:
    columns, rows = _read("verdicts.csv")
    assert columns == VERDICT_COLUMNS
    return rows


@pytest.fixture(scope="module")
def files() -> list[dict[str, str]]:
    columns, rows = _read("files.csv")
    assert columns == FILE_COLUMNS
    return rows


def test_label_values_allowed(labels: list[dict[str, str]]) -> None:
    assert labels
    for i, row in enumerate(labels, start=2):
        where = f"labels.csv line {i}"
        assert row["statistic"] in MEASURES, where
        assert row["measure"] in MEASURES[row["statistic"]], where
        assert row["spread"] in SPREADS, where
        assert row["needs_review"] in BOOLEANS, where
        if row["value"] == "":  # "12 of 21": a share whose percent is not printed
            assert row["statistic"] == "share" and row["count"], f"{where}: empty value"
        else:
            assert NUMBER.match(row["value"]), f"{where}: value {row['value']!r}"
        for col in ("low", "high"):
            assert row[col] == "" or NUMBER.match(row[col]), f"{where}: {col} {row[col]!r}"
        for col in ("count", "n"):
            assert row[col] == "" or row[col].isdigit(), f"{where}: {col} {row[col]!r}"
        if row["count"] and row["n"]:
            assert int(row["count"]) <= int(row["n"]), where
        if row["statistic"] == "sample_size":
            assert row["value"].isdigit(), where
        if row["statistic"] == "comparison":
            assert row["p_text"], f"{where}: a P-only comparison needs its P"
        assert row["note"].strip(), f"{where}: every label says what it is"


def test_label_spreads_have_bounds(labels: list[dict[str, str]]) -> None:
    for i, row in enumerate(labels, start=2):
        where = f"labels.csv line {i}"
        if row["spread"] in {"quartiles", "iqr", "ci", "range"}:
            assert row["low"] and row["high"], where
        if row["spread"] in {"sd", "se"}:
            assert row["low"] and not row["high"], f"{where}: x ± s keeps s in low"


def test_every_labelled_file_is_in_files_csv(
    labels: list[dict[str, str]], files: list[dict[str, str]]
) -> None:
    listed = [row["file"] for row in files]
    assert len(listed) == len(set(listed))
    assert {row["file"] for row in labels} <= set(listed)


def test_files_values_allowed(files: list[dict[str, str]]) -> None:
    listed = {row["file"] for row in files}
    for row in files:
        assert row["kind"] in KINDS, row["file"]
        assert row["all_consistent"] in BOOLEANS, row["file"]
        if row["primary_file"]:
            assert row["kind"] in {"secondary", "lay"}, row["file"]
            assert row["primary_file"] in listed, row["file"]


def test_verdicts_point_at_labels(
    verdicts: list[dict[str, str]],
    labels: list[dict[str, str]],
    files: list[dict[str, str]],
) -> None:
    labelled = {(r["file"], r["statistic"], float(r["value"])) for r in labels if r["value"]}
    kinds = {r["file"]: r for r in files}
    for i, row in enumerate(verdicts, start=2):
        where = f"verdicts.csv line {i}"
        assert row["expected_verdict"] in VERDICTS, where
        assert row["reason"].strip(), where
        assert row["file"] in kinds, where
        if row["expected_verdict"] == "conflicts_with_primary":
            assert kinds[row["file"]]["primary_file"], f"{where}: a conflict needs a primary"
        if row["statistic"] == "claim":  # a worded claim, not an extracted number
            assert row["expected_verdict"] == "conflicts_with_primary", where
            continue
        assert row["statistic"] in MEASURES, where
        assert (row["file"], row["statistic"], float(row["value"])) in labelled, where


def test_all_consistent_matches_verdicts(
    verdicts: list[dict[str, str]], files: list[dict[str, str]]
) -> None:
    flagged = {row["file"] for row in verdicts}
    for row in files:
        assert (row["all_consistent"] == "false") == (row["file"] in flagged), row["file"]


def test_files_exist_in_corpus(files: list[dict[str, str]]) -> None:
    corpus = _corpus_dir()
    if corpus is None:
        pytest.skip("text corpus folder ../shared not present")
    present = {p.name for p in (corpus / "seeds").glob("*.txt")}
    present |= {p.name for p in (corpus / "abstracts").glob("*.txt")}
    named = {row["file"] for row in files}
    named |= {row["primary_file"] for row in files if row["primary_file"]}
    missing = sorted(named - present - OUTSIDE_CORPUS)
    assert not missing, f"labelled files not in {corpus}: {missing}"
    # Every text of the corpus is labelled (a text without statistics still has its files.csv row).
    assert present <= named, sorted(present - named)


def test_write_ups_name_their_primary_as_index_does(files: list[dict[str, str]]) -> None:
    corpus = _corpus_dir()
    if corpus is None:
        pytest.skip("text corpus folder ../shared not present")
    with (corpus / "abstracts" / "INDEX.tsv").open(encoding="utf-8", newline="") as fh:
        index = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    ours = {row["file"]: row for row in files}
    for name, row in index.items():
        assert ours[name]["kind"] == row["kind"], name
        primary = row["primary_in_corpus"] if row["primary_in_corpus"].endswith(".txt") else ""
        assert ours[name]["primary_file"] == primary, name

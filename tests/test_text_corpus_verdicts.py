"""``b12stats check`` against the hand-labelled verdicts of the text corpus (issue 13).

Issue 13's "Done when": every inconsistency of the listed kinds is flagged, and no flag is
raised on an abstract whose numbers are all consistent. Every text of the shared corpus
(``../shared/seeds``, ``../shared/abstracts``; see ``tests/test_text_corpus_labels.py``) is
extracted and checked, with its primary where ``files.csv`` names one that is present, and

- every verdict of ``verdicts.csv`` is found (a check with that verdict on an extracted row of
  that statistic and value, or a worded-claim check for a ``claim`` row), except the ones
  listed in :data:`KNOWN_MISSES` -- and those are *not* found, so an improvement or a
  regression both fail the test;
- no ``inconsistent`` / ``conflicts_with_primary`` check is raised on a text labelled
  ``all_consistent``.

A primary kept outside the corpus (seed 003's, see ``OUTSIDE_CORPUS`` in the labels test) is
used when ``$B12STATS_TEXT_PRIMARIES`` names the folder that holds it; without it the
``conflicts_with_primary`` verdicts of that text are not expected.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from b12stats.audit.core import PROBLEM_VERDICTS
from b12stats.text import extract_text, read_text_file
from b12stats.text.check import audit_rows

REPO = Path(__file__).resolve().parents[1]
LABELS_DIR = REPO / "tests" / "text_corpus"

#: A found verdict: (file, statistic, value, verdict); ``value`` is None for a worded claim.
Key = tuple[str, str, float | None, str]

#: Labelled verdicts the check does not find today, each with why.
KNOWN_MISSES: dict[Key, str] = {}


def _read(name: str) -> list[dict[str, str]]:
    with (LABELS_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _corpus_dir() -> Path | None:
    """The shared corpus folder: $B12STATS_TEXT_CORPUS, else ../shared or ../../shared."""
    env = os.environ.get("B12STATS_TEXT_CORPUS")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared"]
    for cand in candidates:
        if (cand / "seeds").is_dir() and (cand / "abstracts").is_dir():
            return cand
    return None


def _number(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def _label_key(row: dict[str, str]) -> Key:
    value = None if row["statistic"] == "claim" else float(row["value"])
    return (row["file"], row["statistic"], value, row["expected_verdict"])


@pytest.fixture(scope="module")
def outcome() -> tuple[set[Key], set[str], list[str]]:
    """Run check on the corpus: (problem keys found, files run with their primary, false flags)."""
    corpus = _corpus_dir()
    if corpus is None:
        pytest.skip("text corpus folder ../shared not present")
    folders = [corpus / "seeds", corpus / "abstracts"]
    if os.environ.get("B12STATS_TEXT_PRIMARIES"):
        folders.append(Path(os.environ["B12STATS_TEXT_PRIMARIES"]))

    def where(name: str) -> Path | None:
        return next((d / name for d in folders if (d / name).is_file()), None)

    found: set[Key] = set()
    with_primary: set[str] = set()
    false_flags: list[str] = []
    for entry in _read("files.csv"):
        path = where(entry["file"])
        if path is None or not path.parent.parent.samefile(corpus):
            continue  # a primary kept outside the corpus is not itself a corpus text
        text = read_text_file(path)
        rows = extract_text(text, file=path.name)
        primary_text = primary_rows = None
        primary = where(entry["primary_file"]) if entry["primary_file"] else None
        if primary is not None:
            primary_text = read_text_file(primary)
            primary_rows = extract_text(primary_text, file=primary.name)
            with_primary.add(entry["file"])
        result = audit_rows(rows, primary_rows=primary_rows, text=text,
                            primary_text=primary_text)  # fmt: skip
        for c in result.checks:
            if c.verdict not in PROBLEM_VERDICTS:
                continue
            if c.category == "claim_vs_primary":
                key: Key = (entry["file"], "claim", None, c.verdict)
            else:
                row = rows.iloc[int(c.numbers["row"])]
                key = (entry["file"], str(row["statistic"]), _number(row["value"]), c.verdict)
            found.add(key)
            if entry["all_consistent"] == "true":
                false_flags.append(f"{key}: {c.detail}")
    return found, with_primary, false_flags


def test_labelled_verdicts_found(outcome: tuple[set[Key], set[str], list[str]]) -> None:
    found, with_primary, _ = outcome
    corpus = _corpus_dir()
    assert corpus is not None
    in_corpus = {p.name for p in (corpus / "seeds").glob("*.txt")}
    in_corpus |= {p.name for p in (corpus / "abstracts").glob("*.txt")}
    expected = {
        _label_key(v)
        for v in _read("verdicts.csv")
        if v["file"] in in_corpus
        and (v["expected_verdict"] != "conflicts_with_primary" or v["file"] in with_primary)
    }
    assert expected, "no labelled verdict is expected: the corpus was not read"
    assert set(KNOWN_MISSES) <= expected, "a known miss that is no longer labelled"
    labelled_found = expected & found
    assert labelled_found == expected - set(KNOWN_MISSES), (
        f"missed: {sorted(expected - set(KNOWN_MISSES) - found, key=str)}; "
        f"now found (drop from KNOWN_MISSES): {sorted(set(KNOWN_MISSES) & found, key=str)}"
    )


def test_no_flag_on_all_consistent_texts(outcome: tuple[set[Key], set[str], list[str]]) -> None:
    _, _, false_flags = outcome
    assert not false_flags, "\n".join(false_flags)

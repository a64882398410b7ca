"""Precision and recall of ``b12stats extract`` on a labelled corpus of texts (issue 13).

The corpus (third-party abstracts and write-ups) is not part of the project;
pass its folders on the command line. The labels are the rows a careful human
extracts (``tests/text_corpus/labels.csv``, written independently of the
extractor). A predicted row matches a label of the same file when the
statistic is equal and the values are equal as numbers (leading-zero
insensitive: ".23" = "0.23"; word numbers and word fractions read as numbers),
and, where the label has low/high, those are equal too. Matching is
one-to-one, greedy in text order. Precision = matched / predicted, recall =
matched / labelled, per statistic and overall. A label or prediction without
a value (a "12 of 21" share) matches on its count and n instead.

Also prints the time of the extraction over the corpus.

Run::

    python benchmarks/text_corpus.py ../shared/seeds ../shared/abstracts \\
        --labels tests/text_corpus/labels.csv [--show-misses]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import pandas as pd

from b12stats.errors import B12StatsError
from b12stats.text import extract_files
from b12stats.text.numbers import number_value

STATISTICS = ("correlation", "location", "share", "effect", "ratio", "comparison", "sample_size")


def _number(text: object) -> float | None:
    """The number a cell holds, or None for an empty cell."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    s = str(text).strip().replace("·", ".").replace("−", "-").replace("–", "-")
    if not s:
        return None
    for q in ("approximately ", "about ", "nearly ", "almost ", "roughly ", "~", "∼"):
        if s.lower().startswith(q):
            s = s[len(q) :].strip()
    try:
        return number_value(s)
    except B12StatsError:
        return None


def _same(a: object, b: object) -> bool:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return x is None and y is None
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def _matches(pred: pd.Series, label: pd.Series) -> bool:
    if pred["statistic"] != label["statistic"]:
        return False
    if _number(label["value"]) is None:
        if not (_same(pred["count"], label["count"]) and _same(pred["n"], label["n"])):
            return False
    elif not _same(pred["value"], label["value"]):
        return False
    for col in ("low", "high"):
        if _number(label[col]) is not None and not _same(pred[col], label[col]):
            return False
    return True


def match(predicted: pd.DataFrame, labels: pd.DataFrame) -> tuple[list[bool], list[bool]]:
    """One-to-one greedy matching in text order; flags for predicted and labelled rows."""
    pred_hit = [False] * len(predicted)
    label_hit = [False] * len(labels)
    by_file: dict[str, list[int]] = {}
    for j, f in enumerate(labels["file"]):
        by_file.setdefault(str(f), []).append(j)
    for i, (_, row) in enumerate(predicted.iterrows()):
        for j in by_file.get(Path(str(row["file"])).name, []):
            if not label_hit[j] and _matches(row, labels.iloc[j]):
                pred_hit[i] = label_hit[j] = True
                break
    return pred_hit, label_hit


def score(predicted: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Precision and recall per statistic and overall."""
    pred_hit, label_hit = match(predicted, labels)
    rows = []
    for stat in (*STATISTICS, "all"):
        p_mask = [stat in ("all", s) for s in predicted["statistic"]]
        l_mask = [stat in ("all", s) for s in labels["statistic"]]
        n_pred, n_lab = sum(p_mask), sum(l_mask)
        hit_p = sum(h for h, m in zip(pred_hit, p_mask, strict=True) if m)
        hit_l = sum(h for h, m in zip(label_hit, l_mask, strict=True) if m)
        rows.append(
            {
                "statistic": stat,
                "labelled": n_lab,
                "predicted": n_pred,
                "matched": hit_l,
                "precision": hit_p / n_pred if n_pred else float("nan"),
                "recall": hit_l / n_lab if n_lab else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+", help="folders (or files) of .txt/.html texts")
    parser.add_argument("--labels", required=True, help="labels.csv (file, statistic, value, ...)")
    parser.add_argument("--show-misses", action="store_true", help="list unmatched rows")
    args = parser.parse_args(argv)

    labels = pd.read_csv(args.labels, dtype=str, keep_default_na=False)
    t0 = time.perf_counter()
    predicted = extract_files(args.corpus)
    elapsed = time.perf_counter() - t0
    names = {Path(str(f)).name for f in predicted["file"]}
    files = {Path(p).name for c in args.corpus for p in _texts(Path(c))}
    predicted = predicted[[Path(str(f)).name in names for f in predicted["file"]]].reset_index(
        drop=True
    )
    labels = labels[labels["file"].isin(files)].reset_index(drop=True)
    table = score(predicted, labels)
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(table.to_string(index=False))
    print(f"\n{len(files)} texts, {len(predicted)} rows extracted in {elapsed:.2f} s")
    if args.show_misses:
        pred_hit, label_hit = match(predicted, labels)
        cols = ["file", "statistic", "measure", "value", "low", "high", "count", "n"]
        print("\nlabelled, not extracted:")
        print(labels.loc[[not h for h in label_hit], cols].to_string(index=False))
        print("\nextracted, not labelled:")
        extra = predicted.loc[[not h for h in pred_hit], cols].copy()
        extra["file"] = [Path(str(f)).name for f in extra["file"]]
        print(extra.to_string(index=False))
    return 0


def _texts(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm"))
    return [path]


if __name__ == "__main__":
    sys.exit(main())

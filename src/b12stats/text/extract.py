"""Extract summary statistics from plain text and HTML: the library behind ``b12stats extract``.

One row per statistic a reader finds in an abstract (see :data:`COLUMNS`):
correlations with their P, locations (median with quartiles, geometric mean
with CI, mean ± SD), shares of a group (with the count and denominator where
printed, and the cut-off), effects with CIs, fold ratios, two-group
comparisons printed with only a P value, and sample sizes. Everything is
read with regular expressions (:mod:`b12stats.text.patterns`); numbers that
belong to names (B-12, H1N1, NCT ids, journal volumes, years) are masked
first (:func:`b12stats.text.spans.mask_names`). Where a role was inferred
from list order ("respectively"), from a label in an earlier sentence, or
where a symbol was lost in copying ("!150" for "<150"), the row has
``needs_review`` set: the extractor does not guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b12stats.errors import DataValidationError
from b12stats.text.counts import (
    _found_in,
    _group_sizes,
    _k_of_n,
    _populations,
    _sample_sizes_equal,
    _shares,
)
from b12stats.text.estimates import (
    _correlations,
    _effects_with_ci,
    _intervals,
    _labelled_values,
    _locations,
    _plus_minus,
    _range_then_centre,
    _ratios,
    _share_units,
    _value_sd,
    _value_spread_word,
)
from b12stats.text.files import read_text_file, text_files
from b12stats.text.pvalues import _attach_p, _p_values
from b12stats.text.roles import find_label, mentions_respectively
from b12stats.text.sentence import _Row, _Sentence
from b12stats.text.spans import mask_names, normalise, sentences

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import pandas as pd

__all__ = ["COLUMNS", "extract_files", "extract_text", "read_text_file", "text_files"]

#: The columns of an extraction, in order.
COLUMNS = (
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
    "start",
    "end",
    "text",
    "needs_review",
)


def _read_sentence(
    text: str, masked: str, original: str, offset: int, carried: str | None, sample: str = ""
) -> _Sentence:
    s = _Sentence(text, masked, original, offset, carried, sample)
    ps = _p_values(s)
    _sample_sizes_equal(s)
    _correlations(s)
    _effects_with_ci(s)
    _plus_minus(s)
    _intervals(s)
    _range_then_centre(s)
    _value_spread_word(s)
    _value_sd(s)
    _ratios(s)
    _shares(s)
    _k_of_n(s)
    _found_in(s)
    _group_sizes(s)
    _populations(s)
    _locations(s)
    _labelled_values(s)
    _attach_p(s, ps)
    _share_units(s)
    if mentions_respectively(text) and len(s.rows) > 1:
        for r in s.rows:
            r.needs_review = True
    return s


def _rows(text: str) -> list[tuple[_Row, tuple[int, int]]]:
    norm = normalise(text)
    masked = mask_names(norm)
    carried: str | None = None
    sample = ""
    out = []
    for a, b in sentences(norm):
        s = _read_sentence(norm[a:b], masked[a:b], text[a:b], a, carried, sample)
        label = find_label(norm[a:b])
        if label is not None:
            carried = label.measure
        for row in sorted(s.rows, key=lambda r: (r.start, r.end)):
            out.append((row, (a, b)))
            if row.statistic == "sample_size":
                sample = row.value
    return out


def extract_text(text: str, *, file: str | None = None) -> pd.DataFrame:
    """Summary statistics printed in ``text``, one row each (columns :data:`COLUMNS`).

    Parameters
    ----------
    text
        Plain text (for HTML, pass the result of :func:`read_text_file`).
    file
        Fills the ``file`` column.

    Returns
    -------
    pandas.DataFrame
        Strings as printed (``value``, ``low``, ``high``, ``count``, ``n``, ``p_text``,
        ``cutoff_text``), the normalised ``unit``, 0-based ``start``/``end`` offsets
        of the statistic's numbers in ``text`` (end exclusive), its sentence in
        ``text`` and ``needs_review``.

    Raises
    ------
    DataValidationError
        If ``text`` is not a string.

    Examples
    --------
    >>> t = "Milk and serum B12 were correlated (r = .36, P < 0.001; n = 40)."
    >>> row = extract_text(t).iloc[0]
    >>> row.statistic, row.value, row.p_text, t[row.start : row.end]
    ('correlation', '.36', 'P < 0.001', '.36')
    """
    import pandas as pd

    if not isinstance(text, str):
        raise DataValidationError(
            f"extract_text needs a string, got {type(text).__name__}", file=file
        )
    records = []
    for row, (a, b) in _rows(text):
        records.append(
            {
                "file": file or "",
                "statistic": row.statistic,
                "measure": row.measure,
                "value": row.value,
                "low": row.low,
                "high": row.high,
                "spread": row.spread,
                "count": row.count,
                "n": row.n,
                "p_text": row.p_text,
                "unit": row.unit,
                "cutoff_text": row.cutoff_text,
                "start": row.start,
                "end": row.end,
                "text": " ".join(text[a:b].split()),
                "needs_review": row.needs_review,
            }
        )
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    return frame.astype({"start": "int64", "end": "int64", "needs_review": "bool"})


def extract_files(paths: Iterable[str | Path]) -> pd.DataFrame:
    """:func:`extract_text` over files; a folder stands for its ``*.txt``/``*.html`` files, sorted.

    The ``file`` column holds each file's name as given (inside a folder: the
    folder joined with the name).

    Raises
    ------
    DataValidationError
        For a file :func:`read_text_file` cannot read, or a folder without texts.
    """
    import pandas as pd

    frames = [extract_text(read_text_file(p), file=str(p)) for p in text_files(paths)]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)

"""Audit the statistics extracted from a text: everything the text itself allows to check.

:func:`check_extracted` takes the rows of ``b12stats extract`` (see
:data:`~b12stats.text.check_base.EXTRACT_COLUMNS`) and returns one row per
check with the columns and verdicts of ``b12stats reproduce``
(:data:`b12stats.audit.COLUMNS`, :data:`b12stats.audit.VERDICTS`), judged by
the audit's policy :func:`b12stats.audit.core.decide`. ``row_ids`` names the
extraction rows a check used as ``<file>#<row>`` (the row's position in its
file's rows), so the checks can be drawn on the text (``numbers`` of each
:class:`~b12stats.audit.Check` also carries the span).

Checks
------
correlation
    r with P and n: the n printed with it (``cor.test``'s t test,
    :func:`b12stats.stats.correlation.check_r_p_n`; an inconsistent pair is
    told with the n the printed P would need), else the n printed for the group
    named with it ("in Cambodia ... (n=67)", or its compartment's sample size),
    else the study's n (the largest sample size printed in the text; the pairs
    analysed may be fewer, so any n up to it that fits is ``consistent``). The
    detail says which n. r with n and no P: the implied P (``unverifiable``).
location
    quartiles, ranges and CIs in order (low <= centre <= high); the numbers of
    one statistic in one unit; ``x ± s`` with s > 0; a geometric mean's CI on
    the log scale (audit's ``GM_CI_TEXT``); B12 concentrations inside
    :data:`~b12stats.text.check_base.B12_PLAUSIBLE_LOW_PMOL_L` to
    :data:`~b12stats.text.check_base.B12_PLAUSIBLE_HIGH_PMOL_L` after
    conversion to pmol/L.
share
    GRIM at the printed n (else the n printed for its group, said in the
    detail) with standard rounding (an impossible share is ``inconsistent``;
    the detail names the conventions -- truncation, double rounding -- and the
    nearest smaller denominators that reach it); a printed count k: k/n
    recomputed; a B12 cut-off in an impossible unit or magnitude.
effect
    the estimate inside its CI; the CI against the printed P
    (:func:`b12stats.stats.effects.check_p_against_ci`).
ratio
    against the two values it divides when they are printed in the same
    sentence in one unit (:func:`b12stats.stats.effects.check_ratio`).
comparison
    against its P when both groups are printed with CIs
    (:func:`b12stats.stats.effects.ratio_from_cis`), as mean ± SD with n
    (Welch's t test) or as counts k/n (Fisher's exact and chi-square tests); a
    P against the words of its clause ("no correlation (p = 0.016)"); else
    ``unverifiable``.

With ``primary_rows`` (:mod:`b12stats.text.check_primary`): every statistic is
also matched to the primary's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

import pandas as pd

from b12stats.audit.core import Check, decide
from b12stats.audit.result import AuditResult
from b12stats.errors import DataValidationError
from b12stats.text.check_base import (
    Row,
    place_rows,
)
from b12stats.text.check_comparisons import compare_groups, comparison_checks, location_pairs
from b12stats.text.check_correlations import correlation_checks, study_n
from b12stats.text.check_effects import effect_checks, ratio_checks
from b12stats.text.check_locations import location_checks
from b12stats.text.check_shares import GRIM_SMALLER_FLOOR as GRIM_SMALLER_FLOOR
from b12stats.text.check_shares import GRIM_SMALLER_LISTED as GRIM_SMALLER_LISTED
from b12stats.text.check_shares import share_checks

__all__ = [
    "PRIORITY",
    "TextAudit",
    "audit_rows",
    "check_extracted",
    "row_verdicts",
]

#: Verdict shown for a statistic with several checks: the first of these among them.
PRIORITY = ("conflicts_with_primary", "inconsistent", "reproduced", "consistent", "unverifiable")


class TextAudit(AuditResult):
    """The checks of one or more texts (an :class:`~b12stats.audit.AuditResult`)."""


def _sample_size(row: Row) -> Iterator[Check]:
    n = row.whole("value")
    yield row.check("n", category="sample_size", claim=f"n = {row.text('value')}",
                    reported=row.text("value"), recomputed="", verdict=decide(evidence=False),
                    detail=("a sample size; used as the study's n where a statistic prints none."
                            if n is not None else "not a whole number."),
                    source_kind="", cited_source_id=None)  # fmt: skip


# --- the whole text -----------------------------------------------------------------------------


def _rows_of(frame: pd.DataFrame) -> dict[str, list[Row]]:
    missing = [c for c in ("file", "statistic", "value", "text") if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"extracted rows need the columns of b12stats extract; missing: {', '.join(missing)}"
        )
    out: dict[str, list[Row]] = {}
    for file, part in frame.groupby(frame["file"].astype(str), sort=False):
        rows = []
        for i, (_, data) in enumerate(part.iterrows()):
            rows.append(Row(i, str(file), data, f"{file}#{i}"))
        out[str(file)] = place_rows(rows)
    return out


def _own_checks(rows: list[Row]) -> list[Check]:
    study = study_n(rows)
    out: list[Check] = []
    pair_of = {a.index: (a, b) for a, b in location_pairs(rows)}
    for row in rows:
        stat = row.text("statistic")
        if stat == "correlation":
            out.extend(correlation_checks(row, study, rows))
        elif stat == "location":
            out.extend(location_checks(row))
        elif stat == "share":
            out.extend(share_checks(row, rows))
        elif stat == "effect":
            out.extend(effect_checks(row))
        elif stat == "ratio":
            out.extend(ratio_checks(row, rows))
        elif stat == "comparison":
            out.extend(comparison_checks(row, rows))
        elif stat == "sample_size":
            out.extend(_sample_size(row))
        if row.index in pair_of:
            a, b = pair_of[row.index]
            got = list(compare_groups(a, a.text("p_text"), [a, b]))
            out.extend(replace(c, row_ids=(a.row_id, b.row_id)) for c in got)
        if not any(c.numbers.get("row") == row.index for c in out):
            out.append(row.check("none", category="none", claim=f"{stat} {row.text('value')}",
                                 reported=row.text("value"), recomputed="",
                                 verdict=decide(evidence=False),
                                 detail="nothing printed with it to check it against.",
                                 source_kind="", cited_source_id=None))  # fmt: skip
    return out


def audit_rows(
    rows: pd.DataFrame,
    *,
    primary_rows: pd.DataFrame | None = None,
    text: str | None = None,
    primary_text: str | None = None,
    source_kind: str | None = None,
) -> TextAudit:
    """The checks of :func:`check_extracted` as an :class:`~b12stats.audit.AuditResult`.

    Parameters
    ----------
    rows, primary_rows
        As in :func:`check_extracted`.
    text, primary_text
        The full texts (for worded claims such as supplementation, which need
        more than the sentences that hold numbers); optional.
    source_kind
        ``source_kind`` of the checks: default ``"secondary"`` with a primary,
        else ``"primary"``.

    Returns
    -------
    TextAudit
        The checks, in the order of the rows; each check's ``numbers`` holds the
        ``file``, ``row`` and ``start``/``end`` of the statistic it judged.
    """
    from b12stats.text.check_primary import against_primary

    kind = source_kind or ("secondary" if primary_rows is not None else "primary")
    by_file = _rows_of(rows) if len(rows) else {}
    checks: list[Check] = []
    prim: list[Row] | None = None
    if primary_rows is not None:
        pf = _rows_of(primary_rows) if len(primary_rows) else {}
        prim = [r for part in pf.values() for r in part]
    for _file, part in by_file.items():
        mine = _own_checks(part)
        if prim is not None:
            mine.extend(against_primary(part, prim, text=text, primary_text=primary_text))
        checks.extend(replace(c, source_kind=kind) for c in mine)
    return TextAudit(tuple(checks))


def check_extracted(
    rows: pd.DataFrame,
    *,
    primary_rows: pd.DataFrame | None = None,
    text: str | None = None,
    primary_text: str | None = None,
) -> pd.DataFrame:
    """Audit extracted statistics: one row per check, the columns of ``b12stats reproduce``.

    Parameters
    ----------
    rows
        Rows of ``b12stats extract`` (:data:`~b12stats.text.check_base.EXTRACT_COLUMNS`;
        ``file, statistic, value, text`` at least); several files are checked one by one.
    primary_rows
        Rows extracted from the primary source the text reports; each statistic is
        then also matched to the primary's (``conflicts_with_primary`` where they
        disagree).
    text, primary_text
        The full texts, for worded claims (optional).

    Returns
    -------
    DataFrame
        The columns :data:`b12stats.audit.COLUMNS`; ``row_ids`` are ``<file>#<row>``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame([{"file": "a.txt", "statistic": "correlation", "value": "0.20",
    ...     "p_text": "p = 0.27", "n": "67", "text": "We saw r = 0.20, p = 0.27 (n = 67)."}])
    >>> out = check_extracted(rows)
    >>> out.loc[0, "verdict"], out.loc[0, "recomputed"]
    ('inconsistent', 'p = 0.105; needs n in [31, 34]')
    """
    return audit_rows(rows, primary_rows=primary_rows, text=text,
                      primary_text=primary_text).to_frame()  # fmt: skip


def row_verdicts(checks: tuple[Check, ...] | list[Check]) -> Mapping[tuple[str, int], str]:
    """The verdict shown per extraction row: the first of :data:`PRIORITY` among its checks."""
    out: dict[tuple[str, int], str] = {}
    for c in checks:
        key = (str(c.numbers.get("file")), int(c.numbers.get("row", -1)))
        old = out.get(key)
        if old is None or PRIORITY.index(c.verdict) < PRIORITY.index(old):
            out[key] = c.verdict
    return out

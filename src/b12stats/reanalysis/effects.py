"""Printed effect estimates with P recomputed from each CI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from b12stats.format import format_printed
from b12stats.reanalysis._common import NothingToShow, Tables, country, source_label, table
from b12stats.reanalysis._common import rows as _rows


@dataclass(frozen=True)
class EffectsResult:
    """Result of :func:`analysis_supplement_effects`: the table, its sources and their labels."""

    table: pd.DataFrame
    sources: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()  # the outcomes of the estimates ("milk B12")
    worded: tuple[tuple[str, str, str], ...] = ()  # (group, timepoint, words) of worded cells
    cohorts: tuple[str, ...] = ()  # the cohorts of the estimates
    places: tuple[str, ...] = ()  # the countries of those cohorts
    #: every other effects row (another measure, or no CI), as printed
    other: pd.DataFrame = field(default_factory=pd.DataFrame)


#: Columns of :attr:`EffectsResult.other`.
OTHER_COLUMNS = [
    "row_id",
    "source_id",
    "cohort",
    "outcome",
    "contrast",
    "timepoint",
    "measure",
    "estimate",
    "ci_low",
    "ci_high",
    "p_text",
]


def _printed_ci(e: Any) -> str:
    est = format_printed(e.estimate, e.estimate_decimals)
    lo = format_printed(e.ci_low, e.ci_low_decimals)
    hi = format_printed(e.ci_high, e.ci_high_decimals)
    return f"{est} ({lo}, {hi})"


#: Supplementation periods a contrast may name, and the group label of each.
PERIODS = {"prenatal": "Prenatal supplement", "postnatal": "Postnatal supplement"}


def _group(contrast: str) -> str:
    """The period a contrast names (``Prenatal supplement``), else the contrast itself."""
    for word, label in PERIODS.items():
        if word in contrast:
            return label
    return contrast[:1].upper() + contrast[1:]


def _verbal_cell(subject: str, timepoints: list[str]) -> tuple[str, str] | None:
    """``(group, timepoint)`` of a worded finding "<period> supplement at <time>", if any."""
    what, sep, when = subject.partition(" at ")
    if not sep:
        return None
    group = next((label for word, label in PERIODS.items() if word in what), None)
    time = next((t for t in timepoints if t.startswith(when.strip())), None)
    return (group, time) if group and time else None


def analysis_supplement_effects(*, tables: Tables = None) -> EffectsResult:
    """Printed percent differences (every such effects row with a CI), with P recomputed.

    Cells of the same design with a verbal finding only (claims of type
    ``finding`` from an effects source whose subject is "<period> supplement at
    <timepoint>", e.g. "no effect") are rows with NaN estimate and the words as
    ``note``. ``p_from_ci`` is :func:`~b12stats.stats.effects.effect_from_ci`'s P
    and ``p_consistent`` :func:`~b12stats.stats.effects.check_p_against_ci`'s verdict.
    Every other effects row (another measure, or no CI) is in ``other`` as
    printed. ``tables``: the tables in use (``None``: the bundled ones); raises
    :class:`~b12stats.reanalysis._common.NothingToShow` when they hold no
    effects row.

    Examples
    --------
    >>> res = analysis_supplement_effects()
    >>> res.table["group"].tolist()[:2], res.labels
    (['Prenatal supplement', 'Prenatal supplement'], ('Wang 2024',))
    """
    from b12stats.stats.effects import check_p_against_ci, effect_from_ci

    all_eff = table(tables, "effects")
    if all_eff.empty:
        raise NothingToShow("the data in use hold no effects row")
    drawn = (all_eff["measure"] == "percent_difference") & all_eff["ci_low"].notna()
    eff = all_eff[drawn]
    other = all_eff.loc[~drawn, OTHER_COLUMNS].reset_index(drop=True)
    sources = tuple(dict.fromkeys(str(x) for x in eff["source_id"]))
    rows = []
    worded = []
    for e in _rows(eff):
        period = _group(str(e.contrast))
        fromci = effect_from_ci(e.estimate, e.ci_low, e.ci_high).iloc[0]
        chk = check_p_against_ci(e.p_text, e.estimate, e.ci_low, e.ci_high).iloc[0]
        rows.append(
            {
                "row_id": e.row_id,
                "group": period,
                "label": e.timepoint,
                "estimate": float(e.estimate),
                "ci_low": float(e.ci_low),
                "ci_high": float(e.ci_high),
                "p_text": e.p_text,
                "ci_text": _printed_ci(e),
                "p_from_ci": float(fromci["p_value"]),
                "p_consistent": bool(chk["consistent"]),
                "n": e.n,
                "note": "",
            }
        )
    claims = table(tables, "claims")
    findings = claims[(claims["claim_type"] == "finding") & claims["source_id"].isin(sources)]
    timepoints = [str(t) for t in dict.fromkeys(eff["timepoint"])]
    for c in _rows(findings):
        cell = _verbal_cell(str(c.subject), timepoints)
        if cell is None:
            continue
        worded.append((cell[0], cell[1], str(c.value_text)))
        rows.append(
            {
                "row_id": c.row_id,
                "group": cell[0],
                "label": cell[1],
                "estimate": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_text": "",
                "ci_text": "",
                "p_from_ci": np.nan,
                "p_consistent": np.nan,
                "n": pd.NA,
                "note": f'"{c.value_text}" (in words; no estimate printed)',
            }
        )
    out = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    order = {g: i for i, g in enumerate(dict.fromkeys([*PERIODS.values(), *out["group"]]))}
    out = out.sort_values(
        ["group", "label"], key=lambda s: s.map(order) if s.name == "group" else s
    ).reset_index(drop=True)
    return EffectsResult(
        table=out,
        sources=sources,
        labels=tuple(source_label(s, tables) for s in sources),
        outcomes=tuple(dict.fromkeys(str(o) for o in eff["outcome"])),
        worded=tuple(worded),
        cohorts=tuple(dict.fromkeys(str(c) for c in eff["cohort"])),
        other=other,
        places=tuple(dict.fromkeys(country(str(c), tables) for c in eff["cohort"])),
    )


_TABLE_COLUMNS = [
    "row_id",
    "group",
    "label",
    "estimate",
    "ci_low",
    "ci_high",
    "p_text",
    "ci_text",
    "p_from_ci",
    "p_consistent",
    "n",
    "note",
]

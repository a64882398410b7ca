"""Cohort facts of secondary and lay sources against the cited primary."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from b12stats.audit.core import (
    Check,
    Context,
    isnum,
    load_tables,  # noqa: F401 (the examples use it)
)
from b12stats.audit.registry import register


def _cohort_value(row: pd.Series) -> tuple[Any, str]:
    if isnum(row["value_num"]):
        v = float(row["value_num"])
        return v, f"{v:g}" + (f" {row['unit']}" if isinstance(row["unit"], str) else "")
    return str(row["value_text"]).strip().lower(), str(row["value_text"])


@register("cohorts_vs_primary", order=100)
def check_cohorts_vs_primary(ctx: Context) -> Iterator[Check]:
    """Cohort facts of secondary/lay sources (n, supplementation, timing) against the primary.

    Same cohort and attribute in the cited source: equal -> ``reproduced``;
    different -> ``conflicts_with_primary``; the primary silent or no cited
    source -> ``unverifiable``.

    Examples
    --------
    >>> c = check_cohorts_vs_primary(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_can_n:vs_primary', 'conflicts_with_primary')
    """
    coh = ctx.rows["cohorts"]
    for _, row in coh[coh["source_kind"].isin(["secondary", "lay"])].iterrows():
        cited = ctx.cites.get(row["source_id"])
        sv, stext = _cohort_value(row)
        attr = row["attribute"]
        base = {
            "check_id": f"{row['row_id']}:vs_primary",
            "category": "cohort_vs_primary",
            "table": "cohorts",
            "claim": f"{attr.replace('_', ' ')} = {stext} ({row['cohort']})",
            "reported": stext,
            "cited_source_id": cited,
        }
        prim = (
            coh[(coh["source_id"] == cited) & (coh["cohort"] == row["cohort"])
                & (coh["attribute"] == attr)]
            if cited is not None
            else coh.iloc[0:0]
        )  # fmt: skip
        if len(prim) != 1:
            why = "cites no source" if cited is None else f"{cited} does not state it"
            yield (
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=f"the source {why}: nothing to compare with.",
                    **base,
                )
            )
            continue
        p = prim.iloc[0]
        pv, ptext = _cohort_value(p)
        if pv == sv:
            verdict = "reproduced"
            detail = f"{cited} states the same: {ptext} ('{p['text']}')."
        else:
            verdict = "conflicts_with_primary"
            detail = (
                f"the summary says {attr.replace('_', ' ')} = {stext} ('{row['text']}'); "
                f"{cited} says {ptext} ('{p['text']}')."
            )
        yield (
            ctx.check(
                row["source_id"],
                row_ids=(row["row_id"], p["row_id"]),
                recomputed=f"primary: {ptext}",
                verdict=verdict,
                detail=detail,
                value=pv if isinstance(pv, float) else math.nan,
                **base,
            )
        )

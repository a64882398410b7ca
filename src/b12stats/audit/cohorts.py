"""Cohort facts of secondary and lay sources against the cited primary."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import Check, Context, Kind, decide, isnum
from b12stats.audit.registry import register


def _cohort_value(row: pd.Series) -> tuple[Any, str]:
    if isnum(row["value_num"]):
        v = float(row["value_num"])
        return v, f"{v:g}" + (f" {row['unit']}" if isinstance(row["unit"], str) else "")
    return str(row["value_text"]).strip().lower(), str(row["value_text"])


_KIND = Kind("cohort_vs_primary", "cohorts", "vs_primary")


@register("cohorts_vs_primary", order=100)
def check_cohorts_vs_primary(ctx: Context) -> Iterator[Check]:
    """Cohort facts of secondary/lay sources (n, supplementation, timing) against the primary.

    Same cohort and attribute in the cited source: equal -> ``reproduced``;
    different -> ``conflicts_with_primary``; the primary silent or no cited
    source -> ``unverifiable``.

    Examples
    --------
    >>> check_cohorts_vs_primary()[0].verdict
    'conflicts_with_primary'
    """
    coh = ctx.rows["cohorts"]
    for _, row in coh[coh["source_kind"].isin(["secondary", "lay"])].iterrows():
        cited = ctx.cites.get(row["source_id"])
        sv, stext = _cohort_value(row)
        attr = row["attribute"]
        draft = _KIND.draft(
            ctx, row, claim=f"{attr.replace('_', ' ')} = {stext} ({row['cohort']})",
            reported=stext, cited=cited,
        )  # fmt: skip
        prim = (
            coh[(coh["source_id"] == cited) & (coh["cohort"] == row["cohort"])
                & (coh["attribute"] == attr)]
            if cited is not None
            else coh.iloc[0:0]
        )  # fmt: skip
        if len(prim) != 1:
            why = "cites no source" if cited is None else f"{cited} does not state it"
            yield draft.judge(decide(evidence=False), msg.COHORT_TEXT["silent"], why=why)
            continue
        p = prim.iloc[0]
        pv, ptext = _cohort_value(p)
        verdict = decide(reproduced=pv == sv, against_primary=True)
        yield draft.judge(
            verdict, msg.COHORT_TEXT[verdict], uses=(p["row_id"],), recomputed=f"primary: {ptext}",
            value=pv if isinstance(pv, float) else math.nan, cited=cited,
            attribute=attr.replace("_", " "), claimed=stext, claimed_text=row["text"],
            primary=ptext, primary_text=p["text"],
        )  # fmt: skip

"""Worded claims: untraceable citations, paraphrases, findings without numbers.

Paraphrases are judged in the curated table ``data/claim_judgements.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from b12stats.audit.core import (
    Check,
    Context,
    load_tables,  # noqa: F401 (the examples use it)
)
from b12stats.audit.registry import register


def _judge_plateau(ctx: Context, claim: pd.Series) -> tuple[str, str, tuple[str, ...]]:
    cl = ctx.rows["claims"]
    mod = cl[(cl["source_id"] == claim["traced_source_id"]) & cl["subject"].str.contains(
        "effect modification")]  # fmt: skip
    if len(mod) != 1:
        return "unverifiable", "the primary's effect-modification finding is not in data/.", ()
    m = mod.iloc[0]
    return (
        "consistent",
        (
            f"{claim['traced_source_id']} reports effect modification: '{m['value_text']}' -- a "
            "sub-additive interaction, which 'no additive benefit' / 'plateau' paraphrases "
            "loosely but in the same direction (no numbers printed on either side)."
        ),
        (m["row_id"],),
    )


def _judge_sustained(ctx: Context, claim: pd.Series) -> tuple[str, str, tuple[str, ...]]:
    src = claim["traced_source_id"]
    eff = ctx.rows["effects"]
    post = eff[(eff["source_id"] == src) & eff["contrast"].str.contains("postnatal")]
    pre = eff[(eff["source_id"] == src) & eff["contrast"].str.contains("prenatal")]
    prev = ctx.rows["prevalences"]
    late = prev[(prev["source_id"] == src) & prev["timepoint"].str.startswith("7 months")]
    if len(post) != 1 or len(late) != 1:
        return "unverifiable", f"{src}'s postnatal effect or late prevalence is not in data/.", ()
    p, lt = post.iloc[0], late.iloc[0]
    ids: tuple[str, ...] = (p["row_id"], lt["row_id"])
    pre_txt = ""
    cl = ctx.rows["claims"]
    no7 = cl[(cl["source_id"] == src) & cl["subject"].str.contains("prenatal supplement at 7")]
    if len(pre) and len(no7):
        ids = (*ids, pre.iloc[0]["row_id"], no7.iloc[0]["row_id"])
        pre_txt = (
            f", while the prenatal effect (+{pre.iloc[0]['estimate']:g}% at 6 wk) was gone by 7 mo"
        )
    med_txt = ""
    conc = ctx.rows["concentrations"]
    med = conc[
        (conc["cohort"] == p["cohort"])
        & (conc["compartment"] == "milk")
        & (conc["statistic"] == "median")
    ]
    if len(med) == 1:
        mv = float(med.iloc[0]["value"])
        need = 100 * (float(lt["cutoff"]) / mv - 1)
        ids = (*ids, med.iloc[0]["row_id"])
        med_txt = (
            f"; the only printed median in the trial, {mv:g} pmol/L at "
            f"{med.iloc[0]['timepoint']} ({med.iloc[0]['source_id']}, both arms), would need "
            f"+{need:.0f}% to reach {lt['cutoff']:g}, beyond the upper CI bound "
            f"{p['ci_high']:g}% of the postnatal effect (a different time point, so only "
            "indicative)"
        )
    return (
        "conflicts_with_primary",
        (
            f"'more sustained' fits {src} (postnatal +{p['estimate']:g}% at 7 mo, 95% CI "
            f"{p['ci_low']:g}-{p['ci_high']:g}, {p['p_text']}{pre_txt}), but 'maintaining "
            f"adequate B12 levels' does not: {lt['percent']:g}% of women (all arms together) "
            f"had milk B12 < {lt['cutoff']:g} pmol/L at 7 mo{med_txt}."
        ),
        ids,
    )


#: Judgements of lay/secondary paraphrases, by claim row id: functions of the
#: tables returning (verdict, detail, extra row ids). A paraphrase without a
#: judgement here gets no check, so the coverage test names it.
PARAPHRASE_JUDGEMENTS: dict[
    str, Callable[[Context, pd.Series], tuple[str, str, tuple[str, ...]]]
] = {
    "lay_plateau": _judge_plateau,
    "lay_postnatal_sustained": _judge_sustained,
}


_CLAIM_SUFFIX = {"untraceable_citation": "untraceable", "secondary_paraphrase": "paraphrase"}


@register("claims", order=220)
def check_claims(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Claims without numbers to recompute.

    Untraceable citations: ``unverifiable`` (no primary source). Paraphrases of
    a primary: judged against the primary's findings
    (:data:`PARAPHRASE_JUDGEMENTS`). Findings of primary sources stated without
    numbers: ``unverifiable`` (nothing printed to recompute).

    Examples
    --------
    >>> c = check_claims(load_tables())[0]
    >>> c.check_id, c.verdict
    ('lay_cornell_68:untraceable', 'unverifiable')
    """
    ctx = Context.of(tables)
    out = []
    for _, row in ctx.rows["claims"].iterrows():
        kind = row["claim_type"]
        base = {
            "check_id": f"{row['row_id']}:{_CLAIM_SUFFIX.get(kind, kind)}",
            "category": kind,
            "table": "claims",
            "claim": f"{row['subject']}: {row['value_text']}",
            "reported": row["value_text"],
        }
        if kind == "untraceable_citation":
            traced = row["traced_source_id"]
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=(
                        f"attributed to {row['attributed_to']}, but "
                        + (
                            f"traced only to {traced}; "
                            if isinstance(traced, str)
                            else "no paper or report holding this number was found: "
                        )
                        + "an untraceable claim with no primary source to check it against."
                    ),
                    **base,
                )
            )
        elif kind == "secondary_paraphrase":
            judge = PARAPHRASE_JUDGEMENTS.get(row["row_id"])
            if judge is None:
                continue
            verdict, detail, ids = judge(ctx, row)
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"], *ids),
                    recomputed="",
                    verdict=verdict,
                    detail=detail,
                    cited_source_id=row["traced_source_id"],
                    **base,
                )
            )
        elif kind == "finding":
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=(
                        "a primary finding stated without numbers; nothing printed to "
                        "recompute it from."
                    ),
                    **base,
                )
            )
    return out

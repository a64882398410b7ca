"""Reference values: repeated by lay sources, cut-off conventions, the infant AI's derivation."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import Check, Context, Kind, decide
from b12stats.audit.registry import register
from b12stats.stats.printed import rounding_interval
from b12stats.units import MOLAR_MASS_ROLE

_K_VS_REFERENCE = Kind("reference_value", "reference_values", "vs_reference")
_K_REFERENCE = Kind("reference_value", "reference_values", "reference")
_K_CUTOFF = Kind("cutoff", "reference_values", "cutoff")
_K_CONVERSION = Kind("unit_conversion", "reference_values", "conversion")
_K_DERIVATION = Kind("reference_derivation", "reference_values", "derivation")
_K_VS_REFERENCE_PREVALENCES = Kind("reference_value", "prevalences", "vs_reference")


def _amount(row: pd.Series) -> str:
    """A row's value with its unit, as ``"2.4 µg/d"``."""
    return f"{row['value']:g} {row['unit']}"


@register("reference_values", order=200)
def check_reference_values(ctx: Context) -> Iterator[Check]:
    """Reference values: those repeated by lay/secondary sources, and the cut-offs' coherence.

    A lay value is matched to a ``reference``-kind row with the same quantity
    and population, else the same population and unit among Recommended
    Dietary Allowances (``role``); equal to the printed precision -> ``reproduced``,
    different -> ``conflicts_with_primary``. Reference-kind rows used by no
    other check: adequacy cut-offs compared across sources (``consistent``
    when they differ by a convention of 1 pmol/L or less), and dietary
    reference values checked against the cut-offs the studies use
    (``prevalences.cutoff_row_id``). What a check may use a value as is the
    ``role`` column of ``reference_values``, never its wording.

    Examples
    --------
    >>> check_reference_values()[0].verdict
    'reproduced'
    """
    out: list[Check] = []
    ref = ctx.rows["reference_values"]
    refs = ref[ref["source_kind"] == "reference"]
    for _, row in ref[ref["source_kind"].isin(["lay", "secondary"])].iterrows():
        cand = refs[
            (refs["quantity"] == row["quantity"]) & (refs["population"] == row["population"])
        ]
        how = msg.MATCHED_BY["quantity"]
        if len(cand) != 1:
            cand = refs[
                (refs["population"] == row["population"])
                & (refs["unit"] == row["unit"])
                & (refs["role"] == "recommended_dietary_allowance")
            ]
            how = msg.MATCHED_BY["rda"]
        txt = (
            f"{row['quantity']} ({row['population']}) {row['relation']} {row['value']:g} "
            f"{row['unit']}"
        )
        if len(cand) != 1:
            draft = _K_VS_REFERENCE.draft(
                ctx,
                row,
                claim=txt,
                reported=_amount(row),
            )
            out.append(draft.judge(decide(evidence=False), msg.VS_REFERENCE_TEXT["none"]))
            continue
        c = cand.iloc[0]
        lo, hi = rounding_interval(float(row["value"]), int(row["value_decimals"]))
        same = lo <= float(c["value"]) <= hi
        draft = _K_VS_REFERENCE.draft(
            ctx,
            row,
            claim=txt,
            reported=_amount(row),
            cited=c["source_id"],
        )
        out.append(
            draft.judge(
                decide(reproduced=same, against_primary=True),
                msg.VS_REFERENCE_TEXT[bool(same)],
                uses=(c["row_id"],),
                recomputed=f"{c['source_id']}: {_amount(c)}",
                value=float(c["value"]),
                cited=c["source_id"],
                how=how,
                ref_quantity=c["quantity"],
                ref_population=c["population"],
                ref_value=float(c["value"]),
                ref_unit=c["unit"],
                printed=float(row["value"]),
                attribution=(
                    msg.ATTRIBUTION.format(attributed_to=row["attributed_to"])
                    if isinstance(row["attributed_to"], str)
                    else ""
                ),
                quantity_note=(
                    msg.QUANTITY_NOTE.format(quantity=row["quantity"])
                    if row["quantity"] != c["quantity"]
                    else ""
                ),
            )
        )
    out.extend(_cutoff_checks(ctx))
    out.extend(_ai_checks(ctx))
    used = {rid for c in out for rid in c.row_ids}
    dri = refs[refs["role"].isin(_DRI) & ~refs["row_id"].isin(used)]
    for _, row in dri.iterrows():
        draft = _K_REFERENCE.draft(
            ctx,
            row,
            claim=f"{row['quantity']} ({row['population']}) = {_amount(row)}",
            reported=_amount(row),
        )
        out.append(draft.judge(decide(evidence=False), msg.UNUSED_REFERENCE_TEXT["dri"]))
    yield from out


#: Roles of the dietary reference intakes (``reference_values.role``).
_DRI = ("recommended_dietary_allowance", "estimated_average_requirement", "adequate_intake")

#: Roles of the serum cut-offs.
_CUTOFFS = ("adequacy_cutoff", "deficiency_cutoff", "marginal_range_low", "marginal_range_high")


def _cutoff_checks(ctx: Context) -> list[Check]:
    """Adequacy cut-offs across sources and the deficient/marginal convention."""
    ref = ctx.rows["reference_values"]
    out: list[Check] = []
    cut = ref[ref["unit"].eq("pmol/L") & ref["role"].isin(_CUTOFFS)]
    adequacy = cut[cut["role"] == "adequacy_cutoff"]
    if len(adequacy) >= 2:
        vals = adequacy["value"].astype(float)
        spread = float(vals.max() - vals.min())
        txt = "; ".join(
            f"{s}: {r} {v:g}"
            for s, r, v in zip(adequacy["source_id"], adequacy["relation"], vals, strict=True)
        )
        first = adequacy.iloc[0]
        draft = _K_CUTOFF.draft(
            ctx,
            first,
            claim="serum B12 adequacy/sufficiency cut-off",
            reported=txt,
            check_id="adequacy_cutoffs:agreement",
        )
        out.append(
            draft.judge(
                decide(compatible=spread <= 1),
                msg.CUTOFF_AGREEMENT_TEXT[
                    ("strict" if set(adequacy["relation"]) == {">"} else "convention")
                    if spread <= 1
                    else "different"
                ],
                uses=tuple(adequacy["row_id"])[1:],
                recomputed=f"spread {spread:g} pmol/L",
                value=spread,
                cutoffs=txt,
                spread=spread,
                lowest=float(vals.min()),
                highest=float(vals.max()),
                percent=100 * spread / vals.min(),
            )
        )
    conv = cut[cut["source_kind"] == "reference"]
    deficient = conv[conv["role"] == "deficiency_cutoff"]
    low = conv[conv["role"] == "marginal_range_low"]
    high = conv[conv["role"] == "marginal_range_high"]
    if len(deficient) == 1 and len(low) == 1 and len(high) == 1:
        d, lo_, hi_ = deficient.iloc[0], low.iloc[0], high.iloc[0]
        adq = adequacy[adequacy["value"] == hi_["value"]]
        joins = (
            d["relation"] == "<"
            and lo_["relation"] == ">="
            and float(d["value"]) == float(lo_["value"])
            and hi_["relation"] == "<="
        )
        adq_join = len(adq) > 0 and adq.iloc[0]["relation"] == ">"
        ok = joins and adq_join
        ids = (d["row_id"], lo_["row_id"], hi_["row_id"], *adq["row_id"])
        draft = _K_CUTOFF.draft(
            ctx,
            d,
            claim=f"deficient < {d['value']:g}, marginal {lo_['value']:g}-{hi_['value']:g}, "
            f"adequate > {hi_['value']:g} pmol/L",
            reported=f"{d['value']:g} / {lo_['value']:g}-{hi_['value']:g}",
            check_id="deficiency_cutoffs:partition",
        )
        out.append(
            draft.judge(
                decide(compatible=ok),
                msg.PARTITION_TEXT[bool(ok)],
                uses=tuple(ids)[1:],
                recomputed="partition " + ("without gap or overlap" if ok else "broken"),
                deficient=float(d["value"]),
                marginal_low=float(lo_["value"]),
                marginal_high=float(hi_["value"]),
            )
        )
    return out


def _find(ref: pd.DataFrame, role: str) -> pd.Series | None:
    """The one ``reference``-kind row with ``role``, else None."""
    sel = ref[(ref["source_kind"] == "reference") & (ref["role"] == role)]
    return sel.iloc[0] if len(sel) == 1 else None


def _ai_checks(ctx: Context) -> list[Check]:
    """The 0.42 µg/L ≈ 310 pmol/L conversion, the AI's derivation, EAR/RDA use."""
    ref = ctx.rows["reference_values"]
    out: list[Check] = []
    basis = _find(ref, "ai_milk_concentration")
    level = ref[ref["unit"].eq("pmol/L") & (ref["role"] == "ai_milk_level")]
    mm = ref[ref["role"] == MOLAR_MASS_ROLE]
    if basis is not None and len(level) >= 1 and len(mm) == 1:
        lv = level.iloc[0]
        m = float(mm.iloc[0]["value"])
        b = float(basis["value"])
        conv_v = b * 1e6 / m
        b_lo, b_hi = rounding_interval(b, int(basis["value_decimals"]))
        lo_v, hi_v = b_lo * 1e6 / m, b_hi * 1e6 / m
        l_lo, l_hi = rounding_interval(float(lv["value"]), int(lv["value_decimals"]))
        verdict = decide(
            reproduced=l_lo <= conv_v <= l_hi, compatible=lo_v <= l_hi and hi_v >= l_lo
        )
        draft = _K_CONVERSION.draft(
            ctx,
            lv,
            claim=f"{lv['value']:g} pmol/L is the milk level behind the AI ({b:g} µg/L)",
            reported=f"{lv['value']:g} pmol/L",
            cited=basis["source_id"],
        )
        out.append(
            draft.judge(
                verdict,
                msg.CONVERSION_TEXT[verdict == "reproduced"],
                uses=(
                    basis["row_id"],
                    mm.iloc[0]["row_id"],
                ),
                recomputed=f"{conv_v:.1f} pmol/L ({lo_v:.1f}-{hi_v:.1f})",
                value=conv_v,
                low=lo_v,
                high=hi_v,
                basis=b,
                g_per_mol=m,
                converted=conv_v,
                converted_low=lo_v,
                converted_high=hi_v,
                level=float(lv["value"]),
                level_source=lv["source_id"],
            )
        )
    vol = _find(ref, "ai_milk_volume")
    ai = _find(ref, "adequate_intake")
    count = _find(ref, "ai_mothers")
    if basis is not None and vol is not None and ai is not None:
        prod = float(basis["value"]) * float(vol["value"])
        ids = (ai["row_id"], basis["row_id"], vol["row_id"]) + (
            () if count is None else (count["row_id"],)
        )
        a_lo, a_hi = rounding_interval(float(ai["value"]), int(ai["value_decimals"]))
        rounds = a_lo <= prod <= a_hi
        verdict = decide(evidence=rounds, reproduced=rounds)
        who = "" if count is None else msg.FROM_MOTHERS.format(n_mothers=int(count["value"]))
        draft = _K_DERIVATION.draft(
            ctx,
            ai,
            claim=f"infant AI {ai['value']:g} µg/d from milk {basis['value']:g} µg/L x "
            f"{vol['value']:g} L/d",
            reported=f"{ai['value']:g} µg/d",
        )
        out.append(
            draft.judge(
                verdict,
                msg.DERIVATION_TEXT[verdict == "reproduced"],
                uses=tuple(ids)[1:],
                recomputed=f"{prod:.3f} µg/d",
                value=prod,
                basis=float(basis["value"]),
                mothers=who,
                volume=float(vol["value"]),
                product=prod,
                ai=float(ai["value"]),
            )
        )
    for u in ctx.rows_with("prevalences", "cutoff_row_id"):
        r = ctx.any_row(u["cutoff_row_id"], where=f"prevalences {u['row_id']} cutoff_row_id")
        same = r["unit"] == u["unit"] and float(r["value"]) == float(u["cutoff"])
        draft = _K_VS_REFERENCE_PREVALENCES.draft(
            ctx,
            u,
            claim=f"cut-off {u['cutoff']:g} {u['unit']} is the {r['population']} {r['quantity']}",
            reported=f"{u['cutoff']:g} {u['unit']}",
            cited=r["source_id"],
        )
        out.append(
            draft.judge(
                decide(reproduced=same),
                msg.CUTOFF_VS_REFERENCE_TEXT[bool(same)],
                uses=(r["row_id"],),
                recomputed=f"{r['source_id']}: {_amount(r)}",
                value=float(r["value"]),
                source=u["source_id"],
                cutoff=float(u["cutoff"]),
                unit=u["unit"],
                quantity=r["quantity"],
                population=r["population"],
                cited=r["source_id"],
                ref_value=float(r["value"]),
                ref_unit=r["unit"],
            )
        )
    return out


@register("other_reference_values", order=210)
def check_other_reference_values(ctx: Context) -> Iterator[Check]:
    """Reference-kind rows no other check understands: ``unverifiable``.

    Currently every bundled reference value is used by another check; this
    family reports any ``reference``-kind row without a ``role`` (the column
    that says what a check may use the value as), so that nothing is silently
    skipped.

    Examples
    --------
    >>> check_other_reference_values()  # every bundled one is used elsewhere
    []
    """
    ref = ctx.rows["reference_values"]
    sel = ref[(ref["source_kind"] == "reference") & ref["role"].isna()]
    for _, row in sel.iterrows():
        draft = _K_REFERENCE.draft(
            ctx,
            row,
            claim=f"{row['quantity']} = {_amount(row)}",
            reported=_amount(row),
        )
        yield draft.judge(decide(evidence=False), msg.UNUSED_REFERENCE_TEXT["other"])

"""Printed effect estimates with P recomputed from each CI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.reanalysis._common import rows as _rows


@dataclass(frozen=True)
class EffectsResult:
    """Result of :func:`analysis_supplement_effects`."""

    table: pd.DataFrame


def _fmt_printed(value: float, decimals: Any) -> str:
    d = 0 if pd.isna(decimals) else int(decimals)
    return f"{value:.{d}f}"


def _printed_ci(e: Any) -> str:
    est = _fmt_printed(e.estimate, e.estimate_decimals)
    lo = _fmt_printed(e.ci_low, e.ci_low_decimals)
    hi = _fmt_printed(e.ci_high, e.ci_high_decimals)
    return f"{est} ({lo}, {hi})"


def analysis_supplement_effects() -> EffectsResult:
    """Wang 2024's printed percent differences, with P recomputed from each CI.

    Cells with a verbal finding only (the prenatal supplement at 7 months,
    "no effect") are rows with NaN estimate and the words as ``note``.
    ``p_from_ci`` is :func:`~b12stats.stats.effects.effect_from_ci`'s P and
    ``p_consistent`` :func:`~b12stats.stats.effects.check_p_against_ci`'s verdict.
    """
    from b12stats.data import load_claims, load_effects
    from b12stats.stats.effects import check_p_against_ci, effect_from_ci

    eff = load_effects()
    eff = eff[(eff["source_id"] == "wang2024") & (eff["measure"] == "percent_difference")]
    rows = []
    for e in _rows(eff):
        period = "Prenatal supplement" if "prenatal" in e.contrast else "Postnatal supplement"
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
    claims = load_claims()
    for c in _rows(claims[claims["row_id"] == "wa24_prenatal_7m"]):
        rows.append(
            {
                "row_id": c.row_id,
                "group": "Prenatal supplement",
                "label": "7 months postpartum",
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
    table = pd.DataFrame(rows)
    order = {"Prenatal supplement": 0, "Postnatal supplement": 1}
    table = table.sort_values(
        ["group", "label"], key=lambda s: s.map(order) if s.name == "group" else s
    ).reset_index(drop=True)
    return EffectsResult(table=table)

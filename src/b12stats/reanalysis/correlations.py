"""Every bundled correlation with Fisher-z CIs, pooled where pooling is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows
from b12stats.reanalysis._common import source_label as _source_label

_PAIR_NAME = {
    frozenset({"maternal_blood", "infant_blood"}): "maternal blood vs infant blood B12",
    frozenset({"milk", "infant_blood"}): "milk vs infant blood B12",
    frozenset({"maternal_blood", "milk"}): "maternal blood vs milk B12",
    frozenset({"maternal_intake", "milk"}): "maternal B12 intake vs milk B12",
}


@dataclass(frozen=True)
class CorrelationsResult:
    """Result of :func:`analysis_correlations`.

    ``rows`` is the figure's input (:data:`b12stats.plots.correlations.ROW_COLUMNS`
    plus ``row_id, r, n, p_text, coefficient``); ``pooled`` the pools
    (:meth:`b12stats.stats.meta.MetaTable.to_frame`); ``excluded`` the rows
    left out of pooling with the reason; ``comparison`` the Fisher/Zou
    comparison of the summary page's two correlations.
    """

    rows: pd.DataFrame
    pooled: pd.DataFrame
    excluded: pd.DataFrame
    comparison: pd.DataFrame


def _fmt_r(x: float) -> str:
    return f"{x:.2f}".replace("-", "−")


def analysis_correlations(*, method: str = "REML") -> CorrelationsResult:
    """All bundled correlations with Fisher-z CIs, pooled where pooling is allowed.

    Pools are formed by :func:`~b12stats.stats.meta.pool_table` per variable
    pair from primary sources only, skipping (and listing) rows without r or
    n and adjusted coefficients. When the secondary sources print exactly two
    correlations with n (bundled: one per country of the summary page), they are
    compared with
    :func:`~b12stats.stats.correlation.compare_correlations` (Fisher's z test,
    Zou 2007 interval, doi:10.1037/1082-989X.12.4.399). Study CIs are Fisher-z
    intervals ``tanh(atanh r ± z / sqrt(n - 3))``.

    Examples
    --------
    >>> res = analysis_correlations()
    >>> round(float(res.comparison["p_value"].iloc[0]), 3)
    0.081
    >>> res.pooled[["k", "n_total"]].to_dict("records")
    [{'k': 2, 'n_total': 200}]
    """
    from b12stats.data import load_correlations
    from b12stats.stats.correlation import compare_correlations, fisher_z_ci
    from b12stats.stats.meta import pool_table

    corr = load_correlations()
    table = pool_table(
        corr,
        by=["pair"],
        label="row_id",
        source_kinds=["primary"],
        on_unpoolable="skip",
        method=method,
    )
    pooled = table.to_frame() if table.results else pd.DataFrame()
    excluded = table.excluded
    reason = dict(zip(excluded["row"], excluded["reason"], strict=True))
    pool_by_pair = {}
    for res in table.results:
        pool_by_pair[frozenset(res.group.removeprefix("pair=").split("~"))] = res
    pairs: list[Any] = [frozenset({x, y}) for x, y in zip(corr.var_x, corr.var_y, strict=True)]
    corr = corr.assign(pair=pairs)
    order = list(_PAIR_NAME)
    order += [p for p in dict.fromkeys(corr["pair"]) if p not in order]
    rows = []
    for pair in order:
        sub = corr[corr["pair"] == pair]
        if sub.empty:
            continue
        group = _PAIR_NAME.get(pair, " vs ".join(sorted(pair)))
        for c in _rows(sub):
            label = f"{_source_label(c.source_id)}, {_country(c.cohort)}"
            lo = hi = np.nan
            has_r, has_n = pd.notna(c.r), pd.notna(c.n)
            if has_r and has_n:
                ci = fisher_z_ci(float(c.r), int(c.n)).iloc[0]
                lo, hi = float(ci["ci_low"]), float(ci["ci_high"])
            parts = []
            if has_r:
                parts.append(f"r = {_fmt_r(float(c.r))}")
                if has_n:
                    parts[-1] += f" ({_fmt_r(lo)}, {_fmt_r(hi)})"
            else:
                parts.append("no r printed")
            parts.append(f"n = {int(c.n)}" if has_n else "n not printed")
            if isinstance(c.p_text, str) and c.p_text:
                parts.append(c.p_text)
            elif c.significant is False or str(c.significant).lower() == "false":
                parts.append("reported as not correlated")
            if c.coefficient != "unspecified":
                parts.append(str(c.coefficient))
            if c.row_id in reason and has_r and has_n:
                parts.append("not pooled: secondary" if c.source_kind == "secondary" else "")
            rows.append(
                {
                    "row_id": c.row_id,
                    "group": group,
                    "label": label,
                    "row_type": "study",
                    "estimate": float(c.r) if has_r else np.nan,
                    "ci_low": lo,
                    "ci_high": hi,
                    "source_kind": c.source_kind,
                    "text": "; ".join(p for p in parts if p),
                    "r": float(c.r) if has_r else np.nan,
                    "n": int(c.n) if has_n else pd.NA,
                    "p_text": c.p_text if isinstance(c.p_text, str) else "",
                    "coefficient": c.coefficient,
                    "pooling": reason.get(c.row_id, "pooled"),
                }
            )
        pool = pool_by_pair.get(pair)
        if pool is not None:
            f = pool.to_frame().iloc[0]
            txt = (
                f"{_fmt_r(f['estimate_r'])} ({_fmt_r(f['ci_low_r'])}, {_fmt_r(f['ci_high_r'])}); "
                f"k = {int(f['k'])}, n = {int(f['n_total'])}"
            )
            if np.isfinite(f["i2"]):
                txt += f"; I² = {f['i2']:.0f}%"
            rows.append(
                {
                    "row_id": "",
                    "group": group,
                    "label": f"pooled, primary ({f['method']})",
                    "row_type": "pooled",
                    "estimate": float(f["estimate_r"]),
                    "ci_low": float(f["ci_low_r"]),
                    "ci_high": float(f["ci_high_r"]),
                    "source_kind": "",
                    "text": txt,
                    "r": np.nan,
                    "n": int(f["n_total"]),
                    "p_text": "",
                    "coefficient": "",
                    "pooling": "",
                }
            )
    summ = corr[(corr["source_kind"] == "secondary") & corr["r"].notna() & corr["n"].notna()]
    comparison = pd.DataFrame()
    if len(summ) == 2:
        a, b = summ.iloc[0], summ.iloc[1]
        comparison = compare_correlations(float(a["r"]), int(a["n"]), float(b["r"]), int(b["n"]))
        comparison.insert(0, "row_id_2", b["row_id"])
        comparison.insert(0, "row_id_1", a["row_id"])
        cmp = comparison.iloc[0]
        rows.append(
            {
                "row_id": "",
                "group": "difference between the summary page's two r",
                "label": f"{_country(a['cohort'])} − {_country(b['cohort'])}",
                "row_type": "difference",
                "estimate": float(cmp["estimate"]),
                "ci_low": float(cmp["ci_low"]),
                "ci_high": float(cmp["ci_high"]),
                "source_kind": "",
                "text": (
                    f"{_fmt_r(float(a['r']))} − {_fmt_r(float(b['r']))} = "
                    f"{_fmt_r(float(cmp['estimate']))} ({_fmt_r(float(cmp['ci_low']))}, "
                    f"{_fmt_r(float(cmp['ci_high']))}); z = {float(cmp['statistic']):.2f}, "
                    f"P = {float(cmp['p_value']):.3f}"
                ),
                "r": np.nan,
                "n": pd.NA,
                "p_text": "",
                "coefficient": "",
                "pooling": "",
            }
        )
    return CorrelationsResult(
        rows=pd.DataFrame(rows), pooled=pooled, excluded=excluded, comparison=comparison
    )

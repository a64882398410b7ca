"""Every bundled correlation with Fisher-z CIs, pooled where pooling is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.format import MINUS, format_fixed, format_p_statement
from b12stats.reanalysis._common import NothingToShow, Tables, source_phrase, table
from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows
from b12stats.reanalysis._common import source_label as _source_label

_PAIR_NAME = {
    frozenset({"maternal_blood", "infant_blood"}): "maternal blood vs infant blood B12",
    frozenset({"milk", "infant_blood"}): "milk vs infant blood B12",
    frozenset({"maternal_blood", "milk"}): "maternal blood vs milk B12",
    frozenset({"maternal_intake", "milk"}): "maternal B12 intake vs milk B12",
}


def _r_text(x: float) -> str:
    """A correlation in a figure label: two decimals, typographic minus."""
    return format_fixed(x, 2, minus=MINUS)


#: Fewest correlations a pool is formed from.
MIN_POOL = 2
#: Why a pair's only poolable correlation is not pooled.
NOTHING_TO_POOL_WITH = "the only correlation of its pair with r and n: nothing to pool with"


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
    #: who printed each compared pair, one per row of ``comparison`` ("the summary page")
    comparison_sources: tuple[str, ...] = ()


def _summary_row(
    group: str,
    label: str,
    row_type: str,
    estimate_ci: tuple[Any, Any, Any],
    text: str,
    *,
    n: Any = pd.NA,
) -> dict[str, Any]:
    """A pooled or difference line of the plot rows (no source, r or pooling of its own)."""
    est, lo, hi = (float(v) for v in estimate_ci)
    return {
        "row_id": "",
        "group": group,
        "label": label,
        "row_type": row_type,
        "estimate": est,
        "ci_low": lo,
        "ci_high": hi,
        "source_kind": "",
        "text": text,
        "r": np.nan,
        "n": n,
        "p_text": "",
        "coefficient": "",
        "pooling": "",
    }


def analysis_correlations(*, method: str = "REML", tables: Tables = None) -> CorrelationsResult:
    """All correlations in use with Fisher-z CIs, pooled where pooling is allowed.

    Pools are formed by :func:`~b12stats.pooling.pool_table` per variable
    pair from primary sources only, skipping (and listing) rows without r or
    n and adjusted coefficients. When a secondary source prints exactly two
    correlations with r and n of one variable pair (bundled: one per country of
    the summary page), they are compared with
    :func:`~b12stats.stats.correlation.compare_correlations` (Fisher's z test,
    Zou 2007 interval, doi:10.1037/1082-989X.12.4.399). Study CIs are Fisher-z
    intervals ``tanh(atanh r ± z / sqrt(n - 3))``. ``tables``: the tables in
    use (``None``: the bundled ones); raises
    :class:`~b12stats.reanalysis._common.NothingToShow` when they hold no
    correlation.

    Examples
    --------
    >>> res = analysis_correlations()
    >>> round(float(res.comparison["p_value"].iloc[0]), 3)
    0.081
    >>> res.pooled[["k", "n_total"]].to_dict("records")
    [{'k': 2, 'n_total': 200}]
    """
    from b12stats.pooling import pool_table
    from b12stats.stats.correlation import compare_correlations, fisher_z_ci

    corr = table(tables, "correlations")
    if corr.empty:
        raise NothingToShow("the data in use hold no correlation")
    pools = pool_table(
        corr,
        by=["pair"],
        label="row_id",
        source_kinds=["primary"],
        on_unpoolable="skip",
        method=method,
    )
    # a "pool" of one correlation pools nothing: its row is listed as not pooled
    results = [res for res in pools.results if res.k >= MIN_POOL]
    alone = [
        {"row": lab, "label": lab, "group": res.group, "reason": NOTHING_TO_POOL_WITH}
        for res in pools.results
        if res.k < MIN_POOL
        for lab in res.labels
    ]
    pooled = pools.to_frame() if pools.results else pd.DataFrame()
    if len(pooled):
        pooled = pooled[pooled["k"] >= MIN_POOL].reset_index(drop=True)
    excluded = pools.excluded
    if alone:
        excluded = pd.concat([excluded, pd.DataFrame(alone)], ignore_index=True)
    reason = dict(zip(excluded["row"], excluded["reason"], strict=True))
    pool_by_pair = {}
    for res in results:
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
            label = f"{_source_label(c.source_id, tables)}, {_country(c.cohort, tables)}"
            lo = hi = np.nan
            has_r, has_n = pd.notna(c.r), pd.notna(c.n)
            if has_r and has_n:
                ci = fisher_z_ci(float(c.r), int(c.n)).iloc[0]
                lo, hi = float(ci["ci_low"]), float(ci["ci_high"])
            parts = []
            if has_r:
                parts.append(f"r = {_r_text(float(c.r))}")
                if has_n:
                    parts[-1] += f" ({_r_text(lo)}, {_r_text(hi)})"
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
                f"{_r_text(f['estimate_r'])} "
                f"({_r_text(f['ci_low_r'])}, {_r_text(f['ci_high_r'])}); "
                f"k = {int(f['k'])}, n = {int(f['n_total'])}"
            )
            if np.isfinite(f["i2"]):
                txt += f"; I² = {format_fixed(f['i2'], 0)}%"
            rows.append(
                _summary_row(
                    group,
                    f"pooled, primary ({f['method']})",
                    "pooled",
                    (f["estimate_r"], f["ci_low_r"], f["ci_high_r"]),
                    txt,
                    n=int(f["n_total"]),
                )
            )
    comparisons, whos = [], []
    summ = corr[(corr["source_kind"] == "secondary") & corr["r"].notna() & corr["n"].notna()]
    n_sources = summ["source_id"].nunique()
    for (sid, _pair), both in summ.groupby(["source_id", "pair"], sort=False):
        if len(both) != 2:
            continue
        a, b = both.iloc[0], both.iloc[1]
        cmp_frame = compare_correlations(float(a["r"]), int(a["n"]), float(b["r"]), int(b["n"]))
        cmp_frame.insert(0, "row_id_2", b["row_id"])
        cmp_frame.insert(0, "row_id_1", a["row_id"])
        comparisons.append(cmp_frame)
        cmp = cmp_frame.iloc[0]
        who = source_phrase(str(sid), tables)
        group = f"difference between {who}'s two r"
        if n_sources > 1:  # which secondary source: by its id
            who += f" ({sid})"
            group = f"difference between the two r of {who}"
        whos.append(who)
        rows.append(
            _summary_row(
                group,
                f"{_country(a['cohort'], tables)} − {_country(b['cohort'], tables)}",
                "difference",
                (cmp["estimate"], cmp["ci_low"], cmp["ci_high"]),
                f"{_r_text(float(a['r']))} − {_r_text(float(b['r']))} = "
                f"{_r_text(float(cmp['estimate']))} ({_r_text(float(cmp['ci_low']))}, "
                f"{_r_text(float(cmp['ci_high']))}); z = {_r_text(float(cmp['statistic']))}, "
                f"{format_p_statement(float(cmp['p_value']))}",
            )
        )
    comparison = pd.concat(comparisons, ignore_index=True) if comparisons else pd.DataFrame()
    return CorrelationsResult(
        rows=pd.DataFrame(rows),
        pooled=pooled,
        excluded=excluded,
        comparison=comparison,
        comparison_sources=tuple(whos),
    )

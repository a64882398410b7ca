"""Leave-one-out influence and subgroup analyses of pooled correlations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats._validation import (
    cluster_ids,
    validate_params,
)
from b12stats.errors import OptionError
from b12stats.stats.meta._options import _LABELS, _POOL_OPTIONS, SUMMARY_COLUMNS
from b12stats.stats.meta.correlations import MetaResult, _check_correlations, meta_correlations


@validate_params({**_POOL_OPTIONS, "labels": _LABELS})
def leave_one_out(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pool the correlations again without each study in turn.

    Returns one row per omitted study: ``omitted`` (its label) followed by
    :data:`SUMMARY_COLUMNS` (``group`` is ``"without <label>"``). As metafor's
    ``leave1out()``.

    Examples
    --------
    >>> loo = leave_one_out([0.36, 0.51, 0.20, 0.31], [90, 40, 67, 100], method="DL")
    >>> loo["omitted"].tolist()
    ['study 1', 'study 2', 'study 3', 'study 4']
    >>> loo["k"].tolist()
    [3, 3, 3, 3]
    """
    r_arr, n_arr, labs = _check_correlations(r, n, labels)
    if r_arr.size < 2:
        raise OptionError("leave-one-out needs at least 2 studies")
    rows = []
    for i, lab in enumerate(labs):
        keep = np.arange(r_arr.size) != i
        res = meta_correlations(
            r_arr[keep],
            n_arr[keep],
            method=method,
            test=test,
            conf_level=conf_level,
            labels=[x for j, x in enumerate(labs) if j != i],
            group=f"without {lab}",
        )
        frame = res.to_frame()
        frame.insert(0, "omitted", lab)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


@validate_params({**_POOL_OPTIONS, "labels": _LABELS, "groups": ["sequence"]})
def subgroup(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    groups: Sequence[Any],
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pool each subgroup separately (separate τ² per subgroup, as metafor's
    ``rma(..., subset = group == g)``).

    Returns one row per subgroup (:data:`SUMMARY_COLUMNS`, ``group`` holding
    the subgroup value as text), in order of first appearance, followed by a
    row ``group = "between subgroups"`` with the Wald test of equal subgroup
    means on the z scale: ``q = Σ (μ̂_g - μ̄)² / SE_g²`` with ``G - 1`` df
    (``q``, ``q_df``, ``q_p_value``; other columns NaN).

    Examples
    --------
    >>> out = subgroup([0.3, 0.4, 0.1, 0.15], [50, 60, 80, 70], ["a", "a", "b", "b"],
    ...                method="DL")
    >>> out["group"].tolist()
    ['a', 'b', 'between subgroups']
    >>> round(float(out["q_p_value"].iloc[-1]), 3)
    0.054
    """
    r_arr, n_arr, labs = _check_correlations(r, n, labels)
    g_arr = np.asarray(list(groups), dtype=object)
    cluster_ids("groups", g_arr)
    if g_arr.size != r_arr.size:
        raise OptionError(f"groups has {g_arr.size} entries for {r_arr.size} correlations")
    if pd.isna(g_arr).any():
        raise OptionError("groups has missing values; give every study a subgroup")
    names = list(dict.fromkeys(g_arr.tolist()))
    results = []
    for g in names:
        mask = g_arr == g
        results.append(
            meta_correlations(
                r_arr[mask],
                n_arr[mask],
                method=method,
                test=test,
                conf_level=conf_level,
                labels=[x for x, m in zip(labs, mask, strict=True) if m],
                group=str(g),
            )
        )
    frame = pd.concat([res.to_frame() for res in results], ignore_index=True)
    return pd.concat([frame, _between_row(results, method, test, conf_level)], ignore_index=True)


def _between_row(
    results: Sequence[MetaResult], method: str, test: str, conf_level: float
) -> pd.DataFrame:
    est = np.array([res.fit.estimate for res in results])
    se = np.array([res.fit.se for res in results])
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, math.nan)
    row.update(group="between subgroups", method=method, test=test, conf_level=conf_level)
    row["k"] = int(sum(res.k for res in results))
    row["n_total"] = int(sum(int(np.sum(res.n)) for res in results))
    ok = np.isfinite(se) & (se > 0)
    if ok.sum() >= 2:
        w = 1.0 / se[ok] ** 2
        mu = float(np.sum(w * est[ok]) / w.sum())
        q = float(np.sum(w * (est[ok] - mu) ** 2))
        row.update(q=q, q_df=float(ok.sum() - 1), q_p_value=float(stats.chi2.sf(q, ok.sum() - 1)))
        row["note"] = "Wald test of equal subgroup means (z scale)"
    else:
        row["note"] = "fewer than 2 subgroups with a standard error: no test of differences"
    return pd.DataFrame([row], columns=list(SUMMARY_COLUMNS))

"""Several pools at once: :class:`MetaTable`, the result of pooling a table group by group."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats._validation import cluster_ids, validate_params
from b12stats.errors import OptionError
from b12stats.stats.meta._options import _LABELS, _POOL_OPTIONS, EXCLUDED_COLUMNS, SUMMARY_COLUMNS
from b12stats.stats.meta.correlations import MetaResult, _check_correlations, _pool_subsets
from b12stats.stats.meta.influence import leave_one_out

__all__ = ["MetaTable", "pool_groups", "subgroup"]


@dataclass(frozen=True, eq=False)
class MetaTable:
    """Several pools: one :class:`MetaResult` per group (:func:`pool_groups`,
    :func:`b12stats.pooling.pool_table`).

    Attributes
    ----------
    results
        The pools, in order of first appearance of their group.
    excluded
        Rows left out, with the reason (columns :data:`EXCLUDED_COLUMNS`).
    """

    results: tuple[MetaResult, ...]
    excluded: pd.DataFrame

    @property
    def unpooled_groups(self) -> tuple[str, ...]:
        """Groups whose every row was left out (so they have no pooled estimate)."""
        pooled = {res.group for res in self.results}
        return tuple(g for g in dict.fromkeys(self.excluded["group"]) if g not in pooled)

    def summary(self) -> str:
        """Every pool's :meth:`MetaResult.summary`, the groups with nothing to pool and
        the rows left out, with their reasons."""
        lines = [res.summary() for res in self.results]
        for group in self.unpooled_groups:
            lines.append(f"{group}: nothing to pool (every row left out, see below)")
        if not self.excluded.empty:
            lines.append("left out:")
            lines.extend(
                f"  {row.row}: {row.reason}" for row in self.excluded.itertuples(index=False)
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The pools as HTML (for notebooks)."""
        from b12stats.format import result_html

        parts = [res._repr_html_() for res in self.results]
        if not self.excluded.empty:
            parts.append(result_html("left out", [], self.excluded))
        return "".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """One row per pool (:data:`SUMMARY_COLUMNS`)."""
        return pd.concat([res.to_frame() for res in self.results], ignore_index=True)

    def studies(self) -> pd.DataFrame:
        """Study rows of every pool (:data:`STUDY_COLUMNS`)."""
        return pd.concat([res.studies() for res in self.results], ignore_index=True)

    def leave_one_out(self) -> pd.DataFrame:
        """:func:`leave_one_out` for every pool with at least 2 studies.

        Columns: ``pool`` (the pool's group), ``omitted``, then
        :data:`SUMMARY_COLUMNS`; empty (same columns) when no pool has 2 studies.
        """
        frames = []
        for res in self.results:
            if res.k < 2:
                continue
            f = res.fit
            loo = leave_one_out(
                res.r,
                res.n,
                method=f.method,
                test=f.test,
                conf_level=f.conf_level,
                labels=res.labels,
            )
            loo.insert(0, "pool", res.group)
            frames.append(loo)
        if not frames:
            return pd.DataFrame(columns=["pool", "omitted", *SUMMARY_COLUMNS])
        return pd.concat(frames, ignore_index=True)


@validate_params(
    {**_POOL_OPTIONS, "groups": ["sequence"], "labels": _LABELS, "notes": [None, Mapping]}
)
def pool_groups(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    groups: Sequence[Any],
    *,
    labels: Sequence[str] | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    excluded: pd.DataFrame | None = None,
) -> MetaTable:
    """Pool correlations separately in each group (:func:`meta_correlations` per group).

    Parameters
    ----------
    r, n
        Correlations and sample sizes, one per study.
    groups
        The group of each study; pools come in order of first appearance.
    labels
        One label per study (default ``study 1``, ``study 2``, ...).
    notes
        Extra notes per group name (e.g. why the rows are not independent).
    method, test, conf_level
        See :func:`b12stats.stats.meta.rma`.
    excluded
        Rows left out before pooling, with columns :data:`EXCLUDED_COLUMNS`
        (default: none).

    Returns
    -------
    MetaTable

    Examples
    --------
    >>> out = pool_groups([0.3, 0.5, 0.2, 0.1], [40, 60, 100, 50], ["a", "a", "b", "b"])
    >>> out.to_frame()[["group", "k", "n_total"]].to_dict("records")
    [{'group': 'a', 'k': 2, 'n_total': 100}, {'group': 'b', 'k': 2, 'n_total': 150}]
    """
    r_arr = np.asarray(r, dtype=float).ravel()
    n_arr = np.asarray(n, dtype=float).ravel()
    names = [str(g) for g in groups]
    if len(names) != r_arr.size:
        raise OptionError(f"groups has {len(names)} entries for {r_arr.size} correlations")
    labs = [f"study {i + 1}" for i in range(r_arr.size)] if labels is None else list(labels)
    notes = notes or {}
    groups_rows = [
        (name, [i for i, g in enumerate(names) if g == name]) for name in dict.fromkeys(names)
    ]
    pools = _pool_subsets(
        r_arr, n_arr, labs, groups_rows, method=method, test=test, conf_level=conf_level
    )
    results = [
        dataclasses.replace(res, extra_notes=tuple(notes.get(res.group, ()))) for res in pools
    ]
    if excluded is None:
        excluded = pd.DataFrame(columns=list(EXCLUDED_COLUMNS))
    return MetaTable(results=tuple(results), excluded=excluded)


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
    pools = pool_groups(
        r_arr,
        n_arr,
        [str(g) for g in g_arr],
        labels=labs,
        method=method,
        test=test,
        conf_level=conf_level,
    )
    between = _between_row(pools.results, method, test, conf_level)
    return pd.concat([pools.to_frame(), between], ignore_index=True)


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

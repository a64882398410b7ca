"""Several pools at once: :class:`MetaTable`, the result of pooling a table group by group."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import validate_params
from b12stats.errors import OptionError
from b12stats.stats.meta._options import _LABELS, _POOL_OPTIONS, EXCLUDED_COLUMNS, SUMMARY_COLUMNS
from b12stats.stats.meta.correlations import MetaResult, meta_correlations
from b12stats.stats.meta.influence import leave_one_out

__all__ = ["MetaTable", "pool_groups"]


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
    results = []
    for name in dict.fromkeys(names):
        rows = [i for i, g in enumerate(names) if g == name]
        res = meta_correlations(
            r_arr[rows],
            n_arr[rows],
            method=method,
            test=test,
            conf_level=conf_level,
            labels=[labs[i] for i in rows],
            group=name,
        )
        results.append(dataclasses.replace(res, extra_notes=tuple(notes.get(name, ()))))
    if excluded is None:
        excluded = pd.DataFrame(columns=list(EXCLUDED_COLUMNS))
    return MetaTable(results=tuple(results), excluded=excluded)

"""Which published correlations may be pooled together, and pooling them.

The statistics of pooling are generic (:mod:`b12stats.stats.meta`); which rows
of a table of published correlations belong in one pool is a question about
the sources: their kind (primary, secondary, lay), whether a coefficient is
adjusted, whether a secondary source repeats a primary one's cohort, whether
one pool mixes variable pairs. :func:`pool_table` answers it from the table's
columns (``source_kind``, ``cohort``, ``adjusted``/``coefficient``,
``var_x``/``var_y``, ``p_text``, ``row_id``) and pools what is left with
:func:`b12stats.stats.meta.meta_correlations`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import Integral, Interval, Options, validate_params
from b12stats.errors import DataValidationError, OptionError
from b12stats.stats.meta import EXCLUDED_COLUMNS, MetaTable, pool_groups
from b12stats.stats.meta._options import _POOL_OPTIONS

__all__ = ["pool_table"]

#: ``coefficient`` values that mark an adjusted (not raw) correlation.
_ADJUSTED_COEFFICIENTS = frozenset({"adjusted", "partial", "semipartial", "regression"})


def _truthy(value: Any) -> bool:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "y", "t")
    return bool(value)


@validate_params(
    {
        **_POOL_OPTIONS,
        "frame": ["dataframe"],
        "r": ["str"],
        "n": ["str"],
        "label": [None, "str"],
        "by": [None, "str-list"],
        "source_kinds": [None, "str-list"],
        "on_unpoolable": [Options(("raise", "skip"))],
        "file": [None, "str", os.PathLike],
        "first_line": [Interval(Integral, 0, None)],
    }
)
def pool_table(
    frame: pd.DataFrame,
    *,
    r: str = "r",
    n: str = "n",
    label: str | None = None,
    by: Sequence[str] | None = None,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    source_kinds: Sequence[str] | None = None,
    on_unpoolable: str = "raise",
    file: str | None = None,
    first_line: int = 2,
) -> MetaTable:
    """Pool a table of correlations, group by group, refusing what is not poolable.

    Rows that cannot be pooled are rows without ``r`` or ``n``, adjusted
    coefficients (column ``adjusted`` true, or ``coefficient`` one of
    ``adjusted``, ``partial``, ``semipartial``, ``regression``) in a pool
    that also holds raw correlations, rows whose ``source_kind`` is not in
    ``source_kinds``, and secondary-source rows repeating a primary row of
    the same ``cohort`` and variable pair. Rows with impossible values (r
    outside (-1, 1), n < 4 or not whole, text where a number belongs) are
    always an error.

    If the table has ``var_x`` and ``var_y`` columns, each pool must hold
    one unordered variable pair: put ``"pair"`` in ``by`` to pool pairs
    separately, otherwise several pairs are an error.

    Parameters
    ----------
    frame
        One correlation per row.
    r, n, label
        Column names of the coefficient, the sample size and the study label
        (default: ``row_id`` if present, else the line or row number).
    by
        Columns defining separate pools (subgroups); ``"pair"`` is the
        unordered pair ``var_x``/``var_y``.
    method, test, conf_level
        See :func:`rma`.
    source_kinds
        If given and the table has ``source_kind``, pool only these kinds.
    on_unpoolable
        ``"raise"`` (a :class:`~b12stats.errors.DataValidationError` naming the
        rows) or ``"skip"`` (leave them out and list them in ``excluded``;
        adjusted coefficients are then always left out).
    file, first_line
        Name the file in error messages; a row with integer index ``i`` is on
        line ``first_line + i`` (2 when line 1 is the header and the index
        counts data lines from 0, as ``pandas.read_csv`` gives).

    Returns
    -------
    MetaTable

    Examples
    --------
    >>> df = pd.DataFrame({"r": [0.3, 0.5, 0.2, 0.4], "n": [40, 60, None, 80],
    ...                    "var_x": ["milk"] * 4, "var_y": ["infant_blood"] * 4})
    >>> out = pool_table(df, on_unpoolable="skip", by=["pair"], method="DL")
    >>> out.to_frame()[["group", "k"]].to_dict("records")
    [{'group': 'pair=infant_blood~milk', 'k': 3}]
    >>> out.excluded["reason"].tolist()
    ['no n (sample size not reported)']
    """
    by_cols = [by] if isinstance(by, str) else list(by or [])
    has_pair = "var_x" in frame.columns and "var_y" in frame.columns
    needed = [r, n] + ([label] if label else []) + [c for c in by_cols if c != "pair"]
    for col in needed:
        if col not in frame.columns:
            raise DataValidationError(
                f"no such column (columns are: {', '.join(map(str, frame.columns))})",
                file=file,
                column=col,
            )
    if "pair" in by_cols and not has_pair and "pair" not in frame.columns:
        raise OptionError("by='pair' needs columns var_x and var_y")
    # line numbers: the frame's integer index counts data lines from 0 (a reader may
    # drop blank lines but keep the index); otherwise positions
    if file is not None and pd.api.types.is_integer_dtype(frame.index):
        line_of = [first_line + int(x) for x in frame.index]
    else:
        line_of = [first_line + i for i in range(len(frame))]
    data = frame.reset_index(drop=True)

    def cell(i: int, col: str) -> Any:
        return data[col].iloc[i]

    def where(i: int) -> dict[str, Any]:
        return {"file": file, "line": line_of[i]} if file is not None else {}

    def row_name(i: int) -> str:
        if "row_id" in data.columns and not pd.isna(cell(i, "row_id")):
            return str(cell(i, "row_id"))
        return f"line {line_of[i]}" if file is not None else f"row {i}"

    labels = [
        str(cell(i, label)) if label and not pd.isna(cell(i, label)) else row_name(i)
        for i in range(len(data))
    ]

    def numeric(col: str) -> pd.Series:
        values = pd.to_numeric(data[col], errors="coerce").astype(float)
        raw = data[col]
        blank = raw.isna() | raw.astype(str).str.strip().eq("")
        for j in np.flatnonzero(values.isna().to_numpy() & ~blank.to_numpy()):
            raise DataValidationError(
                f"not a number: {raw.iloc[j]!r}", column=col, **where(int(j))
            )
        return values

    r_val = numeric(r)
    n_val = numeric(n)
    for i in range(len(data)):
        ri, ni = r_val.iloc[i], n_val.iloc[i]
        if not pd.isna(ri) and not -1.0 < ri < 1.0:
            what = "outside [-1, 1]" if abs(ri) > 1 else "±1 (Fisher z is infinite)"
            raise DataValidationError(f"r = {ri:g} is {what}", column=r, **where(i))
        if not pd.isna(ni) and (not math.isfinite(ni) or ni != math.floor(ni) or ni < 4):
            raise DataValidationError(
                f"n = {ni:g} must be a whole number of at least 4 (the variance of Fisher z "
                "is 1/(n - 3))",
                column=n,
                **where(i),
            )

    excluded: list[tuple[int, str]] = []
    keep = np.ones(len(data), dtype=bool)

    def drop(i: int, reason: str, column: str | None = None) -> None:
        if on_unpoolable == "raise":
            raise DataValidationError(reason, column=column, **where(i))
        keep[i] = False
        excluded.append((i, reason))

    kinds = data["source_kind"].astype("string") if "source_kind" in data.columns else None
    if source_kinds is not None and kinds is not None:
        for i in range(len(data)):
            if kinds.iloc[i] not in source_kinds:
                drop(
                    i,
                    f"source kind {kinds.iloc[i]!s} is not pooled (pooling: "
                    f"{', '.join(source_kinds)})",
                    "source_kind",
                )
    for i in range(len(data)):
        if keep[i] and pd.isna(r_val.iloc[i]):
            printed = cell(i, "p_text") if "p_text" in data.columns else None
            if printed is None or pd.isna(printed) or not str(printed).strip():
                drop(i, "no r (not printed)", r)
            else:
                drop(i, f"no r (only '{printed}' printed)", r)
        elif keep[i] and pd.isna(n_val.iloc[i]):
            drop(i, "no n (sample size not reported)", n)

    pair = None
    if has_pair:
        pair = pd.Series(
            [
                "~".join(sorted((str(a), str(b))))
                for a, b in zip(data["var_x"], data["var_y"], strict=True)
            ]
        )
    elif "pair" in data.columns:
        pair = data["pair"].astype(str)

    # secondary rows repeating a primary row (same cohort, same pair)
    if kinds is not None and "cohort" in data.columns:
        primary: dict[tuple[str, str], str] = {}
        for i in range(len(data)):
            if keep[i] and kinds.iloc[i] == "primary":
                ck = (str(cell(i, "cohort")), "" if pair is None else pair.iloc[i])
                primary.setdefault(ck, row_name(i))
        for i in range(len(data)):
            if keep[i] and kinds.iloc[i] == "secondary":
                ck = (str(cell(i, "cohort")), "" if pair is None else pair.iloc[i])
                if ck in primary:
                    drop(i, f"repeats primary row {primary[ck]} (same cohort and pair)")

    adjusted = np.zeros(len(data), dtype=bool)
    if "adjusted" in data.columns:
        adjusted |= np.array([_truthy(x) for x in data["adjusted"]])
    if "coefficient" in data.columns:
        adjusted |= (
            (data["coefficient"].astype("string").str.lower().isin(_ADJUSTED_COEFFICIENTS))
            .fillna(False)
            .to_numpy(dtype=bool)
        )

    # group keys
    def key_of(i: int) -> tuple[str, ...]:
        parts = []
        for col in by_cols:
            value = pair.iloc[i] if col == "pair" and pair is not None else cell(i, col)
            parts.append(f"{col}={'NA' if pd.isna(value) else value}")
        return tuple(parts)

    groups: dict[tuple[str, ...], list[int]] = {}
    for j in np.flatnonzero(keep):
        groups.setdefault(key_of(int(j)), []).append(int(j))

    pools: list[tuple[str, list[int], list[str]]] = []
    for key, rows in groups.items():
        name = ", ".join(key) if key else "all"
        if pair is not None and "pair" not in by_cols:
            pairs = dict.fromkeys(pair.iloc[rows].tolist())
            if len(pairs) > 1:
                listing = "; ".join(
                    f"{p}: {', '.join(row_name(i) for i in rows if pair.iloc[i] == p)}"
                    for p in pairs
                )
                raise DataValidationError(
                    f"pool {name!r} mixes variable pairs ({listing}); pool each pair "
                    "separately (by=['pair'], CLI --by pair)",
                    file=file,
                )
        adj_rows = [i for i in rows if adjusted[i]]
        if adj_rows and (len(adj_rows) < len(rows) or on_unpoolable == "skip"):
            if on_unpoolable == "raise":
                raise DataValidationError(
                    f"pool {name!r} mixes adjusted coefficients (rows "
                    f"{', '.join(row_name(i) for i in adj_rows)}) with raw correlations; "
                    "remove them or pool them separately",
                    file=file,
                )
            for i in adj_rows:
                drop(i, "adjusted coefficient, not a raw correlation")
            rows = [i for i in rows if not adjusted[i]]
            if not rows:
                continue
        extra: list[str] = []
        if adj_rows and len(adj_rows) == len(rows):
            extra.append("all rows are adjusted coefficients")
        if "cohort" in data.columns:
            counts = data.loc[rows, "cohort"].value_counts()
            for cohort, count in counts[counts > 1].items():
                extra.append(f"cohort {cohort} contributes {count} rows (not independent)")
        if kinds is not None:
            secondary = [labels[i] for i in rows if kinds.iloc[i] == "secondary"]
            if secondary:
                extra.append(f"includes secondary-source rows: {', '.join(secondary)}")
        pools.append((name, rows, extra))
    if not pools:
        reasons = "; ".join(f"{row_name(i)}: {reason}" for i, reason in excluded[:5])
        raise DataValidationError(f"nothing left to pool ({reasons})", file=file)
    excluded_frame = pd.DataFrame(
        [
            (row_name(i), labels[i], ", ".join(key_of(i)) or "all", reason)
            for i, reason in excluded
        ],
        columns=list(EXCLUDED_COLUMNS),
    )
    order = [i for _, rows, _ in pools for i in rows]
    return pool_groups(
        r_val.iloc[order].to_numpy(),
        n_val.iloc[order].to_numpy(),
        [name for name, rows, _ in pools for _ in rows],
        labels=[
            labels[i]
            + (" [secondary]" if kinds is not None and kinds.iloc[i] == "secondary" else "")
            for i in order
        ],
        notes={name: extra for name, _, extra in pools},
        method=method,
        test=test,
        conf_level=conf_level,
        excluded=excluded_frame,
    )

"""Leave-one-out influence analysis of pooled correlations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from b12stats._validation import (
    validate_params,
)
from b12stats.errors import OptionError
from b12stats.stats.meta._options import _LABELS, _POOL_OPTIONS
from b12stats.stats.meta.correlations import _check_correlations, _pool_subsets


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
    others = [
        (f"without {lab}", [j for j in range(r_arr.size) if j != i]) for i, lab in enumerate(labs)
    ]
    pools = _pool_subsets(
        r_arr, n_arr, labs, others, method=method, test=test, conf_level=conf_level
    )
    rows = []
    for lab, res in zip(labs, pools, strict=True):
        frame = res.to_frame()
        frame.insert(0, "omitted", lab)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)

"""Performance measures of simulation studies, with their Monte Carlo standard errors.

References
----------
Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate
statistical methods. Stat Med 38:2074-2102. doi:10.1002/sim.8086 (Table 6).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from b12stats.errors import OptionError

__all__ = ["tail_share"]

_SIDES = ("at_or_above", "above", "below", "at_or_below")


def tail_share(values: Any, threshold: float, *, side: str = "at_or_above") -> pd.DataFrame:
    """Share of simulated values beyond ``threshold``, with its Monte Carlo SE.

    ``s = #{v_i beyond t} / R`` over the ``R`` finite values; its Monte Carlo
    standard error is the binomial ``sqrt(s (1 - s) / R)`` (Morris et al. 2019,
    Table 6, as for power or coverage). NaN values (e.g. fits that did not
    converge) are left out and counted in ``n_missing``.

    Parameters
    ----------
    values
        Simulated values (1-D).
    threshold
        The cut-off, e.g. a published P value.
    side
        ``"at_or_above"`` (``v >= t``), ``"above"``, ``"below"`` or ``"at_or_below"``.

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate, mcse, n, n_missing, threshold, side`` (``estimate``
        and ``mcse`` NaN when no value is finite).

    Examples
    --------
    >>> tail_share([0.01, 0.02, 0.04, 0.2], 0.03).round(4).to_dict("records")[0]["estimate"]
    0.5
    >>> float(tail_share([0.01, 0.02, 0.04, 0.2], 0.03)["mcse"].iloc[0])
    0.25
    """
    if side not in _SIDES:
        raise OptionError(f"side must be one of {', '.join(_SIDES)}, got {side!r}")
    if not np.isfinite(threshold):
        raise OptionError(f"threshold must be a finite number, got {threshold!r}")
    v = np.asarray(values, dtype=float).ravel()
    ok = v[np.isfinite(v)]
    n = int(ok.size)
    if n:
        hit = {
            "at_or_above": ok >= threshold,
            "above": ok > threshold,
            "below": ok < threshold,
            "at_or_below": ok <= threshold,
        }[side]
        share = float(np.mean(hit))
        mcse = float(np.sqrt(share * (1.0 - share) / n))
    else:
        share = mcse = float("nan")
    return pd.DataFrame(
        [
            {
                "estimate": share,
                "mcse": mcse,
                "n": n,
                "n_missing": int(v.size - n),
                "threshold": float(threshold),
                "side": side,
            }
        ]
    )

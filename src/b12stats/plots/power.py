"""Power curves from Monte Carlo simulation, with Monte Carlo error bars.

:func:`b12stats.power.power` returns one row per scenario with the simulated
power and its Monte Carlo standard error (MCSE). The curve draws power against
the number of dyads, one line per model, with ±z·MCSE bars, so a reader sees
how much of a wiggle is simulation noise, plus the conventional 80% target.

This module only draws; all numbers come from :func:`b12stats.power.power`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.format import format_number, format_pct
from b12stats.plots.style import axes_or_current, require_columns

__all__ = ["POWER_COLUMNS", "plot_power"]

#: Columns the frame must have (a subset of :data:`b12stats.power.COLUMNS`).
POWER_COLUMNS = ("model", "n_dyads", "power", "power_mcse", "reps")

_DEFAULT_LABELS = {
    "linear": "linear GEE: log infant on log milk B12 (slope)",
    "trend": "logistic GEE: adequacy on milk-B12 quartile (P-trend)",
}
_DEFAULT_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


def plot_power(
    frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    target: float | None = 0.8,
    mark_n: float | None = None,
    mark_label: str = "published cohort size",
    z: float = 1.96,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Power against number of dyads, one line per model, ±z·MCSE error bars.

    Parameters
    ----------
    frame
        Columns :data:`POWER_COLUMNS` (e.g. :func:`b12stats.power.power`
        results for several models, concatenated).
    ax
        Axes to draw on.
    target
        Horizontal reference line (None: none).
    mark_n
        A number of dyads to mark with a vertical line (None: none).
    mark_label
        Legend label of that line.
    z
        Error bars are ``power ± z * power_mcse`` (1.96: 95% Monte Carlo interval).
    labels
        Legend label per model (defaults describe the two built-in models).

    Returns
    -------
    Axes
        The axes with one power curve per model.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"model": ["linear"] * 2, "n_dyads": [50, 100], "power": [0.5, 0.8],
    ...                   "power_mcse": [0.05, 0.04], "reps": [100, 100]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_power(f)
    >>> [float(y) for y in ax.get_ylim()]
    [0.0, 1.04]
    >>> plt.close(fig)
    """
    from matplotlib.ticker import PercentFormatter

    require_columns(frame, POWER_COLUMNS, name="frame")
    ax = axes_or_current(ax)
    names = {**_DEFAULT_LABELS, **(labels or {})}
    for i, (model, grp) in enumerate(frame.groupby("model", sort=False)):
        g = grp.sort_values("n_dyads")
        reps = sorted({int(r) for r in g["reps"]})
        rep_txt = f"{reps[0]}" if len(reps) == 1 else f"{reps[0]}-{reps[-1]}"
        ax.errorbar(
            g["n_dyads"],
            g["power"],
            yerr=z * g["power_mcse"].to_numpy(dtype=float),
            fmt="o-",
            ms=4,
            capsize=3,
            lw=1.5,
            color=_DEFAULT_COLORS[i % len(_DEFAULT_COLORS)],
            label=f"{names.get(str(model), str(model))}; {rep_txt} reps",
        )
    if target is not None:
        ax.axhline(target, color="0.5", ls="--", lw=1, label=f"{format_pct(target, 0)} power")
    if mark_n is not None and np.isfinite(mark_n):
        ax.axvline(
            mark_n, color="0.3", ls=":", lw=1.2, label=f"{mark_label} ({format_number(mark_n)})"
        )
    ax.set_ylim(0.0, 1.04)  # room for the markers and error bars at 100%
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("number of mother-infant dyads")
    ax.set_ylabel(f"power (error bars ±{format_number(z)} Monte Carlo SE)")
    # legend below the axes, never over the curves or the reference lines
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7.5, frameon=False)
    return ax

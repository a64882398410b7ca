"""Milk B12 against infant serum B12 for a (simulated) cohort of dyads.

Log axes (both concentrations are log-normal-like), one point per dyad, the
fitted GEE line with its 95% confidence band, the milk cut-off behind the
Adequate Intake (310 pmol/L) and the infant adequacy cut-off (220 pmol/L), and
the target correlation beside the one the simulated cohort reached.

This module only draws: the cohort comes from :mod:`b12stats.simulate`, the
fitted line and band from :mod:`b12stats.models`, the correlations are handed in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.errors import OptionError
from b12stats.format import format_fixed, format_number
from b12stats.plots.style import COLORS, axes_or_current, plain_log_ticks, require_columns

__all__ = ["LINE_COLUMNS", "plot_milk_infant"]

#: Columns of the ``line`` frame: the fitted curve (``estimate``) and its
#: pointwise confidence band at milk B12 values ``x``, all in pmol/L.
LINE_COLUMNS = ("x", "estimate", "ci_low", "ci_high")


def plot_milk_infant(
    dyads: pd.DataFrame,
    *,
    line: pd.DataFrame | None = None,
    milk_cutoff: float | None = 310.0,
    infant_cutoff: float | None = 220.0,
    target_r: float | None = None,
    simulated_r: float | None = None,
    r_label: str = "r",
    x: str = "milk_b12",
    y: str = "infant_b12",
    unit: str = "pmol/L",
    line_label: str = "GEE fit (95% CI)",
    ax: Axes | None = None,
    point_color: str = "#555555",
) -> Axes:
    """Scatter of infant serum B12 on milk B12 (log-log) with fit, band and cut-offs.

    Parameters
    ----------
    dyads
        One row per dyad with columns ``x`` and ``y`` (positive, in ``unit``).
    line
        Optional fitted curve with columns :data:`LINE_COLUMNS`.
    milk_cutoff, infant_cutoff
        Vertical and horizontal reference lines (None: not drawn).
    target_r, simulated_r
        Correlations written in the corner box (None: left out).
    r_label
        What the r values are, e.g. ``"Pearson r of log values"``.
    x, y, unit
        Column names and unit for the axis labels.
    line_label
        Legend label of the fitted line.
    ax
        Axes to draw on.
    point_color
        Colour of the dyad points.

    Returns
    -------
    Axes
        The axes with the dyads, the fitted line, its band and the cut-offs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> d = pd.DataFrame({"milk_b12": [50.0, 100, 200], "infant_b12": [150.0, 250, 300]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_milk_infant(d, target_r=0.36, simulated_r=0.35)
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    >>> plt.close(fig)
    """
    for col in (x, y):
        if col not in dyads.columns:
            raise OptionError(f"dyads has no column {col!r}")
    xv = dyads[x].to_numpy(dtype=float)
    yv = dyads[y].to_numpy(dtype=float)
    if np.any(xv <= 0) or np.any(yv <= 0):
        raise OptionError("log axes need positive concentrations")
    ax = axes_or_current(ax)
    ax.scatter(xv, yv, s=10, color=point_color, alpha=0.55, lw=0, label=f"dyads (n = {len(xv)})")
    if line is not None:
        require_columns(line, LINE_COLUMNS, name="line")
        ax.fill_between(
            line["x"], line["ci_low"], line["ci_high"], color=COLORS["pooled"], alpha=0.25, lw=0
        )
        ax.plot(line["x"], line["estimate"], color=COLORS["pooled"], lw=2, label=line_label)
    if milk_cutoff is not None:
        ax.axvline(
            milk_cutoff,
            color=COLORS["prediction"],
            ls="--",
            lw=1.2,
            label=f"milk {format_number(milk_cutoff)} {unit}\n(level behind the Adequate Intake)",
        )
    if infant_cutoff is not None:
        ax.axhline(
            infant_cutoff,
            color="#009E73",
            ls=":",
            lw=1.5,
            label=f"infant {format_number(infant_cutoff)} {unit} (adequacy)",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel(f"milk B12 ({unit}, log scale)")
    ax.set_ylabel(f"infant serum B12 ({unit}, log scale)")
    parts = []
    if target_r is not None:
        parts.append(f"target {r_label} = {format_fixed(target_r)}")
    if simulated_r is not None:
        parts.append(f"simulated {r_label} = {format_fixed(simulated_r)}")
    if parts:
        ax.text(
            0.02,
            0.98,
            "\n".join(parts),
            transform=ax.transAxes,
            va="top",
            ha="left",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.7", "alpha": 0.9},
        )
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    return ax

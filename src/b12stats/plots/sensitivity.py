"""How a simulated result moves with each unpublished assumption, with Monte Carlo error bars.

:func:`b12stats.power.sensitivity` (one parameter at a time, ``crossed=False``)
returns one row per variant of the design: the column ``varied`` names the
parameter a row changes (``""`` for the design itself), a column per parameter
holds its value. :func:`plot_sensitivity` draws one measure (power, or any
share with its Monte Carlo SE) against the values of one parameter;
:func:`figure_sensitivity` lays out a panel per parameter and measure.

This module only draws; the numbers come from :mod:`b12stats.power` and
:mod:`b12stats.reanalysis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.format import format_number, format_pct
from b12stats.plots.style import (
    COLORS,
    axes_or_current,
    require_columns,
    style_axes,
    style_context,
)

__all__ = ["SENSITIVITY_COLUMNS", "figure_sensitivity", "plot_sensitivity"]

#: Columns the frame must have besides the parameter's own and the measure's.
SENSITIVITY_COLUMNS = ("varied",)


def _label(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return format_number(float(value))
    return str(value).replace("_", " ")


def plot_sensitivity(
    frame: pd.DataFrame,
    *,
    parameter: str,
    measure: str = "power",
    mcse: str = "power_mcse",
    ax: Axes | None = None,
    z: float = 1.96,
    reference: float | None = None,
    reference_label: str = "",
    ylabel: str | None = None,
) -> Axes:
    """One measure against the values of one parameter, ±z·MCSE bars; the design's value filled.

    Parameters
    ----------
    frame
        One-at-a-time rows (:func:`b12stats.power.sensitivity` with
        ``crossed=False``): ``varied``, ``parameter``, ``measure``, ``mcse``.
        The rows used are the design's (``varied == ""``) and the
        parameter's own; the values are shown in the order of the frame.
    parameter, measure, mcse
        Column names.
    ax
        Axes to draw on.
    z
        Error bars are ``measure ± z * mcse`` (1.96: 95% Monte Carlo interval).
    reference
        A horizontal line (e.g. the 80% power target, or 0.05), None: none.
    reference_label
        Its legend label.
    ylabel
        Y axis label (default: the measure's name).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"varied": ["", "icc", "icc"], "icc": [0.05, 0.01, 0.1],
    ...                   "power": [0.8, 0.85, 0.7], "power_mcse": [0.02, 0.02, 0.02]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_sensitivity(f, parameter="icc")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['0.01', '0.05', '0.1']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import PercentFormatter

    require_columns(frame, (*SENSITIVITY_COLUMNS, parameter, measure, mcse), name="frame")
    ax = axes_or_current(ax)
    rows = frame[frame["varied"].isin(["", parameter])]
    design = rows[rows["varied"] == ""]
    values = list(dict.fromkeys(rows[parameter]))
    if all(isinstance(v, int | float | np.integer | np.floating) for v in values):
        values = sorted(values)
    x = {v: i for i, v in enumerate(values)}
    pos = rows[parameter].map(x).to_numpy(dtype=float)
    y = rows[measure].to_numpy(dtype=float)
    err = z * rows[mcse].to_numpy(dtype=float)
    ax.errorbar(pos, y, yerr=err, fmt="none", ecolor=COLORS["study"], elinewidth=1, capsize=3)
    ax.plot(pos, y, "o", ms=5, mfc="white", mec=COLORS["study"], label="assumption changed")
    if len(design):
        ax.plot(
            design[parameter].map(x).to_numpy(dtype=float),
            design[measure].to_numpy(dtype=float),
            "o",
            ms=5,
            color=COLORS["study"],
            label="design's value",
        )
    if reference is not None:
        line = {"color": COLORS["reference"], "ls": "--", "lw": 1}
        ax.axhline(reference, label=reference_label or None, **line)
    ax.set_xticks(range(len(values)), [_label(v) for v in values])
    ax.set_xlim(-0.5, len(values) - 0.5)
    ax.set_ylim(0.0, 1.04)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(parameter.replace("_", " "))
    ax.set_ylabel(ylabel if ylabel is not None else measure.replace("_", " "))
    style_axes(ax, grid_axis="y")
    return ax


def figure_sensitivity(
    frame: pd.DataFrame,
    parameters: Sequence[str],
    *,
    measures: Sequence[tuple[str, str, str, float | None]] = (
        ("power", "power_mcse", "power", 0.8),
    ),
    title: str = "",
    z: float = 1.96,
) -> Any:
    """A panel per (measure, parameter): rows are measures, columns parameters.

    ``measures``: ``(column, mcse column, y label, reference line or None)``; a
    row whose values stay below 50% is zoomed in.
    Drawn in the b12stats style (:func:`b12stats.plots.style.style_context`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"varied": ["", "a", "b"], "a": [1.0, 2.0, 1.0],
    ...                   "b": ["x", "x", "y"], "power": [0.8, 0.9, 0.7],
    ...                   "power_mcse": [0.02] * 3})
    >>> fig = figure_sensitivity(f, ["a", "b"])
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    params = list(parameters)
    with style_context():
        fig, axes = plt.subplots(
            len(measures),
            max(1, len(params)),
            figsize=(2.1 * max(1, len(params)) + 0.8, 2.5 * len(measures) + 0.6),
            squeeze=False,
            sharey="row",
        )
        for i, (col, err, label, ref) in enumerate(measures):
            for j, name in enumerate(params):
                plot_sensitivity(
                    frame,
                    parameter=name,
                    measure=col,
                    mcse=err,
                    ax=axes[i][j],
                    z=z,
                    reference=ref,
                    reference_label="" if ref is None else format_pct(ref, 0),
                    ylabel=label if j == 0 else "",
                )
            top = float(np.nanmax(frame[col] + z * frame[err]))
            if np.isfinite(top) and top < 0.5:  # small shares: zoom in (the row shares y)
                axes[i][0].set_ylim(0.0, max(top, ref or 0.0) * 1.25)
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=7.5)
        if title:
            fig.suptitle(title, fontsize=9)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig

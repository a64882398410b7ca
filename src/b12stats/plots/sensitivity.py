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
    parameters: Sequence[str] | None = None,
    measure: str = "power",
    mcse: str = "power_mcse",
    ax: Axes | None = None,
    z: float = 1.96,
    reference: float | None = None,
    reference_label: str = "",
    xlabel: str | None = None,
) -> Axes:
    """One measure at every value of every parameter: a row per parameter, ±z·MCSE bars.

    Each value is a labelled point on its parameter's row (open; filled: the
    design's own value, shared by every row), so a reader sees at a glance which
    assumption moves the result and by how much beyond the Monte Carlo error.

    Parameters
    ----------
    frame
        One-at-a-time rows (:func:`b12stats.power.sensitivity` with
        ``crossed=False``): ``varied``, a column per parameter, ``measure``,
        ``mcse``. A parameter's rows are the design's (``varied == ""``) and
        its own.
    parameters
        The rows, top to bottom (default: the ``varied`` values in order).
    measure, mcse
        Column names.
    ax
        Axes to draw on.
    z
        Error bars are ``measure ± z * mcse`` (1.96: 95% Monte Carlo interval).
    reference
        A vertical line (e.g. the 80% power target), None: none.
    reference_label
        Its legend label.
    xlabel
        X axis label (default: the measure's name).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"varied": ["", "icc", "icc"], "icc": [0.05, 0.01, 0.1],
    ...                   "power": [0.8, 0.85, 0.7], "power_mcse": [0.02, 0.02, 0.02]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_sensitivity(f)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['icc']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import PercentFormatter

    require_columns(frame, (*SENSITIVITY_COLUMNS, measure, mcse), name="frame")
    ax = axes_or_current(ax)
    names = list(parameters) if parameters is not None else [
        v for v in dict.fromkeys(frame["varied"]) if v
    ]  # fmt: skip
    require_columns(frame, names, name="frame")
    for i, name in enumerate(names):
        rows = frame[frame["varied"].isin(["", name])]
        values = list(dict.fromkeys(rows[name]))
        if all(isinstance(v, int | float | np.integer | np.floating) for v in values):
            values = sorted(values)
        for k, value in enumerate(values):
            hit = rows[rows[name] == value].iloc[0]
            y = i + (k - (len(values) - 1) / 2) * 0.22
            x, err = float(hit[measure]), z * float(hit[mcse])
            own = hit["varied"] == ""
            ax.errorbar(
                x, y, xerr=err, fmt="none", ecolor=COLORS["study"], elinewidth=1, capsize=2
            )
            ax.plot(
                x, y, "o", ms=4.5, color=COLORS["study"], mfc=COLORS["study"] if own else "white"
            )
            ax.annotate(
                _label(value),
                (x + err, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=6.5,
                color=COLORS["text_muted"],
            )
    if reference is not None:
        line = {"color": COLORS["reference"], "ls": "--", "lw": 1}
        ax.axvline(reference, label=reference_label or None, **line)
    ax.set_yticks(range(len(names)), [n.replace("_", " ") for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    top = float(np.nanmax(frame[measure] + z * frame[mcse])) if len(frame) else 1.0
    ax.set_xlim(0.0, 1.1 if not np.isfinite(top) or top >= 0.5 else max(top, reference or 0) * 1.4)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(xlabel if xlabel is not None else measure.replace("_", " "))
    style_axes(ax, grid_axis="x")
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
    """One panel per measure (:func:`plot_sensitivity`), side by side, a row per parameter.

    ``measures``: ``(column, mcse column, x label, reference line or None)``.
    Drawn in the b12stats style (:func:`b12stats.plots.style.style_context`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"varied": ["", "a", "b"], "a": [1.0, 2.0, 1.0],
    ...                   "b": ["x", "x", "y"], "power": [0.8, 0.9, 0.7],
    ...                   "power_mcse": [0.02] * 3})
    >>> fig = figure_sensitivity(f, ["a", "b"])
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    params = list(parameters)
    with style_context():
        fig, axes = plt.subplots(
            1,
            len(measures),
            figsize=(3.6 * len(measures) + 1.2, 0.62 * len(params) + 1.3),
            squeeze=False,
            sharey=True,
        )
        for j, (col, err, label, ref) in enumerate(measures):
            plot_sensitivity(
                frame,
                parameters=params,
                measure=col,
                mcse=err,
                ax=axes[0][j],
                z=z,
                reference=ref,
                reference_label="" if ref is None else f"threshold {format_pct(ref, 0)}",
                xlabel=label,
            )
        if title:
            fig.suptitle(title, fontsize=9)
        fig.tight_layout()
    return fig

"""Every bundled correlation in one forest plot, grouped by the pair of variables.

Published correlations between maternal blood, milk and infant blood B12 come
with or without a sample size, as raw or adjusted coefficients, from primary
papers or from a summary page. The figure shows all of them: a Fisher-z 95% CI
where n is known, the point alone where it is not, a line of text where only a
P value or words were printed, the pooled estimate (diamond) where pooling is
allowed (:func:`b12stats.pooling.pool_table` decides), and optionally the
difference between two correlations with its Zou (2007) interval and Fisher
test (:func:`b12stats.stats.correlation.compare_correlations`).

This module only draws: CIs, pools and tests are computed in
:mod:`b12stats.stats` and handed in as a tidy frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.plots.forest import draw_diamond, finish_forest_axes, grouped_rows
from b12stats.plots.style import COLORS, axes_or_current, require_columns
from b12stats.plots.style import rows as _rows

__all__ = ["ROW_COLUMNS", "plot_correlations"]


#: Columns of the ``rows`` frame, one row per line of the plot, drawn in order.
#: ``row_type`` is ``"study"``, ``"pooled"`` or ``"difference"``; ``estimate``
#: is r (or r1 - r2); CI columns NaN when there is no interval; ``estimate``
#: NaN when no coefficient was printed; ``source_kind`` colours study rows
#: (secondary sources are flagged); ``text`` is written in the right column.
ROW_COLUMNS = (
    "group",
    "label",
    "row_type",
    "estimate",
    "ci_low",
    "ci_high",
    "source_kind",
    "text",
)


def plot_correlations(
    rows: pd.DataFrame,
    *,
    ax: Axes | None = None,
    xlim: tuple[float, float] = (-1.0, 1.0),
    xlabel: str = "correlation r (95% CI, Fisher z)",
) -> Axes:
    """Grouped forest plot of correlations, pools and differences.

    Parameters
    ----------
    rows
        Columns :data:`ROW_COLUMNS`; each new ``group`` value starts a block
        under a bold header.
    ax
        Axes to draw on.
    xlim, xlabel
        x axis (r is dimensionless).

    Returns
    -------
    Axes
        The axes with one row per correlation, grouped by variable pair.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> rows = pd.DataFrame({"group": ["maternal vs infant"] * 2, "label": ["A", "pooled"],
    ...     "row_type": ["study", "pooled"], "estimate": [0.5, 0.4],
    ...     "ci_low": [0.2, 0.1], "ci_high": [0.7, 0.6],
    ...     "source_kind": ["primary", ""], "text": ["0.50", "0.40"]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_correlations(rows)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'pooled']
    >>> plt.close(fig)
    """
    from matplotlib.lines import Line2D

    require_columns(rows, ROW_COLUMNS, name="rows")
    ax = axes_or_current(ax)
    data = rows.reset_index(drop=True)
    ypos, headers = grouped_rows(data["group"], first_gap=0.6, group_gap=1.4, header_gap=0.9)
    ax.axvline(0.0, color=COLORS["reference"], lw=0.8, ls="--", zorder=0)
    for yy, row in zip(ypos, _rows(data), strict=True):
        est = float(row.estimate)
        lo, hi = float(row.ci_low), float(row.ci_high)
        secondary = row.source_kind == "secondary"
        col = COLORS["secondary"] if secondary else COLORS["study"]
        if row.row_type == "pooled":
            draw_diamond(ax, yy, est, lo, hi, height=0.35, color=COLORS["pooled"])
        elif np.isfinite(est):
            if row.row_type == "difference":
                col = COLORS["pooled"]
            if np.isfinite(lo) and np.isfinite(hi):
                ax.plot([lo, hi], [yy, yy], color=col, lw=1.4, solid_capstyle="butt")
            ax.plot(
                [est],
                [yy],
                marker="o" if row.row_type == "difference" else "s",
                ms=6,
                ls="none",
                color=col,
                mfc="white" if secondary else col,
                mew=1.5,
            )
        else:  # nothing to draw: the text column says what was printed
            col = COLORS["text_muted"]
        if secondary:  # the orange of the markers is too light for small text
            col = COLORS["secondary_text"]
        ax.annotate(
            str(row.text),
            (1.02, yy),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize=7.5,
            color=col if (secondary or not np.isfinite(est)) else "black",
        )
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    finish_forest_axes(
        ax,
        ypos,
        data["label"],
        headers,
        header_x=-0.01,
        header_fontsize=8.5,
        text_heading="as printed / recomputed",
        text_x=1.02,
        text_fontsize=7.5,
        ylim=(min(ypos) - 0.9, 0.3),
    )
    ax.spines["left"].set_visible(False)
    handles = []
    studies = data[data["row_type"] == "study"]
    if (studies["source_kind"] != "secondary").any():
        handles.append(
            Line2D([], [], marker="s", ls="-", color=COLORS["study"], label="primary source")
        )
    if (studies["source_kind"] == "secondary").any():
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                ls="-",
                color=COLORS["secondary"],
                mfc="white",
                label="secondary source",
            )
        )
    if (data["row_type"] == "pooled").any():
        handles.append(
            Line2D([], [], marker="D", ls="none", color=COLORS["pooled"], label="pooled (95% CI)")
        )
    if (data["row_type"] == "difference").any():
        handles.append(
            Line2D([], [], marker="o", ls="-", color=COLORS["pooled"], label="difference in r")
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=len(handles),
        frameon=False,
        fontsize=7.5,
    )
    return ax

"""Supplement effects with confidence intervals, by period and timepoint.

A trial may print the effect of a supplement as a percent difference with a
95% CI at some timepoints and say in words what it found at others. The figure
draws every (period, timepoint) cell: the printed estimates with their CIs, and
cells with a verbal finding only as text, so no number is drawn that was not
printed.

This module only draws; P values recomputed from the CIs come from
:func:`b12stats.stats.effects.effect_from_ci`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.format import format_number
from b12stats.plots.forest import finish_forest_axes, grouped_rows
from b12stats.plots.style import COLORS, axes_or_current, require_columns
from b12stats.plots.style import rows as _rows

__all__ = ["EFFECT_COLUMNS", "plot_effects"]


#: Columns of the ``effects`` frame, one row per cell. ``estimate`` and the CI
#: are NaN for cells with a verbal finding only (then ``note`` is shown). An
#: optional ``ci_text`` column gives the estimate and CI as printed (so
#: ``17.0`` stays ``17.0``); without it they are formatted with ``%g``.
EFFECT_COLUMNS = ("label", "group", "estimate", "ci_low", "ci_high", "p_text", "note")


def plot_effects(
    effects: pd.DataFrame,
    *,
    ax: Axes | None = None,
    xlabel: str = "difference in milk B12, supplement vs placebo (%)",
    color: str = COLORS["study"],
    reference: float = 0.0,
) -> Axes:
    """Forest-style plot of effects with CIs, one row per cell, top to bottom.

    Parameters
    ----------
    effects
        Columns :data:`EFFECT_COLUMNS`; rows are drawn in order. ``group``
        (e.g. the supplement period) is written in bold above its rows.
    ax
        Axes to draw on.
    xlabel
        x-axis label (with the unit).
    color
        Marker colour.
    reference
        Position of the no-effect line.

    Returns
    -------
    Axes
        The axes with one estimate and CI per period and timepoint.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> e = pd.DataFrame({"label": ["6 weeks"], "group": ["prenatal"], "estimate": [34.4],
    ...                   "ci_low": [17.0], "ci_high": [54.5], "p_text": ["P < 0.001"],
    ...                   "note": [""]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_effects(e)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['6 weeks']
    >>> plt.close(fig)
    """
    require_columns(effects, EFFECT_COLUMNS, name="effects")
    ax = axes_or_current(ax)
    rows = effects.reset_index(drop=True)
    ypos, group_y = grouped_rows(rows["group"], first_gap=0.4, group_gap=0.9, header_gap=0.7)
    labels = [str(lab) for lab in rows["label"]]
    finite = rows[["ci_low", "ci_high", "estimate"]].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    xmin = min(float(finite.min()) if finite.size else -10.0, reference)
    xmax = max(float(finite.max()) if finite.size else 10.0, reference)
    span = xmax - xmin
    xmin -= 0.08 * span
    xmax += 0.08 * span
    ax.axvline(reference, color="0.4", lw=1, ls="--", zorder=0)
    has_text = "ci_text" in rows.columns
    for yy, row in zip(ypos, _rows(rows), strict=True):
        if np.isfinite(row.estimate):
            ax.errorbar(
                [row.estimate],
                [yy],
                xerr=[[row.estimate - row.ci_low], [row.ci_high - row.estimate]],
                fmt="s",
                color=color,
                ms=7,
                capsize=4,
                lw=1.8,
            )
            ci = getattr(row, "ci_text", "") if has_text else ""
            txt = ci or (
                f"{format_number(row.estimate)} "
                f"({format_number(row.ci_low)}, {format_number(row.ci_high)})"
            )
            if isinstance(row.p_text, str) and row.p_text:
                txt += f"; {row.p_text}"
        else:
            # no marker: nothing was estimated; the text column says what was printed
            txt = str(row.note) if isinstance(row.note, str) and row.note else "not reported"
        # the text column sits right of the axes, outside the data area
        ax.annotate(
            txt,
            (1.03, yy),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize=8,
        )
    ax.set_xlim(xmin, xmax)
    ax.set_xlabel(xlabel)
    finish_forest_axes(
        ax,
        ypos,
        labels,
        group_y,
        header_x=-0.02,
        header_fontsize=9,
        text_heading="printed estimate (95% CI); P",
        text_x=1.03,
        text_fontsize=8,
        ylim=(min(ypos) - 0.8, 0.2),
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax

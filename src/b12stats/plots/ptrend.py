"""Where a published P value sits among simulated studies like the published one.

:func:`b12stats.power.replicate_estimates` gives the Wald P of the tested
coefficient in every simulated cohort. :func:`plot_p_distribution` draws their
empirical cumulative distribution on a log10 P axis, one line per scenario, with
the published P marked: the height of a curve at the published P is the share
of simulated studies whose P is at or below it.

This module only draws; the P values come from :mod:`b12stats.power`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from b12stats.errors import OptionError
from b12stats.format import format_number
from b12stats.plots.style import COLORS, axes_or_current, require_columns, style_axes

__all__ = ["plot_p_distribution"]

_LINE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
#: P values below this are drawn at it (the log axis needs a floor).
P_FLOOR = 1e-12


def plot_p_distribution(
    frame: pd.DataFrame,
    *,
    published_p: float,
    published_label: str = "published P",
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Empirical CDF of simulated P values (log10 axis), published P marked.

    Parameters
    ----------
    frame
        Columns ``scenario`` (a label per line) and ``p_value`` (NaN rows,
        fits that did not converge, are left out).
    published_p
        The published P value, drawn as a vertical line.
    published_label
        Its legend label.
    ax
        Axes to draw on.
    labels
        Legend label per scenario (default: the scenario itself).

    Returns
    -------
    Axes
        The axes with one cumulative distribution of P per cohort size.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"scenario": ["a"] * 4, "p_value": [1e-4, 1e-3, 0.02, 0.5]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_p_distribution(f, published_p=0.03)
    >>> [round(float(y), 2) for y in ax.get_lines()[0].get_ydata()[-2:]]
    [0.75, 1.0]
    >>> plt.close(fig)
    """
    require_columns(frame, ("scenario", "p_value"), name="frame")
    if not 0 < published_p <= 1:
        raise OptionError(f"published_p must be in (0, 1], got {published_p!r}")
    ax = axes_or_current(ax)
    names = dict(labels or {})
    for i, (scenario, grp) in enumerate(frame.groupby("scenario", sort=False)):
        p = np.sort(grp["p_value"].dropna().to_numpy(dtype=float))
        if p.size == 0:
            continue
        x = np.log10(np.maximum(p, P_FLOOR))
        y = np.arange(1, p.size + 1) / p.size
        ax.step(
            x,
            y,
            where="post",
            color=_LINE_COLORS[i % len(_LINE_COLORS)],
            lw=1.5,
            label=names.get(str(scenario), str(scenario)),
        )
    ax.axvline(
        np.log10(published_p),
        color=COLORS["study"],
        ls="--",
        lw=1.2,
        label=f"{published_label} = {format_number(published_p)}",
    )
    ax.set_ylim(0.0, 1.02)
    # the axis holds log10 P; its ticks are labelled as P (10^-k) for a reader
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(_pow10_label))
    ax.set_xlabel("P of the simulated trend test (robust Wald; log10 P scale)")
    ax.set_ylabel("share of simulated studies with P at or below x")
    style_axes(ax, grid_axis="both")
    # an ECDF rises from lower left to upper right: the upper left stays free of data
    ax.legend(loc="upper left", fontsize=7.5, frameon=True, framealpha=0.95, edgecolor="none")
    return ax


def _pow10_label(x: float, _pos: int | None = None) -> str:
    k = round(x)
    return "1" if k == 0 else f"$10^{{{k}}}$"

"""Distributions reconstructed from printed quartiles, with cut-offs and shares.

A paper that prints median (Q1, Q3) implies a distribution; under a log-normal
assumption (:func:`b12stats.stats.quartiles.lognormal_from_quartiles`) it also
implies the share of the population beyond any cut-off
(:func:`b12stats.stats.quartiles.prevalence_from_quartiles`). The figure shows
the fitted density on a log axis, the printed quartiles, each cut-off, the
implied share beyond it shaded, and the share the paper printed, so a reader
sees at once whether the printed share and the printed quartiles agree.

This module only draws: the fit and the shares are computed in
:mod:`b12stats.stats.quartiles` and handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.format import format_number, format_pct
from b12stats.plots.style import axes_or_current, plain_log_ticks, require_columns
from b12stats.plots.style import rows as _rows

__all__ = ["SHARE_COLUMNS", "plot_quartile_distribution"]


#: Columns the ``shares`` frame must have (one row per cut-off). ``published``
#: is the printed share as a fraction (NaN when none was printed);
#: ``published_text`` is how it was printed (``"approximately 1/3"``).
SHARE_COLUMNS = (
    "cutoff",
    "side",
    "estimate",
    "ci_low",
    "ci_high",
    "published",
    "published_text",
)

_BELOW = ("below", "at_or_below")
_SIDE_SYMBOL = {"below": "<", "at_or_below": "≤", "above": ">", "at_or_above": "≥"}


def plot_quartile_distribution(
    fit: Any,
    *,
    shares: pd.DataFrame | None = None,
    marks: Sequence[tuple[float, str]] | None = None,
    ax: Axes | None = None,
    unit: str = "pmol/L",
    quantity: str = "B12",
    color: str = "#3a6ea5",
    shade_colors: tuple[str, ...] = ("#d95f02", "#7570b3", "#1b9e77"),
    xlim: tuple[float, float] | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a log-normal fitted to printed quartiles, with cut-offs and shares.

    The curve is the density of ``log10(X)`` (so the log-normal is a bell on
    the log axis, and equal areas mean equal shares); dotted ticks mark the
    printed Q1, median and Q3. For every row of ``shares`` a dashed line marks
    the cut-off, the area beyond it is shaded, and a label gives the implied
    share (with its CI when there is one) and the printed share.

    Parameters
    ----------
    fit
        A log-normal with ``mu``, ``sigma`` (of the natural log) and
        ``quantile``: a :class:`~b12stats.stats.quartiles.LognormalFit` or a
        :class:`~b12stats.simulate.LognormalMarginal`.
    shares
        One row per cut-off with columns :data:`SHARE_COLUMNS`, e.g. built from
        :func:`~b12stats.stats.quartiles.prevalence_from_quartiles`.
    marks
        Printed values to tick on the x axis, ``(value, label)``; default: the
        fit's ``q1``, ``median`` and ``q3`` when it has them.
    ax
        Axes to draw on (default: the current axes).
    unit, quantity
        For the x-axis label, ``"<quantity> (<unit>, log scale)"``.
    color, shade_colors
        Curve colour; shading colours, one per cut-off (cycled).
    xlim
        x-axis limits (default: the 0.2% and 99.8% quantiles of the fit).
    title
        Axes title.

    Returns
    -------
    Axes
        The axes with the density, the shaded shares and the marks.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from b12stats.stats.quartiles import lognormal_from_quartiles
    >>> fig, ax = plt.subplots()
    >>> ax = plot_quartile_distribution(lognormal_from_quartiles(193, 276, 399))
    >>> ax.get_xscale()
    'log'
    >>> plt.close(fig)
    """
    ax = axes_or_current(ax)
    mu, sigma = float(fit.mu), float(fit.sigma)
    lo, hi = xlim if xlim is not None else (fit.quantile(0.002), fit.quantile(0.998))
    x = np.geomspace(lo, hi, 400)
    # density of log10(X): normal with mean mu/ln10 and sd sigma/ln10
    ln10 = np.log(10.0)
    s10 = sigma / ln10
    dens = np.exp(-0.5 * ((np.log(x) - mu) / sigma) ** 2) / (s10 * np.sqrt(2 * np.pi))
    ax.plot(x, dens, color=color, lw=2, label="log-normal through the printed quartiles")
    ymax = float(dens.max())
    if marks is None:
        marks = (
            ((fit.q1, "Q1"), (fit.median, "median"), (fit.q3, "Q3"))
            if all(hasattr(fit, a) for a in ("q1", "median", "q3"))
            else ()
        )
    for q, name in marks:
        ax.plot([q, q], [0, 0.06 * ymax], color=color, lw=1.5)
        ax.annotate(
            f"{name}\n{format_number(q)}",
            (q, 0.065 * ymax),
            ha="center",
            va="bottom",
            fontsize=7,
            color=color,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=4,
        )
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, ymax * 1.55)
    if shares is not None and len(shares):
        require_columns(shares, SHARE_COLUMNS, name="shares")
        for i, row in enumerate(_rows(shares)):
            col = shade_colors[i % len(shade_colors)]
            cut = float(row.cutoff)
            below = row.side in _BELOW
            mask = x <= cut if below else x >= cut
            ax.fill_between(x[mask], 0, dens[mask], color=col, alpha=0.25, lw=0)
            ax.axvline(cut, color=col, ls="--", lw=1.5)
            sym = _SIDE_SYMBOL.get(str(row.side), "")
            implied = f"implied {format_pct(row.estimate, 0)}"
            if np.isfinite(row.ci_low) and np.isfinite(row.ci_high):
                implied += f" ({format_pct(row.ci_low, 0)}–{format_pct(row.ci_high, 0)})"
            lines = [f"{sym} {format_number(cut)} {unit}", implied]
            if pd.notna(row.published):
                # several printed shares (one per source): one line each
                lines.extend(f"printed {t}" for t in str(row.published_text).split("; "))
            else:
                lines.append("no share printed")
            # label at the top, beside its cut-off line on the side with more room
            # (so the box never hides the line), stacked by cut-off
            fx = min(max(float(np.log(cut / lo) / np.log(hi / lo)), 0.0), 1.0)
            left_of_line = fx > 0.5
            ax.annotate(
                "\n".join(lines),
                (fx - 0.02 if left_of_line else fx + 0.02, 0.98 - 0.2 * i),
                xycoords="axes fraction",
                ha="right" if left_of_line else "left",
                va="top",
                fontsize=8,
                color=col,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": col, "alpha": 0.9},
                zorder=5,
            )
    ax.set_xlabel(f"{quantity} ({unit}, log scale)")
    ax.set_ylabel("density per log10 unit")
    if title:
        ax.set_title(title)
    return ax

"""Shared figure style for b12stats plots, without touching global rcParams.

Use :func:`style_context` around figure creation and drawing so every figure
gets the same fonts and line widths, and :func:`style_axes` on each Axes for
the finishing touches (no top/right spines, outward ticks). Colours come from
:data:`COLORS`, named by role rather than hue so figures stay consistent.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> before = dict(matplotlib.rcParams)
>>> with style_context():
...     fig, ax = plt.subplots()
...     _ = style_axes(ax)
>>> dict(matplotlib.rcParams) == before
True
>>> ax.spines["top"].get_visible()
False
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = [
    "COLORS",
    "RC",
    "axes_or_current",
    "plain_log_ticks",
    "require_columns",
    "rows",
    "style_axes",
    "style_context",
]

#: Colours by role (colour-blind safe; Okabe-Ito palette plus greys).
COLORS: Mapping[str, str] = {
    "study": "#222222",  # study estimates and their CIs
    "pooled": "#0072B2",  # pooled estimate (diamond)
    "prediction": "#D55E00",  # prediction interval
    "reference": "#999999",  # reference lines (r = 0, null effect)
    "secondary": "#E69F00",  # values from secondary sources, flagged
    "secondary_text": "#8F5F00",  # their text: a darker orange readable on white (5.5:1)
    "text_muted": "#555555",  # annotations, notes
    "grid": "#DDDDDD",
}

#: rc settings applied inside :func:`style_context` only: the one style of every
#: b12stats figure (report, analyses scripts, CLI plots). PNGs are saved at 150 dpi.
RC: Mapping[str, Any] = {
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "lines.linewidth": 1.0,
    "xtick.direction": "out",
    "ytick.direction": "out",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


@contextlib.contextmanager
def style_context(overrides: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Apply :data:`RC` (plus ``overrides``) for the duration of a ``with`` block.

    A thin wrapper over :func:`matplotlib.rc_context`: rcParams are restored on
    exit, so library users' own settings are never changed.
    """
    import matplotlib

    rc = dict(RC)
    if overrides:
        rc.update(overrides)
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        yield


def style_axes(ax: Any, *, grid_axis: str | None = None) -> Any:
    """Give ``ax`` the b12stats look and return it.

    Hides the top and right spines and, if ``grid_axis`` is ``"x"``, ``"y"``
    or ``"both"``, draws a light grid behind the data on that axis.
    """
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(direction="out", length=3, width=0.8)
    if grid_axis is not None:
        ax.grid(True, axis=grid_axis, color=COLORS["grid"], linewidth=0.6)
        ax.set_axisbelow(True)
    return ax


def rows(frame: Any) -> Iterator[Any]:
    """``frame.itertuples(index=False)`` typed loosely (cells are of any type)."""
    return iter(frame.itertuples(index=False))


def require_columns(frame: Any, columns: Iterable[str], *, name: str) -> None:
    """Raise :class:`~b12stats.errors.OptionError` naming the columns ``frame`` lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], name="rows")
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: rows is missing columns: b
    """
    from b12stats.errors import OptionError

    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise OptionError(f"{name} is missing columns: {', '.join(missing)}")


def axes_or_current(ax: Any) -> Any:
    """``ax`` itself, or the current Axes of pyplot when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


#: Major ticks of a concentration log axis, labelled as plain numbers.
NICE_LOG_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def plain_log_ticks(axis: Any) -> None:
    """Label a log axis with plain numbers (50, 100, 200, ...) instead of 10^k.

    Only the :data:`NICE_LOG_TICKS` in the axis's view are located, so no
    tick is made (and laid out) that is never drawn.
    """
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    class InView(FixedLocator):
        def __call__(self) -> Any:
            lo, hi = sorted(self.axis.get_view_interval())
            # a margin over matplotlib's own test of which ticks are in view
            return [v for v in self.locs if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]

    axis.set_major_locator(InView(NICE_LOG_TICKS))
    fmt = ScalarFormatter()
    fmt.set_scientific(False)
    axis.set_major_formatter(fmt)
    axis.set_minor_formatter(NullFormatter())

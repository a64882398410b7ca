"""The audit at a glance: verdict counts by the kind of source.

:func:`b12stats.audit.run_audit` recomputes every published claim and gives
each a verdict. The figure counts verdicts per source kind (primary paper,
secondary summary, lay article, reference value) as stacked horizontal bars,
so a reader sees at once where the problems sit; the full table goes beside it
in the report.

This module only draws: the counts are taken from the audit table as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.axes import Axes

from b12stats.errors import OptionError
from b12stats.plots.style import axes_or_current

__all__ = ["VERDICT_COLORS", "plot_audit"]

#: Colours for common verdict names; others get colours from a fallback cycle.
VERDICT_COLORS: Mapping[str, str] = {
    "reproduced": "#009E73",
    "consistent": "#56B4E9",
    "ok": "#009E73",
    "pass": "#009E73",
    "consistent_with_rounding": "#56B4E9",
    "approximately_consistent": "#56B4E9",
    "minor": "#56B4E9",
    "unverifiable": "#999999",
    "not_checkable": "#999999",
    "untraceable": "#7F7F7F",
    "inconsistent": "#E69F00",
    "conflicts_with_primary": "#D55E00",
    "contradicted": "#D55E00",
    "contradicts_primary": "#D55E00",
    "fail": "#D55E00",
    "unsupported": "#CC79A7",
}
_FALLBACK = ("#0072B2", "#CC79A7", "#F0E442", "#E69F00", "#56B4E9", "#000000")
_KIND_ORDER = ("primary", "secondary", "lay", "reference")


def plot_audit(
    audit: pd.DataFrame,
    *,
    ax: Axes | None = None,
    kind: str = "source_kind",
    verdict: str = "verdict",
    verdict_order: Sequence[str] | None = None,
) -> Axes:
    """Stacked horizontal bars: number of checks per source kind, split by verdict.

    Parameters
    ----------
    audit
        One row per check (e.g. ``run_audit().to_frame()``) with columns
        ``kind`` and ``verdict``.
    ax
        Axes to draw on.
    kind, verdict
        Column names.
    verdict_order
        Order of the verdicts in the stacks and legend (default: order of
        first appearance).

    Returns
    -------
    Axes
        The axes with one stacked bar of verdict counts per source kind.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> a = pd.DataFrame({"source_kind": ["primary", "secondary", "secondary"],
    ...                   "verdict": ["consistent", "inconsistent", "consistent"]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_audit(a)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['primary', 'secondary']
    >>> plt.close(fig)
    """
    for col in (kind, verdict):
        if col not in audit.columns:
            raise OptionError(f"audit has no column {col!r}")
    ax = axes_or_current(ax)
    counts = pd.crosstab(audit[kind].astype(str), audit[verdict].astype(str))
    kinds = [k for k in _KIND_ORDER if k in counts.index]
    kinds += [k for k in counts.index if k not in kinds]
    verdicts = list(verdict_order) if verdict_order else list(dict.fromkeys(audit[verdict]))
    verdicts = [str(v) for v in verdicts if str(v) in counts.columns]
    counts = counts.reindex(index=kinds, columns=verdicts, fill_value=0)
    ypos = range(len(kinds))[::-1]  # first kind on top
    total = max(int(counts.sum(axis=1).max()), 1) if len(counts) else 1
    left = [0] * len(kinds)
    fallback = iter(_FALLBACK * 4)
    for v in verdicts:
        col = VERDICT_COLORS[v.lower()] if v.lower() in VERDICT_COLORS else next(fallback)
        widths = counts[v].tolist()
        bars = ax.barh(
            list(ypos), widths, left=left, color=col, label=str(v).replace("_", " "), height=0.6
        )
        # the number in whichever of near-black and white contrasts more with the fill
        # (equal contrast at luminance 0.213); white on sky blue or orange is unreadable
        text_color = "#222222" if _luminance(col) > _EQUAL_CONTRAST_LUMINANCE else "white"
        for rect, w in zip(bars, widths, strict=True):
            if w > 0 and w / total >= 0.02:  # only where the number fits inside the bar
                ax.text(
                    rect.get_x() + rect.get_width() / 2,
                    rect.get_y() + rect.get_height() / 2,
                    str(int(w)),
                    ha="center",
                    va="center",
                    fontsize=8 if w / total >= 0.045 else 7,
                    color=text_color,
                    fontweight="bold",
                )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for yy, tot in zip(ypos, left, strict=True):
        ax.text(tot + 0.01 * total, yy, f"{int(tot)}", va="center", ha="left", fontsize=8)
    ax.set_yticks(list(ypos))
    ax.set_yticklabels(kinds)
    ax.set_xlabel("number of checks")
    ax.set_ylabel("source kind")
    ax.set_xlim(0, max(left) * 1.08 if left and max(left) > 0 else 1)
    ax.legend(
        title="verdict", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8
    )
    return ax


#: Fill luminance at which #222222 and white text contrast equally (WCAG 2 formula).
_EQUAL_CONTRAST_LUMINANCE = 0.213


def _luminance(color: str) -> float:
    """WCAG relative luminance of a colour (0 black, 1 white)."""
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

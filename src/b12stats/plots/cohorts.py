"""Two cohorts, two sources: a secondary summary's medians beside the primary paper's means.

A secondary summary may print medians, "2.03x"-style ratios and sample sizes
that differ from the primary paper it claims to report (geometric means with
95% CIs). Drawn side by side on one axis, per compartment and country, the two
cannot both be right when the summary's values lie outside the primary CIs.

This module only draws; the values and ratios come from
:func:`b12stats.reanalysis.analysis_cohort_comparison`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from b12stats.errors import OptionError
from b12stats.format import format_fixed
from b12stats.plots.style import axes_or_current, require_columns

__all__ = ["VALUE_COLUMNS", "plot_cohort_comparison"]

#: Columns of the ``values`` frame: one row per (compartment, country, source).
#: ``source_kind`` is ``"primary"`` or ``"secondary"``; ``statistic`` what was
#: printed (``"geometric_mean"``, ``"median"``); CI columns NaN when none.
VALUE_COLUMNS = (
    "compartment",
    "country",
    "source_kind",
    "statistic",
    "value",
    "ci_low",
    "ci_high",
    "n",
)

_COMPARTMENT_LABEL = {
    "maternal": "maternal serum/plasma",
    "milk": "breast milk",
    "infant": "infant serum/plasma",
}


def plot_cohort_comparison(
    values: pd.DataFrame,
    *,
    ratios: pd.DataFrame | None = None,
    ax: Axes | None = None,
    unit: str = "pmol/L",
    countries: Sequence[str] | None = None,
    colors: Sequence[str] = ("#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e"),
    compartments: tuple[str, ...] = ("maternal", "milk", "infant"),
    secondary_label: str = "secondary source",
) -> Axes:
    """Draw both sources' values per compartment and country, with their ratios.

    Within each compartment group the primary source's values (filled circles
    with 95% CI bars) sit left of the secondary source's (open diamonds).
    With ``ratios``, each group is labelled with the country ratio of both
    sources (e.g. ``"summary 2.03x | primary 1.13x"``).

    Parameters
    ----------
    values
        Columns :data:`VALUE_COLUMNS`.
    ratios
        Optional; columns ``compartment, source_kind, ratio`` (first country
        over second) and ``ratio_text`` (how it is shown).
    ax
        Axes to draw on.
    unit
        y-axis unit.
    countries, colors
        The countries, in order (default: those in ``values["country"]``), and
        their colours (cycled when there are more countries).
    compartments
        Groups along the x axis, in order (keys of ``values.compartment``).
    secondary_label
        How the legend names the secondary source ("summary page").

    Returns
    -------
    Axes
        The axes with both sources' values by compartment (and the ratios above).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> v = pd.DataFrame({"compartment": ["milk"] * 2, "country": ["Canada", "Cambodia"],
    ...                   "source_kind": ["primary"] * 2, "statistic": ["geometric_mean"] * 2,
    ...                   "value": [452, 317], "ci_low": [400, 256], "ci_high": [504, 378],
    ...                   "n": [124, 69]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_cohort_comparison(v, compartments=("milk",))
    >>> len(ax.lines) > 0
    True
    >>> plt.close(fig)
    """
    from matplotlib.lines import Line2D

    require_columns(values, VALUE_COLUMNS, name="values")
    if countries is None:
        countries = list(dict.fromkeys(str(c) for c in values["country"]))
    countries = list(countries)
    if not countries:
        raise OptionError("values must hold at least one country")
    if not colors:
        raise OptionError("colors must name at least one colour")
    color_of = {c: colors[i % len(colors)] for i, c in enumerate(countries)}
    ax = axes_or_current(ax)
    # two slots (primary, secondary) per country, spread over 0.8 of each group
    step = 0.8 / (2 * len(countries))
    slots = [(c, kind) for c in countries for kind in ("primary", "secondary")]
    offsets = {slot: -0.4 + step / 2 + step * i for i, slot in enumerate(slots)}
    top = 0.0
    for g, comp in enumerate(compartments):
        for (country, kind), dx in offsets.items():
            sel = values[
                (values["compartment"] == comp)
                & (values["country"] == country)
                & (values["source_kind"] == kind)
            ]
            if sel.empty:
                continue
            row = sel.iloc[0]
            col = color_of[country]
            x = g + dx
            y = float(row["value"])
            top = max(top, y)
            if kind == "primary":
                yerr = None
                if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]):
                    yerr = [[y - float(row["ci_low"])], [float(row["ci_high"]) - y]]
                    top = max(top, float(row["ci_high"]))
                ax.errorbar([x], [y], yerr=yerr, fmt="o", color=col, ms=7, capsize=4, lw=1.5)
            else:
                ax.plot([x], [y], marker="D", ls="none", mfc="white", mec=col, mew=2, ms=7)
            ax.annotate(
                format_fixed(y, 0),
                (x, y),
                xytext=(7, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7,
                color=col,
            )
    ax.set_xticks(np.arange(len(compartments)))
    ax.set_xticklabels([_COMPARTMENT_LABEL.get(c, c) for c in compartments])
    ax.set_xlim(-0.6, len(compartments) - 0.4)
    ax.set_ylim(0, top * 1.3)
    if ratios is not None and len(ratios):
        for g, comp in enumerate(compartments):
            parts = []
            for kind, name in (("secondary", secondary_label), ("primary", "primary")):
                sel = ratios[(ratios["compartment"] == comp) & (ratios["source_kind"] == kind)]
                if not sel.empty:
                    parts.append(f"{name}: {sel.iloc[0]['ratio_text']}")
            if parts:
                ax.annotate(
                    f"{countries[0]} / {countries[1]}\n" + "\n".join(parts),
                    (g, top * 1.27),
                    ha="center",
                    va="top",
                    fontsize=7.5,
                )
    ax.set_ylabel(f"vitamin B12 ({unit})")

    def stat_words(kind: str) -> str:
        stats = values.loc[values["source_kind"] == kind, "statistic"]
        return " / ".join(dict.fromkeys(str(v).replace("_", " ") for v in stats))

    primary_ci = values.loc[values["source_kind"] == "primary", "ci_low"].notna().any()
    handles = [
        *(
            Line2D([], [], color=color_of[c], marker="s", ls="none", ms=7, label=c)
            for c in countries
        ),
        Line2D(
            [],
            [],
            color="0.3",
            marker="o",
            ls="-",
            ms=6,
            label=f"primary: {stat_words('primary')}" + (" (95% CI)" if primary_ci else ""),
        ),
        Line2D(
            [],
            [],
            color="0.3",
            marker="D",
            mfc="white",
            ls="none",
            ms=6,
            label=f"{secondary_label}: {stat_words('secondary')}",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=min(len(handles), 4),
        fontsize=8,
        frameon=False,
    )
    return ax

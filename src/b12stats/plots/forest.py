"""Forest plot of a correlation meta-analysis.

One row per study (point sized by its weight, horizontal line for its CI),
then the pooled estimate as a diamond spanning its CI, the prediction
interval as a line through the diamond row, and a line of heterogeneity
statistics. Several pools (subgroups) are stacked in one Axes.

Artists carry ``gid`` values so tests and users can find them:
``"study_ci"`` (one Line2D per study), ``"study_points"`` (one collection
per pool), ``"pooled_diamond"`` (Polygon), ``"prediction_interval"``
(Line2D) and ``"reference_line"``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from b12stats.errors import OptionError, check_option
from b12stats.format import MISSING, format_fixed, format_p_statement, format_pct
from b12stats.plots.style import COLORS, style_axes, style_context
from b12stats.stats.meta import MetaResult, MetaTable

__all__ = ["draw_diamond", "finish_forest_axes", "grouped_rows", "plot_forest"]

_TEST_NAMES = {"z": "z", "knha": "Knapp-Hartung"}
#: horizontal offsets (points, right of the Axes) of the text columns
_COL_ESTIMATE = 8.0
_COL_WEIGHT = 128.0


# ---- the forest primitive: shared by plot_forest, plot_correlations, plot_effects ----


def grouped_rows(
    groups: Sequence[Any], *, first_gap: float, group_gap: float, header_gap: float
) -> tuple[list[float], list[tuple[float, str]]]:
    """y positions of forest rows (one unit apart) under a header per new group.

    Returns the row positions and ``(y, name)`` of each group header: the first
    header sits ``first_gap`` below 0, later ones ``group_gap`` below the
    previous row, and the group's first row ``header_gap`` below its header.

    Examples
    --------
    >>> grouped_rows(["a", "a", "b"], first_gap=0.5, group_gap=1.5, header_gap=1.0)
    ([-1.5, -2.5, -5.0], [(-0.5, 'a'), (-4.0, 'b')])
    """
    y = 0.0
    ypos: list[float] = []
    headers: list[tuple[float, str]] = []
    last: Any = None
    for i, group in enumerate(groups):
        if i == 0 or group != last:
            y -= first_gap if i == 0 else group_gap
            headers.append((y, str(group)))
            y -= header_gap
            last = group
        else:
            y -= 1.0
        ypos.append(y)
    return ypos, headers


def draw_diamond(ax: Any, y: float, estimate: float, lo: float, hi: float, *, height: float,
                 **kwargs: Any) -> Any:  # fmt: skip
    """A pooled estimate: a diamond from ``lo`` to ``hi`` peaking at ``estimate``."""
    from matplotlib.patches import Polygon

    diamond = Polygon(
        [(lo, y), (estimate, y + height), (hi, y), (estimate, y - height)], closed=True, **kwargs
    )
    ax.add_patch(diamond)
    return diamond


def finish_forest_axes(
    ax: Any,
    ypos: Sequence[float],
    labels: Sequence[str],
    headers: Sequence[tuple[float, str]],
    *,
    header_x: float,
    header_fontsize: float,
    text_heading: str,
    text_x: float,
    text_fontsize: float,
    ylim: tuple[float, float],
) -> None:
    """Row labels as y ticks, bold group headers left of the axes, the text column's heading."""
    for hy, name in headers:
        ax.annotate(
            name,
            (header_x, hy),
            xycoords=("axes fraction", "data"),
            fontweight="bold",
            fontsize=header_fontsize,
            ha="right",
            va="center",
        )
    ax.set_yticks(list(ypos))
    ax.set_yticklabels([str(lab) for lab in labels])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(*ylim)
    ax.annotate(
        text_heading,
        (text_x, 0.0),
        xycoords=("axes fraction", "data"),
        va="top",
        ha="left",
        fontsize=text_fontsize,
        fontstyle="italic",
    )


#: Numbers beside the forest: fixed decimals, missing ones as :data:`b12stats.format.MISSING`.
_num = functools.partial(format_fixed, missing=MISSING)
#: Heterogeneity P: ``P = 0.012``, ``P < 0.001``.
_p = functools.partial(format_p_statement, style="threshold")


def _pooled_label(res: MetaResult) -> str:
    f = res.fit
    model = "equal-effects" if f.method == "EE" else f.method
    return f"Pooled ({model}, {_TEST_NAMES[f.test]}), k = {f.k}"


def _as_results(result: Any) -> list[MetaResult]:
    if isinstance(result, MetaResult):
        return [result]
    if isinstance(result, MetaTable):
        return list(result.results)
    if isinstance(result, Sequence) and all(isinstance(r, MetaResult) for r in result):
        if not result:
            raise OptionError("plot_forest needs at least one MetaResult")
        return list(result)
    raise OptionError(
        f"plot_forest needs a MetaResult, a MetaTable or a list of MetaResult, "
        f"not {type(result).__name__}"
    )


def plot_forest(
    result: MetaResult | MetaTable | Sequence[MetaResult],
    *,
    ax: Any = None,
    scale: str = "r",
    show_weights: bool = True,
    show_prediction: bool = True,
    title: str | None = None,
) -> Any:
    """Draw a forest plot of one or several pooled correlations.

    Parameters
    ----------
    result
        A :class:`~b12stats.stats.meta.MetaResult` (one pool), a
        :class:`~b12stats.stats.meta.MetaTable` or a list of results
        (stacked, each under its group name).
    ax
        Axes to draw on; a new figure sized to the number of rows if None.
    scale
        ``"r"`` (back-transformed correlations, asymmetric CIs) or ``"z"``
        (Fisher z, where the model is fitted).
    show_weights
        Write each study's weight (%) in a column on the right.
    show_prediction
        Draw the prediction interval (random-effects models only).
    title
        Axes title (default: the pool's group name when there is one pool
        with a name other than ``"all"``). Labels ending in ``[secondary]``
        are drawn in the "secondary" colour.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from b12stats.stats.meta import meta_correlations
    >>> res = meta_correlations([0.36, 0.51, 0.20, 0.31], [90, 40, 67, 100],
    ...                         labels=["A", "B", "C", "D"], method="DL")
    >>> ax = plot_forest(res)
    >>> ax.get_xlabel()
    'Correlation r (pooled on the Fisher z scale)'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    check_option("scale", scale, ("r", "z"))
    results = _as_results(result)
    tf = np.tanh if scale == "r" else (lambda x: x)

    # ---- rows, top to bottom -------------------------------------------
    multi = len(results) > 1
    n_rows = 1  # column header
    for res in results:
        n_rows += res.k + 2 + (1 if multi else 0) + 1  # studies, pooled, stats, header, gap
    n_rows -= 1

    import matplotlib.pyplot as plt
    from matplotlib.transforms import blended_transform_factory

    with style_context():
        if ax is None:
            labels = [lab for res in results for lab in (*res.labels, res.group)]
            labels += [_pooled_label(res) + "  " for res in results]  # bold: a little wider
            max_label = max(max(len(lab) for lab in labels), 20)
            width = 9.0
            fig = plt.figure(figsize=(width, 0.26 * n_rows + 1.1))
            left = min(0.45, (0.066 * max_label + 0.2) / width)
            right = 1.0 - (2.3 if show_weights else 1.7) / width
            bottom = 0.75 / (0.26 * n_rows + 1.1)
            ax = fig.add_axes(
                (left, bottom, right - left, 1.0 - bottom - 0.35 / fig.get_figheight())
            )
        style_axes(ax, grid_axis=None)
        trans = blended_transform_factory(ax.transAxes, ax.transData)

        def right_text(y: float, text: str, column: float, **kw: Any) -> None:
            ax.annotate(
                text,
                xy=(1.0, y),
                xycoords=trans,
                xytext=(column, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=8,
                annotation_clip=False,
                **kw,
            )

        y = float(n_rows - 1)
        level = format_pct(results[0].fit.conf_level, 0)
        right_text(y, f"{scale} [{level} CI]", _COL_ESTIMATE, fontweight="bold")
        if show_weights:
            right_text(y, "Weight", _COL_WEIGHT, fontweight="bold")
        y -= 1
        ticks: list[float] = []
        tick_labels: list[str] = []
        bold_ticks: list[int] = []
        xs_all: list[float] = []
        for res in results:
            f = res.fit
            if multi:
                ticks.append(y)
                tick_labels.append(res.group)
                bold_ticks.append(len(ticks) - 1)
                y -= 1
            studies = res.studies()
            lo = tf(studies["ci_low_z"].to_numpy())
            hi = tf(studies["ci_high_z"].to_numpy())
            pt = tf(studies["z"].to_numpy())
            wts = studies["weight_pct"].to_numpy()
            ys = y - np.arange(res.k, dtype=float)
            for yi, a, b in zip(ys, lo, hi, strict=True):
                (line,) = ax.plot([a, b], [yi, yi], color=COLORS["study"], lw=1.0)
                line.set_gid("study_ci")
            sizes = 12.0 + 110.0 * wts / np.nanmax(wts)
            pts = ax.scatter(pt, ys, s=sizes, marker="s", color=COLORS["study"], zorder=3)
            pts.set_gid("study_points")
            for yi, a, b, c, w in zip(ys, pt, lo, hi, wts, strict=True):
                right_text(yi, f"{_num(a)} [{_num(b)}, {_num(c)}]", _COL_ESTIMATE)
                if show_weights:
                    right_text(yi, f"{format_fixed(w, 1)}%", _COL_WEIGHT)
            ticks.extend(ys.tolist())
            tick_labels.extend(res.labels)
            xs_all.extend(lo.tolist() + hi.tolist())
            y -= res.k

            # pooled diamond
            est, clo, chi = tf(f.estimate), tf(f.ci_low), tf(f.ci_high)
            ticks.append(y)
            tick_labels.append(_pooled_label(res))
            bold_ticks.append(len(ticks) - 1)
            if np.isfinite(clo) and np.isfinite(chi):
                if show_prediction and np.isfinite(f.pi_low):
                    plo, phi = tf(f.pi_low), tf(f.pi_high)
                    (pi_line,) = ax.plot(
                        [plo, phi],
                        [y, y],
                        color=COLORS["prediction"],
                        lw=1.4,
                        solid_capstyle="butt",
                        zorder=2,
                    )
                    pi_line.set_gid("prediction_interval")
                    for end in (plo, phi):
                        ax.plot(
                            [end, end], [y - 0.18, y + 0.18], color=COLORS["prediction"], lw=1.4
                        )
                    xs_all.extend([plo, phi])
                diamond = draw_diamond(
                    ax,
                    y,
                    est,
                    clo,
                    chi,
                    height=0.34,
                    facecolor=COLORS["pooled"],
                    edgecolor=COLORS["pooled"],
                    zorder=4,
                )
                diamond.set_gid("pooled_diamond")
                xs_all.extend([clo, chi])
                right_text(
                    y,
                    f"{_num(est)} [{_num(clo)}, {_num(chi)}]",
                    _COL_ESTIMATE,
                    fontweight="bold",
                    color=COLORS["pooled"],
                )
            else:
                right_text(y, f"{_num(est)} (no CI)", _COL_ESTIMATE, fontweight="bold")
            y -= 1

            # heterogeneity line
            if f.method == "EE":
                het = f"Q = {_num(f.q)} ({_num(f.q_df, 0)} df), {_p(f.q_p_value)}; "
                het += f"I² = {_num(f.i2, 0)}%; τ² assumed 0"
            elif f.k == 1:
                het = "k = 1: heterogeneity not estimable"
            else:
                het = (
                    f"τ² = {_num(f.tau2, 4)} "
                    f"[{_num(f.tau2_ci_low, 4)}, {_num(f.tau2_ci_high, 4)}]; "
                    f"I² = {_num(f.i2, 0)}%; Q = {_num(f.q)} ({_num(f.q_df, 0)} df), "
                    f"{_p(f.q_p_value)}"
                )
                if show_prediction and np.isfinite(f.pi_low):
                    het += f"; PI [{_num(tf(f.pi_low))}, {_num(tf(f.pi_high))}]"
            ax.text(
                0.0,
                y,
                het,
                transform=trans,
                ha="left",
                va="center",
                fontsize=7,
                color=COLORS["text_muted"],
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
                zorder=5,
            )
            y -= 2 if multi else 1

        # ---- axes ----------------------------------------------------------
        ax.set_yticks(ticks, tick_labels)
        for i, lab in enumerate(ax.get_yticklabels()):
            if i in bold_ticks:
                lab.set_fontweight("bold")
            if lab.get_text().endswith("[secondary]"):
                lab.set_color(COLORS["secondary"])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(y + 0.5, n_rows - 0.5)
        finite = [x for x in xs_all if np.isfinite(x)]
        lo_x, hi_x = (min(finite), max(finite)) if finite else (-1.0, 1.0)
        lo_x, hi_x = min(lo_x, 0.0), max(hi_x, 0.0)
        pad = 0.04 * (hi_x - lo_x or 1.0)
        lo_x, hi_x = lo_x - pad, hi_x + pad
        if scale == "r":
            lo_x, hi_x = max(lo_x, -1.0), min(hi_x, 1.0)
        ax.set_xlim(lo_x, hi_x)
        ref = ax.axvline(0.0, color=COLORS["reference"], lw=0.8, ls="--", zorder=1)
        ref.set_gid("reference_line")
        if scale == "r":
            ax.set_xlabel("Correlation r (pooled on the Fisher z scale)")
        else:
            ax.set_xlabel("Fisher z = atanh(r)")
        if title is None and not multi and results[0].group != "all":
            title = results[0].group
        if title:
            ax.set_title(title, loc="left")
    if not math.isfinite(lo_x):  # pragma: no cover - defensive
        raise OptionError("nothing finite to plot")
    return ax

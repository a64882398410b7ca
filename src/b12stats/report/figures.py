"""The report's figures: each lays a reanalysis result out with :mod:`b12stats.plots`."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from b12stats.format import format_number
from b12stats.plots.style import RC
from b12stats.plots.style import style_context as _shared_style_context
from b12stats.reanalysis.audit_summary import AuditResult
from b12stats.reanalysis.cohorts import CohortsResult
from b12stats.reanalysis.correlations import CorrelationsResult
from b12stats.reanalysis.distributions import _COMPARTMENT_NAME, DistributionsResult
from b12stats.reanalysis.effects import EffectsResult
from b12stats.reanalysis.power import PowerResult
from b12stats.reanalysis.ptrend import PTrendResult
from b12stats.reanalysis.simulated_cohort import SimulatedCohortResult


def _and_values(values: Any) -> str:
    """The distinct numbers of a column, as text (``0.05``)."""
    return ", ".join(format_number(float(v)) for v in dict.fromkeys(values))


#: The figure style: :data:`b12stats.plots.style.RC`, the one style source.
STYLE = RC


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the b12stats figure style inside a ``with`` block only.

    :func:`b12stats.plots.style.style_context`; rcParams are restored on exit.
    """
    with _shared_style_context():
        yield


#: Largest PNG written by :func:`save_figure_set` (committed figures stay small).
MAX_PNG_BYTES = 300_000


def save_figure_set(
    fig: Any,
    directory: str | Path,
    name: str,
    *,
    formats: Sequence[str] = ("png", "pdf"),
    dpi: int = 150,
    max_png_bytes: int = MAX_PNG_BYTES,
) -> list[Path]:
    """Save ``fig`` as ``directory/name.<fmt>`` for every format, atomically.

    PNGs are drawn at ``dpi``; if the file would exceed ``max_png_bytes`` the
    resolution is lowered step by step (to no less than 72 dpi). Vector formats
    (PDF, SVG) are resolution-independent.
    """
    from b12stats._io import save_figure, write_bytes

    paths = []
    for fmt in formats:
        path = Path(directory) / f"{name}.{fmt}"
        if fmt == "png":
            res = dpi
            while True:
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=res, bbox_inches="tight")
                if buf.tell() <= max_png_bytes or res <= 72:
                    break
                res = max(72, int(res * 0.85))
            write_bytes(path, buf.getvalue())
        else:  # no creation date in the file, so regenerated figures diff only when they change
            meta = (
                {"CreationDate": None} if fmt == "pdf" else {"Date": None} if fmt == "svg" else {}
            )
            save_figure(fig, path, bbox_inches="tight", metadata=meta)
        paths.append(path)
    return paths


def figure_distributions(res: DistributionsResult) -> Any:
    """Infant blood (left), milk (right), a row per cohort (:func:`plot_quartile_distribution`)."""
    import matplotlib.pyplot as plt

    from b12stats.plots.distributions import plot_quartile_distribution

    cohorts = list(dict.fromkeys(p.cohort or p.country for p in res.panels)) or ["none"]
    country_of = {p.cohort or p.country: p.country for p in res.panels}
    kinds = ("infant", "milk")
    with style_context():
        fig, axes = plt.subplots(
            len(cohorts), len(kinds), figsize=(10.5, 3.5 * len(cohorts)), squeeze=False
        )
        for j, kind in enumerate(kinds):
            col_panels = [p for p in res.panels if p.compartment.startswith(kind)]
            if col_panels:  # one x range per column so the cohorts compare at a glance
                lo = min(float(p.fit.quantile(0.002)) for p in col_panels)
                hi = max(float(p.fit.quantile(0.998)) for p in col_panels)
            for i, cohort in enumerate(cohorts):
                ax = axes[i][j]
                country = country_of.get(cohort, cohort)
                match = [p for p in col_panels if (p.cohort or p.country) == cohort]
                if not match:
                    ax.set_axis_off()
                    ax.text(
                        0.5,
                        0.5,
                        f"{country}: no {kind} summary published",
                        ha="center",
                        va="center",
                        transform=ax.transAxes,
                    )
                    continue
                panel = match[0]
                plot_quartile_distribution(
                    panel.fit,
                    shares=panel.shares,
                    marks=panel.marks,
                    ax=ax,
                    unit=panel.unit,
                    quantity=_COMPARTMENT_NAME.get(panel.compartment, panel.compartment),
                    title=panel.title,
                    xlim=(lo, hi),
                )
            # and one density scale per column: equal heights mean equal densities
            drawn = [axes[i][j] for i in range(len(cohorts)) if axes[i][j].axison]
            if drawn:
                top = max(ax.get_ylim()[1] for ax in drawn)
                for ax in drawn:
                    ax.set_ylim(0, top)
        fig.tight_layout()
    return fig


def _one_axes(
    figsize: tuple[float, float], draw: Callable[[Any], Any], title: str, **title_kw: Any
) -> Any:
    """A figure of one Axes in the b12stats style: ``draw(ax)``, a left title, tight layout."""
    import matplotlib.pyplot as plt

    with style_context():
        fig, ax = plt.subplots(figsize=figsize)
        draw(ax)
        ax.set_title(title, loc="left", **title_kw)
        fig.tight_layout()
    return fig


def figure_cohort_comparison(res: CohortsResult) -> Any:
    """The two sources on one axis (:func:`plot_cohort_comparison`)."""
    from b12stats.plots.cohorts import plot_cohort_comparison

    secondary = res.secondary_label or "secondary source"
    return _one_axes(
        (7.5, 4.6),
        lambda ax: plot_cohort_comparison(
            res.values,
            ratios=res.ratios,
            ax=ax,
            countries=res.countries,
            secondary_label=secondary,
        ),
        f"{' vs '.join(res.countries)} ({res.primary_label}): primary abstract vs {secondary}",
    )


def figure_supplement_effects(res: EffectsResult) -> Any:
    """Percent differences by period and timepoint (:func:`plot_effects`)."""
    from b12stats.plots.effects import plot_effects

    what = ", ".join(res.outcomes)
    places = sorted(set(res.places))
    return _one_axes(
        (7.5, 2.8),
        lambda ax: plot_effects(
            res.table, ax=ax, xlabel=f"difference in {what}, supplement vs placebo (%)"
        ),
        f"{', '.join(res.labels)} ({', '.join(places)}): {what}, supplement vs placebo",
    )


def figure_correlations(res: CorrelationsResult) -> Any:
    """Grouped forest plot (:func:`b12stats.plots.correlations.plot_correlations`)."""
    from b12stats.plots.correlations import plot_correlations

    n_lines = len(res.rows) + 1.4 * res.rows["group"].nunique()
    return _one_axes(
        (9.5, 0.3 * n_lines + 1.0),
        lambda ax: plot_correlations(
            res.rows, ax=ax, xlabel="correlation r, or difference in r (95% CI)"
        ),
        "Published correlations of B12 between mother, milk and infant",
        pad=12,
    )


def figure_simulated_cohort(res: SimulatedCohortResult) -> Any:
    """Scatter with GEE fit and cut-offs (:func:`b12stats.plots.scatter.plot_milk_infant`)."""
    from b12stats.plots.scatter import plot_milk_infant

    s = res.summary.iloc[0]
    return _one_axes(
        (7.8, 4.6),
        lambda ax: plot_milk_infant(
            res.cohort,
            line=res.line,
            target_r=float(s["target_r"]),
            simulated_r=float(s["simulated_r"]),
            r_label="r (log scale)",
            line_label="GEE fit, log-log (95% CI)",
            milk_cutoff=res.milk_level if np.isfinite(res.milk_level) else None,
            infant_cutoff=res.adequacy_cutoff,
            ax=ax,
        ),
        f"Simulated {res.design_label}-like cohort ({int(s['n_dyads'])} dyads, "
        f"{int(s['n_clusters'])} clusters; seed {res.seed})",
    )


def figure_power(res: PowerResult) -> Any:
    """Power curves (:func:`b12stats.plots.power.plot_power`)."""
    from b12stats.plots.power import plot_power

    alpha = _and_values(res.table["alpha"]) if "alpha" in res.table else ""
    return _one_axes(
        (7.5, 4.2),
        lambda ax: plot_power(
            res.table, ax=ax, mark_n=res.design_n, mark_label=res.design_n_label
        ),
        f"Power at alpha = {alpha}, {res.design_label}-like design (clusters scale with dyads)",
    )


def figure_ptrend(res: PTrendResult) -> Any:
    """The simulated P-trend distributions (:func:`b12stats.plots.ptrend.plot_p_distribution`)."""
    from b12stats.plots.ptrend import plot_p_distribution

    return _one_axes(
        (7.5, 4.2),
        lambda ax: plot_p_distribution(
            res.pvalues,
            published_p=res.published_p,
            published_label=f"{res.published_label} {res.published_text.split('=')[0].strip()}",
            ax=ax,
        ),
        f"Milk-quartile trend test in simulated {res.design_label}-like cohorts",
    )


def figure_audit(res: AuditResult) -> Any:
    """Verdict counts by source kind (:func:`b12stats.plots.audit.plot_audit`)."""
    from b12stats.plots.audit import plot_audit

    return _one_axes(
        (7.5, 2.8),
        lambda ax: plot_audit(res.table, ax=ax, verdict_order=res.verdicts or None),
        f"Audit: {len(res.table)} checks of published claims",
    )

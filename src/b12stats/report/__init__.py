"""The whole reanalysis in one self-contained HTML file.

The numbers come from :mod:`b12stats.reanalysis` (one function per analysis,
the same ones the scripts in ``analyses/`` call); :mod:`b12stats.report.figures`
lays each result out with :mod:`b12stats.plots`; :mod:`b12stats.report.sections`
turns it into a finding in plain words; the page is the Jinja2 template
``templates/report.html.j2`` with the CSS file ``templates/report.css`` inlined,
and every table goes through :func:`b12stats.report.tables.table_view` and one
template macro.

:func:`build_report` runs every section, embeds the figures as base64 PNG,
adds the audit table, every simulation assumption, the sources with their
DOIs, and the package version, seed and date, and writes ``DIR/index.html``
atomically. A section whose library piece is missing from this installation
says "not available in this version" instead of failing.

Examples
--------
>>> from b12stats.reanalysis import analysis_supplement_effects
>>> res = analysis_supplement_effects()
>>> res.table[["label", "estimate"]].dropna().to_dict("records")[0]
{'label': '6 weeks postpartum', 'estimate': 34.4}
"""

from __future__ import annotations

from b12stats.reanalysis import DEFAULT_REPS, DEFAULT_SEED
from b12stats.report.build import SOURCE_KIND_HEADINGS, Section, build_report, run_section
from b12stats.report.figures import (
    MAX_PNG_BYTES,
    STYLE,
    figure_audit,
    figure_cohort_comparison,
    figure_correlations,
    figure_distributions,
    figure_power,
    figure_ptrend,
    figure_simulated_cohort,
    figure_supplement_effects,
    save_figure_set,
    style_context,
)

__all__ = [
    "DEFAULT_REPS",
    "DEFAULT_SEED",
    "MAX_PNG_BYTES",
    "SOURCE_KIND_HEADINGS",
    "STYLE",
    "Section",
    "build_report",
    "figure_audit",
    "figure_cohort_comparison",
    "figure_correlations",
    "figure_distributions",
    "figure_power",
    "figure_ptrend",
    "figure_simulated_cohort",
    "figure_supplement_effects",
    "run_section",
    "save_figure_set",
    "style_context",
]

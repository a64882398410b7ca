"""03 - A secondary summary against the primary paper it cites (Canada vs Cambodia).

Run:  python analyses/03_canada_cambodia.py
Writes figures/canada_cambodia.{png,pdf} and analyses/results/canada_cambodia_*.csv.

The primary paper prints geometric means with 95% CIs; a summary page claiming
to report the same study prints medians, ratios and other sample sizes. The
ratios are checked against the summary's own medians
(b12stats.stats.effects.check_ratio), and each median against the primary CI.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.data import load_sources
from b12stats.reanalysis import analysis_cohort_comparison
from b12stats.report import figure_cohort_comparison, save_figure_set

SECONDARY_SOURCE = None  # None: the first secondary source citing a primary (sources.csv)
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load: which secondary source claims to report which primary paper
sources = load_sources()
print(sources.loc[sources["kind"] == "secondary", ["source_id", "cites_source_id"]])

# 2. compute: values side by side, ratios (printed and recomputed), CI coverage
res = analysis_cohort_comparison(SECONDARY_SOURCE)
print(
    f"{res.secondary_source_id} vs {res.primary_source_id}: n {res.secondary_n} vs {res.primary_n}"
)
print(res.outside_ci.to_string(index=False))
print(res.ratios[["compartment", "source_kind", "ratio", "ratio_printed"]].to_string(index=False))

# 3. write and plot (b12stats.plots.cohorts.plot_cohort_comparison)
write_csv(OUT / "analyses/results/canada_cambodia_values.csv", res.values)
write_csv(OUT / "analyses/results/canada_cambodia_ratios.csv", res.ratios)
write_csv(OUT / "analyses/results/canada_cambodia_vs_primary_ci.csv", res.outside_ci)
save_figure_set(figure_cohort_comparison(res), OUT / "figures", "canada_cambodia")

"""03 - Canada vs Cambodia: the summary page's medians against the primary paper.

Run:  python analyses/03_canada_cambodia.py
Writes figures/canada_cambodia.{png,pdf} and analyses/results/canada_cambodia_*.csv.

Chebaya et al. 2017 (doi:10.3390/nu9030270) print geometric means with 95% CIs
(n = 124 and 69); a summary page claiming to report the same study prints
medians and ratios for n = 40 and 67. The ratios are checked against the
summary's own medians (b12stats.stats.effects.check_ratio), and each median
against the primary paper's CI.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import analysis_canada_cambodia, figure_canada_cambodia, save_figure_set

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"

res = analysis_canada_cambodia()
print(res.outside_ci.to_string(index=False))
print(res.ratios[["compartment", "source_kind", "ratio", "ratio_printed"]].to_string(index=False))

write_csv(RESULTS / "canada_cambodia_values.csv", res.values)
write_csv(RESULTS / "canada_cambodia_ratios.csv", res.ratios)
write_csv(RESULTS / "canada_cambodia_vs_primary_ci.csv", res.outside_ci)
save_figure_set(figure_canada_cambodia(res), FIGURES, "canada_cambodia")

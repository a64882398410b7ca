"""02 - A simulated Kenya-like cohort and the papers' two GEE models.

Run:  python analyses/02_kenya.py [SEED]
Writes figures/kenya_scatter.{png,pdf} and analyses/results/kenya_*.csv.

The design (b12stats.simulate.get_design("kenya")) takes the marginals from the
printed quartiles and r = 0.36 from Williams 2018; the number of clusters, the
ICCs and the scale of r are assumptions, listed in kenya_assumptions.csv. To
change one, edit the design, e.g. ``get_design("kenya").replace(n_clusters=30)``,
and call b12stats.simulate.simulate_cohort / b12stats.models.fit_linear yourself.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import DEFAULT_SEED, analysis_kenya, figure_kenya, save_figure_set

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"
SEED = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED

# Simulate one cohort, fit log(infant) ~ log(milk) (GEE, exchangeable, robust SE)
# and the logistic trend model of adequacy (> 220 pmol/L) on milk-B12 quartiles.
kenya = analysis_kenya(seed=SEED)
print(kenya.summary.T.to_string(header=False))
print(kenya.linear[["term", "estimate", "se", "ci_low", "ci_high", "p_value"]].to_string())

write_csv(RESULTS / "kenya_summary.csv", kenya.summary)
write_csv(RESULTS / "kenya_linear.csv", kenya.linear)
write_csv(RESULTS / "kenya_trend.csv", kenya.trend)
write_csv(RESULTS / "kenya_assumptions.csv", kenya.assumptions)
save_figure_set(figure_kenya(kenya), FIGURES, "kenya_scatter")

"""02 - A simulated Kenya-like cohort and the papers' two GEE models.

Run:  python analyses/02_kenya.py
Writes figures/kenya_scatter.{png,pdf} and analyses/results/kenya_*.csv.

The design takes the marginals from the printed quartiles and r from Williams
2018; clusters, ICCs and the scale of r are assumptions (kenya_assumptions.csv).
Edit the constants, or the design: get_design(DESIGN).replace(n_clusters=30).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.reanalysis import DEFAULT_SEED, analysis_simulated_cohort
from b12stats.report import figure_simulated_cohort, save_figure_set
from b12stats.simulate import get_design

DESIGN = "kenya"  # a built-in design (data/designs) or a Design object of your own
SEED = int(os.environ.get("B12STATS_SEED", DEFAULT_SEED))
N_DYADS = None  # None: the design's own number of dyads
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load: the design and every assumption behind it
design = get_design(DESIGN)
print(design.describe()[["parameter", "value", "status"]].to_string(index=False))

# 2. compute: simulate one cohort (b12stats.simulate.simulate_cohort), fit
#    log(infant) ~ log(milk) (b12stats.models.fit_linear, exchangeable GEE, robust SE)
#    and the logistic trend of adequacy on milk-B12 quartiles (b12stats.models.fit_trend)
res = analysis_simulated_cohort(seed=SEED, n_dyads=N_DYADS, design=DESIGN)
print(res.summary.T.to_string(header=False))
print(res.linear[["term", "estimate", "se", "ci_low", "ci_high", "p_value"]].to_string())

# 3. write and plot (b12stats.plots.scatter.plot_milk_infant)
write_csv(OUT / "analyses/results/kenya_summary.csv", res.summary)
write_csv(OUT / "analyses/results/kenya_linear.csv", res.linear)
write_csv(OUT / "analyses/results/kenya_trend.csv", res.trend)
write_csv(OUT / "analyses/results/kenya_assumptions.csv", res.assumptions)
save_figure_set(figure_simulated_cohort(res), OUT / "figures", "kenya_scatter")

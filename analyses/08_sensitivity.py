"""08 - Which conclusions hinge on a number nobody published?

Run:  python analyses/08_sensitivity.py
Writes figures/sensitivity.{png,pdf}, analyses/results/sensitivity.csv and
analyses/results/sensitivity_conclusions.csv.

The Kenya design assumes its intra-cluster correlations, number of clusters,
cluster sizes and the scale of the printed r. Its design file gives each a
plausible range (data/designs/kenya.toml, key `plausible`). We vary one at a
time over its range, the others at the design's value, simulate REPS studies
of the design's n per value (b12stats.power.sensitivity, trend model, common
random numbers) and ask whether two conclusions hold at every value: power
reaches 80%, and the published P-trend stays (im)plausible (the share of
simulated P at or above it, as in 07_ptrend.py).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.plots.sensitivity import figure_sensitivity
from b12stats.power import plausible_vary
from b12stats.reanalysis import DEFAULT_REPS, DEFAULT_SEED, analysis_sensitivity
from b12stats.reanalysis.sensitivity import SENSITIVITY_REPS_DIVISOR
from b12stats.report import save_figure_set
from b12stats.simulate import get_design

DESIGN = "kenya"  # or a .toml file of your own with plausible = [...] ranges
PARAMETERS = None  # e.g. ("icc_infant", "n_clusters"); None: every range the design gives
N_DYADS = None  # None: the design's own n
REPS = int(os.environ.get("B12STATS_REPS", DEFAULT_REPS // SENSITIVITY_REPS_DIVISOR))
SEED = int(os.environ.get("B12STATS_SEED", DEFAULT_SEED))
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load: the design and the plausible ranges of its assumed numbers
design = get_design(DESIGN)
print(plausible_vary(design, PARAMETERS))  # parameter -> values; reasons: design.describe()

# 2. compute: sensitivity(design, vary=ranges, crossed=False, model="trend", reps=REPS,
#    rng=SEED), then per variant the share of P at or above the published P-trend
res = analysis_sensitivity(
    seed=SEED, reps=REPS, design=DESIGN, parameters=PARAMETERS, n_dyads=N_DYADS
)
cols = ["conclusion", "parameter", "values", "holds", "worst_value", "worst_estimate"]
print(res.conclusions[cols].to_string(index=False))

# 3. write and plot (b12stats.plots.sensitivity: one panel per parameter and measure)
write_csv(OUT / "analyses/results/sensitivity.csv", res.table)
write_csv(OUT / "analyses/results/sensitivity_conclusions.csv", res.conclusions)
measures = [("power", "power_mcse", "power", res.target_power)]
if res.published_text:
    label = "simulated P-trends at or above the published"
    measures.append(("share_p_at_or_above_published", "share_mcse", label, 0.05))
fig = figure_sensitivity(res.table, res.parameters, measures=measures)
save_figure_set(fig, OUT / "figures", "sensitivity")

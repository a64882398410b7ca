"""06 - How many dyads? Power of the linear and trend GEE models by simulation.

Run:  python analyses/06_power.py
Writes figures/power.{png,pdf} and analyses/results/power.csv.

For each number of dyads (clusters scale with dyads as in the design) the design
is simulated REPS times, both models are fitted with the batched GEE engine and
the share of significant slopes / trends is the power, with its Monte Carlo SE
(b12stats.power.power). 200 reps give MCSE <= 3.5 points; use 1000 or more for
a protocol (B12STATS_REPS=1000 python analyses/06_power.py).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.reanalysis import DEFAULT_REPS, DEFAULT_SEED, analysis_power
from b12stats.report import figure_power, save_figure_set
from b12stats.simulate import get_design

DESIGN = "kenya"  # a built-in design (data/designs) or a Design object of your own
N_DYADS = None  # points of the curves; None: 30, 60, 100, 150, 200, 400 and the design's n
MODELS = ("linear", "trend")  # log-log slope; milk-quartile trend in adequacy
REPS = int(os.environ.get("B12STATS_REPS", DEFAULT_REPS))
SEED = int(os.environ.get("B12STATS_SEED", DEFAULT_SEED))
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load the design (every assumption: design.describe())
design = get_design(DESIGN)

# 2. compute: one power curve per model, i.e. b12stats.power.power(design,
#    n_dyads=N_DYADS, reps=REPS, model=m, rng=SEED) for m in MODELS, plus labels
res = analysis_power(seed=SEED, reps=REPS, n_dyads=N_DYADS, design=DESIGN, models=MODELS)
table = res.table
print(table[["model", "n_dyads", "n_clusters", "power", "power_mcse"]].to_string(index=False))
print(
    f"{design.name}: {design.n_dyads} dyads ({res.design_n_label}) in {design.n_clusters} clusters"
)

# 3. write and plot (b12stats.plots.power.plot_power)
write_csv(OUT / "analyses/results/power.csv", table)
save_figure_set(figure_power(res), OUT / "figures", "power")

"""06 - How many dyads? Power of the linear and trend GEE models by simulation.

Run:  python analyses/06_power.py [REPS] [SEED]
Writes figures/power.{png,pdf} and analyses/results/power.csv.

For each number of dyads (clusters scale with dyads as in the Kenya design) the
design is simulated REPS times, both models are fitted with the batched GEE
engine and the share of significant slopes / trends is the power, with its
Monte Carlo SE (b12stats.power.power). 200 reps give MCSE <= 3.5 points; use
1000 or more for a protocol.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    analysis_power,
    figure_power,
    save_figure_set,
)

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REPS
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED

res = analysis_power(seed=SEED, reps=REPS, n_dyads=[30, 60, 100, 150, 200, 286, 400])
print(res.table[["model", "n_dyads", "n_clusters", "power", "power_mcse"]].to_string(index=False))

write_csv(RESULTS / "power.csv", res.table)
save_figure_set(figure_power(res), FIGURES, "power")

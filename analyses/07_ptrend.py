"""07 - How plausible is the published P-trend = 0.03 given r = 0.36?

Run:  python analyses/07_ptrend.py [SEED] [REPS]
Writes figures/ptrend.{png,pdf} and analyses/results/ptrend.csv.

Williams 2018 printed r = 0.36 (milk vs infant serum B12) and, from a
multivariable logistic GEE, P-trend = 0.03 for milk B12 and infant adequacy.
We simulate Kenya-like cohorts (b12stats.simulate.get_design("kenya")), fit the
trend model in each (b12stats.power.replicate_estimates) and ask how often a
cohort like that gives a P-trend as large as 0.03. The number of dyads and
clusters behind the published P was not published, so we try three sizes;
edit PTREND_SCENARIOS below, or the design (e.g. .replace(icc_infant=0.2)).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    PTREND_REPS_FACTOR,
    PTREND_SCENARIOS,
    analysis_ptrend,
    figure_ptrend,
    save_figure_set,
)

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"
SEED = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_REPS * PTREND_REPS_FACTOR

res = analysis_ptrend(seed=SEED, reps=REPS, scenarios=PTREND_SCENARIOS)
print(f"published: {res.published_text}")
print(res.table.to_string(index=False))

write_csv(RESULTS / "ptrend.csv", res.table)
save_figure_set(figure_ptrend(res), FIGURES, "ptrend")

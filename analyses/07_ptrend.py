"""07 - How plausible is the published P-trend given the published r?

Run:  python analyses/07_ptrend.py
Writes figures/ptrend.{png,pdf} and analyses/results/ptrend.csv.

Williams 2018 printed r = 0.36 (milk vs infant serum B12) and, from a
multivariable logistic GEE, a P-trend for milk B12 and infant adequacy. We
simulate cohorts from the design, fit the trend model in each
(b12stats.power.replicate_estimates) and ask how often a cohort like that gives
a P-trend as large as the published one (b12stats.stats.simulation_metrics.tail_share,
with its Monte Carlo SE). The number of dyads and clusters behind the published
P was not published, so we try several sizes.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.data import load_effects
from b12stats.reanalysis import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    PTREND_REPS_FACTOR,
    analysis_ptrend,
)
from b12stats.report import figure_ptrend, save_figure_set

DESIGN = "kenya"  # or e.g. get_design("kenya").replace(icc_infant=0.2)
SCENARIOS = None  # (n_dyads, n_clusters) pairs; None: the design's own, then (150, 30), (100, 20)
REPS = int(os.environ.get("B12STATS_REPS", DEFAULT_REPS * PTREND_REPS_FACTOR))
SEED = int(os.environ.get("B12STATS_SEED", DEFAULT_SEED))
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load: the published trend tests (effects.csv rows with measure trend_test)
effects = load_effects()
print(effects.loc[effects["measure"] == "trend_test", ["row_id", "p_text"]].to_string())

# 2. compute: per scenario, replicate_estimates(design, n_dyads=n, n_clusters=k,
#    reps=REPS, model="trend", rng=SEED), then tail_share(p, published_p)
res = analysis_ptrend(seed=SEED, reps=REPS, scenarios=SCENARIOS, design=DESIGN)
print(f"published: {res.published_text} ({res.published_row_id})")
print(res.table.to_string(index=False))

# 3. write and plot (b12stats.plots.ptrend.plot_p_distribution)
write_csv(OUT / "analyses/results/ptrend.csv", res.table)
save_figure_set(figure_ptrend(res), OUT / "figures", "ptrend")

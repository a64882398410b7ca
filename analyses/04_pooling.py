"""04 - Every published correlation, pooled where pooling is allowed.

Run:  python analyses/04_pooling.py
Writes figures/correlations.{png,pdf} and analyses/results/correlations_*.csv.

Pools are formed per variable pair from primary sources only
(b12stats.pooling.pool_table); rows without r or n, adjusted coefficients
and secondary-source rows are listed with the reason they were left out. The
secondary source's two correlations are compared with Fisher's z test and
Zou's interval (b12stats.stats.correlation.compare_correlations).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.data import load_correlations
from b12stats.pooling import pool_table
from b12stats.reanalysis import analysis_correlations
from b12stats.report import figure_correlations, save_figure_set

METHOD = os.environ.get("B12STATS_METHOD", "REML")  # tau^2 estimator: REML, DL, PM or EE
SOURCE_KINDS = ["primary"]  # which sources may enter a pool
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load every bundled correlation
corr = load_correlations()

# 2. compute: the pools by hand ...
pools = pool_table(corr, by=["pair"], label="row_id", source_kinds=SOURCE_KINDS,
                   on_unpoolable="skip", method=METHOD)  # fmt: skip
print(pools.to_frame()[["group", "k", "n_total", "estimate_r", "ci_low_r", "ci_high_r"]])
# ... and with the forest-plot rows, exclusions and the comparison of two r
res = analysis_correlations(method=METHOD)
print(res.rows[["group", "label", "text"]].to_string(index=False))
print(res.excluded.to_string(index=False))

# 3. write and plot (b12stats.plots.correlations.plot_correlations)
write_csv(OUT / "analyses/results/correlations_rows.csv", res.rows)
write_csv(OUT / "analyses/results/correlations_pooled.csv", res.pooled)
write_csv(OUT / "analyses/results/correlations_excluded.csv", res.excluded)
write_csv(OUT / "analyses/results/correlations_comparison.csv", res.comparison)
save_figure_set(figure_correlations(res), OUT / "figures", "correlations")

"""04 - Every published correlation, pooled where pooling is allowed; 0.51 vs 0.20.

Run:  python analyses/04_pooling.py [METHOD]   (METHOD: REML (default), DL, PM, EE)
Writes figures/correlations.{png,pdf} and analyses/results/correlations_*.csv.

Pools are formed per variable pair from primary sources only
(b12stats.stats.meta.pool_table); rows without r or n, adjusted coefficients and
secondary-source rows are listed with the reason they were left out. The
summary page's r = 0.51 (n = 40) and r = 0.20 (n = 67) are compared with
Fisher's z test and Zou's interval (b12stats.stats.correlation.compare_correlations).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import analysis_correlations, figure_correlations, save_figure_set

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"
METHOD = sys.argv[1] if len(sys.argv) > 1 else "REML"

res = analysis_correlations(method=METHOD)
print(res.rows[["group", "label", "text"]].to_string(index=False))
print(res.excluded.to_string(index=False))

write_csv(RESULTS / "correlations_rows.csv", res.rows)
write_csv(RESULTS / "correlations_pooled.csv", res.pooled)
write_csv(RESULTS / "correlations_excluded.csv", res.excluded)
write_csv(RESULTS / "correlations_comparison.csv", res.comparison)
save_figure_set(figure_correlations(res), FIGURES, "correlations")

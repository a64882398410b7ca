"""01 - Reproduce the published numbers: the audit and the distributions behind the quartiles.

Run from anywhere:  python analyses/01_reproduce.py
Writes figures/audit.{png,pdf}, figures/distributions.{png,pdf} and
analyses/results/audit.csv, analyses/results/distribution_shares.csv.

Edit freely: every number comes from the bundled tables (b12stats.data) through
library functions, so a new row in data/ shows up here without code changes.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import (
    analysis_audit,
    analysis_distributions,
    figure_audit,
    figure_distributions,
    save_figure_set,
)

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"

# 1. The audit: every published claim recomputed (b12stats.audit.run_audit).
audit = analysis_audit()
print(audit.summary.to_string(index=False))
write_csv(RESULTS / "audit.csv", audit.table)
save_figure_set(figure_audit(audit), FIGURES, "audit")

# 2. Printed quartiles -> log-normal -> implied share beyond each printed cut-off,
#    beside the share the paper printed (b12stats.stats.quartiles).
dist = analysis_distributions()
cols = [
    "compartment",
    "cutoff",
    "side",
    "implied",
    "implied_ci_low",
    "implied_ci_high",
    "printed",
    "printed_source_id",
]
print(dist.table[cols].round(3).to_string(index=False))
write_csv(RESULTS / "distribution_shares.csv", dist.table)
save_figure_set(figure_distributions(dist), FIGURES, "distributions")

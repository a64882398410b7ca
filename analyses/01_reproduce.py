"""01 - Reproduce the published numbers: the audit and the distributions behind the summaries.

Run:  python analyses/01_reproduce.py
Writes figures/audit.{png,pdf}, figures/distributions.{png,pdf} and
analyses/results/audit.csv, analyses/results/distribution_shares.csv.

Every number comes from the bundled tables (b12stats.data) through library
functions, so a new row in data/ shows up here without code changes.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.data import load_concentrations, load_prevalences
from b12stats.reanalysis import analysis_audit, analysis_distributions
from b12stats.report import figure_audit, figure_distributions, save_figure_set
from b12stats.stats.quartiles import lognormal_from_quartiles, prevalence_from_quartiles

OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))
SHOW = ["compartment", "cutoff", "side", "implied", "implied_ci_low", "printed"]

# 1. load: the printed summaries and the printed shares beyond cut-offs
concentrations, prevalences = load_concentrations(), load_prevalences()
print(f"{len(concentrations)} printed concentrations, {len(prevalences)} printed shares")

# 2a. the audit: every published claim recomputed and judged (b12stats.audit.run_audit)
audit = analysis_audit()
print(audit.summary.to_string(index=False))

# 2b. a printed summary -> log-normal -> implied share beyond each printed cut-off.
#     One row by hand, e.g. the first summary with quartiles:
q = concentrations[concentrations["q1"].notna()].iloc[0]
fit = lognormal_from_quartiles(q["q1"], q["value"], q["q3"])
share = prevalence_from_quartiles(q["q1"], q["value"], q["q3"], 220, side="at_or_below")
print(f"{q['row_id']}: mu {fit.mu:.3f}, sigma {fit.sigma:.3f}; <= 220: {share['estimate'][0]:.3f}")
#     ... and every summary (quartiles, or a geometric mean with CI and n) at once:
dist = analysis_distributions()
print(dist.table[SHOW].round(3).to_string(index=False))

# 3. write and plot
write_csv(OUT / "analyses/results/audit.csv", audit.table)
save_figure_set(figure_audit(audit), OUT / "figures", "audit")
write_csv(OUT / "analyses/results/distribution_shares.csv", dist.table)
save_figure_set(figure_distributions(dist), OUT / "figures", "distributions")

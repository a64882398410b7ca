"""05 - Supplement trials: printed percent differences, P recomputed from each CI.

Run:  python analyses/05_supplementation.py
Writes figures/supplementation.{png,pdf} and analyses/results/supplementation.csv.

The printed percent differences and 95% CIs are drawn as printed; the P value is
recomputed from each CI on the log-ratio scale (Altman & Bland 2011,
b12stats.stats.effects.effect_from_ci) and checked against the printed P with
rounding taken into account (check_p_against_ci).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.data import load_effects
from b12stats.reanalysis import analysis_supplement_effects
from b12stats.report import figure_supplement_effects, save_figure_set
from b12stats.stats.effects import check_p_against_ci, effect_from_ci

MEASURE = "percent_difference"  # which effects rows (effects.csv, column measure)
OUT = Path(os.environ.get("B12STATS_OUT", Path(__file__).resolve().parent.parent))

# 1. load the printed effects with a CI
effects = load_effects()
effects = effects[(effects["measure"] == MEASURE) & effects["ci_low"].notna()]

# 2. compute: P from each printed CI, and whether it agrees with the printed P
for e in effects.itertuples():
    p = effect_from_ci(e.estimate, e.ci_low, e.ci_high)["p_value"].iloc[0]
    ok = check_p_against_ci(e.p_text, e.estimate, e.ci_low, e.ci_high)["consistent"].iloc[0]
    print(f"{e.row_id}: printed {e.p_text}, from the CI P = {p:.3g}, consistent: {bool(ok)}")
# ... the table of the report (with cells the paper describes only in words)
res = analysis_supplement_effects()
print(res.table[["group", "label", "ci_text", "p_text", "p_from_ci", "note"]].to_string())

# 3. write and plot (b12stats.plots.effects.plot_effects)
write_csv(OUT / "analyses/results/supplementation.csv", res.table)
save_figure_set(figure_supplement_effects(res), OUT / "figures", "supplementation")

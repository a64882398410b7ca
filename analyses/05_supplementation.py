"""05 - Wang 2024 (Tanzania): prenatal and postnatal B12 supplements and milk B12.

Run:  python analyses/05_supplementation.py
Writes figures/supplementation.{png,pdf} and analyses/results/supplementation.csv.

The printed percent differences and 95% CIs are drawn as printed; the P value is
recomputed from each CI on the log-ratio scale (Altman & Bland 2011,
b12stats.stats.effects.effect_from_ci) and checked against the printed P with
rounding taken into account (check_p_against_ci).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from b12stats._io import write_csv
from b12stats.report import (
    analysis_supplement_effects,
    figure_supplement_effects,
    save_figure_set,
)

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
RESULTS = ROOT / "analyses" / "results"

res = analysis_supplement_effects()
print(res.table[["group", "label", "ci_text", "p_text", "p_from_ci", "note"]].to_string())

write_csv(RESULTS / "supplementation.csv", res.table)
save_figure_set(figure_supplement_effects(res), FIGURES, "supplementation")

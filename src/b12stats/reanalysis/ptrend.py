"""How plausible is a published P-trend given the design's correlation?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.designs import default_design_name
from b12stats.reanalysis._common import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    NothingToShow,
    Tables,
    design_label,
    published_row,
    source_label,
    table,
)

#: (n_dyads, n_clusters) of the cohorts smaller than the design's own that the
#: P-trend analysis also simulates, since the number of dyads behind a published
#: P-trend is often not published (assumptions: about 5 dyads per cluster).
PTREND_SMALLER = ((150, 30), (100, 20))
#: Replicates per P-trend scenario, as a multiple of the report's ``--reps``: the
#: share of P values above the published one is a tail share, so it needs more.
PTREND_REPS_FACTOR = 5


@dataclass(frozen=True)
class PTrendResult:
    """Result of :func:`analysis_ptrend`."""

    pvalues: pd.DataFrame  # one row per replicate: scenario, n_dyads, n_clusters, p_value, ...
    table: pd.DataFrame  # one row per scenario
    published_p: float
    published_text: str
    assumptions: pd.DataFrame
    correlation: float  # the design's target r (published)
    published_row_id: str = ""  # the effects row of the published P-trend
    published_label: str = ""  # its source, as the report names it ("Williams 2018")
    design_label: str = ""  # the place the design describes ("Kenya")


def analysis_ptrend(
    *,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS * PTREND_REPS_FACTOR,
    scenarios: Sequence[tuple[int, int]] | None = None,
    design: Any = None,
    tables: Tables = None,
    progress: bool | None = False,
) -> PTrendResult:
    """How plausible is the published P-trend given the design's r in a cohort like it?

    Simulates ``reps`` cohorts per (n_dyads, n_clusters) scenario from the
    design (published quartiles and r; assumed clusters, ICCs and scale of r),
    fits the logistic GEE of adequacy on the milk-quartile score in each
    (:func:`b12stats.power.replicate_estimates`) and compares the distribution
    of its P with the published P-trend: the effects row with ``measure ==
    "trend_test"`` printed by the source of the design's correlation. The share
    of simulated P at or above the published one has Monte Carlo SE
    ``sqrt(s (1 - s) / reps)``. ``tables``: the tables in use (``None``: the
    bundled ones); raises :class:`~b12stats.reanalysis._common.NothingToShow`
    when they hold no published trend test of the design's correlation source.
    """
    from b12stats.power import replicate_estimates
    from b12stats.simulate import get_design
    from b12stats.stats.simulation_metrics import tail_share

    d = get_design(default_design_name() if design is None else design)
    if scenarios is None:  # the design's own size first, then the smaller cohorts
        scenarios = ((int(d.n_dyads), int(d.n_clusters)), *PTREND_SMALLER)
    r_row = published_row(d.sources.get("correlation"), tables)
    if r_row is None:
        raise NothingToShow(
            f"design {d.name}: its correlation is not a published row of the data in use, so "
            "there is no published P-trend to set it against"
        )
    effects = table(tables, "effects")
    row = effects[
        (effects["measure"] == "trend_test") & (effects["source_id"] == r_row["source_id"])
    ]
    if row.empty:
        raise NothingToShow(
            f"design {d.name}: the source of its correlation, {r_row['source_id']}, printed "
            "no trend test (effects table) to set it against"
        )
    published = float(row["p_value"].to_numpy(dtype=float)[0])
    published_text = str(row["p_text"].to_numpy()[0])
    parts, rows = [], []
    for n, k in scenarios:
        est = replicate_estimates(
            d, n_dyads=n, n_clusters=k, reps=reps, model="trend", rng=seed, progress=progress
        )
        label = f"{n} dyads, {k} clusters"
        parts.append(est.assign(scenario=label))
        p = est.loc[est["converged"], "p_value"].to_numpy(dtype=float)
        tail = tail_share(p, published, side="at_or_above").iloc[0]
        share = float(tail["estimate"])
        rows.append(
            {
                "scenario": label,
                "n_dyads": n,
                "n_clusters": k,
                "reps": reps,
                "converged": int(p.size),
                "median_p": float(np.median(p)) if p.size else float("nan"),
                "share_p_at_or_above_published": share,
                "share_mcse": float(tail["mcse"]),
                "share_p_below_0_05": float(tail_share(p, 0.05, side="below")["estimate"].iloc[0]),
                "mean_log_odds_per_quartile": float(est["estimate"].mean()),
                "seed": seed,
            }
        )
    return PTrendResult(
        pvalues=pd.concat(parts, ignore_index=True),
        table=pd.DataFrame(rows),
        published_p=published,
        published_text=published_text,
        correlation=float(d.correlation),
        assumptions=d.describe(),
        published_row_id=str(row["row_id"].iloc[0]),
        published_label=source_label(str(r_row["source_id"]), tables),
        design_label=design_label(d, tables),
    )

"""One simulated cohort from a design and the papers' two GEE models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.designs import default_design_name
from b12stats.reanalysis._common import DEFAULT_SEED, Tables, design_label, milk_ai_level


@dataclass(frozen=True)
class SimulatedCohortResult:
    """Result of :func:`analysis_simulated_cohort`.

    ``cohort`` is the simulated cohort; ``line`` the fitted geometric-mean
    curve of infant B12 over milk B12 with its 95% band
    (:data:`b12stats.plots.scatter.LINE_COLUMNS`); ``linear`` and ``trend``
    the tidy model tables; ``summary`` one row of headline numbers;
    ``assumptions`` the design's :meth:`~b12stats.simulate.Design.describe`.
    """

    cohort: pd.DataFrame
    line: pd.DataFrame
    linear: pd.DataFrame
    trend: pd.DataFrame
    summary: pd.DataFrame
    assumptions: pd.DataFrame
    flags: tuple[str, ...]
    seed: int
    design_label: str = ""  # the place the design describes ("Kenya")
    milk_level: float = float("nan")  # the milk level behind the Adequate Intake
    adequacy_cutoff: float = float("nan")  # the design's infant adequacy cut-off
    cov_struct: str = "exchangeable"  # the GEE working correlation used
    cov_struct_reason: str = ""  # why (b12stats.power.default_cov_struct)


def loglog_band(
    data: pd.DataFrame,
    *,
    groups: str,
    grid: np.ndarray,
    conf_level: float = 0.95,
    cov_struct: str = "exchangeable",
) -> tuple[pd.DataFrame, Any]:
    """Fitted ``exp(a + b log x)`` of the log-log GEE with its pointwise Wald band.

    :func:`b12stats.models.fit_linear` with ``log=True``, then
    :meth:`b12stats.models.GEEResult.predict` at ``log(grid)`` (robust
    covariance), back-transformed with ``exp``.
    """
    from b12stats.models import fit_linear

    res = fit_linear(data, groups=groups, log=True, conf_level=conf_level, cov_struct=cov_struct)
    exposure = str(res.coefficients["term"].iloc[1])
    pred = res.predict({exposure: np.log(grid)}, conf_level=conf_level)
    line = pd.DataFrame(
        {
            "x": grid,
            "estimate": np.exp(pred["estimate"].to_numpy()),
            "ci_low": np.exp(pred["ci_low"].to_numpy()),
            "ci_high": np.exp(pred["ci_high"].to_numpy()),
        }
    )
    return line, res


def analysis_simulated_cohort(
    *,
    seed: int = DEFAULT_SEED,
    n_dyads: int | None = None,
    design: Any = None,
    tables: Tables = None,
) -> SimulatedCohortResult:
    """Simulate a cohort from a design and fit the papers' two GEE models.

    The design is :func:`b12stats.simulate.get_design` ``(design)`` (None: the
    data package's ``b12stats:default_design``); the bundled default has
    log-normal marginals from printed quartiles and a printed r (its scale
    assumed), clusters and ICCs assumed (every assumption is in
    ``assumptions``). Models:
    :func:`b12stats.models.fit_linear` on the log-log scale (the slope is an
    elasticity) and :func:`b12stats.models.fit_trend` (adequacy above the
    design's cut-off on milk-B12 quartiles; P-trend), both GEE with robust SEs and the
    working correlation of :func:`b12stats.power.default_cov_struct` (exchangeable;
    independence when every cluster holds one dyad).
    ``tables`` (``None``: the bundled ones) name the design's place and give
    the milk level behind the Adequate Intake (NaN when they hold none).
    """
    from scipy import stats as _st

    from b12stats.models import fit_trend
    from b12stats.power import default_cov_struct
    from b12stats.simulate import get_design, simulate_cohort

    design_ = get_design(default_design_name() if design is None else design)
    milk_level = milk_ai_level(tables, required=False)
    cohort = simulate_cohort(design_, n_dyads=n_dyads, rng=seed)
    grid = np.geomspace(float(cohort["milk_b12"].min()), float(cohort["milk_b12"].max()), 60)
    cov_struct, cov_reason = default_cov_struct(design_, n_dyads)
    line, linear = loglog_band(cohort, groups="cluster", grid=grid, cov_struct=cov_struct)
    trend = fit_trend(
        cohort, groups="cluster", outcome="adequate", exposure="milk_b12", cov_struct=cov_struct
    )
    r_sim = float(_st.pearsonr(np.log(cohort["milk_b12"]), np.log(cohort["infant_b12"]))[0])
    slope = linear.coefficients.iloc[1]
    summary = pd.DataFrame(
        [
            {
                "design": design_.name,
                "n_dyads": len(cohort),
                "n_clusters": int(cohort["cluster"].nunique()),
                "target_r": design_.correlation,
                "correlation_scale": design_.correlation_scale,
                "simulated_r": r_sim,
                "share_adequate": float(cohort["adequate"].mean()),
                # the column name is kept for existing readers of kenya_summary.csv
                "share_milk_below_310": (
                    float((cohort["milk_b12"] < milk_level).mean())
                    if np.isfinite(milk_level)
                    else np.nan
                ),
                "loglog_slope": float(slope["estimate"]),
                "loglog_slope_ci_low": float(slope["ci_low"]),
                "loglog_slope_ci_high": float(slope["ci_high"]),
                "loglog_slope_p": float(slope["p_value"]),
                "p_trend": float(trend.p_trend),
                "seed": seed,
            }
        ]
    )
    return SimulatedCohortResult(
        cohort=cohort,
        line=line,
        linear=linear.to_frame(),
        trend=trend.to_frame(),
        summary=summary,
        assumptions=design_.describe(),
        flags=tuple(design_.flags),
        seed=seed,
        design_label=design_label(design_, tables),
        milk_level=milk_level,
        adequacy_cutoff=float(design_.adequacy_cutoff),
        cov_struct=cov_struct,
        cov_struct_reason=cov_reason,
    )

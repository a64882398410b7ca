"""Which conclusions of the simulations hold across the plausible range of each assumption?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from b12stats.designs import default_design_name
from b12stats.reanalysis import _common

#: The power the power conclusion asks for (the convention of study planning).
SENSITIVITY_TARGET_POWER = 0.8
#: A published P-trend is called implausible when fewer simulated P are at or above it.
SENSITIVITY_PLAUSIBLE_SHARE = 0.05
#: Replicates per variant are the report's ``--reps`` divided by this: the ten Kenya
#: variants of the trend model at the design's n cost 0.6 s of CPU at ``--reps 200``
#: (100 per variant) on main's GEE engine; raise ``--reps`` for publication.
SENSITIVITY_REPS_DIVISOR = 2
#: A verdict is clear at a value when its estimate lies more than this many Monte
#: Carlo SEs from the threshold (the SE taken at least as that of one event in
#: ``reps``, so that a share of 0 or 1 is not called exact).
SENSITIVITY_MCSE_BOUND = 2.0


@dataclass(frozen=True)
class SensitivityResult:
    """Result of :func:`analysis_sensitivity`.

    ``table``: one row per variant (one assumed parameter at a time at a value
    of its plausible range, the others at the design's; the design first):
    ``varied``, the parameters, the :data:`b12stats.power.COLUMNS` of the trend
    model at the design's n, and ``share_p_at_or_above_published`` /
    ``share_mcse`` (NaN without a published P-trend). ``conclusions``: per
    conclusion and parameter, whether the design's verdict holds at every
    value of the range, the value closest to overturning it, and the values
    whose estimate lies within :data:`SENSITIVITY_MCSE_BOUND` Monte Carlo SEs
    of the threshold (``within_mc_error``: there the verdict is not settled by
    the replicates run).
    """

    table: pd.DataFrame
    conclusions: pd.DataFrame
    ranges: pd.DataFrame  # parameter, status, values, explanation (the design file's reason)
    parameters: tuple[str, ...]
    n_dyads: int
    n_clusters: int
    reps: int
    seed: int
    published_p: float
    published_text: str
    published_label: str = ""
    design_label: str = ""
    target_power: float = SENSITIVITY_TARGET_POWER
    plausible_share: float = SENSITIVITY_PLAUSIBLE_SHARE


def _published_trend_test(design: Any, tables: _common.Tables) -> pd.Series | None:
    """The trend test printed by the source of the design's correlation, if any."""
    r_row = _common.published_row(design.sources.get("correlation"), tables)
    if r_row is None:
        return None
    effects = _common.table(tables, "effects")
    hit = effects[
        (effects["measure"] == "trend_test") & (effects["source_id"] == r_row["source_id"])
    ]
    return None if hit.empty else hit.iloc[0]


def _conclusions(
    tab: pd.DataFrame, vary: dict[str, tuple], status: dict[str, str], checks: list[tuple]
) -> pd.DataFrame:
    """Per (conclusion, parameter): the design's verdict and whether every value keeps it."""
    rows = []
    design = tab[tab["varied"] == ""].iloc[0]
    # an SE of at least that of one event in reps: sqrt(f (1 - f) / reps), f = 1 / reps
    reps = tab["reps"].astype(float)
    se_floor = ((1 / reps) * (1 - 1 / reps) / reps) ** 0.5
    for key, column, mcse, threshold, above in checks:
        verdict = bool(design[column] >= threshold) == above
        for name in vary:
            mine = tab[tab["varied"].isin(["", name])]
            kept = (mine[column] >= threshold) == above
            margin = (mine[column] - threshold).abs()
            se = mine[mcse].where(mine[mcse] > se_floor[mine.index], se_floor[mine.index])
            unclear = mine[margin <= SENSITIVITY_MCSE_BOUND * se][name].tolist()
            # the value closest to overturning the design's verdict
            worst = mine.loc[mine[column].idxmin() if verdict == above else mine[column].idxmax()]
            rows.append(
                {
                    "conclusion": key,
                    "threshold": threshold,
                    "design_verdict": verdict,
                    "design_estimate": float(design[column]),
                    "parameter": name,
                    "status": status.get(name, ""),
                    "values": ", ".join(map(str, vary[name])),
                    "holds": bool(kept.all() if verdict else (~kept).all()),
                    "worst_value": worst[name],
                    "worst_estimate": float(worst[column]),
                    "worst_mcse": float(worst[mcse]),
                    "within_mc_error": ", ".join(map(str, unclear)),
                }
            )
    return pd.DataFrame(rows)


def analysis_sensitivity(
    *,
    seed: int = _common.DEFAULT_SEED,
    reps: int = _common.DEFAULT_REPS // SENSITIVITY_REPS_DIVISOR,
    design: Any = None,
    parameters: Sequence[str] | None = None,
    n_dyads: int | None = None,
    tables: _common.Tables = None,
    workers: int = 1,
    progress: bool | None = False,
) -> SensitivityResult:
    """Power and P-trend plausibility over the plausible range of each assumed parameter.

    :func:`b12stats.power.sensitivity` of the trend model (logistic GEE of
    infant adequacy on the milk-quartile score plus the covariates) at
    ``n_dyads`` (default: the design's; plausible numbers of clusters above it
    are left out), one assumed parameter at a time over
    its plausible range (:func:`b12stats.power.plausible_vary`: the design
    file's ``plausible`` keys; ``parameters`` picks some), ``reps`` replicates
    per variant, seeded by ``seed`` (common random numbers across variants).
    Per variant: the power of the trend test and the share of simulated P at
    or above the published P-trend (with its Monte Carlo SE, as in
    :func:`~b12stats.reanalysis.analysis_ptrend`). Then, per parameter, whether
    the design's conclusions -- power at least ``SENSITIVITY_TARGET_POWER``;
    the published P-trend implausible (share below
    ``SENSITIVITY_PLAUSIBLE_SHARE``) or not -- hold at every value.
    No coverage target is simulated (not needed here).

    Raises
    ------
    NothingToShow
        The design gives no plausible range.
    """
    from b12stats.power import plausible_vary, sensitivity
    from b12stats.simulate import get_design
    from b12stats.stats.simulation_metrics import tail_share

    d = get_design(default_design_name() if design is None else design)
    if not d.plausible:
        raise _common.NothingToShow(
            f"design {d.name}: no plausible range of an assumed parameter (plausible = [...] "
            "in the design file, data/designs/README.md)"
        )
    n = int(d.n_dyads if n_dyads is None else n_dyads)
    vary = plausible_vary(d, parameters)
    if "n_clusters" in vary:  # a study of n dyads has at most n clusters
        vary["n_clusters"] = tuple(c for c in vary["n_clusters"] if c <= n)
    res = sensitivity(
        d,
        vary=vary,
        n_dyads=n,
        crossed=False,
        reps=reps,
        model="trend",
        rng=seed,
        true_value=math.nan,
        workers=workers,
        progress=progress,
    )
    row = _published_trend_test(d, tables)
    published = float(row["p_value"]) if row is not None else math.nan
    shares = [
        tail_share(res.p_values(i), published, side="at_or_above").iloc[0]
        if row is not None
        else pd.Series({"estimate": math.nan, "mcse": math.nan})
        for i in range(len(res.table))
    ]
    tab = res.table.drop(columns=["coverage", "coverage_mcse", "true_value", "bias", "bias_mcse"])
    tab = tab.assign(
        share_p_at_or_above_published=[float(s["estimate"]) for s in shares],
        share_mcse=[float(s["mcse"]) for s in shares],
    )
    checks: list[tuple] = [("power", "power", "power_mcse", SENSITIVITY_TARGET_POWER, True)]
    if row is not None:
        checks.append(
            (
                "ptrend_plausible",
                "share_p_at_or_above_published",
                "share_mcse",
                SENSITIVITY_PLAUSIBLE_SHARE,
                True,
            )
        )
    desc = d.describe().set_index("parameter")
    params = tuple(vary)
    ranges = pd.DataFrame(
        {
            "parameter": list(params),
            "status": [res.status[p] for p in params],
            "design_value": [desc.loc[p, "value"] for p in params],
            "plausible": [", ".join(map(str, vary[p])) for p in params],
            "explanation": [desc.loc[p, "explanation"] for p in params],
        }
    )
    r_row = _common.published_row(d.sources.get("correlation"), tables)
    label = "" if r_row is None else _common.source_label(str(r_row["source_id"]), tables)
    return SensitivityResult(
        tab,
        _conclusions(tab, dict(vary), dict(res.status), checks),
        ranges,
        params,
        n,
        int(tab.loc[tab["varied"] == "", "n_clusters"].iloc[0]),
        reps,
        seed,
        published,
        "" if row is None else str(row["p_text"]),
        published_label=label,
        design_label=_common.design_label(d, tables),
    )


__all__ = [
    "SENSITIVITY_MCSE_BOUND",
    "SENSITIVITY_PLAUSIBLE_SHARE",
    "SENSITIVITY_REPS_DIVISOR",
    "SENSITIVITY_TARGET_POWER",
    "SensitivityResult",
    "analysis_sensitivity",
]

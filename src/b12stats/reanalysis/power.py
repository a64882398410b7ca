"""Simulated power of the linear and trend GEE models over numbers of dyads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from b12stats.designs import default_design_name
from b12stats.reanalysis._common import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    Tables,
    design_label,
    published_row,
    source_label,
)

#: Numbers of dyads on the power curves, besides the design's own (always added).
POWER_N_DYADS = (30, 60, 100, 150, 200, 400)


@dataclass(frozen=True)
class PowerResult:
    """Result of :func:`analysis_power`: :func:`b12stats.power.power` rows for both models."""

    table: pd.DataFrame
    design_n: int
    assumptions: pd.DataFrame
    design_n_label: str = ""  # where the design's n comes from ("Williams 2016 women")
    design_label: str = ""  # the place the design describes ("Kenya")


def analysis_power(
    *,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS,
    n_dyads: Sequence[int] | None = None,
    design: Any = None,
    tables: Tables = None,
    models: Sequence[str] = ("linear", "trend"),
    progress: bool | None = False,
) -> PowerResult:
    """Simulated power of the linear and trend GEE models over numbers of dyads.

    :func:`b12stats.power.power` for ``model="linear"`` (log-log slope) and
    ``model="trend"`` (milk-quartile score), the design's dyads per cluster
    kept, ``reps`` replicates per point, seeded by ``seed``. ``design``: a
    built-in name, a ``.toml`` path or a Design; ``tables`` (``None``: the
    bundled ones) name where the design's n comes from.
    """
    from b12stats.power import power
    from b12stats.simulate import get_design

    d = get_design(default_design_name() if design is None else design)
    if n_dyads is None:  # the grid with the design's own number of dyads on it
        n_dyads = sorted({*POWER_N_DYADS, int(d.n_dyads)})
    parts = [
        power(d, n_dyads=list(n_dyads), reps=reps, model=m, rng=seed, progress=progress)
        for m in models
    ]
    n_row = published_row(d.sources.get("n_dyads"), tables)
    n_label = "design's n"
    if n_row is not None:
        unit = n_row.get("unit")
        n_label = source_label(str(n_row["source_id"]), tables) + (
            f" {unit}" if isinstance(unit, str) else ""
        )
    return PowerResult(
        table=pd.concat(parts, ignore_index=True),
        design_n=d.n_dyads,
        assumptions=d.describe(),
        design_n_label=n_label,
        design_label=design_label(d, tables),
    )

"""Simulated power of the linear and trend GEE models over numbers of dyads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def _grid(d: Any, n_dyads: Sequence[int] | None) -> list[int]:
    """The numbers of dyads of the power curves (default: the grid with the design's own n)."""
    return list(n_dyads) if n_dyads is not None else sorted({*POWER_N_DYADS, int(d.n_dyads)})


def coverage_groups(
    design: Any = None, *, n_dyads: Sequence[int] | None = None
) -> list[list[int]]:
    """The power curves' numbers of dyads, grouped by the coverage target they share.

    :func:`b12stats.power.power` keeps the design's dyads per cluster and, for
    a model without a closed form (the trend model), estimates the coverage
    target once per group of :func:`b12stats.power.true_value_groups`
    (about 1 s each). Each group
    can be given to :func:`coverage_targets` in a process of its own; the
    grouping only decides what is computed together, not the numbers.

    Examples
    --------
    >>> coverage_groups("kenya")
    [[30], [60], [100, 150, 200, 286, 400]]
    """
    from b12stats.power import true_value_groups
    from b12stats.simulate import get_design

    d = get_design(default_design_name() if design is None else design)
    return [[n for n, _ in group] for group in true_value_groups(d, _grid(d, n_dyads))]


def coverage_targets(
    design: Any = None,
    *,
    n_dyads: Sequence[int] | None = None,
    only: Sequence[int] | None = None,
    model: str = "trend",
) -> dict[tuple[str, int], float]:
    """The coverage target (``true_value``) of ``model`` at each number of dyads of the grid.

    As :func:`b12stats.power.power` computes it for :func:`analysis_power`
    (same design, grid ``n_dyads`` and working correlation), from one
    replicate per scenario; ``only``: the numbers of dyads of the grid to
    compute (e.g. one of :func:`coverage_groups`). The result, passed to
    :func:`analysis_power` as ``true_values``, saves it computing them again.

    Returns
    -------
    dict
        ``(model, n_dyads) -> true_value``.
    """
    from b12stats.power import default_cov_struct, power
    from b12stats.simulate import get_design

    d = get_design(default_design_name() if design is None else design)
    grid = _grid(d, n_dyads)
    tab = power(
        d,
        n_dyads=list(grid if only is None else only),
        reps=1,
        model=model,
        cov_struct=default_cov_struct(d, n_dyads=grid)[0],
        rng=0,
        progress=False,
    )
    return {
        (model, int(n)): float(v) for n, v in zip(tab["n_dyads"], tab["true_value"], strict=True)
    }


def analysis_power(
    *,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS,
    n_dyads: Sequence[int] | None = None,
    design: Any = None,
    tables: Tables = None,
    models: Sequence[str] = ("linear", "trend"),
    progress: bool | None = False,
    true_values: Mapping[tuple[str, int], float] | None = None,
) -> PowerResult:
    """Simulated power of the linear and trend GEE models over numbers of dyads.

    :func:`b12stats.power.power` for ``model="linear"`` (log-log slope) and
    ``model="trend"`` (milk-quartile score), the design's dyads per cluster
    kept, ``reps`` replicates per point, seeded by ``seed``. ``design``: a
    built-in name, a ``.toml`` path or a Design; ``tables`` (``None``: the
    bundled ones) name where the design's n comes from. ``true_values``: the
    coverage targets :func:`coverage_targets` computed (e.g. in another
    process); a model with a target for every number of dyads uses them
    instead of computing them (the same numbers).
    """
    from b12stats.power import default_cov_struct, power
    from b12stats.simulate import get_design

    d = get_design(default_design_name() if design is None else design)
    grid = _grid(d, n_dyads)
    given = dict(true_values or {})
    parts = []
    for m in models:
        if not all((m, n) in given for n in grid):
            parts.append(power(d, n_dyads=grid, reps=reps, model=m, rng=seed, progress=progress))
            continue
        cov_struct = default_cov_struct(d, n_dyads=grid)[0]  # the grid's, as one call has
        parts += [
            power(
                d,
                n_dyads=[n],
                reps=reps,
                model=m,
                cov_struct=cov_struct,
                true_value=given[m, n],
                rng=seed,
                progress=progress,
            )
            for n in grid
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

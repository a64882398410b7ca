"""Vectorised simulation of dyad cohorts from a :class:`~b12stats.simulate.design.Design`."""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12stats._io import write_csv, write_text
from b12stats._validation import as_rng, check_params
from b12stats._version import __version__
from b12stats.errors import OptionError, check_option
from b12stats.simulate.design import (
    CLUSTER_SIZE_MODELS,
    Covariate,
    Design,
    _check_n_dyads_clusters,
)
from b12stats.simulate.registry import resolve_design as get_design

__all__ = [
    "FLOAT_FORMAT",
    "SimArrays",
    "cluster_labels",
    "simulate_arrays",
    "simulate_cohort",
    "write_cohort",
]

#: printed format of floats in written cohorts (fixed, so files are reproducible)
FLOAT_FORMAT = "%.4f"

#: Most simulated values (reps x n_dyads) of one call: about fifteen arrays of that
#: size are held at once, 125 bytes a dyad and replicate (kenya, measured peak 1.25 GB
#: at the limit; power's chunks of 100 replicates of 100,000 dyads fit).
MAX_CELLS = 10_000_000
CELLS_WHY = "about 125 bytes a dyad and replicate are held in memory at once"


def _check_cells(n_dyads: int, reps: int) -> None:
    """Refuse ``reps x n_dyads`` above :data:`MAX_CELLS` before anything is allocated."""
    if n_dyads * reps > MAX_CELLS:
        raise OptionError(
            f"reps x n_dyads = {reps:,} x {n_dyads:,} is above the limit of {MAX_CELLS:,} "
            f"simulated dyads ({CELLS_WHY}); lower reps or n_dyads"
        )


@dataclass(frozen=True)
class SimArrays:
    """Replicated simulated cohorts sharing one cluster structure.

    Attributes
    ----------
    cluster
        ``(N,)`` int cluster label (1..K) of each dyad, sorted, shared by all replicates.
    milk_b12, infant_b12
        ``(R, N)`` concentrations, pmol/L.
    adequate
        ``(R, N)`` int 0/1, ``infant_b12 > design.adequacy_cutoff``.
    covariates
        ``name -> (R, N)`` float arrays (a mapping; see ``lazy_covariates`` of
        :func:`simulate_arrays`).
    """

    cluster: np.ndarray
    milk_b12: np.ndarray
    infant_b12: np.ndarray
    adequate: np.ndarray
    covariates: Mapping[str, np.ndarray]

    @property
    def reps(self) -> int:
        """Number of replicates R."""
        return int(self.milk_b12.shape[0])

    @property
    def n_dyads(self) -> int:
        """Number of dyads N."""
        return int(self.milk_b12.shape[1])


def cluster_labels(
    n_dyads: int, n_clusters: int, *, sizes: str = "equal", rng: Any = None
) -> np.ndarray:
    """Sorted cluster labels 1..K for N dyads.

    ``"equal"``: sizes ``N // K`` or ``N // K + 1`` (the larger ones first);
    ``"multinomial"``: one dyad per cluster plus a multinomial split of the
    other ``N - K`` with equal probabilities (drawn from ``rng``).

    At most :data:`MAX_CELLS` dyads.

    Examples
    --------
    >>> cluster_labels(7, 3).tolist()
    [1, 1, 1, 2, 2, 3, 3]
    """
    _check_n_dyads_clusters(n_dyads, n_clusters)
    _check_cells(int(n_dyads), 1)
    check_option("cluster size model", sizes, CLUSTER_SIZE_MODELS)
    gen = as_rng("rng", rng)
    if sizes == "equal":
        base, extra = divmod(int(n_dyads), int(n_clusters))
        counts = np.full(int(n_clusters), base, dtype=np.int64)
        counts[:extra] += 1
    else:
        counts = 1 + gen.multinomial(
            int(n_dyads - n_clusters), np.full(n_clusters, 1 / n_clusters)
        )
    return np.repeat(np.arange(1, int(n_clusters) + 1, dtype=np.int64), counts)


class _Covariates(Mapping[str, np.ndarray]):
    """Covariate arrays in design order; the ``pending`` ones are drawn on first access.

    They are drawn in design order from ``gen`` as it was left by the other
    draws, so the values are those an eager draw gives, provided nothing else
    uses ``gen`` in between.
    """

    def __init__(
        self,
        drawn: dict[str, np.ndarray],
        pending: list[Covariate],
        gen: np.random.Generator,
        shape: tuple[int, int],
    ) -> None:
        self._names = (*drawn, *(c.name for c in pending))
        self._drawn = drawn
        self._pending = pending
        self._gen = gen
        self._shape = shape

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        while name not in self._drawn:
            c = self._pending.pop(0)
            self._drawn[c.name] = c.draw(self._gen, self._shape)
        return self._drawn[name]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def simulate_arrays(
    design: Design | str | Path,
    *,
    n_dyads: int | None = None,
    n_clusters: int | None = None,
    reps: int = 1,
    rng: Any = None,
    lazy_covariates: bool = False,
) -> SimArrays:
    """Simulate ``reps`` cohorts at once (vectorised; no loop over replicates).

    Parameters
    ----------
    design
        The cohort design: a Design, a built-in design name or a .toml design file.
    n_dyads, n_clusters
        Cohort size and number of clusters (default: the design's). When only
        ``n_dyads`` is given, the number of clusters keeps the design's mean
        cluster size, ``round(n_dyads * design.n_clusters / design.n_dyads)``.
    reps
        Number of replicates R; ``reps x n_dyads`` at most :data:`MAX_CELLS`.
    rng
        None (fresh entropy), a seed (an integer >= 0), a
        :class:`numpy.random.SeedSequence` or :class:`numpy.random.Generator`.
    lazy_covariates
        Draw the covariates after the last one with an effect on infant B12
        only when they are first read (``sim.covariates[name]``): a power
        analysis whose model has no covariates skips them. They get the values
        an eager draw gives provided ``rng`` is not used in between, so pass a
        generator of its own (or a seed).

    Returns
    -------
    SimArrays
        Cluster labels ``(N,)`` shared by the replicates; ``(R, N)`` arrays.

    Notes
    -----
    Draw order (so a seed fixes everything): cluster sizes (``"multinomial"``
    only), milk cluster effects ``(R, K)``, infant cluster effects ``(R, K)``,
    milk dyad terms ``(R, N)``, infant dyad terms ``(R, N)``, then each
    covariate ``(R, N)`` in design order.

    Examples
    --------
    >>> from b12stats.simulate import get_design
    >>> sim = simulate_arrays(get_design("kenya"), n_dyads=120, n_clusters=30, reps=4, rng=1)
    >>> sim.milk_b12.shape, sim.cluster.shape, int(sim.cluster.max())
    ((4, 120), (120,), 30)
    """
    design = get_design(design)
    check_params(rng=rng, constraints={"rng": ["rng"]})
    n = design.n_dyads if n_dyads is None else n_dyads
    k = design.n_clusters if n_clusters is None else n_clusters
    if n_clusters is None and n_dyads is not None:  # keep the design's mean cluster size
        _check_n_dyads_clusters(n, 1)  # a whole number before it is used
        k = max(1, min(int(n), round(int(n) * design.n_clusters / design.n_dyads)))
    _check_n_dyads_clusters(n, k)
    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral) or reps < 1:
        raise OptionError(f"reps must be an integer >= 1, got {reps!r}")
    n, k, reps = int(n), int(k), int(reps)
    _check_cells(n, reps)
    gen = as_rng("rng", rng)
    cluster = cluster_labels(n, k, sizes=design.cluster_sizes, rng=gen)
    idx = cluster - 1
    rho, icc_z, coef_z = design._latent()

    a = gen.standard_normal((reps, k))
    b = gen.standard_normal((reps, k))
    e = gen.standard_normal((reps, n))
    f = gen.standard_normal((reps, n))
    x = math.sqrt(design.icc_milk) * a[:, idx] + math.sqrt(1.0 - design.icc_milk) * e
    z = math.sqrt(icc_z) * b[:, idx] + math.sqrt(1.0 - icc_z) * f
    covs: dict[str, np.ndarray] = {}
    shift = np.zeros((reps, n))
    with_effect = [i for i, c in enumerate(design.covariates) if c.effect != 0.0]
    eager = len(design.covariates) if not lazy_covariates else max(with_effect, default=-1) + 1
    for c in design.covariates[:eager]:
        values = c.draw(gen, (reps, n))
        covs[c.name] = values
        if c.effect != 0.0:
            shift += c.effect * (values - c.mean)
    log_milk = design.milk.mu + design.milk.sigma * x
    log_inf = design.infant.mu + shift + design.infant.sigma * (rho * x + coef_z * z)
    milk = np.exp(log_milk)
    infant = np.exp(log_inf)
    adequate = (infant > design.adequacy_cutoff).astype(np.int64)
    pending = list(design.covariates[eager:])
    return SimArrays(
        cluster=cluster,
        milk_b12=milk,
        infant_b12=infant,
        adequate=adequate,
        covariates=_Covariates(covs, pending, gen, (reps, n)) if pending else covs,
    )


def simulate_cohort(
    design: Design | str | Path,
    *,
    n_dyads: int | None = None,
    n_clusters: int | None = None,
    rng: Any = None,
) -> pd.DataFrame:
    """One simulated cohort as a tidy frame, one row per dyad.

    Columns ``dyad, cluster, milk_b12, infant_b12, adequate`` then the design's
    covariates (binary and count covariates as integers). Built on
    :func:`simulate_arrays` with ``reps=1``.

    Examples
    --------
    >>> from b12stats.simulate import get_design
    >>> df = simulate_cohort(get_design("kenya"), n_dyads=10, n_clusters=5, rng=2)
    >>> list(df.columns)[:5], len(df)
    (['dyad', 'cluster', 'milk_b12', 'infant_b12', 'adequate'], 10)
    """
    design = get_design(design)
    sim = simulate_arrays(design, n_dyads=n_dyads, n_clusters=n_clusters, reps=1, rng=rng)
    cols: dict[str, Any] = {
        "dyad": np.arange(1, sim.n_dyads + 1, dtype=np.int64),
        "cluster": sim.cluster,
        "milk_b12": sim.milk_b12[0],
        "infant_b12": sim.infant_b12[0],
        "adequate": sim.adequate[0],
    }
    for c in design.covariates:
        v = sim.covariates[c.name][0]
        cols[c.name] = v.astype(np.int64) if c.is_integer else v
    return pd.DataFrame(cols)


def write_cohort(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    design: Design | str | Path,
    seed: int | None,
    sidecar: bool = True,
) -> Path | None:
    """Write a simulated cohort as CSV (fixed float format) plus a JSON sidecar.

    Floats are printed with :data:`FLOAT_FORMAT`; ``adequate`` is recomputed
    from the printed infant B12 so the file is self-consistent. The sidecar
    ``<path>.json`` holds the design (:meth:`Design.to_dict`), the seed, the
    numbers of dyads and clusters, the columns and the package version — no
    timestamps, so the same seed gives byte-identical files. Returns the
    sidecar's path (or None).

    Raises
    ------
    OptionError
        When ``frame`` is not a DataFrame (e.g. a list of records) or lacks
        the cohort columns, or the design is unknown.
    """
    check_params(frame=frame, constraints={"frame": ["dataframe"]})
    missing = [c for c in ("cluster", "infant_b12") if c not in frame.columns]
    if missing:
        raise OptionError(
            f"frame must be a simulated cohort (simulate_cohort); it has no column(s) "
            f"{', '.join(missing)}"
        )
    design = get_design(design)
    path = Path(path)
    out = frame.copy()
    printed = pd.to_numeric(out["infant_b12"].map(lambda v: FLOAT_FORMAT % v))
    out["adequate"] = (printed > design.adequacy_cutoff).astype(np.int64)
    write_csv(path, out, float_format=FLOAT_FORMAT)
    if not sidecar:
        return None
    meta = {
        "b12stats_version": __version__,
        "seed": seed,
        "n_dyads": len(out),
        "n_clusters": int(out["cluster"].nunique()),
        "columns": {
            "dyad": "dyad id (1..N)",
            "cluster": "cluster id (1..K)",
            "milk_b12": "milk vitamin B12, pmol/L",
            "infant_b12": "infant serum vitamin B12, pmol/L",
            "adequate": f"1 if infant_b12 > {design.adequacy_cutoff:g} pmol/L else 0",
            **{c.name: f"{c.name} ({c.unit})" if c.unit else c.name for c in design.covariates},
        },
        "design": design.to_dict(),
    }
    side = path.with_name(path.name + ".json")
    write_text(side, json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return side

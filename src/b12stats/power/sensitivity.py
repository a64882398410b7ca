r"""Sensitivity analysis: power under every value of the numbers nobody published.

A simulated power rests on assumptions (intra-cluster correlations, number of
clusters, the scale of a printed r, covariate effects). :func:`sensitivity`
reruns :func:`b12stats.power.power` for every *variant* of the design -- each
combination of the values given for the varied parameters -- crossed with the
numbers of dyads, through one executor run (one pool, one progress bar), and
returns one row per scenario (:class:`SensitivityResult`).

Parameters that can be varied (:func:`varied_parameters`) carry the names of
:meth:`b12stats.simulate.Design.describe`: the design fields
``correlation, correlation_scale, n_clusters, cluster_sizes, icc_milk,
icc_infant, adequacy_cutoff``, the log-normal marginals ``milk_mu, milk_sigma,
infant_mu, infant_sigma``, and ``effect_NAME`` for the effect of covariate
``NAME`` on log infant B12 (:meth:`~b12stats.simulate.Design.with_effects`).
``n_clusters`` is the number of clusters of the simulated studies (crossed
with ``n_dyads``), not a property of the design. A design file's
``plausible = [...]`` ranges (:attr:`~b12stats.simulate.Design.plausible`)
give :func:`plausible_vary`.

Random numbers
--------------
Every scenario draws the streams :func:`~b12stats.power.power` would draw for
it: chunk ``k`` of the scenario ``(n_dyads, n_clusters)`` from
``SeedSequence(seed, spawn_key=(n_dyads, n_clusters, k))``. So a row is exactly
``power(variant, n_dyads=..., n_clusters=..., rng=seed)`` for its variant, and
it does not depend on the other scenarios of the grid. Design variants that
share ``(n_dyads, n_clusters)`` therefore share their random numbers --
*common random numbers*: the difference in power between two assumptions
comes from the assumptions, not from different noise, so it is estimated
with a smaller Monte Carlo error than the rows' own MCSEs suggest (the rows
are positively correlated; the per-row MCSE stays right for each row, and
treating two rows as independent is conservative). Giving each variant its
own streams would lose that and would break the identity with
:func:`~b12stats.power.power`.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from b12stats.errors import OptionError
from b12stats.format import format_table, result_html
from b12stats.power._options import COLUMNS, MIN_CLUSTERS
from b12stats.power.executor import Runner
from b12stats.power.run import _power_tables, _run_jobs
from b12stats.power.spec import _resolve_design, _scenarios, _seed_from, _spec_with

__all__ = [
    "SensitivityResult",
    "parse_vary",
    "plausible_vary",
    "sensitivity",
    "variants",
    "varied_parameters",
]

#: Design fields that can be varied, and the kind of value each takes.
_FIELDS = {
    "correlation": "number",
    "correlation_scale": "word",
    "n_clusters": "count",
    "cluster_sizes": "word",
    "icc_milk": "number",
    "icc_infant": "number",
    "adequacy_cutoff": "number",
    "milk_mu": "number",
    "milk_sigma": "number",
    "infant_mu": "number",
    "infant_sigma": "number",
}
_EFFECT = "effect_"
#: Column of a one-at-a-time table: the parameter a row varies ("" for the design itself).
_VARIED = "varied"
_PUBLISHED = "published"


def varied_parameters(design: Any) -> tuple[str, ...]:
    """The names :func:`sensitivity` can vary for ``design``.

    Examples
    --------
    >>> varied_parameters("kenya")[-2:]
    ('effect_maternal_age', 'effect_asf_score')
    """
    design = _resolve_design(design)
    return (*_FIELDS, *(f"{_EFFECT}{c.name}" for c in design.covariates))


def _kind(design: Any, name: str) -> str:
    if name in _FIELDS:
        return _FIELDS[name]
    if name.startswith(_EFFECT) and name in varied_parameters(design):
        return "number"
    raise OptionError(
        f"cannot vary {name!r}; the parameters of design {design.name!r} are: "
        f"{', '.join(varied_parameters(design))}"
    )


def _coerce(design: Any, name: str, value: Any) -> Any:
    """``value`` as the type ``name`` takes (text from the command line is parsed)."""
    kind = _kind(design, name)
    if kind == "word":
        if not isinstance(value, str):
            raise OptionError(f"{name} takes a word, got {value!r}")
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise OptionError(f"{name} takes numbers, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise OptionError(f"{name} takes numbers, got {value!r}")
    if not math.isfinite(float(value)):
        raise OptionError(f"{name} must be finite, got {value!r}")
    if kind == "count":
        if float(value) != int(value) or value < MIN_CLUSTERS:
            raise OptionError(f"{name} takes whole numbers >= {MIN_CLUSTERS}, got {value!r}")
        return int(value)
    return float(value)


def _check_vary(design: Any, vary: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    if not isinstance(vary, Mapping) or not vary:
        raise OptionError(
            "vary must be a non-empty mapping parameter -> values, e.g. "
            "{'icc_infant': [0.05, 0.1]}; parameters: " + ", ".join(varied_parameters(design))
        )
    out = {}
    for name, values in vary.items():
        _kind(design, str(name))
        seq = [values] if isinstance(values, str) or np.ndim(values) == 0 else list(values)
        if not seq:
            raise OptionError(f"vary {name}: give at least one value")
        coerced = tuple(_coerce(design, name, v) for v in seq)
        if len(set(coerced)) < len(coerced):
            raise OptionError(f"vary {name}: values repeat ({', '.join(map(str, seq))})")
        out[str(name)] = coerced
    return out


def parse_vary(design: Any, items: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """``["icc_infant=0.05,0.1", "n_clusters=30,60"]`` (the CLI's ``--vary``) as ``vary``.

    Raises
    ------
    OptionError
        Not ``NAME=V1,V2,...``, an unknown or repeated name, an empty list, a
        value that is not a number (or word) of the parameter.

    Examples
    --------
    >>> parse_vary("kenya", ["icc_infant=0.05,0.1", "correlation_scale=spearman"])
    {'icc_infant': (0.05, 0.1), 'correlation_scale': ('spearman',)}
    """
    design = _resolve_design(design)
    vary: dict[str, list[str]] = {}
    for item in items:
        name, eq, values = str(item).partition("=")
        name = name.strip()
        if not eq or not name:
            raise OptionError(f"--vary takes NAME=V1,V2,..., got {item!r}")
        if name in vary:
            raise OptionError(f"--vary {name} given twice; list all its values once")
        words = [v.strip() for v in values.split(",")]
        if not any(words) or not all(words):
            raise OptionError(f"--vary {name}: give comma-separated values, got {values!r}")
        vary[name] = words
    return _check_vary(design, vary)


def plausible_vary(design: Any, names: Sequence[str] | None = None) -> dict[str, tuple]:
    """The design's plausible ranges (:attr:`~b12stats.simulate.Design.plausible`) as ``vary``.

    Assumed parameters only, in the order of :meth:`~b12stats.simulate.Design.describe`.

    Examples
    --------
    >>> plausible_vary("kenya")["icc_infant"]
    (0.01, 0.05, 0.1)
    """
    design = _resolve_design(design)
    ranges = dict(getattr(design, "plausible", {}) or {})
    order = [p for p in _status(design) if p in ranges] + list(ranges)
    wanted = list(dict.fromkeys(order)) if names is None else list(names)
    for name in wanted:
        if name not in ranges:
            raise OptionError(
                f"design {design.name!r} gives no plausible range for {name!r}; it has: "
                f"{', '.join(ranges) or 'none'}"
            )
    return {name: tuple(ranges[name]) for name in wanted}


def _status(design: Any) -> dict[str, str]:
    """Parameter -> ``describe()`` status (published, assumed, set by user, ...)."""
    desc = design.describe()
    return dict(zip(desc["parameter"], desc["status"], strict=True))


def _current(design: Any, name: str) -> Any:
    """The design's value of a varied parameter."""
    if name.startswith(_EFFECT):
        return {c.name: c.effect for c in design.covariates}[name[len(_EFFECT) :]]
    comp, _, sub = name.partition("_")
    if comp in ("milk", "infant") and sub in ("mu", "sigma"):
        return getattr(getattr(design, comp), sub)
    return getattr(design, name)


def _variant(design: Any, assignment: Mapping[str, Any]) -> Any:
    """The design with ``assignment`` applied (``n_clusters`` excepted: a scenario count)."""
    changes: dict[str, Any] = {}
    effects = {}
    for name, value in assignment.items():
        if name == "n_clusters" or value == _current(design, name):
            continue
        if name.startswith(_EFFECT):
            effects[name[len(_EFFECT) :]] = value
            continue
        comp, _, sub = name.partition("_")
        if comp in ("milk", "infant") and sub in ("mu", "sigma"):
            base = changes.get(comp, getattr(design, comp))
            changes[comp] = dataclasses.replace(
                base, **{sub: value}, method=f"{base.method}; {sub} set by the user"
            )
            continue
        changes[name] = value
    if effects:
        changes["effects"] = effects
    if not changes:
        return design
    try:
        return design.replace(**changes)
    except OptionError as exc:
        shown = ", ".join(f"{k}={v}" for k, v in assignment.items())
        raise OptionError(f"vary {shown}: {exc}") from None


@dataclass(frozen=True)
class SensitivityResult:
    """Power of every scenario of a sensitivity grid (:func:`sensitivity`).

    Attributes
    ----------
    table
        One row per scenario: the varied parameters (assumed ones first;
        ``n_clusters`` is the :data:`~b12stats.power.COLUMNS` column), then
        the columns of :func:`~b12stats.power.power`.
    vary
        Parameter -> values tried, in the order of the table's columns.
    status
        Parameter -> its status in the design (``describe()``: published,
        assumed, ...).
    replicates
        Per row of ``table``: the (estimate, se, converged) arrays of the
        tested coefficient over the replicates (see :meth:`p_values`).
    """

    table: pd.DataFrame
    vary: Mapping[str, tuple[Any, ...]]
    status: Mapping[str, str]
    replicates: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...] = field(
        default=(), repr=False, compare=False
    )

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def p_values(self, row: int) -> np.ndarray:
        """Two-sided Wald P of the converged replicates of ``table`` row ``row``."""
        from scipy import stats

        est, se, ok = self.replicates[row]
        return 2.0 * stats.norm.sf(np.abs(est[ok] / se[ok]))

    @property
    def parameters(self) -> list[str]:
        """The leading columns of :attr:`table`: ``varied`` (one at a time), the parameters."""
        lead = [_VARIED] if _VARIED in self.table.columns else []
        return lead + [p for p in self.vary if p != "n_clusters"]

    def ranges(self) -> pd.DataFrame:
        """Per varied parameter and number of dyads: the lowest and highest power over its values.

        Columns ``parameter, status, values, n_dyads, power_min, power_min_mcse,
        at_min, power_max, power_max_mcse, at_max`` (``at_*``: the parameter's
        value there).
        """
        rows = []
        for name in self.vary:
            mine = self.table
            if _VARIED in mine.columns:  # one at a time: the design and this parameter's rows
                mine = mine[mine[_VARIED].isin(["", name])]
            for n, grp in mine.groupby("n_dyads", sort=True):
                lo = grp.loc[grp["power"].idxmin()]
                hi = grp.loc[grp["power"].idxmax()]
                rows.append(
                    {
                        "parameter": name,
                        "status": self.status.get(name, ""),
                        "values": ", ".join(map(str, self.vary[name])),
                        "n_dyads": int(n),
                        "power_min": float(lo["power"]),
                        "power_min_mcse": float(lo["power_mcse"]),
                        "at_min": lo[name],
                        "power_max": float(hi["power"]),
                        "power_max_mcse": float(hi["power_mcse"]),
                        "at_max": hi[name],
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The scenarios (4 significant digits) and the method; later lines start with #."""
        shown = self._shown()
        with pd.option_context("display.width", 200, "display.max_columns", None):
            lines = [shown.to_string(index=False, float_format=lambda v: f"{v:.4g}")]
        lines.append(f"# {self._method_line()}")
        lines.append(
            "# varied: "
            + "; ".join(
                f"{k} ({self.status.get(k, 'scenario')}) = {', '.join(map(str, v))}"
                for k, v in self.vary.items()
            )
        )
        return "\n".join(lines)

    def _shown(self) -> pd.DataFrame:
        keep = [*self.parameters, "n_dyads", "n_clusters", "reps", "power", "power_mcse"]
        keep += ["mean_estimate", "coverage", "nonconverged_share"]
        return self.table[keep]

    def _method_line(self) -> str:
        first = self.table.iloc[0]
        return (
            f"{first['design']}: {first['method']}; alpha {first['alpha']:g}; seed "
            f"{first['seed']}; common random numbers across variants of a scenario"
        )

    def _repr_html_(self) -> str:
        """The table as HTML (for notebooks)."""
        title = f"Sensitivity of simulated power: {self.table['design'].iloc[0]}"
        return result_html(title, [self._method_line()], format_table(self._shown(), 4))


def _assignments(
    design: Any, vary: dict[str, tuple[Any, ...]], crossed: bool
) -> list[dict[str, Any]]:
    """The variants: every combination (``crossed``), or one parameter at a time."""
    names = list(vary)
    if crossed:
        return [
            dict(zip(names, combo, strict=True)) for combo in itertools.product(*vary.values())
        ]
    base = {name: _current(design, name) if name != "n_clusters" else None for name in names}
    out = [{_VARIED: ""} | base]
    for name in names:
        out += [{_VARIED: name} | base | {name: v} for v in vary[name] if v != base[name]]
    return out


def variants(
    design: Any, vary: Mapping[str, Sequence[Any]], *, crossed: bool = True
) -> list[tuple[dict[str, Any], Any]]:
    """The design variants of a sensitivity grid: ``(assignment, design)`` pairs, in table order.

    ``assignment`` maps each varied parameter to its value (``n_clusters``
    included: the variant's number of clusters, which is not a design
    property); see :func:`sensitivity` for ``vary`` and ``crossed``.

    Examples
    --------
    >>> [(a, d.icc_infant) for a, d in variants("kenya", {"icc_infant": [0.05, 0.2]})]
    [({'icc_infant': 0.05}, 0.05), ({'icc_infant': 0.2}, 0.2)]
    """
    design = _resolve_design(design)
    checked = _ordered(design, _check_vary(design, vary))
    out = []
    for labelled in _assignments(design, checked, crossed):
        assignment = {k: v for k, v in labelled.items() if k != _VARIED}
        out.append((assignment, _variant(design, assignment)))
    return out


def _ordered(design: Any, checked: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """Assumed parameters first (stable), then published ones."""
    status = _status(design)
    order = sorted(checked, key=lambda k: status.get(k, "").startswith(_PUBLISHED))
    return {k: checked[k] for k in order}


def sensitivity(
    design: Any,
    *,
    vary: Mapping[str, Sequence[Any]],
    n_dyads: int | Sequence[int] | None = None,
    crossed: bool = True,
    model: str = "linear",
    reps: int = 1000,
    rng: Any = None,
    workers: int = 1,
    executor: cf.Executor | None = None,
    progress: bool | None = None,
    **options: Any,
) -> SensitivityResult:
    """Simulated power for every variant of the design's assumptions, one row per scenario.

    Parameters
    ----------
    design : Design or str
        The base design (a Design, a built-in name or a ``.toml`` path).
    vary : mapping of str to sequence
        Parameter -> values to try (names: :func:`varied_parameters`, e.g.
        ``{"icc_infant": [0.01, 0.05, 0.1], "n_clusters": [30, 60, 120]}``;
        :func:`plausible_vary` gives the design file's plausible ranges).
    n_dyads : int or sequence of int, optional
        Numbers of dyads crossed with the variants (default: the design's).
        Without ``n_clusters`` in ``vary``, each keeps the design's dyads per
        cluster, as in :func:`~b12stats.power.power`.
    crossed : bool
        True: every combination of the values (a full factorial). False: one
        parameter at a time, the others at the design's value (the design
        itself first; the rows of the base design are not repeated).
    reps, model, rng, executor, workers, progress
        As for :func:`~b12stats.power.power` (``model`` defaults to ``"linear"``
        there too).
    **options
        The other options of :func:`~b12stats.power.power` (``scale``,
        ``covariates``, ``cov_struct``, ``alpha``, ``alternative``,
        ``true_value``, ``chunk_size``, ``cov_type``; :data:`POWER_OPTIONS`).
        ``true_value=math.nan`` skips the coverage target, whose simulation
        (for the trend model) costs about a second per variant and cluster
        size.

    Returns
    -------
    SensitivityResult

    Notes
    -----
    One at a time, the table's first column ``varied`` names the parameter a
    row changes (``""`` for the design itself). Rows are ordered by variant
    (assumed parameters first, then the order of ``vary``; the first slowest), then by
    ``n_dyads``. A row equals ``power(variant, n_dyads=n, n_clusters=c,
    rng=seed)`` exactly; see the module docstring for the common random numbers
    this implies. The coverage targets the variants need are simulated in the
    same executor run as the replicates (cached per process).

    Raises
    ------
    OptionError
        An unknown parameter (the message lists the valid ones), an empty or
        repeated list, a value the design cannot take (e.g. an ICC of 1 or an
        ICC that the other parameters make unattainable), anything
        :func:`~b12stats.power.power` rejects.

    Examples
    --------
    >>> res = sensitivity("kenya", vary={"icc_infant": [0.05, 0.2]}, n_dyads=60, reps=100,
    ...                   rng=1)
    >>> res.table[["icc_infant", "n_dyads", "n_clusters", "reps"]]
       icc_infant  n_dyads  n_clusters  reps
    0        0.05       60          13   100
    1        0.20       60          13   100
    """
    design = _resolve_design(design)
    checked = _ordered(design, _check_vary(design, vary))
    status = _status(design)
    seed = _seed_from(rng)
    base = _spec_with(design, model=model, reps=reps, options=options, caller="sensitivity")
    jobs, labels, seen = [], [], set()
    for labelled in _assignments(design, checked, crossed):
        assignment = {k: v for k, v in labelled.items() if k != _VARIED}
        variant = _variant(design, assignment)
        clusters = assignment.get("n_clusters")
        try:
            scenarios = _scenarios(variant, n_dyads, clusters)
        except OptionError as exc:
            raise OptionError(f"vary n_clusters={clusters}: {exc}") from None
        key = (
            repr(sorted((k, v) for k, v in assignment.items() if k != "n_clusters")),
            *scenarios,
        )
        if key in seen:  # one parameter at a time: n_clusters at the design's own
            continue
        seen.add(key)
        spec = dataclasses.replace(base, design=variant).for_scenarios(scenarios)
        jobs.append((spec, scenarios))
        labels.append(labelled)
    runner = Runner(executor=executor, workers=workers, progress=progress)
    arrays = _run_jobs(jobs, seed, runner)
    tables = _power_tables(jobs, seed, runner, arrays=arrays)
    parts = []
    for assignment, tab in zip(labels, tables, strict=True):
        lead = {k: v for k, v in assignment.items() if k != "n_clusters"}
        parts.append(tab.assign(**lead)[[*lead, *COLUMNS]] if lead else tab)
    return SensitivityResult(
        table=pd.concat(parts, ignore_index=True),
        vary=checked,
        status={k: status.get(k, "scenario") for k in checked},
        replicates=tuple(r for per_job in arrays for r in per_job),
    )

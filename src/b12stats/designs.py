"""Designs from the data: built-in design files, data rows, and a design from a cohort's rows.

The simulation core (:mod:`b12stats.simulate`) reads no data table; this
domain module gives it what it needs and registers itself with
:mod:`b12stats.simulate.registry` when imported (the core imports it by name
on first use):

* the built-in designs, the ``*.toml`` files in ``data/designs/``
  (:func:`design_dir`, :func:`design_names`, :data:`DESIGN_NAMES`,
  :func:`get_design`, :func:`list_designs`);
* the data rows a design file cites (:func:`row_lookup`, :func:`read_design`)
  and the kind of the source behind a row (:func:`source_kind`);
* :func:`design_from_cohort`: a design built from a cohort's published rows,
  every assumption it had to make stated with its reason (``b12stats design``).

``tables`` arguments are mappings ``name -> DataFrame`` as
:func:`b12stats.data.load_table` returns them (``source_kind`` joined); a
table left out is read from the bundled data.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from b12stats._schema import package_attribute
from b12stats.data import data_dir, load_table, table_names
from b12stats.errors import DataValidationError, OptionError
from b12stats.simulate import registry
from b12stats.simulate.design import Design, LognormalMarginal
from b12stats.simulate.files import RowLookup
from b12stats.simulate.files import read_design as _read_design
from b12stats.stats.correlation import r_critical
from b12stats.units import to_pmol_per_l

__all__ = [
    "DESIGN_NAMES",
    "cohort_ids",
    "design_dir",
    "design_from_cohort",
    "design_names",
    "get_design",
    "list_designs",
    "read_design",
    "row_lookup",
    "source_kind",
]

Tables = Mapping[str, pd.DataFrame]


# --------------------------------------------------------------------------- #
# data rows
# --------------------------------------------------------------------------- #
def _cell(v: Any) -> Any:
    try:
        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


def _table(tables: Tables | None, name: str) -> pd.DataFrame:
    if tables is not None and name in tables:
        return tables[name]
    return load_table(name)


@functools.cache
def _bundled_index(name: str) -> dict[str, dict[str, Any]]:
    return _index(load_table(name))


def _index(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    if "row_id" not in frame.columns:
        return {}
    return {
        str(rec["row_id"]): {str(k): _cell(v) for k, v in rec.items()}
        for rec in frame.to_dict("records")
    }


def row_lookup(tables: Tables | None = None) -> RowLookup:
    """A :data:`~b12stats.simulate.files.RowLookup` over ``tables`` (default: the bundled tables).

    Examples
    --------
    >>> rows = row_lookup()
    >>> first = load_table("correlations").iloc[0]
    >>> bool(rows("correlations", first["row_id"])["r"] == first["r"])
    True
    >>> rows("correlations", "nothing") is None
    True
    """
    names = list(table_names()) + [n for n in (tables or {}) if n not in table_names()]
    local: dict[str, dict[str, dict[str, Any]]] = {}

    def lookup(table: str, row_id: str) -> Mapping[str, Any] | None:
        if table not in names:
            raise LookupError(f"unknown table {table!r}; expected one of: {', '.join(names)}")
        if tables is not None and table in tables:
            if table not in local:
                local[table] = _index(tables[table])
            return local[table].get(row_id)
        return _bundled_index(table).get(row_id)

    return lookup


def source_kind(row_id: str, tables: Tables | None = None) -> str | None:
    """``source_kind`` (primary / secondary / lay / reference) of a data row, or None.

    Examples
    --------
    >>> source_kind(load_table("correlations").iloc[0]["row_id"]), source_kind("nothing")
    ('primary', None)
    """
    if tables is None:
        return _bundled_kind(row_id)
    for frame in tables.values():
        if {"row_id", "source_kind"} <= set(frame.columns):
            hit = frame.loc[frame["row_id"] == row_id, "source_kind"]
            if len(hit) == 1:
                return str(hit.iloc[0])
    return None


@functools.cache
def _bundled_kind(row_id: str) -> str | None:
    for name in table_names():
        row = _bundled_index(name).get(row_id)
        if row is not None and row.get("source_kind") is not None:
            return str(row["source_kind"])
    return None


def read_design(path: str | Path, tables: Tables | None = None) -> Design:
    """Read a design file, its row references looked up in ``tables`` (default: bundled)."""
    return _read_design(path, rows=row_lookup(tables))


# --------------------------------------------------------------------------- #
# built-in designs
# --------------------------------------------------------------------------- #
def design_dir() -> Path:
    """The folder of the built-in design files (``data/designs``)."""
    return data_dir() / "designs"


def design_names() -> tuple[str, ...]:
    """Names of the built-in designs: the stems of ``data/designs/*.toml``, sorted."""
    return tuple(sorted(p.stem for p in design_dir().glob("*.toml")))


def default_design_name() -> str:
    """The built-in design the report simulates when none is given.

    It is named in the bundled ``datapackage.json`` (``b12stats:default_design``),
    not in the code.

    Examples
    --------
    >>> default_design_name() in design_names()
    True
    """
    name = package_attribute("b12stats:default_design")
    if name not in design_names():
        raise DataValidationError(
            f"b12stats:default_design {name!r} is not a built-in design; expected one of: "
            + ", ".join(design_names()),
            file=data_dir() / "datapackage.json",
        )
    return str(name)


def get_design(name_or_path: str | Path | Design, tables: Tables | None = None) -> Design:
    """A design: a built-in name, the path of a ``.toml`` design file, or a Design (returned).

    Row references of a file are looked up in ``tables`` (default: bundled).

    Examples
    --------
    >>> d = get_design("canada")
    >>> d.n_dyads, round(d.milk.median), d.flags[0][:40]
    (40, 347, "rests on the secondary summary page's un")
    """
    if isinstance(name_or_path, Design):
        return name_or_path
    if not isinstance(name_or_path, str | Path):
        raise OptionError(
            f"design must be a design name, a .toml path or a Design, got {name_or_path!r}"
        )
    names = design_names()
    if isinstance(name_or_path, str) and name_or_path in names:
        return read_design(design_dir() / f"{name_or_path}.toml", tables)
    path = Path(name_or_path)
    if path.suffix.lower() == ".toml" or path.is_file():
        return read_design(path, tables)
    raise OptionError(
        f"unknown design {str(name_or_path)!r}; expected one of: {', '.join(names)}, "
        "or the path of a .toml design file"
    )


def list_designs() -> pd.DataFrame:
    """The built-in designs: ``name, n_dyads, n_clusters, flags, default, description``.

    ``default`` is True for the design the report simulates when none is given
    (:func:`default_design_name`).

    Examples
    --------
    >>> tab = list_designs()
    >>> list(tab["name"])[:3]
    ['cambodia', 'cambodia_primary', 'canada']
    >>> int(tab["default"].sum())
    1
    """
    default = default_design_name()
    rows = []
    for name in design_names():
        d = get_design(name)
        rows.append(
            {
                "name": name,
                "n_dyads": d.n_dyads,
                "n_clusters": d.n_clusters,
                "flags": len(d.flags),
                "default": name == default,
                "description": d.description,
            }
        )
    columns = ["name", "n_dyads", "n_clusters", "flags", "default", "description"]
    return pd.DataFrame(rows, columns=columns)


#: names of the built-in designs (the files in ``data/designs``), sorted
DESIGN_NAMES: tuple[str, ...] = design_names()


# --------------------------------------------------------------------------- #
# a design from a cohort's published rows
# --------------------------------------------------------------------------- #
#: correlation variables of the milk-infant pair
_PAIR = frozenset({"milk", "infant_blood"})
#: coefficient kinds that are a plain (marginal) correlation, and the scale each implies
_SCALE_OF = {"spearman": "spearman", "pearson": "pearson", "unspecified": None}
#: the scale assumed when a source does not state it
_DEFAULT_SCALE = "pearson_log"
#: what a concentrations row needs for each fit
_FIT_NEEDS = {"quartiles": ("q1", "q3"), "geometric_mean_ci": ("ci_low", "ci_high", "n")}


def _is_infant(compartment: Any) -> bool:
    return isinstance(compartment, str) and compartment.startswith("infant_")


def _is_milk(compartment: Any) -> bool:
    return compartment == "milk"


def cohort_ids(tables: Tables | None = None) -> tuple[str, ...]:
    """The cohort keys of the data rows (every table with a ``cohort`` column), sorted.

    Examples
    --------
    >>> "kenya_wbk" in cohort_ids()
    True
    """
    names = set(table_names()) | set(tables or {})
    ids: set[str] = set()
    for name in names:
        frame = _table(tables, name)
        if "cohort" in frame.columns:
            ids |= {str(c) for c in frame["cohort"].dropna()}
    return tuple(sorted(ids))


def _ranked(frame: pd.DataFrame, prefer_source: str | None = None) -> pd.DataFrame:
    """Rows ordered: same source as ``prefer_source``, primary sources, larger n, file order."""
    if frame.empty:
        return frame
    key = pd.DataFrame(index=frame.index)
    key["same"] = (frame["source_id"] != prefer_source) if prefer_source else False
    kinds = frame["source_kind"] if "source_kind" in frame.columns else pd.Series("", frame.index)
    key["kind"] = ~kinds.isin(["primary", "reference"])
    n = frame["n"] if "n" in frame.columns else pd.Series(float("nan"), frame.index)
    key["n"] = -pd.to_numeric(n, errors="coerce").fillna(-1.0)
    key["order"] = range(len(frame))
    return frame.loc[key.sort_values(["same", "kind", "n", "order"]).index]


def _fit_kind(row: Mapping[str, Any]) -> str | None:
    stat = row.get("statistic")
    fit = {"median": "quartiles", "geometric_mean": "geometric_mean_ci"}.get(stat)
    if fit is None or any(_cell(row.get(c)) is None for c in _FIT_NEEDS[fit]):
        return None
    try:
        to_pmol_per_l(1.0, str(row.get("unit")))
    except OptionError:
        return None
    return fit


def _marginal(
    conc: pd.DataFrame, cohort: str, comp: str, assumptions: dict[str, tuple[Any, str]]
) -> tuple[LognormalMarginal | None, dict[str, Any] | None, str]:
    """The best fit-able row of ``comp`` ("milk" / "infant"); else None and what was found."""
    test = _is_milk if comp == "milk" else _is_infant
    sel = conc[(conc["cohort"] == cohort) & conc["compartment"].map(test)]
    whole = sel[sel["group"] == "all"] if "group" in sel.columns else sel
    found = []
    for rec in _ranked(whole).to_dict("records"):
        rec = {k: _cell(v) for k, v in rec.items()}
        fit = _fit_kind(rec)
        if fit is None:
            found.append(f"{rec['row_id']} ({rec.get('statistic')} without its spread)")
            continue
        unit = str(rec["unit"])

        def pm(v: Any, unit: str = unit) -> float:
            return float(to_pmol_per_l(float(v), unit))

        converted = "" if unit == "pmol/L" else f", converted from {unit}"
        if fit == "quartiles":
            marg = LognormalMarginal.from_quartiles(pm(rec["q1"]), pm(rec["value"]), pm(rec["q3"]))
        else:
            level = rec.get("ci_level")
            if level is None:
                level = 0.95
                assumptions[f"{comp}_ci_level"] = (
                    level,
                    f"row {rec['row_id']} does not give the level of its CI: assumed 95%",
                )
            marg = LognormalMarginal.from_geometric_mean_ci(
                pm(rec["value"]),
                pm(rec["ci_low"]),
                pm(rec["ci_high"]),
                int(rec["n"]),
                conf_level=float(level),
            )
            assumptions[f"{comp}_sigma"] = (
                marg.sigma,
                f"log-SD from the {100 * float(level):g}% CI of the geometric mean (row "
                f"{rec['row_id']}), sigma = sqrt(n) (log hi - log lo) / (2 t_(n-1)), assuming "
                "the CI is t-based on the log scale",
            )
        if converted:
            marg = LognormalMarginal(marg.mu, marg.sigma, marg.method + converted)
        if len(found) or len(whole) > 1:
            others = [r for r in whole["row_id"] if r != rec["row_id"]]
            if others:
                marg = LognormalMarginal(
                    marg.mu, marg.sigma, f"{marg.method}; row {rec['row_id']} chosen over "
                    f"{', '.join(others)} (same source / primary / larger n first)"
                )  # fmt: skip
        return marg, rec, ""
    other = sorted(set(sel["row_id"]) - set(whole["row_id"]))
    if other:
        found.append(f"{', '.join(other)} (subgroups only)")
    return None, None, f" (rows found: {', '.join(found)})" if found else ""


def design_from_cohort(tables: Tables | None, cohort_id: str) -> Design:
    """A design built from the published rows of one cohort.

    Reads, for ``cohort_id``: the milk and infant B12 marginals
    (``concentrations``: a median with quartiles, fitted log-normal; or a
    geometric mean with its CI and n), the milk-infant correlation and its
    coefficient kind (``correlations``; kind -> ``correlation_scale``), the
    number of dyads, and the infant cut-off with its published share and a
    milk threshold (``prevalences``). Every number not published is an
    assumption whose reason says why (``Design.assumptions``); every
    published one names its row (``Design.sources``). Where several rows
    qualify, rows of the same source as the infant marginal, then of primary
    sources, then with a larger n, then earlier in the file come first.

    Assumptions made: independent dyads (``n_clusters = n_dyads``, ICCs 0;
    no table holds clusters), no covariates, the correlation scale when the
    coefficient kind is not stated (Pearson on logs), the correlation when
    no r is printed (the r implied by a printed P value at n, or 0), the
    number of dyads when not printed with the marginals, an infant cut-off
    from ``reference_values`` when the cohort has none.

    Parameters
    ----------
    tables
        ``name -> DataFrame`` (as :func:`b12stats.data.load_table` returns);
        tables left out (or None) are the bundled ones.
    cohort_id
        A value of the ``cohort`` column (:func:`cohort_ids`).

    Raises
    ------
    OptionError
        Unknown cohort, or a cohort without a milk or an infant marginal (one
        message saying what is missing).

    Examples
    --------
    >>> d = design_from_cohort(None, "kenya_wbk")
    >>> round(d.infant.median), d.correlation, "correlation" in d.sources
    (276, 0.36, True)
    >>> d.correlation_scale, d.assumptions["correlation_scale"][1][:30]
    ('pearson_log', 'the coefficient kind of r = 0.')
    """
    ids = cohort_ids(tables)
    if not isinstance(cohort_id, str) or cohort_id not in ids:
        raise OptionError(f"unknown cohort {cohort_id!r}; expected one of: {', '.join(ids)}")
    assumptions: dict[str, tuple[Any, str]] = {}
    sources: dict[str, str] = {}
    flags: list[str] = []
    conc = _table(tables, "concentrations")
    milk, milk_row, milk_found = _marginal(conc, cohort_id, "milk", assumptions)
    infant, inf_row, inf_found = _marginal(conc, cohort_id, "infant", assumptions)
    missing = []
    if milk is None:
        missing.append(f"no milk B12 marginal{milk_found}")
    if infant is None:
        missing.append(f"no infant B12 marginal{inf_found}")
    if missing or milk is None or infant is None or milk_row is None or inf_row is None:
        raise OptionError(
            f"cohort {cohort_id!r} cannot give a design: {'; '.join(missing)} (a design needs, "
            "in concentrations, a median with q1 and q3 or a geometric mean with ci_low, "
            "ci_high and n, group 'all', for milk and for infant serum or plasma)"
        )
    for comp, row in (("milk", milk_row), ("infant", inf_row)):
        sources[f"{comp}_mu"] = sources[f"{comp}_sigma"] = str(row["row_id"])
    home = str(inf_row["source_id"])

    # -- number of dyads ---------------------------------------------------------
    corr = _table(tables, "correlations")
    pair = corr[
        (corr["cohort"] == cohort_id)
        & pd.Series(
            [frozenset(xy) == _PAIR for xy in zip(corr["var_x"], corr["var_y"], strict=True)],
            index=corr.index,
            dtype=bool,
        )
    ]
    pair = _ranked(pair, home)
    n_dyads, n_row = _n_dyads(tables, cohort_id, pair, milk_row, inf_row, assumptions)
    sources["n_dyads"] = n_row

    # -- correlation and its scale -----------------------------------------------
    r, scale = _correlation(pair, n_dyads, assumptions, sources)

    # -- clusters and covariates: no table holds them ------------------------------
    n_clusters = n_dyads
    assumptions["n_clusters"] = (
        n_clusters,
        "no cluster structure in the data tables: independent dyads (one dyad per cluster); "
        "set n_clusters and the ICCs for a clustered study",
    )
    for comp in ("milk", "infant"):
        assumptions[f"icc_{comp}"] = (0.0, "independent dyads: no intra-cluster correlation")
    assumptions["covariates"] = (
        "none",
        "no covariate distributions or effects are published in the data tables: the design "
        "has no covariates (add [[covariates]] to the file to simulate some)",
    )
    flags.append("numbers of clusters and intra-cluster correlations are assumptions")

    # -- cut-offs ------------------------------------------------------------------
    cutoff = _cutoff(tables, cohort_id, "infant", home, assumptions, sources)
    assert cutoff is not None  # the infant cut-off is always found or assumed
    threshold = _cutoff(tables, cohort_id, "milk", str(milk_row["source_id"]), {}, sources)
    design = Design(
        name=cohort_id,
        description=_description(tables, cohort_id, sources),
        milk=milk,
        infant=infant,
        correlation=r,
        correlation_scale=scale,
        n_dyads=n_dyads,
        n_clusters=n_clusters,
        icc_milk=0.0,
        icc_infant=0.0,
        adequacy_cutoff=cutoff,
        milk_threshold=threshold,
        assumptions=assumptions,
        sources=sources,
    )
    return dataclasses.replace(design, flags=(*flags, *_share_flags(tables, design)))


def _n_dyads(
    tables: Tables | None,
    cohort: str,
    pair: pd.DataFrame,
    milk_row: Mapping[str, Any],
    inf_row: Mapping[str, Any],
    assumptions: dict[str, tuple[Any, str]],
) -> tuple[int, str]:
    """The number of dyads and the row it comes from (an assumption when not printed as such)."""
    with_n = pair[pair["n"].notna()] if "n" in pair.columns else pair.iloc[:0]
    if len(with_n):
        row = with_n.iloc[0]
        return int(row["n"]), str(row["row_id"])
    n_m, n_i = _cell(milk_row.get("n")), _cell(inf_row.get("n"))
    if n_m is not None and n_i is not None and int(n_m) == int(n_i):
        return int(n_i), str(inf_row["row_id"])
    coh = _table(tables, "cohorts")
    counts = coh[
        (coh["cohort"] == cohort)
        & (coh["attribute"] == "n_participants")
        & coh["value_num"].notna()
    ]
    same = counts[counts["source_id"] == inf_row["source_id"]]
    if len(same) == 1 and n_m is None and n_i is None:
        row = same.iloc[0]
        return int(row["value_num"]), str(row["row_id"])
    # not printed for the dyads: the smallest count printed for the cohort's marginals
    options = [(int(r["n"]), str(r["row_id"])) for r in (inf_row, milk_row) if _cell(r.get("n"))]
    if not options:
        pairs = zip(counts["value_num"], counts["row_id"], strict=True)
        options = [(int(v), str(r)) for v, r in pairs]
    if not options:
        raise OptionError(
            f"cohort {cohort!r} cannot give a design: no number of participants (no n on its "
            "concentration or correlation rows, no n_participants row in cohorts)"
        )
    n, row_id = min(options)
    assumptions["n_dyads"] = (
        n,
        f"number of dyads not printed with both marginals; assumed the smallest count printed "
        f"for the cohort, n = {n} (row {row_id})",
    )
    return n, row_id


def _correlation(
    pair: pd.DataFrame,
    n_dyads: int,
    assumptions: dict[str, tuple[Any, str]],
    sources: dict[str, str],
) -> tuple[float, str]:
    """The correlation and its scale; assumptions and sources recorded."""
    plain = pair[pair["coefficient"].isin(list(_SCALE_OF))] if len(pair) else pair
    if "adjusted" in plain.columns:
        adjusted = plain["adjusted"].astype("string").str.lower().eq("true").fillna(False)
        plain = plain[~adjusted.astype(bool)]
    with_r = plain[plain["r"].notna()] if len(plain) else plain
    others = [str(r) for r in pair["row_id"]] if len(pair) else []
    if len(with_r):
        row = with_r.iloc[0]
        rid = str(row["row_id"])
        r = float(row["r"])
        sources["correlation"] = rid
        kind = str(row["coefficient"])
        scale = _SCALE_OF[kind]
        if scale is None:
            assumptions["correlation_scale"] = (
                _DEFAULT_SCALE,
                f"the coefficient kind of r = {r:g} (row {rid}) is not stated; assumed Pearson "
                "on log concentrations, usual for right-skewed B12 (change correlation_scale "
                "to 'pearson' or 'spearman')",
            )
            scale = _DEFAULT_SCALE
        elif scale == "pearson":
            sources["correlation_scale"] = rid
            assumptions["correlation_scale"] = (
                scale,
                f"row {rid} gives a Pearson r; whether on concentrations or on log "
                "concentrations is not stated: read as on concentrations",
            )
        else:
            sources["correlation_scale"] = rid
        return r, scale
    with_p = plain[:0]
    if len(plain) and {"p_value", "p_relation"} <= set(plain.columns):
        # a P value bounding r from below (P < x) or fixing it (P = x); P > x bounds it above
        p_ok = plain["p_value"].between(0.0, 1.0, inclusive="neither").fillna(False)
        rel_ok = plain["p_relation"].isin(["<", "<=", "="])
        with_p = plain[p_ok.astype(bool) & rel_ok]
    if len(with_p) and n_dyads > 3:
        row = with_p.iloc[0]
        rid, rel, p = str(row["row_id"]), str(row["p_relation"]), float(row["p_value"])
        r = round(float(r_critical(n_dyads, alpha=p)), 4)
        bound = "the r implied by" if rel == "=" else "the smallest r consistent with"
        sources["correlation"] = rid
        assumptions["correlation"] = (
            r,
            f"milk-infant r not published (only {row['p_text']}, row {rid}); assumed {bound} "
            f"it at n = {n_dyads} (two-sided t test), r = {r:g}, positive",
        )
    else:
        r = 0.0
        said = f" (rows {', '.join(others)} give no unadjusted r or P value)" if others else ""
        assumptions["correlation"] = (
            r,
            f"no milk-infant correlation published for the cohort{said}: assumed 0 (no "
            "association); set the correlation you want to detect",
        )
    assumptions["correlation_scale"] = (
        _DEFAULT_SCALE,
        "no r published, so no coefficient kind: assumed Pearson on log concentrations",
    )
    return r, _DEFAULT_SCALE


def _cutoffs(tables: Tables | None, cohort: str, comp: str) -> pd.DataFrame:
    prev = _table(tables, "prevalences")
    test = _is_milk if comp == "milk" else _is_infant
    sel = prev[
        (prev["cohort"] == cohort)
        & prev["compartment"].map(test)
        & prev["cutoff"].notna()
        & prev["relation"].notna()
        & (prev["group"] == "all")
    ]
    keep = []
    for i, unit in zip(sel.index, sel["unit"], strict=True):
        try:
            to_pmol_per_l(1.0, str(unit))
        except OptionError:
            continue
        keep.append(i)
    return sel.loc[keep]


def _cutoff(
    tables: Tables | None,
    cohort: str,
    comp: str,
    home: str,
    assumptions: dict[str, tuple[Any, str]],
    sources: dict[str, str],
) -> float | None:
    """The infant adequacy cut-off (assumed when the cohort has none), or the milk threshold."""
    param = "adequacy_cutoff" if comp == "infant" else "milk_threshold"
    sel = _ranked(_cutoffs(tables, cohort, comp), home)
    if len(sel):
        row = sel.iloc[0]
        sources[param] = str(row["row_id"])
        return float(to_pmol_per_l(float(row["cutoff"]), str(row["unit"])))
    if comp == "milk":
        return None
    ref = _table(tables, "reference_values")
    hit = ref[
        ref["quantity"].astype("string").str.contains("adequacy cut-off", na=False)
        & ref["population"].astype("string").str.contains("infant", na=False)
    ]
    hit = _ranked(hit)
    if not len(hit):
        raise OptionError(
            f"cohort {cohort!r} cannot give a design: no infant B12 cut-off (no infant row with a "
            "cutoff in prevalences, no infant adequacy cut-off in reference_values)"
        )
    row = hit.iloc[0]
    value = float(to_pmol_per_l(float(row["value"]), str(row["unit"])))
    sources[param] = str(row["row_id"])
    assumptions[param] = (
        value,
        f"the cohort publishes no infant B12 cut-off; assumed the {row['quantity']} of row "
        f"{row['row_id']} ({value:g} pmol/L)",
    )
    return value


def _share(row: Mapping[str, Any]) -> float | None:
    pct, frac = _cell(row.get("percent")), _cell(row.get("fraction"))
    if pct is not None:
        return float(pct) / 100.0
    if isinstance(frac, str) and "/" in frac:
        a, b = frac.split("/", 1)
        try:
            return float(a) / float(b)
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _share_flags(tables: Tables | None, design: Design) -> list[str]:
    """One flag per published share at a used cut-off: the printed share and the fitted one."""
    out = []
    for comp, param in (("infant", "adequacy_cutoff"), ("milk", "milk_threshold")):
        rid = design.sources.get(param)
        if rid is None or param in design.assumptions:
            continue
        prev = _cutoffs(tables, design.name, comp)
        hit = prev[prev["row_id"] == rid]
        if not len(hit):
            continue
        row = {k: _cell(v) for k, v in hit.iloc[0].to_dict().items()}
        share = _share(row)
        if share is None:
            continue
        cut = float(getattr(design, param))
        marg = getattr(design, comp)
        below = row["relation"] in ("<", "<=")
        fitted = marg.cdf(cut) if below else 1.0 - marg.cdf(cut)
        words = f"{row.get('qualifier')} " if row.get("qualifier") else ""
        out.append(
            f"published share of {comp} B12 {row['relation']} {cut:g} pmol/L: {words}"
            f"{100 * share:.0f}% (row {rid}); the fitted log-normal gives {100 * fitted:.0f}%"
        )
    return out


def _description(tables: Tables | None, cohort: str, sources: Mapping[str, str]) -> str:
    coh = _table(tables, "cohorts")
    country = coh.loc[coh["cohort"] == cohort, "country"].dropna()
    where = f" ({country.iloc[0]})" if len(country) else ""
    rows = sorted(set(sources.values()))
    return (
        f"Cohort {cohort}{where}, built by `b12stats design` from the published rows "
        f"{', '.join(rows)}; every other number is an assumption with its reason"
    )


registry.register(
    resolve=get_design,
    rows=row_lookup(),
    source_kind=source_kind,
    builtin=sys.modules[__name__],
)

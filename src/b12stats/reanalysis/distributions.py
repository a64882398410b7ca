"""Distributions rebuilt from printed summaries, with the shares they imply beyond cut-offs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12stats.format import format_number, format_pct
from b12stats.reanalysis._common import NothingToShow, Tables, milk_ai_level, table
from b12stats.reanalysis._common import country as _country
from b12stats.reanalysis._common import rows as _rows


@dataclass(frozen=True)
class DistributionPanel:
    """One printed summary (quartiles, or a geometric mean with CI), its log-normal, shares."""

    row_id: str
    title: str
    country: str
    compartment: str
    unit: str
    fit: Any
    marks: tuple[tuple[float, str], ...]
    shares: pd.DataFrame
    cohort: str = ""


@dataclass(frozen=True)
class DistributionsResult:
    """Result of :func:`analysis_distributions`."""

    panels: tuple[DistributionPanel, ...]
    table: pd.DataFrame
    without_quartiles: pd.DataFrame
    milk_level: float = float("nan")  # drawn on milk panels without a printed share


_COMPARTMENT_NAME = {
    "infant_serum": "infant serum B12",
    "infant_serum_or_plasma": "infant serum/plasma B12",
    "milk": "milk B12",
    "maternal_serum": "maternal serum B12",
}

_SIDE = {"<": "below", "<=": "at_or_below", ">": "above", ">=": "at_or_above"}


def _printed_share(row: Any) -> tuple[float, str]:
    if pd.notna(row.percent):
        pct = float(row.percent)
        return pct / 100.0, f"{format_number(pct)}%"
    frac = str(row.fraction)
    num, den = (float(x) for x in frac.split("/"))
    qual = "≈ " if str(row.qualifier) == "approximately" else ""
    return num / den, f"{qual}{frac}"


def lognormal_from_gm_ci(
    gm: float, ci_low: float, ci_high: float, n: int, *, conf_level: float = 0.95
) -> Any:
    """The log-normal behind a geometric mean, its CI and n.

    ``mu`` and ``sigma`` of :func:`b12stats.stats.quartiles.prevalence_from_gm_ci`
    (a CI symmetric on the linear scale is read as ``GM ± z SE`` by the delta
    method, one symmetric on the log scale as ``exp(log GM ± z sigma/sqrt(n))``),
    so the curve drawn and the share it implies come from one distribution.

    Examples
    --------
    >>> m = lognormal_from_gm_ci(357, 312, 402, 69)  # linear-symmetric CI
    >>> round(m.sigma, 4), round(1 - float(m.cdf(221)), 4)  # share above 221
    (0.5342, 0.8153)
    """
    from b12stats.simulate import LognormalMarginal
    from b12stats.stats.quartiles import prevalence_from_gm_ci

    fit = prevalence_from_gm_ci(gm, ci_low, ci_high, n, gm, ci_level=conf_level).iloc[0]
    method = (
        f"geometric mean {format_number(gm)} ({format_pct(conf_level, 0)} CI "
        f"{format_number(ci_low)}, {format_number(ci_high)}"
    )
    return LognormalMarginal(
        mu=float(fit["mu"]),
        sigma=float(fit["sigma"]),
        method=f"{method}; {fit['ci_scale']}-scale CI), n = {n}",
    )


def analysis_distributions(*, tables: Tables = None) -> DistributionsResult:
    """Log-normal distributions behind printed summaries, with shares beyond cut-offs.

    Two kinds of printed summary give a distribution (pmol/L; infant blood and milk):

    * median (Q1, Q3): :func:`~b12stats.stats.quartiles.lognormal_from_quartiles`;
      shares beyond every cut-off printed for the same cohort and compartment from
      :func:`~b12stats.stats.quartiles.prevalence_from_quartiles` (delta-method CI
      when n is known);
    * geometric mean with 95% CI and n (Chebaya 2017):
      :func:`lognormal_from_gm_ci` for the curve; printed shares are set beside
      the share the same log-normal implies
      (:func:`~b12stats.stats.quartiles.prevalence_from_gm_ci`, with its CI; the
      audit's recomputation). Milk has no printed share
      there: the share below the milk level behind the Adequate Intake
      (:func:`~b12stats.reanalysis.milk_ai_level`) is the curve's, without CI.

    Each row of ``table`` is one (summary, cut-off, printed share) triple.
    ``tables``: the tables in use (``None``: the bundled ones); raises
    :class:`~b12stats.reanalysis._common.NothingToShow` when no summary of
    infant blood or milk gives a distribution.

    Examples
    --------
    >>> res = analysis_distributions()
    >>> row = res.table.iloc[0]  # the first printed share: Kenyan infants at or below 220
    >>> round(float(row["implied"]), 3), round(float(row["printed"]), 3)
    (0.337, 0.333)
    """
    from b12stats.stats.quartiles import (
        lognormal_from_quartiles,
        prevalence_from_gm_ci,
        prevalence_from_quartiles,
    )

    conc = table(tables, "concentrations")
    prev = table(tables, "prevalences")
    milk_level = milk_ai_level(tables, required=False)
    blood_or_milk = conc["compartment"].str.startswith("infant") | (conc["compartment"] == "milk")
    pmol = conc["unit"] == "pmol/L"
    quart = conc[conc["q1"].notna() & conc["q3"].notna() & pmol & blood_or_milk]
    gms = conc[
        (conc["statistic"] == "geometric_mean")
        & conc["ci_low"].notna()
        & conc["n"].notna()
        & pmol
        & blood_or_milk
    ]
    panels = []
    rows = []
    for c in [*_rows(quart), *_rows(gms)]:
        n = None if pd.isna(c.n) else int(c.n)
        by_quartiles = pd.notna(c.q1)
        marks: tuple[tuple[Any, str], ...]
        if by_quartiles:
            fit: Any = lognormal_from_quartiles(c.q1, c.value, c.q3)
            marks = ((c.q1, "Q1"), (c.value, "median"), (c.q3, "Q3"))
            basis = "quartiles"
        else:
            level = float(c.ci_level) if pd.notna(c.ci_level) else 0.95
            fit = lognormal_from_gm_ci(c.value, c.ci_low, c.ci_high, int(c.n), conf_level=level)
            marks = ((c.value, "geometric mean"),)
            basis = "geometric mean (95% CI)"
        printed = prev[
            (prev["cohort"] == c.cohort)
            & (prev["compartment"] == c.compartment)
            & prev["cutoff"].notna()
            & (prev["unit"] == "pmol/L")
        ]
        share_rows = []
        for (cut, rel), grp in printed.groupby(["cutoff", "relation"], sort=True):
            side = _SIDE[str(rel)]
            pub = [_printed_share(r) for r in _rows(grp)]
            if by_quartiles:
                est = prevalence_from_quartiles(c.q1, c.value, c.q3, cut, side=side, n=n)
                e = est.iloc[0]
                implied = (float(e["estimate"]), float(e["ci_low"]), float(e["ci_high"]))
            else:
                est = prevalence_from_gm_ci(
                    c.value, c.ci_low, c.ci_high, int(c.n), cut, side=side, ci_level=level
                ).iloc[0]
                implied = (float(est["estimate"]), float(est["ci_low"]), float(est["ci_high"]))
            texts = [f"{t} ({sid})" for (_, t), sid in zip(pub, grp["source_id"], strict=True)]
            share_rows.append(
                {
                    "cutoff": float(cut),
                    "side": side,
                    "estimate": implied[0],
                    "ci_low": implied[1],
                    "ci_high": implied[2],
                    "published": pub[0][0],
                    "published_text": "; ".join(texts),
                }
            )
            for (val, text), r in zip(pub, _rows(grp), strict=True):
                rows.append(
                    {
                        "summary_row_id": c.row_id,
                        "summary_source_id": c.source_id,
                        "basis": basis,
                        "cohort": c.cohort,
                        "compartment": c.compartment,
                        "n": n,
                        "mu": fit.mu,
                        "sigma": fit.sigma,
                        "cutoff": float(cut),
                        "side": side,
                        "implied": implied[0],
                        "implied_ci_low": implied[1],
                        "implied_ci_high": implied[2],
                        "printed": val,
                        "printed_text": text,
                        "printed_row_id": r.row_id,
                        "printed_source_id": r.source_id,
                    }
                )
        if not share_rows and c.compartment == "milk" and np.isfinite(milk_level):
            share_rows.append(
                {
                    "cutoff": milk_level,
                    "side": "below",
                    "estimate": float(fit.cdf(milk_level)),
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "published": np.nan,
                    "published_text": "",
                }
            )
        country = _country(c.cohort, tables)
        name = _COMPARTMENT_NAME.get(c.compartment, c.compartment)
        n_txt = f", n = {n}" if n is not None else ""
        panels.append(
            DistributionPanel(
                row_id=c.row_id,
                title=f"{country}: {name}\n({c.source_id}, {basis}{n_txt})",
                country=country,
                compartment=c.compartment,
                unit=c.unit,
                fit=fit,
                marks=tuple((float(v), lab) for v, lab in marks),
                shares=pd.DataFrame(share_rows),
                cohort=str(c.cohort),
            )
        )
    used = set(quart.index) | set(gms.index)
    others = conc[~conc.index.isin(used) & blood_or_milk]
    without = others[["row_id", "source_id", "cohort", "compartment", "statistic", "value", "n"]]
    if not panels:
        raise NothingToShow(
            "no summary of infant blood or milk B12 in pmol/L with quartiles, or with a "
            "geometric mean, CI and n, in the data in use"
        )
    return DistributionsResult(
        panels=tuple(panels),
        table=pd.DataFrame(rows),
        without_quartiles=without,
        milk_level=milk_level,
    )

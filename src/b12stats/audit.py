"""Every published claim in ``data/``, recomputed and judged.

:func:`run_audit` runs one small function per family of checks over the
bundled tables (or tables you pass) and returns an :class:`AuditResult`.
Each check recomputes what can be recomputed from the printed numbers and
gives one verdict:

``reproduced``
    The arithmetic holds to the printed precision (e.g. a ratio of printed
    medians rounds to the printed ratio; a secondary source repeats the
    primary's number exactly).
``consistent``
    Holds within the claim's own looseness ("approximately one-third") or
    within the uncertainty the recomputation carries (rounding of the
    inputs, a confidence interval, an assumed n stated in ``detail``).
``inconsistent``
    The printed numbers cannot all be true together; ``detail`` says how
    ("p = 0.27 needs n in [31, 34]; reported n = 67").
``conflicts_with_primary``
    A secondary or lay source disagrees with the primary source it cites;
    ``detail`` names the numbers on both sides.
``unverifiable``
    No primary source, or not enough published to check; ``detail`` says
    what is missing (and what can be derived, e.g. the smallest n a printed
    (r, P) pair needs).

The frame (:meth:`AuditResult.to_frame`) has one row per check and the
columns listed in :data:`COLUMNS`, in that order; they are stable (other
modules, the HTML report and the verdict figure, build on them).

Tolerance for words
-------------------
"approximately / about / around / roughly X" is read as ``X * (1 ± 0.10)``
(:data:`APPROX_REL_TOL`, the convention of
:meth:`b12stats.stats.printed.PrintedNumber.interval`): "approximately
one-third" covers 30.0% to 36.7%. "nearly X" covers ``[0.9 X, X]``.
A share recomputed inside that range is ``consistent`` with the words.

Significance
------------
Words like "correlated", "associated", "significant" are read at the
conventional two-sided level :data:`ALPHA` = 0.05 unless the source prints
its own P.

References
----------
Nuijten MB et al. (2016) The prevalence of statistical reporting errors in
psychology (1985-2013). Behav Res Methods 48:1205-1226,
doi:10.3758/s13428-015-0664-2 (statcheck: recompute P from printed test
statistics, with rounding). Brown NJL, Heathers JAJ (2017) The GRIM test.
Soc Psychol Personal Sci 8:363-369, doi:10.1177/1948550616673876 (can a
printed percentage arise from a whole count out of n?). Altman DG, Bland JM
(2011) How to obtain the P value from a confidence interval. BMJ 343:d2090,
doi:10.1136/bmj.d2090. Gelman A, Stern H (2006) The difference between
"significant" and "not significant" is not itself statistically
significant. Am Stat 60:328-331, doi:10.1198/000313006X152649.

Examples
--------
>>> from b12stats.audit import run_audit
>>> result = run_audit()
>>> frame = result.to_frame()
>>> frame.set_index("check_id").loc["sum_cam_mat_inf:r_p_n", "verdict"]
'inconsistent'
>>> result.has_problems
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats

from b12stats.errors import OptionError
from b12stats.stats.correlation import (
    check_r_p_n,
    compare_correlations,
    n_interval_from_r_p,
    p_from_r,
)
from b12stats.stats.effects import check_p_against_ci, check_ratio
from b12stats.stats.printed import PrintedNumber, parse_p, rounding_interval
from b12stats.stats.quartiles import lognormal_from_quartiles, prevalence_from_quartiles
from b12stats.units import convert

__all__ = [
    "ALPHA",
    "APPROX_REL_TOL",
    "COLUMNS",
    "FAMILIES",
    "PROBLEM_VERDICTS",
    "REQUIRED_TABLES",
    "VERDICTS",
    "AuditResult",
    "Check",
    "check_claims",
    "check_cohorts_vs_primary",
    "check_comparison_p",
    "check_concentrations_vs_primary",
    "check_correlation_differences",
    "check_correlations_vs_primary",
    "check_correlations_without_n",
    "check_correlations_without_p",
    "check_correlations_without_r",
    "check_effects",
    "check_geometric_mean_ci",
    "check_median_vs_prevalence",
    "check_other_reference_values",
    "check_percent_counts",
    "check_prevalence_from_gm_ci",
    "check_prevalence_from_quartiles",
    "check_quartiles",
    "check_r_p_n_triples",
    "check_ratios",
    "check_ratios_vs_primary",
    "check_reference_values",
    "check_subgroup_means",
    "coverage",
    "load_tables",
    "run_audit",
]

#: The verdicts, in the order summaries list them.
VERDICTS = ("reproduced", "consistent", "inconsistent", "conflicts_with_primary", "unverifiable")

#: Verdicts that make ``b12stats reproduce --strict`` fail.
PROBLEM_VERDICTS = ("inconsistent", "conflicts_with_primary")

#: Relative looseness of "approximately/about/around/roughly" (and "nearly", one-sided).
APPROX_REL_TOL = 0.10

#: Two-sided level at which words like "correlated" or "significant" are read.
ALPHA = 0.05

#: Confidence level of the intervals the audit computes.
CONF_LEVEL = 0.95

#: Largest n scanned when looking for the n a printed (r, P) pair needs. Every
#: bundled pair needs n < 200; larger n are reported as "n >= ..." (open-ended).
N_MAX_SCAN = 10_000

#: Tables whose every row some check must reference (cohort facts only for
#: secondary and lay sources, see :func:`coverage`).
REQUIRED_TABLES = (
    "concentrations",
    "comparisons",
    "correlations",
    "prevalences",
    "effects",
    "reference_values",
    "claims",
)

_ALL_TABLES = ("sources", "cohorts", *REQUIRED_TABLES)

#: Columns of :meth:`AuditResult.to_frame`, in order.
COLUMNS = (
    "check_id",  # unique, stable: "<row_id>:<family>"
    "source_id",  # the source whose claim is judged
    "source_kind",  # primary / secondary / lay / reference
    "claim",  # what the source claims, short
    "reported",  # the numbers as printed
    "recomputed",  # what the audit computed (text)
    "verdict",  # one of VERDICTS
    "detail",  # one or two sentences: what was computed and why the verdict
    "category",  # the family of check (FAMILIES keys)
    "table",  # the data table of the claim judged
    "row_ids",  # ';'-joined row ids of every data row the check used
    "cited_source_id",  # for comparisons with a primary source: that source
    "value",  # main recomputed number (NaN if none)
    "value_low",  # its interval (NaN if none)
    "value_high",
)


# --- small helpers -------------------------------------------------------------------------------


def _p(x: float) -> str:
    """A P value for reading: 0.105, 0.0031, 7.7e-04 -> '0.00077', 3.1e-10."""
    if not math.isfinite(x):
        return "nan"
    if x < 1e-4:
        return f"{x:.1e}"
    if x < 0.01:
        return f"{x:.2g}"
    return f"{x:.3f}"


def _g(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}g}"


def _pct(x: float, decimals: int = 1) -> str:
    return f"{100 * x:.{decimals}f}%"


def _num_text(value: float, decimals: Any) -> str:
    """The number as it was printed (decimals known) or compactly."""
    if decimals is None or pd.isna(decimals):
        return _g(value)
    return f"{value:.{int(decimals)}f}"


def _isnum(x: Any) -> bool:
    return x is not None and not pd.isna(x)


def _cut(text: Any, width: int) -> str:
    """One line of at most ``width`` characters, cut with '…'."""
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: max(width - 1, 0)] + "…"


def _flag(x: Any) -> bool | None:
    """A nullable boolean cell as True / False / None."""
    return None if x is None or pd.isna(x) else bool(x)


def _r_critical(n: float, alpha: float = ALPHA) -> float:
    """Smallest |r| with two-sided P < alpha at n (t test with n - 2 df)."""
    df = n - 2.0
    t = stats.t.isf(alpha / 2.0, df)
    return float(t / math.sqrt(df + t * t))


def _r_critical_for(printed_p: str, n: float) -> tuple[float, str]:
    """|r| bound implied by a printed P at n: ('<' P) -> |r| >= bound; ('>' P) -> |r| <= bound."""
    pp = parse_p(printed_p)
    return _r_critical(n, pp.value), pp.relation


@dataclass(frozen=True)
class Check:
    """One audit check: a claim, what was recomputed, the verdict and why.

    Attributes follow :data:`COLUMNS` (``row_ids`` as a tuple here).
    """

    check_id: str
    category: str
    table: str
    row_ids: tuple[str, ...]
    source_id: str
    source_kind: str
    claim: str
    reported: str
    recomputed: str
    verdict: str
    detail: str
    cited_source_id: str | None = None
    value: float = math.nan
    value_low: float = math.nan
    value_high: float = math.nan

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise OptionError(
                f"verdict {self.verdict!r} of {self.check_id} is not one of {', '.join(VERDICTS)}"
            )

    def as_dict(self) -> dict[str, Any]:
        """The check as one row of :meth:`AuditResult.to_frame`."""
        out = {c: getattr(self, c) for c in COLUMNS}
        out["row_ids"] = ";".join(self.row_ids)
        return out


class _TableSet(dict[str, pd.DataFrame]):
    """The tables of one audit run, carrying their indexed views once built."""

    ctx: _Ctx | None = None


class _Ctx:
    """Indexed views of the tables that the family functions share."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        missing = [t for t in _ALL_TABLES if t not in tables]
        if missing:
            raise OptionError(f"run_audit needs the tables {', '.join(missing)}")
        self.t = tables
        src = tables["sources"].set_index("source_id")
        self.kinds: dict[str, str] = {str(k): str(v) for k, v in src["kind"].items()}
        self.cites: dict[str, str | None] = {
            str(k): (v if isinstance(v, str) and v else None)
            for k, v in src["cites_source_id"].items()
        }
        self.rows = {
            name: tables[name].set_index("row_id", drop=False)
            for name in _ALL_TABLES
            if name != "sources"
        }

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame]) -> _Ctx:
        """The context for ``tables``; built once per :func:`run_audit` (see ``_TableSet``)."""
        if isinstance(tables, _TableSet):
            if tables.ctx is None:
                tables.ctx = cls(tables)
            return tables.ctx
        return cls(tables)

    def kind(self, source_id: str) -> str:
        return self.kinds.get(source_id, "unknown")

    def row(self, table: str, row_id: str) -> pd.Series:
        out = self.rows[table].loc[row_id]
        if not isinstance(out, pd.Series):  # pragma: no cover - row ids are unique on load
            raise OptionError(f"row id {row_id!r} is not unique in {table}")
        return out

    def check(self, source_id: str, **kw: Any) -> Check:
        return Check(source_id=source_id, source_kind=self.kind(source_id), **kw)

    def cohort_n(self, cohort: str, source_id: str) -> pd.Series | None:
        """The n_participants row for a cohort: the same source first, else a primary one.

        When a cohort has several n rows in a source (e.g. arms), none is chosen.
        """
        coh = self.t["cohorts"]
        rows = coh[(coh["cohort"] == cohort) & (coh["attribute"] == "n_participants")]
        same = rows[rows["source_id"] == source_id]
        if len(same) == 1:
            return same.iloc[0]
        if len(same) > 1:
            return None
        prim = rows[rows["source_kind"] == "primary"]
        return prim.iloc[0] if len(prim) == 1 else None


def _cgroup(compartment: str) -> str:
    """maternal_serum_or_plasma -> maternal; infant_plasma -> infant; milk -> milk."""
    return str(compartment).split("_", 1)[0]


# --- comparisons: ratios and their P -------------------------------------------------------------


def check_ratios(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Printed ratios (``"2.03x"``) against the ratio of the printed numerator and denominator.

    Uses :func:`b12stats.stats.effects.check_ratio`: ``reproduced`` when the
    ratio of the printed values rounds to the printed ratio; ``consistent``
    when it does only for some values inside the inputs' rounding intervals
    (``[num_lo / den_hi, num_hi / den_lo]``); else ``inconsistent``.

    Examples
    --------
    >>> c = check_ratios(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_ratio_mat:ratio', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    for _, row in ctx.rows["comparisons"].iterrows():
        if not isinstance(row["ratio_text"], str):
            continue
        num = ctx.row("concentrations", row["numerator_id"])
        den = ctx.row("concentrations", row["denominator_id"])
        res = check_ratio(
            float(num["value"]),
            float(den["value"]),
            row["ratio_text"],
            numerator_decimals=int(num["value_decimals"]),
            denominator_decimals=int(den["value_decimals"]),
        ).iloc[0]
        nt = _num_text(num["value"], num["value_decimals"])
        dt = _num_text(den["value"], den["value_decimals"])
        plo, phi = rounding_interval(float(res.printed_value), int(res.printed_decimals))
        ratio_txt = f"{nt}/{dt} = {res.ratio:.4f}"
        span = f"the inputs' rounding intervals give [{res.ratio_low:.4f}, {res.ratio_high:.4f}]"
        if res.reproduced_exact:
            verdict = "reproduced"
            detail = (
                f"{ratio_txt} lies in the rounding interval [{plo:g}, {phi:g}] of the printed "
                f"{row['ratio_text']}."
            )
        elif res.consistent_with_rounding:
            verdict = "consistent"
            detail = (
                f"{ratio_txt} is outside the rounding interval [{plo:g}, {phi:g}] of "
                f"{row['ratio_text']}, but {span}, which meets it: consistent with rounding of "
                "the printed values."
            )
        else:
            verdict = "inconsistent"
            detail = (
                f"{ratio_txt}; even with rounding {span}, which misses [{plo:g}, {phi:g}]: "
                f"{row['ratio_text']} cannot come from {nt} and {dt}."
            )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:ratio",
                category="ratio",
                table="comparisons",
                row_ids=(row["row_id"], row["numerator_id"], row["denominator_id"]),
                claim=f"ratio {row['ratio_text']} ({nt} vs {dt} {num['unit']})",
                reported=row["ratio_text"],
                recomputed=f"{res.ratio:.4f} (range {res.ratio_low:.4f}-{res.ratio_high:.4f})",
                verdict=verdict,
                detail=detail,
                value=float(res.ratio),
                value_low=float(res.ratio_low),
                value_high=float(res.ratio_high),
            )
        )
    return out


def check_comparison_p(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """P values of group comparisons printed with the two summaries only.

    A P for a difference of medians (or means) needs the spread and the group
    sizes; none of the bundled comparisons prints them, so these are
    ``unverifiable``, with the ratio of the printed summaries as the derived number.

    Examples
    --------
    >>> c = check_comparison_p(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_ratio_mat:p', 'unverifiable')
    """
    ctx = _Ctx.of(tables)
    out = []
    for _, row in ctx.rows["comparisons"].iterrows():
        if not isinstance(row["p_text"], str):
            continue
        num = ctx.row("concentrations", row["numerator_id"])
        den = ctx.row("concentrations", row["denominator_id"])
        nt = _num_text(num["value"], num["value_decimals"])
        dt = _num_text(den["value"], den["value_decimals"])
        ns = [x for x in (num["n"], den["n"]) if _isnum(x)]
        n_txt = f"n = {int(num['n'])} and {int(den['n'])}" if len(ns) == 2 else "no group n"
        ratio = float(num["value"]) / float(den["value"])
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:p",
                category="comparison_p",
                table="comparisons",
                row_ids=(row["row_id"], row["numerator_id"], row["denominator_id"]),
                claim=f"{num['statistic']}s {nt} vs {dt} {num['unit']} differ ({row['p_text']})",
                reported=row["p_text"],
                recomputed=f"ratio {ratio:.3f}; P not recomputable",
                verdict="unverifiable",
                detail=(
                    f"{row['p_text']} compares {num['statistic']}s {nt} vs {dt} "
                    f"{num['unit']} (ratio {ratio:.2f}, {n_txt}), but no spread, test "
                    "statistic or per-group data are printed: the P cannot be recomputed."
                ),
                value=ratio,
            )
        )
    return out


def _primary_match(ctx: _Ctx, conc_row: pd.Series, cited: str) -> pd.Series | None:
    conc = ctx.rows["concentrations"]
    cand = conc[
        (conc["source_id"] == cited)
        & (conc["cohort"] == conc_row["cohort"])
        & (conc["compartment"].map(_cgroup) == _cgroup(conc_row["compartment"]))
    ]
    return cand.iloc[0] if len(cand) == 1 else None


def _half_width_se(row: pd.Series) -> float:
    """SE from a CI, as half-width / z (the bundled GM CIs are symmetric on the linear scale)."""
    z = stats.norm.ppf(0.5 + float(row["ci_level"]) / 2.0)
    return (float(row["ci_high"]) - float(row["ci_low"])) / (2.0 * z)


def check_ratios_vs_primary(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """A secondary source's ratio against the ratio of the cited primary's summaries.

    The primary's ratio ``a / b`` of two summaries printed with CIs gets a
    delta-method interval on the log scale,
    ``se(log a/b) = sqrt((se_a / a)**2 + (se_b / b)**2)`` with each ``se`` the
    CI half-width over ``z_0.975``, and the z test of ``log(a / b) = 0`` with the
    same standard error (so the P and the interval agree: the interval excludes 1
    exactly when P < 0.05). The secondary ratio is ``conflicts_with_primary``
    when it lies outside that interval.

    Examples
    --------
    >>> c = check_ratios_vs_primary(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_ratio_mat:vs_primary', 'conflicts_with_primary')
    """
    ctx = _Ctx.of(tables)
    out = []
    for _, row in ctx.rows["comparisons"].iterrows():
        cited = ctx.cites.get(row["source_id"])
        if cited is None or not isinstance(row["ratio_text"], str):
            continue
        num = ctx.row("concentrations", row["numerator_id"])
        den = ctx.row("concentrations", row["denominator_id"])
        pa, pb = _primary_match(ctx, num, cited), _primary_match(ctx, den, cited)
        ids: tuple[str, ...] = (row["row_id"], row["numerator_id"], row["denominator_id"])
        base = {
            "check_id": f"{row['row_id']}:vs_primary",
            "category": "ratio_vs_primary",
            "table": "comparisons",
            "claim": f"ratio {row['ratio_text']} of {num['statistic']}s",
            "reported": row["ratio_text"],
            "cited_source_id": cited,
        }
        if pa is None or pb is None or not all(_isnum(x) for x in (pa["ci_low"], pb["ci_low"])):
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=ids,
                    recomputed="",
                    verdict="unverifiable",
                    detail=f"{cited} prints no matching summaries with CIs to compare.",
                    **base,
                )
            )
            continue
        a, b = float(pa["value"]), float(pb["value"])
        sa, sb = _half_width_se(pa), _half_width_se(pb)
        ratio = a / b
        se_log = math.hypot(sa / a, sb / b)
        zc = stats.norm.ppf(0.5 + CONF_LEVEL / 2.0)
        lo, hi = ratio * math.exp(-zc * se_log), ratio * math.exp(zc * se_log)
        z = math.log(ratio) / se_log
        pz = float(2.0 * stats.norm.sf(abs(z)))
        printed = float(row["ratio"])
        inside = lo <= printed <= hi
        detail = (
            f"{row['ratio_text']} ({num['statistic']}s, n = {_int_or_na(num['n'])} vs "
            f"{_int_or_na(den['n'])}); {cited} prints {pa['statistic'].replace('_', ' ')}s "
            f"{a:g} (CI {pa['ci_low']:g}-{pa['ci_high']:g}) vs {b:g} (CI {pb['ci_low']:g}-"
            f"{pb['ci_high']:g}), n = {_int_or_na(pa['n'])} vs {_int_or_na(pb['n'])}: ratio "
            f"{ratio:.2f} (95% CI {lo:.2f}-{hi:.2f}; z test of the log ratio p = {_p(pz)})"
        )
        if inside:
            verdict, detail = "consistent", detail + f", which contains {printed:g}."
        else:
            verdict = "conflicts_with_primary"
            detail += f", which excludes {printed:g}."
        out.append(
            ctx.check(
                row["source_id"],
                row_ids=(*ids, pa["row_id"], pb["row_id"]),
                recomputed=f"primary ratio {ratio:.2f} ({lo:.2f}-{hi:.2f}), p = {_p(pz)}",
                verdict=verdict,
                detail=detail,
                value=ratio,
                value_low=lo,
                value_high=hi,
                **base,
            )
        )
    return out


def _int_or_na(x: Any) -> str:
    return str(int(x)) if _isnum(x) else "n/a"


# --- concentrations ------------------------------------------------------------------------------


def check_concentrations_vs_primary(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Summaries of a secondary/lay source against the same compartment in the cited primary.

    Matched by cohort and compartment (maternal / milk / infant). A different
    statistic (median vs geometric mean) is noted; for a log-normal the
    median equals the geometric mean, so a value outside the primary's CI of
    the geometric mean cannot be the same population's median:
    ``conflicts_with_primary``. Inside the CI with the same statistic:
    ``consistent``; equal to the printed precision: ``reproduced``.

    Examples
    --------
    >>> c = check_concentrations_vs_primary(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_can_mat:vs_primary', 'conflicts_with_primary')
    """
    ctx = _Ctx.of(tables)
    out = []
    conc = ctx.rows["concentrations"]
    for _, row in conc.iterrows():
        cited = ctx.cites.get(row["source_id"])
        if cited is None or ctx.kind(row["source_id"]) not in ("secondary", "lay"):
            continue
        prim = _primary_match(ctx, row, cited)
        value = float(row["value"])
        base = {
            "check_id": f"{row['row_id']}:vs_primary",
            "category": "concentration_vs_primary",
            "table": "concentrations",
            "claim": (
                f"{row['statistic']} {row['compartment'].replace('_', ' ')} "
                f"{_num_text(value, row['value_decimals'])} {row['unit']} ({row['cohort']})"
            ),
            "reported": f"{row['statistic']} {_num_text(value, row['value_decimals'])}",
            "cited_source_id": cited,
        }
        if prim is None:
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=f"{cited} prints no summary of this compartment in this cohort.",
                    **base,
                )
            )
            continue
        pv = float(prim["value"])
        same_stat = prim["statistic"] == row["statistic"]
        has_ci = _isnum(prim["ci_low"]) and _isnum(prim["ci_high"])
        lo, hi = (float(prim["ci_low"]), float(prim["ci_high"])) if has_ci else (pv, pv)
        pn, sn = prim["n"], row["n"]
        n_txt = (
            f"; n = {_int_or_na(sn)} vs the primary's {_int_or_na(pn)}"
            if _isnum(pn) and _isnum(sn) and int(pn) != int(sn)
            else ""
        )
        stat_txt = (
            ""
            if same_stat
            else f" (a {row['statistic'].replace('_', ' ')} where the primary prints a "
            f"{prim['statistic'].replace('_', ' ')})"
        )
        prim_txt = f"{cited} prints {prim['statistic'].replace('_', ' ')} {pv:g}" + (
            f" (95% CI {lo:g}-{hi:g})" if has_ci else ""
        )
        r_lo, r_hi = rounding_interval(value, int(row["value_decimals"]))
        if same_stat and r_lo <= pv <= r_hi:
            verdict = "reproduced"
            detail = f"{prim_txt}; the same number{n_txt}."
        elif lo <= value <= hi and has_ci:
            verdict = "consistent" if same_stat else "conflicts_with_primary"
            detail = f"{row['statistic']} {value:g} lies inside the primary's CI{stat_txt}{n_txt}."
            detail = f"{prim_txt}; " + detail
        else:
            verdict = "conflicts_with_primary"
            where = "below" if value < lo else "above"
            gap = value / pv
            detail = (
                f"{prim_txt}; the summary's {row['statistic']} {value:g}{stat_txt} is {gap:.2f} "
                f"times it and lies {where} its {'CI' if has_ci else 'value'} (for a log-normal "
                f"the median equals the geometric mean){n_txt}."
            )
        out.append(
            ctx.check(
                row["source_id"],
                row_ids=(row["row_id"], prim["row_id"]),
                recomputed=f"primary {prim['statistic']} {pv:g} ({lo:g}-{hi:g})",
                verdict=verdict,
                detail=detail,
                value=pv,
                value_low=lo,
                value_high=hi,
                **base,
            )
        )
    return out


def check_quartiles(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Printed quartiles: Q1 <= median <= Q3 and how log-normal they look.

    The log-scale asymmetry ``(log q3 - 2 log m + log q1) / (log q3 - log q1)``
    (:func:`b12stats.stats.quartiles.lognormal_from_quartiles`) is reported;
    the prevalence checks use that fit. Ordered quartiles are ``consistent``
    (there is no derived number to reproduce); disordered ones ``inconsistent``.

    Examples
    --------
    >>> c = check_quartiles(load_tables())[0]
    >>> c.check_id, c.verdict
    ('w18_infant:quartiles', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    conc = ctx.rows["concentrations"]
    for _, row in conc[conc["q1"].notna() & conc["q3"].notna()].iterrows():
        q1, m, q3 = float(row["q1"]), float(row["value"]), float(row["q3"])
        txt = f"{row['statistic']} {m:g} (Q1 {q1:g}, Q3 {q3:g}) {row['unit']}"
        if not q1 <= m <= q3:
            verdict, rec = "inconsistent", "quartiles out of order"
            detail = f"{txt}: Q1 <= median <= Q3 does not hold."
            asym = math.nan
        else:
            fit = lognormal_from_quartiles(q1, m, q3)
            asym = fit.asymmetry
            shape = (
                "log-symmetric: one log-normal passes through all three"
                if fit.exact
                else "not log-symmetric; a least-squares log-normal is used"
            )
            verdict = "consistent"
            rec = f"log asymmetry {asym:+.3f}; sigma(log) {fit.sigma:.3f}"
            detail = (
                f"Q1 <= median <= Q3 holds; log-scale asymmetry {asym:+.3f} ({shape}, "
                f"sigma = {fit.sigma:.3f}); a primary summary with nothing else printed to "
                "recompute it from."
            )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:quartiles",
                category="quartiles",
                table="concentrations",
                row_ids=(row["row_id"],),
                claim=txt,
                reported=f"{q1:g} / {m:g} / {q3:g}",
                recomputed=rec,
                verdict=verdict,
                detail=detail,
                value=asym,
            )
        )
    return out


def check_geometric_mean_ci(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Is a geometric mean's CI symmetric on the log scale, as ``exp(mean log ± t SE)`` gives?

    Log-symmetric means ``lo * hi = gm**2``; with rounding, some values in the
    rounding intervals must satisfy it: ``sqrt(lo_lo * hi_lo) <= gm_hi`` and
    ``sqrt(lo_hi * hi_hi) >= gm_lo``. Log-symmetric: ``reproduced``.
    Symmetric on the linear scale instead (``(lo + hi) / 2`` within rounding of
    the GM): ``consistent`` -- a legitimate but different interval (e.g. a
    delta-method GM ± z SE). Neither: ``unverifiable`` (method unknown).

    Examples
    --------
    >>> c = check_geometric_mean_ci(load_tables())[0]
    >>> c.check_id, c.verdict
    ('ch17_can_mat:gm_ci', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    conc = ctx.rows["concentrations"]
    sel = conc[(conc["statistic"] == "geometric_mean") & conc["ci_low"].notna()]
    for _, row in sel.iterrows():
        gm, lo, hi = float(row["value"]), float(row["ci_low"]), float(row["ci_high"])
        g_lo, g_hi = rounding_interval(gm, int(row["value_decimals"]))
        l_lo, l_hi = rounding_interval(lo, int(row["ci_low_decimals"]))
        h_lo, h_hi = rounding_interval(hi, int(row["ci_high_decimals"]))
        geo_mid = math.sqrt(lo * hi)
        log_ok = math.sqrt(l_lo * h_lo) <= g_hi and math.sqrt(l_hi * h_hi) >= g_lo
        lin_mid = (lo + hi) / 2.0
        lin_ok = (l_lo + h_lo) / 2.0 <= g_hi and (l_hi + h_hi) / 2.0 >= g_lo
        txt = f"GM {gm:g} (95% CI {lo:g}, {hi:g}) {row['unit']}"
        if log_ok:
            verdict = "reproduced"
            detail = (
                f"sqrt({lo:g} x {hi:g}) = {geo_mid:.1f} matches the GM {gm:g} within rounding: "
                "the CI is symmetric on the log scale, as exp(mean log ± t SE) gives."
            )
        elif lin_ok:
            verdict = "consistent"
            detail = (
                f"the CI is symmetric on the linear scale (midpoint {lin_mid:g}, -{gm - lo:g}/"
                f"+{hi - gm:g}), not on the log scale (sqrt({lo:g} x {hi:g}) = {geo_mid:.1f}, "
                f"outside [{g_lo:g}, {g_hi:g}] even with rounding): computed as GM ± z SE "
                "(e.g. delta method) rather than exp(mean log ± t SE); legitimate, nothing "
                "contradicts."
            )
        else:
            verdict = "unverifiable"
            detail = (
                f"the CI is symmetric on neither the log scale (sqrt = {geo_mid:.1f}) nor the "
                f"linear scale (midpoint {lin_mid:g}); its method is not printed."
            )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:gm_ci",
                category="geometric_mean_ci",
                table="concentrations",
                row_ids=(row["row_id"],),
                claim=txt,
                reported=f"{gm:g} ({lo:g}, {hi:g})",
                recomputed=f"sqrt(lo*hi) = {geo_mid:.1f}; midpoint {lin_mid:g}",
                verdict=verdict,
                detail=detail,
                value=geo_mid,
            )
        )
    return out


def check_subgroup_means(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """An overall mean printed with subgroup means (e.g. by month postpartum).

    The rows of one source, cohort, compartment, group and statistic ``mean``
    with an n: the one with the largest n is the overall mean. If the
    subgroups add up to it, the n-weighted mean must reproduce it. If they
    cover only part, the mean the others must have is
    ``(N m - sum n_i m_i) / (N - sum n_i)``; inside the range of the printed
    subgroup means it is ``consistent`` (plausible), else ``unverifiable``.
    Means printed without subgroups: ``unverifiable`` (nothing to recompute
    them from; the value in pmol/L is given for pg/mL).

    Examples
    --------
    >>> c = check_subgroup_means(load_tables())[0]
    >>> c.check_id, c.verdict
    ('pj_infant:summary', 'unverifiable')
    """
    ctx = _Ctx.of(tables)
    out = []
    conc = ctx.rows["concentrations"]
    means = conc[conc["statistic"].isin(["mean"]) & conc["q1"].isna() & conc["ci_low"].isna()]
    keys = ["source_id", "cohort", "compartment", "group", "unit"]
    for _, grp in means.groupby(keys, sort=False):
        if len(grp) == 1 or grp["n"].isna().any():
            for _, row in grp.iterrows():
                v = float(row["value"])
                conv = (
                    f" ({convert(v, row['unit'], 'pmol/L'):.1f} pmol/L)"
                    if row["unit"] != "pmol/L"
                    else ""
                )
                out.append(
                    ctx.check(
                        row["source_id"],
                        check_id=f"{row['row_id']}:summary",
                        category="published_summary",
                        table="concentrations",
                        row_ids=(row["row_id"],),
                        claim=f"mean {row['compartment'].replace('_', ' ')} {v:g} {row['unit']}",
                        reported=f"{v:g} {row['unit']}",
                        recomputed=conv.strip(" ()"),
                        verdict="unverifiable",
                        detail=(
                            "a primary summary statistic printed without spread; nothing printed "
                            f"to recompute it from{conv}."
                        ),
                        value=convert(v, row["unit"], "pmol/L"),
                    )
                )
            continue
        grp = grp.sort_values("n", ascending=False)
        total = grp.iloc[0]
        subs = grp.iloc[1:]
        big_n = int(total["n"])
        sub_n = int(subs["n"].sum())
        m_all = float(total["value"])
        weighted = float((subs["value"] * subs["n"].astype(float)).sum())
        sub_txt = ", ".join(
            f"{v:g} (n = {int(n)})" for v, n in zip(subs["value"], subs["n"], strict=True)
        )
        ids = tuple(grp["row_id"])
        if sub_n == big_n:
            wm = weighted / sub_n
            lo, hi = rounding_interval(m_all, int(total["value_decimals"]))
            ok = lo - 0.5 <= wm <= hi + 0.5  # each subgroup mean is rounded to 0.5 too
            verdict = "reproduced" if lo <= wm <= hi else ("consistent" if ok else "inconsistent")
            detail = f"the n-weighted mean of {sub_txt} is {wm:.1f} vs the printed {m_all:g}."
            value, rec = wm, f"weighted mean {wm:.1f}"
        elif sub_n < big_n:
            rest = (big_n * m_all - weighted) / (big_n - sub_n)
            lo_s, hi_s = float(subs["value"].min()), float(subs["value"].max())
            verdict = "consistent" if lo_s <= rest <= hi_s else "unverifiable"
            detail = (
                f"the subgroup means {sub_txt} cover {sub_n} of {big_n}; the overall mean "
                f"{m_all:g} needs the other {big_n - sub_n} to average {rest:.1f}, "
                + (
                    f"inside the range of the printed subgroup means ({lo_s:g}-{hi_s:g}): "
                    "plausible, but not recomputable."
                    if verdict == "consistent"
                    else f"outside the printed subgroup range ({lo_s:g}-{hi_s:g}); not "
                    "recomputable from what is printed."
                )
            )
            value, rec = rest, f"others must average {rest:.1f}"
        else:
            verdict = "inconsistent"
            detail = f"the subgroups ({sub_txt}) add up to n = {sub_n} > the total n = {big_n}."
            value, rec = math.nan, f"subgroup n {sub_n} > {big_n}"
        out.append(
            ctx.check(
                total["source_id"],
                check_id=f"{total['row_id']}:subgroups",
                category="subgroup_means",
                table="concentrations",
                row_ids=ids,
                claim=f"mean {m_all:g} {total['unit']} (n = {big_n}) with subgroup means",
                reported=f"{m_all:g}; {sub_txt}",
                recomputed=rec,
                verdict=verdict,
                detail=detail,
                value=value,
            )
        )
    return out


# --- prevalences ---------------------------------------------------------------------------------


_SIDE = {"<": "below", "<=": "at_or_below", ">": "above", ">=": "at_or_above"}


def _printed_share(row: pd.Series) -> tuple[float, tuple[float, float], bool, str]:
    """Claimed share as a proportion, its interval, whether it has digits, and its text."""
    if _isnum(row["percent"]):
        d = int(row["percent_decimals"])
        v = float(row["percent"]) / 100.0
        lo, hi = rounding_interval(float(row["percent"]), d)
        num = PrintedNumber(v, d + 2, row["qualifier"])
        iv = num.interval(rel_tol=APPROX_REL_TOL) if row["qualifier"] else (lo / 100, hi / 100)
        text = f"{row['qualifier'] + ' ' if row['qualifier'] else ''}{row['percent']:g}%"
        return v, iv, row["qualifier"] is None, text
    a, b = (int(x) for x in str(row["fraction"]).split("/"))
    v = a / b
    num = PrintedNumber(v, None, row["qualifier"])
    text = f"{row['qualifier'] + ' ' if row['qualifier'] else ''}{a}/{b}"
    return v, num.interval(rel_tol=APPROX_REL_TOL), False, text


def _quartile_source(ctx: _Ctx, prev: pd.Series) -> tuple[pd.Series | None, bool]:
    """Concentration row with quartiles for a prevalence: same source, else a primary sibling.

    Returns the row and whether it came from another source (an assumption).
    """
    conc = ctx.rows["concentrations"]
    ok = (
        conc["q1"].notna()
        & (conc["cohort"] == prev["cohort"])
        & (conc["compartment"] == prev["compartment"])
        & (conc["unit"] == prev["unit"])
    )
    same = conc[ok & (conc["source_id"] == prev["source_id"])]
    if len(same) == 1:
        return same.iloc[0], False
    other = conc[ok & (conc["source_kind"] == "primary")]
    if len(other) == 1:
        return other.iloc[0], True
    return None, False


def check_prevalence_from_quartiles(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """A printed share beyond a cut-off against the share implied by printed quartiles.

    The quartiles (same source; else a primary source on the same cohort and
    compartment, stated as an assumption) are fitted by a log-normal and the
    share beyond the cut-off computed with a delta-method CI when n is known
    (:func:`b12stats.stats.quartiles.prevalence_from_quartiles`). The estimate
    rests on the log-normal assumption, so it never ``reproduces`` a printed
    share: ``consistent`` when it lies in the printed rounding interval, in the
    interval of the words ("approximately", see :data:`APPROX_REL_TOL`) or the
    CI meets the printed interval.
    ``inconsistent``: the CI misses it. Without n and outside the printed
    interval: ``unverifiable``.

    Examples
    --------
    >>> c = check_prevalence_from_quartiles(load_tables())[0]
    >>> c.check_id, c.verdict
    ('w18_inf_220:from_quartiles', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    prev = ctx.rows["prevalences"]
    for _, row in prev[prev["cutoff"].notna() & prev["relation"].notna()].iterrows():
        q, borrowed = _quartile_source(ctx, row)
        if q is None:
            continue
        side = _SIDE[row["relation"]]
        n_q = q["n"] if _isnum(q["n"]) else (row["n"] if _isnum(row["n"]) else None)
        res = prevalence_from_quartiles(
            float(q["q1"]),
            float(q["value"]),
            float(q["q3"]),
            float(row["cutoff"]),
            side=side,
            n=None if n_q is None else int(n_q),
            conf_level=CONF_LEVEL,
        ).iloc[0]
        est = float(res.estimate)
        _claimed, (c_lo, c_hi), digits, ctext = _printed_share(row)
        qtxt = f"{q['q1']:g}/{q['value']:g}/{q['q3']:g} {q['unit']}"
        assume = (
            f" (quartiles from {q['source_id']}, same cohort: assumes the same distribution)"
            if borrowed
            else ""
        )
        note_n = ""
        ci_ok = False
        if n_q is None:
            parent = ctx.cohort_n(row["cohort"], row["source_id"])
            note_n = "; no n printed, so no CI"
            if parent is not None and _isnum(parent["value_num"]):
                pn = int(parent["value_num"])
                alt = prevalence_from_quartiles(
                    float(q["q1"]), float(q["value"]), float(q["q3"]),
                    float(row["cutoff"]), side=side, n=pn,
                ).iloc[0]  # fmt: skip
                note_n += (
                    f" (with n = {pn} of {parent['source_id']}, the likely parent sample, the "
                    f"95% CI would be {_pct(alt.ci_low)}-{_pct(alt.ci_high)})"
                )
            ci_lo = ci_hi = math.nan
        else:
            ci_lo, ci_hi = float(res.ci_low), float(res.ci_high)
            ci_ok = ci_lo <= c_hi and ci_hi >= c_lo
            note_n = f"; 95% CI {_pct(ci_lo)}-{_pct(ci_hi)} (n = {int(n_q)})"
        base_txt = (
            f"log-normal fitted to {qtxt}{assume} gives {_pct(est)} "
            f"{side.replace('_', ' ')} {row['cutoff']:g}{note_n}"
        )
        words = "" if digits else f" (the words cover {_pct(c_lo)}-{_pct(c_hi)})"
        if digits and c_lo <= est <= c_hi:
            verdict = "consistent"
            detail = (
                f"{base_txt}: rounds to the printed {ctext} (a model-based estimate, not a "
                "recomputation from printed numbers alone)."
            )
        elif c_lo <= est <= c_hi:
            verdict = "consistent"
            detail = f"{base_txt}: within the looseness of '{ctext}'{words}."
        elif ci_ok:
            verdict = "consistent"
            detail = f"{base_txt}: the CI contains the printed {ctext}{words}."
        elif n_q is None:
            verdict = "unverifiable"
            detail = f"{base_txt}: outside '{ctext}'{words}, but no n to judge the uncertainty."
        else:
            verdict = "inconsistent"
            detail = f"{base_txt}: the CI excludes the printed {ctext}{words}."
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:from_quartiles",
                category="prevalence_from_quartiles",
                table="prevalences",
                row_ids=(row["row_id"], q["row_id"]),
                claim=f"{ctext} {row['relation']} {row['cutoff']:g} {row['unit']}",
                reported=ctext,
                recomputed=_pct(est)
                + ("" if math.isnan(ci_lo) else f" ({_pct(ci_lo)}-{_pct(ci_hi)})"),
                verdict=verdict,
                detail=detail,
                value=est,
                value_low=ci_lo,
                value_high=ci_hi,
            )
        )
    return out


def check_prevalence_from_gm_ci(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """A printed share beyond a cut-off against a geometric mean, its CI and n.

    Assumes log-normal values. The log-scale SD comes from the CI: when the
    CI is symmetric on the linear scale (GM ± z SE, the delta method, where
    ``SE(GM) = GM sigma / sqrt(n)``), ``sigma = (hi - lo) / (2 z) sqrt(n) / GM``;
    when it is symmetric on the log scale, ``sigma = (log hi - log lo) / (2 z)
    sqrt(n)``. With ``mu = log GM`` and ``w = (log cutoff - mu) / sigma`` the
    share below is ``Phi(w)``. As ``Var(mu) = sigma^2 / n`` and
    ``Var(sigma) ~ sigma^2 / (2n)``, ``se(w) = sqrt((1 + w^2 / 2) / n)`` and the
    interval is ``Phi(w ± z se(w))``. The estimate rests on the log-normal
    assumption, so it never ``reproduces`` a printed share: ``consistent`` when
    the estimate rounds to the printed share or the interval meets its rounding
    interval; else ``inconsistent`` (under the log-normal assumption).

    Examples
    --------
    >>> c = check_prevalence_from_gm_ci(load_tables())[0]
    >>> c.check_id, c.verdict
    ('ch17_can_mat_221:from_gm', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    prev = ctx.rows["prevalences"]
    conc = ctx.rows["concentrations"]
    gms = conc[
        (conc["statistic"] == "geometric_mean") & conc["ci_low"].notna() & conc["n"].notna()
    ]
    for _, row in prev[prev["cutoff"].notna() & prev["percent"].notna()].iterrows():
        if row["relation"] not in _SIDE:
            continue
        match = gms[
            (gms["source_id"] == row["source_id"])
            & (gms["cohort"] == row["cohort"])
            & (gms["compartment"] == row["compartment"])
            & (gms["unit"] == row["unit"])
        ]
        if len(match) != 1:
            continue
        g = match.iloc[0]
        gm, lo, hi, n = float(g["value"]), float(g["ci_low"]), float(g["ci_high"]), int(g["n"])
        level = float(g["ci_level"]) if _isnum(g["ci_level"]) else CONF_LEVEL
        zc = float(stats.norm.ppf(0.5 + level / 2.0))
        linear = abs((lo + hi) / 2.0 - gm) <= abs(math.sqrt(lo * hi) - gm)
        if linear:
            sigma = (hi - lo) / (2.0 * zc) * math.sqrt(n) / gm
            how = "from the linear-scale CI half-width (delta method, SE(GM) = GM sigma/sqrt(n))"
        else:
            sigma = (math.log(hi) - math.log(lo)) / (2.0 * zc) * math.sqrt(n)
            how = "from the log-scale CI width"
        w = (math.log(float(row["cutoff"])) - math.log(gm)) / sigma
        se_w = math.sqrt((1.0 + w * w / 2.0) / n)
        below = _SIDE[row["relation"]] in ("below", "at_or_below")
        zcrit = stats.norm.ppf(0.5 + CONF_LEVEL / 2.0)
        if below:
            est = float(stats.norm.cdf(w))
            ci_lo, ci_hi = (float(stats.norm.cdf(w + k * zcrit * se_w)) for k in (-1, 1))
        else:
            est = float(stats.norm.sf(w))
            ci_lo, ci_hi = (float(stats.norm.sf(w + k * zcrit * se_w)) for k in (1, -1))
        d = int(row["percent_decimals"])
        p_lo, p_hi = (x / 100 for x in rounding_interval(float(row["percent"]), d))
        ptxt = f"{row['percent']:.{d}f}%"
        base = (
            f"log-normal with GM {gm:g} and sigma(log) = {sigma:.3f} {how}, n = {n}, gives "
            f"{_pct(est)} {row['relation']} {row['cutoff']:g} (95% CI {_pct(ci_lo)}-"
            f"{_pct(ci_hi)})"
        )
        if p_lo <= est <= p_hi:
            verdict = "consistent"
            detail = (
                f"{base}: rounds to the printed {ptxt} (a model-based estimate, not a "
                "recomputation from printed numbers alone)."
            )
        elif ci_lo <= p_hi and ci_hi >= p_lo:
            verdict = "consistent"
            detail = f"{base}: the CI meets the rounding interval of the printed {ptxt}."
        else:
            verdict = "inconsistent"
            detail = f"{base}: the CI excludes the printed {ptxt} (log-normal assumed)."
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:from_gm",
                category="prevalence_from_gm_ci",
                table="prevalences",
                row_ids=(row["row_id"], g["row_id"]),
                claim=f"{ptxt} {row['relation']} {row['cutoff']:g} {row['unit']}",
                reported=ptxt,
                recomputed=f"{_pct(est)} ({_pct(ci_lo)}-{_pct(ci_hi)})",
                verdict=verdict,
                detail=detail,
                value=est,
                value_low=ci_lo,
                value_high=ci_hi,
            )
        )
    return out


def check_percent_counts(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Can a printed percentage arise from a whole count out of the printed n? (GRIM)

    With ``d`` printed decimals the percentage stands for
    ``[p - 0.5 10^-d, p + 0.5 10^-d]``; some integer ``k`` in
    ``[ceil(lo n / 100), floor(hi n / 100)]`` must exist (Brown & Heathers
    2017). The check has power only when ``100 / n`` exceeds the printed unit
    ``10^-d``; otherwise every value is reachable and the verdict is
    ``unverifiable``. Else ``consistent`` when a count works with n as
    printed (the count itself is not printed, so the share is shown possible,
    not recomputed; the denominator is assumed to be the printed n) or only
    with a smaller denominator (missing values); ``inconsistent`` when none
    down to ``n / 2`` does.

    Examples
    --------
    >>> c = check_percent_counts(load_tables())[0]
    >>> c.check_id, c.verdict
    ('w16_milk_310:count', 'unverifiable')
    """
    ctx = _Ctx.of(tables)
    out = []
    prev = ctx.rows["prevalences"]
    for _, row in prev[prev["percent"].notna() & prev["n"].notna()].iterrows():
        n = int(row["n"])
        d = int(row["percent_decimals"])
        lo, hi = rounding_interval(float(row["percent"]), d)

        def counts(m: int, lo: float = lo, hi: float = hi) -> list[int]:
            a, b = math.ceil(lo * m / 100 - 1e-9), math.floor(hi * m / 100 + 1e-9)
            return list(range(max(a, 0), min(b, m) + 1))

        ks = counts(n)
        ptxt = f"{row['percent']:.{d}f}%"
        step = 100.0 / n
        unit = 10.0**-d
        if step <= unit:  # every printed value is reachable: the check cannot fail
            k = ks[0]
            verdict = "unverifiable"
            than = "finer than" if step < unit else "equal to"
            detail = (
                f"a {ctx.kind(row['source_id'])} prevalence: {k}/{n} = "
                f"{100 * k / n:.{d + 2}f}% gives {ptxt}, but with n = {n} one count moves the "
                f"share by {step:.2g} percentage point{'' if step == 1 else 's'}, {than} the "
                f"printed unit of {unit:g} point{'' if unit == 1 else 's'}, so every printed "
                "value is reachable and nothing can be checked."
            )
            value = k / n
        elif ks:
            k = ks[0]
            verdict = "consistent"
            detail = (
                f"{k}/{n} = {100 * k / n:.{d + 2}f}% rounds to {ptxt}: a whole count out of "
                f"the printed n = {n} can give the printed share (GRIM; the count is not "
                "printed, and the denominator is assumed to be that n)."
            )
            value = k / n
        else:
            smaller = next((m for m in range(n - 1, n // 2, -1) if counts(m)), None)
            if smaller is not None:
                k = counts(smaller)[0]
                verdict = "consistent"
                detail = (
                    f"no count out of {n} gives {ptxt}, but {k}/{smaller} does: consistent "
                    f"if {n - smaller} values were missing."
                )
                value = k / smaller
            else:
                verdict = "inconsistent"
                detail = f"no whole count out of any n from {n // 2 + 1} to {n} gives {ptxt}."
                value = math.nan
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:count",
                category="percent_count",
                table="prevalences",
                row_ids=(row["row_id"],),
                claim=f"{ptxt} {row['condition']} (n = {n})",
                reported=ptxt,
                recomputed="" if math.isnan(value) else f"{value * 100:.{d + 2}f}%",
                verdict=verdict,
                detail=detail,
                value=value,
            )
        )
    return out


def check_median_vs_prevalence(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """A share below a cut-off against a median printed without quartiles.

    If the median is below the cut-off, more than half lie below it (and vice
    versa): the printed share must be on the right side of 50%.

    Examples
    --------
    >>> c = check_median_vs_prevalence(load_tables())[0]
    >>> c.check_id, c.verdict
    ('lw20_milk_310:vs_median', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    prev = ctx.rows["prevalences"]
    conc = ctx.rows["concentrations"]
    for _, row in prev[prev["cutoff"].notna() & prev["percent"].notna()].iterrows():
        if _quartile_source(ctx, row)[0] is not None:
            continue
        med = conc[
            (conc["source_id"] == row["source_id"])
            & (conc["cohort"] == row["cohort"])
            & (conc["compartment"] == row["compartment"])
            & (conc["statistic"] == "median")
            & (conc["unit"] == row["unit"])
            & (conc["timepoint"] == row["timepoint"])
        ]
        if len(med) != 1:
            continue
        m = med.iloc[0]
        below = row["relation"] in ("<", "<=")
        share = float(row["percent"]) / 100
        med_below = float(m["value"]) < float(row["cutoff"])
        need_more = med_below == below  # share beyond cut-off must exceed 50%
        ok = share > 0.5 if need_more else share < 0.5
        verdict = "consistent" if ok else "inconsistent"
        rel = "<" if med_below else ">="
        detail = (
            f"median {m['value']:g} {rel} {row['cutoff']:g} {row['unit']}, so "
            f"{'more' if need_more else 'less'} than half must be {row['relation']} "
            f"{row['cutoff']:g}; the printed {row['percent']:g}% "
            f"{'agrees' if ok else 'does not'} (only this bound can be checked)."
        )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:vs_median",
                category="prevalence_vs_median",
                table="prevalences",
                row_ids=(row["row_id"], m["row_id"]),
                claim=f"{row['percent']:g}% {row['relation']} {row['cutoff']:g} {row['unit']}",
                reported=f"{row['percent']:g}%; median {m['value']:g}",
                recomputed=f"share {'>' if need_more else '<'} 50%",
                verdict=verdict,
                detail=detail,
            )
        )
    return out


# --- correlations --------------------------------------------------------------------------------


def _r_text(row: pd.Series) -> str:
    return f"{float(row['r']):.{int(row['r_decimals'])}f}"


def _needs(n_min: Any, n_max: Any) -> str:
    if pd.isna(n_min):
        return "no n fits"
    if int(n_max) >= N_MAX_SCAN:
        return f"needs n >= {int(n_min)}"
    return f"needs n in [{int(n_min)}, {int(n_max)}]"


def check_r_p_n_triples(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Printed (r, P, n): recompute P from r and n (``cor.test``'s t test), with rounding.

    :func:`b12stats.stats.correlation.check_r_p_n`: ``reproduced`` when P at
    the printed r fits the printed P; ``consistent`` when only some r inside
    r's rounding interval does; else ``inconsistent``, naming the n that the
    printed r and P need (:func:`~b12stats.stats.correlation.n_interval_from_r_p`).

    Examples
    --------
    >>> c = check_r_p_n_triples(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_can_mat_inf:r_p_n', 'inconsistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    cor = ctx.rows["correlations"]
    for _, row in cor[cor["r"].notna() & cor["p_text"].notna() & cor["n"].notna()].iterrows():
        rt, n = _r_text(row), int(row["n"])
        res = check_r_p_n(rt, row["p_text"], n, n_max=N_MAX_SCAN).iloc[0]
        pp = parse_p(row["p_text"])
        p0 = float(res.p_recomputed)
        rng = f"{_p(res.p_low)}-{_p(res.p_high)} over r's rounding interval"
        if pp.contains(p0):
            verdict = "reproduced"
            detail = f"r = {rt} with n = {n} gives p = {_p(p0)}, which fits {row['p_text']}."
        elif bool(res.consistent):
            verdict = "consistent"
            detail = f"r = {rt}, n = {n}: p = {_p(p0)} ({rng}) meets {row['p_text']}."
        else:
            verdict = "inconsistent"
            detail = (
                f"r = {rt} with n = {n} gives p = {_p(p0)} ({rng}), not {row['p_text']}: "
                f"{row['p_text']} with r = {rt} {_needs(res.n_min, res.n_max)}; "
                f"reported n = {n}."
            )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:r_p_n",
                category="r_p_n",
                table="correlations",
                row_ids=(row["row_id"],),
                claim=f"r = {rt}, {row['p_text']}, n = {n}",
                reported=f"r = {rt}, {row['p_text']}, n = {n}",
                recomputed=f"p = {_p(p0)}; {_needs(res.n_min, res.n_max)}",
                verdict=verdict,
                detail=detail,
                value=p0,
                value_low=float(res.p_low),
                value_high=float(res.p_high),
            )
        )
    return out


def check_correlations_without_n(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Printed r and P without n: which n they need, against the cohort's n.

    The n interval comes from
    :func:`~b12stats.stats.correlation.n_interval_from_r_p` (t test with
    ``n - 2`` df; for a partial correlation the df are fewer by the number of
    covariates, so the needed n is larger by that number). With the cohort's
    n (same source, else a primary source on the cohort; the number of pairs
    analysed can only be smaller): some n up to it works -> ``consistent``;
    none -> ``inconsistent``; no cohort n -> ``unverifiable``.

    Examples
    --------
    >>> c = check_correlations_without_n(load_tables())[0]
    >>> c.check_id, c.verdict
    ('w18_milk_inf:n_needed', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    cor = ctx.rows["correlations"]
    for _, row in cor[cor["r"].notna() & cor["p_text"].notna() & cor["n"].isna()].iterrows():
        rt = _r_text(row)
        iv = n_interval_from_r_p(rt, row["p_text"], n_max=N_MAX_SCAN)
        parent = ctx.cohort_n(row["cohort"], row["source_id"])
        partial = ""
        if _flag(row["adjusted"]):
            partial = (
                " (partial r: add the number of covariates)"
                if row["coefficient"] == "partial"
                else " (adjusted coefficient of unstated kind: if a partial r, add the number "
                "of covariates)"
            )
        if iv.n_min is None:
            need, nmin = "no n at all", math.nan
        elif iv.capped:
            need, nmin = f"n >= {iv.n_min}{partial}", float(iv.n_min)
        else:
            need, nmin = f"n in [{iv.n_min}, {iv.n_max}]{partial}", float(iv.n_min)
        ids: tuple[str, ...] = (row["row_id"],)
        claim = f"r = {rt}, {row['p_text']} (n not printed)"
        if parent is None or not _isnum(parent["value_num"]):
            verdict = "unverifiable"
            detail = f"no n printed; r = {rt} with {row['p_text']} needs {need}."
        else:
            big = int(parent["value_num"])
            ids = (*ids, parent["row_id"])
            same = parent["source_id"] == row["source_id"]
            who = "the study's" if same else f"{parent['source_id']}'s (the likely parent sample)"
            p_at = float(p_from_r(float(row["r"]), big))
            if not iv.is_empty and iv.n_min is not None and iv.n_min <= big:
                verdict = "consistent"
                detail = (
                    f"no n printed for the correlation; r = {rt} with {row['p_text']} needs "
                    f"{need}, within {who} n = {big} (p = {_p(p_at)} if all {big} were used)."
                )
            else:
                verdict = "inconsistent"
                detail = (
                    f"r = {rt} with {row['p_text']} needs {need}, but {who} n is only {big} "
                    f"(p = {_p(p_at)} with all {big})."
                )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:n_needed",
                category="r_p_without_n",
                table="correlations",
                row_ids=ids,
                claim=claim,
                reported=f"r = {rt}, {row['p_text']}",
                recomputed=f"needs {need}",
                verdict=verdict,
                detail=detail,
                value=nmin,
            )
        )
    return out


def check_correlations_without_p(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Printed r and n without P: the implied two-sided P (derived number).

    ``consistent`` when it agrees with what the source says about
    significance (or the source calls it a correlation and p < ALPHA);
    ``inconsistent`` when the source's significance flag contradicts it.

    Examples
    --------
    >>> c = check_correlations_without_p(load_tables())[0]
    >>> c.check_id, c.verdict
    ('mi17_mat_inf:implied_p', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    cor = ctx.rows["correlations"]
    for _, row in cor[cor["r"].notna() & cor["p_text"].isna() & cor["n"].notna()].iterrows():
        rt, n = _r_text(row), int(row["n"])
        lo_r, hi_r = rounding_interval(float(row["r"]), int(row["r_decimals"]))
        p0 = float(p_from_r(float(row["r"]), n))
        p_lo = float(p_from_r(max(abs(lo_r), abs(hi_r)), n))
        p_hi = float(p_from_r(min(abs(lo_r), abs(hi_r)), n))
        sig = _flag(row["significant"])
        is_sig = p0 < ALPHA
        if sig is None or sig == is_sig:
            verdict = "consistent"
            agree = (
                f"significant at {ALPHA:g}, matching the source's claim of a correlation"
                if is_sig
                else f"not significant at {ALPHA:g} (the source states no significance)"
            )
        else:
            verdict = "inconsistent"
            agree = f"but the source says {'significant' if sig else 'not significant'}"
        detail = (
            f"no P printed; r = {rt} with n = {n} gives p = {_p(p0)} (two-sided; "
            f"{_p(p_lo)}-{_p(p_hi)} over r's rounding interval): {agree}."
        )
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:implied_p",
                category="r_n_without_p",
                table="correlations",
                row_ids=(row["row_id"],),
                claim=f"r = {rt}, n = {n} (no P printed)",
                reported=f"r = {rt}, n = {n}",
                recomputed=f"p = {_p(p0)}",
                verdict=verdict,
                detail=detail,
                value=p0,
                value_low=p_lo,
                value_high=p_hi,
            )
        )
    return out


def check_correlations_without_r(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Correlations stated without r: the |r| bound their P (or "not correlated") implies.

    With the cohort n, ``P < a`` needs ``|r| >= t / sqrt(n - 2 + t**2)``,
    ``t = t_{1 - a/2, n-2}``; "not correlated" (read as P >= ALPHA) needs
    ``|r|`` below that at ALPHA. Nothing to recompute: ``unverifiable``.

    Examples
    --------
    >>> c = check_correlations_without_r(load_tables())[0]
    >>> c.check_id, c.verdict
    ('ch17_can_mat_milk:no_r', 'unverifiable')
    """
    ctx = _Ctx.of(tables)
    out = []
    cor = ctx.rows["correlations"]
    for _, row in cor[cor["r"].isna()].iterrows():
        parent = ctx.cohort_n(row["cohort"], row["source_id"])
        n = int(parent["value_num"]) if parent is not None else None
        ids = (row["row_id"],) if parent is None else (row["row_id"], parent["row_id"])
        says = row["p_text"] if isinstance(row["p_text"], str) else (
            "significant" if _flag(row["significant"]) is True
            else ("not correlated" if _flag(row["significant"]) is False else "no P")
        )  # fmt: skip
        if n is None or n < 4:
            bound, rec = "", ""
            value = math.nan
        elif isinstance(row["p_text"], str):
            crit, rel = _r_critical_for(row["p_text"], n)
            word = ">=" if rel in ("<", "<=") else "<="
            bound = f"; with the cohort's n = {n}, {row['p_text']} needs |r| {word} {crit:.3f}"
            rec, value = f"|r| {word} {crit:.3f}", crit
        elif _flag(row["significant"]) is False:
            crit = _r_critical(n)
            bound = f"; with the cohort's n = {n}, 'not correlated' (p >= {ALPHA:g}) means "
            bound += f"|r| < {crit:.3f}"
            rec, value = f"|r| < {crit:.3f}", crit
        else:
            crit = _r_critical(n)
            bound = f"; with n = {n}, significance at {ALPHA:g} needs |r| >= {crit:.3f}"
            rec, value = f"|r| >= {crit:.3f}", crit
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:no_r",
                category="correlation_without_r",
                table="correlations",
                row_ids=ids,
                claim=f"{row['var_x']} vs {row['var_y']}: {says} (no r printed)",
                reported=says,
                recomputed=rec,
                verdict="unverifiable",
                detail=f"no r printed: nothing to recompute{bound}.",
                value=value,
            )
        )
    return out


def check_correlation_differences(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Two correlations of the same pair of variables in two cohorts of one source.

    Fisher's z test of ``r1 = r2`` and Zou's CI for ``r1 - r2``
    (:func:`~b12stats.stats.correlation.compare_correlations`). A source that
    reports one as significant and the other not implies they differ; if the
    difference itself is not significant (Gelman & Stern 2006) the contrast is
    not established by the printed numbers: ``unverifiable`` (a derived
    finding, stated in ``detail``); if it is, ``consistent``.

    Examples
    --------
    >>> c = check_correlation_differences(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_can_mat_inf:difference', 'unverifiable')
    """
    ctx = _Ctx.of(tables)
    out = []
    cor = ctx.rows["correlations"]
    ok = cor[cor["r"].notna() & cor["n"].notna()]
    for key, grp in ok.groupby(["source_id", "var_x", "var_y"], sort=False):
        src, vx, vy = (str(k) for k in key)
        if grp["cohort"].nunique() < 2:
            continue
        rows = list(grp.sort_values("r", ascending=False).iterrows())
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                a, b = rows[i][1], rows[j][1]
                res = compare_correlations(
                    float(a["r"]), int(a["n"]), float(b["r"]), int(b["n"]), conf_level=CONF_LEVEL
                ).iloc[0]
                pz = float(res.p_value)
                ra, rb = _r_text(a), _r_text(b)
                core = (
                    f"{a['cohort']} r = {ra} (n = {int(a['n'])}) vs {b['cohort']} r = {rb} "
                    f"(n = {int(b['n'])}): Fisher z = {res.statistic:.2f}, p = {_p(pz)}; Zou 95% "
                    f"CI for the difference {res.ci_low:.2f} to {res.ci_high:.2f}"
                )
                if pz < ALPHA:
                    verdict = "consistent"
                    detail = f"{core}: the correlations differ significantly."
                else:
                    verdict = "unverifiable"
                    detail = (
                        f"{core}: the difference is not significant, so a contrast between "
                        f"the two ('{a['cohort']}' correlated, '{b['cohort']}' not) is not "
                        "established by the printed numbers themselves."
                    )
                out.append(
                    ctx.check(
                        src,
                        check_id=(
                            f"{a['row_id']}:difference"
                            if len(rows) == 2
                            else f"{a['row_id']}:difference_from:{b['row_id']}"
                        ),
                        category="correlation_difference",
                        table="correlations",
                        row_ids=(a["row_id"], b["row_id"]),
                        claim=(
                            f"{vx} vs {vy} correlated in {a['cohort']}, not in {b['cohort']}"
                            if _flag(a["significant"]) is True and _flag(b["significant"]) is False
                            else f"{vx} vs {vy}: r in {a['cohort']} vs {b['cohort']}"
                        ),
                        reported=f"r = {ra} vs {rb}",
                        recomputed=f"z = {res.statistic:.2f}, p = {_p(pz)}",
                        verdict=verdict,
                        detail=detail,
                        value=float(res.estimate),
                        value_low=float(res.ci_low),
                        value_high=float(res.ci_high),
                    )
                )
    return out


def check_correlations_vs_primary(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """A secondary source's correlation against the cited primary's (same cohort, same pair).

    Compared: significance (at the printed P's, or ALPHA) and, where the
    primary prints only P, the |r| its P needs at its own n.

    Examples
    --------
    >>> c = check_correlations_vs_primary(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_can_mat_inf:vs_primary', 'consistent')
    """
    ctx = _Ctx.of(tables)
    out = []
    cor = ctx.rows["correlations"]
    for _, row in cor.iterrows():
        cited = ctx.cites.get(row["source_id"])
        if cited is None or ctx.kind(row["source_id"]) not in ("secondary", "lay"):
            continue
        same = cor[(cor["source_id"] == cited) & (cor["cohort"] == row["cohort"])]
        pair = {row["var_x"], row["var_y"]}
        prim = same[[{x, y} == pair for x, y in zip(same["var_x"], same["var_y"], strict=True)]]
        rt = _r_text(row) if _isnum(row["r"]) else "n/a"
        claim = f"r = {rt}, {row['p_text']} ({row['cohort']})"
        base = {
            "check_id": f"{row['row_id']}:vs_primary",
            "category": "correlation_vs_primary",
            "table": "correlations",
            "claim": claim,
            "reported": f"r = {rt}, {row['p_text']}, n = {_int_or_na(row['n'])}",
            "cited_source_id": cited,
        }
        if len(prim) != 1:
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=f"{cited} prints no correlation of this pair in this cohort.",
                    **base,
                )
            )
            continue
        p = prim.iloc[0]
        parent = ctx.cohort_n(row["cohort"], cited)
        pn = int(parent["value_num"]) if parent is not None else None
        ids = (row["row_id"], p["row_id"]) + (() if parent is None else (parent["row_id"],))
        sec_sig, prim_sig = _flag(row["significant"]), _flag(p["significant"])
        prim_txt = f"{cited}: {'correlated' if prim_sig else 'not correlated'}" + (
            f" ({p['p_text']})" if isinstance(p["p_text"], str) else ""
        )
        need = ""
        value = math.nan
        if isinstance(p["p_text"], str) and pn is not None:
            crit, rel = _r_critical_for(p["p_text"], pn)
            word = ">=" if rel in ("<", "<=") else "<="
            need = f"; {p['p_text']} with its n = {pn} needs |r| {word} {crit:.2f}"
            value = crit
        sec_txt = (
            f"{row['source_id']}: r = {rt}, {row['p_text']}, n = {_int_or_na(row['n'])} "
            f"({'significant' if sec_sig else 'not significant'})"
        )
        if sec_sig is None or prim_sig is None:
            verdict = "unverifiable"
            detail = f"{sec_txt}; {prim_txt}: significance not stated on both sides{need}."
        elif sec_sig != prim_sig:
            verdict = "conflicts_with_primary"
            detail = f"{sec_txt} vs {prim_txt}{need}."
        else:
            p_ok = True
            if isinstance(row["p_text"], str) and isinstance(p["p_text"], str):
                lo, hi = parse_p(row["p_text"]).interval()
                p_ok = parse_p(p["p_text"]).intersects(lo, hi)
            verdict = "consistent" if p_ok else "conflicts_with_primary"
            detail = (
                f"{sec_txt}; {prim_txt}{need}: both call it "
                f"{'significant' if sec_sig else 'not significant'}"
                + (
                    " and the P values are compatible."
                    if p_ok
                    else f", but {row['p_text']} does not fit {p['p_text']}."
                )
            )
        out.append(
            ctx.check(
                row["source_id"],
                row_ids=ids,
                recomputed=need.lstrip("; "),
                verdict=verdict,
                detail=detail,
                value=value,
                **base,
            )
        )
    return out


# --- cohorts -------------------------------------------------------------------------------------


def _cohort_value(row: pd.Series) -> tuple[Any, str]:
    if _isnum(row["value_num"]):
        v = float(row["value_num"])
        return v, f"{v:g}" + (f" {row['unit']}" if isinstance(row["unit"], str) else "")
    return str(row["value_text"]).strip().lower(), str(row["value_text"])


def check_cohorts_vs_primary(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Cohort facts of secondary/lay sources (n, supplementation, timing) against the primary.

    Same cohort and attribute in the cited source: equal -> ``reproduced``;
    different -> ``conflicts_with_primary``; the primary silent or no cited
    source -> ``unverifiable``.

    Examples
    --------
    >>> c = check_cohorts_vs_primary(load_tables())[0]
    >>> c.check_id, c.verdict
    ('sum_can_n:vs_primary', 'conflicts_with_primary')
    """
    ctx = _Ctx.of(tables)
    out = []
    coh = ctx.rows["cohorts"]
    for _, row in coh[coh["source_kind"].isin(["secondary", "lay"])].iterrows():
        cited = ctx.cites.get(row["source_id"])
        sv, stext = _cohort_value(row)
        attr = row["attribute"]
        base = {
            "check_id": f"{row['row_id']}:vs_primary",
            "category": "cohort_vs_primary",
            "table": "cohorts",
            "claim": f"{attr.replace('_', ' ')} = {stext} ({row['cohort']})",
            "reported": stext,
            "cited_source_id": cited,
        }
        prim = (
            coh[(coh["source_id"] == cited) & (coh["cohort"] == row["cohort"])
                & (coh["attribute"] == attr)]
            if cited is not None
            else coh.iloc[0:0]
        )  # fmt: skip
        if len(prim) != 1:
            why = "cites no source" if cited is None else f"{cited} does not state it"
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=f"the source {why}: nothing to compare with.",
                    **base,
                )
            )
            continue
        p = prim.iloc[0]
        pv, ptext = _cohort_value(p)
        if pv == sv:
            verdict = "reproduced"
            detail = f"{cited} states the same: {ptext} ('{p['text']}')."
        else:
            verdict = "conflicts_with_primary"
            detail = (
                f"the summary says {attr.replace('_', ' ')} = {stext} ('{row['text']}'); "
                f"{cited} says {ptext} ('{p['text']}')."
            )
        out.append(
            ctx.check(
                row["source_id"],
                row_ids=(row["row_id"], p["row_id"]),
                recomputed=f"primary: {ptext}",
                verdict=verdict,
                detail=detail,
                value=pv if isinstance(pv, float) else math.nan,
                **base,
            )
        )
    return out


# --- effects -------------------------------------------------------------------------------------


def check_effects(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Effects with a CI: the P the CI implies against the printed P (or the word "significant").

    Ratio-type effects (percent difference, ratio): log scale with rounding
    (:func:`~b12stats.stats.effects.check_p_against_ci`, Altman & Bland
    2011). Additive effects (regression coefficients): ``se = (hi - lo) /
    (2 z)``, ``P = 2 Phi(-|est| / se)``; without a printed P, a source calling
    the effect significant is ``consistent`` when the CI excludes 0.
    Effects with a P only: ``unverifiable``.

    Examples
    --------
    >>> c = check_effects(load_tables())[0]
    >>> c.check_id, c.verdict
    ('wa24_prenatal_6w:p_from_ci', 'reproduced')
    """
    ctx = _Ctx.of(tables)
    out = []
    eff = ctx.rows["effects"]
    zc = stats.norm.ppf(0.5 + CONF_LEVEL / 2.0)
    for _, row in eff.iterrows():
        has_ci = _isnum(row["ci_low"]) and _isnum(row["ci_high"]) and _isnum(row["estimate"])
        base = {
            "check_id": f"{row['row_id']}:p_from_ci",
            "category": "effect_ci",
            "table": "effects",
            "row_ids": (row["row_id"],),
        }
        if not has_ci:
            out.append(
                ctx.check(
                    row["source_id"],
                    claim=f"{row['contrast']}: {row['p_text']}",
                    reported=str(row["p_text"]),
                    recomputed="",
                    verdict="unverifiable",
                    detail=(
                        f"only {row['p_text']} is printed (no estimate, CI or n): nothing to "
                        "recompute it from."
                    ),
                    **{**base, "check_id": f"{row['row_id']}:p_only"},
                )
            )
            continue
        e, lo, hi = (
            _num_text(row[c], row[f"{c}_decimals"]) for c in ("estimate", "ci_low", "ci_high")
        )
        level = float(row["ci_level"]) if _isnum(row["ci_level"]) else CONF_LEVEL
        ci_txt = f"{e} ({round(level * 100)}% CI {lo}, {hi})"
        if row["measure"] in ("percent_difference", "ratio"):
            p_text = row["p_text"] if isinstance(row["p_text"], str) else "P < 0.05"
            res = check_p_against_ci(p_text, e, lo, hi, scale=row["measure"], conf_level=level)
            r0 = res.iloc[0]
            p0 = float(r0.p_recomputed)
            pp = parse_p(p_text)
            rng = f"{_p(r0.p_low)}-{_p(r0.p_high)} with the bounds' rounding"
            if pp.contains(p0):
                verdict = "reproduced"
                detail = (
                    f"on the log scale (1 + x/100) the CI gives SE and p = {_p(p0)} ({rng}), "
                    f"which fits {p_text}."
                )
            elif bool(r0.consistent):
                verdict = "consistent"
                detail = f"the CI gives p = {_p(p0)} ({rng}), which meets {p_text} with rounding."
            else:
                verdict = "inconsistent"
                detail = f"the CI gives p = {_p(p0)} ({rng}), which {p_text} excludes."
            value, vlo, vhi = p0, float(r0.p_low), float(r0.p_high)
        else:
            est, l_, h_ = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
            se = (h_ - l_) / (2 * zc)
            p0 = float(2 * stats.norm.sf(abs(est) / se))
            mid = (l_ + h_) / 2
            excludes = l_ > 0 or h_ < 0
            value, vlo, vhi = p0, math.nan, math.nan
            sym = f"CI midpoint {mid:g} vs estimate {est:g}"
            if isinstance(row["p_text"], str):
                pp = parse_p(row["p_text"])
                verdict = "consistent" if pp.contains(p0) else "inconsistent"
                detail = f"SE from the CI {se:.3g}, p = {_p(p0)} vs {row['p_text']} ({sym})."
                p_text = row["p_text"]
            else:
                says_sig = "significant" in str(row["text"]).lower()
                p_text = "significant" if says_sig else "no P"
                if says_sig:
                    verdict = "consistent" if excludes else "inconsistent"
                    detail = (
                        f"no P printed; SE = (hi - lo)/(2 x 1.96) = {se:.3g} gives p = {_p(p0)}: "
                        f"the CI {'excludes' if excludes else 'includes'} 0, "
                        f"{'matching' if excludes else 'contradicting'} 'significant "
                        f"predictors' ({sym})."
                    )
                else:
                    verdict = "unverifiable"
                    detail = f"no P printed; the CI implies p = {_p(p0)} ({sym})."
        out.append(
            ctx.check(
                row["source_id"],
                claim=f"{row['contrast']}: {ci_txt}, {p_text}",
                reported=f"{ci_txt}; {p_text}",
                recomputed=f"p = {_p(value)}",
                verdict=verdict,
                detail=detail,
                value=value,
                value_low=vlo,
                value_high=vhi,
                **base,
            )
        )
    return out


# --- reference values ----------------------------------------------------------------------------


def check_reference_values(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Reference values: those repeated by lay/secondary sources, and the cut-offs' coherence.

    A lay value is matched to a ``reference``-kind row with the same quantity
    and population, else the same population and unit among Recommended
    Dietary Allowances; equal to the printed precision -> ``reproduced``,
    different -> ``conflicts_with_primary``. Reference-kind rows used by no
    other check: adequacy cut-offs compared across sources (``consistent``
    when they differ by a convention of 1 pmol/L or less), and dietary
    reference values checked against the cut-offs the studies use.

    Examples
    --------
    >>> c = check_reference_values(load_tables())[0]
    >>> c.check_id, c.verdict
    ('lay_rda_lactation:vs_reference', 'reproduced')
    """
    ctx = _Ctx.of(tables)
    out: list[Check] = []
    ref = ctx.rows["reference_values"]
    refs = ref[ref["source_kind"] == "reference"]
    for _, row in ref[ref["source_kind"].isin(["lay", "secondary"])].iterrows():
        cand = refs[
            (refs["quantity"] == row["quantity"]) & (refs["population"] == row["population"])
        ]
        how = "same quantity"
        if len(cand) != 1:
            cand = refs[
                (refs["population"] == row["population"])
                & (refs["unit"] == row["unit"])
                & (refs["quantity"] == "Recommended Dietary Allowance")
            ]
            how = "the RDA for the same population"
        txt = (
            f"{row['quantity']} ({row['population']}) {row['relation']} {row['value']:g} "
            f"{row['unit']}"
        )
        if len(cand) != 1:
            out.append(
                ctx.check(
                    row["source_id"],
                    check_id=f"{row['row_id']}:vs_reference",
                    category="reference_value",
                    table="reference_values",
                    row_ids=(row["row_id"],),
                    claim=txt,
                    reported=f"{row['value']:g} {row['unit']}",
                    recomputed="",
                    verdict="unverifiable",
                    detail="no reference value for this quantity and population in data/.",
                )
            )
            continue
        c = cand.iloc[0]
        lo, hi = rounding_interval(float(row["value"]), int(row["value_decimals"]))
        same = lo <= float(c["value"]) <= hi
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:vs_reference",
                category="reference_value",
                table="reference_values",
                row_ids=(row["row_id"], c["row_id"]),
                claim=txt,
                reported=f"{row['value']:g} {row['unit']}",
                recomputed=f"{c['source_id']}: {c['value']:g} {c['unit']}",
                verdict="reproduced" if same else "conflicts_with_primary",
                detail=(
                    f"{c['source_id']} ({how}: {c['quantity']}, {c['population']}) gives "
                    f"{c['value']:g} {c['unit']}; the lay value {row['value']:g} "
                    f"{'equals' if same else 'differs from'} it"
                    + (
                        f" (attributed to {row['text'].split(' recommends')[0]})."
                        if "recommends" in str(row["text"])
                        else "."
                    )
                    + (
                        f" The number is the same, the quantity is not: the RDA is a total "
                        f"daily intake from all sources, while the lay source uses it as "
                        f"'{row['quantity']}'."
                        if row["quantity"] != c["quantity"]
                        else ""
                    )
                ),
                cited_source_id=c["source_id"],
                value=float(c["value"]),
            )
        )
    out.extend(_cutoff_checks(ctx))
    out.extend(_ai_checks(ctx))
    used = {rid for c in out for rid in c.row_ids}
    dri = refs[refs["quantity"].isin(_DRI) & ~refs["row_id"].isin(used)]
    for _, row in dri.iterrows():
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:reference",
                category="reference_value",
                table="reference_values",
                row_ids=(row["row_id"],),
                claim=f"{row['quantity']} ({row['population']}) = {row['value']:g} {row['unit']}",
                reported=f"{row['value']:g} {row['unit']}",
                recomputed="",
                verdict="unverifiable",
                detail=(
                    "a dietary reference value that no other source in data/ repeats or uses; "
                    "nothing printed to recompute it from."
                ),
            )
        )
    return out


_DRI = ("Recommended Dietary Allowance", "Estimated Average Requirement", "Adequate Intake")


def _cutoff_checks(ctx: _Ctx) -> list[Check]:
    """Adequacy cut-offs across sources and the deficient/marginal convention."""
    ref = ctx.rows["reference_values"]
    out: list[Check] = []
    cut = ref[ref["unit"].eq("pmol/L") & ref["quantity"].str.contains("cut-off|marginal range")]
    adequacy = cut[cut["quantity"].str.contains("adequacy|sufficiency")]
    if len(adequacy) >= 2:
        vals = adequacy["value"].astype(float)
        spread = float(vals.max() - vals.min())
        txt = "; ".join(
            f"{s}: {r} {v:g}"
            for s, r, v in zip(adequacy["source_id"], adequacy["relation"], vals, strict=True)
        )
        first = adequacy.iloc[0]
        out.append(
            ctx.check(
                first["source_id"],
                check_id="adequacy_cutoffs:agreement",
                category="cutoff",
                table="reference_values",
                row_ids=tuple(adequacy["row_id"]),
                claim="serum B12 adequacy/sufficiency cut-off",
                reported=txt,
                recomputed=f"spread {spread:g} pmol/L",
                verdict="consistent" if spread <= 1 else "inconsistent",
                detail=(
                    f"the studies' cut-offs ({txt} pmol/L) differ by {spread:g} pmol/L: "
                    + (
                        "not the same threshold (a value of "
                        f"{vals.max():g} pmol/L passes '> {vals.min():g}' but not "
                        f"'> {vals.max():g}'), but a difference of convention "
                        f"({100 * spread / vals.min():.1f}% of the value), not an error; shares "
                        "using them differ only by the values lying between the two."
                        if spread <= 1 and set(adequacy["relation"]) == {">"}
                        else (
                            "a difference of convention, not an error."
                            if spread <= 1
                            else "different thresholds; prevalences using them are not comparable."
                        )
                    )
                ),
                value=spread,
            )
        )
    conv = cut[cut["source_kind"] == "reference"]
    deficient = conv[conv["quantity"].str.contains("deficiency")]
    low = conv[conv["quantity"].str.contains("lower bound")]
    high = conv[conv["quantity"].str.contains("upper bound")]
    if len(deficient) == 1 and len(low) == 1 and len(high) == 1:
        d, lo_, hi_ = deficient.iloc[0], low.iloc[0], high.iloc[0]
        adq = adequacy[adequacy["value"] == hi_["value"]]
        joins = (
            d["relation"] == "<"
            and lo_["relation"] == ">="
            and float(d["value"]) == float(lo_["value"])
            and hi_["relation"] == "<="
        )
        adq_join = len(adq) > 0 and adq.iloc[0]["relation"] == ">"
        ok = joins and adq_join
        ids = (d["row_id"], lo_["row_id"], hi_["row_id"], *adq["row_id"])
        out.append(
            ctx.check(
                d["source_id"],
                check_id="deficiency_cutoffs:partition",
                category="cutoff",
                table="reference_values",
                row_ids=ids,
                claim=(
                    f"deficient < {d['value']:g}, marginal {lo_['value']:g}-{hi_['value']:g}, "
                    f"adequate > {hi_['value']:g} pmol/L"
                ),
                reported=f"{d['value']:g} / {lo_['value']:g}-{hi_['value']:g}",
                recomputed="partition " + ("without gap or overlap" if ok else "broken"),
                verdict="consistent" if ok else "inconsistent",
                detail=(
                    f"deficient < {d['value']:g}, marginal {lo_['value']:g}-{hi_['value']:g} and "
                    f"adequate > {hi_['value']:g} pmol/L "
                    + (
                        "partition the axis without gap or overlap; a convention without a "
                        "single verified source (some papers use < 150 and 150-220)."
                        if ok
                        else "leave a gap or overlap."
                    )
                ),
            )
        )
    return out


def _find(ref: pd.DataFrame, source_kind: str, unit: str, pattern: str) -> pd.Series | None:
    sel = ref[
        (ref["source_kind"] == source_kind)
        & (ref["unit"] == unit)
        & ref["quantity"].str.contains(pattern, case=False, regex=True)
    ]
    return sel.iloc[0] if len(sel) == 1 else None


def _ai_checks(ctx: _Ctx) -> list[Check]:
    """The 0.42 µg/L ≈ 310 pmol/L conversion, the AI's derivation, EAR/RDA use."""
    ref = ctx.rows["reference_values"]
    out: list[Check] = []
    basis = _find(ref, "reference", "µg/L", "milk B12 concentration behind")
    level = ref[ref["unit"].eq("pmol/L") & ref["quantity"].str.contains("Adequate Intake")]
    mm = ref[ref["quantity"].str.contains("molar mass")]
    if basis is not None and len(level) >= 1 and len(mm) == 1:
        lv = level.iloc[0]
        m = float(mm.iloc[0]["value"])
        b = float(basis["value"])
        conv_v = b * 1e6 / m
        b_lo, b_hi = rounding_interval(b, int(basis["value_decimals"]))
        lo_v, hi_v = b_lo * 1e6 / m, b_hi * 1e6 / m
        l_lo, l_hi = rounding_interval(float(lv["value"]), int(lv["value_decimals"]))
        if l_lo <= conv_v <= l_hi:
            verdict = "reproduced"
        elif lo_v <= l_hi and hi_v >= l_lo:
            verdict = "consistent"
        else:
            verdict = "inconsistent"
        out.append(
            ctx.check(
                lv["source_id"],
                check_id=f"{lv['row_id']}:conversion",
                category="unit_conversion",
                table="reference_values",
                row_ids=(lv["row_id"], basis["row_id"], mm.iloc[0]["row_id"]),
                claim=f"{lv['value']:g} pmol/L is the milk level behind the AI ({b:g} µg/L)",
                reported=f"{lv['value']:g} pmol/L",
                recomputed=f"{conv_v:.1f} pmol/L ({lo_v:.1f}-{hi_v:.1f})",
                verdict=verdict,
                detail=(
                    f"{b:g} µg/L x 10^6 / {m:g} g/mol = {conv_v:.1f} pmol/L "
                    f"({lo_v:.1f}-{hi_v:.1f} over the rounding of {b:g}), which "
                    + ("rounds to" if verdict == "reproduced" else "is compatible with")
                    + f" the {lv['value']:g} pmol/L {lv['source_id']} uses."
                ),
                cited_source_id=basis["source_id"],
                value=conv_v,
                value_low=lo_v,
                value_high=hi_v,
            )
        )
    vol = _find(ref, "reference", "L/d", "milk volume")
    ai = _find(ref, "reference", "µg/d", "^Adequate Intake$")
    count = _find(ref, "reference", "count", "mothers behind")
    if basis is not None and vol is not None and ai is not None:
        prod = float(basis["value"]) * float(vol["value"])
        ids = (ai["row_id"], basis["row_id"], vol["row_id"]) + (
            () if count is None else (count["row_id"],)
        )
        a_lo, a_hi = rounding_interval(float(ai["value"]), int(ai["value_decimals"]))
        verdict = "reproduced" if a_lo <= prod <= a_hi else "unverifiable"
        who = "" if count is None else f" (from {int(count['value'])} mothers)"
        detail = (
            f"{basis['value']:g} µg/L{who} x {vol['value']:g} L/d = {prod:.3f} µg/d, which "
            + (
                f"rounds to the AI of {ai['value']:g} µg/d."
                if verdict == "reproduced"
                else f"does not round to the AI of {ai['value']:g} µg/d: the AI is set above "
                "the plain product; the step from one to the other is not recorded in data/."
            )
        )
        out.append(
            ctx.check(
                ai["source_id"],
                check_id=f"{ai['row_id']}:derivation",
                category="reference_derivation",
                table="reference_values",
                row_ids=ids,
                claim=f"infant AI {ai['value']:g} µg/d from milk {basis['value']:g} µg/L x "
                f"{vol['value']:g} L/d",
                reported=f"{ai['value']:g} µg/d",
                recomputed=f"{prod:.3f} µg/d",
                verdict=verdict,
                detail=detail,
                value=prod,
            )
        )
    prev = ctx.rows["prevalences"]
    for pattern in ("Estimated Average Requirement", "Recommended Dietary Allowance"):
        for _, r in ref[
            (ref["source_kind"] == "reference") & (ref["quantity"] == pattern)
        ].iterrows():
            used = prev[
                (prev["unit"] == r["unit"])
                & prev["cutoff"].eq(float(r["value"]))
                & prev["condition"].str.contains(
                    "EAR" if pattern.startswith("Estimated") else "RDA", regex=False
                )
            ]
            if len(used) == 0:
                continue
            u = used.iloc[0]
            out.append(
                ctx.check(
                    u["source_id"],
                    check_id=f"{u['row_id']}:vs_reference",
                    category="reference_value",
                    table="prevalences",
                    row_ids=(u["row_id"], r["row_id"]),
                    claim=f"cut-off {u['cutoff']:g} {u['unit']} is the {r['population']} "
                    f"{pattern}",
                    reported=f"{u['cutoff']:g} {u['unit']}",
                    recomputed=f"{r['source_id']}: {r['value']:g} {r['unit']}",
                    verdict="reproduced",
                    detail=(
                        f"{u['source_id']} uses {u['cutoff']:g} {u['unit']}, the {pattern} for "
                        f"{r['population']} in {r['source_id']} ({r['value']:g} {r['unit']})."
                    ),
                    cited_source_id=r["source_id"],
                    value=float(r["value"]),
                )
            )
    return out


def check_other_reference_values(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Reference-kind rows no other check understands: ``unverifiable``.

    Currently every bundled reference value is used by another check; this
    family reports any ``reference``-kind row with a quantity no check
    understands, so that nothing is silently skipped.

    Examples
    --------
    >>> check_other_reference_values(load_tables())  # every bundled one is used elsewhere
    []
    """
    ctx = _Ctx.of(tables)
    ref = ctx.rows["reference_values"]
    known = (
        "cut-off|marginal range|behind the|milk volume|^Adequate Intake$|molar mass|"
        "Estimated Average Requirement|Recommended Dietary Allowance|level used to establish"
    )
    out = []
    sel = ref[(ref["source_kind"] == "reference") & ~ref["quantity"].str.contains(known)]
    for _, row in sel.iterrows():
        out.append(
            ctx.check(
                row["source_id"],
                check_id=f"{row['row_id']}:reference",
                category="reference_value",
                table="reference_values",
                row_ids=(row["row_id"],),
                claim=f"{row['quantity']} = {row['value']:g} {row['unit']}",
                reported=f"{row['value']:g} {row['unit']}",
                recomputed="",
                verdict="unverifiable",
                detail="a reference value with nothing printed to recompute it from.",
            )
        )
    return out


# --- claims --------------------------------------------------------------------------------------


def _judge_plateau(ctx: _Ctx, claim: pd.Series) -> tuple[str, str, tuple[str, ...]]:
    cl = ctx.rows["claims"]
    mod = cl[(cl["source_id"] == claim["traced_source_id"]) & cl["subject"].str.contains(
        "effect modification")]  # fmt: skip
    if len(mod) != 1:
        return "unverifiable", "the primary's effect-modification finding is not in data/.", ()
    m = mod.iloc[0]
    return (
        "consistent",
        (
            f"{claim['traced_source_id']} reports effect modification: '{m['value_text']}' -- a "
            "sub-additive interaction, which 'no additive benefit' / 'plateau' paraphrases "
            "loosely but in the same direction (no numbers printed on either side)."
        ),
        (m["row_id"],),
    )


def _judge_sustained(ctx: _Ctx, claim: pd.Series) -> tuple[str, str, tuple[str, ...]]:
    src = claim["traced_source_id"]
    eff = ctx.rows["effects"]
    post = eff[(eff["source_id"] == src) & eff["contrast"].str.contains("postnatal")]
    pre = eff[(eff["source_id"] == src) & eff["contrast"].str.contains("prenatal")]
    prev = ctx.rows["prevalences"]
    late = prev[(prev["source_id"] == src) & prev["timepoint"].str.startswith("7 months")]
    if len(post) != 1 or len(late) != 1:
        return "unverifiable", f"{src}'s postnatal effect or late prevalence is not in data/.", ()
    p, lt = post.iloc[0], late.iloc[0]
    ids: tuple[str, ...] = (p["row_id"], lt["row_id"])
    pre_txt = ""
    cl = ctx.rows["claims"]
    no7 = cl[(cl["source_id"] == src) & cl["subject"].str.contains("prenatal supplement at 7")]
    if len(pre) and len(no7):
        ids = (*ids, pre.iloc[0]["row_id"], no7.iloc[0]["row_id"])
        pre_txt = (
            f", while the prenatal effect (+{pre.iloc[0]['estimate']:g}% at 6 wk) was gone by 7 mo"
        )
    med_txt = ""
    conc = ctx.rows["concentrations"]
    med = conc[
        (conc["cohort"] == p["cohort"])
        & (conc["compartment"] == "milk")
        & (conc["statistic"] == "median")
    ]
    if len(med) == 1:
        mv = float(med.iloc[0]["value"])
        need = 100 * (float(lt["cutoff"]) / mv - 1)
        ids = (*ids, med.iloc[0]["row_id"])
        med_txt = (
            f"; the only printed median in the trial, {mv:g} pmol/L at "
            f"{med.iloc[0]['timepoint']} ({med.iloc[0]['source_id']}, both arms), would need "
            f"+{need:.0f}% to reach {lt['cutoff']:g}, beyond the upper CI bound "
            f"{p['ci_high']:g}% of the postnatal effect (a different time point, so only "
            "indicative)"
        )
    return (
        "conflicts_with_primary",
        (
            f"'more sustained' fits {src} (postnatal +{p['estimate']:g}% at 7 mo, 95% CI "
            f"{p['ci_low']:g}-{p['ci_high']:g}, {p['p_text']}{pre_txt}), but 'maintaining "
            f"adequate B12 levels' does not: {lt['percent']:g}% of women (all arms together) "
            f"had milk B12 < {lt['cutoff']:g} pmol/L at 7 mo{med_txt}."
        ),
        ids,
    )


#: Judgements of lay/secondary paraphrases, by claim row id: functions of the
#: tables returning (verdict, detail, extra row ids). A paraphrase without a
#: judgement here gets no check, so the coverage test names it.
PARAPHRASE_JUDGEMENTS: dict[str, Callable[[_Ctx, pd.Series], tuple[str, str, tuple[str, ...]]]] = {
    "lay_plateau": _judge_plateau,
    "lay_postnatal_sustained": _judge_sustained,
}


_CLAIM_SUFFIX = {"untraceable_citation": "untraceable", "secondary_paraphrase": "paraphrase"}


def check_claims(tables: Mapping[str, pd.DataFrame]) -> list[Check]:
    """Claims without numbers to recompute.

    Untraceable citations: ``unverifiable`` (no primary source). Paraphrases of
    a primary: judged against the primary's findings
    (:data:`PARAPHRASE_JUDGEMENTS`). Findings of primary sources stated without
    numbers: ``unverifiable`` (nothing printed to recompute).

    Examples
    --------
    >>> c = check_claims(load_tables())[0]
    >>> c.check_id, c.verdict
    ('lay_cornell_68:untraceable', 'unverifiable')
    """
    ctx = _Ctx.of(tables)
    out = []
    for _, row in ctx.rows["claims"].iterrows():
        kind = row["claim_type"]
        base = {
            "check_id": f"{row['row_id']}:{_CLAIM_SUFFIX.get(kind, kind)}",
            "category": kind,
            "table": "claims",
            "claim": f"{row['subject']}: {row['value_text']}",
            "reported": row["value_text"],
        }
        if kind == "untraceable_citation":
            traced = row["traced_source_id"]
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=(
                        f"attributed to {row['attributed_to']}, but "
                        + (
                            f"traced only to {traced}; "
                            if isinstance(traced, str)
                            else "no paper or report holding this number was found: "
                        )
                        + "an untraceable claim with no primary source to check it against."
                    ),
                    **base,
                )
            )
        elif kind == "secondary_paraphrase":
            judge = PARAPHRASE_JUDGEMENTS.get(row["row_id"])
            if judge is None:
                continue
            verdict, detail, ids = judge(ctx, row)
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"], *ids),
                    recomputed="",
                    verdict=verdict,
                    detail=detail,
                    cited_source_id=row["traced_source_id"],
                    **base,
                )
            )
        elif kind == "finding":
            out.append(
                ctx.check(
                    row["source_id"],
                    row_ids=(row["row_id"],),
                    recomputed="",
                    verdict="unverifiable",
                    detail=(
                        "a primary finding stated without numbers; nothing printed to "
                        "recompute it from."
                    ),
                    **base,
                )
            )
    return out


# --- running -------------------------------------------------------------------------------------

#: The families of checks, in the order :func:`run_audit` runs them.
FAMILIES: dict[str, Callable[[Mapping[str, pd.DataFrame]], list[Check]]] = {
    "ratios": check_ratios,
    "ratios_vs_primary": check_ratios_vs_primary,
    "comparison_p": check_comparison_p,
    "r_p_n": check_r_p_n_triples,
    "correlation_differences": check_correlation_differences,
    "correlations_vs_primary": check_correlations_vs_primary,
    "correlations_without_n": check_correlations_without_n,
    "correlations_without_p": check_correlations_without_p,
    "correlations_without_r": check_correlations_without_r,
    "cohorts_vs_primary": check_cohorts_vs_primary,
    "concentrations_vs_primary": check_concentrations_vs_primary,
    "prevalence_from_quartiles": check_prevalence_from_quartiles,
    "prevalence_from_gm_ci": check_prevalence_from_gm_ci,
    "percent_counts": check_percent_counts,
    "median_vs_prevalence": check_median_vs_prevalence,
    "effects": check_effects,
    "quartiles": check_quartiles,
    "geometric_mean_ci": check_geometric_mean_ci,
    "subgroup_means": check_subgroup_means,
    "reference_values": check_reference_values,
    "other_reference_values": check_other_reference_values,
    "claims": check_claims,
}


@dataclass(frozen=True)
class AuditResult:
    """The checks of one audit run.

    Attributes
    ----------
    checks
        One :class:`Check` per claim judged, in the order the families ran.
    source_kinds
        Kinds listed by :meth:`summary` (always all four, in this order).
    """

    checks: tuple[Check, ...]
    source_kinds: tuple[str, ...] = field(default=("primary", "secondary", "lay", "reference"))

    def to_frame(self) -> pd.DataFrame:
        """One row per check with the columns :data:`COLUMNS`, in that order.

        ========================  ==============================================
        ``check_id``              unique and stable, ``"<row_id>:<check>"``
        ``source_id``             the source whose claim is judged
        ``source_kind``           primary / secondary / lay / reference
        ``claim``                 what the source claims, short
        ``reported``              the numbers as printed
        ``recomputed``            what the audit computed, as text
        ``verdict``               one of :data:`VERDICTS`
        ``detail``                what was computed and why the verdict
        ``category``              the kind of check (e.g. ``r_p_n``, ``ratio``)
        ``table``                 the data table of the claim
        ``row_ids``               ';'-joined ids of every data row used
        ``cited_source_id``       the source compared with, if any (else None)
        ``value``                 the main recomputed number (float, NaN if none)
        ``value_low, value_high`` its interval (float, NaN if none)
        ========================  ==============================================

        Examples
        --------
        >>> frame = run_audit().to_frame()
        >>> frame.columns[:8].tolist()  # doctest: +NORMALIZE_WHITESPACE
        ['check_id', 'source_id', 'source_kind', 'claim', 'reported', 'recomputed',
         'verdict', 'detail']
        """
        frame = pd.DataFrame([c.as_dict() for c in self.checks], columns=list(COLUMNS))
        for col in ("value", "value_low", "value_high"):
            frame[col] = frame[col].astype("float64")
        return frame

    def summary(self) -> pd.DataFrame:
        """Verdict counts by source kind.

        Returns
        -------
        DataFrame
            Columns ``source_kind``, one per verdict in :data:`VERDICTS`
            order, and ``total``; one row per source kind (zeros included).

        Examples
        --------
        >>> s = run_audit().summary()
        >>> s.columns.tolist()
        ['source_kind', 'reproduced', 'consistent', 'inconsistent', 'conflicts_with_primary', \
'unverifiable', 'total']
        >>> s["source_kind"].tolist()
        ['primary', 'secondary', 'lay', 'reference']
        """
        counts = {k: dict.fromkeys(VERDICTS, 0) for k in self.source_kinds}
        for c in self.checks:
            counts.setdefault(c.source_kind, dict.fromkeys(VERDICTS, 0))[c.verdict] += 1
        rows = [{"source_kind": k, **v, "total": sum(v.values())} for k, v in counts.items()]
        return pd.DataFrame(rows, columns=["source_kind", *VERDICTS, "total"])

    def summary_line(self) -> str:
        """``"N checks: a reproduced, b consistent, ..."`` (every verdict listed, in order).

        Examples
        --------
        >>> AuditResult(()).summary_line()
        '0 checks: 0 reproduced, 0 consistent, 0 inconsistent, 0 conflicts_with_primary, \
0 unverifiable'
        """
        counts = self.verdict_counts()
        return f"{len(self.checks)} checks: " + ", ".join(f"{v} {k}" for k, v in counts.items())

    def to_text(self, *, width: int = 100, detail_lines: int = 3) -> str:
        """The readable table ``b12stats reproduce`` prints, each line at most ``width`` wide.

        Per check, line 1: ``check_id`` (30 characters), ``source_kind`` (9),
        ``verdict`` (22) and the ``claim`` in the rest; then the ``detail``,
        indented by 4 and wrapped, cut with "…" after ``detail_lines`` lines
        (``0``: never cut). A blank line and :meth:`summary_line` end it.

        Examples
        --------
        >>> text = run_audit().to_text()
        >>> max(len(line) for line in text.splitlines()) <= 100
        True
        """
        import textwrap

        if width < 40:
            raise OptionError(f"width must be at least 40 characters, got {width}")
        if detail_lines < 0:
            raise OptionError(f"detail_lines must be >= 0, got {detail_lines}")
        cols = [("check_id", 30), ("source_kind", 9), ("verdict", 22)]
        widths = [*cols, ("claim", width - sum(w for _, w in cols) - len(cols))]
        lines = [" ".join(f"{name:<{w}}" for name, w in widths).rstrip(), "    detail"]
        lines.append("-" * width)
        for c in self.checks:
            lines.append(" ".join(f"{_cut(getattr(c, n), w):<{w}}" for n, w in widths).rstrip())
            wrapped = textwrap.wrap(" ".join(c.detail.split()), width - 4) or [""]
            if detail_lines and len(wrapped) > detail_lines:
                rest = " ".join(wrapped[detail_lines - 1 :])
                wrapped = [*wrapped[: detail_lines - 1], _cut(rest, width - 4)]
            lines.extend("    " + w for w in wrapped)
        return "\n".join([*lines, "", self.summary_line()])

    def verdict_counts(self) -> dict[str, int]:
        """Number of checks per verdict (every verdict present)."""
        out = dict.fromkeys(VERDICTS, 0)
        for c in self.checks:
            out[c.verdict] += 1
        return out

    @property
    def has_problems(self) -> bool:
        """Whether any check is ``inconsistent`` or ``conflicts_with_primary``."""
        return any(c.verdict in PROBLEM_VERDICTS for c in self.checks)


def load_tables() -> dict[str, pd.DataFrame]:
    """The bundled tables the audit reads, by name (fresh copies).

    Examples
    --------
    >>> sorted(load_tables())[:3]
    ['claims', 'cohorts', 'comparisons']
    """
    from b12stats.data import load_table

    return {name: load_table(name) for name in _ALL_TABLES}


_load_all = load_tables


def run_audit(tables: Mapping[str, pd.DataFrame] | None = None) -> AuditResult:
    """Run every family of checks.

    Parameters
    ----------
    tables
        The tables, by name, as :func:`b12stats.data.load_table` returns them
        (``sources, cohorts, concentrations, comparisons, correlations,
        prevalences, effects, reference_values, claims``); ``None`` loads the
        bundled ones.

    Returns
    -------
    AuditResult

    Raises
    ------
    OptionError
        When a table is missing or two checks share an id.

    Examples
    --------
    >>> res = run_audit()
    >>> s = res.summary().set_index("source_kind")
    >>> int(s.loc["secondary", "conflicts_with_primary"]) > 0
    True
    """
    tabs = _TableSet(_load_all() if tables is None else tables)
    _Ctx.of(tabs)  # validates the table names once
    checks: list[Check] = []
    for fam in FAMILIES.values():
        checks.extend(fam(tabs))
    seen: set[str] = set()
    for c in checks:
        if c.check_id in seen:
            raise OptionError(f"two checks share the id {c.check_id!r}")
        seen.add(c.check_id)
    return AuditResult(tuple(checks))


def coverage(
    result: AuditResult, tables: Mapping[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Data rows that no check references (should be empty).

    Every row of :data:`REQUIRED_TABLES` and every cohort fact of a
    secondary or lay source must appear in some check's ``row_ids``.

    Returns
    -------
    DataFrame
        Columns ``table, row_id, source_id`` of the rows not covered.

    Examples
    --------
    >>> coverage(run_audit()).empty
    True
    """
    tabs = _load_all() if tables is None else tables
    used = {rid for c in result.checks for rid in c.row_ids}
    missing = []
    need: Iterable[tuple[str, pd.DataFrame]] = [(t, tabs[t]) for t in REQUIRED_TABLES]
    coh = tabs["cohorts"]
    need = [*need, ("cohorts", coh[coh["source_kind"].isin(["secondary", "lay"])])]
    for name, frame in need:
        for rid, src in zip(frame["row_id"], frame["source_id"], strict=True):
            if rid not in used:
                missing.append({"table": name, "row_id": rid, "source_id": src})
    return pd.DataFrame(missing, columns=["table", "row_id", "source_id"])

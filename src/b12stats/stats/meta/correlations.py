"""Correlations pooled on the Fisher-z scale: :func:`meta_correlations`, :class:`MetaResult`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12stats._validation import (
    numeric_array,
    validate_params,
)
from b12stats.errors import DataValidationError, OptionError
from b12stats.stats.meta._options import _LABELS, _POOL_OPTIONS, STUDY_COLUMNS, SUMMARY_COLUMNS
from b12stats.stats.meta.rma import RmaFit, rma


@dataclass(frozen=True, eq=False)
class MetaResult:
    """Pooled correlation: an :class:`RmaFit` on Fisher z plus the study data.

    Attributes
    ----------
    fit
        The model on the z scale (``yi = atanh(r)``, ``vi = 1/(n - 3)``).
    r, n
        The pooled correlations and sample sizes.
    labels
        One label per study.
    group
        Name of the pool (e.g. the variable pair), ``"all"`` by default.
    """

    fit: RmaFit
    r: np.ndarray = field(repr=False)
    n: np.ndarray = field(repr=False)
    labels: tuple[str, ...] = field(repr=False)
    group: str = "all"
    extra_notes: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of studies."""
        return self.fit.k

    @property
    def estimate_r(self) -> float:
        """Pooled estimate back-transformed to r (``tanh`` of the pooled z)."""
        return math.tanh(self.fit.estimate)

    @property
    def notes(self) -> tuple[str, ...]:
        """Model notes followed by notes about the pooled rows."""
        return self.fit.notes + self.extra_notes

    def to_frame(self) -> pd.DataFrame:
        """One-row summary on the z scale and back-transformed to r.

        Columns are :data:`SUMMARY_COLUMNS` whatever the options.

        Examples
        --------
        >>> res = meta_correlations([0.3, 0.5, 0.2], [40, 60, 100], method="DL")
        >>> row = res.to_frame().iloc[0]
        >>> int(row["k"]), round(float(row["estimate_r"]), 3), row["method"]
        (3, 0.332, 'DL')
        """
        f = self.fit
        row = {
            "group": self.group,
            "k": f.k,
            "n_total": int(np.sum(self.n)),
            "estimate_z": f.estimate,
            "se_z": f.se,
            "statistic": f.statistic,
            "df": f.df,
            "p_value": f.p_value,
            "ci_low_z": f.ci_low,
            "ci_high_z": f.ci_high,
            "pi_low_z": f.pi_low,
            "pi_high_z": f.pi_high,
            "estimate_r": math.tanh(f.estimate),
            "ci_low_r": math.tanh(f.ci_low),
            "ci_high_r": math.tanh(f.ci_high),
            "pi_low_r": math.tanh(f.pi_low),
            "pi_high_r": math.tanh(f.pi_high),
            "tau2": f.tau2,
            "tau2_ci_low": f.tau2_ci_low,
            "tau2_ci_high": f.tau2_ci_high,
            "tau": f.tau,
            "i2": f.i2,
            "i2_ci_low": f.i2_ci_low,
            "i2_ci_high": f.i2_ci_high,
            "h2": f.h2,
            "h2_ci_low": f.h2_ci_low,
            "h2_ci_high": f.h2_ci_high,
            "q": f.q,
            "q_df": f.q_df,
            "q_p_value": f.q_p_value,
            "method": f.method,
            "test": f.test,
            "conf_level": f.conf_level,
            "note": "; ".join(self.notes),
        }
        return pd.DataFrame([row], columns=list(SUMMARY_COLUMNS))

    def summary(self) -> str:
        """The pool in three lines (k and n; r with its intervals; heterogeneity) and its notes.

        Examples
        --------
        >>> res = meta_correlations([0.3, 0.5, 0.2], [40, 60, 100], method="DL")
        >>> print(res.summary().splitlines()[0])
        all: k = 3, n = 200
        """
        row = self.to_frame().iloc[0]
        level = round(100 * float(row["conf_level"]))
        lines = [
            f"{row['group']}: k = {row['k']}, n = {row['n_total']}",
            f"  r = {_num(row['estimate_r'])} [{level}% CI {_num(row['ci_low_r'])}, "
            f"{_num(row['ci_high_r'])}], prediction interval [{_num(row['pi_low_r'])}, "
            f"{_num(row['pi_high_r'])}]  ({row['method']}, {row['test']})",
            f"  tau2 = {_num(row['tau2'], 4)} [{_num(row['tau2_ci_low'], 4)}, "
            f"{_num(row['tau2_ci_high'], 4)}], I2 = {_num(row['i2'], 1)}%, "
            f"Q = {_num(row['q'], 2)} ({_pval(row['q_p_value'])})",
        ]
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The summary and the study table as HTML (for notebooks)."""
        from b12stats.format import format_table, result_html

        head, *rest = self.summary().splitlines()
        studies = self.studies()[["label", "r", "n", "ci_low_r", "ci_high_r", "weight_pct"]]
        return result_html(head, [line.strip() for line in rest], format_table(studies, 3))

    def studies(self) -> pd.DataFrame:
        """Study-level table: r, n, z, its variance, normal CIs and weights (%).

        Study CIs are ``z ± z_{1-α/2} / sqrt(n - 3)`` (as metafor's forest
        plot); ``weight_pct`` is ``100 w_i / Σ w`` with the model's weights.

        Examples
        --------
        >>> res = meta_correlations([0.3, 0.5], [40, 60], method="EE")
        >>> res.studies()["weight_pct"].round(1).tolist()
        [39.4, 60.6]
        """
        f = self.fit
        crit = float(stats.norm.ppf(0.5 + f.conf_level / 2))
        half = crit * np.sqrt(f.vi)
        return pd.DataFrame(
            {
                "group": self.group,
                "label": list(self.labels),
                "r": self.r,
                "n": self.n,
                "z": f.yi,
                "vi": f.vi,
                "ci_low_z": f.yi - half,
                "ci_high_z": f.yi + half,
                "ci_low_r": np.tanh(f.yi - half),
                "ci_high_r": np.tanh(f.yi + half),
                "weight_pct": f.weights,
            },
            columns=list(STUDY_COLUMNS),
        )


def _check_correlations(
    r: Any, n: Any, labels: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    r_arr = numeric_array("r", r, ndim=(0, 1), error=DataValidationError).ravel()
    n_arr = numeric_array("n", n, ndim=(0, 1), error=DataValidationError).ravel()
    if r_arr.shape != n_arr.shape:
        raise OptionError(f"r and n differ in length ({r_arr.size} vs {n_arr.size})")
    if r_arr.size == 0:
        raise OptionError("nothing to pool: no correlations")
    if labels is None:
        labs = tuple(f"study {i + 1}" for i in range(r_arr.size))
    else:
        labs = tuple(str(x) for x in labels)
        if len(labs) != r_arr.size:
            raise OptionError(f"labels has {len(labs)} entries for {r_arr.size} correlations")
    for i, (ri, ni) in enumerate(zip(r_arr, n_arr, strict=True)):
        where = f"{labs[i]} (position {i})"
        if not np.isfinite(ri):
            raise DataValidationError(f"{where}: r is missing or not finite")
        if not -1.0 < ri < 1.0:
            raise DataValidationError(
                f"{where}: r = {ri:g} must lie strictly between -1 and 1 "
                "(Fisher z is infinite at ±1)"
            )
        if not np.isfinite(ni):
            what = "missing" if np.isnan(ni) else f"not finite ({ni:g})"
            raise DataValidationError(
                f"{where}: n is {what}; a correlation without n cannot be pooled"
            )
        if ni != math.floor(ni) or ni < 4:
            raise DataValidationError(
                f"{where}: n = {ni:g} must be a whole number of at least 4 (variance 1/(n - 3))"
            )
    return r_arr, n_arr, labs


@validate_params({**_POOL_OPTIONS, "labels": _LABELS, "group": ["str"]})
def meta_correlations(
    r: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
    group: str = "all",
) -> MetaResult:
    """Pool correlation coefficients on the Fisher-z scale.

    Each ``r`` becomes ``z = atanh(r)`` with sampling variance ``1/(n - 3)``
    (metafor's ``escalc(measure = "ZCOR")``); the z values are pooled by
    :func:`rma` and the estimate, CI and prediction interval are
    back-transformed with ``tanh`` (metafor's ``transf.ztor``).

    Parameters
    ----------
    r
        Correlations, strictly between -1 and 1.
    n
        Sample sizes, whole numbers of at least 4.
    method, test, conf_level
        See :func:`rma`.
    labels
        Study labels (default ``"study 1"``, ...).
    group
        Name of this pool, carried into the output tables.

    Returns
    -------
    MetaResult

    References
    ----------
    Fisher RA (1921). On the "probable error" of a coefficient of correlation
    deduced from a small sample. *Metron* 1:3-32.
    Viechtbauer W (2010). *J Stat Softw* 36(3). doi:10.18637/jss.v036.i03

    Examples
    --------
    >>> res = meta_correlations([0.36, 0.51, 0.20, 0.31], [90, 40, 67, 100])
    >>> round(res.estimate_r, 3), res.k, res.fit.method
    (0.33, 4, 'REML')
    """
    r_arr, n_arr, labs = _check_correlations(r, n, labels)
    fit = rma(
        np.arctanh(r_arr), 1.0 / (n_arr - 3.0), method=method, test=test, conf_level=conf_level
    )
    return MetaResult(fit=fit, r=r_arr, n=n_arr.astype(int), labels=labs, group=group)


def _pool_subsets(
    r: np.ndarray,
    n: np.ndarray,
    labels: Sequence[str],
    subsets: Iterable[tuple[str, Sequence[int]]],
    *,
    method: str,
    test: str,
    conf_level: float,
) -> Iterator[MetaResult]:
    """:func:`meta_correlations` of the studies of each ``(group, study indices)`` in turn."""
    for group, rows in subsets:
        yield meta_correlations(
            r[rows],
            n[rows],
            method=method,
            test=test,
            conf_level=conf_level,
            labels=[labels[i] for i in rows],
            group=group,
        )


def _num(x: float, d: int = 3) -> str:
    return "NA" if pd.isna(x) else f"{x:.{d}f}"


def _pval(p: float) -> str:
    return "p = NA" if pd.isna(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")

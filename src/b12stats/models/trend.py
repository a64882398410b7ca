"""The quartile trend test: logistic GEE on exposure quartile categories and score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from b12stats._validation import validate_params
from b12stats.errors import DataValidationError, OptionError
from b12stats.models._formula import formula_names
from b12stats.models._formula import terms as formula_terms
from b12stats.models.gee import _COLUMN, _GEE_OPTIONS, fit_gee
from b12stats.models.results import TrendResult

__all__ = ["fit_trend", "milk_quartile"]


def milk_quartile(x: Any) -> pd.Series:
    """Cut ``x`` at its sample quartiles into ordered categories 0, 1, 2, 3.

    The cut points are the type-7 (linear interpolation) sample quartiles, the
    default of R's ``quantile`` and of numpy; intervals are right-closed with the
    minimum included (R ``cut(x, q, include.lowest = TRUE)``; ``pandas.qcut``).
    Missing values stay missing.

    Parameters
    ----------
    x
        Numbers (array-like or Series; a Series keeps its index).

    Returns
    -------
    pandas.Series
        Ordered categorical with categories ``[0, 1, 2, 3]``.

    Raises
    ------
    DataValidationError
        If ``x`` holds a value that is not a number (naming ``x``, or the
        Series' name as the column), or ties make two quartile cut points
        equal (fewer than 4 groups).

    Examples
    --------
    >>> milk_quartile([110, 250, 300, 180, 420, 95, 510, 330]).tolist()
    [0, 1, 2, 1, 3, 0, 3, 2]
    """
    values = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x))
    try:
        values = pd.to_numeric(values, errors="raise").astype(float)
    except (ValueError, TypeError):
        raw = x if isinstance(x, pd.Series) else np.asarray(x, dtype=object)
        bad = [v for v in np.ravel(np.asarray(raw, dtype=object)) if not _is_number(v)]
        got = f"; got {bad[0]!r}" if bad else ""
        if values.name is None:  # the argument itself
            raise DataValidationError(f"x: quartiles need numeric values{got}") from None
        raise DataValidationError(
            f"quartiles need numeric values{got}", column=str(values.name)
        ) from None
    try:
        codes = pd.qcut(values, 4, labels=False)
    except ValueError as exc:
        raise DataValidationError(
            f"cannot cut into 4 quartile groups: quartile cut points are not distinct ({exc})"
        ) from None
    return pd.Series(
        pd.Categorical(codes, categories=[0, 1, 2, 3], ordered=True),
        index=values.index,
        name=values.name,
    )


def _is_number(value: Any) -> bool:
    """Whether :func:`pandas.to_numeric` reads ``value`` (missing values count)."""
    try:
        pd.to_numeric(pd.Series([value], dtype=object), errors="raise")
    except (ValueError, TypeError):
        return False
    return True


def _quartile_edges(x: pd.Series) -> tuple[float, ...]:
    return tuple(
        float(v) for v in np.nanquantile(x.to_numpy(dtype=float), [0, 0.25, 0.5, 0.75, 1])
    )


@validate_params(
    {**_GEE_OPTIONS, "outcome": _COLUMN, "exposure": _COLUMN, "covariates": [None, "str-list"]}
)
def fit_trend(
    data: pd.DataFrame,
    *,
    groups: str,
    outcome: str = "adequate",
    exposure: str = "milk_b12",
    covariates: Sequence[str] | str | None = None,
    cov_struct: str = "exchangeable",
    cov_type: str = "robust",
    conf_level: float = 0.95,
) -> TrendResult:
    """Logistic GEE of adequacy on exposure quartile, with the P-trend.

    Two models on the same rows:

    * categories: ``logit P(outcome) = b0 + sum_{k=1..3} b_k [Q = k] + covariates``
      (odds ratios of quartiles 2-4 against quartile 1);
    * trend: ``logit P(outcome) = c0 + c1 * Q + covariates`` with the quartile as
      a score ``Q = 0, 1, 2, 3``; the P-trend is the Wald P value of ``c1``.

    Quartiles are the sample quartiles of ``exposure`` in the rows that are
    complete for every column the models use (:func:`milk_quartile`).

    Parameters
    ----------
    data
        One row per dyad.
    groups
        Cluster column.
    outcome
        0/1 or boolean column (e.g. infant B12 adequate).
    exposure
        Numeric column to cut into quartiles.
    covariates
        Extra formula terms.
    cov_struct, cov_type, conf_level
        As in :func:`fit_gee`.

    Returns
    -------
    TrendResult

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> cluster = np.repeat(np.arange(60), 5)
    >>> milk = np.exp(rng.normal(np.log(300), 0.5, 300))
    >>> p = 1 / (1 + np.exp(-(-0.5 + 0.8 * np.log(milk / 300))))
    >>> d = pd.DataFrame({"milk_b12": milk, "adequate": rng.binomial(1, p), "c": cluster})
    >>> res = fit_trend(d, groups="c")
    >>> res.categories.coefficients["term"].tolist()[1:]
    ['C(milk_b12_quartile)[T.1]', 'C(milk_b12_quartile)[T.2]', 'C(milk_b12_quartile)[T.3]']
    >>> res.p_trend < 0.05
    True
    """
    qname = f"{exposure}_quartile"
    if qname in data.columns:
        raise OptionError(f"data already has a column {qname!r}; rename it to fit the trend")
    for col in (outcome, exposure, groups):
        if col not in data.columns:
            raise DataValidationError("column not found in the data", column=col)
    terms = formula_terms(covariates)
    # Quartiles of the rows the models will use (complete cases), so that the
    # quartile groups are those of the analysed sample.
    extra: list[str] = []
    for term in terms:
        extra.extend(formula_names(term, term))
    for col in extra:
        if col not in data.columns:
            raise DataValidationError(f"unknown column {col!r} in covariates", column=col)
    used = list(dict.fromkeys([outcome, exposure, groups, *extra]))
    complete = data.loc[~data[used].isna().any(axis=1)].copy()
    if complete.empty:
        raise DataValidationError("no complete rows: every row has a missing value")
    quartile = milk_quartile(complete[exposure])
    complete[qname] = quartile.astype(int)
    rhs = " + ".join(terms)
    tail = f" + {rhs}" if rhs else ""
    common: dict[str, Any] = {
        "groups": groups,
        "family": "binomial",
        "cov_struct": cov_struct,
        "cov_type": cov_type,
        "conf_level": conf_level,
    }
    categories = fit_gee(complete, f"{outcome} ~ C({qname}){tail}", **common)
    trend = fit_gee(complete, f"{outcome} ~ {qname}{tail}", **common)
    row = trend.coefficients.loc[trend.coefficients["term"] == qname]
    return TrendResult(
        categories=categories,
        trend=trend,
        p_trend=float(row["p_value"].iloc[0]),
        quartile_edges=_quartile_edges(complete[exposure].astype(float)),
        quartile_term=f"C({qname})",
        score_term=qname,
    )

"""Results of the GEE fits: tidy coefficients, a readable summary, predictions."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from b12stats.format import format_number, format_p, format_table, result_html
from b12stats.models._options import COEFFICIENT_COLUMNS

__all__ = ["GEEResult", "TrendResult"]


@dataclass(frozen=True)
class GEEResult:
    """A fitted GEE model in tidy form.

    Attributes
    ----------
    coefficients
        One row per term with columns :data:`COEFFICIENT_COLUMNS`: ``estimate``
        (log-odds for the binomial family), ``se``, Wald interval ``ci_low``,
        ``ci_high`` at ``conf_level``, Wald ``statistic`` (z) and two-sided
        ``p_value`` (normal reference), and for the binomial family
        ``odds_ratio = exp(estimate)`` with its interval (NaN otherwise).
    formula, family, cov_struct, cov_type, conf_level
        The model as fitted.
    working_correlation
        The exchangeable correlation ``alpha`` (NaN for independence).
    scale
        The scale ``phi`` (residual variance for the Gaussian family; fixed at 1
        for the binomial family).
    converged
        Whether the GEE iterations met the tolerance.
    n_obs, n_clusters, cluster_size_min, cluster_size_max
        Observations and clusters used.
    n_dropped
        Rows dropped because a column the model uses was missing.
    warnings
        Anything the user should read before trusting the numbers.
    cov_params
        The coefficient covariance matrix of ``cov_type`` (terms as index and
        columns), e.g. for pointwise bands of a fitted line.
    """

    coefficients: pd.DataFrame
    formula: str
    family: str
    cov_struct: str
    cov_type: str
    conf_level: float
    working_correlation: float
    scale: float
    converged: bool
    n_obs: int
    n_clusters: int
    cluster_size_min: int
    cluster_size_max: int
    n_dropped: int
    warnings: tuple[str, ...] = field(default=())
    cov_params: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        """A short description such as ``"GEE binomial/logit, exchangeable, robust SE"``."""
        link = "identity" if self.family == "gaussian" else "logit"
        se = {"robust": "robust", "bias_reduced": "bias-reduced robust", "naive": "naive"}
        return f"GEE {self.family}/{link}, {self.cov_struct}, {se[self.cov_type]} SE"

    def to_frame(self) -> pd.DataFrame:
        """Return the coefficients with the model-level facts as extra columns.

        Columns: :data:`COEFFICIENT_COLUMNS` then ``n, n_clusters,
        working_correlation, converged, method``.
        """
        out = self.coefficients.copy()
        out["n"] = self.n_obs
        out["n_clusters"] = self.n_clusters
        out["working_correlation"] = self.working_correlation
        out["converged"] = self.converged
        out["method"] = self.method
        return out

    def summary(self, source: str | None = None, *, notes: bool = True) -> str:
        """The model, its fit and the coefficient table, as text for reading.

        Parameters
        ----------
        source
            Where the data came from (e.g. a file name), shown on the data line.
        notes
            End with the :attr:`warnings`, one ``warning: ...`` line each (the
            command line prints them to stderr instead).

        Returns
        -------
        str
            A head of four lines (model and formula; observations and clusters;
            working correlation, scale and convergence; the kind of intervals)
            and the coefficients (odds ratios for the binomial family), numbers
            with 5 significant digits and P values by :func:`b12stats.format.format_p`.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from b12stats.models import fit_gee
        >>> rng = np.random.default_rng(0)
        >>> d = pd.DataFrame({"x": rng.normal(size=60), "g": np.repeat(np.arange(12), 5)})
        >>> d["y"] = 1.0 + 0.5 * d["x"] + rng.normal(size=60)
        >>> print(fit_gee(d, "y ~ x", groups="g").summary(notes=False).splitlines()[0])
        GEE gaussian/identity, exchangeable, robust SE: y ~ x
        """
        alpha = (
            "not estimated (independence)"
            if self.cov_struct == "independence"
            else format_number(self.working_correlation)
        )
        data = f"data: {source}; " if source else ""
        dropped = f"; {self.n_dropped} rows dropped (missing values)" if self.n_dropped else ""
        head = [
            f"{self.method}: {self.formula}",
            f"{data}{self.n_obs} observations in {self.n_clusters} clusters "
            f"(size {self.cluster_size_min}-{self.cluster_size_max}){dropped}",
            f"working correlation: {alpha}; scale: {format_number(self.scale, 5)}; "
            f"converged: {'yes' if self.converged else 'NO'}",
            f"Wald {format_number(100 * self.conf_level)}% intervals and two-sided P values "
            "(normal reference)",
            "",
        ]
        table = self._display_table().to_string(index=False)
        tail = [f"warning: {w}" for w in self.warnings] if notes else []
        return "\n".join([*head, table, *tail])

    def _display_table(self) -> pd.DataFrame:
        """The coefficient columns worth reading, formatted as text."""
        columns = ["term", "estimate", "se", "ci_low", "ci_high", "statistic", "p_value"]
        if self.family == "binomial":
            columns += ["odds_ratio", "or_ci_low", "or_ci_high"]
        return format_table(self.coefficients[columns], digits=5)

    def _repr_html_(self) -> str:
        """The summary as HTML (for notebooks)."""
        return result_html(
            f"{self.method}: {self.formula}",
            [
                f"{self.n_obs} observations in {self.n_clusters} clusters; working "
                f"correlation {format_number(self.working_correlation)}; converged: "
                f"{'yes' if self.converged else 'no'}",
                *(f"warning: {w}" for w in self.warnings),
            ],
            self._display_table(),
        )

    # predict(): helper G (report) -- one self-contained block
    def predict(self, exog: Any, *, conf_level: float | None = None) -> pd.DataFrame:
        """Linear predictor at new covariate values, with a pointwise Wald band.

        With coefficients ``b`` and their covariance ``V`` (:attr:`cov_params`, of
        :attr:`cov_type`), the prediction at a row ``x`` of the design matrix is
        ``eta = x b`` with ``se = sqrt(x V x')`` and the interval
        ``eta ± z se``, ``z`` the normal quantile of ``conf_level`` (default: the
        fit's). On the link scale: apply ``exp`` for a log-scale outcome or the
        inverse logit for the binomial family to the three columns.

        Parameters
        ----------
        exog
            A DataFrame (or mapping of arrays) with one column per term of
            :attr:`coefficients` (``"Intercept"`` may be left out: it is 1).

        Returns
        -------
        pandas.DataFrame
            Columns ``estimate, se, ci_low, ci_high``, one row per row of ``exog``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> d = pd.DataFrame({"x": rng.normal(size=60), "g": np.repeat(np.arange(12), 5)})
        >>> d["y"] = 1.0 + 0.5 * d["x"] + rng.normal(size=60)
        >>> from b12stats.models import fit_gee
        >>> res = fit_gee(d, "y ~ x", groups="g")
        >>> p = res.predict({"x": [0.0]})
        >>> bool(np.isclose(p["estimate"].iloc[0], res.coefficients["estimate"].iloc[0]))
        True
        """
        from scipy import stats as _st

        from b12stats.errors import OptionError

        if self.cov_params is None:
            raise OptionError("this fit has no coefficient covariance: cannot predict a band")
        level = self.conf_level if conf_level is None else float(conf_level)
        if not 0.0 < level < 1.0:
            raise OptionError(f"conf_level must be in (0, 1), got {conf_level!r}")
        frame = pd.DataFrame(exog)
        terms = [str(t) for t in self.coefficients["term"]]
        if "Intercept" in terms and "Intercept" not in frame.columns:
            frame = frame.assign(Intercept=1.0)
        missing = [t for t in terms if t not in frame.columns]
        if missing:
            raise OptionError(f"exog is missing terms: {', '.join(missing)}")
        x = frame[terms].to_numpy(dtype=float)
        beta = self.coefficients["estimate"].to_numpy(dtype=float)
        cov = self.cov_params.loc[terms, terms].to_numpy(dtype=float)
        eta = x @ beta
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", x, cov, x), 0.0))
        z = float(_st.norm.ppf(0.5 + level / 2.0))
        return pd.DataFrame(
            {"estimate": eta, "se": se, "ci_low": eta - z * se, "ci_high": eta + z * se},
            index=frame.index,
        )


@dataclass(frozen=True)
class TrendResult:
    """Quartile-category and trend-score logistic GEE fits, returned together.

    Attributes
    ----------
    categories
        The model with the quartile as categories (Q1 = reference).
    trend
        The model with the quartile as a 0-3 score.
    p_trend
        Wald P value of the score term in ``trend``.
    quartile_edges
        The 5 sample-quartile cut points (min, Q1, median, Q3, max) of the exposure.
    quartile_term, score_term
        Names of the quartile variable in the two formulas.
    """

    categories: GEEResult
    trend: GEEResult
    p_trend: float
    quartile_edges: tuple[float, ...]
    quartile_term: str
    score_term: str

    def to_frame(self) -> pd.DataFrame:
        """Both models stacked, with a first column ``model`` (``quartile`` / ``trend``)."""
        parts = []
        for name, res in (("quartile", self.categories), ("trend", self.trend)):
            frame = res.to_frame()
            frame.insert(0, "model", name)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    def summary(self, source: str | None = None) -> str:
        """Both models' summaries and the P-trend, as text (see :meth:`GEEResult.summary`)."""
        return "\n\n".join(
            [
                f"P-trend ({self.score_term} as a 0-3 score): {format_p(self.p_trend)}",
                "Quartile categories (Q1 = reference)\n" + self.categories.summary(source),
                "Trend score\n" + self.trend.summary(source),
            ]
        )

    def _repr_html_(self) -> str:
        """Both models as HTML (for notebooks)."""
        return (
            f"<p>P-trend ({html.escape(self.score_term)}): {format_p(self.p_trend)}</p>"
            + self.categories._repr_html_()
            + self.trend._repr_html_()
        )


def _tidy(
    names: Sequence[str], est: np.ndarray, se: np.ndarray, family: str, conf_level: float
) -> pd.DataFrame:
    from scipy import stats

    z_crit = float(stats.norm.ppf(0.5 + conf_level / 2))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        statistic = est / se
        p_value = 2 * stats.norm.sf(np.abs(statistic))
        lo, hi = est - z_crit * se, est + z_crit * se
        if family == "binomial":
            odds = (np.exp(est), np.exp(lo), np.exp(hi))
        else:
            nan = np.full(len(est), np.nan)
            odds = (nan, nan, nan)
    frame = pd.DataFrame(
        {
            "term": list(names),
            "estimate": est,
            "se": se,
            "ci_low": lo,
            "ci_high": hi,
            "statistic": statistic,
            "p_value": p_value,
            "odds_ratio": odds[0],
            "or_ci_low": odds[1],
            "or_ci_high": odds[2],
        }
    )
    return frame.loc[:, list(COEFFICIENT_COLUMNS)]

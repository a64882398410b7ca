"""Results of the power simulations: the power table, and the smallest n reaching a target."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from b12stats._validation import UNIT_OPEN, check_params
from b12stats.format import format_table, result_html

__all__ = ["SAMPLE_SIZE_MCSE_BOUND", "PowerResult", "SampleSizeResult", "smallest_n"]


@dataclass(frozen=True)
class SampleSizeResult:
    """Smallest number of dyads reaching a target power (:func:`sample_size`, :func:`smallest_n`).

    Attributes
    ----------
    n_dyads, n_clusters : int or None
        The smallest evaluated ``n_dyads`` whose simulated power reaches
        ``target_power`` (None if none does), and its clusters.
    power, power_mcse : float
        Simulated power there and its Monte Carlo SE.
    n_dyads_low, n_dyads_high : int or None
        Monte Carlo uncertainty of the answer: the smallest evaluated n whose
        power's upper bound ``power + 2 MCSE`` reaches the target, and the
        smallest whose lower bound ``power - 2 MCSE`` does (None if none).
    target_power : float
    search : str
        ``"grid"`` or ``"bisection"``.
    curve : pandas.DataFrame
        Every evaluated scenario (rows of :func:`power`), sorted by ``n_dyads``.
    """

    n_dyads: int | None
    n_clusters: int | None
    power: float
    power_mcse: float
    n_dyads_low: int | None
    n_dyads_high: int | None
    target_power: float
    search: str
    curve: pd.DataFrame

    @property
    def reached(self) -> bool:
        """Whether some evaluated n reached the target."""
        return self.n_dyads is not None

    def to_frame(self) -> pd.DataFrame:
        """One-row table: the answer, its MC uncertainty, and how it was found."""
        first = self.curve.iloc[0] if len(self.curve) else None
        return pd.DataFrame(
            [
                {
                    "target_power": self.target_power,
                    "n_dyads": self.n_dyads,
                    "n_clusters": self.n_clusters,
                    "power": self.power,
                    "power_mcse": self.power_mcse,
                    "n_dyads_low": self.n_dyads_low,
                    "n_dyads_high": self.n_dyads_high,
                    "reached": self.reached,
                    "search": self.search,
                    "reps": None if first is None else int(first["reps"]),
                    "seed": None if first is None else int(first["seed"]),
                    "method": None if first is None else first["method"],
                }
            ]
        )

    def summary(self) -> str:
        """The answer and its Monte Carlo range in one line.

        Examples
        --------
        >>> curve = pd.DataFrame({"n_dyads": [100, 200, 300], "n_clusters": [20, 40, 60],
        ...                       "power": [0.55, 0.79, 0.93], "power_mcse": [0.02, 0.02, 0.01]})
        >>> print(smallest_n(curve, 0.8).summary().replace("; ", ";\\n"))
        smallest n reaching power 0.8: 300 dyads in 60 clusters (power 0.930, MC SE 0.010);
        within 2 MC SE: 200 to 300 dyads
        >>> print(smallest_n(curve, 0.5).summary().replace(": ", ":\\n", 1))
        the smallest n evaluated already reaches power 0.5:
        100 dyads in 20 clusters (power 0.550, MC SE 0.020); search below it for the smallest
        """
        if not self.reached:
            return f"no scenario reaches power {self.target_power:g}"

        def n(value: int | None) -> str:
            return "none evaluated" if value is None else str(value)

        if len(self.curve) and self.n_dyads <= int(self.curve["n_dyads"].min()):
            # the answer is the lower end of what was evaluated: the true smallest
            # n may lie below it, so say so rather than call it the smallest
            return (
                f"the smallest n evaluated already reaches power {self.target_power:g}: "
                f"{self.n_dyads} dyads in {self.n_clusters} clusters (power {self.power:.3f}, "
                f"MC SE {self.power_mcse:.3f}); search below it for the smallest"
            )
        return (
            f"smallest n reaching power {self.target_power:g}: {self.n_dyads} dyads in "
            f"{self.n_clusters} clusters (power {self.power:.3f}, MC SE {self.power_mcse:.3f}); "
            f"within {SAMPLE_SIZE_MCSE_BOUND:g} MC SE: {n(self.n_dyads_low)} to "
            f"{n(self.n_dyads_high)} dyads"
        )

    def _repr_html_(self) -> str:
        """The summary and the evaluated curve as HTML (for notebooks)."""
        columns = ["n_dyads", "n_clusters", "power", "power_mcse"]
        return result_html(self.summary(), [], format_table(self.curve[columns], 4))


#: Monte Carlo bounds used by :class:`SampleSizeResult`: power +- this many MCSEs.
SAMPLE_SIZE_MCSE_BOUND = 2.0


def _first_reaching(curve: pd.DataFrame, values: Iterable[float], target: float) -> int | None:
    hit = [int(n) for n, v in zip(curve["n_dyads"], values, strict=True) if v >= target]
    return min(hit) if hit else None


def smallest_n(
    curve: pd.DataFrame, target_power: float, *, search: str = "grid"
) -> SampleSizeResult:
    """The smallest evaluated number of dyads whose simulated power reaches the target.

    Rows are taken in order of ``n_dyads``, then ``n_clusters``; the answer is
    the first row with ``power >= target_power``. Its Monte Carlo range
    (``n_dyads_low``, ``n_dyads_high``) is the smallest ``n_dyads`` whose
    ``power + SAMPLE_SIZE_MCSE_BOUND * power_mcse`` reaches the target, and the
    smallest whose ``power - SAMPLE_SIZE_MCSE_BOUND * power_mcse`` does.

    Parameters
    ----------
    curve
        Rows of :func:`b12stats.power.power` (at least ``n_dyads, n_clusters,
        power, power_mcse``).
    target_power
        In (0, 1).
    search
        How the curve was evaluated (reported in the result).

    Returns
    -------
    SampleSizeResult
    """
    check_params(target_power=target_power, constraints={"target_power": [UNIT_OPEN]})
    curve = curve.sort_values(["n_dyads", "n_clusters"], kind="stable").reset_index(drop=True)
    pw = curve["power"].to_numpy(dtype=float)
    mcse = curve["power_mcse"].to_numpy(dtype=float)
    hits = np.flatnonzero(pw >= target_power)
    best = None if hits.size == 0 else curve.iloc[int(hits[0])]
    k = SAMPLE_SIZE_MCSE_BOUND
    return SampleSizeResult(
        n_dyads=None if best is None else int(best["n_dyads"]),
        n_clusters=None if best is None else int(best["n_clusters"]),
        power=math.nan if best is None else float(best["power"]),
        power_mcse=math.nan if best is None else float(best["power_mcse"]),
        n_dyads_low=_first_reaching(curve, pw + k * mcse, target_power),
        n_dyads_high=_first_reaching(curve, pw - k * mcse, target_power),
        target_power=float(target_power),
        search=search,
        curve=curve,
    )


@dataclass(frozen=True)
class PowerResult:
    """A power table (rows of :func:`b12stats.power.power`) for reading.

    Attributes
    ----------
    table
        One row per scenario, columns :data:`b12stats.power.COLUMNS`.
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def sample_size(self, target_power: float) -> SampleSizeResult:
        """The smallest scenario reaching ``target_power``, with its MC range.

        See :func:`smallest_n`.
        """
        return smallest_n(self.table, target_power)

    def summary(self, target_power: float | None = None) -> str:
        """The scenarios (numbers to 4 significant digits), the method, and, with
        ``target_power``, the smallest n reaching it (:meth:`sample_size`); the
        lines after the table start with ``#``."""
        with pd.option_context("display.width", 200, "display.max_columns", None):
            lines = [self._shown().to_string(index=False, float_format=lambda v: f"{v:.4g}")]
        lines.append(f"# {self._method_line()}")
        if target_power is not None:
            lines.append("# " + self.sample_size(target_power).summary())
        return "\n".join(lines)

    def _shown(self) -> pd.DataFrame:
        return self.table.drop(columns=["method", "design", "alpha", "seed"])

    def _method_line(self) -> str:
        first = self.table.iloc[0]
        return f"{first['method']}; alpha {first['alpha']:g}; seed {first['seed']}"

    def _repr_html_(self) -> str:
        """The table as HTML (for notebooks)."""
        title = f"Simulated power: {self.table['design'].iloc[0]}"
        return result_html(title, [self._method_line()], format_table(self._shown(), 4))

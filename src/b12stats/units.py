"""Convert vitamin B12 concentrations between mass and molar units.

Published B12 concentrations come in pmol/L (most nutrition papers), pg/mL
(= ng/L, clinical assays) and µg/L (the milk value behind the Adequate Intake).
Mass and molar units are related through the molar mass of cyanocobalamin,
the form assays are calibrated against:

.. math::

    c_{\\mathrm{pmol/L}} = c_{\\mathrm{ng/L}} \\cdot \\frac{1000}{M}, \\qquad
    M = 1355.4\\ \\mathrm{g/mol}

so 1 pg/mL = 1 ng/L = 0.7378 pmol/L and 1 µg/L = 737.8 pmol/L.

The molar mass is read from the bundled ``reference_values`` table (its
one row of role ``molar_mass_conversion``, with its source), the first time a
factor is needed: the number lives in ``data/``, not here.

References
----------
PubChem Compound Summary for CID 5311498, Cyanocobalamin (C63H88CoN14O14P,
molar mass 1355.4 g/mol), as recorded in ``reference_values``.
"""

from __future__ import annotations

import functools
from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from b12stats._validation import numeric_array
from b12stats.errors import DataValidationError, OptionError

__all__ = ["UNIT_NAMES", "convert", "cyanocobalamin_molar_mass", "to_pmol_per_l", "unit_factors"]

#: The concentration units b12stats converts between.
UNIT_NAMES = ("pmol/L", "nmol/L", "pg/mL", "ng/L", "µg/L")
#: Role of the ``reference_values`` row that holds the molar mass (g/mol).
MOLAR_MASS_ROLE = "molar_mass_conversion"
_ALIASES = {"ug/L": "µg/L", "μg/L": "µg/L", "pmol/l": "pmol/L", "pg/ml": "pg/mL"}


@functools.cache
def cyanocobalamin_molar_mass() -> float:
    """Molar mass of cyanocobalamin in g/mol, from the bundled ``reference_values``.

    Raises
    ------
    DataValidationError
        The table does not have exactly one row of role ``molar_mass_conversion``.

    Examples
    --------
    >>> cyanocobalamin_molar_mass()
    1355.4
    """
    from b12stats.data import load_reference_values

    ref = load_reference_values()
    rows = ref[ref["role"] == MOLAR_MASS_ROLE]
    if len(rows) != 1:
        raise DataValidationError(
            f"reference_values: expected one row of role {MOLAR_MASS_ROLE!r} (the molar mass "
            f"of cyanocobalamin, g/mol), found {len(rows)}"
        )
    return float(rows.iloc[0]["value"])


@functools.cache
def _factors() -> dict[str, float]:
    m = cyanocobalamin_molar_mass()
    return {
        "pmol/L": 1.0,
        "nmol/L": 1000.0,
        "pg/mL": 1000.0 / m,
        "ng/L": 1000.0 / m,
        "µg/L": 1.0e6 / m,
    }


def unit_factors() -> dict[str, float]:
    """pmol/L per unit of :data:`UNIT_NAMES`; mass units by :func:`cyanocobalamin_molar_mass`.

    Examples
    --------
    >>> {u: round(f, 4) for u, f in unit_factors().items()}
    {'pmol/L': 1.0, 'nmol/L': 1000.0, 'pg/mL': 0.7378, 'ng/L': 0.7378, 'µg/L': 737.7896}
    """
    return dict(_factors())


def _factor(unit: str) -> float:
    unit = _ALIASES.get(unit, unit)
    if unit not in UNIT_NAMES:
        raise OptionError(
            f"unknown concentration unit {unit!r}; expected one of: {', '.join(UNIT_NAMES)}"
        )
    return _factors()[unit]


@overload
def convert(value: float, from_unit: str, to_unit: str) -> float: ...
@overload
def convert(value: ArrayLike, from_unit: str, to_unit: str) -> NDArray[np.float64] | float: ...
def convert(value: ArrayLike, from_unit: str, to_unit: str) -> NDArray[np.float64] | float:
    """Convert a B12 concentration from one unit to another.

    Parameters
    ----------
    value
        Concentration(s); must be numbers >= 0 (NaN, a missing value, stays NaN).

    Raises
    ------
    OptionError
        For a value that is not a number or is negative, or an unknown unit.
    from_unit, to_unit
        One of ``pmol/L, nmol/L, pg/mL, ng/L, µg/L`` (``ug/L`` accepted).

    Examples
    --------
    >>> round(convert(1, "pg/mL", "pmol/L"), 4)
    0.7378
    >>> round(convert(0.42, "µg/L", "pmol/L"), 1)
    309.9
    """
    arr = numeric_array("value", value)
    if np.any(arr < 0):
        raise OptionError(f"value must be concentrations >= 0; got {arr[arr < 0].flat[0]:g}")
    out = arr * (_factor(from_unit) / _factor(to_unit))
    return float(out) if out.ndim == 0 else out


def to_pmol_per_l(value: ArrayLike, unit: str) -> NDArray[np.float64] | float:
    """Convert a concentration to pmol/L (see :func:`convert`).

    Examples
    --------
    >>> round(to_pmol_per_l(512, "pg/mL"), 1)
    377.7
    """
    return convert(value, unit, "pmol/L")

"""Convert vitamin B12 concentrations between mass and molar units.

Published B12 concentrations come in pmol/L (most nutrition papers), pg/mL
(= ng/L, clinical assays) and µg/L (the milk value behind the Adequate Intake).
Mass and molar units are related through the molar mass of cyanocobalamin,
the form assays are calibrated against:

.. math::

    c_{\\mathrm{pmol/L}} = c_{\\mathrm{ng/L}} \\cdot \\frac{1000}{M}, \\qquad
    M = 1355.4\\ \\mathrm{g/mol}

so 1 pg/mL = 1 ng/L = 0.7378 pmol/L and 1 µg/L = 737.8 pmol/L.

References
----------
PubChem Compound Summary for CID 5311498, Cyanocobalamin (C63H88CoN14O14P,
molar mass 1355.4 g/mol). The bundled ``reference_values`` table records it
(role ``molar_mass_conversion``).
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from b12stats._validation import numeric_array
from b12stats.errors import OptionError

__all__ = ["MOLAR_MASS_CYANOCOBALAMIN", "UNITS", "convert", "to_pmol_per_l"]

#: g/mol, PubChem CID 5311498 (printed to 1 decimal).
MOLAR_MASS_CYANOCOBALAMIN = 1355.4

#: pmol/L per unit, for every concentration unit b12stats knows.
UNITS: dict[str, float] = {
    "pmol/L": 1.0,
    "nmol/L": 1000.0,
    "pg/mL": 1000.0 / MOLAR_MASS_CYANOCOBALAMIN,
    "ng/L": 1000.0 / MOLAR_MASS_CYANOCOBALAMIN,
    "µg/L": 1.0e6 / MOLAR_MASS_CYANOCOBALAMIN,
}
_ALIASES = {"ug/L": "µg/L", "μg/L": "µg/L", "pmol/l": "pmol/L", "pg/ml": "pg/mL"}


def _factor(unit: str) -> float:
    unit = _ALIASES.get(unit, unit)
    if unit not in UNITS:
        raise OptionError(
            f"unknown concentration unit {unit!r}; expected one of: {', '.join(UNITS)}"
        )
    return UNITS[unit]


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

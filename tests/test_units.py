"""Unit conversions against values worked by hand from the molar mass 1355.4 g/mol."""

import numpy as np
import pandas as pd
import pytest

from b12stats import units
from b12stats.data import load_reference_values
from b12stats.errors import OptionError

# Hand computation: 1 pg/mL = 1 ng/L = 1e-9 g/L; divided by 1355.4 g/mol
# = 7.3779e-13 mol/L = 0.73779 pmol/L.
PG_PER_ML_IN_PMOL = 1000 / 1355.4
CLOSED_FORM_RTOL = 1e-12  # exact arithmetic; only floating-point rounding


def test_molar_mass_matches_the_bundled_reference_value() -> None:
    ref = load_reference_values().set_index("row_id").loc["molar_mass", "value"]
    assert units.cyanocobalamin_molar_mass() == ref


@pytest.mark.parametrize(
    ("value", "unit", "pmol"),
    [
        (1.0, "pg/mL", 0.737789582411096),  # 1000 / 1355.4
        (1.0, "ng/L", 0.737789582411096),
        (1.0, "µg/L", 737.789582411096),
        (0.42, "µg/L", 309.8716246126603),  # the milk level behind the AI: "about 310 pmol/L"
        (512.0, "pg/mL", 377.7482661944813),  # Punjab infants' mean, 512 pg/mL
        (2.5, "nmol/L", 2500.0),
        (276.0, "pmol/L", 276.0),
    ],
)
def test_to_pmol_per_l(value: float, unit: str, pmol: float) -> None:
    np.testing.assert_allclose(units.to_pmol_per_l(value, unit), pmol, rtol=CLOSED_FORM_RTOL)


def test_printed_conversion_factors_of_the_literature() -> None:
    # literature.md prints 1 pg/mL = 0.7378 pmol/L and 1 µg/L = 737.8 pmol/L (4 significant digits)
    np.testing.assert_allclose(units.convert(1, "pg/mL", "pmol/L"), 0.7378, atol=0.5e-4)
    np.testing.assert_allclose(units.convert(1, "µg/L", "pmol/L"), 737.8, atol=0.05)


def test_round_trip_and_arrays() -> None:
    x = np.array([0.0, 61.0, 113.0, 199.0])
    back = units.convert(units.convert(x, "pmol/L", "pg/mL"), "pg/mL", "pmol/L")
    np.testing.assert_allclose(back, x, rtol=CLOSED_FORM_RTOL)
    np.testing.assert_allclose(units.convert(x, "pmol/L", "pg/mL"), x / PG_PER_ML_IN_PMOL)


def test_bad_units_and_negative_values() -> None:
    with pytest.raises(OptionError, match="unknown concentration unit 'mg/dL'"):
        units.to_pmol_per_l(1.0, "mg/dL")
    with pytest.raises(OptionError, match=">= 0"):
        units.to_pmol_per_l(-1.0, "pmol/L")


@pytest.mark.parametrize("copies", [0, 2])
def test_molar_mass_needs_exactly_one_row(monkeypatch: pytest.MonkeyPatch, copies: int) -> None:
    from b12stats import data
    from b12stats.errors import DataValidationError

    ref = load_reference_values()
    row = ref[ref["role"] == units.MOLAR_MASS_ROLE]
    other = ref[ref["role"] != units.MOLAR_MASS_ROLE]
    monkeypatch.setattr(data, "load_reference_values", lambda: pd.concat([other] + [row] * copies))
    units.cyanocobalamin_molar_mass.cache_clear()
    try:
        with pytest.raises(DataValidationError, match=f"found {copies}$"):
            units.cyanocobalamin_molar_mass()
    finally:
        units.cyanocobalamin_molar_mass.cache_clear()

"""Tests for b12stats.stats.printed: decimals, rounding intervals, printed P and numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from b12stats.errors import OptionError
from b12stats.stats.printed import (
    PrintedP,
    decimals,
    parse_number,
    parse_p,
    rounding_interval,
)

# rounding intervals are computed in decimal arithmetic, so the ends are the
# nearest doubles of the exact decimal ends: compare to 1 ulp-ish
EXACT = 1e-15


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.003", 3), ("17.0", 1), ("276", 0), ("2.03x", 2), ("34.4%", 1), ("P = 0·027", 3)],
)
def test_decimals(text: str, expected: int) -> None:
    assert decimals(text) == expected


def test_decimals_rejects_no_number() -> None:
    with pytest.raises(OptionError, match="no number"):
        decimals("none")


def test_rounding_interval_by_hand() -> None:
    # 0.27 printed to 2 decimals: every value in [0.265, 0.275]
    assert_allclose(rounding_interval(0.27, 2), (0.265, 0.275), rtol=EXACT)
    assert rounding_interval(276, 0) == (275.5, 276.5)
    # exact decimal ends (no 0.024999...): needed for ties at the boundary
    assert rounding_interval(0.03, 2) == (0.025, 0.035)
    with pytest.raises(OptionError, match="decimals"):
        rounding_interval(1.0, -1)


@pytest.mark.parametrize(
    ("text", "relation", "value", "dec", "interval"),
    [
        ("P < 0.001", "<", 0.001, 3, (0.0, 0.001)),
        ("p=0.27", "=", 0.27, 2, (0.265, 0.275)),
        ("P-trend = 0.03", "=", 0.03, 2, (0.025, 0.035)),
        ("p<0.05", "<", 0.05, 2, (0.0, 0.05)),
        ("P < 0.0005", "<", 0.0005, 4, (0.0, 0.0005)),
        ("P ≤ 0.01", "<=", 0.01, 2, (0.0, 0.01)),
        ("p > 0.2", ">", 0.2, 1, (0.2, 1.0)),
        ("0.003", "=", 0.003, 3, (0.0025, 0.0035)),
        ("P = 0·025", "=", 0.025, 3, (0.0245, 0.0255)),
        ("P for interaction = 0.04", "=", 0.04, 2, (0.035, 0.045)),
        # "= 0.00" rounds from [0, 0.005): clipped at 0
        ("P = 0.00", "=", 0.0, 2, (0.0, 0.005)),
        ("P = 1.0", "=", 1.0, 1, (0.95, 1.0)),
    ],
)
def test_parse_p(
    text: str, relation: str, value: float, dec: int, interval: tuple[float, float]
) -> None:
    p = parse_p(text)
    assert (p.relation, p.decimals) == (relation, dec)
    assert_allclose(p.value, value, rtol=EXACT)
    assert_allclose(p.interval(), interval, rtol=EXACT, atol=EXACT)


def test_parse_p_ns_is_greater_than_005() -> None:
    # documented choice: "NS" means P > 0.05
    p = parse_p("NS")
    assert (p.relation, p.value) == (">", 0.05)
    assert parse_p("n.s.").relation == ">"


def test_printed_p_bounds_open_and_closed() -> None:
    assert not parse_p("P < 0.05").contains(0.05)
    assert parse_p("P <= 0.05").contains(0.05)
    assert parse_p("P = 0.03").contains(0.025)  # rounding intervals are closed
    assert not parse_p("P = 0.03").contains(0.0249)
    assert parse_p("P > 0.05").intersects(0.01, 0.06)
    assert not parse_p("P > 0.05").intersects(0.01, 0.05)


@pytest.mark.parametrize("bad", ["p = abc", "P < 1.5", "", "r = 0.3 p", "P = -0.1"])
def test_parse_p_rejects_with_text(bad: str) -> None:
    with pytest.raises(OptionError) as err:
        parse_p(bad)
    assert repr(bad) in str(err.value) or "outside" in str(err.value)


def test_parse_p_rejects_non_string() -> None:
    with pytest.raises(OptionError, match="string"):
        parse_p(0.05)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value", "dec", "qualifier", "unit", "label"),
    [
        ("r = 0.36", 0.36, 2, None, None, "r"),
        ("2.03x", 2.03, 2, None, "x", None),
        ("2.03×", 2.03, 2, None, "x", None),
        ("2.5-fold", 2.5, 1, None, "x", None),
        ("34.4%", 34.4, 1, None, "%", None),
        ("approximately one-third", 1 / 3, None, "approximately", None, None),
        ("nearly half", 0.5, None, "nearly", None, None),
        ("about 27%", 27.0, 0, "about", "%", None),
        ("over 90%", 90.0, 0, "over", "%", None),
        ("two-thirds", 2 / 3, None, None, None, None),
        ("one-quarter", 0.25, None, None, None, None),
        ("-0.12", -0.12, 2, None, None, None),
        ("r=0·659", 0.659, 3, None, None, "r"),
    ],
)
def test_parse_number(
    text: str,
    value: float,
    dec: int | None,
    qualifier: str | None,
    unit: str | None,
    label: str | None,
) -> None:
    num = parse_number(text)
    assert_allclose(num.value, value, rtol=EXACT)
    assert (num.decimals, num.qualifier, num.unit, num.label) == (dec, qualifier, unit, label)


def test_number_intervals() -> None:
    assert_allclose(parse_number("34.4%").interval(), (34.35, 34.45), rtol=EXACT)
    # documented choice: approximately x -> x (1 ± rel_tol), rel_tol = 0.1 by default
    assert_allclose(
        parse_number("approximately one-third").interval(), (0.3, 1 / 3 * 1.1), rtol=1e-12
    )
    assert_allclose(
        parse_number("approximately one-third").interval(rel_tol=0.05),
        (1 / 3 * 0.95, 1 / 3 * 1.05),
        rtol=1e-12,
    )
    lo, hi = parse_number("nearly half").interval()
    assert_allclose((lo, hi), (0.45, 0.5), rtol=1e-12)
    lo, hi = parse_number("over 90%").interval()
    assert lo == 89.5 and math.isinf(hi)
    with pytest.raises(OptionError, match="rel_tol"):
        parse_number("half").interval(rel_tol=1.5)


@pytest.mark.parametrize("bad", ["lots", "approximately many", "3 apples", ""])
def test_parse_number_rejects_naming_text(bad: str) -> None:
    with pytest.raises(OptionError, match="cannot read a number"):
        parse_number(bad)


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(min_value=0.0, max_value=1000.0, allow_nan=False),
    d=st.integers(min_value=0, max_value=4),
)
def test_printed_number_interval_contains_true_value(x: float, d: int) -> None:
    # round trip: a true value printed with d decimals lies in the printed interval
    text = f"{x:.{d}f}"
    num = parse_number(text)
    assert num.decimals == d
    lo, hi = num.interval()
    assert lo - 1e-9 <= x <= hi + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(min_value=1e-6, max_value=1.0, allow_nan=False),
    d=st.integers(min_value=1, max_value=5),
)
def test_printed_p_contains_true_p(p: float, d: int) -> None:
    printed: PrintedP = parse_p(f"P = {p:.{d}f}")
    lo, hi = printed.interval()
    assert lo - 1e-12 <= p <= hi + 1e-12

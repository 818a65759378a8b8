"""Half-up rounding to the cent, minor units and the largest-remainder split (pricing.money)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.money import allocate, from_minor, round_money, to_minor

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.125", "0.13"),
        ("0.135", "0.14"),
        ("0.1249999", "0.12"),
        ("2.675", "2.68"),
        ("-0.125", "-0.13"),
        ("7", "7.00"),
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
    ],
)
def test_round_money_rounds_half_up_to_the_cent(amount, rounded) -> None:
    assert str(round_money(Decimal(amount))) == rounded


@pytest.mark.parametrize(
    ("amount", "exponent", "units"),
    [
        ("12.34", 2, 1234),
        ("12.340", 2, 1234),
        ("12", 2, 1200),
        ("-0.01", 2, -1),
        ("0", 2, 0),
        ("1E+3", 2, 100000),
        ("1234", 0, 1234),
        ("1.234", 3, 1234),
        ("99999999999999999999999999999999.99", 2, 9999999999999999999999999999999999),
    ],
)
def test_to_minor_is_exact(amount, exponent, units) -> None:
    assert to_minor(Decimal(amount), exponent) == units


@pytest.mark.parametrize(
    ("amount", "exponent"), [("12.345", 2), ("0.001", 2), ("1.5", 0), ("NaN", 2), ("Inf", 2)]
)
def test_to_minor_refuses_what_is_not_a_whole_number_of_minor_units(amount, exponent) -> None:
    with pytest.raises(ValueError):
        to_minor(Decimal(amount), exponent)


def test_minor_units_refuse_a_negative_exponent() -> None:
    with pytest.raises(ValueError):
        to_minor(Decimal("1"), -1)
    with pytest.raises(ValueError):
        from_minor(1, -1)


def test_from_minor_gives_the_places_of_the_exponent() -> None:
    assert str(from_minor(1234)) == "12.34"
    assert str(from_minor(-5)) == "-0.05"
    assert str(from_minor(0)) == "0.00"
    assert str(from_minor(7, 0)) == "7"


@pytest.mark.parametrize(
    ("amount", "weights", "shares"),
    [
        ("10.00", ["30.00", "10.00"], ["7.50", "2.50"]),
        ("0.10", ["1.00", "1.00", "1.00"], ["0.04", "0.03", "0.03"]),  # ties: the earlier first
        ("0.02", ["1.00", "1.00", "1.00"], ["0.01", "0.01", "0.00"]),
        ("1.00", ["0.01", "3.32", "6.67"], ["0.00", "0.33", "0.67"]),  # the largest remainder
        ("5.00", ["0.00", "5.00"], ["0.00", "5.00"]),
        ("0.00", ["0.00", "0.00"], ["0.00", "0.00"]),
        ("0.00", [], []),
    ],
)
def test_allocate_by_the_largest_remainder(amount, weights, shares) -> None:
    assert allocate(Decimal(amount), [Decimal(w) for w in weights]) == [Decimal(s) for s in shares]


@pytest.mark.parametrize(
    ("amount", "weights"),
    [("1.00", ["0.00"]), ("1.00", []), ("-1.00", ["1.00"]), ("1.00", ["-1.00", "3.00"])],
)
def test_allocate_refuses_what_cannot_be_split(amount, weights) -> None:
    with pytest.raises(ValueError):
        allocate(Decimal(amount), [Decimal(w) for w in weights])


cents = st.integers(min_value=0, max_value=10**9)


@PROPERTY
@given(
    units=st.integers(min_value=-(10**30), max_value=10**30), exponent=st.integers(min_value=0, max_value=6)
)
def test_to_minor_and_from_minor_are_exact_inverses(units: int, exponent: int) -> None:
    amount = from_minor(units, exponent)
    assert to_minor(amount, exponent) == units
    assert amount == Decimal(f"{units}E-{exponent}")  # parsed exactly
    assert amount.as_tuple().exponent == -exponent


@PROPERTY
@given(units=cents, extra=st.integers(min_value=1, max_value=9))
def test_to_minor_refuses_a_fraction_of_a_cent(units: int, extra: int) -> None:
    with pytest.raises(ValueError):
        to_minor(from_minor(units * 10 + extra, 3))


@PROPERTY
@given(weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=8), data=st.data())
def test_allocate_sums_exactly_and_stays_within_a_cent_of_the_proportion(weights: list[int], data) -> None:
    whole = sum(weights)
    total = data.draw(st.integers(min_value=0, max_value=whole)) if whole else 0
    shares = [to_minor(s) for s in allocate(from_minor(total), [from_minor(w) for w in weights])]
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert 0 <= share <= weight
        if whole:
            assert abs(share * whole - total * weight) < whole  # |share - exact| < 1 cent
        if weight == 0:
            assert share == 0

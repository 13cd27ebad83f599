"""Money is Decimal, rounded half up to the cent, written with two places."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.money import format_money, round_money, to_money


def test_parsing_amounts():
    assert to_money("1234.5") == Decimal("1234.5")
    assert to_money(" 10 ") == Decimal("10")
    assert to_money(Decimal("0.01")) == Decimal("0.01")


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity"])
def test_non_amounts_are_refused(value):
    with pytest.raises(ValueError):
        to_money(value)


def test_floats_are_refused_not_rounded():
    with pytest.raises(TypeError):
        to_money(0.1)


def test_rounding_is_half_up():
    assert round_money(Decimal("2.345")) == Decimal("2.35")  # half-even would give 2.34
    assert round_money(Decimal("2.344")) == Decimal("2.34")
    assert round_money(Decimal("-2.345")) == Decimal("-2.35")


def test_formatting_has_two_places():
    assert format_money(Decimal("1234.5")) == "1234.50"
    assert format_money(Decimal("0")) == "0.00"
    assert format_money(Decimal("150.004")) == "150.00"


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=4)
)
def test_formatted_money_reads_back_as_the_rounded_amount(amount):
    text = format_money(amount)
    assert len(text.split(".")[1]) == 2
    assert to_money(text) == round_money(amount)
    assert abs(round_money(amount) - amount) <= Decimal("0.005")

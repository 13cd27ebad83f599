"""The one amount parser and integer fen storage (finding 1 of the security review:
five validators disagreed, and amounts were binary floating point on SQLite)."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.fields import MoneyField
from shebao.core.money import AmountError, amount_ceiling, from_fen, parse_amount, to_fen


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8000", Decimal("8000.00")),
        ("8000.5", Decimal("8000.50")),
        ("0.01", Decimal("0.01")),
        (Decimal("1234.5"), Decimal("1234.50")),
        (8000, Decimal("8000.00")),  # a Python int from code, never a JSON number
    ],
)
def test_amounts_accepted(value, expected):
    amount = parse_amount(value, kind="payment")
    assert amount == expected and amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1e3", "decimal string"),
        ("１００.００", "decimal string"),
        ("١٠٠", "decimal string"),  # Arabic-Indic digits: Decimal() would take them
        (" 100.00 ", "decimal string"),
        ("100.00\n", "decimal string"),
        ("+100", "decimal string"),
        ("1,000.00", "decimal string"),
        ("NaN", "decimal string"),
        ("Infinity", "decimal string"),
        (Decimal("NaN"), "decimal string"),
        (100.5, "decimal string"),
        (True, "decimal string"),
        (None, "decimal string"),
        ("1.001", "two decimal places"),
        ("1.000", "two decimal places"),
        (Decimal("1.001"), "two decimal places"),
        ("0", "more than zero"),
        ("-5.00", "more than zero"),
        ("99999999999999999.99", "too large"),
        ("999999999999999999999999.99", "too large"),
        ("1" * 5000, "too large"),
    ],
)
def test_amounts_refused(value, why):
    with pytest.raises(AmountError) as caught:
        parse_amount(value, kind="payment")
    assert why in str(caught.value.reason)


def test_the_sign_each_field_allows():
    assert parse_amount("-12.30", kind="payment", negative_allowed=True) == Decimal("-12.30")
    assert parse_amount("0.00", kind="payment", zero_allowed=True) == Decimal("0.00")
    with pytest.raises(AmountError, match="negative"):
        parse_amount("-1", kind="payment", zero_allowed=True)


def test_each_kind_has_its_ceiling_from_the_pack():
    assert amount_ceiling("monthly_wage") == Decimal("99999999.99")
    assert parse_amount("99999999.99", kind="monthly_wage") == Decimal("99999999.99")
    with pytest.raises(AmountError, match="too large"):
        parse_amount("100000000.00", kind="monthly_wage")
    for kind in ("payment", "fine", "benefit_debt"):
        assert 0 < amount_ceiling(kind) <= Decimal("100000000000.00")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_fen_round_trips_exactly(fen):
    assert to_fen(from_fen(fen)) == fen
    assert from_fen(fen).as_tuple().exponent == -2


def test_money_field_stores_fen_and_refuses_floats_and_fractions_of_a_cent():
    field = MoneyField()
    assert field.get_prep_value(Decimal("19319.37")) == 1931937
    assert field.get_prep_value("0.10") == 10
    assert field.from_db_value(1931937, None, None) == Decimal("19319.37")
    assert field.from_db_value(Decimal("1931937"), None, None) == Decimal("19319.37")
    with pytest.raises(TypeError):
        field.get_prep_value(19319.37)
    with pytest.raises(ValueError):
        field.get_prep_value(Decimal("0.001"))

"""Registry rules without a database."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core import dates
from shebao.core.errors import Conflict, FieldErrors, InvalidInput
from shebao.registry import domain
from tests.factories import USCC_ALPHABET, id_number, uscc


def test_test_helper_builds_the_published_example_number():
    assert id_number("19491231", "110105", "002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("started", "registered", "months"),
    [
        # Start month through the month before the registration month.
        ("2025-01-02", "2025-03-10", ["2025-01", "2025-02"]),
        ("2024-11-30", "2025-02-01", ["2024-11", "2024-12", "2025-01"]),
        ("2025-05-10", "2025-05-31", []),
    ],
)
def test_unregistered_months(started, registered, months):
    assert (
        domain.unregistered_months(
            datetime.date.fromisoformat(started), datetime.date.fromisoformat(registered)
        )
        == months
    )


@given(
    start=st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)),
    gap=st.integers(0, 800),
)
def test_unregistered_months_count_and_order(start, gap):
    registered = start + datetime.timedelta(days=gap)
    months = domain.unregistered_months(start, registered)
    expected = (registered.year - start.year) * 12 + registered.month - start.month
    assert len(months) == expected
    assert months == sorted(set(months))
    if months:
        assert months[0] == f"{start:%Y-%m}"


@pytest.mark.parametrize(
    ("wage", "floor", "cap", "base"),
    [
        ("5000.00", "7162.00", "35811.00", "7162.00"),
        ("9000.00", "7162.00", "35811.00", "9000.00"),
        ("50000.00", "7162.00", "35811.00", "35811.00"),
        ("5000.00", None, None, "5000.00"),
    ],
)
def test_clamp_base(wage, floor, cap, base):
    as_money = lambda v: Decimal(v) if v is not None else None  # noqa: E731
    assert domain.clamp_base(Decimal(wage), as_money(floor), as_money(cap)) == Decimal(base)


@given(
    wage=st.decimals(min_value="0.01", max_value="1000000", places=2),
    floor=st.decimals(min_value="1000", max_value="9000", places=2),
    spread=st.decimals(min_value="0", max_value="40000", places=2),
)
def test_clamped_base_stays_within_limits(wage, floor, spread):
    cap = floor + spread
    base = domain.clamp_base(wage, floor, cap)
    assert floor <= base <= cap
    if floor <= wage <= cap:
        assert base == wage


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("0", "more than zero"),
        ("-1.00", "more than zero"),
        ("12.345", "two decimal places"),
        ("abc", "decimal string"),
        ("NaN", "decimal string"),
        (8000.5, "decimal string"),
        (True, "decimal string"),
        ("99999999999999999.00", "too large"),
    ],
)
def test_wage_refusals_name_the_field(value, reason_part):
    with pytest.raises(InvalidInput) as caught:
        domain.clean_wage(value)
    assert reason_part in str(caught.value.fields["monthly_wage"])


def test_wage_accepts_strings_integers_and_decimals():
    assert domain.clean_wage("8000") == Decimal("8000.00")
    assert domain.clean_wage(8000) == Decimal("8000.00")
    assert domain.clean_wage(Decimal("1234.5")) == Decimal("1234.50")


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "20250101", "2025-1-1", "", None, 5])
def test_parse_date_refuses_impossible_and_malformed_dates(value):
    with pytest.raises(InvalidInput) as caught:
        dates.parse_date(value, "established_on")
    assert "established_on" in caught.value.fields


def test_parse_date_refuses_datetimes_and_accepts_dates():
    with pytest.raises(InvalidInput):
        dates.parse_date(datetime.datetime(2025, 1, 1, 12), "started_on")
    assert dates.parse_date("2024-02-29", "x") == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("deu", "DEU"), (" usa ", "USA"), ("XXA", "XXA")],
)
def test_nationality_codes(value, expected):
    assert domain.clean_nationality(value) == expected


@pytest.mark.parametrize("value", ["CHN", "chn", "DE", "XYZ", "", None, "GERMANY"])
def test_nationality_refusals(value):
    with pytest.raises(InvalidInput) as caught:
        domain.clean_nationality(value)
    assert "nationality" in caught.value.fields


def test_nationality_list_is_the_iso_list_plus_icao_codes():
    codes = domain.nationality_codes()
    assert len(codes) == 249 + 8
    assert {"DEU", "FRA", "JPN", "KOR", "USA", "GBR", "HKG", "MAC", "TWN"} <= codes


def test_reason_code_must_be_one_the_pack_lists():
    allowed = frozenset({"resignation", "dismissal"})
    assert domain.clean_reason_code("resignation", allowed) == "resignation"
    with pytest.raises(InvalidInput) as caught:
        domain.clean_reason_code("fired", allowed)
    assert "dismissal" in str(caught.value.fields["reason"])


def test_unit_transitions():
    assert domain.can_transition("pending", "registered")
    assert domain.can_transition("pending", "rejected")
    assert domain.can_transition("rejected", "pending")
    assert not domain.can_transition("registered", "pending")
    assert not domain.can_transition("cancelled", "registered")
    with pytest.raises(Conflict) as caught:
        domain.require_unit_transition("registered", "registered")
    assert caught.value.code == "wrong_state"


def test_field_errors_collects_every_field():
    errors = FieldErrors()
    errors.check("uscc", domain.check_uscc, "123")
    errors.check("established_on", dates.parse_date, "2025-02-30", "established_on")
    with pytest.raises(InvalidInput) as caught:
        errors.raise_if_any()
    assert set(caught.value.fields) == {"uscc", "established_on"}


def test_field_errors_keeps_the_code_of_a_single_problem():
    errors = FieldErrors()
    errors.check("uscc", domain.check_uscc, "91110105MA00000010")
    with pytest.raises(InvalidInput) as caught:
        errors.raise_if_any()
    assert caught.value.code == "invalid_uscc"
    assert "check character" in str(caught.value.fields["uscc"])


@given(
    birth=st.dates(datetime.date(1930, 1, 1), datetime.date(2010, 12, 31)),
    sequence=st.integers(0, 999),
    position=st.integers(0, 16),
    shift=st.integers(1, 9),
)
def test_any_single_mistyped_digit_of_a_citizen_id_is_caught(birth, sequence, position, shift):
    number = id_number(f"{birth:%Y%m%d}", "110105", f"{sequence:03d}")
    assert domain.check_citizen_id(number, today=datetime.date(2025, 11, 14)).number == number
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    with pytest.raises(InvalidInput) as caught:
        domain.check_citizen_id("".join(digits), today=datetime.date(2025, 11, 14))
    assert "citizen_id" in caught.value.fields


@given(
    serial=st.integers(0, 9_999_999),
    position=st.integers(0, 16),
    shift=st.integers(1, 30),
)
def test_any_single_mistyped_character_of_a_uscc_is_caught(serial, position, shift):
    number = uscc(serial)
    assert domain.check_uscc(number) == number
    chars = list(number)
    chars[position] = USCC_ALPHABET[(USCC_ALPHABET.index(chars[position]) + shift) % 31]
    with pytest.raises(InvalidInput) as caught:
        domain.check_uscc("".join(chars))
    assert "uscc" in caught.value.fields


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2025, 11, 14), 24, datetime.date(2023, 11, 14)),
        (datetime.date(2025, 3, 31), 1, datetime.date(2025, 2, 28)),
        (datetime.date(2025, 1, 15), 1, datetime.date(2024, 12, 15)),
        (datetime.date(2025, 1, 15), 0, datetime.date(2025, 1, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert domain.months_before(day, months) == expected


@pytest.mark.parametrize(
    ("given", "registered", "elsewhere", "deceased", "reason"),
    [
        ("张三", "张三", False, False, ""),
        ("张三", "", False, False, ""),
        ("张三", "张三", True, False, domain.PENDING_EMPLOYED_ELSEWHERE),
        ("李四", "张三", False, False, domain.PENDING_NAME_DIFFERS),
        ("李四", "张三", True, False, domain.PENDING_NAME_DIFFERS),
        ("张三", "张三", False, True, domain.PENDING_DECEASED),
    ],
)
def test_why_a_units_employment_waits(given, registered, elsewhere, deceased, reason):
    assert (
        domain.employment_pending_reason(
            name_given=given,
            name_registered=registered,
            employed_elsewhere=elsewhere,
            deceased=deceased,
        )
        == reason
    )

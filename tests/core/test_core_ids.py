"""Citizen ID numbers (GB 11643) and unified social credit codes (GB 32100)."""

import datetime

import pytest
from django.utils import translation

from shebao.core.ids import (
    IdError,
    mask_account,
    mask_citizen_id,
    normalise_passport,
    parse_citizen_id,
    parse_uscc,
)

VALID_ID = "11010519491231002X"  # Beijing Chaoyang, born 1949-12-31, a woman
HK_RESIDENT_ID = "810000199001010019"  # residence permit code 81: not in the place table
UNKNOWN_COUNTY_ID = "119999198001010018"  # a county code no table holds


@pytest.fixture(autouse=True)
def _english():
    # The reasons are translated; these tests read the English source texts.
    with translation.override("en"):
        yield


def test_valid_citizen_id_gives_birth_date_and_sex():
    parsed = parse_citizen_id(VALID_ID)
    assert parsed.number == VALID_ID
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.warnings == ()


def test_lower_case_x_and_spaces_are_forgiven():
    parsed = parse_citizen_id(" 11010519491231002x ")
    assert parsed.number == VALID_ID


def test_wrong_check_character_is_refused():
    with pytest.raises(IdError) as caught:
        parse_citizen_id(VALID_ID[:-1] + "3")
    assert caught.value.code == "invalid_citizen_id"
    assert "check character" in str(caught.value.reason)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100A2", "17 digits"),
        ("110105194902300022", "birth date"),
    ],
)
def test_malformed_citizen_ids(number, words):
    with pytest.raises(IdError) as caught:
        parse_citizen_id(number)
    assert words in str(caught.value.reason)


def test_birth_date_in_the_future_is_refused():
    with pytest.raises(IdError):
        parse_citizen_id(VALID_ID, today=datetime.date(1949, 12, 30))


def test_unknown_birthplace_code_is_only_a_warning():
    parsed = parse_citizen_id(UNKNOWN_COUNTY_ID)
    assert parsed.sex == "M"
    assert parsed.warnings == ("unknown_birthplace_code",)


def test_a_residence_permit_is_no_unknown_birthplace():
    parsed = parse_citizen_id(HK_RESIDENT_ID)
    assert parsed.sex == "M" and parsed.residency == "hk"
    assert parsed.warnings == ()


def test_valid_uscc_and_a_letter_as_first_character():
    assert parse_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert parse_uscc("n1110000mb1234567x") == "N1110000MB1234567X"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M0001O0Y43", "capital letters"),
    ],
)
def test_bad_uscc(code, words):
    with pytest.raises(IdError) as caught:
        parse_uscc(code)
    assert caught.value.code == "invalid_uscc"
    assert words in str(caught.value.reason)


def test_masks_hide_the_middle():
    assert mask_citizen_id(VALID_ID) == "110105********002X"
    assert mask_account("6222021234567890123") == "***************0123"
    assert mask_citizen_id("") == ""


def test_passport_numbers_are_normalised():
    assert normalise_passport(" e1234 5678 ") == "E12345678"
    with pytest.raises(IdError):
        normalise_passport("E-1")

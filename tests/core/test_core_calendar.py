"""The official holiday schedule, and the Monday-to-Friday fallback where it ends."""

import datetime

from shebao.core import calendar

d = datetime.date.fromisoformat


def test_national_day_is_a_rest_day_and_the_adjusted_sunday_a_working_day():
    assert calendar.is_rest_day(d("2025-10-05"))
    assert calendar.is_working_day(d("2025-09-28"))  # a Sunday
    assert calendar.is_working_day(d("2025-10-11"))  # a Saturday


def test_ordinary_weekdays_and_weekends():
    assert calendar.is_working_day(d("2025-11-14"))  # a Friday
    assert calendar.is_rest_day(d("2025-11-15"))  # a Saturday


def test_covered_years_include_the_current_schedule():
    years = calendar.covered_years()
    assert {2024, 2025, 2026} <= years
    assert calendar.is_covered(d("2025-06-01"))


def test_uncovered_year_uses_monday_to_friday():
    assert not calendar.is_covered(d("2027-10-01"))
    assert calendar.is_working_day(d("2027-10-01"))  # a Friday: no schedule yet
    assert calendar.is_rest_day(d("2027-10-02"))  # a Saturday

"""Counting statutory periods (Civil Code Arts. 201 and 203) on the official calendar."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.core import calendar
from shebao.core.periods import CALENDAR, WORKING, days_left, deadline

d = datetime.date.fromisoformat
ONE_DAY = datetime.timedelta(days=1)

# The clock fixture is autouse and function-scoped; it does not change between examples.
PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
starts = st.dates(min_value=datetime.date(2004, 1, 1), max_value=datetime.date(2030, 12, 31))
lengths = st.integers(min_value=1, max_value=60)
kinds = st.sampled_from([CALENDAR, WORKING])


# The examples of rules.md section 1.


def test_unit_established_2025_09_05_thirty_days_ends_after_national_day():
    # 2025-10-05 is a National Day rest day; the holiday runs to 2025-10-08.
    result = deadline(d("2025-09-05"), 30, CALENDAR)
    assert result.due_on == d("2025-10-09")
    assert result.calendar_fallback is False


def test_employed_2025_01_02_thirty_days_ends_after_spring_festival():
    # 2025-02-01 is a Saturday and the Spring Festival holiday runs to 2025-02-04.
    assert deadline(d("2025-01-02"), 30, CALENDAR).due_on == d("2025-02-05")


def test_accepted_2025_09_26_ten_working_days_counts_the_adjusted_sunday():
    # 2025-09-28 (a Sunday) and 2025-10-11 (a Saturday) are working days.
    assert deadline(d("2025-09-26"), 10, WORKING).due_on == d("2025-10-16")


def test_a_period_ending_on_an_adjusted_working_sunday_ends_that_day():
    # 2026-01-04 is a Sunday worked in exchange for the New Year holiday.
    assert deadline(d("2025-12-20"), 15, CALENDAR).due_on == d("2026-01-04")


def test_the_event_day_is_not_counted():
    # A Wednesday: one day later is Thursday, not the Wednesday itself.
    assert deadline(d("2025-03-12"), 1, CALENDAR).due_on == d("2025-03-13")
    assert deadline(d("2025-03-12"), 1, WORKING).due_on == d("2025-03-13")


def test_working_days_skip_the_labour_day_holiday():
    # 2025-05-01 to 05-05 are rest days; 2025-04-27, a Sunday, was worked.
    assert deadline(d("2025-04-30"), 1, WORKING).due_on == d("2025-05-06")
    assert deadline(d("2025-04-25"), 1, WORKING).due_on == d("2025-04-27")


def test_years_without_an_official_schedule_fall_back_to_monday_to_friday_and_say_so():
    result = deadline(d("2027-03-01"), 10, WORKING)
    assert result.due_on == d("2027-03-15")
    assert result.calendar_fallback is True
    # 2027-01-01 will surely be a holiday, but no schedule is published: the fallback
    # takes the Friday as a working day, and the answer carries the caveat.
    crossing = deadline(d("2026-12-02"), 30, CALENDAR)
    assert crossing.due_on == d("2027-01-01")
    assert crossing.calendar_fallback is True
    assert deadline(d("2026-11-02"), 30, CALENDAR).calendar_fallback is False


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        deadline(d("2025-01-01"), -1, CALENDAR)
    with pytest.raises(ValueError):
        deadline(d("2025-01-01"), 5, "lunar")


def test_days_left_is_negative_once_overdue():
    assert days_left(d("2025-11-20"), d("2025-11-14")) == 6
    assert days_left(d("2025-11-10"), d("2025-11-14")) == -4


# Properties.


@PROPERTY
@given(start=starts, days=lengths, kind=kinds)
def test_a_due_date_is_never_a_rest_day(start, days, kind):
    assert calendar.is_working_day(deadline(start, days, kind).due_on)


@PROPERTY
@given(first=starts, gap=st.integers(min_value=0, max_value=400), days=lengths, kind=kinds)
def test_a_later_start_never_gives_an_earlier_due_date(first, gap, days, kind):
    later = first + datetime.timedelta(days=gap)
    assert deadline(first, days, kind).due_on <= deadline(later, days, kind).due_on


@PROPERTY
@given(start=starts, days=lengths)
def test_working_day_count_is_exact(start, days):
    due = deadline(start, days, WORKING).due_on
    counted, day = 0, start
    while day < due:
        day += ONE_DAY
        counted += calendar.is_working_day(day)
    assert counted == days


@PROPERTY
@given(start=starts, days=lengths)
def test_calendar_period_moves_only_past_rest_days(start, days):
    due = deadline(start, days, CALENDAR).due_on
    nominal = start + datetime.timedelta(days=days)
    assert due >= nominal
    day = nominal
    while day < due:
        assert calendar.is_rest_day(day)
        day += ONE_DAY


@PROPERTY
@given(start=starts, days=lengths, kind=kinds)
def test_fallback_is_reported_exactly_when_a_year_is_not_covered(start, days, kind):
    result = deadline(start, days, kind)
    covered = calendar.is_covered(start) and calendar.is_covered(result.due_on)
    assert result.calendar_fallback is (not covered)

"""Counting statutory periods (Civil Code Arts. 201 and 203).

- "within N days from D": the day of D is not counted, so the last day is D + N; when
  that day is a rest day the period ends on the next working day.
- "within N working days from D": the N-th working day after D.

Every result says whether any day it looked at fell in a year the official calendar
does not cover, so that the date can be shown with that caveat.
"""

import dataclasses
import datetime

from shebao.core import calendar

CALENDAR = "calendar"
WORKING = "working"
DAY_KINDS = (CALENDAR, WORKING)

ONE_DAY = datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Deadline:
    start: datetime.date
    days: int
    day_kind: str
    due_on: datetime.date
    calendar_fallback: bool  # a day counted lies in a year without an official schedule


def _next_working_day(day: datetime.date) -> datetime.date:
    while calendar.is_rest_day(day):
        day += ONE_DAY
    return day


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the next working day (CC Art. 203)."""
    return _next_working_day(day)


def deadline(start: datetime.date, days: int, day_kind: str) -> Deadline:
    if days < 0:
        raise ValueError("a period cannot be negative")
    if day_kind == CALENDAR:
        due = _next_working_day(start + datetime.timedelta(days=days))
    elif day_kind == WORKING:
        due, counted = start, 0
        while counted < days:
            due += ONE_DAY
            if calendar.is_working_day(due):
                counted += 1
    else:
        raise ValueError(f"unknown day kind {day_kind!r}")
    fallback = not (calendar.is_covered(start) and calendar.is_covered(due))
    return Deadline(
        start=start, days=days, day_kind=day_kind, due_on=due, calendar_fallback=fallback
    )


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Calendar days from today to the due date; negative once overdue."""
    return (due_on - today).days

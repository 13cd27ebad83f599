"""Working days on the official State Council holiday schedule.

``chinesecalendar`` carries the published schedule, adjusted working weekends included.
For a year it does not cover (schedules are published each November for the next year),
Monday to Friday are taken as working days and every answer says it used that fallback.
"""

import datetime
import functools

import chinese_calendar


@functools.cache
def covered_years() -> frozenset[int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return frozenset(years)


def is_covered(day: datetime.date) -> bool:
    return day.year in covered_years()


def is_working_day(day: datetime.date) -> bool:
    if is_covered(day):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_rest_day(day: datetime.date) -> bool:
    return not is_working_day(day)

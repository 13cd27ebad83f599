"""Dates as the API and the services accept them: ISO ``YYYY-MM-DD`` of a real day, within
the range the agency's records can plausibly hold.

No record of a living insured person, a unit or a payment starts before 1900, and no date
the system computes with lies beyond 2999: refusing what is outside keeps typing errors
(``0001-01-01``) out of the records and every date calculation (a deadline, a late fee)
far from the end of Python's calendar.
"""

import datetime
import re

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import invalid

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value) -> datetime.date | None:
    """The day an ISO ``YYYY-MM-DD`` string names, or None if it names none."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def out_of_range(day: datetime.date):
    """Why ``day`` is outside the plausible range, or None."""
    if day < EARLIEST:
        return _("must not be before %(day)s") % {"day": EARLIEST.isoformat()}
    if day > LATEST:
        return _("must not be after %(day)s") % {"day": LATEST.isoformat()}
    return None


def parse_date(value, field: str) -> datetime.date:
    """A date, or an ISO ``YYYY-MM-DD`` string of a real day, between 1900 and 2999;
    otherwise 422 naming ``field``."""
    if isinstance(value, datetime.datetime):
        raise invalid(field, _("must be a date YYYY-MM-DD, not a date and time"))
    day = (
        value
        if isinstance(value, datetime.date)
        else iso_date(value.strip() if isinstance(value, str) else value)
    )
    if day is None:
        raise invalid(field, _("must be a real date YYYY-MM-DD"))
    why = out_of_range(day)
    if why:
        raise invalid(field, why)
    return day


def optional_date(value, field: str) -> datetime.date | None:
    return None if value is None or value == "" else parse_date(value, field)


def not_in_future(day: datetime.date, field: str, today: datetime.date) -> datetime.date:
    """A date that has happened: from 1900-01-01 to ``today``."""
    if day > today:
        raise invalid(field, _("is in the future (today is %(today)s)") % {"today": today})
    if day < EARLIEST:
        raise invalid(field, _("must not be before %(day)s") % {"day": EARLIEST.isoformat()})
    return day


def add_days(day: datetime.date, days: int, field: str) -> datetime.date:
    """``day`` plus ``days``, or 422 naming ``field`` when the result leaves the range."""
    try:
        result = day + datetime.timedelta(days=days)
    except OverflowError:
        result = None
    if result is None or out_of_range(result):
        raise invalid(
            field,
            _("reaches beyond %(day)s") % {"day": LATEST.isoformat()}
            if days >= 0
            else _("reaches before %(day)s") % {"day": EARLIEST.isoformat()},
        )
    return result

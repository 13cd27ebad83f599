"""The one clock Shebao reads "today" from.

Dates are the agency's local dates (``settings.TIME_ZONE``). Tests and demo builds set
the clock with ``frozen(...)``; nothing else calls ``date.today()``.
"""

import contextlib
import datetime

from django.utils import timezone

_frozen: datetime.datetime | None = None


def now() -> datetime.datetime:
    if _frozen is not None:
        return _frozen
    return timezone.now()


def today() -> datetime.date:
    return timezone.localtime(now()).date()


@contextlib.contextmanager
def frozen(moment):
    """Make ``now()``/``today()`` return ``moment`` (a date means local noon of that day)."""
    global _frozen
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
        moment = timezone.make_aware(datetime.datetime.combine(moment, datetime.time(12)))
    previous, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = previous

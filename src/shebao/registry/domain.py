"""Registry rules that need no database: states and their transitions, input checks,
and the arithmetic of the compliance monitor (unregistered months, assessed base)."""

import calendar
import datetime
import functools
import re
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import Conflict, invalid
from shebao.core.ids import CitizenId, IdError, normalise_passport, parse_citizen_id, parse_uscc
from shebao.core.money import clean_amount, round_money
from shebao.core.text import clean_line

# Unit registration: pending -> registered | rejected; a rejected unit may apply again
# (back to pending); a registered unit ends as cancelled.
UNIT_PENDING = "pending"
UNIT_REGISTERED = "registered"
UNIT_REJECTED = "rejected"
UNIT_CANCELLED = "cancelled"

UNIT_TRANSITIONS = {
    UNIT_PENDING: frozenset({UNIT_REGISTERED, UNIT_REJECTED}),
    UNIT_REJECTED: frozenset({UNIT_PENDING}),
    UNIT_REGISTERED: frozenset({UNIT_CANCELLED}),
    UNIT_CANCELLED: frozenset(),
}

# Employees may be registered while the unit's own registration is being examined, but
# not once it was rejected or the unit was cancelled.
UNIT_STATES_TAKING_EMPLOYEES = frozenset({UNIT_PENDING, UNIT_REGISTERED})

EMPLOYMENT_OPEN = "open"
EMPLOYMENT_ENDED = "ended"
# An employment a unit representative registered for a person it could not vouch for
# (employed elsewhere, or named otherwise than the registry knows them) waits for a
# clerk: confirmed, it opens; refused, it stays on record and gives the unit nothing.
EMPLOYMENT_PENDING = "pending_confirmation"
EMPLOYMENT_REFUSED = "refused"
# The employments that exist for contributions and access: confirmed ones.
EMPLOYMENT_CONFIRMED_STATES = frozenset({EMPLOYMENT_OPEN, EMPLOYMENT_ENDED})
# At most one of these per unit and person (a database constraint).
EMPLOYMENT_LIVE_STATES = frozenset({EMPLOYMENT_OPEN, EMPLOYMENT_PENDING})

# Why an employment waits for confirmation.
PENDING_EMPLOYED_ELSEWHERE = "employed_elsewhere"
PENDING_NAME_DIFFERS = "name_differs"
PENDING_DECEASED = "person_deceased"


def employment_pending_reason(*, name_given, name_registered, employed_elsewhere, deceased):
    """Why a unit representative's employment of a registered person must wait for a
    clerk, or "" when the unit may employ them at once. The unit learns only that it
    waits, never why: the reason would tell it about a person it does not employ."""
    if deceased:
        return PENDING_DECEASED
    if name_registered and name_given != name_registered:
        return PENDING_NAME_DIFFERS
    if employed_elsewhere:
        return PENDING_EMPLOYED_ELSEWHERE
    return ""


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


PERSON_ACTIVE = "active"
PERSON_DECEASED = "deceased"
PERSON_CLEARED = "cleared"

SEXES = ("M", "F")
NAME_MAX = {"person": 100, "unit": 200}
REASON_MAX = 2000

_REASON_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


def can_transition(current: str, target: str) -> bool:
    return target in UNIT_TRANSITIONS.get(current, frozenset())


def require_unit_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise Conflict(
            _("The unit's registration is %(current)s; it cannot become %(target)s.")
            % {"current": current, "target": target},
            code="wrong_state",
        )


def clean_name(value, field: str = "name", *, kind: str = "person", required: bool = True) -> str:
    return clean_line(value, field, max_length=NAME_MAX[kind], required=required)


def clean_reason_text(value, field: str = "reason") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _("must be text"))
    text = value.strip()
    if not text:
        raise invalid(field, _("is required"))
    if len(text) > REASON_MAX:
        raise invalid(field, _("must be at most %(n)d characters") % {"n": REASON_MAX})
    return text


def clean_wage(value, field: str = "monthly_wage") -> Decimal:
    """A positive monthly wage, by the one amount rule and the pack's ceiling (the same
    as a declared wage's)."""
    return clean_amount(value, field, kind="monthly_wage")


def clean_sex(value, field: str = "sex") -> str:
    sex = value.strip().upper() if isinstance(value, str) else ""
    if sex not in SEXES:
        raise invalid(field, _("must be M or F"))
    return sex


@functools.cache
def nationality_codes() -> frozenset[str]:
    path = Path(__file__).resolve().parent / "nationalities.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def clean_nationality(value, field: str = "nationality") -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not code:
        raise invalid(field, _("is required for a person registered by passport"))
    if code == "CHN":
        # SIL Art. 58 para 3: a citizen's social security number is the citizen ID number.
        raise invalid(field, _("PRC citizens are registered by their citizen ID number"))
    if code not in nationality_codes():
        raise invalid(field, _("must be an ISO 3166 three-letter country code such as DEU"))
    return code


def clean_province(value, field: str = "province") -> str:
    """A province as its GB/T 2260 code: two digits (11 Beijing, 44 Guangdong); "" clears."""
    code = value.strip() if isinstance(value, str) else ""
    if code and not re.fullmatch(r"[1-9][0-9]", code):
        raise invalid(field, _("must be the two-digit province code of GB/T 2260, such as 11"))
    return code


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years of age on ``day`` (a birthday counts on its day)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_foreign_national(person) -> bool:
    """Registered by passport, or by a foreign permanent-residence ID: a nationality is
    recorded only for foreign nationals."""
    return bool(person.nationality)


def clean_reason_code(value, allowed: frozenset[str] | None, field: str = "reason") -> str:
    """An employment end reason: one of the pack's codes when the pack lists them."""
    code = value.strip() if isinstance(value, str) else ""
    if not code:
        raise invalid(field, _("is required"))
    if allowed is not None:
        if code not in allowed:
            raise invalid(
                field, _("must be one of: %(codes)s") % {"codes": ", ".join(sorted(allowed))}
            )
    elif not _REASON_CODE.fullmatch(code):
        raise invalid(field, _("must be a reason code of lower-case letters, digits and _"))
    return code


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def unregistered_months(started_on: datetime.date, registered_on: datetime.date) -> list[str]:
    """The months from the start month through the month before registration, ``YYYY-MM``.

    These are the months for which the agency assesses the premium a late-registering
    unit owes (SIL Art. 58 para 1).
    """
    months = []
    month = month_start(started_on)
    stop = month_start(registered_on)
    while month < stop:
        months.append(f"{month:%Y-%m}")
        month = next_month(month)
    return months


def clamp_base(wage: Decimal, floor: Decimal | None, cap: Decimal | None) -> Decimal:
    """The contribution base: the declared wage held between the region's floor and cap."""
    base = wage
    if floor is not None and base < floor:
        base = floor
    if cap is not None and base > cap:
        base = cap
    return round_money(base)


def days_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later - earlier).days


PERSON_TRANSITIONS = {
    PERSON_ACTIVE: frozenset({PERSON_DECEASED, PERSON_CLEARED}),
    PERSON_DECEASED: frozenset({PERSON_CLEARED}),
    PERSON_CLEARED: frozenset(),
}


def require_person_transition(current: str, target: str) -> None:
    if target not in PERSON_TRANSITIONS.get(current, frozenset()):
        raise Conflict(
            _("The person's status is %(current)s; it cannot become %(target)s.")
            % {"current": current, "target": target},
            code="wrong_state",
        )


def _required(value, field: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise invalid(field, _("is required"))


def check_citizen_id(value, *, today: datetime.date, field: str = "citizen_id") -> CitizenId:
    _required(value, field)
    if isinstance(value, str):
        # Numbers are often typed or printed in groups: "110105 19491231 002X".
        value = re.sub(r"\s+", "", value)
    try:
        return parse_citizen_id(value, today=today)
    except IdError as exc:
        raise invalid(field, exc.reason, code=exc.code) from None


def check_uscc(value, field: str = "uscc") -> str:
    _required(value, field)
    try:
        return parse_uscc(value)
    except IdError as exc:
        raise invalid(field, exc.reason, code=exc.code) from None


def check_passport(value, field: str = "passport_no") -> str:
    _required(value, field)
    if not isinstance(value, str):
        raise invalid(field, _("must be text"))
    try:
        return normalise_passport(value)
    except IdError as exc:
        raise invalid(field, exc.reason, code=exc.code) from None

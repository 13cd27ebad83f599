"""Checking declaration lines before anything is posted.

Each bad line is reported with its number and reason; the caller decides whether a
declaration with bad lines is refused whole (the default) or posted with its good lines.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core import ids
from shebao.core.money import AmountError, parse_amount
from shebao.ledger import domain
from shebao.registry import domain as registry_domain
from shebao.registry.models import Employment, Person, Unit

# One answer for every line that names no employee of the unit in the month, whatever
# the reason (no such ID number, employed elsewhere, not yet confirmed by the agency):
# a unit must not learn from a declaration whether an ID number is registered.
NOT_AN_EMPLOYEE = _("no employee with this ID number at the unit in %(period)s")


@dataclasses.dataclass(frozen=True)
class RowError:
    line: int  # the line's number: 1-based in the request, the file's own line in an upload
    field: str
    reason: str


@dataclasses.dataclass
class CheckedDeclaration:
    unit: Unit
    period: str
    lines: list[tuple[int, int, Decimal]]  # (line number, person id, wage)
    errors: list[RowError]


def parse_wage(value) -> Decimal:
    """A declared wage: the same amount rule and ceiling as an employment's monthly wage
    (``AmountError``, a ValueError, says why not)."""
    return parse_amount(value, kind="monthly_wage")


def check_period(unit: Unit, period: str, today: datetime.date) -> str | None:
    """Why ``unit`` cannot declare ``period``, or None."""
    try:
        start = domain.period_start(period)
    except ValueError as exc:
        return str(exc)
    if start > today:
        return _("is a month still to come")
    if (start.year, start.month) < (unit.established_on.year, unit.established_on.month):
        return _("is before the unit was established (%(date)s)") % {
            "date": unit.established_on.isoformat()
        }
    return None


def employed_person_ids(unit_id: int, period: str, person_ids) -> set[int]:
    """The persons with a confirmed employment at the unit during some day of the month
    (one waiting for the agency's confirmation does not count yet)."""
    start = domain.period_start(period)
    end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )
    return set(
        Employment.objects.filter(unit_id=unit_id, person_id__in=person_ids, started_on__lte=end)
        .filter(status__in=registry_domain.EMPLOYMENT_CONFIRMED_STATES)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values_list("person_id", flat=True)
    )


def person_ids_by_citizen_id(numbers) -> dict[str, int]:
    found = {}
    numbers = list(numbers)
    for start in range(0, len(numbers), 900):
        batch = numbers[start : start + 900]
        found.update(Person.objects.filter(citizen_id__in=batch).values_list("citizen_id", "id"))
    return found


def check_lines(
    unit: Unit, period: str, raw_lines, *, today: datetime.date, known: dict[str, int] | None = None
) -> CheckedDeclaration:
    """Check ``raw_lines`` (``(line number, citizen_id, wage)``) of one unit-month.

    ``known`` maps citizen ID numbers to person ids when the caller already looked them
    up (a file import does it once for the whole file).
    """
    errors: list[RowError] = []
    parsed: list[tuple[int, str, Decimal]] = []
    for line_no, citizen_id, wage in raw_lines:
        try:
            number = ids.parse_citizen_id(citizen_id or "", today=today).number
        except ids.IdError as exc:
            errors.append(RowError(line_no, "citizen_id", str(exc.reason)))
            number = None
        try:
            amount = parse_wage(wage)
        except AmountError as exc:
            errors.append(RowError(line_no, "wage", exc.reason))
            amount = None
        if number is not None and amount is not None:
            parsed.append((line_no, number, amount))
    if known is None:
        known = person_ids_by_citizen_id({number for _l, number, _w in parsed})
    employed = employed_person_ids(
        unit.pk, period, {known[n] for _l, n, _w in parsed if n in known}
    )
    lines, seen = [], {}
    for line_no, number, amount in parsed:
        person_id = known.get(number)
        if person_id is None or person_id not in employed:
            errors.append(RowError(line_no, "citizen_id", NOT_AN_EMPLOYEE % {"period": period}))
        elif person_id in seen:
            errors.append(
                RowError(
                    line_no,
                    "citizen_id",
                    _("this person is already declared on line %(line)d")
                    % {"line": seen[person_id]},
                )
            )
        else:
            seen[person_id] = line_no
            lines.append((line_no, person_id, amount))
    return refuse_closed_accounts(
        CheckedDeclaration(unit=unit, period=period, lines=lines, errors=errors)
    )


CLOSED_ACCOUNT = _(
    "this person's insurance relationship has ended and their individual account is closed: "
    "nothing can be declared for them"
)


def refuse_closed_accounts(checked: CheckedDeclaration) -> CheckedDeclaration:
    """Turn each line naming a person whose individual account is closed (a closed
    clearance case ended the relationship) into a line error: no posting reaches a
    closed account. Errors come out sorted by line."""
    person_ids = [person_id for _l, person_id, _w in checked.lines]
    closed = set(
        Person.objects.filter(pk__in=person_ids, status=Person.Status.CLEARED).values_list(
            "pk", flat=True
        )
    )
    errors = list(checked.errors)
    for line_no, person_id, _w in checked.lines:
        if person_id in closed:
            errors.append(RowError(line_no, "citizen_id", CLOSED_ACCOUNT))
    checked.lines = [line for line in checked.lines if line[1] not in closed]
    checked.errors = sorted(errors, key=lambda e: (e.line, e.field))
    return checked

"""Checking declaration lines before anything is posted.

A line names its person by the 18-character ID number (a citizen ID number, a Hong Kong,
Macao or Taiwan residence permit, a foreign permanent-residence ID) or, for a foreign
national without one, by passport number and nationality. Each bad line is reported with
its number and reason; the caller decides whether a declaration with bad lines is refused
whole (the default) or posted with its good lines.
"""

import dataclasses
import datetime
import re
from decimal import Decimal

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from shebao.core import ids
from shebao.core.money import AmountError, parse_amount, to_fen
from shebao.core.warnings import CheckWarning
from shebao.ledger import domain
from shebao.policy import agreements
from shebao.registry import domain as registry_domain
from shebao.registry.models import Employment, Person, Unit

# One answer for every line that names no employee of the unit in the month, whatever
# the reason (no such ID number, employed elsewhere, not yet confirmed by the agency):
# a unit must not learn from a declaration whether an ID number is registered.
NOT_AN_EMPLOYEE = _("no employee with this ID number at the unit in %(period)s")
NOT_AN_EMPLOYEE_PASSPORT = _(
    "no employee with this passport number and nationality at the unit in %(period)s"
)


@dataclasses.dataclass(frozen=True)
class RowError:
    line: int  # the line's number: 1-based in the request, the file's own line in an upload
    field: str
    reason: str | Promise  # a lazy text is rendered in the reader's language


@dataclasses.dataclass
class CheckedDeclaration:
    unit: Unit
    period: str
    lines: list[tuple[int, int, Decimal]]  # (line number, person id, wage)
    errors: list[RowError]
    # Person id -> the insurance types a bilateral agreement exempts them from this month
    # (O16 Art. 9): no premium is charged for those.
    exempt: dict[int, frozenset[str]] = dataclasses.field(default_factory=dict)


def passport_key(passport_no: str, nationality: str) -> str:
    """How a person registered by passport is named among the ID numbers of a file: a
    colon never appears in an ID number, so the two kinds of key never meet."""
    return f"{nationality}:{passport_no}"


def parse_identity(citizen_id, passport_no, nationality, *, today=None) -> tuple[str, str]:
    """``(key, field)``: the key the line's person is looked up by, and the field an
    error names. An ``IdError`` (a ValueError) says why the line names no one."""
    if passport_no not in (None, "") and citizen_id not in (None, ""):
        raise ids.IdError(
            "invalid_input", _("give either an ID number or a passport number, not both")
        )
    if passport_no in (None, ""):
        if nationality not in (None, ""):
            raise ids.IdError("invalid_input", _("is given only with a passport number"))
        return ids.parse_citizen_id(citizen_id or "", today=today).number, "citizen_id"
    number = ids.normalise_passport(passport_no)
    country = nationality.strip().upper() if isinstance(nationality, str) else ""
    if country not in registry_domain.nationality_codes() or country == "CHN":
        raise ids.IdError(
            "invalid_nationality",
            _("must be an ISO 3166 three-letter country code such as DEU"),
        )
    return passport_key(number, country), "passport_no"


_SEPARATORS = re.compile(r"[\s-]")
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]")
_PLAIN_WAGE = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,2}))?")


def compact_id(value) -> str | None:
    """An ID number as the registry stores it (spaces and hyphens dropped, ``x`` upper
    case), when it has the plain form of one; None otherwise. Nothing more is checked:
    a number the registry does not hold is parsed by ``parse_identity`` for its reason."""
    if not isinstance(value, str):
        return None
    if _PLAIN_ID.fullmatch(value):
        return value
    number = _SEPARATORS.sub("", ric.compact(value))
    return number if len(number) == 18 else None


def parse_wage(value) -> Decimal:
    """A declared wage: the same amount rule and ceiling as an employment's monthly wage
    (``AmountError``, a ValueError, says why not)."""
    return parse_amount(value, kind="monthly_wage")


def wage_fen(value, ceiling_fen: int) -> int:
    """A declared wage in fen, by ``parse_wage``'s rule (``AmountError`` says why not),
    with a short way through for the plain decimal string nearly every line holds."""
    if isinstance(value, str) and (match := _PLAIN_WAGE.fullmatch(value)):
        whole, cents = match.groups()
        fen = int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
        if 0 < fen <= ceiling_fen:
            return fen
    return to_fen(parse_wage(value))


def check_period(unit: Unit, period: str, today: datetime.date) -> str | Promise | None:
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
    """Person ids by key: ID numbers, and ``passport_key`` for persons registered by
    passport."""
    found: dict[str, int] = {}
    numbers = [n for n in numbers if ":" not in n]
    for start in range(0, len(numbers), 900):
        batch = numbers[start : start + 900]
        rows = Person.objects.filter(citizen_id__in=batch).values_list("citizen_id", "id")
        found.update((number, pk) for number, pk in rows if number)
    return found


def person_ids_by_key(keys) -> dict[str, int]:
    """Person ids by ``parse_identity`` key, whichever kind of identifier it is."""
    keys = set(keys)
    found = person_ids_by_citizen_id(keys)
    passports = [k.split(":", 1) for k in keys if ":" in k]
    by_country: dict[str, list[str]] = {}
    for country, number in passports:
        by_country.setdefault(country, []).append(number)
    for country, numbers in by_country.items():
        for start in range(0, len(numbers), 900):
            rows = Person.objects.filter(
                nationality=country, passport_no__in=numbers[start : start + 900]
            ).values_list("passport_no", "id")
            found.update({passport_key(number, country): pk for number, pk in rows if number})
    return found


def exemptions(unit: Unit, period: str, person_ids) -> dict[int, frozenset[str]]:
    """The insurance types each person is exempt from in ``period``: a foreign national
    whose employment at the unit records a certificate of coverage valid during the month,
    from a country whose agreement with China is in force (O16 Art. 9)."""
    start = domain.period_start(period)
    end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )
    rows = (
        Employment.objects.filter(unit_id=unit.pk, person_id__in=person_ids)
        .exclude(coverage_certificate_no="")
        .filter(coverage_valid_from__lte=end, coverage_valid_to__gte=start)
        .exclude(person__nationality="")
        .values_list("person_id", "person__nationality")
    )
    found = {}
    for person_id, nationality in rows:
        exempt = agreements.exempt_types(nationality, start, unit.region)
        if exempt:
            found[person_id] = exempt
    return found


def check_lines(
    unit: Unit, period: str, raw_lines, *, today: datetime.date, known: dict[str, int] | None = None
) -> CheckedDeclaration:
    """Check ``raw_lines`` of one unit-month: ``(line number, citizen_id, wage)``, or
    ``(line number, citizen_id, wage, passport_no, nationality)`` where a line may name a
    foreign national by passport instead of an ID number.

    ``known`` maps keys (``parse_identity``) to person ids when the caller already looked
    them up (a file import does it once for the whole file).
    """
    errors: list[RowError] = []
    parsed: list[tuple[int, str, Decimal]] = []
    fields: dict[int, str] = {}
    for raw in raw_lines:
        line_no, citizen_id, wage = raw[:3]
        passport_no, nationality = (raw[3], raw[4]) if len(raw) > 3 else (None, None)
        fields[line_no] = "passport_no" if passport_no not in (None, "") else "citizen_id"
        try:
            number, fields[line_no] = parse_identity(
                citizen_id, passport_no, nationality, today=today
            )
        except ids.IdError as exc:
            field = "nationality" if exc.code == "invalid_nationality" else fields[line_no]
            errors.append(RowError(line_no, field, str(exc.reason)))
            number = None
        try:
            amount = parse_wage(wage)
        except AmountError as exc:
            errors.append(RowError(line_no, "wage", exc.reason))
            amount = None
        if number is not None and amount is not None:
            parsed.append((line_no, number, amount))
    if known is None:
        known = person_ids_by_key({number for _l, number, _w in parsed})
    employed = employed_person_ids(
        unit.pk, period, {known[n] for _l, n, _w in parsed if n in known}
    )
    lines: list[tuple[int, int, Decimal]] = []
    seen: dict[int, int] = {}
    for line_no, number, amount in parsed:
        person_id = known.get(number)
        field = fields[line_no]
        if person_id is None or person_id not in employed:
            why = NOT_AN_EMPLOYEE_PASSPORT if field == "passport_no" else NOT_AN_EMPLOYEE
            errors.append(RowError(line_no, field, why % {"period": period}))
        elif person_id in seen:
            errors.append(
                RowError(
                    line_no,
                    field,
                    _("this person is already declared on line %(line)d")
                    % {"line": seen[person_id]},
                )
            )
        else:
            seen[person_id] = line_no
            lines.append((line_no, person_id, amount))
    return refuse_closed_accounts(
        CheckedDeclaration(
            unit=unit,
            period=period,
            lines=lines,
            errors=sorted(errors, key=lambda e: (e.line, e.field)),
            exempt=exemptions(unit, period, [p for _l, p, _w in lines]) if lines else {},
        )
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


# Employees left out ----------------------------------------------------------------------


def _month_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    start = domain.period_start(period)
    following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def omission_warnings(checked: CheckedDeclaration) -> list[CheckWarning]:
    """The unit's employees of the month that the declaration leaves out, one warning
    each: a person with a confirmed employment at the unit during some day of the month
    (anyone the declaration could name) and no line. Persons are compared by their id,
    whatever identifies them on the lines. One query for the unit-month."""
    start, end = _month_bounds(checked.period)
    declared = {person_id for _line, person_id, _wage in checked.lines}
    employed = (
        Employment.objects.filter(
            unit_id=checked.unit.pk,
            status__in=registry_domain.EMPLOYMENT_CONFIRMED_STATES,
            started_on__lte=end,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .order_by("person_id")
        .values_list("person_id", "person__name", "person__citizen_id", "person__passport_no")
    )
    warnings, seen = [], set()
    for person_id, name, citizen_id, passport_no in employed:
        if person_id in declared or person_id in seen:
            continue
        seen.add(person_id)
        warnings.append(
            omission_warning(checked.unit, checked.period, person_id, name, citizen_id, passport_no)
        )
    return warnings


def omission_warning(unit: Unit, period: str, person_id: int, name, citizen_id, passport_no):
    """The warning that the unit's employee ``person_id`` is left out of its month."""
    number = ids.mask_citizen_id(citizen_id or passport_no or "")
    return CheckWarning(
        code="undeclared_employee",
        message=_("%(person)s, employed at %(unit)s in %(period)s, is not declared.")
        % {
            "person": f"{name} ({number})" if name else number,
            "unit": unit.name,
            "period": period,
        },
        facts=(unit.pk, period, person_id),
        extra={"unit_id": unit.pk, "period": period, "person_id": person_id},
    )

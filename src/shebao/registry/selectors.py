"""Reads of the registry, with the object-level rules of who may see what.

Staff see every record. A person user (``user.person``) sees only their own person record
and employments; a unit representative (``user.unit_representation.unit``) only their
unit, its employments and the persons employed there. Anything else is "not found", so
that a refusal does not confirm that a record exists.
"""

import datetime
from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.accounts.models import User
from shebao.audit.selectors import history_for
from shebao.core import clock
from shebao.core.errors import ShebaoError, invalid
from shebao.core.ids import mask_citizen_id
from shebao.core.locking import get_or_404
from shebao.core.money import format_money
from shebao.core.warnings import CheckWarning
from shebao.documents.models import Certificate
from shebao.policy.employment import end_reason_codes, former_employee_months
from shebao.policy.packs import find_region, get_pack, pack_for_region
from shebao.registry import domain
from shebao.registry.models import ComplianceRun, Employment, Person, Unit

# Visibility ----------------------------------------------------------------------------


def _represented_unit_id(user: User):
    representation = getattr(user, "unit_representation", None)
    return representation.unit_id if representation is not None else None


def units_visible(user: User):
    units = Unit.objects.all()
    if user.role in roles.STAFF_ROLES:
        return units
    if user.role == roles.UNIT_REP:
        return units.filter(pk=_represented_unit_id(user))
    return units.none()


def _access_since(region: str):
    """The earliest end date of an employment through which a unit still sees the
    person, by the region's pack."""
    return domain.months_before(clock.today(), former_employee_months(region))


def _unit_sees_employment(unit_id) -> Q:
    """The employments through which a unit sees the person: its current employees and
    those who left within the pack's ``former_employee_access`` period. A pending or
    refused employment shows the unit nothing of the person."""
    unit = Unit.objects.filter(pk=unit_id).only("region").first()
    if unit is None:
        return Q(pk__in=[])
    since = _access_since(unit.region)
    return Q(unit_id=unit_id) & (
        Q(status=domain.EMPLOYMENT_OPEN) | Q(status=domain.EMPLOYMENT_ENDED, ended_on__gte=since)
    )


def persons_visible(user: User):
    persons = Person.objects.all()
    if user.role in roles.STAFF_ROLES:
        return persons
    if user.role == roles.UNIT_REP:
        seen = _unit_sees_employment(_represented_unit_id(user))
        return persons.filter(pk__in=Employment.objects.filter(seen).values("person"))
    if user.role == roles.PERSON:
        return persons.filter(user=user)
    return persons.none()


def employments_visible(user: User):
    """A unit sees the employments that show it the person, and those waiting for (or
    refused) the agency's confirmation, which it asked for; shown without the person."""
    employments = Employment.objects.select_related("unit", "person")
    if user.role in roles.STAFF_ROLES:
        return employments
    if user.role == roles.UNIT_REP:
        unit_id = _represented_unit_id(user)
        return employments.filter(
            _unit_sees_employment(unit_id)
            | Q(
                unit_id=unit_id,
                status__in=(domain.EMPLOYMENT_PENDING, domain.EMPLOYMENT_REFUSED),
            )
        )
    if user.role == roles.PERSON:
        # Their own record, including an employment a unit claims and the agency has
        # yet to confirm.
        return employments.filter(person__user=user)
    return employments.none()


def shows_person(user: User, employment) -> bool:
    """Whether the user may see who this employment is of (name and person record):
    staff always; the person themselves; a unit only through a confirmed employment
    within its period of access."""
    if user.role in roles.STAFF_ROLES:
        return True
    if user.role == roles.PERSON:
        return employment.person.user_id == user.pk
    if user.role == roles.UNIT_REP:
        if employment.unit_id != _represented_unit_id(user):
            return False
        if employment.status == domain.EMPLOYMENT_OPEN:
            return True
        since = _access_since(employment.unit.region)
        return employment.status == domain.EMPLOYMENT_ENDED and employment.ended_on >= since
    return False


def unit_get(*, user: User, unit_id) -> Unit:
    return get_or_404(units_visible(user), unit_id)


def unit_registration_record(unit: Unit):
    """The certificate recording the unit's registration decision (the latest), or None
    before the decision."""
    return (
        Certificate.objects.filter(
            kind=Certificate.Kind.UNIT_REGISTRATION,
            subject_type="registry.unit",
            subject_id=str(unit.pk),
        )
        .order_by("-issued_on", "-pk")
        .first()
    )


def person_get(*, user: User, person_id) -> Person:
    return get_or_404(persons_visible(user), person_id)


def employment_get(*, user: User, employment_id) -> Employment:
    return get_or_404(employments_visible(user), employment_id)


def require_person_visible(*, user: User, person_id, field: str = "person_id") -> None:
    """Refuse, as an unknown person, a person id the user may not see: a unit may name an
    existing person only once they have worked there; new employees go by ID number."""
    if not persons_visible(user).filter(pk=person_id).exists():
        raise invalid(field, _("no such person"))


def unit_list(*, user: User, status=None, region=None, search=None):
    units = units_visible(user)
    if status:
        units = units.filter(status=status)
    if region:
        units = units.filter(region=region)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(uscc=search.strip().upper()))
    return units.order_by("pk")


def person_list(*, user: User, citizen_id=None, passport_no=None):
    """Staff search: an exact identity number (never a partial one: no browsing by
    fragments of ID numbers)."""
    persons = persons_visible(user)
    if citizen_id:
        persons = persons.filter(citizen_id="".join(citizen_id.split()).upper())
    if passport_no:
        persons = persons.filter(passport_no="".join(passport_no.split()).upper())
    return persons.order_by("pk")


def employment_list(*, user: User, status=None):
    """Staff: employments across units, e.g. those waiting for confirmation."""
    employments = employments_visible(user)
    if status:
        employments = employments.filter(status=status)
    return employments.order_by("pk")


def unit_employments(*, user: User, unit_id, status=None):
    unit = unit_get(user=user, unit_id=unit_id)
    employments = employments_visible(user).filter(unit=unit)
    if status:
        employments = employments.filter(status=status)
    return employments.order_by("pk")


def person_employments(*, user: User, person_id, status=None):
    person = person_get(user=user, person_id=person_id)
    employments = employments_visible(user).filter(person=person)
    if status:
        employments = employments.filter(status=status)
    return employments.order_by("pk")


def record_history(record) -> list:
    """The audit events of one record, oldest first: its history."""
    return history_for(f"{record._meta.app_label}.{record._meta.model_name}", record.pk)


# Policy --------------------------------------------------------------------------------


def employment_end_reason_codes(region_code: str) -> frozenset[str]:
    """The reasons an employment may end for, as the region's policy pack lists them."""
    return end_reason_codes(region_code)


# Compliance (SIL Arts. 58 and 84) -------------------------------------------------------

UNIT_REGISTRATION_LATE = "unit_registration_late"
UNIT_REGISTRATION_MISSING = "unit_registration_missing"
DECISION_OVERDUE = "registration_decision_overdue"
EMPLOYEE_REGISTRATION_LATE = "employee_registration_late"

BASE_CLAMPED = "clamped"
BASE_DECLARED_NO_LIMITS = "declared_wage_no_limits"
BASE_DECLARED_NO_LIMITS_FOR_YEAR = "declared_wage_no_limits_for_year"

FINDING_KIND_NAMES = {
    UNIT_REGISTRATION_LATE: _("Unit applied for registration late"),
    UNIT_REGISTRATION_MISSING: _("Unit still not registered"),
    DECISION_OVERDUE: _("Registration decision overdue"),
    EMPLOYEE_REGISTRATION_LATE: _("Employee registered late"),
}
BASE_RULE_NAMES = {
    BASE_CLAMPED: _("the declared wage held between the floor and cap in force in each month"),
    BASE_DECLARED_NO_LIMITS: _(
        "the declared wage: the policy pack has no contribution base limits yet"
    ),
    BASE_DECLARED_NO_LIMITS_FOR_YEAR: _(
        "the declared wage: the region has no contribution base limits for that year"
    ),
}


def _texts(text) -> dict:
    return {"zh": text.zh, "en": text.en}


def _consequence(pack, code):
    consequence = pack.consequences.get(code) if pack is not None else None
    if consequence is None:
        return None
    return {
        "code": consequence.code,
        "name": _texts(consequence.names),
        "text": _texts(consequence.text),
        "basis": {"code": consequence.basis.code, **_texts(consequence.basis.text)},
    }


def _obligation_basis(pack, code):
    obligation = pack.obligations.get(code) if pack is not None else None
    if obligation is None:
        return None
    return {"code": obligation.basis.code, **_texts(obligation.basis.text)}


def _pack_or_none(region_code):
    try:
        return pack_for_region(region_code)
    except KeyError:
        return None


def _status_on(unit: Unit, day: datetime.date) -> str:
    """The unit's registration status as it stood at the end of ``day``."""
    if unit.registered_on is not None and unit.registered_on <= day:
        if unit.terminated_on is not None and unit.terminated_on <= day:
            return domain.UNIT_CANCELLED
        return domain.UNIT_REGISTERED
    if unit.rejected_on is not None and unit.rejected_on <= day:
        return domain.UNIT_REJECTED
    return domain.UNIT_PENDING


def _unit_facts(unit: Unit, as_of: datetime.date) -> dict:
    return {
        "unit_id": unit.pk,
        "uscc": unit.uscc,
        "name": unit.name,
        "region": unit.region,
        "status": _status_on(unit, as_of),
        "established_on": unit.established_on.isoformat(),
        "registration_due_on": unit.registration_due_on.isoformat(),
        "registration_received_on": unit.registration_received_on.isoformat(),
    }


def _unit_findings(as_of: datetime.date) -> list[dict]:
    not_decided_by = (Q(registered_on__isnull=True) | Q(registered_on__gt=as_of)) & (
        Q(rejected_on__isnull=True) | Q(rejected_on__gt=as_of)
    )
    candidates = (
        Unit.objects.filter(registration_received_on__lte=as_of)
        .filter(
            Q(registration_late=True)
            | Q(rejected_on__lte=as_of, registration_due_on__lt=as_of)
            | (Q(decision_due_on__lt=as_of) & not_decided_by)
        )
        .order_by("pk")
    )
    findings = []
    for unit in candidates:
        pack = _pack_or_none(unit.region)
        status = _status_on(unit, as_of)
        if status == domain.UNIT_REJECTED and unit.registration_due_on < as_of:
            findings.append(
                {
                    "kind": UNIT_REGISTRATION_MISSING,
                    **_unit_facts(unit, as_of),
                    "days_overdue": domain.days_between(unit.registration_due_on, as_of),
                    "consequence": _consequence(pack, "unit_unregistered"),
                }
            )
        elif unit.registration_late:
            findings.append(
                {
                    "kind": UNIT_REGISTRATION_LATE,
                    **_unit_facts(unit, as_of),
                    "days_late": domain.days_between(
                        unit.registration_due_on, unit.registration_received_on
                    ),
                    "consequence": _consequence(pack, "unit_unregistered"),
                }
            )
        if status == domain.UNIT_PENDING and unit.decision_due_on < as_of:
            # The agency's own time limit, not the unit's: no penalty, but it must act.
            findings.append(
                {
                    "kind": DECISION_OVERDUE,
                    **_unit_facts(unit, as_of),
                    "decision_due_on": unit.decision_due_on.isoformat(),
                    "days_overdue": domain.days_between(unit.decision_due_on, as_of),
                    "basis": _obligation_basis(pack, "registration_decision"),
                    "consequence": None,
                }
            )
    return findings


def _month_limits(region, month: str):
    """``(rule, floor, cap, base_year, fallback)`` for one ``YYYY-MM``."""
    limits_for = getattr(region, "base_limits", None) if region is not None else None
    if limits_for is None:
        return BASE_DECLARED_NO_LIMITS, None, None, None, False
    try:
        limits = limits_for(int(month[:4]), int(month[5:7]))
    except LookupError:
        return BASE_DECLARED_NO_LIMITS_FOR_YEAR, None, None, None, False
    floor, cap = limits
    base_year = getattr(limits, "year", int(month[:4]))
    return BASE_CLAMPED, floor, cap, base_year, bool(getattr(limits, "fallback", False))


def assessed_bases(region, wage, months: list[str]) -> tuple[list[dict], str]:
    """The base the assessment uses for each run of months under the same limits, and
    the rule overall.

    The base is the declared wage held between the region's floor and cap in force in
    that month (``Region.base_limits``). Where the policy pack has no limits for a month,
    the base is the declared wage itself, and the rule says so.
    """
    groups: list[dict] = []
    for month in months:
        rule, floor, cap, base_year, fallback = _month_limits(region, month)
        key = (rule, floor, cap, base_year, fallback)
        if groups and groups[-1]["key"] == key:
            groups[-1]["months"].append(month)
            continue
        groups.append(
            {
                "key": key,
                "rule": rule,
                "months": [month],
                "base_year": base_year,
                "limits_from_earlier_year": fallback,
                "floor": format_money(floor) if floor is not None else None,
                "cap": format_money(cap) if cap is not None else None,
                "base": format_money(domain.clamp_base(wage, floor, cap)),
            }
        )
    for group in groups:
        del group["key"]
    overall = next((g["rule"] for g in groups if g["rule"] != BASE_CLAMPED), BASE_CLAMPED)
    return groups, overall


# The ledger prices the months an employee went unregistered. It sits above the registry
# (its accounts and declarations name units and persons), so it hands its calculation in
# when its app is ready (``shebao.ledger.apps``) and the registry never imports it.
_premium_assessor: Callable[..., dict] | None = None


def set_premium_assessor(assessor: Callable[..., dict]) -> None:
    """The calculation of the premium for unregistered months: keyword arguments
    ``region``, ``industry_class``, ``wage``, ``months``, ``work_injury_float_percent``."""
    global _premium_assessor
    _premium_assessor = assessor


def _assessed_premium(unit, wage, months: list[str]) -> dict | None:
    """The premium payable for the unregistered months, or None where the pack lacks the
    figures to compute it (the months and bases above still say what will be used)."""
    if not months:
        return None
    if _premium_assessor is None:
        raise RuntimeError("no premium assessor: the ledger app is not ready")
    try:
        premium = _premium_assessor(
            region=unit.region,
            industry_class=unit.industry_class,
            wage=wage,
            months=months,
            work_injury_float_percent=unit.work_injury_float_percent,
        )
    except LookupError:
        return None
    return {
        "total": format_money(premium["total"]),
        "unit_part": format_money(premium["unit_total"]),
        "personal_part": format_money(premium["personal_total"]),
        "by_type": {
            kind: {"unit": format_money(u), "personal": format_money(p)}
            for kind, (u, p) in premium["by_type"].items()
        },
        "by_month": [
            {
                "month": m["month"],
                "base": format_money(m["base"]),
                "total": format_money(m["unit"] + m["personal"]),
            }
            for m in premium["months"]
        ],
    }


def _employment_findings(as_of: datetime.date) -> list[dict]:
    late = (
        Employment.objects.filter(
            late=True, registered_on__lte=as_of, status__in=domain.EMPLOYMENT_CONFIRMED_STATES
        )
        .select_related("unit", "person")
        .order_by("pk")
    )
    findings = []
    for employment in late:
        unit, person = employment.unit, employment.person
        months = domain.unregistered_months(employment.started_on, employment.registered_on)
        bases, rule = assessed_bases(find_region(unit.region), employment.monthly_wage, months)
        premium = _assessed_premium(unit, employment.monthly_wage, months)
        findings.append(
            {
                "kind": EMPLOYEE_REGISTRATION_LATE,
                "employment_id": employment.pk,
                "unit_id": unit.pk,
                "unit_name": unit.name,
                "uscc": unit.uscc,
                "region": unit.region,
                "person_id": person.pk,
                "person_name": person.name,
                "person_identifier": mask_citizen_id(person.citizen_id or person.passport_no),
                "started_on": employment.started_on.isoformat(),
                "registration_due_on": employment.registration_due_on.isoformat(),
                "registered_on": employment.registered_on.isoformat(),
                "days_late": domain.days_between(
                    employment.registration_due_on, employment.registered_on
                ),
                "monthly_wage": format_money(employment.monthly_wage),
                "months": months,
                "bases": bases,
                "base_rule": rule,
                "assessed_premium": premium,
                "consequence": _consequence(_pack_or_none(unit.region), "employee_unregistered"),
            }
        )
    return findings


def compliance_findings(as_of: datetime.date) -> dict:
    """Late and missing registrations as of a date (JSON-ready, both languages kept).

    - units that applied for registration after their due date, or whose application
      was rejected and who are still unregistered past it (consequence
      ``unit_unregistered``, SIL Art. 84); pending applications past the agency's own
      decision date;
    - employments registered after their due date (consequence ``employee_unregistered``,
      SIL Art. 58 para 1), with the months the agency assesses (start month through the
      month before registration) and the monthly base it uses.
    """
    units = _unit_findings(as_of)
    employments = _employment_findings(as_of)
    return {
        "as_of": as_of.isoformat(),
        "counts": {"units": len(units), "employments": len(employments)},
        "units": units,
        "employments": employments,
    }


def _pick(texts: dict | None) -> str | None:
    if texts is None:
        return None
    language = get_language() or "zh-hans"
    return texts.get("en") if language.startswith("en") else texts.get("zh")


def _localise_item(item: dict) -> dict:
    shown = dict(item)
    shown["kind_name"] = str(FINDING_KIND_NAMES.get(item["kind"], item["kind"]))
    consequence = item.get("consequence")
    if consequence is not None:
        shown["consequence"] = {
            "code": consequence["code"],
            "name": _pick(consequence["name"]),
            "text": _pick(consequence["text"]),
            "basis": _pick(consequence["basis"]),
        }
    if item.get("basis") is not None:
        shown["basis"] = _pick(item["basis"])
    if "base_rule" in item:
        shown["base_rule_text"] = str(BASE_RULE_NAMES.get(item["base_rule"], item["base_rule"]))
    return shown


def localise_findings(findings: dict) -> dict:
    """The findings with texts in the active language, as the API and the command show."""
    return {
        **findings,
        "units": [_localise_item(item) for item in findings["units"]],
        "employments": [_localise_item(item) for item in findings["employments"]],
    }


def compliance_latest() -> ComplianceRun | None:
    return ComplianceRun.objects.order_by("-created_at", "-pk").first()


# Warnings to acknowledge ---------------------------------------------------------------


def nameless_person_warning(*, citizen_id: str, unit_id: int) -> CheckWarning:
    """A person about to be registered from an ID number the registry does not know,
    without a name: nobody then vouches that the number is the employee's."""
    masked = mask_citizen_id(citizen_id)
    return CheckWarning(
        code="person_without_name",
        message=_(
            "The ID number %(number)s is not registered yet and no name was given: the "
            "person would be registered without a name. Check the number against the "
            "identity document, or give the name."
        )
        % {"number": masked},
        facts=(unit_id, masked),
    )


def duplicate_enrolment_warnings(person: Person, *, unit_id: int) -> list[CheckWarning]:
    """The person's open employments at other units than ``unit_id``: every employment is
    full-time insurance, so a second open one is a duplicate enrolment unless the person
    really works for both units."""
    others = list(
        Employment.objects.filter(person=person, status=domain.EMPLOYMENT_OPEN)
        .exclude(unit_id=unit_id)
        .select_related("unit")
        .order_by("pk")
    )
    if not others:
        return []
    return [
        CheckWarning(
            code="employed_elsewhere",
            message=_(
                "%(person)s already has an open employment at %(units)s: a second one "
                "enrols the person twice, unless they really work for both units."
            )
            % {
                "person": person.name or mask_citizen_id(person.citizen_id or person.passport_no),
                "units": str(_(", ")).join(
                    str(_("%(unit)s (since %(day)s)") % {"unit": e.unit.name, "day": e.started_on})
                    for e in others
                ),
            },
            facts=(person.pk, unit_id, *(e.pk for e in others)),
            extra={"employment_ids": [e.pk for e in others]},
        )
    ]


def units_awaiting_decision() -> list[Unit]:
    """Registration applications the agency has still to approve or reject, the one whose
    decision is due first at the top."""
    return list(Unit.objects.filter(status=Unit.Status.PENDING).order_by("decision_due_on", "pk"))


# The desk's search and lists -----------------------------------------------------------

SEARCH_LIMIT = 50


def person_search_by_name(*, user: User, name: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Persons whose name contains ``name`` (at most ``limit``, by name): the desk's search
    by name. Identity numbers are found only whole (``person_list``), never by part."""
    name = " ".join((name or "").split())
    if not name:
        return []
    return list(persons_visible(user).filter(name__icontains=name).order_by("name", "pk")[:limit])


def unit_search(
    *, user: User, status=None, search=None, limit: int = SEARCH_LIMIT
) -> tuple[list[Unit], bool]:
    """The desk's search of units (``unit_list``): at most ``limit`` of them, and whether
    there were more."""
    found = list(unit_list(user=user, status=status, search=search)[: limit + 1])
    return found[:limit], len(found) > limit


def unit_choices(*, user: User) -> list[Unit]:
    """The units that may register employees now, by name: a form's list of units."""
    return list(
        units_visible(user)
        .filter(status__in=domain.UNIT_STATES_TAKING_EMPLOYEES)
        .order_by("name", "pk")
    )


def employee_registration_days(region_code: str | None = None) -> int | None:
    """How many days a unit has to register an employee (SIL Art. 58 para 1) by the
    region's pack (the default pack without a region), today; None where it has none."""
    try:
        pack = pack_for_region(region_code) if region_code else get_pack()
        return pack.obligation("employee_registration", clock.today()).days
    except (KeyError, LookupError, ShebaoError):
        return None

"""Every write to the registry: units, persons, employments and compliance runs.

Each function runs in one transaction: it locks the rows it changes, checks the request
against the rules (``shebao.registry.domain``) and the policy pack, writes, and records
an audit event whose data holds each changed field before and after, so the audit trail
is the history of every record. Bad input changes nothing and says which field is wrong.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.audit.services import audit_personal_data_view, audit_record
from shebao.core import clock
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, NotFound, invalid
from shebao.core.ids import mask_citizen_id
from shebao.core.periods import deadline
from shebao.core.text import clean_line
from shebao.documents import domain as documents_domain
from shebao.documents.models import Certificate
from shebao.documents.services import certificate_issue, certificate_revoke
from shebao.policy import contributions
from shebao.policy.errors import NoPolicyValue
from shebao.policy.registry import find_region, pack_for_region
from shebao.policy.retirement import retirement_policy
from shebao.registry import domain, selectors
from shebao.registry.models import ComplianceRun, Employment, Person, Unit, UnitRepresentative

UNIT_FIELDS = (
    "uscc",
    "name",
    "industry_class",
    "established_on",
    "region",
    "status",
    "registration_due_on",
    "registration_received_on",
    "registration_late",
    "decision_due_on",
    "registered_on",
    "rejected_on",
    "certificate_no",
    "rejection_reason",
    "terminated_on",
)
PERSON_FIELDS = (
    "citizen_id",
    "passport_no",
    "nationality",
    "name",
    "birth_date",
    "sex",
    "retirement_category",
    "status",
    "died_on",
    "residency",
    "hukou_province",
    "benefits_since",
    "user_id",
)
EMPLOYMENT_FIELDS = (
    "unit_id",
    "person_id",
    "started_on",
    "monthly_wage",
    "registration_due_on",
    "registered_on",
    "late",
    "status",
    "ended_on",
    "end_reason",
    "end_report_due_on",
    "end_reported_on",
    "confirmation_reason",
    "declared_name",
    "refusal_reason",
    "coverage_certificate_no",
    "coverage_valid_from",
    "coverage_valid_to",
)
# Identity numbers are kept masked in the audit trail: reading them in full is itself an
# audited act (``person_id_reveal``), which the history must not bypass.
MASKED_IN_HISTORY = {"citizen_id", "passport_no"}


def _snapshot(instance, fields) -> dict:
    values = {}
    for name in fields:
        value = getattr(instance, name) if instance is not None else None
        values[name] = mask_citizen_id(value) if name in MASKED_IN_HISTORY and value else value
    return values


def _changes(before: dict, after: dict) -> dict:
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def _lock(model, pk):
    """The row with this primary key, locked for the rest of the transaction, or 404."""
    if not isinstance(pk, int) or isinstance(pk, bool):
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise NotFound() from None
    row = model.objects.select_for_update().filter(pk=pk).order_by("pk").first()
    if row is None:
        raise NotFound()
    return row


def _due_on(pack, obligation_code: str, start):
    """The last day of the period that an event on ``start`` opens, by the version of the
    obligation in force that day. An event older than the obligation's first version
    (a unit established before the law took effect) owes it from the day it took effect:
    the law does not reach back, but it binds from then on."""
    versions = getattr(pack, "obligation_versions", {}).get(obligation_code)
    if versions:
        in_force = [v for v in versions if v.in_force_on(start)]
        if in_force:
            obligation = in_force[0]
        elif start < versions[0].effective_from:
            obligation, start = versions[0], versions[0].effective_from
        else:
            obligation = pack.obligation(obligation_code, start)  # says none is in force
    else:
        obligation = pack.obligation(obligation_code)
    return deadline(start, obligation.days, obligation.day_kind).due_on


def _check_region(code) -> str:
    if not isinstance(code, str) or not code.strip():
        raise invalid("region", _("is required"))
    code = code.strip()
    if find_region(code) is None:
        raise invalid(
            "region",
            _("unknown region %(code)s: no loaded policy pack covers it") % {"code": code},
            code="unknown_region",
        )
    return code


# Units ---------------------------------------------------------------------------------


def _check_industry_class(number, region, today):
    """The class number, if the pack's work-injury table in force today has it."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise invalid("industry_class", _("must be a whole number"))
    try:
        contributions.work_injury_class(number, today, region)
    except NoPolicyValue as exc:
        raise invalid("industry_class", exc.message) from None
    return number


def unit_register(
    *, actor, uscc, name, established_on, region, received_on=None, industry_class=None
) -> Unit:
    """Receive a unit's registration application (SIL Art. 57 para 1).

    The unit owed the application within the ``unit_registration`` period from its
    establishment; the agency owes a decision within ``registration_decision`` of
    receiving it. A unit whose earlier application was rejected may apply again: the
    same record goes back to pending.
    """
    today = clock.today()
    errors = domain.FieldErrors()
    number = errors.check("uscc", domain.check_uscc, uscc)
    name = errors.check("name", domain.clean_name, name, kind="unit")
    region = errors.check("region", _check_region, region)
    established_on = errors.check(
        "established_on", domain.parse_date, established_on, "established_on"
    )
    if established_on is not None:
        errors.check(
            "established_on", domain.not_in_future, established_on, "established_on", today
        )
    received_on = errors.check(
        "received_on",
        domain.parse_date,
        received_on if received_on is not None else today,
        "received_on",
    )
    if received_on is not None:
        errors.check("received_on", domain.not_in_future, received_on, "received_on", today)
        if established_on is not None and received_on < established_on:
            errors.add("received_on", _("is before the unit was established"))
    if industry_class is not None and region is not None:
        errors.check("industry_class", _check_industry_class, industry_class, region, today)
    errors.raise_if_any()

    pack = pack_for_region(region)
    due_on = _due_on(pack, "unit_registration", established_on)
    values = {
        "name": name,
        "established_on": established_on,
        "region": region,
        "status": domain.UNIT_PENDING,
        "registration_due_on": due_on,
        "registration_received_on": received_on,
        "registration_late": received_on > due_on,
        "decision_due_on": _due_on(pack, "registration_decision", received_on),
        "registered_on": None,
        "rejected_on": None,
        "rejection_reason": "",
        "industry_class": industry_class,
    }
    with transaction.atomic():
        existing = Unit.objects.select_for_update().filter(uscc=number).order_by("pk").first()
        if existing is not None:
            if existing.status != domain.UNIT_REJECTED:
                raise Conflict(
                    _("A unit with this unified social credit code is already registered."),
                    code="duplicate_unit",
                    fields={"uscc": _("already registered (unit %(id)d)") % {"id": existing.pk}},
                )
            before = _snapshot(existing, UNIT_FIELDS)
            for field, value in values.items():
                setattr(existing, field, value)
            existing.save(update_fields=list(values))
            audit_record(
                actor=actor,
                action="unit.registration_reapplied",
                target=existing,
                data={"changes": _changes(before, _snapshot(existing, UNIT_FIELDS))},
            )
            return existing
        try:
            with transaction.atomic():
                unit = Unit.objects.create(uscc=number, created_at=clock.now(), **values)
        except IntegrityError:
            # Another clerk registered the same code a moment ago.
            raise Conflict(
                _("A unit with this unified social credit code is already registered."),
                code="duplicate_unit",
                fields={"uscc": _("already registered")},
            ) from None
        audit_record(
            actor=actor,
            action="unit.registration_received",
            target=unit,
            data={"changes": _changes({}, _snapshot(unit, UNIT_FIELDS))},
        )
    return unit


def unit_registration_approve(*, actor, unit_id) -> Certificate:
    """Approve a pending registration: the unit is registered and receives its certificate."""
    with transaction.atomic():
        unit = _lock(Unit, unit_id)
        domain.require_unit_transition(unit.status, domain.UNIT_REGISTERED)
        before = _snapshot(unit, UNIT_FIELDS)
        today = clock.today()
        certificate = certificate_issue(
            actor=actor,
            kind=Certificate.Kind.UNIT_REGISTRATION,
            subject=unit,
            subject_masked=documents_domain.unit_subject(unit.name, unit.uscc),
            issued_on=today,
        )
        unit.status = domain.UNIT_REGISTERED
        unit.registered_on = today
        unit.certificate_no = certificate.number
        unit.save(update_fields=["status", "registered_on", "certificate_no"])
        audit_record(
            actor=actor,
            action="unit.registration_approved",
            target=unit,
            data={
                "changes": _changes(before, _snapshot(unit, UNIT_FIELDS)),
                "certificate_id": certificate.pk,
                "decided_late": today > unit.decision_due_on,
            },
        )
    return certificate


def unit_registration_reject(*, actor, unit_id, reason) -> Unit:
    reason = domain.clean_reason_text(reason)
    with transaction.atomic():
        unit = _lock(Unit, unit_id)
        domain.require_unit_transition(unit.status, domain.UNIT_REJECTED)
        before = _snapshot(unit, UNIT_FIELDS)
        unit.status = domain.UNIT_REJECTED
        unit.rejected_on = clock.today()
        unit.rejection_reason = reason
        unit.save(update_fields=["status", "rejected_on", "rejection_reason"])
        audit_record(
            actor=actor,
            action="unit.registration_rejected",
            target=unit,
            data={"changes": _changes(before, _snapshot(unit, UNIT_FIELDS))},
        )
    return unit


def unit_cancel(*, actor, unit_id, terminated_on) -> Unit:
    """Cancel a registered unit's registration; its employments must all have ended first."""
    terminated_on = domain.parse_date(terminated_on, "terminated_on")
    domain.not_in_future(terminated_on, "terminated_on", clock.today())
    with transaction.atomic():
        unit = _lock(Unit, unit_id)
        domain.require_unit_transition(unit.status, domain.UNIT_CANCELLED)
        if terminated_on < unit.established_on:
            raise invalid("terminated_on", _("is before the unit was established"))
        open_count = unit.employments.filter(status=domain.EMPLOYMENT_OPEN).count()
        if open_count:
            raise Conflict(
                _("%(n)d employments of this unit are still open: end them first.")
                % {"n": open_count},
                code="open_employments",
            )
        before = _snapshot(unit, UNIT_FIELDS)
        unit.status = domain.UNIT_CANCELLED
        unit.terminated_on = terminated_on
        unit.save(update_fields=["status", "terminated_on"])
        live_certificates = Certificate.objects.filter(
            kind=Certificate.Kind.UNIT_REGISTRATION,
            subject_type="registry.unit",
            subject_id=str(unit.pk),
            revoked_on__isnull=True,
        ).order_by("pk")
        for certificate_id in live_certificates.values_list("pk", flat=True):
            certificate_revoke(actor=actor, certificate_id=certificate_id)
        audit_record(
            actor=actor,
            action="unit.cancelled",
            target=unit,
            data={"changes": _changes(before, _snapshot(unit, UNIT_FIELDS))},
        )
    return unit


def unit_representative_add(*, actor, unit_id, user) -> UnitRepresentative:
    """Let a public user of the ``unit_rep`` role act for the unit (one unit per user)."""
    if getattr(user, "role", None) != roles.UNIT_REP:
        raise invalid("user", _("must be a user with the unit representative role"))
    with transaction.atomic():
        unit = _lock(Unit, unit_id)
        if unit.status == domain.UNIT_CANCELLED:
            raise Conflict(_("The unit's registration is cancelled."), code="unit_cancelled")
        existing = UnitRepresentative.objects.filter(user=user).first()
        if existing is not None:
            if existing.unit_id == unit.pk:
                return existing
            raise Conflict(
                _("This user already represents another unit."), code="user_already_linked"
            )
        representative = UnitRepresentative.objects.create(
            unit=unit, user=user, created_at=clock.now()
        )
        audit_record(
            actor=actor,
            action="unit.representative_added",
            target=unit,
            data={"user_id": user.pk, "username": user.username},
        )
    return representative


# Persons -------------------------------------------------------------------------------


def _clean_retirement_category(value, sex) -> str:
    """A category of the pack's retirement ages that fits the person's sex; "" (none
    recorded: the default for the sex applies) when not given."""
    if value in (None, ""):
        return ""
    policy = retirement_policy()
    fitting = [code for code, c in policy.categories.items() if c.sex == sex]
    if not isinstance(value, str) or value not in fitting:
        raise invalid(
            "retirement_category",
            _("must be one of: %(known)s") % {"known": ", ".join(fitting) or "-"},
        )
    return value


def _create_citizen(
    *, actor, parsed, name: str, nationality: str = "", retirement_category: str = ""
) -> Person:
    """Insert a person identified by a checked 18-character ID number, with its audit
    event: a citizen, a resident of Hong Kong, Macao or Taiwan (their residency recorded),
    or a foreign permanent resident (a foreign national: ``nationality`` given)."""
    try:
        with transaction.atomic():
            person = Person.objects.create(
                citizen_id=parsed.number,
                name=name,
                birth_date=parsed.birth_date,
                sex=parsed.sex,
                residency=parsed.residency,
                nationality=nationality if parsed.foreign else "",
                retirement_category=retirement_category,
                created_at=clock.now(),
            )
    except IntegrityError:
        raise _duplicate_person("citizen_id") from None
    person.warnings = list(parsed.warnings)
    audit_record(
        actor=actor,
        action="person.registered",
        target=person,
        data={
            "changes": _changes({}, _snapshot(person, PERSON_FIELDS)),
            "warnings": person.warnings,
        },
    )
    return person


def _duplicate_person(field: str) -> Conflict:
    return Conflict(
        _("This person is already registered."),
        code="duplicate_person",
        fields={field: _("already registered")},
    )


def person_register(
    *,
    actor,
    name,
    citizen_id=None,
    passport_no=None,
    nationality=None,
    birth_date=None,
    sex=None,
    retirement_category=None,
) -> Person:
    """Register a person: a citizen by ID number (SIL Art. 58 para 3: it is their social
    security number; birth date and sex are read from it), a resident of Hong Kong, Macao
    or Taiwan by residence permit number (81, 82, 83: their residency is recorded), a
    foreign permanent resident by the 2023 ID number (first digit 9) with their
    nationality, and any other foreign national by passport number and nationality, with
    birth date and sex given. ``retirement_category`` (the pack's retirement ages) may be
    recorded at once; without it the default applies.
    """
    today = clock.today()
    errors = domain.FieldErrors()
    name = errors.check("name", domain.clean_name, name)
    has_citizen_id = citizen_id not in (None, "")
    has_passport = passport_no not in (None, "")
    if has_citizen_id and has_passport:
        errors.add("passport_no", _("give either a citizen ID number or a passport, not both"))
        errors.raise_if_any()
    if not has_passport:
        parsed = errors.check("citizen_id", domain.check_citizen_id, citizen_id, today=today)
        if parsed is not None:
            if birth_date not in (None, ""):
                given = errors.check("birth_date", domain.parse_date, birth_date, "birth_date")
                if given is not None and given != parsed.birth_date:
                    errors.add("birth_date", _("does not match the citizen ID number"))
            if sex not in (None, "") and str(sex).strip().upper() != parsed.sex:
                errors.add("sex", _("does not match the citizen ID number"))
            category = errors.check(
                "retirement_category",
                _clean_retirement_category,
                retirement_category,
                parsed.sex,
            )
        country = ""
        if parsed is not None and parsed.foreign:
            # A foreign permanent resident is a foreign national: their nationality is
            # recorded as for a passport.
            country = errors.check("nationality", domain.clean_nationality, nationality)
        elif nationality not in (None, ""):
            errors.add("nationality", _("is given only for a foreign national"))
        errors.raise_if_any()
        with transaction.atomic():
            if Person.objects.filter(citizen_id=parsed.number).exists():
                raise _duplicate_person("citizen_id")
            return _create_citizen(
                actor=actor,
                parsed=parsed,
                name=name,
                nationality=country,
                retirement_category=category,
            )

    number = errors.check("passport_no", domain.check_passport, passport_no)
    country = errors.check("nationality", domain.clean_nationality, nationality)
    born = errors.check("birth_date", domain.parse_date, birth_date, "birth_date")
    if born is not None:
        errors.check("birth_date", domain.not_in_future, born, "birth_date", today)
    sex = errors.check("sex", domain.clean_sex, sex)
    category = ""
    if sex is not None:
        category = errors.check(
            "retirement_category", _clean_retirement_category, retirement_category, sex
        )
    errors.raise_if_any()
    with transaction.atomic():
        if Person.objects.filter(passport_no=number, nationality=country).exists():
            raise _duplicate_person("passport_no")
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    passport_no=number,
                    nationality=country,
                    name=name,
                    birth_date=born,
                    sex=sex,
                    retirement_category=category,
                    created_at=clock.now(),
                )
        except IntegrityError:
            raise _duplicate_person("passport_no") from None
        person.warnings = []
        audit_record(
            actor=actor,
            action="person.registered",
            target=person,
            data={"changes": _changes({}, _snapshot(person, PERSON_FIELDS))},
        )
    return person


def person_link_user(*, actor, person_id, user) -> Person:
    """Give a public user (role ``person``) access to this person's own records."""
    if getattr(user, "role", None) != roles.PERSON:
        raise invalid("user", _("must be a user with the insured person role"))
    with transaction.atomic():
        person = _lock(Person, person_id)
        if person.user_id == user.pk:
            return person
        if person.user_id is not None:
            raise Conflict(
                _("This person is already linked to another user."), code="person_already_linked"
            )
        if Person.objects.filter(user=user).exists():
            raise Conflict(
                _("This user is already linked to another person."), code="user_already_linked"
            )
        before = _snapshot(person, PERSON_FIELDS)
        person.user = user
        person.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action="person.user_linked",
            target=person,
            data={"changes": _changes(before, _snapshot(person, PERSON_FIELDS))},
        )
    return person


def person_id_reveal(*, actor, person_id) -> str:
    """The person's full identity number, for staff; every reveal is in the audit trail."""
    with transaction.atomic():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise NotFound()
        field = "citizen_id" if person.citizen_id else "passport_no"
        audit_personal_data_view(
            actor=actor, person=person, what="citizen_id", data={"field": field}
        )
    return person.citizen_id or person.passport_no


def person_facts_record(*, actor, person_id, hukou_province=None, benefits_since=None) -> Person:
    """Record what the agency knows of a person beyond their identity: the province of
    their household registration (GB/T 2260, two digits; TM2009 Art. 5) and since when
    they receive a periodic benefit (HR2023 Art. 25). A value left out is not changed;
    an empty one clears it."""
    errors = domain.FieldErrors()
    changes = {}
    if hukou_province is not None:
        changes["hukou_province"] = errors.check(
            "hukou_province", domain.clean_province, hukou_province, "hukou_province"
        )
    if benefits_since is not None:
        since = None
        if benefits_since != "":
            since = errors.check(
                "benefits_since", domain.parse_date, benefits_since, "benefits_since"
            )
            if since is not None:
                errors.check(
                    "benefits_since", domain.not_in_future, since, "benefits_since", clock.today()
                )
        changes["benefits_since"] = since
    errors.raise_if_any()
    with transaction.atomic():
        person = _lock(Person, person_id)
        before = _snapshot(person, PERSON_FIELDS)
        for field, value in changes.items():
            setattr(person, field, value)
        if changes:
            person.save(update_fields=list(changes))
            audit_record(
                actor=actor,
                action="person.updated",
                target=person,
                data={"changes": _changes(before, _snapshot(person, PERSON_FIELDS))},
            )
    return person


def person_retirement_category_set(*, actor, person_id, retirement_category) -> Person:
    """Record the category that sets the person's statutory retirement age (a woman
    whose age was 55 or 50, from her file), or clear it (None or "") so that the
    pack's default for the person's sex applies again."""
    with transaction.atomic():
        person = _lock(Person, person_id)
        category = _clean_retirement_category(retirement_category, person.sex)
        if category == person.retirement_category:
            return person
        before = _snapshot(person, PERSON_FIELDS)
        person.retirement_category = category
        person.save(update_fields=["retirement_category"])
        audit_record(
            actor=actor,
            action="person.retirement_category_set",
            target=person,
            data={"changes": _changes(before, _snapshot(person, PERSON_FIELDS))},
        )
    return person


def person_record_death(*, actor, person_id, died_on) -> Person:
    died_on = domain.parse_date(died_on, "died_on")
    domain.not_in_future(died_on, "died_on", clock.today())
    with transaction.atomic():
        person = _lock(Person, person_id)
        domain.require_person_transition(person.status, domain.PERSON_DECEASED)
        if died_on < person.birth_date:
            raise invalid("died_on", _("is before the person's birth date"))
        before = _snapshot(person, PERSON_FIELDS)
        person.status = domain.PERSON_DECEASED
        person.died_on = died_on
        person.save(update_fields=["status", "died_on"])
        audit_record(
            actor=actor,
            action="person.death_recorded",
            target=person,
            data={"changes": _changes(before, _snapshot(person, PERSON_FIELDS))},
        )
    return person


def person_mark_cleared(*, actor, person_id) -> Person:
    """The insurance relationship has ended (clearance closed); the record is kept."""
    with transaction.atomic():
        person = _lock(Person, person_id)
        domain.require_person_transition(person.status, domain.PERSON_CLEARED)
        if person.employments.filter(status=domain.EMPLOYMENT_OPEN).exists():
            raise Conflict(_("The person still has an open employment."), code="open_employments")
        before = _snapshot(person, PERSON_FIELDS)
        person.status = domain.PERSON_CLEARED
        person.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="person.cleared",
            target=person,
            data={"changes": _changes(before, _snapshot(person, PERSON_FIELDS))},
        )
    return person


# Employments ---------------------------------------------------------------------------


def _person_for_employment(*, actor, errors, citizen_id, person_id, name, today):
    """The person an employment is for: by id, or by citizen ID number (registering them
    from the number when the registry does not know them yet). Locked."""
    if person_id not in (None, ""):
        try:
            person = _lock(Person, person_id)
        except NotFound:
            errors.add("person_id", _("no such person"))
            return None
        if citizen_id not in (None, ""):
            parsed = errors.check("citizen_id", domain.check_citizen_id, citizen_id, today=today)
            if parsed is not None and parsed.number != person.citizen_id:
                errors.add("citizen_id", _("does not match the person given by person_id"))
        return person
    parsed = errors.check("citizen_id", domain.check_citizen_id, citizen_id, today=today)
    if parsed is None:
        return None
    person = Person.objects.select_for_update().filter(citizen_id=parsed.number).first()
    if person is None and parsed.foreign:
        # A foreign national is registered with their nationality first (POST /persons).
        errors.add(
            "citizen_id",
            _("is a foreign permanent-residence ID: register the person with their nationality"),
        )
        return None
    if person is None and not errors.fields:
        person = _create_citizen(actor=actor, parsed=parsed, name=name or "")
        person.just_registered = True
    return person


def employment_register(
    *,
    actor,
    unit_id,
    started_on,
    monthly_wage,
    citizen_id=None,
    person_id=None,
    name=None,
    registered_on=None,
    acknowledge_warnings=(),
) -> Employment:
    """Register an employee (SIL Art. 58 para 1): due within ``employee_registration`` of
    the start of employment; a later registration is marked late and shows up in the
    compliance findings with the months the agency assesses.

    A unit representative names the person (the name is how it vouches for the ID
    number) and learns nothing about a person it does not employ: where the registry
    knows the person by another name, or as employed elsewhere, the employment waits
    for a clerk's confirmation (``employment_confirm``) instead of being refused or
    opened, and the answer is the same whichever the reason.

    Agency staff are warned instead, and must acknowledge each warning by its id: a
    person registered from an unknown ID number without a name, and a person who already
    has an open employment at another unit (a duplicate enrolment)."""
    today = clock.today()
    by_unit = getattr(actor, "role", None) == roles.UNIT_REP
    errors = domain.FieldErrors()
    name = errors.check("name", domain.clean_name, name, required=by_unit)
    started_on = errors.check("started_on", domain.parse_date, started_on, "started_on")
    if started_on is not None:
        errors.check("started_on", domain.not_in_future, started_on, "started_on", today)
    wage = errors.check("monthly_wage", domain.clean_wage, monthly_wage)
    registered_on = errors.check(
        "registered_on",
        domain.parse_date,
        registered_on if registered_on is not None else today,
        "registered_on",
    )
    if registered_on is not None:
        errors.check("registered_on", domain.not_in_future, registered_on, "registered_on", today)
        if started_on is not None and registered_on < started_on:
            errors.add("registered_on", _("is before the employment started"))

    with transaction.atomic():
        unit = _lock(Unit, unit_id)
        if started_on is not None and started_on < unit.established_on:
            errors.add(
                "started_on",
                _("is before the unit was established (%(day)s)") % {"day": unit.established_on},
            )
        # Field problems first: a request with a bad field changes nothing, not even
        # the registration of a new person from the ID number.
        if errors.fields:
            errors.raise_if_any()
        if unit.status not in domain.UNIT_STATES_TAKING_EMPLOYEES:
            raise Conflict(
                _("The unit's registration is %(status)s: it cannot register employees.")
                % {"status": unit.get_status_display()},
                code="unit_not_active",
            )
        person = _person_for_employment(
            actor=actor,
            errors=errors,
            citizen_id=citizen_id,
            person_id=person_id,
            name=name,
            today=today,
        )
        errors.raise_if_any()
        pending_reason = ""
        if by_unit and not getattr(person, "just_registered", False):
            pending_reason = domain.employment_pending_reason(
                name_given=name,
                name_registered=person.name,
                employed_elsewhere=person.employments.filter(
                    status__in=domain.EMPLOYMENT_LIVE_STATES
                )
                .exclude(unit=unit)
                .exists(),
                deceased=person.status == domain.PERSON_DECEASED,
            )
        if person.status == domain.PERSON_DECEASED and not pending_reason:
            raise Conflict(_("The person is recorded as deceased."), code="person_deceased")
        if started_on < person.birth_date:
            raise invalid("started_on", _("is before the person's birth date"))
        if name and person.name and name != person.name and not pending_reason:
            raise invalid(
                "name", _("does not match the name registered for this person: a mistyped ID?")
            )
        if name and not person.name and not pending_reason:
            before = _snapshot(person, PERSON_FIELDS)
            person.name = name
            person.save(update_fields=["name"])
            audit_record(
                actor=actor,
                action="person.updated",
                target=person,
                data={"changes": _changes(before, _snapshot(person, PERSON_FIELDS))},
            )
        same_pair = Employment.objects.filter(unit=unit, person=person)
        if same_pair.filter(status__in=domain.EMPLOYMENT_LIVE_STATES).exists():
            raise Conflict(
                _("This person already has an open employment at this unit."),
                code="employment_open",
            )
        if same_pair.filter(status=domain.EMPLOYMENT_ENDED, ended_on__gte=started_on).exists():
            raise Conflict(
                _("An earlier employment of this person at this unit ended on or after this date."),
                code="employment_overlaps",
                fields={"started_on": _("overlaps an earlier employment")},
            )
        warnings = []
        if not by_unit:
            if getattr(person, "just_registered", False) and not name:
                warnings.append(
                    selectors.nameless_person_warning(citizen_id=person.citizen_id, unit_id=unit.pk)
                )
            warnings += selectors.duplicate_enrolment_warnings(person, unit_id=unit.pk)
        acknowledged = core_warnings.require_acknowledged(warnings, acknowledge_warnings)
        due_on = _due_on(pack_for_region(unit.region), "employee_registration", started_on)
        try:
            with transaction.atomic():
                employment = Employment.objects.create(
                    unit=unit,
                    person=person,
                    started_on=started_on,
                    monthly_wage=wage,
                    registration_due_on=due_on,
                    registered_on=registered_on,
                    late=registered_on > due_on,
                    status=domain.EMPLOYMENT_PENDING if pending_reason else domain.EMPLOYMENT_OPEN,
                    confirmation_reason=pending_reason,
                    declared_name=name if pending_reason and name != person.name else "",
                    created_at=clock.now(),
                )
        except IntegrityError:
            raise Conflict(
                _("This person already has an open employment at this unit."),
                code="employment_open",
            ) from None
        audit_record(
            actor=actor,
            action="employment.registered",
            target=employment,
            data={
                "changes": _changes({}, _snapshot(employment, EMPLOYMENT_FIELDS)),
                **core_warnings.audit_data(acknowledged),
            },
        )
    return employment


def _lock_pending(employment_id) -> Employment:
    employment = _lock(Employment, employment_id)
    if employment.status != domain.EMPLOYMENT_PENDING:
        raise Conflict(
            _("The employment is not waiting for confirmation."), code="not_pending_confirmation"
        )
    return employment


def employment_confirm(*, actor, employment_id, acknowledge_warnings=()) -> Employment:
    """A clerk confirms an employment that waited: the person works at the unit (as
    well as wherever else they do), and the unit may declare them and see their record.
    The name the unit gave, where it differed, is not taken over: the registry keeps
    the registered one (a person registered without a name receives it). Where the
    person has an open employment at another unit, the clerk acknowledges the warning of
    a duplicate enrolment by its id."""
    with transaction.atomic():
        employment = _lock_pending(employment_id)
        person = _lock(Person, employment.person_id)
        if person.status == domain.PERSON_DECEASED:
            raise Conflict(_("The person is recorded as deceased."), code="person_deceased")
        acknowledged = core_warnings.require_acknowledged(
            selectors.duplicate_enrolment_warnings(person, unit_id=employment.unit_id),
            acknowledge_warnings,
        )
        if not person.name and employment.declared_name:
            person_before = _snapshot(person, PERSON_FIELDS)
            person.name = employment.declared_name
            person.save(update_fields=["name"])
            audit_record(
                actor=actor,
                action="person.updated",
                target=person,
                data={"changes": _changes(person_before, _snapshot(person, PERSON_FIELDS))},
            )
        before = _snapshot(employment, EMPLOYMENT_FIELDS)
        employment.status = domain.EMPLOYMENT_OPEN
        employment.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="employment.confirmed",
            target=employment,
            data={
                "changes": _changes(before, _snapshot(employment, EMPLOYMENT_FIELDS)),
                "waited_because": employment.confirmation_reason,
                **core_warnings.audit_data(acknowledged),
            },
        )
    return employment


def employment_refuse(*, actor, employment_id, reason) -> Employment:
    """A clerk refuses an employment that waited, giving the reason; the record stays."""
    if not isinstance(reason, str) or not reason.strip():
        raise invalid("reason", _("give the reason"))
    reason = reason.strip()
    if len(reason) > domain.REASON_MAX:
        raise invalid("reason", _("may be at most %(n)d characters") % {"n": domain.REASON_MAX})
    with transaction.atomic():
        employment = _lock_pending(employment_id)
        before = _snapshot(employment, EMPLOYMENT_FIELDS)
        employment.status = domain.EMPLOYMENT_REFUSED
        employment.refusal_reason = reason
        employment.save(update_fields=["status", "refusal_reason"])
        audit_record(
            actor=actor,
            action="employment.refused",
            target=employment,
            data={
                "changes": _changes(before, _snapshot(employment, EMPLOYMENT_FIELDS)),
                "reason": reason,
            },
        )
    return employment


def employment_end(*, actor, employment_id, ended_on, reason) -> Employment:
    """Record the end of an employment; the unit reports it within
    ``employment_end_report`` of the end date (Labour Contract Law Art. 50 para 1)."""
    today = clock.today()
    with transaction.atomic():
        employment = _lock(Employment, employment_id)
        if employment.status == domain.EMPLOYMENT_ENDED:
            raise Conflict(_("The employment has already ended."), code="already_ended")
        if employment.status != domain.EMPLOYMENT_OPEN:
            raise Conflict(_("The employment is not open."), code="employment_not_open")
        pack = pack_for_region(employment.unit.region)
        errors = domain.FieldErrors()
        ended_on = errors.check("ended_on", domain.parse_date, ended_on, "ended_on")
        if ended_on is not None:
            errors.check("ended_on", domain.not_in_future, ended_on, "ended_on", today)
            if ended_on < employment.started_on:
                errors.add(
                    "ended_on",
                    _("is before the employment started (%(day)s)")
                    % {"day": employment.started_on},
                )
        reason = errors.check(
            "reason",
            domain.clean_reason_code,
            reason,
            selectors.employment_end_reason_codes(employment.unit.region),
        )
        errors.raise_if_any()
        before = _snapshot(employment, EMPLOYMENT_FIELDS)
        employment.status = domain.EMPLOYMENT_ENDED
        employment.ended_on = ended_on
        employment.end_reason = reason
        employment.end_report_due_on = _due_on(pack, "employment_end_report", ended_on)
        employment.end_reported_on = today
        employment.save(
            update_fields=[
                "status",
                "ended_on",
                "end_reason",
                "end_report_due_on",
                "end_reported_on",
            ]
        )
        audit_record(
            actor=actor,
            action="employment.ended",
            target=employment,
            data={"changes": _changes(before, _snapshot(employment, EMPLOYMENT_FIELDS))},
        )
    return employment


def employment_coverage_record(
    *, actor, employment_id, certificate_no, valid_from, valid_to
) -> Employment:
    """Record the certificate of coverage a foreign employee holds under a bilateral
    social security agreement (O16 Art. 9): while it is valid, the declaration charges
    no premium for the insurance types the agreement with their country exempts."""
    errors = domain.FieldErrors()
    number = errors.check(
        "certificate_no",
        clean_line,
        certificate_no,
        "certificate_no",
        max_length=Employment._meta.get_field("coverage_certificate_no").max_length,
    )
    start = errors.check("valid_from", domain.parse_date, valid_from, "valid_from")
    end = errors.check("valid_to", domain.parse_date, valid_to, "valid_to")
    if start is not None and end is not None and end < start:
        errors.add("valid_to", _("is before the start of validity"))
    errors.raise_if_any()
    with transaction.atomic():
        employment = _lock(Employment, employment_id)
        person = employment.person
        if not person.nationality:
            raise invalid(
                "employment_id",
                _("the person is not a foreign national: a certificate of coverage does not apply"),
            )
        before = _snapshot(employment, EMPLOYMENT_FIELDS)
        employment.coverage_certificate_no = number
        employment.coverage_valid_from = start
        employment.coverage_valid_to = end
        employment.save(
            update_fields=["coverage_certificate_no", "coverage_valid_from", "coverage_valid_to"]
        )
        audit_record(
            actor=actor,
            action="employment.coverage_recorded",
            target=employment,
            data={"changes": _changes(before, _snapshot(employment, EMPLOYMENT_FIELDS))},
        )
    return employment


# Compliance ----------------------------------------------------------------------------


def compliance_run_record(*, actor=None, as_of=None) -> ComplianceRun:
    """Scan for late and missing registrations as of a date and keep what was found."""
    as_of = domain.parse_date(as_of, "as_of") if as_of is not None else clock.today()
    findings = selectors.compliance_findings(as_of)
    with transaction.atomic():
        run = ComplianceRun.objects.create(
            as_of=as_of,
            unit_findings=len(findings["units"]),
            employment_findings=len(findings["employments"]),
            findings=findings,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="compliance.scanned",
            target=run,
            data={
                "as_of": as_of,
                "unit_findings": run.unit_findings,
                "employment_findings": run.employment_findings,
            },
        )
    return run


# Work-injury rate ----------------------------------------------------------------------


def unit_work_injury_set(
    *, actor, unit_id, industry_class, work_injury_float_percent=None, reason=""
) -> Unit:
    """Record a unit's work-injury industry class and its floating grade (SIL Art. 34):
    the unit's rate is the class's base rate times the percentage, which the pack bounds
    (50-150% nationally). Months declared later use it; months already declared keep
    the rate they were computed with."""
    today = clock.today()
    reason = domain.clean_reason_text(reason) if reason else ""
    with transaction.atomic():
        unit = _lock(Unit, unit_id)
        if unit.status in (domain.UNIT_CANCELLED, domain.UNIT_REJECTED):
            raise Conflict(
                _("Unit %(name)s is %(status)s: its rate can no longer be changed.")
                % {"name": unit.name, "status": unit.get_status_display()},
                code="unit_not_active",
            )
        errors = domain.FieldErrors()
        if industry_class is None:
            errors.add("industry_class", _("is required"))
        else:
            errors.check(
                "industry_class", _check_industry_class, industry_class, unit.region, today
            )
        percent = unit.work_injury_float_percent
        if work_injury_float_percent is not None:
            try:
                percent = contributions.check_work_injury_float(
                    work_injury_float_percent, today, unit.region
                )
            except NoPolicyValue as exc:
                errors.add("work_injury_float_percent", exc.fields["work_injury_float_percent"])
        errors.raise_if_any()
        fields = ("industry_class", "work_injury_float_percent")
        before = _snapshot(unit, fields)
        unit.industry_class = industry_class
        unit.work_injury_float_percent = percent
        unit.save(update_fields=list(fields))
        audit_record(
            actor=actor,
            action="unit.work_injury_rate_set",
            target=unit,
            data={"changes": _changes(before, _snapshot(unit, fields)), "reason": reason},
        )
    return unit

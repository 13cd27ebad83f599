"""Employments: registration (SIL Art. 58), confirmation or refusal of a pending one,
the end, and the insurance types it is covered for."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.core import clock, dates
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, FieldErrors, invalid
from shebao.core.locking import lock_or_404, lock_or_field_error
from shebao.core.text import clean_line
from shebao.policy.packs import pack_for_region
from shebao.registry import domain, selectors
from shebao.registry.models import Employment, Person, Unit
from shebao.registry.services._common import _audit_created, _due_on, _update
from shebao.registry.services.persons import _create_citizen


def _person_for_employment(
    *, actor: Actor, errors, citizen_id, person_id, name, today
) -> tuple[Person | None, bool]:
    """The person an employment is for: by id, or by citizen ID number (registering them
    from the number when the registry does not know them yet). Locked. With it, whether
    it was registered just now. None (with the reason in ``errors``) when there is none."""
    if person_id not in (None, ""):
        person = errors.check(
            "person_id", lock_or_field_error, Person, person_id, "person_id", _("no such person")
        )
        if person is None:
            return None, False
        if citizen_id not in (None, ""):
            parsed = errors.check("citizen_id", domain.check_citizen_id, citizen_id, today=today)
            if parsed is not None and parsed.number != person.citizen_id:
                errors.add("citizen_id", _("does not match the person given by person_id"))
        return person, False
    parsed = errors.check("citizen_id", domain.check_citizen_id, citizen_id, today=today)
    if parsed is None:
        return None, False
    person = Person.objects.select_for_update().filter(citizen_id=parsed.number).first()
    if person is None and parsed.foreign:
        # A foreign national is registered with their nationality first (POST /persons).
        errors.add(
            "citizen_id",
            _("is a foreign permanent-residence ID: register the person with their nationality"),
        )
        return None, False
    if person is None and not errors.fields:
        return _create_citizen(actor=actor, parsed=parsed, name=name or ""), True
    return person, False


def employment_register(
    *,
    actor: Actor,
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
    require_role_or_system(actor, "employment.create", name_allowed=True)
    today = clock.today()
    by_unit = getattr(actor, "role", None) == roles.UNIT_REP
    errors = FieldErrors()
    name = errors.check("name", domain.clean_name, name, required=by_unit)
    started_on = errors.check("started_on", dates.parse_date, started_on, "started_on")
    if started_on is not None:
        errors.check("started_on", dates.not_in_future, started_on, "started_on", today)
    wage = errors.check("monthly_wage", domain.clean_wage, monthly_wage)
    registered_on = errors.check(
        "registered_on",
        dates.parse_date,
        registered_on if registered_on is not None else today,
        "registered_on",
    )
    if registered_on is not None:
        errors.check("registered_on", dates.not_in_future, registered_on, "registered_on", today)
        if started_on is not None and registered_on < started_on:
            errors.add("registered_on", _("is before the employment started"))

    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
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
        person, just_registered = _person_for_employment(
            actor=actor,
            errors=errors,
            citizen_id=citizen_id,
            person_id=person_id,
            name=name,
            today=today,
        )
        errors.raise_if_any()
        assert person is not None  # without a person, errors holds why and was raised
        pending_reason = ""
        if by_unit and not just_registered:
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
            _update(person, {"name": name}, actor=actor, action="person.updated")
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
            if just_registered and not name:
                assert person.citizen_id is not None  # registered from it just now
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
        _audit_created(
            employment,
            actor=actor,
            action="employment.registered",
            **core_warnings.audit_data(acknowledged),
        )
    return employment


def _lock_pending(employment_id) -> Employment:
    employment = lock_or_404(Employment, employment_id)
    if employment.status != domain.EMPLOYMENT_PENDING:
        raise Conflict(
            _("The employment is not waiting for confirmation."), code="not_pending_confirmation"
        )
    return employment


def employment_confirm(*, actor: Actor, employment_id, acknowledge_warnings=()) -> Employment:
    """A clerk confirms an employment that waited: the person works at the unit (as
    well as wherever else they do), and the unit may declare them and see their record.
    The name the unit gave, where it differed, is not taken over: the registry keeps
    the registered one (a person registered without a name receives it). Where the
    person has an open employment at another unit, the clerk acknowledges the warning of
    a duplicate enrolment by its id."""
    require_role_or_system(actor, "employment.confirm", name_allowed=True)
    with transaction.atomic():
        employment = _lock_pending(employment_id)
        person = lock_or_404(Person, employment.person_id)
        if person.status == domain.PERSON_DECEASED:
            raise Conflict(_("The person is recorded as deceased."), code="person_deceased")
        acknowledged = core_warnings.require_acknowledged(
            selectors.duplicate_enrolment_warnings(person, unit_id=employment.unit_id),
            acknowledge_warnings,
        )
        if not person.name and employment.declared_name:
            _update(
                person, {"name": employment.declared_name}, actor=actor, action="person.updated"
            )
        _update(
            employment,
            {"status": domain.EMPLOYMENT_OPEN},
            actor=actor,
            action="employment.confirmed",
            waited_because=employment.confirmation_reason,
            **core_warnings.audit_data(acknowledged),
        )
    return employment


def employment_refuse(*, actor: Actor, employment_id, reason) -> Employment:
    """A clerk refuses an employment that waited, giving the reason; the record stays."""
    require_role_or_system(actor, "employment.confirm", name_allowed=True)
    if not isinstance(reason, str) or not reason.strip():
        raise invalid("reason", _("give the reason"))
    reason = reason.strip()
    if len(reason) > domain.REASON_MAX:
        raise invalid("reason", _("may be at most %(n)d characters") % {"n": domain.REASON_MAX})
    with transaction.atomic():
        employment = _lock_pending(employment_id)
        _update(
            employment,
            {"status": domain.EMPLOYMENT_REFUSED, "refusal_reason": reason},
            actor=actor,
            action="employment.refused",
            reason=reason,
        )
    return employment


def employment_end(*, actor: Actor, employment_id, ended_on, reason) -> Employment:
    """Record the end of an employment; the unit reports it within
    ``employment_end_report`` of the end date (Labour Contract Law Art. 50 para 1)."""
    require_role_or_system(actor, "employment.end", name_allowed=True)
    today = clock.today()
    with transaction.atomic():
        employment = lock_or_404(Employment, employment_id)
        if employment.status == domain.EMPLOYMENT_ENDED:
            raise Conflict(_("The employment has already ended."), code="already_ended")
        if employment.status != domain.EMPLOYMENT_OPEN:
            raise Conflict(_("The employment is not open."), code="employment_not_open")
        pack = pack_for_region(employment.unit.region)
        errors = FieldErrors()
        ended_on = errors.check("ended_on", dates.parse_date, ended_on, "ended_on")
        if ended_on is not None:
            errors.check("ended_on", dates.not_in_future, ended_on, "ended_on", today)
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
        _update(
            employment,
            {
                "status": domain.EMPLOYMENT_ENDED,
                "ended_on": ended_on,
                "end_reason": reason,
                "end_report_due_on": _due_on(pack, "employment_end_report", ended_on),
                "end_reported_on": today,
            },
            actor=actor,
            action="employment.ended",
        )
    return employment


def employment_coverage_record(
    *, actor: Actor, employment_id, certificate_no, valid_from, valid_to
) -> Employment:
    """Record the certificate of coverage a foreign employee holds under a bilateral
    social security agreement (O16 Art. 9): while it is valid, the declaration charges
    no premium for the insurance types the agreement with their country exempts."""
    require_role_or_system(actor, "employment.record_coverage", name_allowed=True)
    errors = FieldErrors()
    number = errors.check(
        "certificate_no",
        clean_line,
        certificate_no,
        "certificate_no",
        max_length=Employment._meta.get_field("coverage_certificate_no").max_length,
    )
    start = errors.check("valid_from", dates.parse_date, valid_from, "valid_from")
    end = errors.check("valid_to", dates.parse_date, valid_to, "valid_to")
    if start is not None and end is not None and end < start:
        errors.add("valid_to", _("is before the start of validity"))
    errors.raise_if_any()
    with transaction.atomic():
        employment = lock_or_404(Employment, employment_id)
        person = employment.person
        if not person.nationality:
            raise invalid(
                "employment_id",
                _("the person is not a foreign national: a certificate of coverage does not apply"),
            )
        _update(
            employment,
            {
                "coverage_certificate_no": number,
                "coverage_valid_from": start,
                "coverage_valid_to": end,
            },
            actor=actor,
            action="employment.coverage_recorded",
        )
    return employment

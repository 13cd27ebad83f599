"""Units: registration (SIL Art. 57) and its approval or refusal, cancellation, the
representatives, and the work-injury rate."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.accounts.domain import require_role_or_system
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, dates
from shebao.core.errors import Conflict, FieldErrors, invalid
from shebao.core.locking import lock_or_404
from shebao.documents import domain as documents_domain
from shebao.documents.models import Certificate
from shebao.documents.services import certificate_issue, certificate_revoke
from shebao.policy import contributions
from shebao.policy.errors import NoPolicyValue
from shebao.policy.packs import pack_for_region
from shebao.registry import domain
from shebao.registry.models import Unit, UnitRepresentative
from shebao.registry.services._common import _audit_created, _check_region, _due_on, _update


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
    *, actor: Actor, uscc, name, established_on, region, received_on=None, industry_class=None
) -> Unit:
    """Receive a unit's registration application (SIL Art. 57 para 1).

    The unit owed the application within the ``unit_registration`` period from its
    establishment; the agency owes a decision within ``registration_decision`` of
    receiving it. A unit whose earlier application was rejected may apply again: the
    same record goes back to pending.
    """
    require_role_or_system(actor, "unit.create", name_allowed=True)
    today = clock.today()
    errors = FieldErrors()
    number = errors.check("uscc", domain.check_uscc, uscc)
    name = errors.check("name", domain.clean_name, name, kind="unit")
    region = errors.check("region", _check_region, region)
    established_on = errors.check(
        "established_on", dates.parse_date, established_on, "established_on"
    )
    if established_on is not None:
        errors.check("established_on", dates.not_in_future, established_on, "established_on", today)
    received_on = errors.check(
        "received_on",
        dates.parse_date,
        received_on if received_on is not None else today,
        "received_on",
    )
    if received_on is not None:
        errors.check("received_on", dates.not_in_future, received_on, "received_on", today)
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
            _update(existing, values, actor=actor, action="unit.registration_reapplied")
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
        _audit_created(unit, actor=actor, action="unit.registration_received")
    return unit


def unit_registration_approve(*, actor: Actor, unit_id) -> Certificate:
    """Approve a pending registration: the unit is registered and receives its certificate."""
    require_role_or_system(actor, "unit.approve_registration", name_allowed=True)
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        domain.require_unit_transition(unit.status, domain.UNIT_REGISTERED)
        today = clock.today()
        certificate = certificate_issue(
            actor=actor,
            kind=Certificate.Kind.UNIT_REGISTRATION,
            subject=unit,
            subject_masked=documents_domain.unit_subject(unit.name, unit.uscc),
            issued_on=today,
        )
        _update(
            unit,
            {
                "status": domain.UNIT_REGISTERED,
                "registered_on": today,
                "certificate_no": certificate.number,
            },
            actor=actor,
            action="unit.registration_approved",
            certificate_id=certificate.pk,
            decided_late=today > unit.decision_due_on,
        )
    return certificate


def unit_registration_reject(*, actor: Actor, unit_id, reason) -> Unit:
    require_role_or_system(actor, "unit.reject_registration", name_allowed=True)
    reason = domain.clean_reason_text(reason)
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        domain.require_unit_transition(unit.status, domain.UNIT_REJECTED)
        _update(
            unit,
            {
                "status": domain.UNIT_REJECTED,
                "rejected_on": clock.today(),
                "rejection_reason": reason,
            },
            actor=actor,
            action="unit.registration_rejected",
        )
    return unit


def unit_cancel(*, actor: Actor, unit_id, terminated_on) -> Unit:
    """Cancel a registered unit's registration; its employments must all have ended first."""
    terminated_on = dates.parse_date(terminated_on, "terminated_on")
    dates.not_in_future(terminated_on, "terminated_on", clock.today())
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
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
        live_certificates = Certificate.objects.filter(
            kind=Certificate.Kind.UNIT_REGISTRATION,
            subject_type="registry.unit",
            subject_id=str(unit.pk),
            revoked_on__isnull=True,
        ).order_by("pk")
        for certificate_id in live_certificates.values_list("pk", flat=True):
            certificate_revoke(actor=actor, certificate_id=certificate_id)
        _update(
            unit,
            {"status": domain.UNIT_CANCELLED, "terminated_on": terminated_on},
            actor=actor,
            action="unit.cancelled",
        )
    return unit


def unit_representative_add(*, actor: Actor, unit_id, user: User) -> UnitRepresentative:
    """Let a public user of the ``unit_rep`` role act for the unit (one unit per user)."""
    require_role_or_system(actor, "user.link", name_allowed=True)
    if getattr(user, "role", None) != roles.UNIT_REP:
        raise invalid("user", _("must be a user with the unit representative role"))
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
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


def unit_work_injury_set(
    *, actor: Actor, unit_id, industry_class, work_injury_float_percent=None, reason=""
) -> Unit:
    """Record a unit's work-injury industry class and its floating grade (SIL Art. 34):
    the unit's rate is the class's base rate times the percentage, which the pack bounds
    (50-150% nationally). Months declared later use it; months already declared keep
    the rate they were computed with."""
    require_role_or_system(actor, "unit.set_work_injury_rate", name_allowed=True)
    today = clock.today()
    reason = domain.clean_reason_text(reason) if reason else ""
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        if unit.status in (domain.UNIT_CANCELLED, domain.UNIT_REJECTED):
            raise Conflict(
                _("Unit %(name)s is %(status)s: its rate can no longer be changed.")
                % {"name": unit.name, "status": unit.get_status_display()},
                code="unit_not_active",
            )
        errors = FieldErrors()
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
        _update(
            unit,
            {"industry_class": industry_class, "work_injury_float_percent": percent},
            actor=actor,
            action="unit.work_injury_rate_set",
            fields=("industry_class", "work_injury_float_percent"),
            reason=reason,
        )
    return unit

"""Overpaid benefits a person owes back and fines a unit must pay before it is cancelled."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.clearance import domain
from shebao.clearance.models import (
    BenefitDebt,
    UnitFine,
)
from shebao.clearance.services._common import _paid_on
from shebao.core import clock, dates
from shebao.core.errors import Conflict
from shebao.core.locking import lock_or_404, lock_or_field_error
from shebao.core.money import clean_amount, format_money
from shebao.registry.models import Person, Unit


def benefit_debt_record(
    *, actor: Actor, person_id, amount, description, recorded_on=None
) -> BenefitDebt:
    """Record benefits a person was overpaid; a later liquidation offsets them against
    the individual account balance (HR2023 Art. 46)."""
    require_role(actor, "clearance.debt_record", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    amount = clean_amount(amount, "amount", kind="benefit_debt")
    description = domain.clean_text(description, "description")
    recorded_on = dates.parse_date(
        recorded_on if recorded_on is not None else clock.today(), "recorded_on"
    )
    dates.not_in_future(recorded_on, "recorded_on", clock.today())
    with transaction.atomic():
        person = lock_or_field_error(Person, person_id, "person_id", _("no such person"))
        debt = BenefitDebt.objects.create(
            person=person,
            amount=amount,
            description=description,
            recorded_on=recorded_on,
            recorded_by=actor,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="clearance.benefit_debt_recorded",
            target=debt,
            data={
                "person_id": person.pk,
                "amount": format_money(amount),
                "description": description,
            },
        )
    return debt


def unit_fine_record(
    *, actor: Actor, unit_id, amount, decision_no, decided_on, description=""
) -> UnitFine:
    """Record a fine decided against a unit; it must be paid before the unit's
    registration is cancelled."""
    require_role(actor, "clearance.debt_record", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    amount = clean_amount(amount, "amount", kind="fine")
    decision_no = domain.clean_text(decision_no, "decision_no", max_length=64)
    description = domain.clean_text(description, "description", required=False)
    decided_on = dates.parse_date(decided_on, "decided_on")
    dates.not_in_future(decided_on, "decided_on", clock.today())
    with transaction.atomic():
        unit = lock_or_field_error(Unit, unit_id, "unit_id", _("no such unit"))
        return _fine_create(actor, unit, amount, decision_no, decided_on, description)


def _fine_create(actor, unit, amount, decision_no, decided_on, description, proposal=None):
    if UnitFine.objects.filter(unit=unit, decision_no=decision_no).exists():
        raise Conflict(
            _("This decision is already recorded for the unit."),
            code="duplicate_fine",
            fields={"decision_no": _("already recorded")},
        )
    fine = UnitFine.objects.create(
        unit=unit,
        amount=amount,
        decision_no=decision_no,
        decided_on=decided_on,
        description=description,
        proposal=proposal,
        recorded_by=actor,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="clearance.fine_recorded",
        target=fine,
        data={
            "unit_id": unit.pk,
            "amount": format_money(amount),
            "decision_no": decision_no,
            "proposal_id": proposal.pk if proposal is not None else None,
        },
    )
    return fine


def arrears_fine_post(sender=None, *, actor: Actor, proposal, **kwargs) -> UnitFine:
    """Post the fine a supervisor approved on an arrears fine proposal (SIL Art. 86) as
    the unit's fine, as ``unit_fine_record`` does, linked to the proposal: once only, a
    repeat returns the fine already posted. Runs inside the decision's transaction
    (``ledger.signals.arrears_fine_approved``); the approval is the authority to post."""
    existing = UnitFine.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    unit = lock_or_404(Unit, proposal.unit_id)
    return _fine_create(
        actor,
        unit,
        proposal.amount,
        f"arrears-fine-{proposal.pk}",
        proposal.decided_on,
        proposal.decision_reasons[:200],
        proposal=proposal,
    )


def _fine_paid(fine, actor, paid_on, reference) -> None:
    fine.status = UnitFine.Status.PAID
    fine.paid_on = paid_on
    fine.paid_reference = reference
    fine.save(update_fields=["status", "paid_on", "paid_reference"])
    audit_record(
        actor=actor,
        action="clearance.fine_paid",
        target=fine,
        data={"paid_on": paid_on, "reference": reference, "amount": format_money(fine.amount)},
    )


def unit_fine_mark_paid(*, actor: Actor, fine_id, paid_on=None, reference="") -> UnitFine:
    require_role(actor, "clearance.debt_record", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    paid_on = _paid_on(paid_on)
    reference = domain.clean_text(reference, "reference", max_length=64)
    with transaction.atomic():
        fine = lock_or_404(UnitFine, fine_id)
        if fine.status == UnitFine.Status.PAID:
            if fine.paid_reference == reference:
                return fine
            raise Conflict(_("The fine is already paid."), code="already_paid")
        _fine_paid(fine, actor, paid_on, reference)
    return fine

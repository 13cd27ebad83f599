"""Closing a case: the account closes, the relationship ends, the certificate is issued."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.types import Actor
from shebao.clearance import domain, selectors
from shebao.clearance.domain.eligibility import PERSON, UNIT
from shebao.clearance.models import (
    ClearanceCase,
    DisbursementOrder,
)
from shebao.clearance.services._common import (
    EMPLOYMENT_END_REASON,
    UNIT_EMPLOYMENT_END_REASON,
    _end_employment,
    _event,
    _fulfil_deadlines,
    _lock_case,
    _open_employments,
    _transition,
)
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.core.money import ZERO, format_money
from shebao.documents import domain as documents_domain
from shebao.documents.services import certificate_issue
from shebao.ledger import services as ledger_services
from shebao.registry import domain as registry_domain
from shebao.registry import services as registry_services
from shebao.registry.models import Employment, Person, Unit


def _check_unit_settled(case) -> None:
    unit = case.unit
    today = clock.today()
    items, arrears = selectors.unit_unpaid(unit, today)
    principal = sum((i.principal for i in items), ZERO)
    fee = sum((i.late_fee for i in items), ZERO)
    if principal > 0 or fee > 0:
        raise Conflict(
            _(
                "The unit still owes %(principal)s in premiums and %(fee)s in late fees as of "
                "%(day)s: they must be paid before its registration is cancelled."
            )
            % {"principal": format_money(principal), "fee": format_money(fee), "day": today},
            code="unpaid_arrears",
            fields={
                "arrears": _("principal %(p)s, late fee %(f)s")
                % {"p": format_money(principal), "f": format_money(fee)}
            },
        )
    fines = selectors.outstanding_fines(unit)
    if fines:
        raise Conflict(
            _("Fines are unpaid: %(list)s.")
            % {"list": ", ".join(f"{f.decision_no} ({format_money(f.amount)})" for f in fines)},
            code="unpaid_fines",
            fields={"fines": ", ".join(f.decision_no for f in fines)},
        )
    if arrears["refundable"] > 0:
        raise Conflict(
            _(
                "%(amount)s of overpaid premiums is still held for the unit: liquidate and "
                "refund it first."
            )
            % {"amount": format_money(arrears["refundable"])},
            code="refund_pending",
            fields={"refundable": format_money(arrears["refundable"])},
        )


def case_close(*, actor: Actor, case_id) -> ClearanceCase:
    """Close the case once every order is paid: the account is closed and the
    relationship ended (open employments end; a merged unit's move to the successor),
    and a certificate of cancellation is issued."""
    require_role(actor, "clearance.close", name_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.CLOSE)
        if selectors.is_bankruptcy(case):
            raise Conflict(
                _(
                    "A bankrupt unit's case closes with the court's ruling that ends the "
                    "bankruptcy: record the termination ruling."
                ),
                code="termination_ruling_required",
            )
        _close(case, actor)
    return case


def _close(case, actor: Actor, *, terminated_on=None, data=None) -> None:
    """Close a locked case (see ``case_close``); a unit's registration ends on
    ``terminated_on`` (default: the event date)."""
    if case.subject_type == UNIT:
        _settle_collections(case, actor)
    unpaid = list(
        case.orders.exclude(
            status__in=[
                DisbursementOrder.Status.PAID,
                DisbursementOrder.Status.FAILED,
                DisbursementOrder.Status.SETTLED,
            ]
        ).order_by("pk")
    )
    failed = [
        o
        for o in case.orders.filter(status=DisbursementOrder.Status.FAILED).order_by("pk")
        if not hasattr(o, "reissued_as")
    ]
    if unpaid or failed:
        pending = unpaid + failed
        raise Conflict(
            _("Orders not paid yet: %(list)s.")
            % {
                "list": ", ".join(
                    f"#{o.pk} {o.payee_name} {format_money(o.amount)} ({o.status})" for o in pending
                )
            },
            code="orders_unpaid",
            fields={"disbursements": ", ".join(str(o.pk) for o in pending)},
        )
    subject: Person | Unit
    if case.subject_type == PERSON:
        person = Person.objects.select_for_update().get(pk=case.person_id)
        reason = EMPLOYMENT_END_REASON.get(case.reason, "other")
        for employment in Employment.objects.filter(
            person=person, status=registry_domain.EMPLOYMENT_OPEN
        ).order_by("pk"):
            _end_employment(actor, employment, case.event_date, reason, employment.unit.region)
        registry_services.person_mark_cleared(actor=actor, person_id=person.pk)
        subject_masked = f"{person.name} ({selectors.subject_identifier(case)})"
        subject = person
    else:
        unit = Unit.objects.select_for_update().get(pk=case.unit_id)
        if case.payee_kind == "successor_unit":
            _assume_arrears(case, actor)
        _check_unit_settled(case)
        if case.payee_kind == "successor_unit":
            _move_employments(actor, case, unit)
        open_count = _open_employments(unit)
        if open_count:
            raise Conflict(
                _("%(n)d employments of this unit are still open: end them first.")
                % {"n": open_count},
                code="open_employments",
                fields={"employments": _("%(n)d still open") % {"n": open_count}},
            )
        registry_services.unit_cancel(
            actor=actor,
            unit_id=unit.pk,
            terminated_on=terminated_on or max(case.event_date, unit.established_on),
        )
        subject_masked = documents_domain.unit_subject(unit.name, unit.uscc)
        subject = unit
    certificate = certificate_issue(
        actor=actor, kind="cancellation", subject=subject, subject_masked=subject_masked
    )
    case.certificate = certificate
    case.closed_on = clock.today()
    _transition(
        case,
        actor=actor,
        action=domain.CLOSE,
        data={"certificate": certificate.number, **(data or {})},
    )
    _fulfil_deadlines(case, domain.CLOSE)


def _assume_arrears(case, actor: Actor) -> None:
    """A merger: the successor assumes what the merged unit still owes today, premiums
    and late fees (Civil Code Art. 67; Company Law Art. 221), by journal entries that name
    the basis; the merged unit then owes nothing and closes without paying it."""
    policy = selectors.policy_for(case)
    if not policy.merger_basis:
        return
    basis = [c.code for c in policy.merger_basis]
    moved = ledger_services.unit_arrears_assume(
        actor=actor,
        unit_id=case.unit_id,
        successor_id=case.successor_unit_id,
        effective_on=clock.today(),
        reference=f"clearance case {case.pk}",
        basis=basis,
    )
    out = [row for row in moved if row.unit_id == case.unit_id]
    if out:
        _event(
            case,
            actor=actor,
            action="arrears_assumed",
            data={
                "successor_unit_id": case.successor_unit_id,
                "principal": format_money(sum((r.principal for r in out), ZERO)),
                "late_fee": format_money(sum((r.late_fee for r in out), ZERO)),
                "periods": [r.period for r in out],
                "basis": basis,
                "entry_id": out[0].entry_id,
            },
        )


def _settle_collections(case, actor: Actor) -> None:
    """A unit may pay what it owes through the ledger (``POST /units/{id}/payments``)
    rather than against the collection order: once it owes nothing, the order is
    marked settled by those payments."""
    items, _arrears = selectors.unit_unpaid(case.unit, clock.today())
    owes = any(i.principal > 0 or i.late_fee > 0 for i in items)
    if owes or selectors.outstanding_fines(case.unit):
        return
    for order in (
        case.orders.select_for_update()
        .filter(
            direction=DisbursementOrder.Direction.COLLECT,
            status=DisbursementOrder.Status.APPROVED,
        )
        .order_by("pk")
    ):
        order.status = DisbursementOrder.Status.SETTLED
        order.paid_on = clock.today()
        order.save(update_fields=["status", "paid_on"])
        _event(
            case,
            actor=actor,
            action="order_settled",
            data={"order_id": order.pk, "amount": format_money(order.amount)},
        )


def _move_employments(actor: Actor, case, unit) -> None:
    """A merger: each open employment ends at the merged unit and continues, with the
    same wage, at the registered successor from the merger date."""
    successor = case.successor_unit
    for employment in Employment.objects.filter(
        unit=unit, status=registry_domain.EMPLOYMENT_OPEN
    ).order_by("pk"):
        _end_employment(actor, employment, case.event_date, UNIT_EMPLOYMENT_END_REASON, unit.region)
        if Employment.objects.filter(
            unit=successor, person_id=employment.person_id, status=registry_domain.EMPLOYMENT_OPEN
        ).exists():
            continue
        registry_services.employment_register(
            actor=actor,
            unit_id=successor.pk,
            person_id=employment.person_id,
            started_on=max(case.event_date, employment.started_on, successor.established_on),
            monthly_wage=employment.monthly_wage,
        )

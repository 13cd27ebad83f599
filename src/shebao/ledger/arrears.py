"""Arrears enforcement: the writes of notices to pay and fine proposals.

MOHRSS Order 20 Art. 16: the agency issues a notice to pay within 5 working days of
finding a unit's arrears, and the unit pays within 5 working days of receiving it (both
periods are the pack's ``arrears_notice`` and ``arrears_payment`` obligations). Past the
payment period, a fine of one to three times the arrears still unpaid (SIL Art. 86) is
proposed to a supervisor, who approves it with an amount in that range, or dismisses it,
giving reasons. Every step is one transaction with its audit event.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import UNIT_REP, require_role
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, dates
from shebao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, invalid
from shebao.core.locking import lock_or_404
from shebao.core.money import ZERO, clean_amount, format_money
from shebao.core.periods import deadline
from shebao.core.text import clean_line
from shebao.documents import domain as documents_domain
from shebao.documents.models import Certificate
from shebao.documents.services import certificate_issue
from shebao.ledger import selectors, signals
from shebao.ledger.models import ArrearsFineProposal, ArrearsNotice, PaymentNotice
from shebao.policy.collection import bank_account
from shebao.policy.packs import pack_for_region
from shebao.registry.models import Unit

FINE_MINIMUM_TIMES = Decimal(1)
FINE_MAXIMUM_TIMES = Decimal(3)
REASONS_MAX = 2000


def _deadline(unit, code: str, start: datetime.date) -> datetime.date:
    obligation = pack_for_region(unit.region).obligation(code, start)
    return deadline(start, obligation.days, obligation.day_kind).due_on


def _date(value, field: str, today: datetime.date) -> datetime.date:
    if value is None or value == "":
        return today
    return dates.not_in_future(dates.parse_date(value, field), field, today)


def _printed_items(items) -> list[list[str]]:
    """The months of ``selectors.unit_arrears`` as a notice keeps them:
    ``[period, due_on, principal, late_fee]`` (no fee on a month not yet due)."""
    return [
        [
            item["period"],
            item["due_on"].isoformat(),
            format_money(item["principal"]),
            format_money(item.get("late_fee", ZERO)),
        ]
        for item in items
    ]


def arrears_notice_issue(*, actor: Actor, unit_id, found_on=None) -> ArrearsNotice:
    """Issue a notice to pay to a unit with overdue premiums: what it owes today, month
    by month with late fees, and the day it must pay by (5 working days from receipt; the
    notice is handed over or sent electronically, so it is received the day it is issued).
    ``found_on`` is the day the arrears were found (default today): the notice is late
    if issued more than 5 working days after it. Refused while an earlier notice's
    payment period is still running, and when the unit owes nothing overdue."""
    require_role(actor, "arrears.notice_issue", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    found_on = _date(found_on, "found_on", today)
    received_on = today
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        if unit.status != Unit.Status.REGISTERED:
            raise Conflict(
                _("Unit %(name)s is %(status)s: no notice to pay can be issued.")
                % {"name": unit.name, "status": unit.get_status_display()},
                code="unit_not_active",
            )
        running = (
            ArrearsNotice.objects.filter(unit=unit, payment_due_on__gte=today)
            .order_by("-id")
            .first()
        )
        if running is not None:
            raise Conflict(
                _("A notice to pay issued on %(issued)s gives the unit until %(due)s to pay.")
                % {"issued": running.issued_on.isoformat(), "due": running.payment_due_on},
                code="notice_running",
            )
        arrears = selectors.unit_arrears(unit, as_of=today)
        if arrears["principal"] <= 0:
            raise Conflict(
                _("Unit %(name)s owes no overdue premiums.") % {"name": unit.name},
                code="no_arrears",
            )
        certificate = certificate_issue(
            actor=actor,
            kind=Certificate.Kind.ARREARS_NOTICE,
            subject=unit,
            subject_masked=documents_domain.unit_subject(unit.name, unit.uscc),
            issued_on=today,
        )
        notice_due_on = _deadline(unit, "arrears_notice", found_on)
        notice = ArrearsNotice.objects.create(
            unit=unit,
            found_on=found_on,
            notice_due_on=notice_due_on,
            issued_on=today,
            issued_late=today > notice_due_on,
            received_on=received_on,
            payment_due_on=_deadline(unit, "arrears_payment", received_on),
            principal=arrears["principal"],
            late_fee=arrears["late_fee"],
            items=_printed_items(arrears["items"]),
            certificate=certificate,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action="ledger.arrears_notice_issued",
            target=notice,
            data={
                "unit_id": unit.pk,
                "found_on": found_on,
                "issued_late": notice.issued_late,
                "payment_due_on": notice.payment_due_on,
                "principal": format_money(notice.principal),
                "late_fee": format_money(notice.late_fee),
                "certificate_id": certificate.pk,
            },
        )
    return notice


def notice_unpaid(notice: ArrearsNotice, as_of: datetime.date) -> Decimal:
    """The principal of the notice's months still unpaid on ``as_of``."""
    periods = {period for period, *_rest in notice.items}
    return sum(
        (
            max(debt.principal_outstanding, ZERO)
            for debt in selectors.unit_debts(notice.unit, as_of=as_of)
            if debt.period in periods
        ),
        ZERO,
    )


def arrears_fine_propose(*, actor: Actor, notice_id, reason="") -> ArrearsFineProposal:
    """Propose a fine once a notice's payment period has passed with arrears unpaid:
    between one and three times the notice's principal still unpaid (SIL Art. 86)."""
    require_role(actor, "arrears.fine_propose", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    reason = clean_line(reason, "reason", max_length=REASONS_MAX) if reason else ""
    with transaction.atomic():
        notice = lock_or_404(ArrearsNotice, notice_id)
        if ArrearsFineProposal.objects.filter(notice=notice).exists():
            raise Conflict(
                _("A fine has already been proposed for this notice."), code="fine_proposed"
            )
        if today <= notice.payment_due_on:
            raise Conflict(
                _("The unit has until %(due)s to pay: no fine can be proposed before then.")
                % {"due": notice.payment_due_on.isoformat()},
                code="payment_period_running",
            )
        unpaid = notice_unpaid(notice, today)
        if unpaid <= 0:
            raise Conflict(
                _("The arrears the notice names have been paid: there is nothing to fine."),
                code="arrears_paid",
            )
        proposal = ArrearsFineProposal.objects.create(
            notice=notice,
            unit_id=notice.unit_id,
            arrears=unpaid,
            minimum=unpaid * FINE_MINIMUM_TIMES,
            maximum=unpaid * FINE_MAXIMUM_TIMES,
            reason=reason,
            proposed_on=today,
            proposed_by=actor,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="ledger.arrears_fine_proposed",
            target=proposal,
            data={
                "notice_id": notice.pk,
                "unit_id": notice.unit_id,
                "arrears": format_money(unpaid),
                "minimum": format_money(proposal.minimum),
                "maximum": format_money(proposal.maximum),
            },
        )
    return proposal


APPROVE = "approve"
DISMISS = "dismiss"
DECISIONS = (APPROVE, DISMISS)


def arrears_fine_decide(
    *, actor: Actor, proposal_id, decision, reasons, amount=None
) -> ArrearsFineProposal:
    """A supervisor's decision on a proposed fine: approve with an amount between one
    and three times the arrears, or dismiss; reasons are required either way. The one
    who proposed the fine never decides it."""
    require_role(actor, "arrears.fine_decide", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    fields = {}
    if decision not in DECISIONS:
        fields["decision"] = _("must be approve or dismiss")
    try:
        reasons = clean_line(reasons, "reasons", max_length=REASONS_MAX)
    except InvalidInput as exc:
        fields.update(exc.fields)
    if decision == APPROVE:
        try:
            amount = clean_amount(amount, "amount", kind="fine")
        except InvalidInput as exc:
            fields.update(exc.fields)
    elif decision == DISMISS and amount not in (None, ""):
        fields["amount"] = _("is given only when the fine is approved")
    if fields:
        raise InvalidInput(fields=fields)
    with transaction.atomic():
        proposal = lock_or_404(ArrearsFineProposal, proposal_id)
        if proposal.status != ArrearsFineProposal.Status.PENDING:
            raise Conflict(
                _("The proposal has already been decided: %(status)s.")
                % {"status": proposal.get_status_display()},
                code="already_decided",
            )
        if actor is not None and proposal.proposed_by_id == actor.pk:
            raise PermissionDenied(
                _("The staff member who proposed a fine may not decide it."),
                code="same_person",
            )
        if decision == APPROVE and not proposal.minimum <= amount <= proposal.maximum:
            raise invalid(
                "amount",
                _("must be between %(low)s and %(high)s (one to three times the arrears)")
                % {"low": format_money(proposal.minimum), "high": format_money(proposal.maximum)},
            )
        proposal.status = (
            ArrearsFineProposal.Status.APPROVED
            if decision == APPROVE
            else ArrearsFineProposal.Status.DISMISSED
        )
        proposal.amount = amount if decision == APPROVE else None
        proposal.decision_reasons = reasons
        proposal.decided_on = clock.today()
        proposal.decided_by = actor
        proposal.save(
            update_fields=["status", "amount", "decision_reasons", "decided_on", "decided_by"]
        )
        if decision == APPROVE:
            # The approved fine becomes the unit's fine (posted once, linked to it).
            signals.arrears_fine_approved.send(
                sender=ArrearsFineProposal, actor=actor, proposal=proposal
            )
        audit_record(
            actor=actor,
            action=f"ledger.arrears_fine_{proposal.status}",
            target=proposal,
            data={
                "notice_id": proposal.notice_id,
                "unit_id": proposal.unit_id,
                "amount": format_money(amount) if decision == APPROVE else None,
                "reasons": reasons,
            },
        )
    return proposal


# Payment notices --------------------------------------------------------------------------

PAY_ON_MAX_DAYS = 31


def payment_notice_issue(*, actor: Actor, unit_id, pay_on=None) -> PaymentNotice:
    """Make a payment notice for a unit: what it owes (overdue months with the late fee
    accrued to ``pay_on``, the day it means to pay, today by default and at most a month
    ahead; months not yet due with no fee), the payment reference and the agency's
    account to pay into (``collection.yaml``). A unit's representative makes one only
    for their own unit. Refused when the unit owes nothing."""
    require_role(actor, "payment_notice.issue", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    if pay_on is None or pay_on == "":
        pay_on = today
    else:
        pay_on = dates.parse_date(pay_on, "pay_on")
        if pay_on < today:
            raise invalid("pay_on", _("is in the past"))
        if (pay_on - today).days > PAY_ON_MAX_DAYS:
            raise invalid("pay_on", _("may be at most %(n)d days ahead") % {"n": PAY_ON_MAX_DAYS})
    if getattr(actor, "role", None) == UNIT_REP:
        representation = getattr(actor, "unit_representation", None)
        if representation is None or str(representation.unit_id) != str(unit_id):
            raise NotFound()
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        arrears = selectors.unit_arrears(unit, as_of=pay_on)
        items = _printed_items(arrears["items"]) + _printed_items(arrears["not_yet_due"])
        principal = arrears["principal"] + sum(
            (item["principal"] for item in arrears["not_yet_due"]), ZERO
        )
        if principal + arrears["late_fee"] <= 0:
            raise Conflict(
                _("Unit %(name)s owes nothing to pay.") % {"name": unit.name},
                code="nothing_owed",
            )
        account = bank_account(unit.region)
        certificate = certificate_issue(
            actor=actor,
            kind=Certificate.Kind.PAYMENT_NOTICE,
            subject=unit,
            subject_masked=documents_domain.unit_subject(unit.name, unit.uscc),
            issued_on=today,
        )
        notice = PaymentNotice.objects.create(
            unit=unit,
            issued_on=today,
            pay_on=pay_on,
            principal=principal,
            late_fee=arrears["late_fee"],
            items=sorted(items),
            bank_account=(
                {
                    "payee": {"zh": account.payee.zh, "en": account.payee.en},
                    "bank": {"zh": account.bank.zh, "en": account.bank.en},
                    "number": account.number,
                    "sample": account.sample,
                }
                if account is not None
                else {}
            ),
            certificate=certificate,
            created_at=clock.now(),
            created_by=actor if actor.pk else None,
        )
        audit_record(
            actor=actor,
            action="ledger.payment_notice_issued",
            target=notice,
            data={
                "unit_id": unit.pk,
                "pay_on": pay_on,
                "principal": format_money(notice.principal),
                "late_fee": format_money(notice.late_fee),
                "certificate_id": certificate.pk,
            },
        )
    return notice

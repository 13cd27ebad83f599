"""A unit's payments and their allocation to its months."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, idempotency
from shebao.core.errors import Conflict, InvalidInput
from shebao.core.locking import lock_or_404
from shebao.core.money import AmountError, format_money, parse_amount
from shebao.ledger import chart, domain, selectors
from shebao.ledger.models import JournalEntry, Payment, PaymentAllocation
from shebao.ledger.services.account_credits import _credit_recovered, account_credits_sync
from shebao.ledger.services.journal import entry_post
from shebao.policy import contributions
from shebao.registry.models import Unit


def payment_record(
    *,
    actor,
    unit_id: int,
    amount,
    paid_on,
    reference: str,
    idempotency_key: str | None = None,
) -> Payment:
    """Record a unit's payment and allocate it: oldest month first, within a month the
    principal first and then its late fee to the payment date; anything left over is
    held as a refundable overpayment.

    A repeat by the same user with the same ``idempotency_key`` and the same payment
    returns the first payment and does nothing; with another payment it is refused.
    """
    require_role_or_system(actor, "payment.create", name_allowed=True)
    try:
        # "500.0" and "500.00" are the same payment to the key.
        amount_for_key = parse_amount(amount, kind="payment")
    except AmountError:
        amount_for_key = amount  # refused below, together with the other fields
    return idempotency.run_once(
        user=actor,
        operation="payment.create",
        key=idempotency_key,
        request={
            "unit_id": unit_id,
            "amount": amount_for_key,
            "paid_on": paid_on,
            "reference": reference,
        },
        action=lambda: _payment_record(
            actor=actor, unit_id=unit_id, amount=amount, paid_on=paid_on, reference=reference
        ),
        load=lambda pk: Payment.objects.get(pk=pk),
    )


def _payment_record(
    *, actor: Actor, unit_id: int, amount: Decimal, paid_on, reference: str
) -> Payment:
    today = clock.today()
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        fields = {}
        try:
            amount = parse_amount(amount, kind="payment")
        except AmountError as exc:
            fields["amount"] = exc.reason
        if paid_on > today:
            fields["paid_on"] = _("is in the future")
        elif paid_on < unit.established_on:
            fields["paid_on"] = _("is before the unit was established")
        if not reference.strip():
            fields["reference"] = _("is required")
        if fields:
            raise InvalidInput(fields=fields)
        _refuse_duplicate_reference(unit, reference)
        daily_rate = contributions.late_fee_rule(paid_on, unit.region).daily_rate
        allocations, left_over = domain.allocate_payment(
            amount, selectors.unit_debts(unit), paid_on, daily_rate
        )
        return _payment_write(
            actor=actor,
            unit=unit,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            allocations=[(a.period, a.principal, a.late_fee) for a in allocations],
            left_over=left_over,
        )


def payment_record_allocated(
    *, actor: Actor, unit_id: int, amount, paid_on, reference: str, allocations, to_accounts=None
) -> Payment:
    """Record money received for a unit allocated as given, not oldest month first: a
    bankruptcy distribution pays the claims by their rank (Enterprise Bankruptcy Law
    Art. 113). ``allocations`` are ``(period, principal, late_fee)`` and sum to
    ``amount``; ``to_accounts`` (``{period: amount}``) is the part of each month's
    principal recovered as premiums owed to individual accounts (the first rank): it is
    credited to them even when the rest of the month is never paid. Months paid in full
    are credited as any payment's are."""
    require_role_or_system(actor, "payment.create", name_allowed=True)
    amount = parse_amount(amount, kind="payment")
    allocations = [(p, Decimal(a), Decimal(f)) for p, a, f in allocations if a or f]
    to_principal = sum((a for _p, a, _f in allocations), Decimal(0))
    to_fees = sum((f for _p, _a, f in allocations), Decimal(0))
    if to_principal + to_fees != amount:
        raise ValueError("the allocations must add up to the amount")
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        _refuse_duplicate_reference(unit, reference)
        payment = _payment_write(
            actor=actor,
            unit=unit,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            allocations=allocations,
            audit={"allocated_by": "ruling"},
        )
        _credit_recovered(
            actor,
            unit,
            {p: Decimal(a) for p, a in (to_accounts or {}).items()},
            paid_on,
            reference,
        )
    return payment


def _payment_write(
    *,
    actor: Actor,
    unit: Unit,
    amount: Decimal,
    paid_on,
    reference: str,
    allocations: list[tuple[str, Decimal, Decimal]],
    left_over: Decimal | None = None,
    audit: dict | None = None,
) -> Payment:
    """The one write of a payment, on the locked unit: its journal entry (the bank
    debited; the unit's receivable credited with the principal, the late fees with the
    fees, and the unit's credit with what is ``left_over``, when the payment was
    allocated oldest month first), the payment and its ``allocations`` (``(period,
    principal, late_fee)``), the credits that months now paid in full give the
    individual accounts, and the audit event."""
    to_principal = sum((a for _p, a, _f in allocations), Decimal(0))
    to_fees = sum((f for _p, _a, f in allocations), Decimal(0))
    receivable, credit = chart.unit_receivable_code(unit.pk), chart.unit_credit_code(unit.pk)
    codes = [chart.BANK_CODE, chart.LATE_FEE_CODE, receivable]
    if left_over is not None:
        codes.append(credit)
    by_code = chart.accounts_by_code(codes)
    lines = [
        (by_code[chart.BANK_CODE], amount, ""),
        (by_code[receivable], -to_principal, ""),
        (by_code[chart.LATE_FEE_CODE], -to_fees, ""),
    ]
    if left_over is not None:
        lines.append((by_code[credit], -left_over, ""))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.PAYMENT,
        effective_on=paid_on,
        unit=unit,
        memo=f"payment {reference}"[:200],
        audit=False,
        lines=lines,
    )
    payment = Payment.objects.create(
        unit=unit,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        overpaid=left_over if left_over is not None else Decimal("0.00"),
        entry=entry,
        created_at=clock.now(),
        created_by=actor if actor is not None and actor.pk else None,
    )
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(payment=payment, period=p, principal=a, late_fee=f)
            for p, a, f in allocations
        ]
    )
    account_credits_sync(actor=actor, unit=unit, effective_on=paid_on)
    data = {
        "amount": format_money(amount),
        "paid_on": paid_on,
        "reference": reference,
        "principal": format_money(to_principal),
        "late_fee": format_money(to_fees),
    }
    if left_over is not None:
        data["overpaid"] = format_money(left_over)
    audit_record(
        actor=actor,
        action="ledger.payment_recorded",
        target=payment,
        data={**data, **(audit or {})},
    )
    return payment


def _refuse_duplicate_reference(unit: Unit, reference: str) -> None:
    """A unit's payment references are unique: the same bank transfer is recorded once."""
    if Payment.objects.filter(unit=unit, reference=reference).exists():
        raise Conflict(
            _("A payment with reference %(ref)s is already recorded for this unit.")
            % {"ref": reference},
            code="duplicate_payment",
            fields={"reference": _("already recorded")},
        )

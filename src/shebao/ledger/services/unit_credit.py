"""Overpayments and the unit's credit: what a unit paid beyond what is due, and its
use for the months still owed."""

from decimal import Decimal

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.money import format_money
from shebao.ledger import chart, domain, selectors
from shebao.ledger.models import Account, JournalEntry, PaymentAllocation
from shebao.ledger.services.account_credits import account_credits_sync
from shebao.ledger.services.journal import entry_post
from shebao.policy import contributions
from shebao.policy import money as money_policy


def _units_to_settle(unit_ids, replaced_unit_ids) -> list[int]:
    """The units whose months or credit may need settling after new declarations: those
    that declared a month again, and those holding a credit."""
    holding = Account.objects.filter(
        kind=Account.Kind.UNIT_CREDIT, unit_id__in=list(unit_ids)
    ).exclude(balance=0)
    return sorted(set(replaced_unit_ids) | set(holding.values_list("unit_id", flat=True)))


def unit_credit_settle(*, actor: Actor, unit) -> None:
    """Move what a unit paid beyond what is due into its credit, then (when the policy
    pack says so) apply the credit to its months, oldest first; then credit the
    individual accounts of every month now paid in full. The caller holds the unit's row
    lock, inside its transaction.

    A month declared again lower than what was paid for it releases the excess: rows
    with a negative principal, taken from the latest payments into the month, and one
    entry moving the money from the receivable to the unit's credit. The credit then
    settles the months still owed as a payment would (principal, then its late fee),
    each allocation counted for the payment the money came from, on that payment's date.
    """
    _unit_credit_apply(actor=actor, unit=unit)
    account_credits_sync(actor=actor, unit=unit, effective_on=clock.today())


def _unit_credit_apply(*, actor: Actor, unit) -> None:
    by_code = chart.accounts_by_code(
        [
            chart.unit_receivable_code(unit.pk),
            chart.unit_credit_code(unit.pk),
            chart.LATE_FEE_CODE,
        ]
    )
    receivable = by_code[chart.unit_receivable_code(unit.pk)]
    credit = by_code[chart.unit_credit_code(unit.pk)]
    debts = selectors.unit_debts(unit)
    excess = {d.period: -d.principal_outstanding for d in debts if d.principal_outstanding < 0}
    if excess:
        paid_by = selectors.period_paid_by_payment(unit, excess)
        released = [
            (period, payment_id, amount)
            for period, amount in sorted(excess.items())
            for payment_id, amount in domain.release_excess(amount, paid_by.get(period, []))
        ]
        total = sum((amount for _p, _i, amount in released), Decimal(0))
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.OVERPAYMENT,
            effective_on=clock.today(),
            unit=unit,
            memo="paid beyond what is due: " + ", ".join(sorted(excess)),
            lines=[(receivable, total, ""), (credit, -total, "")],
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(
                    payment_id=payment_id,
                    period=period,
                    principal=-amount,
                    late_fee=Decimal(0),
                    entry=entry,
                )
                for period, payment_id, amount in released
            ]
        )
        debts = selectors.unit_debts(unit)
    if _late_fees_refund(actor, unit, debts, receivable_credit=(by_code, credit)):
        debts = selectors.unit_debts(unit)
    if money_policy.overpayment_rule(unit.region) != money_policy.APPLY_TO_NEXT_PERIODS:
        return
    # Locked: a refund of the credit (a unit's clearance) may run at the same time.
    held = -Account.objects.select_for_update().get(pk=credit.pk).balance
    if held <= 0 or not any(d.principal_outstanding > 0 for d in debts):
        return
    applied = []
    for payment, available in selectors.unit_credit_sources(unit, held):
        daily_rate = contributions.late_fee_rule(payment.paid_on, unit.region).daily_rate
        allocations, _left = domain.allocate_payment(available, debts, payment.paid_on, daily_rate)
        domain.record_allocations(debts, allocations, payment.paid_on)
        applied += [(payment, a) for a in allocations]
    if not applied:
        return
    principal = sum((a.principal for _p, a in applied), Decimal(0))
    fees = sum((a.late_fee for _p, a in applied), Decimal(0))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.CREDIT_APPLIED,
        effective_on=clock.today(),
        unit=unit,
        memo="credit applied to " + ", ".join(sorted({a.period for _p, a in applied})),
        lines=[
            (credit, principal + fees, ""),
            (receivable, -principal, ""),
            (by_code[chart.LATE_FEE_CODE], -fees, ""),
        ],
    )
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                payment=payment,
                period=a.period,
                principal=a.principal,
                late_fee=a.late_fee,
                entry=entry,
            )
            for payment, a in applied
        ]
    )


def _late_fees_refund(actor: Actor, unit, debts, *, receivable_credit) -> bool:
    """Give back late fees paid beyond what the months' principal, as declared now,
    accrues (SIL Art. 86: the fee is a share of the unpaid premium, so a month declared
    again lower owes a lower fee): the excess moves from the late-fee income to the
    unit's credit, taken from the latest payments' fees into the month, as an excess
    principal is. Each month's fee is counted to the day it was last paid against, at
    that day's rate, and never to after today. Returns whether anything was refunded."""
    by_code, credit = receivable_credit
    today = clock.today()
    excess = {}
    for debt in debts:
        if debt.fee_paid <= 0:
            continue
        last = max((day for day, _a in debt.payments), default=today)
        day = min(max(last, debt.due_on), today)
        due = debt.fee_accrued(day, contributions.late_fee_rule(day, unit.region).daily_rate)
        if debt.fee_paid > due:
            excess[debt.period] = debt.fee_paid - due
    if not excess:
        return False
    paid_by = selectors.period_fees_by_payment(unit, excess)
    released = [
        (period, payment_id, amount)
        for period, amount in sorted(excess.items())
        for payment_id, amount in domain.release_excess(amount, paid_by.get(period, []))
    ]
    if not released:
        return False
    total = sum((amount for _p, _i, amount in released), Decimal(0))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.OVERPAYMENT,
        effective_on=today,
        unit=unit,
        memo="late fees beyond what is due: " + ", ".join(sorted(excess)),
        lines=[(by_code[chart.LATE_FEE_CODE], total, ""), (credit, -total, "")],
    )
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                payment_id=payment_id,
                period=period,
                principal=Decimal(0),
                late_fee=-amount,
                entry=entry,
            )
            for period, payment_id, amount in released
        ]
    )
    audit_record(
        actor=actor,
        action="ledger.late_fees_refunded",
        target=entry,
        data={
            "unit_id": unit.pk,
            "total": format_money(total),
            "periods": {p: format_money(a) for p, a in sorted(excess.items())},
            "payments": [[i, p, format_money(a)] for p, i, a in released],
            "basis": ["sil_86"],
        },
    )
    return True

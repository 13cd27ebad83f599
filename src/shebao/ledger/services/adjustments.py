"""Arrears settled without a payment: assumed by a merger's successor, or written off
by a court's ruling."""

from decimal import Decimal

from django.db import transaction

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.locking import lock_or_404
from shebao.core.money import format_money
from shebao.ledger import chart, domain, selectors
from shebao.ledger.models import DebtAdjustment, JournalEntry
from shebao.ledger.services.journal import entry_post
from shebao.policy import contributions
from shebao.registry.models import Unit


def _adjustment_accounts(*unit_ids):
    codes = [chart.unit_receivable_code(pk) for pk in unit_ids] + [chart.WRITE_OFF_CODE]
    return chart.accounts_by_code(codes)


def _outstanding(unit, effective_on) -> list[tuple[domain.Debt, Decimal, Decimal]]:
    """Each month of the unit with something outstanding on ``effective_on``: the debt,
    its principal and its late fee to that day."""
    daily_rate = contributions.late_fee_rule(effective_on, unit.region).daily_rate
    rows = []
    for debt in selectors.unit_debts(unit, as_of=effective_on):
        principal = max(debt.principal_outstanding, Decimal(0))
        fee = debt.fee_outstanding(effective_on, daily_rate) if debt.due_on < effective_on else 0
        if principal > 0 or fee > 0:
            rows.append((debt, principal, Decimal(fee)))
    return rows


def unit_arrears_assume(
    *, actor: Actor, unit_id: int, successor_id: int, effective_on, reference: str, basis
) -> list[DebtAdjustment]:
    """A merger: the successor assumes the merged unit's arrears (Civil Code Art. 67;
    Company Law Art. 221). Each unpaid month leaves the merged unit's receivable and
    joins the successor's same month, its late fee running from the month's due date as
    before; one journal entry moves the principal between the two receivable accounts.
    Nothing is paid, and the merged unit then owes nothing."""
    with transaction.atomic():
        units = {
            u.pk: u
            for u in Unit.objects.select_for_update()
            .filter(pk__in=[unit_id, successor_id])
            .order_by("pk")
        }
        unit, successor = units[unit_id], units[successor_id]
        rows = _outstanding(unit, effective_on)
        if not rows:
            return []
        principal = sum((p for _d, p, _f in rows), Decimal(0))
        fees = sum((f for _d, _p, f in rows), Decimal(0))
        by_code = _adjustment_accounts(unit.pk, successor.pk)
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.DEBT_ASSUMED,
            effective_on=effective_on,
            unit=unit,
            memo=(
                f"arrears assumed by unit {successor.pk} ({reference}; "
                f"{', '.join(basis)}); late fees to date {format_money(fees)}"
            ),
            lines=[
                (by_code[chart.unit_receivable_code(successor.pk)], principal, ""),
                (by_code[chart.unit_receivable_code(unit.pk)], -principal, ""),
            ],
        )
        now = clock.now()
        made = []
        for debt, month_principal, fee in rows:
            common = {
                "period": debt.period,
                "due_on": debt.due_on,
                "principal": month_principal,
                "effective_on": effective_on,
                "reference": reference[:64],
                "basis": list(basis),
                "entry": entry,
                "created_at": now,
            }
            made.append(
                DebtAdjustment(
                    unit=unit,
                    kind=DebtAdjustment.Kind.ASSUMED_OUT,
                    late_fee=fee,
                    other_unit=successor,
                    **common,
                )
            )
            made.append(
                DebtAdjustment(
                    unit=successor,
                    kind=DebtAdjustment.Kind.ASSUMED_IN,
                    late_fee=fee,
                    other_unit=unit,
                    **common,
                )
            )
        DebtAdjustment.objects.bulk_create(made)
        audit_record(
            actor=actor,
            action="ledger.arrears_assumed",
            target=unit,
            data={
                "successor_id": successor.pk,
                "principal": format_money(principal),
                "late_fee": format_money(fees),
                "periods": [d.period for d, _p, _f in rows],
                "reference": reference,
                "basis": list(basis),
            },
        )
    return made


def unit_arrears_write_off(
    *, actor: Actor, unit_id: int, effective_on, reference: str, basis
) -> list[DebtAdjustment]:
    """Write off what a unit still owes on ``effective_on`` with a court's ruling as the
    source: one journal entry (the agency's write-off account against the unit's
    receivable) and one row per month; nothing is deleted."""
    with transaction.atomic():
        unit = lock_or_404(Unit, unit_id)
        rows = _outstanding(unit, effective_on)
        if not rows:
            return []
        principal = sum((p for _d, p, _f in rows), Decimal(0))
        fees = sum((f for _d, _p, f in rows), Decimal(0))
        by_code = _adjustment_accounts(unit.pk)
        # The personal parts of the months written off will never be paid: they leave
        # the credits due (O20 Art. 13 credits accounts from premiums actually paid), and
        # only the pooled parts are the fund's loss.
        due = chart.accounts_by_code([chart.unit_credits_due_code(unit.pk)])
        released = {
            period: amount
            for period, amount in selectors.credits_due_by_period(
                unit, [d.period for d, p, _f in rows if p > 0]
            ).items()
            if amount > 0
        }
        lines = [
            (by_code[chart.WRITE_OFF_CODE], principal, ""),
            (by_code[chart.unit_receivable_code(unit.pk)], -principal, ""),
        ]
        for period, amount in sorted(released.items()):
            lines += [
                (due[chart.unit_credits_due_code(unit.pk)], amount, period),
                (by_code[chart.WRITE_OFF_CODE], -amount, period),
            ]
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.WRITE_OFF,
            effective_on=effective_on,
            unit=unit,
            memo=f"written off by ruling {reference} ({', '.join(basis)})",
            lines=lines,
        )
        now = clock.now()
        made = [
            DebtAdjustment(
                unit=unit,
                kind=DebtAdjustment.Kind.WRITTEN_OFF,
                period=debt.period,
                due_on=debt.due_on,
                principal=month_principal,
                late_fee=fee,
                effective_on=effective_on,
                reference=reference[:64],
                basis=list(basis),
                entry=entry,
                created_at=now,
            )
            for debt, month_principal, fee in rows
        ]
        DebtAdjustment.objects.bulk_create(made)
        audit_record(
            actor=actor,
            action="ledger.arrears_written_off",
            target=unit,
            data={
                "principal": format_money(principal),
                "late_fee": format_money(fees),
                "periods": [d.period for d, _p, _f in rows],
                "credits_released": {p: format_money(a) for p, a in sorted(released.items())},
                "reference": reference,
                "basis": list(basis),
            },
        )
    return made

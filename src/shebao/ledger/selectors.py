"""Reads of the ledger: arrears, balances, statements."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from shebao.core.money import ZERO, round_money
from shebao.ledger import accounts, domain
from shebao.ledger.models import Account, Declaration, PaymentAllocation, Posting
from shebao.policy import contributions


def unit_debts(unit, *, as_of: datetime.date | None = None) -> list[domain.Debt]:
    """Each declared month of the unit with what was paid against it (payments up to
    ``as_of`` when given), oldest first."""
    debts = {
        d.period: domain.Debt(period=d.period, due_on=d.due_on, principal=d.total_due)
        for d in Declaration.objects.filter(unit=unit, status=Declaration.Status.LIVE).order_by(
            "period"
        )
    }
    allocations = PaymentAllocation.objects.filter(payment__unit=unit).select_related("payment")
    if as_of is not None:
        allocations = allocations.filter(payment__paid_on__lte=as_of)
    for allocation in allocations.order_by("payment__paid_on", "payment_id"):
        debt = debts.get(allocation.period)
        if debt is None:  # paid against a month whose declaration was later withdrawn
            continue
        debt.principal_paid += allocation.principal
        debt.fee_paid += allocation.late_fee
        if allocation.principal:
            debt.payments.append((allocation.payment.paid_on, allocation.principal))
    return sorted(debts.values(), key=lambda d: (d.due_on, d.period))


def unit_arrears(unit, *, as_of: datetime.date) -> dict:
    """What the unit owes on ``as_of``: overdue principal and the late fee accrued on it,
    by month; months not yet due; and overpayments it may have refunded."""
    daily_rate = contributions.late_fee_rule(as_of, unit.region).daily_rate
    items, not_yet_due = [], []
    principal_total = fee_total = ZERO
    for debt in unit_debts(unit, as_of=as_of):
        outstanding = debt.principal_outstanding
        if debt.due_on >= as_of:
            if outstanding > 0:
                not_yet_due.append(
                    {"period": debt.period, "due_on": debt.due_on, "principal": outstanding}
                )
            continue
        fee = debt.fee_outstanding(as_of, daily_rate)
        if outstanding <= 0 and fee <= 0:
            continue
        principal = max(outstanding, ZERO)
        items.append(
            {
                "period": debt.period,
                "due_on": debt.due_on,
                "principal": principal,
                "late_fee": fee,
                "days_late": domain.late_days(debt.due_on, as_of),
            }
        )
        principal_total += principal
        fee_total += fee
    return {
        "as_of": as_of,
        "principal": principal_total,
        "late_fee": fee_total,
        "total": principal_total + fee_total,
        "daily_rate": daily_rate,
        "items": items,
        "not_yet_due": not_yet_due,
        "refundable": unit_refundable(unit),
    }


def unit_refundable(unit) -> Decimal:
    """Overpayments held for the unit (a credit balance, shown as a positive amount)."""
    account = Account.objects.filter(code=accounts.unit_credit_code(unit.pk)).first()
    return -account.balance if account else ZERO


def money_sum(queryset, field: str = "amount") -> Decimal:
    """SUM of a money column, to the cent: SQLite adds NUMERIC values as floating point,
    so its sums carry tiny binary residues that must not reach a comparison."""
    return round_money(queryset.aggregate(s=Sum(field))["s"] or ZERO)


def account_balance_from_postings(account_id: int) -> Decimal:
    return money_sum(Posting.objects.filter(account_id=account_id))


def ledger_check() -> tuple[int, list[str]]:
    """Every entry balances and every cached balance equals the sum of its postings.

    Returns the number of accounts checked and a description of each problem found.
    """
    problems = []
    entry_sums = Posting.objects.values_list("entry_id").annotate(s=Sum("amount")).order_by()
    for entry_id, total in entry_sums.iterator():
        if round_money(total) != 0:
            problems.append(
                f"journal entry {entry_id} does not balance (off by {round_money(total)})"
            )
            if len(problems) >= 20:
                break
    sums = defaultdict(
        Decimal,
        {
            account_id: round_money(total)
            for account_id, total in Posting.objects.values_list("account_id")
            .annotate(s=Sum("amount"))
            .order_by()
        },
    )
    checked = 0
    for account_id, code, balance in Account.objects.values_list(
        "id", "code", "balance"
    ).iterator():
        checked += 1
        if sums[account_id] != balance:
            problems.append(
                f"account {code}: cached balance {balance} but postings sum to {sums[account_id]}"
            )
            if len(problems) >= 50:
                break
    return checked, problems

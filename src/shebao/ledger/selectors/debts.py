"""Reads of a unit's months: its debts and the payments into them, its paid months, the
credits due to its persons' accounts, and the ledger's own checks."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from shebao.core import clock
from shebao.core.money import ZERO
from shebao.ledger import chart, domain
from shebao.ledger.models import (
    Account,
    DebtAdjustment,
    Declaration,
    JournalEntry,
    Payment,
    PaymentAllocation,
    Posting,
)
from shebao.policy import contributions
from shebao.policy import money as money_policy
from shebao.registry.models import Unit


def unit_debts(unit, *, as_of: datetime.date | None = None) -> list[domain.Debt]:
    """Each declared month of the unit with what was paid against it (payments up to
    ``as_of`` when given), oldest first."""
    debts = {
        d.period: domain.Debt(period=d.period, due_on=d.due_on, principal=d.total_due)
        for d in Declaration.objects.filter(unit=unit, status=Declaration.Status.LIVE).order_by(
            "period"
        )
    }
    # Months settled or taken on without a payment (a court's ruling; a merger). Months
    # taken on are counted first: the successor's payments are allocated to them.
    adjustment_rows = DebtAdjustment.objects.filter(unit=unit)
    if as_of is not None:
        adjustment_rows = adjustment_rows.filter(effective_on__lte=as_of)
    adjustments = list(adjustment_rows.order_by("effective_on", "pk"))
    for adjustment in adjustments:
        if adjustment.kind == DebtAdjustment.Kind.ASSUMED_IN:
            debt = debts.get(adjustment.period)
            if debt is None:
                debt = debts[adjustment.period] = domain.Debt(
                    period=adjustment.period, due_on=adjustment.due_on, principal=ZERO
                )
            debt.principal += adjustment.principal
            debt.assumed_in += adjustment.principal
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
    for adjustment in adjustments:
        debt = debts.get(adjustment.period)
        if adjustment.kind == DebtAdjustment.Kind.ASSUMED_IN or debt is None:
            continue
        debt.principal_paid += adjustment.principal
        debt.principal_settled_unpaid += adjustment.principal
        if adjustment.kind == DebtAdjustment.Kind.WRITTEN_OFF:
            debt.written_off += adjustment.principal
        else:
            successor = adjustment.other_unit_id
            assert successor is not None  # an assumption names the successor
            debt.assumed_by[successor] = debt.assumed_by.get(successor, ZERO) + adjustment.principal
        debt.fee_paid += adjustment.late_fee
        if adjustment.principal:
            debt.payments.append((adjustment.effective_on, adjustment.principal))
    return sorted(debts.values(), key=lambda d: (d.due_on, d.period))


def period_paid_by_payment(unit, periods) -> dict[str, list[tuple[int, Decimal]]]:
    """For each of ``periods``, the net principal each payment put into it, oldest
    payment first: ``{period: [(payment id, amount), ...]}``."""
    paid: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for period, payment_id, principal in (
        PaymentAllocation.objects.filter(payment__unit=unit, period__in=list(periods))
        .values_list("period", "payment_id")
        .annotate(s=Sum("principal"))
        .order_by("period", "payment__paid_on", "payment_id")
    ):
        paid[period][payment_id] = principal
    return {period: list(by_payment.items()) for period, by_payment in paid.items()}


def period_fees_by_payment(unit, periods) -> dict[str, list[tuple[int, Decimal]]]:
    """For each of ``periods``, the net late fee each payment put into it, oldest
    payment first: ``{period: [(payment id, amount), ...]}``."""
    paid: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for period, payment_id, fee in (
        PaymentAllocation.objects.filter(payment__unit=unit, period__in=list(periods))
        .values_list("period", "payment_id")
        .annotate(s=Sum("late_fee"))
        .order_by("period", "payment__paid_on", "payment_id")
    ):
        paid[period][payment_id] = fee
    return {period: list(by_payment.items()) for period, by_payment in paid.items()}


def unit_credit_sources(unit, available: Decimal) -> list[tuple[Payment, Decimal]]:
    """The payments the unit's credit of ``available`` comes from, oldest first, with
    how much of each is still unallocated. A refund is taken from the oldest money, so
    the credit left is the newest unallocated money."""
    allocated = {
        payment_id: principal + fee
        for payment_id, principal, fee in PaymentAllocation.objects.filter(payment__unit=unit)
        .values_list("payment_id")
        .annotate(Sum("principal"), Sum("late_fee"))
        .order_by()
    }
    sources = []
    for payment in Payment.objects.filter(unit=unit).order_by("-paid_on", "-id"):
        if available <= 0:
            break
        unallocated = payment.amount - allocated.get(payment.pk, ZERO)
        take = min(unallocated, available)
        if take > 0:
            sources.append((payment, take))
            available -= take
    return sources[::-1]


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
    account = Account.objects.filter(code=chart.unit_credit_code(unit.pk)).first()
    return -account.balance if account else ZERO


def money_sum(queryset, field: str = "amount") -> Decimal:
    """SUM of a money column: exact, since amounts are integer fen on every database
    (the sum comes back as a two-place Decimal through the money field)."""
    return queryset.aggregate(s=Sum(field))["s"] or ZERO


def account_balance_from_postings(account_id: int) -> Decimal:
    return money_sum(Posting.objects.filter(account_id=account_id))


def ledger_check() -> tuple[int, list[str]]:
    """Every entry balances, every cached balance equals the sum of its postings exactly,
    and every unit's arrears and credit, as the API reports them, agree with the ledger.

    Returns the number of accounts checked and a description of each problem found.
    """
    problems = []
    entry_sums = (
        Posting.objects.values_list("entry_id").annotate(s=Sum("amount")).exclude(s=0).order_by()
    )
    for entry_id, total in entry_sums[:20]:
        problems.append(f"journal entry {entry_id} does not balance (off by {total})")
    sums = defaultdict(
        Decimal,
        Posting.objects.values_list("account_id").annotate(s=Sum("amount")).order_by(),
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
                return checked, problems
    unit_ids = (
        Account.objects.filter(unit__isnull=False).values_list("unit_id", flat=True).distinct()
    )
    problems += account_year_problems()
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk").iterator():
        problems += unit_money_problems(unit, sums=sums)
        if len(problems) >= 50:
            break
    return checked, problems


# The individual accounts' yearly sums as their postings give them (what the journal
# keeps in ``AccountYear``), and the summaries with anything in them.
_YEARS_FROM_POSTINGS = """
SELECT p.account_id, CAST(SUBSTR(p.period, 1, 4) AS INTEGER) AS year,
    -SUM(CASE WHEN e.kind = %(interest)s THEN 0 ELSE p.amount END) AS credits,
    -SUM(CASE WHEN e.kind = %(interest)s THEN 0
         ELSE p.amount * (13 - CAST(SUBSTR(p.period, 6, 2) AS INTEGER)) END) AS weighted,
    SUM(CASE WHEN e.kind = %(interest)s THEN 0 ELSE 1 END) AS flows,
    -SUM(CASE WHEN e.kind = %(interest)s THEN p.amount ELSE 0 END) AS interest
FROM ledger_posting p
JOIN ledger_account a ON a.id = p.account_id
JOIN ledger_journalentry e ON e.id = p.entry_id
WHERE a.kind = %(individual)s AND p.period >= '1990-01'
GROUP BY p.account_id, CAST(SUBSTR(p.period, 1, 4) AS INTEGER)
"""
_YEARS_KEPT = """
SELECT account_id, year, credits, weighted, flows, interest FROM ledger_accountyear
WHERE NOT (credits = 0 AND weighted = 0 AND flows = 0 AND interest = 0)
"""


def account_year_problems() -> list[str]:
    """Where an individual account's yearly summary differs from its postings (the
    interest run reads the summaries): the first 20 account-years either way."""
    params = {"interest": JournalEntry.Kind.INTEREST, "individual": Account.Kind.INDIVIDUAL}
    problems = []
    with connection.cursor() as cursor:
        for first, second, says in (
            (_YEARS_KEPT, _YEARS_FROM_POSTINGS, "its summary holds sums its postings do not give"),
            (_YEARS_FROM_POSTINGS, _YEARS_KEPT, "its postings give sums its summary does not hold"),
        ):
            cursor.execute(
                f"SELECT account_id, year FROM ({first} EXCEPT {second}) AS differing "
                "ORDER BY account_id, year LIMIT 20",
                params,
            )
            problems += [f"account {a}, year {y}: {says}" for a, y in cursor.fetchall()]
    return problems


def unit_money_problems(unit, *, sums: dict[int, Decimal] | None = None) -> list[str]:
    """Where what the API reports of a unit's money (arrears, months not yet due, credit)
    differs from its ledger postings; empty when they agree."""
    today = clock.today()
    codes = {a.code: a.pk for a in Account.objects.filter(unit=unit)}

    def posted(code: str) -> Decimal:
        pk = codes.get(code)
        if pk is None:
            return ZERO
        if sums is not None:
            return sums.get(pk, ZERO)
        return money_sum(Posting.objects.filter(account_id=pk))

    receivable = posted(chart.unit_receivable_code(unit.pk))
    credit = -posted(chart.unit_credit_code(unit.pk))
    arrears = unit_arrears(unit, as_of=today)
    owed = arrears["principal"] + sum((i["principal"] for i in arrears["not_yet_due"]), ZERO)
    problems = []
    name = f"unit {unit.pk}"
    if owed != receivable:
        problems.append(
            f"{name}: arrears and months not yet due report {owed} owed but its receivable "
            f"postings sum to {receivable}"
        )
    if arrears["refundable"] != credit:
        problems.append(
            f"{name}: refundable reported as {arrears['refundable']} but its credit postings "
            f"sum to {credit}"
        )
    if credit < 0:
        problems.append(f"{name}: its credit is negative ({credit})")
    unallocated = money_sum(Payment.objects.filter(unit=unit)) - (
        money_sum(PaymentAllocation.objects.filter(payment__unit=unit), "principal")
        + money_sum(PaymentAllocation.objects.filter(payment__unit=unit), "late_fee")
    )
    if unallocated < credit:
        problems.append(
            f"{name}: its credit of {credit} is more than its payments left unallocated "
            f"({unallocated})"
        )
    problems += _credits_due_problems(unit, name, codes.get(chart.unit_credits_due_code(unit.pk)))
    if (
        credit > 0
        and owed > 0
        and money_policy.overpayment_rule(unit.region) == money_policy.APPLY_TO_NEXT_PERIODS
    ):
        problems.append(f"{name}: holds a credit of {credit} while it owes {owed}")
    return problems


def paid_periods(debts) -> set[str]:
    """The months whose premiums were paid in full with money: their personal parts are
    credited to the individual accounts (O20 Art. 13). A month settled by a write-off or
    taken over by a merger's successor is not paid and credits nothing."""
    return {debt.period for debt in debts if debt.paid_in_full}


def unit_paid_periods(unit, debts=None) -> set[str]:
    """The unit's months whose own premiums were paid in full with money, counting a
    month a merger's successor assumed as paid once the successor has paid its same month
    in full (Civil Code Art. 67, Company Law Art. 221: the successor pays the debts; O20
    Art. 13: the accounts are credited from premiums actually paid). A month written off
    is never paid."""
    return _paid_months(unit, unit_debts(unit) if debts is None else debts, frozenset())[0]


def _paid_months(unit, debts, seen: frozenset) -> tuple[set[str], set[str]]:
    """The months whose own principal is paid, and those paid whole (the parts assumed
    from merged units too)."""
    pending = {pk for d in debts for pk in d.assumed_by} - seen - {unit.pk}
    whole_by_successor = {}
    if pending:
        for successor in Unit.objects.filter(pk__in=pending).order_by("pk"):
            whole_by_successor[successor.pk] = _paid_months(
                successor, unit_debts(successor), seen | {unit.pk}
            )[1]
    own, whole = set(), set()
    for debt in debts:
        paid = debt.principal_paid - debt.principal_settled_unpaid
        paid += sum(
            (
                amount
                for successor_id, amount in debt.assumed_by.items()
                if debt.period in whole_by_successor.get(successor_id, ())
            ),
            ZERO,
        )
        if paid >= debt.principal - debt.assumed_in:
            own.add(debt.period)
        if paid >= debt.principal:
            whole.add(debt.period)
    return own, whole


def credits_due_by_period(unit, periods=None) -> dict[str, Decimal]:
    """What the unit's credits due hold for each month, as a positive amount still to be
    credited to the individual accounts."""
    rows = Posting.objects.filter(account__code=chart.unit_credits_due_code(unit.pk))
    if periods is not None:
        rows = rows.filter(period__in=list(periods))
    return {
        period: -amount
        for period, amount in rows.values_list("period").annotate(s=Sum("amount")).order_by()
    }


def _credits_due_problems(unit, name: str, account_id: int | None) -> list[str]:
    """Each month's personal parts wait in the unit's credits due while the month is
    unpaid and have all gone once it is paid in full (to the accounts) or written off
    (what a distribution recovered to the accounts, the rest released)."""
    if account_id is None:
        return []
    by_period = defaultdict(
        Decimal,
        Posting.objects.filter(account_id=account_id)
        .values_list("period")
        .annotate(s=Sum("amount"))
        .order_by(),
    )
    waiting = defaultdict(
        Decimal,
        Posting.objects.filter(
            account_id=account_id,
            entry__declaration__status=Declaration.Status.LIVE,
            entry__declaration__unit=unit,
        )
        .values_list("period")
        .annotate(s=Sum("amount"))
        .order_by(),
    )
    debts = unit_debts(unit)
    paid = unit_paid_periods(unit, debts)
    # A month written off credits only what the distribution recovered for the accounts;
    # the rest is released with the write-off: nothing of it is still due.
    written_off = {d.period for d in debts if d.written_off > 0}
    problems = []
    for period in sorted(set(by_period) | set(waiting)):
        expected = ZERO if period in paid or period in written_off else waiting[period]
        if by_period[period] != expected:
            state = (
                "paid" if period in paid else "written off" if period in written_off else "unpaid"
            )
            problems.append(
                f"{name}: {period} is {state} but its credits due to individual accounts "
                f"stand at {-by_period[period]} instead of {-expected}"
            )
    return problems

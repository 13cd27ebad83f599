"""Reads of the ledger: arrears, balances, statements, interest due."""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from shebao.accounts import domain as roles
from shebao.core import clock
from shebao.core.money import ZERO, round_money
from shebao.ledger import accounts, domain
from shebao.ledger.models import (
    Account,
    ArrearsFineProposal,
    ArrearsNotice,
    DebtAdjustment,
    Declaration,
    DeclarationLine,
    InterestCredit,
    JournalEntry,
    Payment,
    PaymentAllocation,
    Posting,
)
from shebao.policy import contributions
from shebao.policy import interest as interest_policy
from shebao.policy import money as money_policy
from shebao.policy import registry as policy_registry
from shebao.registry.models import Employment, Unit


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
    account = Account.objects.filter(code=accounts.unit_credit_code(unit.pk)).first()
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
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk").iterator():
        problems += unit_money_problems(unit, sums=sums)
        if len(problems) >= 50:
            break
    return checked, problems


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

    receivable = posted(accounts.unit_receivable_code(unit.pk))
    credit = -posted(accounts.unit_credit_code(unit.pk))
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
    problems += _credits_due_problems(
        unit, name, codes.get(accounts.unit_credits_due_code(unit.pk))
    )
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
        from shebao.registry.models import Unit

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
    rows = Posting.objects.filter(account__code=accounts.unit_credits_due_code(unit.pk))
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


def _individual_account(person):
    return Account.objects.filter(code=accounts.individual_code(person.pk)).first()


PAID = "paid"
ARREARS = "arrears"
DECLARED = "declared"


def person_months(person, *, unit_id: int | None = None, today=None) -> list[dict]:
    """Every month declared for the person (by ``unit_id`` only, when given), oldest
    first, with whether its premium was paid: ``paid`` when the unit's month is paid in
    full (its principal), ``arrears`` when it is due and not paid, ``declared`` while it
    is not yet due (the same line as the unit's arrears: due on ``due_on``, overdue the
    day after). Individual accounts are credited from paid months only (O20 Art. 13)."""
    today = today or clock.today()
    rows = DeclarationLine.objects.filter(
        person=person, declaration__status=Declaration.Status.LIVE
    ).select_related("declaration__unit")
    if unit_id is not None:
        rows = rows.filter(declaration__unit_id=unit_id)
    lines = list(rows.order_by("period", "declaration__unit_id"))
    paid_by_unit, debts_by_unit = {}, {}
    for unit in {line.declaration.unit for line in lines}:
        debts = unit_debts(unit)
        debts_by_unit[unit.pk] = {d.period: d for d in debts}
        paid_by_unit[unit.pk] = unit_paid_periods(unit, debts)
    months = []
    for line in lines:
        declaration = line.declaration
        debt = debts_by_unit[declaration.unit_id].get(line.period)
        paid = line.period in paid_by_unit[declaration.unit_id]
        if paid:
            status = PAID
        elif declaration.due_on < today:
            status = ARREARS
        else:
            status = DECLARED
        months.append(
            {
                "period": line.period,
                "unit_id": declaration.unit_id,
                "unit": declaration.unit.name,
                "due_on": declaration.due_on,
                "base": line.base,
                "personal": line.personal_total,
                "account_credit": line.account_credit,
                "status": status,
                # Not paid: written off by a court's ruling (it stays unpaid), or owed now
                # by the successor that assumed it in a merger.
                "written_off": not paid and debt is not None and debt.written_off > 0,
                "owed_by_unit_id": (
                    max(debt.assumed_by, key=lambda pk: debt.assumed_by[pk])
                    if not paid and debt is not None and debt.assumed_by
                    else None
                ),
                "line": line,
            }
        )
    return months


def paid_contribution_months(person) -> int:
    """The person's local contribution months: months whose premiums were paid, each
    month once even with two employers (SIL Art. 16 counts months paid). Months brought
    in from elsewhere or deemed are counted on top of this by their own records."""
    return len({m["period"] for m in person_months(person) if m["status"] == PAID})


# The name the clearance rules call: contribution months are months paid.
person_contribution_months = paid_contribution_months


def person_contributions(person, *, user) -> list[dict]:
    """The months of ``person`` the user may see: all of them for staff and the person
    themself, only the months its own declarations name for a unit representative."""
    unit_id = None
    if user.role == roles.UNIT_REP:
        representation = getattr(user, "unit_representation", None)
        unit_id = representation.unit_id if representation is not None else -1
    return person_months(person, unit_id=unit_id)


def person_account(person) -> dict:
    """The individual account: balance, cumulative contribution months and its entries."""
    account = _individual_account(person)
    entries = []
    if account is not None:
        running = ZERO
        for posting in (
            Posting.objects.filter(account=account)
            .select_related("entry")
            .order_by("entry__effective_on", "entry_id")
        ):
            amount = -posting.amount  # credit-normal: a credit raises the balance
            running += amount
            entries.append(
                {
                    "date": posting.entry.effective_on,
                    "period": posting.period,
                    "kind": posting.entry.kind,
                    "amount": amount,
                    "balance": running,
                    "memo": posting.entry.memo,
                }
            )
    return {
        "person_id": person.pk,
        "balance": -account.balance if account else ZERO,
        "contribution_months": person_contribution_months(person),
        "entries": entries,
    }


def person_statement(person) -> dict:
    """The rights statement of SIL Art. 74: contributions by month and insurance type,
    cumulative months, and the individual account with its interest by year."""
    months = []
    totals: dict[str, list[Decimal]] = {}
    for month in person_months(person):
        line = month["line"]
        parts = {
            kind: {"unit": Decimal(u), "personal": Decimal(p)}
            for kind, (u, p) in line.parts.items()
        }
        for kind, part in parts.items():
            pair = totals.setdefault(kind, [ZERO, ZERO])
            pair[0] += part["unit"]
            pair[1] += part["personal"]
        months.append(
            {
                "period": line.period,
                "unit": line.declaration.unit.name,
                "unit_id": line.declaration.unit_id,
                "base": line.base,
                "parts": parts,
                "account_credit": line.account_credit,
                "status": month["status"],
            }
        )
    account = _individual_account(person)
    interest = []
    if account is not None:
        # Each year's interest with the rate of its latest crediting: whether it is still
        # provisional (its own rate not published yet), and the months for a part year.
        by_year: dict[int, dict] = {}
        for row in InterestCredit.objects.filter(account=account).order_by("year", "id"):
            item = by_year.setdefault(row.year, {"year": row.year, "amount": ZERO})
            item["amount"] += row.amount
            item.update(
                rate=str(row.rate),
                rate_year=row.rate_year or row.year,
                provisional=row.provisional,
                months=row.months,
            )
        interest = list(by_year.values())
    return {
        "person_id": person.pk,
        "months": months,
        "totals_by_type": {kind: {"unit": u, "personal": p} for kind, (u, p) in totals.items()},
        "contribution_months": len({m["period"] for m in months if m["status"] == PAID}),
        "balance": -account.balance if account else ZERO,
        "interest": interest,
    }


def unit_statement(unit, *, as_of: datetime.date) -> dict:
    """A unit's declarations, what was paid against each month, and what it owes."""
    paid: defaultdict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for period, principal, fee in (
        PaymentAllocation.objects.filter(payment__unit=unit)
        .values_list("period")
        .annotate(Sum("principal"), Sum("late_fee"))
        .order_by()
    ):
        paid[period] = [principal, fee]  # exact: integer fen sums
    months: list[dict[str, Any]] = [
        {
            "period": d.period,
            "kind": d.kind,
            "due_on": d.due_on,
            "lines": d.line_count,
            "total_due": d.total_due,
            "paid_principal": paid[d.period][0],
            "paid_late_fee": paid[d.period][1],
            "outstanding": d.total_due - paid[d.period][0],
        }
        for d in Declaration.objects.filter(unit=unit, status=Declaration.Status.LIVE).order_by(
            "period"
        )
    ]
    return {
        "unit_id": unit.pk,
        "months": months,
        "declared_total": sum((m["total_due"] for m in months), ZERO),
        "paid_total": money_sum(Payment.objects.filter(unit=unit)),
        "arrears": unit_arrears(unit, as_of=as_of),
    }


def assessed_premium(
    *,
    region: str,
    industry_class: int | None,
    wage: Decimal,
    months: list[str],
    work_injury_float_percent: int | None = None,
) -> dict:
    """The premium the agency assesses for an employee the unit did not register in time
    (SIL Art. 58 para 1): each month's declared wage, clamped to that month's limits, at
    that month's rates, exactly as a declaration would have computed it."""
    region_data = policy_registry.region(region)
    policy = contributions.contribution_policy(region)
    to_account = frozenset(
        code for code, kind in policy.insurance_types.items() if kind.personal_part_to_account
    )
    by_month: list[dict[str, Any]] = []
    totals: defaultdict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for month in months:
        year, number = domain.parse_period(month)
        floor, cap = region_data.base_limits(year, number)
        line = domain.declaration_line(
            person_id=0,
            wage=wage,
            floor=floor,
            cap=cap,
            to_account=to_account,
            rates=contributions.rates_on(
                domain.period_start(month),
                region,
                work_injury_class=industry_class,
                work_injury_float_percent=work_injury_float_percent,
            ),
        )
        for part in line.parts:
            totals[part.insurance_type][0] += part.unit_amount
            totals[part.insurance_type][1] += part.personal_amount
        by_month.append(
            {
                "month": month,
                "base": line.base,
                "unit": line.unit_total,
                "personal": line.personal_total,
            }
        )
    unit_total = sum((m["unit"] for m in by_month), ZERO)
    personal_total = sum((m["personal"] for m in by_month), ZERO)
    return {
        "months": by_month,
        "by_type": {k: tuple(v) for k, v in totals.items()},
        "unit_total": unit_total,
        "personal_total": personal_total,
        "total": unit_total + personal_total,
    }


# Arrears enforcement -------------------------------------------------------------------


def arrears_notices(unit):
    return (
        ArrearsNotice.objects.filter(unit=unit)
        .select_related("certificate", "fine_proposal")
        .order_by("-issued_on", "-id")
    )


def arrears_notice_get(unit, notice_id: int):
    """The unit's notice, or None (a notice of another unit is not found)."""
    return (
        ArrearsNotice.objects.filter(unit=unit, pk=notice_id)
        .select_related("certificate", "unit")
        .first()
    )


def arrears_fine_proposals(status: str | None = None):
    proposals = ArrearsFineProposal.objects.select_related("unit", "notice").order_by("-id")
    return proposals.filter(status=status) if status else proposals


# Interest ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class YearInterest:
    """A year's interest of one account as the rules give it today."""

    year: int
    target: Decimal  # the year's whole interest
    credited: Decimal  # what is booked for it so far
    rate: Decimal
    rate_year: int
    provisional: bool
    opening: Decimal
    credits: Decimal
    method: str
    basis: tuple[str, ...]  # citation codes: the rate's and the method's
    months: int | None = None  # the year of leaving: whole months held

    @property
    def due(self) -> Decimal:
        return self.target - self.credited


def individual_flows(account_ids, up_to_year: int) -> dict[int, dict[int, dict[int, Decimal]]]:
    """account -> year -> month -> what was credited (contributions, transfers in; not
    interest, not payouts), up to the end of ``up_to_year``."""
    flows: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(dict)
    # Every individual account when ``account_ids`` is None (no list of ids in the SQL).
    accounts_of = (
        {"account__kind": Account.Kind.INDIVIDUAL}
        if account_ids is None
        else {"account_id__in": account_ids}
    )
    rows = (
        Posting.objects.filter(**accounts_of, period__gte="1990-01", period__lte=f"{up_to_year}-12")
        .exclude(entry__kind=JournalEntry.Kind.INTEREST)
        .values_list("account_id", "period")
        .annotate(s=Sum("amount"))
        .order_by("account_id", "period")
    )
    for account_id, period, amount in rows.iterator(chunk_size=20000):
        # Individual accounts are credit-normal: a contribution is a negative posting.
        flows[account_id].setdefault(int(period[:4]), {})[int(period[5:7])] = -amount
    return flows


def credited_interest(account_ids=None, *, up_to_year: int) -> dict[tuple[int, int], Decimal]:
    """(account, year) -> interest booked for it (exact: integer fen sums)."""
    rows = InterestCredit.objects.filter(year__lte=up_to_year)
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    return {
        (account_id, year): amount
        for account_id, year, amount in rows.values_list("account_id", "year")
        .annotate(s=Sum("amount"))
        .order_by()
    }


def year_interest(policy, opening: Decimal, by_month: dict[int, Decimal], year: int):
    """The whole interest of ``year`` on an account (IAM1997) and the rate it is at;
    (0, None) for a year in which the account held nothing. A year with money and no rate
    for the region is a 422 naming both."""
    credits = sum(by_month.values(), Decimal(0))
    if not opening and not credits:
        return ZERO, None
    applied = policy.applied_rate(year)
    rate = applied.rate.rate
    if policy.method == interest_policy.MONTH_PRODUCT:
        target = domain.interest_month_product(opening, by_month, rate)
    else:
        target = domain.interest_annual(opening, credits, rate, policy.annual_factor)
    return max(target, ZERO), applied


def _basis(policy, applied) -> tuple[str, ...]:
    codes = [applied.rate.basis.code] + [c.code for c in policy.basis]
    return tuple(dict.fromkeys(codes))


def interest_path(
    policy, account_id: int, flows: dict[int, dict[int, Decimal]], through_year: int, credited
) -> tuple[list[YearInterest], Decimal]:
    """Every year of the account up to ``through_year`` with its interest, and the
    balance at the end of it (as the rules give it: opening plus credits plus interest)."""
    years: list[YearInterest] = []
    balance = ZERO
    if not flows:
        return years, balance
    for year in range(min(flows), through_year + 1):
        by_month = flows.get(year, {})
        credits = sum(by_month.values(), Decimal(0))
        target, applied = year_interest(policy, balance, by_month, year)
        booked = credited.get((account_id, year), ZERO)
        if applied is not None or booked:
            years.append(
                YearInterest(
                    year=year,
                    target=target,
                    credited=booked,
                    rate=applied.rate.rate if applied else ZERO,
                    rate_year=applied.rate_year if applied else year,
                    provisional=applied.provisional if applied else False,
                    opening=balance,
                    credits=credits,
                    method=policy.method,
                    basis=_basis(policy, applied) if applied else (),
                )
            )
        balance += credits + target
    return years, balance


def persons_regions(person_ids=None) -> dict[int, str]:
    """The region whose interest rules apply to each person's account: that of the unit
    of their open employment (the latest, if several), else of their latest one (as a
    clearance case takes it); persons with no employment are left out (no region). All
    persons when ``person_ids`` is None (one query, no list of ids)."""
    rows = Employment.objects.all()
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    found: dict[int, tuple] = {}
    for person_id, status, region, started, pk in rows.values_list(
        "person_id", "status", "unit__region", "started_on", "pk"
    ).iterator(chunk_size=20000):
        key = (status == "open", started, pk)
        if person_id not in found or key > found[person_id][0]:
            found[person_id] = (key, region)
    return {person_id: region for person_id, (_k, region) in found.items()}


def interest_due_on_leaving(
    person, *, region: str, leaving_on: datetime.date
) -> list[YearInterest]:
    """What a clearance credits before the account is paid out or transferred: every
    completed year before the year of leaving not yet credited (at its published rate, or
    the latest published one, provisional), and the year of leaving by the region's rule
    (unless the yearly run already credited it whole). Only years with something due."""
    account = _individual_account(person)
    if account is None:
        return []
    policy = interest_policy.interest_policy(region)
    year = leaving_on.year
    flows = individual_flows([account.pk], year).get(account.pk, {})
    credited = credited_interest([account.pk], up_to_year=year)
    years, opening = interest_path(policy, account.pk, flows, year - 1, credited)
    due = [y for y in years if y.due]
    if (account.pk, year) in credited or not (opening or flows.get(year)):
        return due
    by_month = flows.get(year, {})
    months = domain.months_elapsed_in_year(leaving_on)
    latest = policy.latest_rate(year)
    rule = policy.leaving_year
    amount = ZERO
    if latest is not None and rule == interest_policy.MONTHS_HELD_LATEST_RATE:
        amount = domain.interest_months_held(opening, by_month, latest.rate, months)
    elif latest is not None and rule == interest_policy.PRO_RATA_LATEST_RATE:
        held = opening + sum(by_month.values(), Decimal(0))
        amount = round_money(held * latest.rate * months / 12)
    due.append(
        YearInterest(
            year=year,
            target=max(amount, ZERO),
            credited=ZERO,
            rate=latest.rate if latest and rule != interest_policy.NO_INTEREST else ZERO,
            rate_year=latest.year if latest else year,
            provisional=False,
            opening=opening,
            credits=sum(by_month.values(), Decimal(0)),
            method=rule,
            basis=_basis(policy, interest_policy.AppliedRate(year, latest, False))
            if latest
            else tuple(c.code for c in policy.basis),
            months=months,
        )
    )
    return due


def interest_credited_for(person, year: int) -> bool:
    """Whether the person's account has interest booked for ``year``."""
    account = _individual_account(person)
    return (
        account is not None and InterestCredit.objects.filter(account=account, year=year).exists()
    )


# What the API lists and shows ----------------------------------------------------------


def unit_declarations(unit, *, period: str | None = None):
    """A unit's declarations, the latest month first."""
    queryset = Declaration.objects.filter(unit=unit).order_by("-period", "-id")
    return queryset.filter(period=period) if period else queryset


def declaration_by_id(declaration_id: int) -> Declaration | None:
    return Declaration.objects.filter(pk=declaration_id).first()


def live_declaration(unit, period: str) -> Declaration | None:
    """The declaration of ``period`` in force (not replaced)."""
    return Declaration.objects.filter(
        unit=unit, period=period, status=Declaration.Status.LIVE
    ).first()


def declaration_lines(declaration: Declaration) -> list:
    return list(declaration.lines.select_related("person").order_by("line_no"))


def unit_payments(unit):
    """A unit's payments, the latest first."""
    return Payment.objects.filter(unit=unit).order_by("-paid_on", "-id")


def payment_allocations(payment: Payment) -> list:
    return list(payment.allocations.all())

"""Contribution, late-fee and interest arithmetic (rules.md sections 4-5), free of the ORM.

Rates and limits are passed in from the policy pack; nothing here knows a number of
its own except the conventions of the rules themselves (round each part to the cent,
half up; late fees simple, per day).
"""

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from shebao.core.money import ZERO, round_money


def contribution_base(wage: Decimal, floor: Decimal, cap: Decimal) -> Decimal:
    """The declared wage, clamped to the region's limits for the year."""
    return min(max(wage, floor), cap)


@dataclasses.dataclass(frozen=True)
class PremiumPart:
    insurance_type: str
    base: Decimal
    unit_rate: Decimal
    personal_rate: Decimal
    unit_amount: Decimal
    personal_amount: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_amount + self.personal_amount


def premium_parts(base: Decimal, rates: Mapping[str, tuple]) -> list[PremiumPart]:
    """Each part is round(base x rate, 2), per insurance type, unit and personal apart.

    A rate pair may carry ``personal_fixed_monthly``, a fixed personal amount per person
    and month (Beijing's 3 yuan for the large-expense medical fund): it is added to the
    rounded personal part as it is, never scaled by the base."""
    parts = []
    for kind, rate in rates.items():
        unit_rate, personal_rate = rate
        fixed = getattr(rate, "personal_fixed_monthly", ZERO)
        parts.append(
            PremiumPart(
                insurance_type=kind,
                base=base,
                unit_rate=unit_rate,
                personal_rate=personal_rate,
                unit_amount=round_money(base * unit_rate),
                personal_amount=round_money(base * personal_rate) + round_money(fixed),
            )
        )
    return parts


def late_days(due_on: datetime.date, paid_on: datetime.date) -> int:
    """Days counted from the day after the due date through the payment date."""
    return max((paid_on - due_on).days, 0)


def late_fee(
    principal: Decimal, due_on: datetime.date, paid_on: datetime.date, daily_rate: Decimal
) -> Decimal:
    """Simple late fee on an unpaid principal (SIL Art. 86): 10,000.00 paid 30 days late at
    0.05% a day is 150.00."""
    return round_money(principal * daily_rate * late_days(due_on, paid_on))


@dataclasses.dataclass
class Debt:
    """One period's arrears: what is owed and what has been paid against it so far."""

    period: str  # "YYYY-MM"
    due_on: datetime.date
    principal: Decimal
    principal_paid: Decimal = ZERO
    fee_paid: Decimal = ZERO
    # Principal payments already made: (date, amount). Each stops the fee on that amount.
    payments: list[tuple[datetime.date, Decimal]] = dataclasses.field(default_factory=list)
    # The part of ``principal_paid`` settled without money (written off by a court's
    # ruling, assumed by a merger's successor): it credits no individual account.
    principal_settled_unpaid: Decimal = ZERO
    # Of that part: what a court's ruling wrote off, and what each successor (by unit id)
    # assumed. An assumed part counts as paid once the successor has paid the month.
    written_off: Decimal = ZERO
    assumed_by: dict[int, Decimal] = dataclasses.field(default_factory=dict)
    # The part of ``principal`` this unit took on from merged units (its successor).
    assumed_in: Decimal = ZERO

    @property
    def principal_outstanding(self) -> Decimal:
        return self.principal - self.principal_paid

    @property
    def paid_in_full(self) -> bool:
        """The unit's own principal of the month came in as money: its personal parts
        may be credited to the individual accounts (O20 Art. 13). Money into a month pays
        the unit's own declaration first, then what it assumed from merged units."""
        return self.principal_paid - self.principal_settled_unpaid >= (
            self.principal - self.assumed_in
        )

    def fee_accrued(self, as_of: datetime.date, daily_rate: Decimal) -> Decimal:
        """Fee accrued through ``as_of`` on the principal as it stood each day."""
        total = Decimal(0)
        outstanding = self.principal
        start = self.due_on
        for paid_on, amount in sorted(self.payments):
            if paid_on > as_of:
                break
            # A month paid beyond what is due (declared again lower) accrues nothing.
            total += max(outstanding, ZERO) * daily_rate * late_days(start, paid_on)
            outstanding -= amount
            start = max(start, paid_on)
        total += max(outstanding, ZERO) * daily_rate * late_days(start, as_of)
        return round_money(total)

    def fee_outstanding(self, as_of: datetime.date, daily_rate: Decimal) -> Decimal:
        return max(self.fee_accrued(as_of, daily_rate) - self.fee_paid, ZERO)


@dataclasses.dataclass(frozen=True)
class Allocation:
    period: str
    principal: Decimal
    late_fee: Decimal


def allocate_payment(
    amount: Decimal, debts: Iterable[Debt], paid_on: datetime.date, daily_rate: Decimal
) -> tuple[list[Allocation], Decimal]:
    """Settle the oldest period first; within a period the principal first, then its late
    fee accrued to the payment date. Returns the allocations and what is left over
    (an overpayment, refundable)."""
    remaining = amount
    allocations = []
    for debt in sorted(debts, key=lambda d: (d.due_on, d.period)):
        if remaining <= 0:
            break
        fee_due = debt.fee_outstanding(paid_on, daily_rate)
        # A month paid beyond what is due (declared again lower) takes nothing more.
        to_principal = min(remaining, max(debt.principal_outstanding, ZERO))
        remaining -= to_principal
        to_fee = min(remaining, fee_due)
        remaining -= to_fee
        if to_principal or to_fee:
            allocations.append(Allocation(debt.period, to_principal, to_fee))
    return allocations, remaining


def record_allocations(
    debts: Iterable[Debt], allocations: Iterable[Allocation], paid_on: datetime.date
) -> None:
    """Count ``allocations`` (made with money paid on ``paid_on``) against ``debts``."""
    by_period = {debt.period: debt for debt in debts}
    for allocation in allocations:
        debt = by_period[allocation.period]
        debt.principal_paid += allocation.principal
        debt.fee_paid += allocation.late_fee
        if allocation.principal:
            debt.payments.append((paid_on, allocation.principal))


def release_excess(
    excess: Decimal, paid_by: list[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    """Which payments give back ``excess`` of a month paid beyond what is due: the
    latest payment first, none more than it put into the month. ``paid_by`` lists
    ``(payment id, net principal in the month)`` oldest first; returns
    ``(payment id, amount released)``."""
    released = []
    for payment_id, paid in reversed(paid_by):
        if excess <= 0:
            break
        take = min(excess, paid)
        if take > 0:
            released.append((payment_id, take))
            excess -= take
    return released


def split_pro_rata(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so the cents add up exactly: each gets
    its share rounded down to the cent, and the leftover cents go to the largest
    remainders (the earliest first on a tie)."""
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        raise ValueError("weights must sum to more than zero")
    cents = int((total * 100).to_integral_value())
    exact = [Decimal(cents) * weight / whole for weight in weights]
    floors = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return [Decimal(c).scaleb(-2) for c in floors]


def interest_annual(
    opening: Decimal, credits: Decimal, rate: Decimal, factor: Decimal = Decimal("1.083")
) -> Decimal:
    """IAM1997 annual method: the year's interest such that
    end = opening x (1 + r) + credits x (1 + r x factor / 2), rounded to the cent
    (the pack gives the factor: 1.083 nationally)."""
    end = round_money(opening * (1 + rate) + credits * (1 + rate * factor / 2))
    return end - opening - credits


def interest_month_product(
    opening: Decimal, credits_by_month: dict[int, Decimal], rate: Decimal
) -> Decimal:
    """Month-product method: opening x r + sum(credit in month m x (13 - m)) x r / 12."""
    product = sum((amount * (13 - month) for month, amount in credits_by_month.items()), Decimal(0))
    return round_money(opening * rate + product * rate / 12)


def months_elapsed_in_year(day: datetime.date) -> int:
    """Whole months of the year before the month of ``day``: the months an account left
    on ``day`` was held in that year."""
    return day.month - 1


def interest_months_held(
    opening: Decimal, credits_by_month: dict[int, Decimal], rate: Decimal, months: int
) -> Decimal:
    """Interest for the part of a year an account was held before it was left (local
    practice): the annual ``rate`` over 12 for each whole month held: the opening balance
    for ``months`` months, and the credit of month m for ``months + 1 - m`` months (as the
    month-product method counts 13 - m for a whole year), rounded to the cent."""
    if months <= 0:
        return ZERO
    product = opening * months + sum(
        (amount * max(months + 1 - month, 0) for month, amount in credits_by_month.items()),
        Decimal(0),
    )
    return round_money(product * rate / 12)


def split_by_shares(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by percentage shares (summing to 100) so the cents add up exactly:
    each gets its share rounded down, and the leftover cents go to the largest remainders."""
    if sum(shares) != 100:
        raise ValueError("shares must sum to 100")
    cents = int((total * 100).to_integral_value())
    exact = [Decimal(cents) * share / 100 for share in shares]
    floors = [int(x) for x in exact]
    leftover = cents - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(c) / 100 for c in floors]


_PERIOD = re.compile(r"[0-9]{4}-[0-9]{2}")


def parse_period(value: str) -> tuple[int, int]:
    """``"2025-03"`` -> (2025, 3); a ValueError names what is wrong."""
    # ASCII digits only: str.isdigit() and int() also take full-width digits.
    if not isinstance(value, str) or not _PERIOD.fullmatch(value):
        raise ValueError("must be a month YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12 or year < 1990:
        raise ValueError("must be a real month YYYY-MM from 1990 on")
    return year, month


def period_start(period: str) -> datetime.date:
    year, month = parse_period(period)
    return datetime.date(year, month, 1)


def period_end(period: str) -> datetime.date:
    """The last day of the month ``period``."""
    year, month = parse_period(period)
    following = datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)
    return following - datetime.timedelta(days=1)


def period_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


@dataclasses.dataclass(frozen=True)
class LineResult:
    """One person's contributions for a month, computed from the wage and the policy."""

    person_id: int
    wage: Decimal
    base: Decimal
    parts: tuple[PremiumPart, ...]
    account_credit: Decimal  # the personal parts that go to the individual account

    @property
    def unit_total(self) -> Decimal:
        return sum((p.unit_amount for p in self.parts), Decimal(0))

    @property
    def personal_total(self) -> Decimal:
        return sum((p.personal_amount for p in self.parts), Decimal(0))


def declaration_line(
    *,
    person_id: int,
    wage: Decimal,
    floor: Decimal,
    cap: Decimal,
    rates: Mapping[str, tuple],
    to_account: frozenset[str],
) -> LineResult:
    base = contribution_base(wage, floor, cap)
    parts = tuple(premium_parts(base, rates))
    credit = sum((p.personal_amount for p in parts if p.insurance_type in to_account), Decimal(0))
    return LineResult(person_id=person_id, wage=wage, base=base, parts=parts, account_credit=credit)


def scale_totals(
    totals: dict[str, tuple[Decimal, Decimal]], factor: Decimal
) -> dict[str, tuple[Decimal, Decimal]]:
    """Each part of a month's totals times ``factor`` (the 110% assessment), to the cent."""
    return {
        kind: (round_money(unit * factor), round_money(personal * factor))
        for kind, (unit, personal) in totals.items()
    }

"""Reads of the interest on the individual accounts: their flows by month, what was
credited, and each year's interest due."""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from shebao.core.money import ZERO, round_money
from shebao.ledger import domain
from shebao.ledger.models import Account, InterestCredit, JournalEntry, Posting
from shebao.ledger.selectors.persons import _individual_account
from shebao.policy import interest as interest_policy
from shebao.registry.models import Employment


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

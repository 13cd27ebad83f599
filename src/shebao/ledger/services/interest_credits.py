"""Interest credited to the individual accounts: the yearly run, and the interest a
clearance credits before an account is paid out."""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import Conflict, InvalidInput
from shebao.core.money import ZERO, format_money, to_fen
from shebao.ledger import chart, selectors, signals
from shebao.ledger.models import Account, InterestCredit, InterestTrueUp, JournalEntry
from shebao.ledger.services import interest_summaries as summaries
from shebao.ledger.services.journal import account_years_add, balances_add, entry_post
from shebao.policy import interest


@dataclasses.dataclass(frozen=True)
class InterestRun:
    year: int
    method: str
    accounts_credited: int
    total_interest: Decimal
    entry_id: int | None
    # Closed accounts (settled by a clearance) get no posting; a provisional crediting
    # whose rate is now published gives a true-up instead.
    closed_accounts_skipped: int = 0
    true_ups: tuple = ()


def interest_credit_year(*, actor: Actor, year: int) -> InterestRun:
    """Credit every open individual account with its interest for ``year`` (and for any
    earlier year whose interest changed since it was credited, e.g. contributions
    declared late, or a rate published after a provisional crediting): one entry dated
    31 December, one posting per account and year. A year whose rate is not published yet
    is credited at the latest published rate, marked provisional.

    A closed account receives no posting: it is counted as skipped, and the difference
    between a provisional crediting and the published rate becomes a true-up, which the
    clearance settles on the case (``signals.interest_true_ups``).

    Crediting the same year again credits only what changed, which is usually nothing.

    An account whose earlier years are settled (its ``AccountYear`` summaries unchanged
    since they were credited) is credited in SQL from its summaries of the year and the
    one before (``interest_summaries``), with no read of its history; only the others
    (an earlier year changed, a provisional rate since published, a published rate since
    corrected in the pack, a closed account's true-up, a region without a rate for the
    year) go through ``selectors.interest_path``.
    """
    require_role_or_system(actor, "interest.credit", name_allowed=True)
    today = clock.today()
    if year >= today.year:
        raise InvalidInput(
            fields={"year": _("%(year)s has not ended yet") % {"year": year}}, code="year_not_ended"
        )
    national = interest.interest_policy()
    with transaction.atomic(), connection.cursor() as cursor:
        # One crediting at a time: the interest expense account is the lock they share.
        interest_account = chart.accounts_by_code([chart.INTEREST_CODE])[chart.INTEREST_CODE]
        Account.objects.select_for_update().filter(pk=interest_account.pk).exists()
        now = clock.now()
        # The accounts whose earlier years are settled: credited from their summaries.
        summaries.run_table_fill(
            cursor,
            year=year,
            recheck_years=summaries.recheck_years(cursor, year=year),
            corrected=summaries.corrected_rates(cursor, year=year),
        )
        groups = _rate_groups(summaries.run_table_regions(cursor), year)
        summaries.run_table_compute(cursor, groups)
        skipped = summaries.closed_with_flows(cursor, year=year)
        # The others (changed earlier years, closed accounts' true-ups, regions without
        # a rate for the year) by the rules' own path, from their history.
        slow = summaries.slow_accounts(cursor, year=year)
        deltas, account_of, differences, settle = _by_history(slow, year)

        entry = None
        if deltas or summaries.run_table_due(cursor):
            entry = JournalEntry.objects.create(
                kind=JournalEntry.Kind.INTEREST,
                effective_on=datetime.date(year, 12, 31),
                period=f"{year}-12",
                memo=f"interest {year}",
                created_at=now,
                created_by=actor if actor is not None and actor.pk else None,
            )
            summaries.run_table_credit(cursor, year=year, groups=groups, entry_id=entry.pk, now=now)
            InterestCredit.objects.bulk_create(
                [
                    _interest_credit(account_id, d, entry, now)
                    for account_id, d in zip(account_of, deltas, strict=True)
                ],
                batch_size=5000,
            )
            summaries.entry_postings_write(
                cursor, entry_id=entry.pk, interest_account_id=interest_account.pk, year=year
            )
            balances_add("entry_id = %(entry)s", {"entry": entry.pk})
            account_years_add("p.entry_id = %(entry)s", {"entry": entry.pk})
        summaries.run_table_settle(cursor, year=year, groups=groups)
        _settle_by_history(cursor, settle)
        summaries.run_table_drop(cursor)
        credited = _credited_by(entry)
        true_ups = _record_true_ups(actor, differences, national, now)
        audit_record(
            actor=actor,
            action="ledger.interest_credited",
            target=entry if entry is not None else interest_account,
            data={
                "year": year,
                "method": national.method,
                "accounts": credited.accounts,
                "total": format_money(credited.total),
                "years": credited.years,
                "provisional_years": credited.provisional_years,
                "closed_accounts_skipped": skipped,
                "true_ups": [
                    {"id": t.pk, "year": t.year, "amount": format_money(t.amount)} for t in true_ups
                ],
            },
        )
        if true_ups:
            signals.interest_true_ups.send(sender=InterestTrueUp, actor=actor, true_ups=true_ups)
    return InterestRun(
        year,
        national.method,
        credited.accounts,
        credited.total,
        entry.pk if entry is not None else None,
        closed_accounts_skipped=skipped,
        true_ups=tuple(true_ups),
    )


def _rate_groups(regions: list[str], year: int) -> list[tuple[summaries.RateGroup, list[str]]]:
    """The regions of the run's table by the terms their rules give the year; a region
    left out of every group goes through the rules' path."""
    by_terms: dict[summaries.RateGroup, list[str]] = {}
    for region in regions:
        group = summaries.rate_group(interest.interest_policy(region), year)
        if group is not None:
            by_terms.setdefault(group, []).append(region)
    return list(by_terms.items())


def _by_history(slow: list[tuple[int, int | None, bool]], year: int):
    """The rules' path for the accounts ``slow`` lists (``(account, person, closed)``):
    what each year of each open account is due, the true-up differences of the closed
    ones, and the summaries to settle: ``(account, year, opening, credits, weighted,
    provisional)`` in fen."""
    deltas: list[selectors.YearInterest] = []
    account_of: list[int] = []
    differences: list[tuple[int, selectors.YearInterest, Decimal]] = []
    settle: list[tuple[int, int, int, int, int, bool]] = []
    if not slow:
        return deltas, account_of, differences, settle
    ids = [account_id for account_id, _p, _c in slow]
    # A long list of ids costs more than reading every account (the first run after the
    # summaries were added reads them all).
    few = len(ids) <= 5000
    persons = {account_id: person_id for account_id, person_id, _c in slow}
    regions = selectors.persons_regions(sorted({p for p in persons.values() if p}) if few else None)
    flows = selectors.individual_flows(ids if few else None, year)
    credited = selectors.credited_interest(ids if few else None, up_to_year=year)
    closed_ids = [account_id for account_id, _p, closed in slow if closed]
    provisional = set(
        InterestCredit.objects.filter(
            year__lte=year, provisional=True, account_id__in=closed_ids
        ).values_list("account_id", "year")
    )
    trued_up: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for account_id, true_up_year, amount in InterestTrueUp.objects.filter(
        account_id__in=closed_ids
    ).values_list("account_id", "year", "amount"):
        trued_up[(account_id, true_up_year)] += amount
    policies: dict[str, interest.InterestPolicy] = {}
    for account_id, person_id, closed in slow:
        if account_id not in flows:
            continue
        region = regions.get(person_id, "") if person_id is not None else ""
        if region not in policies:
            policies[region] = interest.interest_policy(region)
        years, _end = selectors.interest_path(
            policies[region], account_id, flows[account_id], year, credited
        )
        if closed:
            for item in years:
                if (account_id, item.year) not in provisional or item.provisional:
                    continue
                difference = item.due - trued_up.get((account_id, item.year), ZERO)
                if difference:
                    differences.append((account_id, item, difference))
            continue
        for item in years:
            if item.due:
                deltas.append(item)
                account_of.append(account_id)
        by_year = {item.year: item for item in years}
        for each in range(min(flows[account_id]), year + 1):
            by_month = flows[account_id].get(each, {})
            held = by_year.get(each)
            settle.append(
                (
                    account_id,
                    each,
                    to_fen(held.opening) if held else 0,
                    to_fen(sum(by_month.values(), ZERO)),
                    to_fen(sum((a * (13 - m) for m, a in by_month.items()), ZERO)),
                    bool(held and held.provisional),
                )
            )
    return deltas, account_of, differences, settle


def _settle_by_history(cursor, settle) -> None:
    """The summaries of the years the rules' path credited: settled, with their opening
    (unless their sums moved since they were read)."""
    for start in range(0, len(settle), 2000):
        batch = settle[start : start + 2000]
        row = "(%s, %s, %s, %s, 0, 0, %s, true, %s)"
        if connection.vendor == "postgresql":
            row = "(%s, %s::smallint, %s::bigint, %s::bigint, 0, 0, %s::bigint, true, %s)"
        cursor.execute(
            "INSERT INTO ledger_accountyear (account_id, year, credits, weighted, flows, "
            "interest, opening, settled, provisional) VALUES "
            + ", ".join([row] * len(batch))
            + " ON CONFLICT (account_id, year) DO UPDATE SET opening = excluded.opening, "
            "provisional = excluded.provisional, settled = "
            "(ledger_accountyear.credits = excluded.credits "
            "AND ledger_accountyear.weighted = excluded.weighted)",
            [
                v
                for account_id, y, opening, credits, weighted, provisional in batch
                for v in (account_id, y, credits, weighted, opening, provisional)
            ],
        )


@dataclasses.dataclass(frozen=True)
class _Credited:
    accounts: int
    total: Decimal
    years: list[int]
    provisional_years: list[int]


def _credited_by(entry) -> _Credited:
    """What the run's entry credited, read back from its InterestCredit rows."""
    if entry is None:
        return _Credited(0, ZERO, [], [])
    rows = InterestCredit.objects.filter(entry=entry)
    totals = rows.aggregate(total=Sum("amount"), accounts=Count("account_id", distinct=True))
    years = rows.values_list("year", "provisional").distinct().order_by()
    return _Credited(
        totals["accounts"],
        totals["total"] if totals["total"] is not None else ZERO,
        sorted({y for y, _p in years}),
        sorted({y for y, p in years if p}),
    )


def _interest_credit(account_id, item, entry, now) -> InterestCredit:
    return InterestCredit(
        account_id=account_id,
        year=item.year,
        amount=item.due,
        rate=item.rate,
        rate_year=item.rate_year,
        provisional=item.provisional,
        months=item.months,
        method=item.method,
        opening=item.opening,
        credits=item.credits,
        entry=entry,
        created_at=now,
    )


def _record_true_ups(actor: Actor, differences, policy, now) -> list[InterestTrueUp]:
    """A true-up per closed account and year: positive, paid to the payees; negative,
    written off up to the pack's threshold, else recorded as an overpaid benefit."""
    if not differences:
        return []
    rule = policy.true_up
    limit = rule.write_off_up_to if rule is not None else ZERO
    rows = []
    provisional_rates = {
        (account_id, year): rate
        for account_id, year, rate in InterestCredit.objects.filter(
            provisional=True, account_id__in={a for a, _i, _d in differences}
        )
        .order_by("id")
        .values_list("account_id", "year", "rate")
    }
    for account_id, item, difference in differences:
        if difference > 0:
            outcome = InterestTrueUp.Outcome.PAY
        elif -difference <= limit:
            outcome = InterestTrueUp.Outcome.WRITTEN_OFF
        else:
            outcome = InterestTrueUp.Outcome.DEBT
        rows.append(
            InterestTrueUp.objects.create(
                account_id=account_id,
                year=item.year,
                amount=difference,
                rate=item.rate,
                provisional_rate=provisional_rates.get((account_id, item.year), item.rate),
                outcome=outcome,
                created_at=now,
                created_by=actor if actor is not None and actor.pk else None,
            )
        )
    return rows


def interest_post_on_leaving(*, actor: Actor, person_id: int, items, effective_on, memo: str):
    """Book the interest a clearance credits before the account is paid out or
    transferred (``selectors.interest_due_on_leaving``): one entry, one posting and one
    interest record per year. The caller holds the case's lock."""
    items = [i for i in items if i.due]
    if not items:
        return None
    code = chart.individual_code(person_id)
    by_code = chart.accounts_by_code([code, chart.INTEREST_CODE])
    account = Account.objects.select_for_update().get(pk=by_code[code].pk)
    if account.closed_on is not None:
        raise Conflict(
            _("The individual account was closed on %(day)s: it receives no posting.")
            % {"day": account.closed_on},
            code="account_closed",
        )
    total = sum((i.due for i in items), Decimal(0))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.INTEREST,
        effective_on=effective_on,
        memo=memo,
        audit=False,
        lines=[(by_code[chart.INTEREST_CODE], total, "")]
        + [(account, -i.due, f"{i.year}-12") for i in items],
    )
    now = clock.now()
    InterestCredit.objects.bulk_create([_interest_credit(account.pk, i, entry, now) for i in items])
    audit_record(
        actor=actor,
        action="ledger.interest_credited_on_leaving",
        target=entry,
        data={
            "person_id": person_id,
            "years": [
                {
                    "year": i.year,
                    "amount": format_money(i.due),
                    "rate": str(i.rate),
                    "rate_year": i.rate_year,
                    "provisional": i.provisional,
                    "months": i.months,
                }
                for i in items
            ],
        },
    )
    return entry

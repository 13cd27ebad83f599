"""Interest credited to the individual accounts: the yearly run, and the interest a
clearance credits before an account is paid out."""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import Conflict, InvalidInput
from shebao.core.money import ZERO, format_money
from shebao.ledger import chart, selectors, signals
from shebao.ledger.models import Account, InterestCredit, InterestTrueUp, JournalEntry
from shebao.ledger.services.journal import EntryDraft, entry_post, journal_write
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
    """
    require_role_or_system(actor, "interest.credit", name_allowed=True)
    today = clock.today()
    if year >= today.year:
        raise InvalidInput(
            fields={"year": _("%(year)s has not ended yet") % {"year": year}}, code="year_not_ended"
        )
    national = interest.interest_policy()
    kind_interest = JournalEntry.Kind.INTEREST
    with transaction.atomic():
        # One crediting at a time: the interest expense account is the lock they share.
        interest_account = chart.accounts_by_code([chart.INTEREST_CODE])[chart.INTEREST_CODE]
        Account.objects.select_for_update().filter(pk=interest_account.pk).exists()
        individual = dict(
            Account.objects.filter(kind=Account.Kind.INDIVIDUAL).values_list("pk", "person_id")
        )
        # Closed at disbursement, or its person's relationship ended: no posting.
        closed = set(
            Account.objects.filter(kind=Account.Kind.INDIVIDUAL)
            .filter(Q(closed_on__isnull=False) | Q(person__status="cleared"))
            .values_list("pk", flat=True)
        )
        regions = selectors.persons_regions()
        policies: dict[str, interest.InterestPolicy] = {}

        def policy_of(account_id):
            region = regions.get(individual.get(account_id), "")
            if region not in policies:
                policies[region] = interest.interest_policy(region)
            return policies[region]

        credited = selectors.credited_interest(up_to_year=year)
        provisional = set(
            InterestCredit.objects.filter(
                year__lte=year, provisional=True, account__closed_on__isnull=False
            ).values_list("account_id", "year")
        )
        trued_up: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for account_id, true_up_year, amount in InterestTrueUp.objects.values_list(
            "account_id", "year", "amount"
        ):
            trued_up[(account_id, true_up_year)] += amount
        flows = selectors.individual_flows(None, year)
        deltas: list[selectors.YearInterest] = []
        account_of: list[int] = []
        differences: list[tuple[int, selectors.YearInterest, Decimal]] = []
        skipped = 0
        for account_id in sorted(flows):
            years, _end = selectors.interest_path(
                policy_of(account_id), account_id, flows[account_id], year, credited
            )
            if account_id in closed:
                skipped += 1
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

        entry = None
        total = sum((d.due for d in deltas), Decimal(0))
        now = clock.now()
        if deltas:
            draft = EntryDraft(
                JournalEntry(
                    kind=kind_interest,
                    effective_on=datetime.date(year, 12, 31),
                    period=f"{year}-12",
                    memo=f"interest {year}",
                    created_at=now,
                    created_by=actor if actor is not None and actor.pk else None,
                ),
                [(interest_account.pk, total, f"{year}-12")],
            )
            for account_id, d in zip(account_of, deltas, strict=True):
                draft.add(account_id, -d.due, f"{d.year}-12")
            (entry,) = journal_write([draft])
            InterestCredit.objects.bulk_create(
                [
                    _interest_credit(account_id, d, entry, now)
                    for account_id, d in zip(account_of, deltas, strict=True)
                ],
                batch_size=5000,
            )
        true_ups = _record_true_ups(actor, differences, credited, national, now)
        accounts_credited = len(set(account_of))
        audit_record(
            actor=actor,
            action="ledger.interest_credited",
            target=entry if entry is not None else interest_account,
            data={
                "year": year,
                "method": national.method,
                "accounts": accounts_credited,
                "total": format_money(total),
                "years": sorted({d.year for d in deltas}),
                "provisional_years": sorted({d.year for d in deltas if d.provisional}),
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
        accounts_credited,
        total,
        entry.pk if entry is not None else None,
        closed_accounts_skipped=skipped,
        true_ups=tuple(true_ups),
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


def _record_true_ups(actor: Actor, differences, credited, policy, now) -> list[InterestTrueUp]:
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

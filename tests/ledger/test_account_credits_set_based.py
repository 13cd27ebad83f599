"""The paid months' account credits are written in the database from the declared lines
(one INSERT ... SELECT): the same entries, postings, balances, summaries and audit
record as the posting of each line from Python gave."""

from decimal import Decimal

from django.db import transaction

from shebao.audit.models import AuditEvent
from shebao.ledger.models import AccountYear, Declaration, DeclarationLine, JournalEntry, Posting
from shebao.ledger.services import account_credits

from .test_credit_on_payment import clerk, close_account, declare, finance, pay  # noqa: F401 (fixtures)


def _by_lines(actor, unit, periods, effective_on):
    """The posting of each line from Python, as the paid months were credited before."""
    lines = list(
        DeclarationLine.objects.filter(
            declaration__unit=unit,
            declaration__status=Declaration.Status.LIVE,
            period__in=periods,
            account_credit__gt=0,
        )
        .order_by("period", "line_no")
        .values_list("period", "person_id", "account_credit")
    )
    account_credits._post_account_credits(
        actor,
        unit,
        lines,
        effective_on,
        memo=lambda period: f"{period} paid: personal parts credited",
    )


def _pay_and_read(declaring, paying, unit, staff, person):
    total = Decimal(0)
    for period in ("2025-03", "2025-04"):
        total += Decimal(declare(declaring, unit, period)["total_due"])
    close_account(staff, person)
    pay(paying, unit, total + 1000, "B-1")  # the late fees too; the rest is the unit's credit
    credited = JournalEntry.objects.filter(kind=JournalEntry.Kind.ACCOUNT_CREDIT)
    return (
        list(credited.values_list("period", "memo", "unit_id")),
        list(
            Posting.objects.filter(entry__in=credited)
            .order_by("id")
            .values_list("entry__period", "account__code", "amount", "period")
        ),
        sorted((a.code, a.balance) for a in _accounts(credited)),
        sorted(AccountYear.objects.values_list("account__code", "year", "credits", "weighted")),
        list(
            AuditEvent.objects.filter(action="ledger.account_credits_posted").values_list(
                "data", flat=True
            )
        ),
    )


def _accounts(entries):
    from shebao.ledger.models import Account

    return Account.objects.filter(postings__entry__in=entries).distinct()


def test_paid_months_credit_as_the_lines_posted_one_by_one(
    clerk,  # noqa: F811
    finance,  # noqa: F811
    unit_with_staff,
    staff,
    monkeypatch,
):
    unit, (p11, _p13, _p15) = unit_with_staff
    with transaction.atomic():
        in_sql = _pay_and_read(clerk, finance, unit, staff, p11)
        transaction.set_rollback(True)
    monkeypatch.setattr(account_credits, "_post_paid_months", _by_lines)
    by_lines = _pay_and_read(clerk, finance, unit, staff, p11)
    assert in_sql == by_lines
    entries, postings, _balances, summaries, audit = in_sql
    # Three lines a month: a debit of the credits due and a credit per line; the closed
    # person's part went to the suspense account.
    assert entries and len(postings) == 6 * len(entries)
    assert sum(1 for _e, code, _a, _p in postings if code.startswith("SUSPENSE:")) == len(entries)
    assert len(summaries) == 2 and audit[0]["to_suspense"] == [p11.pk]

"""Every completed year's interest before a payout, provisional where the rate is not
published yet, and the true-up when it is; a closed account never receives a posting.

The worker holds 640.00 a month for 2024-11 to 2025-03. By hand (IAM1997, end(Y) =
end(Y-1) x (1 + r) + credits(Y) x (1 + r x 1.083 / 2), rounded to 0.01):
- 2024 at 2.62%: 1,280.00 x (1 + 0.0262 x 0.5415) = 1,298.16, interest 18.16;
- 2025 provisional at 2.62% (2024's, the latest published): 1,298.16 x 1.0262 + 1,920.00
  x (1 + 0.0262 x 0.5415) = 3,279.41, interest 61.25;
- 2025 at a published 3.00%: 1,298.16 x 1.03 + 1,920.00 x 1.016245 = 3,288.30, interest
  70.14, so 8.89 more; at 1.50%: 3,253.23, interest 35.07, 26.18 less; at 0%: 61.25 less.
"""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from shebao.clearance import services
from shebao.clearance.models import BenefitDebt, ClearanceCase, DisbursementOrder
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.ledger import chart
from shebao.ledger import services as ledger_services
from shebao.ledger.models import Account, InterestCredit, InterestTrueUp, Posting
from shebao.policy import interest
from tests.factories import card, insured_id

from .conftest import drive

D = datetime.date


def publish(monkeypatch, year, rate):
    """The pack now records ``year``'s published rate."""
    original = interest.interest_policy

    def patched(region=None):
        policy = original(region)
        rates = dict(policy.rates)
        rates[year] = dataclasses.replace(
            rates[year], rate=Decimal(rate), published=True, verified=True, source="Test"
        )
        return dataclasses.replace(policy, rates=rates)

    monkeypatch.setattr(interest, "interest_policy", patched)


def individual(person):
    return Account.objects.get(code=chart.individual_code(person.pk))


def death_case(staff, person, event_date):
    heirs = [
        {
            "name": f"Heir {i}",
            "citizen_id": insured_id(700 + i),
            "share_percent": "50",
            "bank_account": card(700 + i),
            "bank_name": "ICBC",
        }
        for i in (1, 2)
    ]
    return services.case_create(
        actor=staff.clerk,
        subject_type="person",
        subject_id=person.pk,
        reason="death",
        event_date=event_date,
        heirs=heirs,
    )


def test_the_closed_account_of_the_report_gets_its_2024_interest_before_payout(staff, worker):
    """Regression: a case closed with the account at 0.00 and a later 2024 crediting run
    posted 18.16 to the closed account, with no payee. The liquidation now credits 2024
    first (18.16, paid to the heirs), and the later runs post nothing to the account."""
    case = drive(staff, death_case(staff, worker.person, D(2025, 10, 20)).pk)
    assert case.status == "closed"
    lines = {line.code: line for line in case.statements.get().lines.all()}
    year = lines["interest_completed_year"]
    assert (year.amount, year.detail["year"], year.detail["rate"]) == (
        Decimal("18.16"),
        2024,
        "0.0262",
    )
    assert year.detail["provisional"] is False and "bookkeeping_rate_notice" in year.basis_codes
    paid = sum(o.amount for o in DisbursementOrder.objects.filter(case=case))
    # 3,200.00 + 18.16 + 59.04 (October, 9 months), and the survivors' benefits of the
    # pooled fund (funeral grant 5,000.00, survivors' pension 24,366.00).
    assert paid == Decimal("32643.20")
    account = individual(worker.person)
    assert account.balance == 0 and account.closed_on == D(2025, 11, 14)
    postings = Posting.objects.filter(account=account).count()
    with clock.frozen(D(2026, 3, 1)):
        run = ledger_services.interest_credit_year(actor=staff.finance, year=2024)
        again = ledger_services.interest_credit_year(actor=staff.finance, year=2025)
    assert run.closed_accounts_skipped == 1 and run.accounts_credited == 0
    assert again.closed_accounts_skipped == 1 and again.total_interest == 0
    assert Posting.objects.filter(account=account).count() == postings
    assert individual(worker.person).balance == 0


def test_an_unpublished_year_is_paid_provisionally_and_trued_up_to_the_heirs(
    staff, worker, monkeypatch
):
    with clock.frozen(D(2026, 2, 10)):
        case = drive(staff, death_case(staff, worker.person, D(2026, 1, 20)).pk)
    lines = [line for line in case.statements.get().lines.all()]
    years = {line.detail["year"]: line for line in lines if line.code == "interest_completed_year"}
    assert years[2024].amount == Decimal("18.16") and not years[2024].detail["provisional"]
    provisional = years[2025]
    assert provisional.amount == Decimal("61.25") and provisional.detail["provisional"]
    assert (provisional.detail["rate"], provisional.detail["rate_year"]) == ("0.0262", 2024)
    assert "provisional" in provisional.label_en and "暂记" in provisional.label_zh
    assert provisional.basis_codes and provisional.basis_zh
    # 3,200.00 + 18.16 + 61.25, and the survivors' benefits of 29,366.00.
    assert case.statements.get().total == Decimal("32645.41")
    [row] = InterestCredit.objects.filter(year=2025)
    assert row.provisional and row.rate_year == 2024

    # The 2025 rate is published at 3.00%: the run credits nothing to the closed account
    # and orders the 8.89 difference to the heirs by their shares (889 cents, 50/50).
    publish(monkeypatch, 2025, "0.0300")
    account = individual(worker.person)
    postings = Posting.objects.filter(account=account).count()
    with clock.frozen(D(2026, 7, 1)):
        run = ledger_services.interest_credit_year(actor=staff.finance, year=2025)
    assert run.closed_accounts_skipped == 1 and run.total_interest == 0
    [true_up] = run.true_ups
    assert (true_up.year, true_up.amount, true_up.outcome) == (2025, Decimal("8.89"), "pay")
    orders = DisbursementOrder.objects.filter(case=case, true_up__isnull=False).order_by("slot")
    assert [(o.payee_name, o.amount) for o in orders] == [
        ("Heir 1", Decimal("4.45")),
        ("Heir 2", Decimal("4.44")),
    ]
    assert all(o.status == "approved" for o in orders)
    assert ClearanceCase.objects.get(pk=case.pk).events.filter(action="interest_true_up").exists()

    # Paying it leaves the closed account alone: the money comes from the interest expense.
    with clock.frozen(D(2026, 7, 2)):
        for order in orders:
            services.order_mark_paid(
                actor=staff.finance, order_id=order.pk, bank_reference=f"TU-{order.pk}"
            )
    account.refresh_from_db()
    assert account.balance == 0
    assert Posting.objects.filter(account=account).count() == postings
    # Running again finds nothing more to settle.
    with clock.frozen(D(2026, 7, 3)):
        rerun = ledger_services.interest_credit_year(actor=staff.finance, year=2025)
    assert rerun.true_ups == () and InterestTrueUp.objects.count() == 1


@pytest.mark.parametrize(
    ("rate", "outcome", "amount"),
    [("0.0150", "written_off", Decimal("-26.18")), ("0.0000", "debt", Decimal("-61.25"))],
)
def test_a_lower_published_rate_is_written_off_or_recorded_as_a_debt(
    staff, worker, monkeypatch, rate, outcome, amount
):
    """Paid out too much at the provisional rate: up to 50.00 written off (the pack's
    threshold), above it recorded as an overpaid benefit of the person."""
    with clock.frozen(D(2026, 2, 10)):
        case = drive(staff, death_case(staff, worker.person, D(2026, 1, 20)).pk)
    publish(monkeypatch, 2025, rate)
    with clock.frozen(D(2026, 7, 1)):
        run = ledger_services.interest_credit_year(actor=staff.finance, year=2025)
    [true_up] = run.true_ups
    assert (true_up.amount, true_up.outcome) == (amount, outcome)
    assert not DisbursementOrder.objects.filter(true_up__isnull=False).exists()
    debts = list(BenefitDebt.objects.filter(person=worker.person))
    if outcome == "debt":
        assert [d.amount for d in debts] == [Decimal("61.25")]
    else:
        assert debts == []
    event = case.events.get(action="interest_true_up")
    assert event.data["outcome"] == outcome
    assert individual(worker.person).balance == 0


def test_a_true_up_needs_a_finance_officer_and_changes_nothing_otherwise(
    staff, worker, monkeypatch
):
    with clock.frozen(D(2026, 2, 10)):
        drive(staff, death_case(staff, worker.person, D(2026, 1, 20)).pk)
    publish(monkeypatch, 2025, "0.0300")
    with clock.frozen(D(2026, 7, 1)), pytest.raises(Conflict) as refused:
        ledger_services.interest_credit_year(actor=None, year=2025)
    assert refused.value.code == "true_up_needs_finance_officer"
    assert not InterestTrueUp.objects.exists()
    assert not DisbursementOrder.objects.filter(true_up__isnull=False).exists()

"""Months settled without a payment and the individual accounts (MOHRSS Order 20 Art. 13:
accounts are credited from premiums actually paid).

Regression: a bankruptcy distribution that recovered the premiums owed to individual
accounts (Enterprise Bankruptcy Law Art. 113, first rank) credited no account, and months
a merger's successor assumed (Civil Code Art. 67; Company Law 2023 Art. 221) were never
credited, nor counted as paid, even once the successor had paid them.

Hand computation (Beijing, personal pension part 8% of the base, the only part that goes
to the account):

- Bankruptcy: A at 10,000.00 (800.00 a month to the account) and B at 8,000.00 (640.00),
  2025-08 and 2025-09 declared and unpaid: rank 1 is 1,440.00 a month. The distribution
  of 2,160.00 pays rank 1 oldest first: 2025-08 whole (A 800.00, B 640.00), 720.00 of
  2025-09, shared 800:640 (A 720 x 800 / 1,440 = 400.00, B 320.00). A's account holds
  1,200.00, B's 960.00. The rest of both months is written off: 720.00 of 2025-09's
  account parts leaves the credits due with it; neither month is paid.
- Merger: the merged unit's 2025-09 for A (800.00 to the account) is assumed by the
  successor; until it pays, the month is the successor's arrears and A's account holds
  nothing; once it pays, A's account holds 800.00 and the month counts as paid.
"""

from decimal import Decimal

from shebao.ledger import chart
from shebao.ledger.models import Account
from shebao.ledger.selectors import ledger_check, paid_contribution_months, unit_money_problems

from .conftest import D, ok, upload_required
from .test_flows_api import run_to_disbursed


def balance(person) -> Decimal:
    account = Account.objects.filter(code=chart.individual_code(person.pk)).first()
    return -account.balance if account is not None else Decimal("0.00")


def credits_due(unit) -> Decimal:
    account = Account.objects.filter(code=chart.unit_credits_due_code(unit.pk)).first()
    return -account.balance if account is not None else Decimal("0.00")


def months(api, person) -> dict:
    body = ok(api.clerk.get(f"persons/{person.pk}/contributions"))
    return {m["period"]: m for m in body["months"]}


def test_a_distribution_at_rank_1_credits_the_accounts_and_written_off_months_stay_unpaid(
    api, world
):
    unit = world.unit(established=D(2024, 1, 2), name="Bankrupt Two")
    a = world.employ(unit, serial=81, started=D(2025, 1, 2), wage="10000.00")
    b = world.employ(unit, serial=82, started=D(2025, 1, 2), wage="8000.00")
    august = world.declare(unit, "2025-08", [(a, "10000.00"), (b, "8000.00")])
    september = world.declare(unit, "2025-09", [(a, "10000.00"), (b, "8000.00")])
    for person in (a, b):
        world.end(person, unit, D(2025, 10, 31), reason="unit_terminated")
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": unit.pk,
                "reason": "bankrupt",
                "event_date": "2025-10-31",
            },
        ),
        201,
    )
    upload_required(api.clerk, body)
    case_id = body["id"]
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    ok(api.clerk.post(f"clearance-cases/{case_id}/accept"))
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {"reasons": "ruling seen"}))
    body = ok(
        api.finance.post(
            f"clearance-cases/{case_id}/bankruptcy-claim", {"petition_accepted_on": "2025-10-20"}
        )
    )
    claim = {c["code"]: c for c in body["bankruptcy"]["claim"]}
    assert claim["individual_account_premiums"]["amount"] == "2880.00"
    assert credits_due(unit) == Decimal("2880.00")

    body = ok(
        api.finance.post(
            f"clearance-cases/{case_id}/bankruptcy-distribution",
            {
                "received_amount": "2160.00",
                "ruling_no": "(2025)京01破20号",
                "ruling_on": "2025-11-10",
            },
        )
    )
    event = next(e for e in body["timeline"] if e["action"] == "bankruptcy_distribution")
    assert event["data"]["paid"] == [
        ["individual_account_premiums", "2025-08", "1440.00"],
        ["individual_account_premiums", "2025-09", "720.00"],
    ]
    assert balance(a) == Decimal("1200.00")  # 800.00 + 400.00
    assert balance(b) == Decimal("960.00")  # 640.00 + 320.00
    assert credits_due(unit) == Decimal("0.00")  # 720.00 released with the write-off
    written = Account.objects.get(code=chart.WRITE_OFF_CODE)
    premiums = august.total_due + september.total_due
    # The fund's loss: what was not recovered, less the account parts no longer owed.
    assert written.balance == premiums - Decimal("2160.00") - Decimal("720.00")

    for person in (a, b):
        shown = months(api, person)
        for period in ("2025-08", "2025-09"):
            assert shown[period]["status"] == "arrears"
            assert shown[period]["written_off"] is True
        assert paid_contribution_months(person) == 0
    assert unit_money_problems(unit) == []
    assert ledger_check()[1] == []


def test_arrears_a_successor_assumed_credit_the_accounts_once_it_pays_them(api, world):
    merged = world.unit(established=D(2024, 1, 2), name="Merged Two")
    successor = world.unit(established=D(2020, 1, 2), name="Successor Two")
    person = world.employ(merged, serial=83, started=D(2025, 1, 2), wage="10000.00")
    world.declare(merged, "2025-09", [(person, "10000.00")])
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": merged.pk,
                "reason": "merged",
                "event_date": "2025-11-01",
                "successor_unit_id": successor.pk,
            },
        ),
        201,
    )
    upload_required(api.clerk, body)
    run_to_disbursed(api, body["id"])
    assert ok(api.clerk.post(f"clearance-cases/{body['id']}/close"))["status"] == "closed"

    # Assumed, not paid: the successor's arrears, nothing in the account.
    september = months(api, person)["2025-09"]
    assert september["status"] == "arrears" and september["written_off"] is False
    assert september["owed_by_unit_id"] == successor.pk
    assert balance(person) == Decimal("0.00")
    assert paid_contribution_months(person) == 0
    assert unit_money_problems(merged) == [] and unit_money_problems(successor) == []

    world.pay_all(successor, "SUCCESSOR-PAYS")
    september = months(api, person)["2025-09"]
    assert september["status"] == "paid" and september["owed_by_unit_id"] is None
    assert balance(person) == Decimal("800.00")
    assert credits_due(merged) == Decimal("0.00")
    assert paid_contribution_months(person) == 1
    assert unit_money_problems(merged) == [] and unit_money_problems(successor) == []
    assert ledger_check()[1] == []


def test_a_successors_own_paid_month_stays_paid_when_it_assumes_the_same_month(api, world):
    """The successor declared and paid its own 2025-09 (B, 800.00 credited) before the
    merger brought it the merged unit's unpaid 2025-09 (A, 800.00): B's month stays paid
    and credited; A's is the successor's arrears until it pays it, then credited."""
    merged = world.unit(established=D(2024, 1, 2), name="Merged Three")
    successor = world.unit(established=D(2020, 1, 2), name="Successor Three")
    a = world.employ(merged, serial=84, started=D(2025, 1, 2), wage="10000.00")
    b = world.employ(successor, serial=85, started=D(2025, 1, 2), wage="10000.00")
    world.declare(merged, "2025-09", [(a, "10000.00")])
    world.declare(successor, "2025-09", [(b, "10000.00")])
    world.pay_all(successor, "OWN-0930")
    assert balance(b) == Decimal("800.00")
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": merged.pk,
                "reason": "merged",
                "event_date": "2025-11-01",
                "successor_unit_id": successor.pk,
            },
        ),
        201,
    )
    upload_required(api.clerk, body)
    run_to_disbursed(api, body["id"])
    ok(api.clerk.post(f"clearance-cases/{body['id']}/close"))

    assert months(api, b)["2025-09"]["status"] == "paid"
    assert months(api, a)["2025-09"]["status"] == "arrears"
    assert (balance(a), balance(b)) == (Decimal("0.00"), Decimal("800.00"))
    assert unit_money_problems(merged) == [] and unit_money_problems(successor) == []

    world.pay_all(successor, "ASSUMED-0930")
    assert months(api, a)["2025-09"]["status"] == "paid"
    assert (balance(a), balance(b)) == (Decimal("800.00"), Decimal("800.00"))
    assert unit_money_problems(merged) == [] and unit_money_problems(successor) == []
    assert ledger_check()[1] == []

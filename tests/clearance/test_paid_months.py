"""Clearance counts only what was paid (MOHRSS Order 20 Art. 13; SIL Art. 16).

Regression: a person whose unit paid nothing for five months was paid 3,200.00 out of
them, and a transfer carried 12% of wages nobody had paid premiums on.

By hand: a Beijing employee at 8,000.00 a month, 2024-11 to 2025-03 declared and paid
(5 x 640.00 = 3,200.00 in the account), then 2025-04 and 2025-05 declared and not paid.
"""

from .conftest import drive, ok, open_self_case, upload_required
from .test_flows_api import run_to_disbursed


def declare_two_unpaid_months(world, worker):
    for period in ("2025-04", "2025-05"):
        world.declare(worker.unit, period, [(worker.person, "8000.00")])


def test_a_transfer_carries_12_percent_of_paid_wages_only(api, world, worker):
    """TM2009: 12% of each year's contribution wages. 2025 counts only its three paid
    months: 3 x 8,000.00 x 12% = 2,880.00 (not 5 x: 4,800.00); 2024: 2 x 8,000.00 x 12%
    = 1,920.00. The balance holds the paid months only: 3,200.00."""
    declare_two_unpaid_months(world, worker)
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": worker.person.pk,
                "reason": "job_change",
                "event_date": "2025-10-31",
                "destination_region": "cn-sh",
            },
        ),
        201,
    )
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, body["id"])
    lines = {line["code"]: line for line in body["statement"]["lines"]}
    assert lines["individual_account_balance"]["amount"] == "3200.00"
    assert lines["pooled_fund_transfer"]["detail"]["years"] == [
        {"year": 2024, "wages": "16000.00", "amount": "1920.00"},
        {"year": 2025, "wages": "24000.00", "amount": "2880.00"},
    ]
    # 3,200.00 + 4,800.00, and the interest credited before the transfer (77.20).
    assert body["statement"]["total"] == "8077.20"


def test_the_liquidation_statement_names_the_months_the_unit_owes(api, staff, world, worker):
    """A note with the months still owed, no money credited for them: the statement's
    total is the balance of the paid months (3,200.00) and its interest before payout
    (77.20)."""
    declare_two_unpaid_months(world, worker)
    case = open_self_case(staff, worker.person)
    drive(staff, case.pk, until="approved")
    body = ok(api.finance.post(f"clearance-cases/{case.pk}/liquidate"))
    lines = {line["code"]: line for line in body["statement"]["lines"]}
    note = lines["months_unpaid_by_unit"]
    assert note["amount"] == "0.00"
    assert [m["period"] for m in note["detail"]["months"]] == ["2025-04", "2025-05"]
    assert "Order 20), Art. 13" in note["basis"]
    assert body["statement"]["total"] == "3277.20"

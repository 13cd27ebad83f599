"""A bankrupt unit's case, from the claim to closure (Enterprise Bankruptcy Law).

Hand computation: one employee at 10,000.00 a month, 2025-09 declared (premium P, due
2025-09-30) and unpaid; 8% of 10,000.00 = 800.00 of it is the personal pension part due to
the individual account. The court accepted the petition on 2025-10-20.

- Claim (Art. 113): rank 1, 800.00; rank 2, P - 800.00; late fees stop at the
  acceptance (Art. 46): 20 days x 0.05% x P (SIL Art. 86), as an ordinary claim.
- Distribution ruling of 2025-11-10 gives the agency 1,000.00: rank 1 in full (800.00),
  then 200.00 of rank 2.
- Written off on that ruling: P - 1,000.00 of premiums, and every late fee the ledger
  counts to 2025-11-10 (41 days x 0.05% x P): none is owed after the acceptance.
- The termination ruling of 2025-11-12 closes the case; the unit ends that day (Art. 121).
"""

from decimal import Decimal

from shebao.clearance.models import ClearanceCase
from shebao.core.money import round_money
from shebao.ledger.models import JournalEntry, Payment
from shebao.ledger.selectors import ledger_check, unit_money_problems
from shebao.registry.models import Unit

from .conftest import D, ok, upload_required

RATE = Decimal("0.0005")


def _bankrupt_case(api, world):
    unit = world.unit(established=D(2024, 1, 2), name="Bankrupt Co")
    person = world.employ(unit, serial=71, started=D(2025, 1, 2), wage="10000.00")
    declaration = world.declare(unit, "2025-09", [(person, "10000.00")])
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
    return unit, declaration.total_due, case_id


def test_a_bankrupt_unit_reaches_closed_through_claim_distribution_and_ruling(api, world):
    """Regression: a bankrupt unit's case could never close (the unit was asked to pay
    everything, late fees growing after the petition)."""
    unit, premium, case_id = _bankrupt_case(api, world)

    # Its arrears are claimed, never collected: liquidation asks for the petition date.
    early = api.finance.post(f"clearance-cases/{case_id}/liquidate")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "bankruptcy_claim_required"

    body = ok(
        api.finance.post(
            f"clearance-cases/{case_id}/bankruptcy-claim",
            {"petition_accepted_on": "2025-10-20"},
        )
    )
    assert body["status"] == "liquidated"
    claim = {c["code"]: c for c in body["bankruptcy"]["claim"]}
    fee_to_petition = round_money(premium * RATE * 20)
    assert claim["individual_account_premiums"]["rank"] == 1
    assert claim["individual_account_premiums"]["amount"] == "800.00"
    assert "Art. 113" in claim["individual_account_premiums"]["basis"]
    assert claim["other_premiums"]["rank"] == 2
    assert Decimal(claim["other_premiums"]["amount"]) == premium - Decimal("800.00")
    assert claim["late_fees"]["rank"] == 3
    assert Decimal(claim["late_fees"]["amount"]) == fee_to_petition
    assert "Art. 46" in claim["late_fees"]["basis"]
    assert claim["fines"]["amount"] == "0.00" and claim["fines"]["verified"] is False
    assert Decimal(body["bankruptcy"]["claim_total"]) == premium + fee_to_petition
    assert body["bankruptcy"]["petition_accepted_on"] == "2025-10-20"

    refused = api.finance.post(f"clearance-cases/{case_id}/disburse")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "bankruptcy_distribution_required"
    too_much = api.finance.post(
        f"clearance-cases/{case_id}/bankruptcy-distribution",
        {
            "received_amount": "99999.00",
            "ruling_no": "(2025)京01破12号之三",
            "ruling_on": "2025-11-10",
        },
    )
    assert too_much.status_code == 422 and "received_amount" in too_much.json()["error"]["fields"]
    assert ClearanceCase.objects.get(pk=case_id).status == "liquidated"

    body = ok(
        api.finance.post(
            f"clearance-cases/{case_id}/bankruptcy-distribution",
            {
                "received_amount": "1000.00",
                "ruling_no": "(2025)京01破12号之三",
                "ruling_on": "2025-11-10",
            },
        )
    )
    assert body["status"] == "disbursed"
    event = next(e for e in body["timeline"] if e["action"] == "bankruptcy_distribution")
    assert event["data"]["paid"] == [
        ["individual_account_premiums", "2025-09", "800.00"],
        ["other_premiums", "2025-09", "200.00"],
    ]
    fee_to_ruling = round_money(premium * RATE * 41)
    written = event["data"]["written_off"]
    assert Decimal(written["premiums"]) == premium - Decimal("1000.00")
    assert Decimal(written["late_fees"]) == fee_to_ruling
    distribution = body["bankruptcy"]["distribution"]
    assert distribution["received"] == "1000.00"
    assert Decimal(distribution["written_off"]) == premium - Decimal("1000.00") + fee_to_ruling
    payment = Payment.objects.get(unit=unit, reference="(2025)京01破12号之三")
    assert payment.amount == Decimal("1000.00")
    entry = JournalEntry.objects.get(kind="write_off", unit=unit)
    assert "(2025)京01破12号之三" in entry.memo and "ebl_113" in entry.memo
    arrears = ok(api.finance.get(f"units/{unit.pk}/arrears"))
    assert arrears["principal"] == "0.00" and arrears["late_fee"] == "0.00"

    plain = api.clerk.post(f"clearance-cases/{case_id}/close")
    assert plain.status_code == 409
    assert plain.json()["error"]["code"] == "termination_ruling_required"
    closed = ok(
        api.clerk.post(
            f"clearance-cases/{case_id}/termination-ruling",
            {"ruling_no": "(2025)京01破12号之五", "ruling_on": "2025-11-12"},
        )
    )
    assert closed["status"] == "closed" and closed["certificate"]["verification_code"]
    assert closed["bankruptcy"]["termination"]["ruling_no"] == "(2025)京01破12号之五"
    unit = Unit.objects.get(pk=unit.pk)
    assert unit.status == "cancelled" and unit.terminated_on == D(2025, 11, 12)
    assert unit_money_problems(unit) == []
    assert ledger_check()[1] == []


def test_the_claim_needs_a_petition_date_not_in_the_future(api, world):
    _unit, _premium, case_id = _bankrupt_case(api, world)
    missing = api.finance.post(f"clearance-cases/{case_id}/bankruptcy-claim", {})
    assert missing.status_code == 422
    assert "petition_accepted_on" in missing.json()["error"]["fields"]
    future = api.finance.post(
        f"clearance-cases/{case_id}/bankruptcy-claim", {"petition_accepted_on": "2030-01-01"}
    )
    assert future.status_code == 422
    assert ClearanceCase.objects.get(pk=case_id).status == "approved"

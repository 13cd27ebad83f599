"""Regression: one absurd amount stopped all money movement (finding 1 of the security
review): after it, marking a disbursement order paid answered 500. The amount is now
refused and disbursements keep working."""

from tests.factories import card

from .conftest import ok, upload, verify_checked
from .test_flows_api import pay_all, run_to_disbursed


def test_an_absurd_payment_is_refused_and_a_disbursement_is_still_paid(api, worker):
    unit, person = worker.unit, worker.person
    absurd = api.finance.post(
        f"units/{unit.pk}/payments",
        {"amount": "999999999999999999999999.99", "paid_on": "2025-11-01", "reference": "X"},
    )
    assert absurd.status_code == 422 and "amount" in absurd.json()["error"]["fields"]
    # Only the payment of the worker's months is recorded, not the absurd one.
    assert ok(api.finance.get(f"units/{unit.pk}/payments"))["count"] == 1
    payload = {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": "lost_nationality",
        "event_date": "2025-10-01",
        "payee": {"name": person.name, "bank_account": card(7), "bank_name": "CCB"},
    }
    body = ok(api.clerk.post("clearance-cases", payload), 201)
    for material in body["materials_required"]:
        if material["required"]:
            ok(upload(api.clerk, body["id"], material["code"]), 201)
    verify_checked(body["id"])
    body = run_to_disbursed(api, body["id"])
    # 3,200.00 and the interest credited before payout, 77.20.
    assert [o["amount"] for o in body["disbursements"]] == ["3277.20"]
    pay_all(api, body)
    paid = ok(api.finance.get(f"clearance-cases/{body['id']}"))
    assert [o["status"] for o in paid["disbursements"]] == ["paid"]
    assert ok(api.finance.get(f"units/{unit.pk}/arrears"))["refundable"] == "0.00"

"""Whole cases from draft to closed through the API, with the statement totals computed by
hand from rules.md: the individual account is 8% of each month's base (section 4), the
pooled part of a transfer 12% of each year's wages (section 6), late fees 0.05% a day
from the day after the due date (section 4)."""

import datetime
from decimal import Decimal

from shebao.core import clock
from shebao.ledger import chart
from shebao.ledger.models import Account
from shebao.ledger.selectors import ledger_check
from shebao.registry.models import Employment, Person, Unit
from tests.factories import card, insured_id

from .conftest import accept, ok, upload, upload_required, verify_checked

D = datetime.date


def balance(code):
    account = Account.objects.filter(code=code).first()
    return account.balance if account else Decimal("0.00")


def run_to_disbursed(api, case_id):
    verify_checked(case_id)
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    ok(accept(api.clerk, case_id))
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {"reasons": "materials verified"}))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    return ok(
        api.finance.post(
            f"clearance-cases/{case_id}/disburse", headers={"Idempotency-Key": f"d-{case_id}"}
        )
    )


def pay_all(api, body, reference="BANK"):
    for order in body["disbursements"]:
        if order["status"] == "awaiting_approval":
            ok(api.finance2.post(f"disbursement-orders/{order['id']}/approve"))
        ok(
            api.finance.post(
                f"disbursement-orders/{order['id']}/paid",
                {"bank_reference": f"{reference}-{order['id']}"},
            )
        )


def test_death_with_two_heirs_from_draft_to_closed(api, worker, world, staff):
    person = worker.person
    # A person receiving benefits (a work-injury allowance): the death notification binds.
    ok(api.clerk.post(f"persons/{person.pk}/facts", {"benefits_since": "2025-01-01"}))
    # Overpaid benefits recorded earlier: offset against the balance (HR2023 Art. 46).
    debt = ok(
        api.finance.post(
            "benefit-debts",
            {"person_id": person.pk, "amount": "100.01", "description": "pension paid after death"},
        ),
        201,
    )
    created = api.clerk.post(
        "clearance-cases",
        {
            "subject_type": "person",
            "subject_id": person.pk,
            "reason": "death",
            "event_date": "2025-10-20",
            "heirs": [
                {
                    "name": "Heir One",
                    "citizen_id": insured_id(501),
                    "share_percent": "60",
                    "bank_account": card(1),
                    "bank_name": "ICBC",
                },
                {
                    "name": "Heir Two",
                    "citizen_id": insured_id(502),
                    "share_percent": 40,
                    "bank_account": card(2),
                    "bank_name": "BOC",
                },
            ],
        },
    )
    body = ok(created, 201)
    assert body["status"] == "draft"
    codes = {m["code"] for m in body["materials_required"]}
    assert {"death_certificate", "kinship_proof", "heir_bank_accounts"} <= codes
    assert all(set(m) >= {"code", "name"} for m in body["materials_required"])
    case_id = body["id"]
    # The death notification runs 20 working days from the death (HR2023 Art. 25).
    notification = next(d for d in body["deadlines"] if d["code"] == "death_notification")
    assert notification["start"] == "2025-10-20" and notification["due_on"] == "2025-11-17"
    assert notification["days_left"] == 3 and notification["status"] == "pending"

    upload_required(api.clerk, body)
    body = run_to_disbursed(api, case_id)

    # 5 months x 8% x 8,000.00 = 3,200.00; plus interest 77.20; less the debt 100.01
    # = 3,177.19; plus the Beijing survivors' benefits from the pooled fund (SIL Art. 17):
    # funeral grant 5,000.00 and survivors' pension 24,366.00, 32,543.19 in all.
    # Interest before payout (IAM1997; the pack's rule for the year of leaving): 2024's
    # 1,280.00 earns 1,280.00 x 0.0262 x 1.083 / 2 = 18.16; 2025 to October, at the
    # latest published rate (2024, 2.62%) over 12 for each month held: (1,298.16 x 9
    # + 640.00 x (9 + 8 + 7)) x 0.0262 / 12 = 59.04. Together 77.20.
    statement = body["statement"]
    lines = {line["code"]: line for line in statement["lines"]}
    assert lines["individual_account_balance"]["amount"] == "3200.00"
    assert lines["interest_completed_year"]["amount"] == "18.16"
    assert lines["interest_unfinished_year"]["amount"] == "59.04"
    assert lines["benefit_overpayment_offset"]["amount"] == "-100.01"
    assert lines["funeral_grant"]["amount"] == "5000.00"
    assert lines["survivors_pension"]["amount"] == "24366.00"
    assert statement["total"] == "32543.19"
    assert all(line["basis"] for line in statement["lines"])
    # 60% of 3,254,319 cents is 1,952,591.4 and 40% is 1,301,727.6: the odd cent goes to
    # the larger remainder, so the payments add up exactly.
    payments = {o["payee"]: o["amount"] for o in body["disbursements"]}
    assert payments == {"Heir One": "19525.91", "Heir Two": "13017.28"}
    assert all(o["status"] == "approved" for o in body["disbursements"])

    pay_all(api, body)
    closed = ok(api.clerk.post(f"clearance-cases/{case_id}/close"))
    assert closed["status"] == "closed"
    code = closed["certificate"]["verification_code"]
    check = api.clerk.get(f"certificates/{code}").json()
    assert check["valid"] is True and check["kind"] == "cancellation"

    person.refresh_from_db()
    assert person.status == "cleared" and person.died_on == D(2025, 10, 20)
    assert not Employment.objects.filter(person=person, status="open").exists()
    assert balance(chart.individual_code(person.pk)) == Decimal("0.00")
    debt_after = ok(api.finance.get(f"persons/{person.pk}/benefit-debts"))["items"][0]
    assert debt_after["id"] == debt["id"] and debt_after["status"] == "offset"
    assert ledger_check()[1] == []
    actions = [e["action"] for e in closed["timeline"]]
    for action in ("create", "submit", "accept", "approve", "liquidate", "disburse", "close"):
        assert action in actions


def test_lost_nationality_needs_the_acknowledgement(api, worker):
    person = worker.person
    payload = {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": "lost_nationality",
        "event_date": "2025-10-01",
        "payee": {"name": person.name, "bank_account": card(7), "bank_name": "CCB"},
    }
    body = ok(api.clerk.post("clearance-cases", payload), 201)
    case_id = body["id"]
    assert body["acknowledgement"]["required"] and not body["acknowledgement"]["acknowledged"]
    # The signed acknowledgement is on the checklist even though the pack's own list for
    # this reason does not name it.
    codes = [m["code"] for m in body["materials_required"] if m["required"]]
    assert "alternatives_acknowledgement" in codes
    for code in codes:
        if code != "alternatives_acknowledgement":
            ok(upload(api.clerk, case_id, code), 201)
    refused = api.clerk.post(f"clearance-cases/{case_id}/submit")
    assert refused.status_code == 409
    assert refused.json()["error"]["fields"]["materials"] == "alternatives_acknowledgement"

    ok(upload(api.clerk, case_id, "alternatives_acknowledgement", name="signed.pdf"), 201)
    acknowledged = ok(api.clerk.get(f"clearance-cases/{case_id}"))["acknowledgement"]
    assert acknowledged["acknowledged"] and len(acknowledged["version"]) == 64
    assert "right to keep my individual account" in acknowledged["text"]
    body = run_to_disbursed(api, case_id)
    # 3,200.00 and the interest before payout, 77.20 (as in the death case above).
    assert body["statement"]["total"] == "3277.20"
    assert [(o["payee"], o["amount"]) for o in body["disbursements"]] == [(person.name, "3277.20")]
    pay_all(api, body)
    closed = ok(api.supervisor.post(f"clearance-cases/{case_id}/close"))
    assert closed["status"] == "closed"
    person.refresh_from_db()
    assert person.status == "cleared"
    # The person's employment ended with the relationship.
    assert Employment.objects.get(person=person).status == "ended"


def test_cross_region_transfer_carries_the_pooled_part(api, worker):
    person = worker.person
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": person.pk,
                "reason": "job_change",
                "event_date": "2025-10-31",
                "destination_region": "cn-sh",
            },
        ),
        201,
    )
    case_id = body["id"]
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, case_id)
    lines = {line["code"]: line for line in body["statement"]["lines"]}
    # Balance 5 x 640.00 = 3,200.00. Pooled part: 12% of 2024's wages (2 x 8,000.00) =
    # 1,920.00 and of 2025's (3 x 8,000.00) = 2,880.00.
    assert lines["individual_account_balance"]["amount"] == "3200.00"
    pooled = lines["pooled_fund_transfer"]
    assert pooled["amount"] == "4800.00"
    assert pooled["detail"]["years"] == [
        {"year": 2024, "wages": "16000.00", "amount": "1920.00"},
        {"year": 2025, "wages": "24000.00", "amount": "2880.00"},
    ]
    # The account moves with the interest credited first (77.20, as above).
    assert body["statement"]["total"] == "8077.20"
    assert body["statement"]["direction"] == "transfer"
    [order] = body["disbursements"]
    assert order["amount"] == "8077.20" and order["channel"] == "agency_transfer"
    pool_before = balance(chart.pooled_code("pension"))
    bank_before = balance(chart.BANK_CODE)
    pay_all(api, body, reference="TRANSFER")
    assert balance(chart.individual_code(person.pk)) == Decimal("0.00")
    assert balance(chart.pooled_code("pension")) - pool_before == Decimal("4800.00")
    assert bank_before - balance(chart.BANK_CODE) == Decimal("8077.20")
    # The transfer step is the agency's: 15 working days from acceptance, done at payment.
    transfer = next(d for d in body["deadlines"] if d["code"] == "transfer_step")
    assert transfer["status"] == "met"
    closed = ok(api.clerk.post(f"clearance-cases/{case_id}/close"))
    assert closed["status"] == "closed"


def test_unit_dissolution_with_arrears(api, world, staff):
    unit = world.unit(established=D(2024, 1, 2))
    person = world.employ(unit, serial=21, started=D(2025, 1, 2), wage="10000.00")
    declaration = world.declare(unit, "2025-09", [(person, "10000.00")])
    # Beijing: pension 24%, medical 11.8% + 3.00, unemployment 1%, work injury class 1
    # 0.2% of 10,000.00.
    assert declaration.total_due == Decimal("3703.00")
    fine = ok(
        api.auditor.post(
            "unit-fines",
            {
                "unit_id": unit.pk,
                "amount": "500.00",
                "decision_no": "JC-2025-17",
                "decided_on": "2025-10-10",
            },
        ),
        201,
    )
    payload = {
        "subject_type": "unit",
        "subject_id": unit.pk,
        "reason": "dissolved",
        "event_date": "2025-10-31",
    }
    body = ok(api.clerk.post("clearance-cases", payload), 201)
    case_id = body["id"]
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    ok(accept(api.clerk, case_id))
    # The staff are still on the roll: the approval is refused, and nothing changes.
    refused = api.auditor.post(f"clearance-cases/{case_id}/approve", {})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "open_employments"
    assert ok(api.clerk.get(f"clearance-cases/{case_id}"))["status"] == "accepted"
    world.end(person, unit, D(2025, 10, 31), reason="unit_terminated")
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))
    body = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    lines = {line["code"]: line for line in body["statement"]["lines"]}
    # Due 2025-09-30, liquidated 2025-11-14: 45 days x 0.05% x 3,703.00 = 83.3175.
    assert lines["arrears_principal"]["amount"] == "3703.00"
    assert lines["late_fees"]["amount"] == "83.32"
    assert lines["fine"]["amount"] == "500.00"
    assert lines["overpayment_refund"]["amount"] == "0.00"
    assert body["statement"]["total"] == "4286.32"
    assert body["statement"]["direction"] == "collect"

    body = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))
    [order] = body["disbursements"]
    assert order["direction"] == "collect" and order["amount"] == "4286.32"
    # Closing before the unit has paid: refused, naming the unpaid order.
    early = api.clerk.post(f"clearance-cases/{case_id}/close")
    assert early.status_code == 409 and early.json()["error"]["code"] == "orders_unpaid"
    ok(
        api.finance.post(
            f"disbursement-orders/{order['id']}/paid",
            {"paid_on": "2025-11-14", "bank_reference": "UNIT-PAYS-1"},
        )
    )
    arrears = ok(api.finance.get(f"units/{unit.pk}/arrears"))
    assert arrears["principal"] == "0.00" and arrears["late_fee"] == "0.00"
    fines = ok(api.finance.get(f"units/{unit.pk}/fines"))["items"]
    assert fines[0]["id"] == fine["id"] and fines[0]["status"] == "paid"
    closed = ok(api.clerk.post(f"clearance-cases/{case_id}/close"))
    assert closed["status"] == "closed" and closed["certificate"]["verification_code"]
    unit.refresh_from_db()
    assert unit.status == "cancelled" and unit.terminated_on == D(2025, 10, 31)
    assert ledger_check()[1] == []


def test_unit_close_refused_while_arrears_remain(api, world):
    """A unit pays its collection order late: the late fee grew meanwhile, and the case
    does not close until that is paid too."""
    unit = world.unit(established=D(2024, 1, 2))
    person = world.employ(unit, serial=31, started=D(2025, 1, 2), wage="10000.00")
    world.declare(unit, "2025-09", [(person, "10000.00")])
    world.end(person, unit, D(2025, 10, 31), reason="unit_terminated")
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": unit.pk,
                "reason": "licence_revoked",
                "event_date": "2025-10-31",
            },
        ),
        201,
    )
    case_id = body["id"]
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, case_id)
    [order] = body["disbursements"]
    assert order["amount"] == "3786.32"
    with clock.frozen(D(2025, 11, 20)):
        ok(
            api.finance.post(
                f"disbursement-orders/{order['id']}/paid",
                {"paid_on": "2025-11-20", "bank_reference": "LATE-1"},
            )
        )
        refused = api.clerk.post(f"clearance-cases/{case_id}/close")
        assert refused.status_code == 409
        error = refused.json()["error"]
        # Six more days: 3,703.00 x 0.05% x 51 = 94.4265, so 94.43, of which 83.32 was paid.
        assert error["code"] == "unpaid_arrears" and "11.11" in error["fields"]["arrears"]
        assert Unit.objects.get(pk=unit.pk).status == "registered"
        world.pay(unit, "11.11", D(2025, 11, 20), "LATE-2")
        assert ok(api.clerk.post(f"clearance-cases/{case_id}/close"))["status"] == "closed"


def test_merger_moves_the_staff_to_the_successor(api, world):
    merged = world.unit(established=D(2024, 1, 2))
    successor = world.unit(established=D(2020, 1, 2))
    person = world.employ(merged, serial=41, started=D(2025, 1, 2), wage="9000.00")
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
    case_id = body["id"]
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, case_id)
    assert body["statement"]["total"] == "0.00" and body["disbursements"] == []
    closed = ok(api.clerk.post(f"clearance-cases/{case_id}/close"))
    assert closed["status"] == "closed"
    moved = Employment.objects.get(person=person, status="open")
    assert moved.unit_id == successor.pk and moved.monthly_wage == Decimal("9000.00")
    assert moved.started_on == D(2025, 11, 1)
    assert Unit.objects.get(pk=merged.pk).status == "cancelled"
    assert Person.objects.get(pk=person.pk).status == "active"


def test_a_returned_case_keeps_its_history(api, worker):
    person = worker.person
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": person.pk,
                "reason": "lost_nationality",
                "event_date": "2025-10-01",
                "acknowledged": True,
                "payee": {"name": person.name, "bank_account": card(8), "bank_name": "CCB"},
            },
        ),
        201,
    )
    case_id = body["id"]
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    returned = ok(
        api.clerk2.post(
            f"clearance-cases/{case_id}/return",
            {
                "reasons": "the translation is not notarised",
                "supplement": ["foreign_nationality_proof"],
            },
        )
    )
    assert returned["status"] == "returned"
    assert returned["to_supplement"] == ["foreign_nationality_proof"]
    again = api.clerk.post(f"clearance-cases/{case_id}/submit")
    assert again.status_code == 409
    assert again.json()["error"]["fields"]["materials"] == "foreign_nationality_proof"
    ok(upload(api.clerk, case_id, "foreign_nationality_proof", name="notarised.pdf"), 201)
    body = ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    assert body["status"] == "submitted"
    proofs = [m for m in body["materials"] if m["kind"] == "foreign_nationality_proof"]
    assert [m["round"] for m in proofs] == [1, 2]
    statuses = [(e["from_status"], e["to_status"]) for e in body["timeline"] if e["to_status"]]
    assert statuses == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]
    note = next(e for e in body["timeline"] if e["action"] == "return")["note"]
    assert note == "the translation is not notarised"


def test_a_unit_is_refunded_its_overpayment(api, world):
    unit = world.unit(established=D(2024, 1, 2))
    person = world.employ(unit, serial=51, started=D(2025, 1, 2), wage="10000.00")
    world.declare(unit, "2025-09", [(person, "10000.00")])
    # Paid on time, 180.00 too much: held as a refundable credit.
    world.pay(unit, "3883.00", D(2025, 9, 30), "OVER-1")
    world.end(person, unit, D(2025, 10, 31), reason="unit_terminated")
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": unit.pk,
                "reason": "deregistered",
                "event_date": "2025-10-31",
            },
        ),
        201,
    )
    case_id = body["id"]
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    ok(accept(api.clerk, case_id))
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))
    body = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    lines = {line["code"]: line["amount"] for line in body["statement"]["lines"]}
    assert lines["arrears_principal"] == "0.00" and lines["overpayment_refund"] == "-180.00"
    assert body["statement"]["total"] == "-180.00"
    assert body["statement"]["direction"] == "refund"
    # No bank account of the unit's on record yet: the refund cannot be ordered.
    refused = api.finance.post(f"clearance-cases/{case_id}/disburse")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "payee_bank_account_missing"
    ok(
        api.clerk.post(
            f"clearance-cases/{case_id}/payees",
            {"payee": {"name": unit.name, "bank_account": "110060149018", "bank_name": "BOB"}},
        )
    )
    # The account recorded after the audit is audited in its turn, and the case liquidated
    # again.
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    body = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))
    [order] = body["disbursements"]
    assert (order["direction"], order["amount"], order["channel"]) == ("pay", "180.00", "bank")
    ok(api.finance.post(f"disbursement-orders/{order['id']}/paid", {"bank_reference": "R-1"}))
    assert ok(api.finance.get(f"units/{unit.pk}/arrears"))["refundable"] == "0.00"
    assert ok(api.clerk.post(f"clearance-cases/{case_id}/close"))["status"] == "closed"
    assert ledger_check()[1] == []


def test_pro_rata_interest_is_booked_before_it_is_paid(api, worker, monkeypatch):
    import dataclasses

    from shebao.clearance import selectors
    from shebao.policy import interest

    policy = dataclasses.replace(
        interest.interest_policy(), leaving_year=interest.PRO_RATA_LATEST_RATE
    )
    monkeypatch.setattr(selectors.interest, "interest_policy", lambda region=None: policy)
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": worker.person.pk,
                "reason": "lost_nationality",
                "event_date": "2025-10-01",
                "acknowledged": True,
                "payee": {
                    "name": worker.person.name,
                    "bank_account": card(61),
                    "bank_name": "CCB",
                },
            },
        ),
        201,
    )
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, body["id"])
    lines = {line["code"]: line for line in body["statement"]["lines"]}
    # 2024 first (IAM1997): 1,280.00 x 0.0262 x 1.083 / 2 = 18.16. Leaving in October
    # 2025: 9 whole months at the 2024 rate, 2.62%, on the balance of the year:
    # (1,298.16 + 1,920.00) x 0.0262 x 9 / 12 = 63.24.
    assert lines["interest_completed_year"]["amount"] == "18.16"
    assert lines["interest_unfinished_year"]["amount"] == "63.24"
    assert lines["interest_unfinished_year"]["detail"]["rate_year"] == 2024
    assert body["statement"]["total"] == "3281.40"
    assert body["disbursements"][0]["amount"] == "3281.40"
    pay_all(api, body)
    assert balance(chart.individual_code(worker.person.pk)) == Decimal("0.00")
    assert balance(chart.INTEREST_CODE) == Decimal("81.40")


def test_a_unit_may_pay_through_the_ledger_instead(api, world):
    """The unit pays its arrears with an ordinary payment (``POST /units/{id}/payments``):
    once it owes nothing, its collection order counts as settled."""
    unit = world.unit(established=D(2024, 1, 2))
    person = world.employ(unit, serial=52, started=D(2025, 1, 2), wage="10000.00")
    world.declare(unit, "2025-09", [(person, "10000.00")])
    world.end(person, unit, D(2025, 10, 31), reason="unit_terminated")
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": unit.pk,
                "reason": "licence_revoked",
                "event_date": "2025-10-31",
            },
        ),
        201,
    )
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, body["id"])
    [order] = body["disbursements"]
    assert order["amount"] == "3786.32" and order["status"] == "approved"
    ok(
        api.finance.post(
            f"units/{unit.pk}/payments",
            {"amount": "3786.32", "paid_on": "2025-11-14", "reference": "OWN-1"},
        ),
        201,
    )
    closed = ok(api.clerk.post(f"clearance-cases/{body['id']}/close"))
    assert closed["status"] == "closed"
    assert closed["disbursements"][0]["status"] == "settled"
    assert "order_settled" in [e["action"] for e in closed["timeline"]]


def test_a_payment_before_disbursement_leaves_nothing_to_collect(api, world):
    unit = world.unit(established=D(2024, 1, 2))
    person = world.employ(unit, serial=53, started=D(2025, 1, 2), wage="10000.00")
    world.declare(unit, "2025-09", [(person, "10000.00")])
    world.end(person, unit, D(2025, 10, 31), reason="unit_terminated")
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": unit.pk,
                "reason": "dissolved",
                "event_date": "2025-10-31",
            },
        ),
        201,
    )
    case_id = body["id"]
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    ok(accept(api.clerk, case_id))
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))
    assert ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))["statement"]["total"] == (
        "3786.32"
    )
    world.pay(unit, "3786.32", D(2025, 11, 14), "OWN-2")
    body = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))
    assert body["disbursements"] == []
    assert ok(api.clerk.post(f"clearance-cases/{case_id}/close"))["status"] == "closed"

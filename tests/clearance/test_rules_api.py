"""What the API refuses, and that a refusal changes nothing: wrong state, wrong role,
maker-checker, requests that are not a clearance, bad payees and bad files; and the
controls on money (idempotent disbursement, second approval, failed payments)."""

import datetime
import re
from decimal import Decimal

import pytest

from shebao.audit.models import AuditEvent
from shebao.clearance.models import CaseEvent, ClearanceCase, DisbursementOrder, Material
from shebao.ledger import chart
from shebao.ledger.models import Account, JournalEntry
from tests.factories import bad_card, card, credit_code, insured_id

from .conftest import EXE, JPEG, PNG, accept, ok, upload, upload_required

D = datetime.date


def heirs(*shares, bad=None):
    return [
        {
            "name": f"Heir {i}",
            "citizen_id": insured_id(600 + i),
            "share_percent": share,
            "bank_account": bad_card(i) if bad == i else card(i),
            "bank_name": "ICBC",
        }
        for i, share in enumerate(shares)
    ]


def death(person, **extra):
    return {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": "death",
        "event_date": "2025-10-20",
        **extra,
    }


def self_payee(person, reason="lost_nationality", **extra):
    return {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": reason,
        "event_date": "2025-10-01",
        "acknowledged": True,
        "payee": {"name": person.name, "bank_account": card(9), "bank_name": "CCB"},
        **extra,
    }


def counts():
    return (ClearanceCase.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())


# Opening a case ------------------------------------------------------------------------


def test_shares_not_adding_up_to_100_change_nothing(api, worker):
    before = counts()
    response = api.clerk.post("clearance-cases", death(worker.person, heirs=heirs("50", "40")))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "shares_not_100" and "heirs" in error["fields"]
    assert counts() == before


def test_a_card_failing_luhn_is_named(api, worker):
    before = counts()
    response = api.clerk.post(
        "clearance-cases", death(worker.person, heirs=heirs("50", "50", bad=1))
    )
    assert response.status_code == 422
    assert "heirs.1.bank_account" in response.json()["error"]["fields"]
    assert counts() == before
    own = self_payee(worker.person)
    own["payee"]["bank_account"] = bad_card(4)
    response = api.clerk.post("clearance-cases", own)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "payee.bank_account": "fails the Luhn check of a bank card number: a mistyped digit?"
    }


def test_job_change_within_the_region_is_not_a_clearance(api, worker):
    response = api.clerk.post(
        "clearance-cases",
        {
            "subject_type": "person",
            "subject_id": worker.person.pk,
            "reason": "job_change",
            "event_date": "2025-10-31",
            "destination_region": "cn-bj",
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_a_clearance"
    assert "does not end the insurance relationship" in error["message"]
    assert "new employer" in error["fields"]["reason"]
    assert ClearanceCase.objects.count() == 0


def test_settling_abroad_with_nationality_is_not_a_clearance(api, worker):
    response = api.clerk.post(
        "clearance-cases", self_payee(worker.person, reason="settled_abroad_keeping_nationality")
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_a_clearance" and "Keep the account" in error["fields"]["reason"]


def test_unknown_reason_and_subject(api, worker):
    response = api.clerk.post("clearance-cases", self_payee(worker.person, reason="boredom"))
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_reason"
    missing = api.clerk.post("clearance-cases", {**self_payee(worker.person), "subject_id": 9999})
    assert missing.status_code == 422 and "subject_id" in missing.json()["error"]["fields"]
    future = api.clerk.post(
        "clearance-cases", {**self_payee(worker.person), "event_date": "2026-01-01"}
    )
    assert future.status_code == 422 and "event_date" in future.json()["error"]["fields"]


def test_one_open_case_per_subject(api, worker):
    ok(api.clerk.post("clearance-cases", self_payee(worker.person)), 201)
    again = api.clerk.post("clearance-cases", self_payee(worker.person))
    assert again.status_code == 409 and again.json()["error"]["code"] == "case_open"


def test_only_a_registered_unit_is_cancelled(api, world):
    from shebao.registry import services as registry

    pending = registry.unit_register(
        actor=world.clerk,
        uscc=credit_code(900),
        name="Pending",
        established_on=D(2025, 1, 2),
        region="cn-bj",
        industry_class=1,
    )
    response = api.clerk.post(
        "clearance-cases",
        {
            "subject_type": "unit",
            "subject_id": pending.pk,
            "reason": "dissolved",
            "event_date": "2025-10-01",
        },
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unit_not_registered"
    unit = world.unit()
    merged_into_itself = api.clerk.post(
        "clearance-cases",
        {
            "subject_type": "unit",
            "subject_id": unit.pk,
            "reason": "merged",
            "event_date": "2025-10-01",
            "successor_unit_id": unit.pk,
        },
    )
    assert merged_into_itself.status_code == 422
    assert "successor_unit_id" in merged_into_itself.json()["error"]["fields"]
    no_successor = api.clerk.post(
        "clearance-cases",
        {
            "subject_type": "unit",
            "subject_id": unit.pk,
            "reason": "merged",
            "event_date": "2025-10-01",
            "successor_unit_id": pending.pk,
        },
    )
    assert no_successor.status_code == 422
    assert "must be registered" in no_successor.json()["error"]["fields"]["successor_unit_id"]


# Materials -----------------------------------------------------------------------------


def test_uploads_are_typed_by_content(api, worker):
    case_id = ok(api.clerk.post("clearance-cases", self_payee(worker.person)), 201)["id"]
    disguised = upload(api.clerk, case_id, "termination_application", EXE, name="form.pdf")
    assert disguised.status_code == 422
    error = disguised.json()["error"]
    assert error["code"] == "unsupported_file_type" and "Windows program" in error["fields"]["file"]
    png = ok(upload(api.clerk, case_id, "termination_application", PNG, name="form.pdf"), 201)
    assert png["content_type"] == "image/png"
    jpeg = ok(upload(api.clerk, case_id, "own_bank_account", JPEG, name="card"), 201)
    assert jpeg["content_type"] == "image/jpeg" and len(jpeg["sha256"]) == 64
    wrong_kind = upload(api.clerk, case_id, "death_certificate")
    assert wrong_kind.status_code == 422 and "kind" in wrong_kind.json()["error"]["fields"]
    assert Material.objects.count() == 2
    # Staff can view what was uploaded; the view is audited.
    response = api.auditor.get(f"clearance-cases/{case_id}/materials/{jpeg['id']}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content == JPEG
    assert AuditEvent.objects.filter(action="clearance.material_viewed").count() == 1


def test_too_large_a_file_is_refused(api, worker, settings):
    settings.SHEBAO_MATERIAL_MAX_BYTES = 1024
    case_id = ok(api.clerk.post("clearance-cases", self_payee(worker.person)), 201)["id"]
    response = upload(api.clerk, case_id, "termination_application", b"%PDF-" + b"0" * 2000)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_too_large"
    assert Material.objects.count() == 0


def test_the_acknowledgement_flag_records_the_text_version(api, worker):
    body = ok(api.clerk.post("clearance-cases", self_payee(worker.person)), 201)
    first = body["acknowledgement"]
    assert first["acknowledged"] and len(first["version"]) == 64
    # The signed paper is still needed; uploading it keeps the version first recorded.
    assert "alternatives_acknowledgement" in [m["code"] for m in body["materials_required"]]
    ok(upload(api.clerk, body["id"], "alternatives_acknowledgement"), 201)
    again = ok(api.clerk.post(f"clearance-cases/{body['id']}/acknowledge"))["acknowledgement"]
    assert again == first


def test_a_reason_without_acknowledgement_refuses_one(api, worker):
    body = ok(api.clerk.post("clearance-cases", death(worker.person, heirs=heirs("100"))), 201)
    assert body["acknowledgement"]["required"] is False
    response = api.clerk.post(f"clearance-cases/{body['id']}/acknowledge")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_acknowledgement_needed"


def test_missing_materials_are_named_in_the_users_language(api_as, staff, worker):
    """The message names each missing material as the pack names it in Chinese, never by
    its code; the fields keep the codes for programs."""
    clerk = api_as("clerk", user=staff.clerk, language="zh-hans")
    body = ok(clerk.post("clearance-cases", self_payee(worker.person)), 201)
    response = clerk.post(f"clearance-cases/{body['id']}/submit")
    assert response.status_code == 409
    error = response.json()["error"]
    assert "termination_application" in error["fields"]["materials"]
    assert "终止社会保险关系书面申请" in error["message"]
    assert not re.search(r"[a-z]+_[a-z]+", error["message"]), error["message"]


def test_submission_needs_every_required_material(api, worker):
    body = ok(api.clerk.post("clearance-cases", self_payee(worker.person)), 201)
    upload(api.clerk, body["id"], "identity_document")
    response = api.clerk.post(f"clearance-cases/{body['id']}/submit")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "materials_missing"
    # The message names the material as a person reads it; the fields keep the codes.
    assert "Written application to end the insurance relationship" in error["message"]
    assert "termination_application" not in error["message"]
    assert "termination_application" in error["fields"]["materials"]
    assert "identity_document" not in error["fields"]["materials"]
    assert ok(api.clerk.get(f"clearance-cases/{body['id']}"))["status"] == "draft"


# Roles, states and maker-checker -------------------------------------------------------


@pytest.fixture
def submitted(api, worker):
    body = ok(api.clerk.post("clearance-cases", self_payee(worker.person)), 201)
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{body['id']}/submit"))
    return body["id"]


def test_wrong_role_is_a_403_with_the_reason(api, submitted):
    response = api.finance.post(f"clearance-cases/{submitted}/accept")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    # The role and the action as a person reads them, never their internal codes.
    assert "Finance officer" in error["message"] and "accept a clearance case" in error["message"]
    assert "clearance.accept" not in error["message"]
    ok(accept(api.clerk, submitted))
    clerk_approves = api.clerk.post(f"clearance-cases/{submitted}/approve", {})
    assert clerk_approves.status_code == 403


def test_wrong_state_is_a_409(api, submitted):
    response = api.finance.post(f"clearance-cases/{submitted}/liquidate")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "wrong_state" and error["fields"]["status"] == "submitted"


def test_the_accepting_supervisor_cannot_approve(api, submitted):
    ok(accept(api.supervisor, submitted))
    response = api.supervisor.post(f"clearance-cases/{submitted}/approve", {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "maker_checker"
    assert ok(api.auditor.get(f"clearance-cases/{submitted}"))["status"] == "accepted"


def test_the_applicant_cannot_approve(api, worker):
    # A supervisor opened the case at the counter and may not decide it.
    body = ok(api.supervisor.post("clearance-cases", self_payee(worker.person)), 201)
    upload_required(api.supervisor, body)
    ok(api.supervisor.post(f"clearance-cases/{body['id']}/submit"))
    ok(accept(api.clerk, body["id"]))
    response = api.supervisor.post(f"clearance-cases/{body['id']}/approve", {})
    assert response.status_code == 403 and response.json()["error"]["code"] == "maker_checker"
    ok(api.auditor.post(f"clearance-cases/{body['id']}/approve", {}))


def test_rejection_needs_reasons_and_is_final(api, submitted):
    ok(accept(api.clerk, submitted))
    missing = api.auditor.post(f"clearance-cases/{submitted}/reject", {})
    assert missing.status_code == 422 and "reasons" in missing.json()["error"]["fields"]
    body = ok(
        api.auditor.post(
            f"clearance-cases/{submitted}/reject", {"reasons": ["nationality not lost"]}
        )
    )
    assert body["status"] == "rejected" and body["allowed_actions"] == []
    assert body["timeline"][-1]["note"] == "nationality not lost"
    assert accept(api.clerk, submitted).status_code == 409


def test_the_person_applies_for_themselves(api_as, api, worker, staff):
    from shebao.registry import services as registry

    person_user = api_as("person")
    registry.person_link_user(actor=staff.clerk, person_id=worker.person.pk, user=person_user.user)
    body = ok(person_user.post("clearance-cases", self_payee(worker.person)), 201)
    upload_required(person_user, body)
    ok(person_user.post(f"clearance-cases/{body['id']}/submit"))
    assert person_user.post(f"clearance-cases/{body['id']}/accept").status_code == 403
    stranger = api_as("person")
    assert stranger.get(f"clearance-cases/{body['id']}").status_code == 404


# Money ---------------------------------------------------------------------------------


def approved_case(api, payload):
    body = ok(api.clerk.post("clearance-cases", payload), 201)
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{body['id']}/submit"))
    ok(accept(api.clerk, body["id"]))
    ok(api.auditor.post(f"clearance-cases/{body['id']}/approve", {}))
    return body["id"]


def test_disburse_is_idempotent_with_a_key(api, worker):
    case_id = approved_case(api, self_payee(worker.person))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    key = {"Idempotency-Key": "pay-once"}
    first = ok(api.finance.post(f"clearance-cases/{case_id}/disburse", headers=key))
    again = ok(api.finance.post(f"clearance-cases/{case_id}/disburse", headers=key))
    assert first["disbursements"] == again["disbursements"]
    assert DisbursementOrder.objects.count() == 1
    other = api.finance.post(
        f"clearance-cases/{case_id}/disburse", headers={"Idempotency-Key": "x"}
    )
    assert other.status_code == 409
    no_key = api.finance.post(f"clearance-cases/{case_id}/disburse")
    assert no_key.status_code == 409
    assert CaseEvent.objects.filter(case_id=case_id, action="disburse").count() == 1


def test_paying_an_order_twice_posts_once(api, worker):
    case_id = approved_case(api, self_payee(worker.person))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    order = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"][0]
    paid = {"bank_reference": "B-1"}
    ok(api.finance.post(f"disbursement-orders/{order['id']}/paid", paid))
    ok(api.finance.post(f"disbursement-orders/{order['id']}/paid", paid))
    other = api.finance.post(f"disbursement-orders/{order['id']}/paid", {"bank_reference": "B-2"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "already_paid"
    assert JournalEntry.objects.filter(kind="disbursement").count() == 1
    individual = Account.objects.get(code=chart.individual_code(worker.person.pk))
    assert individual.balance == Decimal("0.00")


def test_large_payments_need_a_second_finance_officer(api, worker, world):
    world.transfer_in(worker.person, "60000.00")
    case_id = approved_case(api, self_payee(worker.person))
    body = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    # 3,200.00, 77.20 of interest, and the 60,000.00 brought in (booked with no month:
    # it earns nothing in the year of leaving).
    assert body["statement"]["total"] == "63277.20"
    order = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"][0]
    assert order["status"] == "awaiting_approval" and order["needs_second_approval"]
    early = api.finance.post(f"disbursement-orders/{order['id']}/paid", {"bank_reference": "X"})
    assert early.status_code == 409
    same = api.finance.post(f"disbursement-orders/{order['id']}/approve")
    assert same.status_code == 403 and same.json()["error"]["code"] == "maker_checker"
    approved = ok(api.finance2.post(f"disbursement-orders/{order['id']}/approve"))
    assert approved["status"] == "approved" and approved["second_approved_by"] == "c-finance2"


def test_a_failed_payment_is_reissued_to_a_corrected_account(api, worker):
    case_id = approved_case(api, self_payee(worker.person))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    order = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"][0]
    response = api.finance.post("payment-files")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, row = text.strip().splitlines()
    assert header.startswith("order_id,case_id,payee_name,bank_name,bank_account,amount")
    assert f",{card(9)},3277.20,CNY," in row
    assert api.finance.post("payment-files").status_code == 409  # nothing left to send
    batch_id = response["X-Batch-Id"]
    assert api.finance.get(f"payment-files/{batch_id}").content == response.content

    # The bank returned the payment: another finance officer records it with the bank's
    # return reference.
    ok(
        api.finance2.post(
            f"disbursement-orders/{order['id']}/failed",
            {"reason": "account closed", "bank_return_reference": "RET-1"},
        )
    )
    early_close = api.clerk.post(f"clearance-cases/{case_id}/close")
    assert early_close.status_code == 409
    bad = api.finance.post(
        f"disbursement-orders/{order['id']}/reissue", {"bank_account": bad_card(5)}
    )
    assert bad.status_code == 422
    new = ok(
        api.finance.post(
            f"disbursement-orders/{order['id']}/reissue",
            {"bank_account": card(5), "bank_name": "ABC"},
        ),
        201,
    )
    assert new["reissue_of"] == order["id"] and new["amount"] == "3277.20"
    twice = api.finance.post(f"disbursement-orders/{order['id']}/reissue", {})
    assert twice.status_code == 409
    # Paid to other bank details: a second finance officer approves first.
    ok(api.finance2.post(f"disbursement-orders/{new['id']}/approve"))
    ok(api.finance.post(f"disbursement-orders/{new['id']}/paid", {"bank_reference": "B-9"}))
    body = ok(api.clerk.post(f"clearance-cases/{case_id}/close"))
    assert body["status"] == "closed"
    assert [o["status"] for o in body["disbursements"]] == ["failed", "paid"]
    assert JournalEntry.objects.filter(kind="disbursement").count() == 1


def test_a_changed_account_needs_a_new_liquidation(api, worker, world):
    case_id = approved_case(api, self_payee(worker.person))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    world.declare(worker.unit, "2025-04", [(worker.person, "8000.00")])
    world.pay_all(worker.unit, "APRIL-PAID")
    stale = api.finance.post(f"clearance-cases/{case_id}/disburse")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "statement_stale"
    body = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    # 3,840.00 and the interest: 18.16 for 2024, and for 2025 to October
    # (1,298.16 x 9 + 640.00 x (9 + 8 + 7 + 6)) x 0.0262 / 12 = 67.43.
    assert body["statement"]["version"] == 2 and body["statement"]["total"] == "3925.59"
    ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))


def test_statement_is_the_same_when_computed_again(api, worker):
    from shebao.clearance import domain, selectors

    case_id = approved_case(api, self_payee(worker.person))
    body = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    case = ClearanceCase.objects.get(pk=case_id)
    again = selectors.compute_statement(case, as_of=D(2025, 11, 14))
    assert domain.fingerprint(again) == body["statement"]["fingerprint"]


def test_an_empty_payee_object_counts_as_none(api, worker):
    body = ok(
        api.clerk.post("clearance-cases", death(worker.person, heirs=heirs("100"), payee={})),
        201,
    )
    assert [p["kind"] for p in body["payees"]] == ["heir"]
    assert body["payees"][0]["bank_account"].startswith("*")
    assert body["payees"][0]["citizen_id"].count("*") == 8


def test_a_disbursement_key_reused_on_another_case_is_refused(api, world):
    """Regression (finding 6): a key is bound to the request it first came with; on
    another case it is refused, and that case stays undisbursed."""
    first_worker = world.employ(world.unit(), serial=41)
    second_worker = world.employ(world.unit(), serial=42)
    first = approved_case(api, self_payee(first_worker))
    # Its own bank account: an account shared with the first case would wait for the
    # auditor's acknowledgement, which is not what this test is about.
    second_payee = {"name": second_worker.name, "bank_account": card(10), "bank_name": "CCB"}
    second = approved_case(api, self_payee(second_worker, payee=second_payee))
    for case_id in (first, second):
        ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    key = {"Idempotency-Key": "case-key"}
    ok(api.finance.post(f"clearance-cases/{first}/disburse", headers=key))
    reused = api.finance.post(f"clearance-cases/{second}/disburse", headers=key)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert ClearanceCase.objects.get(pk=second).status == "liquidated"
    # Another finance officer's key of the same name is theirs alone.
    ok(api.finance2.post(f"clearance-cases/{second}/disburse", headers=key))
    assert ClearanceCase.objects.get(pk=second).status == "disbursed"

"""Payments only through their controls: regressions of the security review's findings.

Each test replays a reproduction that worked before (one person moving money past the
agency's controls, or a payment file that a spreadsheet program executes) and checks that
it is refused with the contract's error body, and that nothing changed.
"""

import csv
import datetime
import io
import json

import pytest

from shebao.audit.models import AuditEvent
from shebao.clearance.models import DisbursementOrder, Statement
from shebao.core import clock
from tests.factories import card, insured_id

from .conftest import accept, ok, upload_required

D = datetime.date


def self_payee(person, *, account=None, name=None):
    return {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": "lost_nationality",
        "event_date": "2025-10-01",
        "acknowledged": True,
        "payee": {
            "name": person.name if name is None else name,
            "bank_account": account or card(9),
            "bank_name": "CCB",
        },
    }


def death(person, heirs):
    return {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": "death",
        "event_date": "2025-10-20",
        "heirs": heirs,
    }


def heir(n, share, account, name=None, bank="ICBC"):
    return {
        "name": name or f"Heir {n}",
        "citizen_id": insured_id(700 + n),
        "share_percent": share,
        "bank_account": account,
        "bank_name": bank,
    }


def accepted_case(api, payload):
    body = ok(api.clerk.post("clearance-cases", payload), 201)
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{body['id']}/submit"))
    ok(accept(api.clerk, body["id"]))
    return body["id"]


def approved_case(api, payload):
    case_id = accepted_case(api, payload)
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))
    return case_id


def acknowledge_all(body):
    return [w["id"] for w in body["warnings"]]


# Finding 3: a bank account changed after the audit -------------------------------------


def test_an_account_changed_after_liquidation_sends_the_case_back_to_audit(api, worker):
    """Regression: after the auditor approved, a clerk changed the payee's bank account and
    finance liquidated and paid the new account with no new audit."""
    person = worker.person
    case_id = approved_case(api, self_payee(person))
    first = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))["statement"]
    assert first["version"] == 1

    changed = ok(
        api.supervisor.post(
            f"clearance-cases/{case_id}/payees",
            {"payee": {"name": person.name, "bank_account": card(77), "bank_name": "ABC"}},
        )
    )
    # The approval is void: the case awaits a new audit, and says why on its timeline.
    assert changed["status"] == "accepted"
    event = changed["timeline"][-1]
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "payees_changed",
        "liquidated",
        "accepted",
    )
    assert event["data"]["audit_reopened"] is True
    assert event["data"]["voided_approval"]["by"] == "c-auditor"
    assert changed["statement"]["superseded_at"] is not None
    void = api.clerk.get(f"clearance-cases/{case_id}/statement.pdf")
    assert void.status_code == 409 and void.json()["error"]["code"] == "statement_superseded"
    trail = AuditEvent.objects.filter(action="clearance.payees_changed").last()
    assert trail.data["from"] == "liquidated" and trail.data["to"] == "accepted"

    # Finance can neither order the old statement nor compute a new one before the audit.
    for step in ("disburse", "liquidate"):
        refused = api.finance.post(f"clearance-cases/{case_id}/{step}")
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "new_audit_required"
    assert DisbursementOrder.objects.filter(case_id=case_id).count() == 0

    # The one who made the change may not approve it.
    own = api.supervisor.post(f"clearance-cases/{case_id}/approve", {})
    assert own.status_code == 403 and own.json()["error"]["code"] == "maker_checker"
    assert ok(api.clerk.get(f"clearance-cases/{case_id}"))["status"] == "accepted"

    ok(api.auditor2.post(f"clearance-cases/{case_id}/approve", {"reasons": "new card checked"}))
    body = ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    assert body["statement"]["version"] == 2 and body["statement"]["superseded_at"] is None
    body = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))
    [order] = body["disbursements"]
    assert order["bank_account"].endswith(card(77)[-4:]) and order["amount"] == "3277.20"
    # The first statement is kept, marked superseded.
    versions = Statement.objects.filter(case_id=case_id).order_by("version")
    assert [s.version for s in versions] == [1, 2]
    assert versions[0].superseded_at is not None and versions[1].superseded_at is None


def test_heirs_changed_after_approval_need_a_new_approval(api, worker):
    """Regression: a change of heirs or shares after the approval was paid out as changed."""
    person = worker.person
    case_id = approved_case(api, death(person, [heir(1, "50", card(81)), heir(2, "50", card(82))]))
    body = ok(
        api.clerk.post(
            f"clearance-cases/{case_id}/payees",
            {"heirs": [heir(1, "90", card(81)), heir(2, "10", card(82))]},
        )
    )
    assert body["status"] == "accepted"
    refused = api.finance.post(f"clearance-cases/{case_id}/liquidate")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "new_audit_required"
    assert Statement.objects.filter(case_id=case_id).count() == 0


def test_a_change_while_awaiting_audit_excludes_its_maker_from_deciding(api, worker):
    """Regression: the approver must not be the one who changed the payees after acceptance."""
    person = worker.person
    case_id = accepted_case(api, self_payee(person))
    ok(
        api.supervisor.post(
            f"clearance-cases/{case_id}/payees",
            {"payee": {"name": person.name, "bank_account": card(78), "bank_name": "ABC"}},
        )
    )
    refused = api.supervisor.post(f"clearance-cases/{case_id}/approve", {})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "maker_checker"
    assert ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))["status"] == "approved"


# Finding 4: a payment sent to the bank redirected by one person ------------------------


def test_an_exported_order_fails_only_with_the_bank_return_and_a_second_officer(api, worker):
    """Regression: finance marked an order of payment file 1 failed and reissued it to another
    account; the new order came out approved and went into payment file 2, all by one
    person."""
    person = worker.person
    case_id = approved_case(api, self_payee(person))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    [order] = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"]
    assert api.finance.post("payment-files").status_code == 200

    own = api.finance.post(
        f"disbursement-orders/{order['id']}/failed",
        {"reason": "account closed", "bank_return_reference": "RET-1"},
    )
    assert own.status_code == 403 and own.json()["error"]["code"] == "maker_checker"
    no_return = api.finance2.post(
        f"disbursement-orders/{order['id']}/failed", {"reason": "account closed"}
    )
    assert no_return.status_code == 422
    assert "bank_return_reference" in no_return.json()["error"]["fields"]
    assert DisbursementOrder.objects.get(pk=order["id"]).status == "exported"

    failed = ok(
        api.finance2.post(
            f"disbursement-orders/{order['id']}/failed",
            {"reason": "account closed", "bank_return_reference": "RET-2025-0042"},
        )
    )
    assert failed["status"] == "failed"
    assert failed["bank_return_reference"] == "RET-2025-0042"
    assert failed["failed_by"] == "c-finance2"

    # Reissued to another account: it waits for a second approver before any payment file.
    new = ok(
        api.finance.post(
            f"disbursement-orders/{order['id']}/reissue",
            {"bank_account": card(79), "bank_name": "ABC"},
        ),
        201,
    )
    assert new["status"] == "awaiting_approval" and new["needs_second_approval"] is True
    nothing = api.finance.post("payment-files")
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "nothing_to_send"
    same = api.finance.post(f"disbursement-orders/{new['id']}/approve")
    assert same.status_code == 403 and same.json()["error"]["code"] == "maker_checker"
    ok(api.finance2.post(f"disbursement-orders/{new['id']}/approve"))
    second_file = api.finance.post("payment-files")
    assert second_file.status_code == 200
    assert card(79) in second_file.content.decode("utf-8-sig")


def test_a_reissue_to_the_same_account_below_the_threshold_needs_no_second_approval(api, worker):
    person = worker.person
    case_id = approved_case(api, self_payee(person))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    [order] = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"]
    # Not sent to the bank yet: no bank return to quote.
    ok(api.finance.post(f"disbursement-orders/{order['id']}/failed", {"reason": "held"}))
    new = ok(api.finance.post(f"disbursement-orders/{order['id']}/reissue", {}), 201)
    assert new["status"] == "approved" and new["needs_second_approval"] is False


# Finding 5: the second-approval threshold split among heirs ----------------------------


def test_the_threshold_applies_to_the_case_total_and_shared_accounts_are_flagged(
    api, worker, world
):
    """Regression: a death case of 121,426.99 with three heirs sharing one bank account gave
    three orders just over 40,000, each approved by one officer."""
    person = worker.person
    # With 3,200.00 declared and the Beijing survivors' benefits of 29,366.00 from the
    # pooled fund (funeral grant 5,000.00 and survivors' pension 24,366.00): 121,426.99.
    world.transfer_in(person, "88860.99")
    shared = card(31)
    heirs = [heir(1, "33.34", shared), heir(2, "33.33", shared), heir(3, "33.33", shared)]
    case_id = accepted_case(api, death(person, heirs))

    body = ok(api.auditor.get(f"clearance-cases/{case_id}"))
    [warning] = body["warnings"]
    assert warning["code"] == "shared_bank_account"
    assert "Heir 1" in warning["message"] and "Heir 3" in warning["message"]
    assert shared not in warning["message"]  # the account is masked

    unacknowledged = api.auditor.post(f"clearance-cases/{case_id}/approve", {})
    assert unacknowledged.status_code == 409
    error = unacknowledged.json()["error"]
    assert error["code"] == "warnings_not_acknowledged"
    assert warning["id"] in error["fields"]["acknowledge_warnings"]
    no_reasons = api.auditor.post(
        f"clearance-cases/{case_id}/approve", {"acknowledge_warnings": acknowledge_all(body)}
    )
    assert no_reasons.status_code == 422 and "reasons" in no_reasons.json()["error"]["fields"]
    assert ok(api.clerk.get(f"clearance-cases/{case_id}"))["status"] == "accepted"

    approved = ok(
        api.auditor.post(
            f"clearance-cases/{case_id}/approve",
            {
                "reasons": "the heirs are minors; the account is their guardian's",
                "acknowledge_warnings": acknowledge_all(body),
            },
        )
    )
    assert approved["timeline"][-1]["data"]["acknowledged_warnings"][0]["id"] == warning["id"]
    assert ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))["statement"]["total"] == (
        "121504.19"  # with the interest before payout, 77.20
    )
    orders = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"]
    assert len(orders) == 3
    assert all(float(o["amount"]) < 50000 for o in orders)
    assert all(o["status"] == "awaiting_approval" and o["needs_second_approval"] for o in orders)
    assert api.finance.post("payment-files").status_code == 409


def test_an_account_shared_with_another_recent_case_is_flagged(api, api_as, worker, world, staff):
    """Regression: an account paid in one case reappeared as a payee's account in another
    case and nobody was told."""
    from shebao.registry import services as registry

    other = world.employ(worker.unit, serial=12)
    shared = card(40)
    first = ok(api.clerk.post("clearance-cases", self_payee(worker.person, account=shared)), 201)
    second_id = accepted_case(api, death(other, [heir(1, "100", shared)]))

    body = ok(api.auditor.get(f"clearance-cases/{second_id}"))
    [warning] = body["warnings"]
    assert warning["code"] == "bank_account_in_other_case"
    assert f"case {first['id']}" in warning["message"]
    zh = api_as("auditor", user=staff.auditor2, language="zh-hans")
    [chinese] = ok(zh.get(f"clearance-cases/{second_id}"))["warnings"]
    assert f"第{first['id']}号" in chinese["message"] and "银行账户" in chinese["message"]
    # The applicant does not learn about other cases.
    person_user = api_as("person")
    registry.person_link_user(actor=staff.clerk, person_id=worker.person.pk, user=person_user.user)
    assert "warnings" not in ok(person_user.get(f"clearance-cases/{first['id']}"))

    # Beyond the pack's look-back window (365 days) the other case no longer counts.
    with clock.frozen(D(2026, 11, 20)):
        later = api_as("auditor", user=staff.auditor)  # a fresh login a year later
        assert ok(later.get(f"clearance-cases/{second_id}"))["warnings"] == []
    refused = api.auditor.post(f"clearance-cases/{second_id}/approve", {})
    assert refused.status_code == 409


# Finding 16: formulas in the bank payment file; a self payee's name --------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Li Na", "Li Na"),
        ("3200.00", "3200.00"),
        (12, "12"),
        ("", ""),
    ],
)
def test_spreadsheet_cells_are_neutralised(value, cell):
    from shebao.core.spreadsheet import safe_cell

    assert safe_cell(value) == cell


def test_the_payment_file_carries_no_formula(api, worker):
    """Regression: the bank payment CSV carried payee names such as ``=HYPERLINK(...)`` and bank
    names such as ``@SUM(...)`` as they were typed."""
    heirs = [
        heir(1, "50", card(51), name='=HYPERLINK("http://evil.example","Pay")', bank="@SUM(1+1)"),
        heir(2, "50", card(52), name="-2+3", bank="+cmd|' /C calc'!A0"),
    ]
    case_id = approved_case(api, death(worker.person, heirs))
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))
    response = api.finance.post("payment-files")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    names = {row[2]: row[3] for row in rows[1:]}
    assert names == {
        '\'=HYPERLINK("http://evil.example","Pay")': "'@SUM(1+1)",
        "'-2+3": "'+cmd|' /C calc'!A0",
    }


def test_a_self_payee_is_paid_only_in_the_persons_own_name(api, worker):
    """Regression: a ``self`` payee (the insured person) could be given any name."""
    person = worker.person
    refused = api.clerk.post("clearance-cases", self_payee(person, name="Somebody Else"))
    assert refused.status_code == 422
    assert "payee.name" in refused.json()["error"]["fields"]
    # The same name spaced or cased differently is the person's own.
    case_id = ok(
        api.clerk.post("clearance-cases", self_payee(person, name=f"  {person.name.upper()} ")),
        201,
    )["id"]
    change = api.clerk.post(
        f"clearance-cases/{case_id}/payees",
        {"payee": {"name": "Somebody Else", "bank_account": card(3), "bank_name": "ABC"}},
    )
    assert change.status_code == 422 and "payee.name" in change.json()["error"]["fields"]
    case_id = approved_case_from(api, case_id)
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    [order] = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"]
    ok(api.finance.post(f"disbursement-orders/{order['id']}/failed", {"reason": "held"}))
    renamed = api.finance.post(
        f"disbursement-orders/{order['id']}/reissue", {"payee_name": "Somebody Else"}
    )
    assert renamed.status_code == 422 and "payee_name" in renamed.json()["error"]["fields"]
    assert DisbursementOrder.objects.filter(case_id=case_id).count() == 1


def approved_case_from(api, case_id):
    body = ok(api.clerk.get(f"clearance-cases/{case_id}"))
    upload_required(api.clerk, body)
    ok(api.clerk.post(f"clearance-cases/{case_id}/submit"))
    ok(accept(api.clerk, case_id))
    ok(api.auditor.post(f"clearance-cases/{case_id}/approve", {}))
    return case_id


def test_the_command_line_goes_through_the_same_controls(api, worker):
    """The ``shebao clearance`` command acknowledges warnings and quotes bank returns as the
    API does."""
    from django.core.management import CommandError, call_command

    def run(*args):
        out = io.StringIO()
        call_command("clearance", *args, stdout=out)
        return json.loads(out.getvalue())

    shared = card(61)
    case_id = accepted_case(
        api, death(worker.person, [heir(1, "50", shared), heir(2, "50", shared)])
    )
    [warning] = run("show", "--as", "c-auditor", str(case_id))["warnings"]
    with pytest.raises(CommandError, match="warnings_not_acknowledged"):
        run("approve", "--as", "c-auditor", str(case_id))
    approved = run(
        "approve", "--as", "c-auditor", str(case_id),
        "--acknowledge-warning", warning["id"], "--reasons", "one family account",
    )  # fmt: skip
    assert approved["status"] == "approved"
    ok(api.finance.post(f"clearance-cases/{case_id}/liquidate"))
    orders = ok(api.finance.post(f"clearance-cases/{case_id}/disburse"))["disbursements"]
    assert api.finance.post("payment-files").status_code == 200
    order_id = str(orders[0]["id"])
    with pytest.raises(CommandError, match="bank_return_reference"):
        run("order-failed", "--as", "c-finance2", order_id, "--reason", "closed")
    failed = run(
        "order-failed", "--as", "c-finance2", order_id,
        "--reason", "closed", "--bank-return-reference", "RET-9",
    )  # fmt: skip
    assert failed["status"] == "failed" and failed["bank_return_reference"] == "RET-9"

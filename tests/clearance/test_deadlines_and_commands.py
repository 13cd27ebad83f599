"""Time limits on the case (rules.md section 2), the overdue list for supervisors, the
``shebao deadlines`` command and task, and the whole flow through ``shebao clearance``."""

import datetime
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from shebao.audit.models import AuditEvent
from shebao.clearance import services
from shebao.clearance.tasks import deadline_scan
from shebao.core import clock
from tests.factories import card, insured_id

from .conftest import PDF, accept, ok, upload_required

D = datetime.date


def death_case(api, person, died="2025-09-01"):
    return ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": person.pk,
                "reason": "death",
                "event_date": died,
                "heirs": [
                    {
                        "name": "Heir",
                        "citizen_id": insured_id(701),
                        "share_percent": "100",
                        "bank_account": card(70),
                        "bank_name": "ICBC",
                    }
                ],
            },
        ),
        201,
    )


def receiving_benefits(person):
    """HR2023 Art. 25's death notification binds for persons receiving benefits only."""
    from shebao.registry import services as registry

    registry.person_facts_record(actor=None, person_id=person.pk, benefits_since="2020-01-01")


def test_a_late_death_notification_is_listed_as_overdue(api, worker):
    receiving_benefits(worker.person)
    body = death_case(api, worker.person)
    # Died on Monday 2025-09-01: the 20th working day after is Sunday 2025-09-28, an
    # officially adjusted working day.
    notification = next(d for d in body["deadlines"] if d["code"] == "death_notification")
    assert notification["due_on"] == "2025-09-28"
    assert notification["status"] == "overdue" and notification["days_left"] == -47
    handling = next(d for d in body["deadlines"] if d["code"] == "cancellation_handling")
    assert handling["status"] == "not_started" and handling["due_on"] is None

    listed = ok(api.supervisor.get("clearance-cases", {"overdue": "true"}))
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    assert listed["items"][0]["overdue"] == ["death_notification"]
    rows = ok(api.supervisor.get("clearance-deadlines"))["items"]
    assert [(r["case_id"], r["code"], r["days_left"]) for r in rows] == [
        (body["id"], "death_notification", -47)
    ]

    upload_required(api.clerk, body)
    submitted = ok(api.clerk.post(f"clearance-cases/{body['id']}/submit"))
    notification = next(d for d in submitted["deadlines"] if d["code"] == "death_notification")
    assert notification["status"] == "late" and notification["done_on"] == "2025-11-14"
    assert ok(api.supervisor.get("clearance-cases", {"overdue": "true"}))["count"] == 0


def test_handling_runs_ten_working_days_from_acceptance(api, worker):
    with clock.frozen(D(2025, 9, 26)):
        body = ok(
            api.clerk.post(
                "clearance-cases",
                {
                    "subject_type": "person",
                    "subject_id": worker.person.pk,
                    "reason": "lost_nationality",
                    "event_date": "2025-09-20",
                    "acknowledged": True,
                    "payee": {
                        "name": worker.person.name,
                        "bank_account": card(71),
                        "bank_name": "CCB",
                    },
                },
            ),
            201,
        )
        upload_required(api.clerk, body)
        ok(api.clerk.post(f"clearance-cases/{body['id']}/submit"))
        accepted = ok(accept(api.clerk, body["id"]))
    handling = next(d for d in accepted["deadlines"] if d["code"] == "cancellation_handling")
    assert handling["start"] == "2025-09-26" and handling["due_on"] == "2025-10-16"
    # Seen on 2025-11-14, the agency is 29 days late.
    detail = ok(api.supervisor.get(f"clearance-cases/{body['id']}"))
    handling = next(d for d in detail["deadlines"] if d["code"] == "cancellation_handling")
    assert handling["status"] == "overdue" and handling["days_left"] == -29


def test_deadlines_command_and_task(api, worker):
    receiving_benefits(worker.person)
    body = death_case(api, worker.person)
    out = io.StringIO()
    call_command("deadlines", stdout=out)
    text = out.getvalue()
    assert "death_notification" in text and "47 days overdue" in text
    out = io.StringIO()
    call_command("deadlines", "--json", "--as-of", "2025-09-28", stdout=out)
    assert json.loads(out.getvalue())["items"] == []

    result = deadline_scan.call(as_of="2025-11-14")
    assert result == {"as_of": "2025-11-14", "overdue": 1, "cases": [body["id"]]}
    event = AuditEvent.objects.filter(action="clearance.deadlines_scanned").last()
    assert event.data["count"] == 1
    with pytest.raises(CommandError):
        call_command("deadlines", "--as-of", "2025-13-01")


def run(*args):
    out = io.StringIO()
    call_command("clearance", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_whole_flow_from_the_command_line(staff, worker, tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    body = run(
        "create", "--as", "c-clerk", "--subject", "person", "--id", str(worker.person.pk),
        "--reason", "death", "--event-date", "2025-10-20",
        "--heir", f"Li Na,{insured_id(801)},50,{card(80)},ICBC",
        "--heir", f"Li Lei,{insured_id(802)},50,{card(81)},BOC",
    )  # fmt: skip
    case_id = str(body["id"])
    for item in body["materials_required"]:
        if item["required"] and item["checked_by_agency"]:
            run("verify-material", "--as", "c-clerk", case_id, "--kind", item["code"],
                "--note", "checked in the agency's records")  # fmt: skip
        elif item["required"]:
            run("material", "--as", "c-clerk", case_id, "--kind", item["code"], str(scan))
    run("submit", "--as", "c-clerk", case_id)
    # The person's employment is still open: the clerk acknowledges the warning by id.
    with pytest.raises(CommandError, match="warnings_not_acknowledged") as caught:
        run("accept", "--as", "c-clerk", case_id)
    warning_id = re.search(r"acknowledge_warnings: (open_employment-\w+)", str(caught.value))[1]
    accepted = run("accept", "--as", "c-clerk", case_id, "--acknowledge-warning", warning_id)
    assert accepted["status"] == "accepted"
    with pytest.raises(CommandError, match="forbidden.*Auditor, Supervisor"):
        run("approve", "--as", "c-clerk", case_id)
    run("approve", "--as", "c-auditor", case_id)
    run("liquidate", "--as", "c-finance", case_id)
    body = run("disburse", "--as", "c-finance", case_id, "--idempotency-key", "cli-1")
    # Each heir: half of 3,200.00 plus the interest credited before payout (18.16 for
    # 2024, 59.04 for 2025 to October), 3,277.20, and half of the survivors' benefits of
    # 29,366.00: 32,643.20 in all.
    assert sorted(o["amount"] for o in body["disbursements"]) == ["16321.60", "16321.60"]
    payments = tmp_path / "payments.csv"
    sent = run("payment-file", "--as", "c-finance", "--output", str(payments))
    assert sent["orders"] == 2 and sent["total"] == "32643.20"
    assert card(80) in payments.read_text(encoding="utf-8-sig")
    for order in body["disbursements"]:
        run("order-paid", "--as", "c-finance", str(order["id"]), "--reference", f"R{order['id']}")
    closed = run("close", "--as", "c-clerk", case_id)
    assert closed["status"] == "closed"
    pdf = tmp_path / "cert.pdf"
    written = run("certificate-pdf", "--as", "c-clerk", case_id, "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert written["verify_url"].endswith(closed["certificate"]["verification_code"])
    listed = run("list", "--as", "c-supervisor")
    assert [c["status"] for c in listed] == ["closed"]


def test_the_command_refuses_unknown_users_and_reports_errors(staff, worker):
    with pytest.raises(CommandError, match="no active user"):
        run("show", "--as", "nobody", "1")
    with pytest.raises(CommandError, match="not_found"):
        run("show", "--as", "c-clerk", "999")
    case = services.case_create(
        actor=staff.clerk,
        subject_type="person",
        subject_id=worker.person.pk,
        reason="lost_nationality",
        event_date=D(2025, 10, 1),
        payee={"name": worker.person.name, "bank_account": card(72), "bank_name": "CCB"},
    )
    with pytest.raises(CommandError, match="materials_missing.*alternatives_acknowledgement"):
        run("submit", "--as", "c-clerk", str(case.pk))

"""The desk's case pages through the test client: the list and its filters, opening a case,
a case's page, each action by the role that may take it (and a refusal), the audited
"show full ID", the materials shown only to staff, both languages without raw codes."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from shebao.accounts.domain import refusal_message
from shebao.audit.models import AuditEvent
from shebao.clearance import selectors
from shebao.clearance import services as clearance
from shebao.clearance.models import ClearanceCase, DisbursementOrder
from tests.factories import World, card, insured_id
from tests.web.desk_cases_data import (
    PASSWORD,
    PDF,
    PNG,
    advance,
    complete_materials,
    insured_worker,
    lost_nationality_case,
    make_staff,
)

pytestmark = pytest.mark.django_db

# Codes that must never show on a page as text (they may appear in URLs and form values).
CODES = [
    "draft",
    "submitted",
    "returned",
    "accepted",
    "approved",
    "liquidated",
    "disbursed",
    "closed",
    "lost_nationality",
    "lump_sum_on_application",
    "alternatives_acknowledgement",
    "identity_document",
    "material_added",
    "awaiting_approval",
    "self",
    "create",
    "submit",
    "accept",
    "approve",
    "liquidate",
    "disburse",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(make_user):
    return make_staff(make_user)


@pytest.fixture
def worker(staff):
    return insured_worker(staff.clerk)


@pytest.fixture
def case(staff, worker):
    return lost_nationality_case(staff.clerk, worker.person)


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def visible_text(response) -> str:
    """The page's text as people read it: no tags, no attribute values, no scripts."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def assert_no_codes(response):
    text = visible_text(response)
    found = [code for code in CODES if re.search(rf"(?<![\w-]){code}(?![\w-])", text)]
    assert not found, found


# The list ------------------------------------------------------------------------------


def test_the_list_shows_each_case_by_name_with_its_time_limit(staff, worker, case):
    response = client_for(staff.auditor).get("/desk/cases/")
    assert response.status_code == 200
    text = visible_text(response)
    assert worker.person.name in text
    assert "Loss of PRC nationality" in text and "Draft" in text
    assert worker.person.citizen_id not in text  # masked
    assert insured_id(11)[:3] in text
    assert f"/desk/cases/{case.pk}/" in response.content.decode()


def test_the_list_filters_by_status_reason_subject_overdue_and_search(staff, worker, case):
    client = client_for(staff.clerk)
    name = worker.person.name

    def shows(query):
        return name in visible_text(client.get("/desk/cases/", query))

    assert shows({"status": "draft"}) and not shows({"status": "submitted"})
    assert shows({"reason": "lost_nationality"}) and not shows({"reason": "death"})
    assert shows({"subject_type": "person"}) and not shows({"subject_type": "unit"})
    assert shows({"q": name[:1]}) and shows({"q": worker.person.citizen_id})
    assert not shows({"q": worker.person.citizen_id[:10]})  # no search by fragments
    assert not shows({"overdue": "on"})
    assert shows({"sort": "due"}) and shows({"sort": "status"})


def test_the_list_answers_htmx_with_the_results_only(staff, case):
    response = client_for(staff.clerk).get("/desk/cases/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"table" in response.content


def test_the_list_is_for_staff_only(make_user, case):
    make_user("someone", "person")
    client = Client()
    client.post("/login", {"username": "someone", "password": PASSWORD})
    assert client.get("/desk/cases/").status_code == 403
    assert Client().get("/desk/cases/").status_code == 302


# Opening a case ------------------------------------------------------------------------


def test_choosing_a_reason_shows_its_conditions_disposition_and_materials(staff):
    client = client_for(staff.clerk)
    partial = client.get(
        "/desk/cases/reason", {"reason": "lost_nationality"}, HTTP_HX_REQUEST="true"
    )
    text = visible_text(partial)
    assert "Lump sum to the person on written application" in text
    assert "MOHRSS Order 13 (2011), Art. 6" in text
    assert "Signed acknowledgement of the explained alternatives" in text
    # Without JavaScript: the form reloads with the same panel.
    page = client.post("/desk/cases/new", {"reason": "death", "show_reason": "1"})
    assert page.status_code == 200
    assert "Death certificate" in visible_text(page)
    assert not ClearanceCase.objects.exists()


def test_a_clerk_opens_a_lost_nationality_case(staff, worker):
    client = client_for(staff.clerk)
    assert client.get("/desk/cases/new").status_code == 200
    response = client.post(
        "/desk/cases/new",
        {
            "reason": "lost_nationality",
            "identifier": worker.person.citizen_id,
            "event_date": "2025-10-01",
            "payee_name": worker.person.name,
            "payee_bank_account": card(9),
            "payee_bank_name": "CCB",
            "acknowledged": "on",
        },
    )
    case = ClearanceCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/cases/{case.pk}/"
    assert case.reason == "lost_nationality" and case.acknowledged_at is not None
    assert case.person_id == worker.person.pk


def test_the_service_refusal_shows_on_the_form(staff, worker):
    client = client_for(staff.clerk)
    response = client.post(
        "/desk/cases/new",
        {
            "reason": "lost_nationality",
            "identifier": worker.person.citizen_id,
            "event_date": "2025-10-01",
            "payee_name": "Somebody Else",
            "payee_bank_account": card(9),
            "payee_bank_name": "CCB",
        },
    )
    assert response.status_code == 200
    assert "must be the insured person&#x27;s own name" in response.content.decode()
    assert not ClearanceCase.objects.exists()
    unknown = client.post(
        "/desk/cases/new",
        {"reason": "death", "identifier": insured_id(99), "event_date": "2025-10-01"},
    )
    assert "No person has this ID or passport number." in visible_text(unknown)


def test_an_auditor_may_not_open_a_case(staff):
    assert client_for(staff.auditor).get("/desk/cases/new").status_code == 403


# The case page -------------------------------------------------------------------------


def test_the_case_page_shows_subject_reason_materials_limits_and_timeline(staff, case):
    response = client_for(staff.clerk).get(f"/desk/cases/{case.pk}/")
    assert response.status_code == 200
    text = visible_text(response)
    for expected in (
        "Loss of PRC nationality",
        "Lump sum to the person on written application",
        "MOHRSS Order 13 (2011), Art. 6",
        "Foreign passport or proof of nationality",
        "Handle the cancellation",
        "Case opened",
        "The insured person",
        "Upload a material",
    ):
        assert expected in text, expected
    assert case.person.citizen_id not in text
    assert "Show full ID" in text


def test_actions_shown_follow_the_role_and_the_state(staff, case):
    complete_materials(staff.clerk, case)
    clerk_page = visible_text(client_for(staff.clerk).get(f"/desk/cases/{case.pk}/"))
    auditor_page = visible_text(client_for(staff.auditor).get(f"/desk/cases/{case.pk}/"))
    assert "Confirm the submission" in clerk_page
    assert "Confirm the submission" not in auditor_page and "Upload a material" not in auditor_page
    advance(staff, case, until="accepted")
    clerk_page = visible_text(client_for(staff.clerk).get(f"/desk/cases/{case.pk}/"))
    auditor_page = visible_text(client_for(staff.auditor).get(f"/desk/cases/{case.pk}/"))
    assert "Confirm the approval" in auditor_page and "Confirm the rejection" in auditor_page
    assert "Confirm the approval" not in clerk_page


def test_upload_then_submit_accept_approve_liquidate_disburse_close(staff, case):
    clerk = client_for(staff.clerk)
    for item in selectors.materials_required(case):
        if item["checked_by_agency"]:
            response = clerk.post(
                f"/desk/cases/{case.pk}/do/verify",
                {"kind": item["code"], "note": "seen in our records"},
            )
        else:
            response = clerk.post(
                f"/desk/cases/{case.pk}/materials",
                {"kind": item["code"], "file": SimpleUploadedFile("scan.pdf", PDF)},
            )
        assert response.status_code == 302, visible_text(response)
    assert clerk.post(f"/desk/cases/{case.pk}/do/submit").status_code == 302
    warnings = [w.id for w in selectors.acceptance_warnings(case)]
    response = clerk.post(f"/desk/cases/{case.pk}/do/accept", {"acknowledge_warnings": warnings})
    assert response.status_code == 302
    auditor = client_for(staff.auditor)
    assert auditor.post(f"/desk/cases/{case.pk}/do/approve", {"reasons": "ok"}).status_code == 302
    finance = client_for(staff.finance)
    assert finance.post(f"/desk/cases/{case.pk}/do/liquidate").status_code == 302
    page = finance.get(f"/desk/cases/{case.pk}/")
    assert "Individual account balance" in visible_text(page) or "3,200.00" in visible_text(page)
    assert finance.get(f"/desk/cases/{case.pk}/statement.pdf")["Content-Type"] == "application/pdf"
    response = finance.post(f"/desk/cases/{case.pk}/do/disburse", {"key": "k-1"})
    assert response.status_code == 302
    orders = list(DisbursementOrder.objects.filter(case=case))
    assert orders
    assert "Disbursement orders" in visible_text(finance.get(f"/desk/cases/{case.pk}/"))
    for order in orders:
        if order.status == "awaiting_approval":
            clearance.order_approve(actor=staff.finance2, order_id=order.pk)
        clearance.order_mark_paid(actor=staff.finance, order_id=order.pk, bank_reference="B-1")
    assert clerk.post(f"/desk/cases/{case.pk}/do/close").status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.certificate is not None
    certificate = clerk.get(f"/desk/cases/{case.pk}/certificate.pdf")
    assert certificate.status_code == 200 and certificate["Content-Type"] == "application/pdf"
    timeline = visible_text(clerk.get(f"/desk/cases/{case.pk}/"))
    for step in ("Submitted", "Accepted", "Audit approved", "Payments ordered", "Payment made"):
        assert step in timeline


def test_a_refusal_shows_the_services_message(staff, case):
    clerk = client_for(staff.clerk)
    response = clerk.post(f"/desk/cases/{case.pk}/do/submit")
    assert response.status_code == 409
    assert "Required materials are missing:" in visible_text(response)
    assert "identity_document" not in visible_text(response)
    case.refresh_from_db()
    assert case.status == "draft"


def test_return_for_completion_lists_the_materials(staff, case):
    advance(staff, case, until="submitted")
    clerk = client_for(staff.clerk)
    response = clerk.post(
        f"/desk/cases/{case.pk}/do/return",
        {"reasons": "the scan is unreadable", "supplement": ["identity_document"]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "returned" and case.to_supplement == ["identity_document"]
    assert "to supplement" in visible_text(clerk.get(f"/desk/cases/{case.pk}/"))


def test_reject_needs_reasons_then_rejects(staff, case):
    advance(staff, case, until="accepted")
    auditor = client_for(staff.auditor)
    refused = auditor.post(f"/desk/cases/{case.pk}/do/reject", {"reasons": ""})
    assert refused.status_code == 409
    assert auditor.post(f"/desk/cases/{case.pk}/do/reject", {"reasons": "no"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "rejected"


def test_an_action_outside_the_role_is_refused_with_the_services_words(staff, case):
    advance(staff, case, until="accepted")
    # A clerk may not approve (the role); the page answers 409 with the service's words.
    response = client_for(staff.clerk).post(f"/desk/cases/{case.pk}/do/approve")
    assert response.status_code == 409
    with translation.override("en"):
        message = str(refusal_message("clerk", "clearance.approve", name_allowed=True))
    assert message in response.content.decode().replace("&#x27;", "'")
    case.refresh_from_db()
    assert case.status == "accepted"


def test_an_unknown_action_is_not_found(staff, case):
    assert client_for(staff.clerk).post(f"/desk/cases/{case.pk}/do/explode").status_code == 404
    assert client_for(staff.clerk).get(f"/desk/cases/{case.pk}/do/submit").status_code == 405


def test_the_acknowledgement_can_be_recorded_on_the_page(staff, worker):
    case = clearance.case_create(
        actor=staff.clerk,
        subject_type="person",
        subject_id=worker.person.pk,
        reason="lost_nationality",
        event_date="2025-10-01",
        payee={"name": worker.person.name, "bank_account": card(9), "bank_name": "CCB"},
    )
    clerk = client_for(staff.clerk)
    assert "Record the acknowledgement" in visible_text(clerk.get(f"/desk/cases/{case.pk}/"))
    assert clerk.post(f"/desk/cases/{case.pk}/do/acknowledge").status_code == 302
    case.refresh_from_db()
    assert case.acknowledged_at is not None


def test_show_full_id_is_audited(staff, case):
    client = client_for(staff.auditor)
    before = AuditEvent.objects.count()
    response = client.post(f"/desk/cases/{case.pk}/reveal")
    assert response.status_code == 200
    assert case.person.citizen_id in visible_text(response)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "person.id_revealed"
    assert client.get(f"/desk/cases/{case.pk}/reveal").status_code == 405


def test_materials_are_shown_inline_to_staff_only(staff, case, make_user):
    png = clearance.material_add(
        actor=staff.clerk, case_id=case.pk, kind="identity_document", file_name="id.png", data=PNG
    )
    pdf = clearance.material_add(
        actor=staff.clerk, case_id=case.pk, kind="social_security_card", file_name="c.pdf", data=PDF
    )
    client = client_for(staff.auditor)
    page = client.get(f"/desk/cases/{case.pk}/materials/{png.pk}/")
    assert page.status_code == 200 and b"<img" in page.content
    page = client.get(f"/desk/cases/{case.pk}/materials/{pdf.pk}/")
    assert b"<iframe" in page.content
    before = AuditEvent.objects.filter(action="clearance.material_viewed").count()
    response = client.get(f"/desk/cases/{case.pk}/materials/{pdf.pk}/file")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == PDF
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert AuditEvent.objects.filter(action="clearance.material_viewed").count() == before + 1
    assert client.get(f"/desk/cases/{case.pk}/materials/99999/file").status_code == 404
    # The person themself (public login) may not use the desk's viewer.
    make_user("citizen", "person")
    public = Client()
    public.post("/login", {"username": "citizen", "password": PASSWORD})
    assert public.get(f"/desk/cases/{case.pk}/materials/{pdf.pk}/file").status_code == 403
    assert Client().get(f"/desk/cases/{case.pk}/materials/{pdf.pk}/file").status_code == 302


# Languages -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_renders_in_both_languages(staff, case, language):
    advance(staff, case, until="liquidated")
    client = client_for(staff.finance, language)
    for path in ("/desk/cases/", f"/desk/cases/{case.pk}/"):
        assert client.get(path).status_code == 200
    clerk = client_for(staff.clerk, language)
    assert clerk.get("/desk/cases/new").status_code == 200
    material = case.materials.first()
    assert clerk.get(f"/desk/cases/{case.pk}/materials/{material.pk}/").status_code == 200


def test_the_chinese_pages_show_no_code(staff, case):
    advance(staff, case, until="liquidated")
    for user in (staff.clerk, staff.finance):
        client = client_for(user, "zh-hans")
        for path in ("/desk/cases/", f"/desk/cases/{case.pk}/", "/desk/cases/new"):
            response = client.get(path)
            assert_no_codes(response)
    page = visible_text(client_for(staff.finance, "zh-hans").get(f"/desk/cases/{case.pk}/"))
    assert "丧失中华人民共和国国籍" in page or "国籍" in page
    assert "清算结算单" in page and "办理记录" in page
    assert "Liquidation statement" not in page and "Timeline" not in page
    reason = client_for(staff.clerk, "zh-hans").get(
        "/desk/cases/reason", {"reason": "lost_nationality"}
    )
    assert_no_codes(reason)


# A unit's case, a preset subject, the payees -----------------------------------------


def test_a_bankrupt_units_case_is_opened_by_credit_code_and_moves_by_the_rulings(staff):
    world = World(staff.clerk)
    unit = world.unit(established=datetime.date(2024, 1, 2), name="Bankrupt Co")
    person = world.employ(unit, serial=71, started=datetime.date(2025, 1, 2), wage="10000.00")
    world.declare(unit, "2025-09", [(person, "10000.00")])
    world.end(person, unit, datetime.date(2025, 10, 31), reason="unit_terminated")
    clerk = client_for(staff.clerk)
    response = clerk.post(
        "/desk/cases/new",
        {"reason": "bankrupt", "identifier": unit.uscc.lower(), "event_date": "2025-10-31"},
    )
    assert response.status_code == 302, visible_text(response)
    case = ClearanceCase.objects.get(unit=unit)
    advance(staff, case, until="approved")
    finance = client_for(staff.finance)
    page = visible_text(finance.get(f"/desk/cases/{case.pk}/"))
    assert "File the claim in the bankruptcy" in page and "Compute and freeze" not in page
    refused = finance.post(
        f"/desk/cases/{case.pk}/do/bankruptcy-claim", {"petition_accepted_on": "2030-01-01"}
    )
    assert refused.status_code == 409
    assert "is in the future" in visible_text(refused)
    assert 'value="2030-01-01"' in refused.content.decode()
    ok = finance.post(
        f"/desk/cases/{case.pk}/do/bankruptcy-claim", {"petition_accepted_on": "2025-10-20"}
    )
    assert ok.status_code == 302
    response = finance.post(
        f"/desk/cases/{case.pk}/do/bankruptcy-distribution",
        {
            "received_amount": "1000.00",
            "ruling_no": "(2025)京01破12号之三",
            "ruling_on": "2025-11-10",
        },
    )
    assert response.status_code == 302
    response = clerk.post(
        f"/desk/cases/{case.pk}/do/termination-ruling",
        {"ruling_no": "(2025)京01破12号之五", "ruling_on": "2025-11-12"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.certificate is not None
    timeline = visible_text(clerk.get(f"/desk/cases/{case.pk}/"))
    assert "Claim filed in the bankruptcy" in timeline
    assert "Court's distribution recorded" in timeline.replace("&#x27;", "'")


def test_a_case_opened_from_a_persons_page_keeps_the_number_masked(staff, worker):
    clerk = client_for(staff.clerk)
    page = clerk.get("/desk/cases/new", {"person": worker.person.pk})
    assert worker.person.citizen_id not in page.content.decode()
    assert worker.person.name in visible_text(page)
    wrong = clerk.post(
        "/desk/cases/new",
        {
            "reason": "deregistered",
            "subject": f"person:{worker.person.pk}",
            "event_date": "2025-10-01",
        },
    )
    assert "This reason is for a unit." in visible_text(wrong)
    response = clerk.post(
        "/desk/cases/new",
        {
            "reason": "lost_nationality",
            "subject": f"person:{worker.person.pk}",
            "event_date": "2025-10-01",
            "payee_name": worker.person.name,
            "payee_bank_account": card(9),
            "payee_bank_name": "CCB",
            "acknowledged": "on",
        },
    )
    assert response.status_code == 302
    assert ClearanceCase.objects.get().person_id == worker.person.pk


def test_the_payees_are_corrected_on_the_case_page(staff, case):
    clerk = client_for(staff.clerk)
    refused = clerk.post(
        f"/desk/cases/{case.pk}/payees",
        {"payee_name": case.person.name, "payee_bank_account": "123", "payee_bank_name": "BOC"},
    )
    assert refused.status_code == 422
    response = clerk.post(
        f"/desk/cases/{case.pk}/payees",
        {"payee_name": case.person.name, "payee_bank_account": card(12), "payee_bank_name": "BOC"},
    )
    assert response.status_code == 302
    assert selectors.current_payees(case)[0].bank_name == "BOC"
    assert "Payees changed" in visible_text(clerk.get(f"/desk/cases/{case.pk}/"))
    assert "Correct the payees" not in visible_text(
        client_for(staff.auditor).get(f"/desk/cases/{case.pk}/")
    )

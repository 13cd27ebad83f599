"""``/me/``: the insured person's own records: the account by year with its chart data,
contributions by month with a month the employer has not paid marked, contribution months
against the minimum, the rights statement and a proof of insurance as PDF (the proof
verifies at ``/verify/<code>``), their cases; only their own records; both languages."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from shebao.core import clock
from shebao.documents.models import Certificate
from shebao.registry import services as registry
from tests.factories import World, card

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


PASSWORD = "demo-password-1"


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def world(make_user):
    return World(make_user("registrar", "clerk"))


@pytest.fixture
def insured(world, make_user):
    """A person with two months paid (credited to the account) and one month the unit
    declared and did not pay, past its due date: in arrears."""
    unit = world.unit(name="Gamma Co")
    person = world.employ(unit, serial=4, name="Wang Wu", started=datetime.date(2025, 7, 1))
    with clock.frozen(datetime.date(2025, 9, 20)):
        world.declare(unit, "2025-08", [(person, Decimal("8000.00"))])
        world.declare(unit, "2025-09", [(person, Decimal("8000.00"))])
        world.pay_all(unit, "BANK-1")
    world.declare(unit, "2025-10", [(person, Decimal("8000.00"))])
    user = make_user("wangwu", "person")
    registry.person_link_user(actor=world.clerk, person_id=person.pk, user=user)
    return person, user


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/"
    return client


def test_me_shows_balance_chart_months_and_the_month_in_arrears(insured):
    person, user = insured
    response = client_for(user).get("/me/")
    assert response.status_code == 200
    body = response.content.decode()
    text = text_of(response)
    assert "Wang Wu" in text
    assert 'id="me-account-chart"' in body and 'id="me-account-chart-data"' in body
    assert "me-chart.js" in body and "chart-4.5.1.umd.min.js" in body
    chart = response.context["chart"]
    assert chart["years"] == ["2025"] and chart["contributions"][0] > 0
    assert chart["balances"][0] == chart["contributions"][0] + chart["interest"][0]
    # The month the unit has not paid is marked as such, and named in the warning.
    assert re.search(r'<tr class="arrears">\s*<th scope="row">2025-10</th>', body)
    assert "In arrears" in text and "Your employer has not paid 1 month" in text
    assert response.context["contributions"]["arrears"] == ["2025-10"]
    months = response.context["months"]
    assert months["total"] == 2 and months["minimum"] >= 180
    assert 'href="/me/statement.pdf"' in body and 'action="/me/proof.pdf"' in body


def test_the_chinese_page_shows_no_english_word(insured):
    _person, user = insured
    response = client_for(user, "zh-hans").get("/me/")
    assert response.status_code == 200
    text = text_of(response)
    assert "欠缴" in text and "个人账户" in text
    words = set(re.findall(r"[A-Za-z_]{3,}", text)) - {"Shebao", "Apache", "License", "English"}
    words -= {"PDF", "Gamma", "Wang", "wangwu"}  # the format; data: names, the user name
    assert not words, words


def test_rights_statement_pdf(insured):
    _person, user = insured
    response = client_for(user).get("/me/statement.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "2025-10" in text and "Art. 74" in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_proof_pdf_carries_a_code_that_verifies(insured, language):
    person, user = insured
    client = client_for(user, language)
    assert client.get("/me/proof.pdf").status_code == 405  # issued by a POST only
    response = client.post("/me/proof.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    certificate = Certificate.objects.get(kind="insurance_proof", subject_id=str(person.pk))
    assert certificate.number.startswith("SBCB")
    text = pdf_text(response.content)
    code = certificate.verification_code
    printed = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    assert printed in text and f"/verify/{code}" in text
    assert "Gamma Co" in text and "2025-07-01" in text
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/verify/{code}")
    assert page.status_code == 200
    shown = text_of(page)
    if language == "en":
        assert "Valid" in shown and "Proof of social insurance" in shown
    else:
        assert "有效" in shown and "社会保险参保证明" in shown
    assert "Wang Wu" in shown and person.citizen_id not in shown


def test_a_person_reaches_only_their_own_records(insured, world, make_user):
    _person, user = insured
    unit = world.unit(name="Other Co")
    other = world.employ(unit, serial=9, name="Li Si", started=datetime.date(2025, 7, 1))
    from shebao.clearance import services as clearance

    case = clearance.case_create(
        actor=world.clerk,
        subject_type="person",
        subject_id=other.pk,
        reason="lost_nationality",
        event_date=datetime.date(2025, 10, 1),
        acknowledged=True,
        payee={"name": other.name, "bank_account": card(9), "bank_name": "CCB"},
    )
    client = client_for(user)
    assert client.get(f"/me/cases/{case.pk}/").status_code == 404
    assert client.get(f"/me/cases/{case.pk}/certificate.pdf").status_code == 404
    assert "Li Si" not in text_of(client.get("/me/"))
    assert "Li Si" not in text_of(client.get("/me/cases/"))


def test_staff_and_strangers_are_kept_out(make_user):
    clerk = Client()
    clerk.force_login(make_user("clerk1", "clerk"))
    assert clerk.get("/me/").status_code == 403
    assert Client().get("/me/")["Location"].startswith("/login")


def test_a_login_not_linked_to_a_person_is_told_so(make_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("nobody", "person"))
    response = client.get("/me/")
    assert response.status_code == 403


# Cases ---------------------------------------------------------------------------------


@pytest.fixture
def own_case(make_user):
    from tests.web.desk_cases_data import insured_worker, lost_nationality_case, make_staff

    staff = make_staff(make_user)
    worker = insured_worker(staff.clerk, serial=21, name="Zhao Liu")
    user = make_user("zhaoliu", "person")
    registry.person_link_user(actor=staff.clerk, person_id=worker.person.pk, user=user)
    case = lost_nationality_case(staff.clerk, worker.person)
    return staff, user, case


def test_a_returned_case_is_supplemented_and_submitted_again(own_case):
    from shebao.clearance import services as clearance
    from shebao.clearance.models import Material
    from tests.web.desk_cases_data import PDF, advance

    staff, user, case = own_case
    advance(staff, case, until="submitted")
    clearance.case_return(
        actor=staff.clerk,
        case_id=case.pk,
        reasons="The passport copy is unreadable.",
        supplement=["identity_document"],
    )
    client = client_for(user)
    listing = text_of(client.get("/me/cases/"))
    assert f"Case {case.pk}" in listing and "Returned for completion" in listing
    page = client.get(f"/me/cases/{case.pk}/")
    text = text_of(page)
    assert "The agency returned your case for completion." in text
    assert "The passport copy is unreadable." in text
    assert "identity_document" not in text
    # A file that is not a PDF or an image: the service's own refusal, nothing stored.
    before = Material.objects.filter(case=case).count()
    refused = client.post(
        f"/me/cases/{case.pk}/upload",
        {"kind": "identity_document", "file": _file("a.txt", b"hello")},
    )
    assert refused.status_code == 422
    assert Material.objects.filter(case=case).count() == before
    stored = client.post(
        f"/me/cases/{case.pk}/upload",
        {"kind": "identity_document", "file": _file("passport.pdf", PDF)},
    )
    assert stored.status_code == 302
    assert Material.objects.filter(case=case, uploaded_by=user).count() == 1
    assert client.post(f"/me/cases/{case.pk}/submit").status_code == 302
    case.refresh_from_db()
    assert case.status == "submitted"
    assert "Submitted" in text_of(client.get(f"/me/cases/{case.pk}/"))


def test_the_certificate_of_a_closed_case_downloads(own_case):
    from shebao.clearance import services as clearance
    from shebao.clearance.models import DisbursementOrder
    from tests.web.desk_cases_data import advance

    staff, user, case = own_case
    advance(staff, case, until="disbursed")
    for order in DisbursementOrder.objects.filter(case=case):
        if order.status == "awaiting_approval":
            clearance.order_approve(actor=staff.finance2, order_id=order.pk)
        clearance.order_mark_paid(actor=staff.finance, order_id=order.pk, bank_reference="B-1")
    clearance.case_close(actor=staff.clerk, case_id=case.pk)
    client = client_for(user, "zh-hans")
    page = client.get(f"/me/cases/{case.pk}/")
    assert f'href="/me/cases/{case.pk}/certificate.pdf"' in page.content.decode()
    response = client.get(f"/me/cases/{case.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    case.refresh_from_db()
    assert case.certificate.verification_code[:4] in pdf_text(response.content)


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# Applying online -----------------------------------------------------------------------


def test_apply_online_through_the_wizard(make_user):
    from shebao.clearance import selectors as clearance_selectors
    from shebao.clearance.models import ClearanceCase
    from tests.web.desk_cases_data import PDF, insured_worker, make_staff

    staff = make_staff(make_user)
    worker = insured_worker(staff.clerk, serial=31, name="Sun Qi")
    user = make_user("sunqi", "person")
    registry.person_link_user(actor=staff.clerk, person_id=worker.person.pk, user=user)
    client = client_for(user)

    first = client.get("/me/apply/")
    assert "What happened" in text_of(first)
    assert 'hx-get="/me/apply/reason"' in first.content.decode()
    # As the reason is chosen (htmx), its conditions, explanation and materials.
    info = client.get("/me/apply/reason?reason=lost_nationality", HTTP_HX_REQUEST="true")
    assert "What the agency explains first" in text_of(info)
    assert "<html" not in info.content.decode()  # the fragment alone
    # Not a clearance: the explanation and what applies instead, and no form to open one.
    other = client.get("/me/apply/?reason=settled_abroad_keeping_nationality&event_date=2025-10-01")
    assert "This is not a clearance." in text_of(other)
    assert 'method="post"' not in other.content.decode().split("<main", 1)[1].split("</main>")[0]

    step2 = client.get("/me/apply/?reason=lost_nationality&event_date=2025-10-01")
    text = text_of(step2)
    assert "What the agency explains first" in text and "Legal basis:" in text
    data = {
        "reason": "lost_nationality",
        "event_date": "2025-10-01",
        "payee_name": "Sun Qi",
        "payee_bank_account": card(5),
        "payee_bank_name": "ICBC",
    }
    refused = client.post("/me/apply/", data)
    assert refused.status_code == 200
    assert "Confirm that you have read" in text_of(refused)
    assert not ClearanceCase.objects.filter(person=worker.person).exists()

    created = client.post("/me/apply/", {**data, "acknowledged": "on"})
    case = ClearanceCase.objects.get(person=worker.person)
    assert created.status_code == 302 and created["Location"].startswith(f"/me/cases/{case.pk}/")
    assert case.status == "draft" and case.created_by == user
    for item in clearance_selectors.materials_required(case):
        if item["required"] and not item["checked_by_agency"]:
            response = client.post(
                f"/me/cases/{case.pk}/upload",
                {"kind": item["code"], "file": _file(f"{item['code']}.pdf", PDF)},
            )
            assert response.status_code == 302, text_of(response)
    assert client.post(f"/me/cases/{case.pk}/submit").status_code == 302
    case.refresh_from_db()
    assert case.status == "submitted"


def test_the_wizard_in_chinese_shows_no_code(make_user):
    from tests.web.desk_cases_data import insured_worker, make_staff

    staff = make_staff(make_user)
    worker = insured_worker(staff.clerk, serial=32, name="孙七")
    user = make_user("sunqi", "person")
    registry.person_link_user(actor=staff.clerk, person_id=worker.person.pk, user=user)
    client = client_for(user, "zh-hans")
    for path in ("/me/apply/", "/me/apply/?reason=lost_nationality&event_date=2025-10-01"):
        text = text_of(client.get(path))
        words = set(re.findall(r"[A-Za-z_]{3,}", text)) - {"Shebao", "Apache", "License"}
        assert not words - {"English", "sunqi"}, words

"""``/unit/``: a unit's representative sees only their own unit, registers a new hire,
ends an employment, declares a month by form or by file (every bad row listed with its
line and reason), sees the arrears and prints a payment notice; in both languages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shebao.clearance.models import ClearanceCase
from shebao.clearance.selectors import desk as clearance_desk
from shebao.core.errors import NotFound
from shebao.documents.domain import format_verification_code
from shebao.ledger.models import Declaration, PaymentNotice
from shebao.registry import services as registry
from shebao.registry.models import Employment
from tests.factories import World, citizen_id, insured_id
from tests.web.desk_helpers import desk_client, english_codes, no_latin_words, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    return make_user("clerk", "clerk")


@pytest.fixture
def world(clerk):
    return World(clerk)


@pytest.fixture
def unit(world):
    """A Beijing unit with two employees since 2024-11."""
    unit = world.unit(name="青禾餐饮")
    unit.people = [
        world.employ(unit, serial=11, name="张伟"),
        world.employ(unit, serial=12, name="李娜", wage="6000.00"),
    ]
    return unit


@pytest.fixture
def rep(make_user, clerk, unit):
    user = make_user("hr", "unit_rep")
    registry.unit_representative_add(actor=clerk, unit_id=unit.pk, user=user)
    return user


def client_for(user, language="en"):
    return desk_client(user, language)


# Employees --------------------------------------------------------------------------


def test_the_representative_sees_the_units_employees_with_masked_ids(rep, unit):
    response = client_for(rep).get("/unit/")
    assert response.status_code == 200
    page = visible_text(response)
    assert "青禾餐饮" in page and "张伟" in page and "李娜" in page
    assert insured_id(11) not in page
    assert "8,000.00" in page


def test_only_the_own_unit(rep, unit, world, make_user, clerk):
    other = world.unit(name="Other Works")
    stranger = world.employ(other, serial=31, name="王芳")
    client = client_for(rep)
    assert "王芳" not in visible_text(client.get("/unit/"))
    employment = Employment.objects.get(person=stranger)
    assert client.get(f"/unit/employees/{employment.pk}/end/").status_code == 404
    assert (
        client.post(
            f"/unit/employees/{employment.pk}/end/", {"ended_on": "2025-11-01", "reason": "x"}
        ).status_code
        == 404
    )
    # Staff and persons are refused; a representative without a unit too.
    assert client_for(clerk).get("/unit/").status_code == 403
    assert client_for(make_user("p", "person")).get("/unit/").status_code == 403
    assert client_for(make_user("lonely", "unit_rep")).get("/unit/").status_code == 403
    # Not logged in: to the login page.
    assert Client().get("/unit/")["Location"].startswith("/login")


def test_register_a_new_hire(rep, unit):
    client = client_for(rep)
    form = client.get("/unit/employees/new/")
    assert "within 30 days" in visible_text(form)
    response = client.post(
        "/unit/employees/new/",
        {
            "citizen_id": citizen_id(501),
            "name": "赵敏",
            "started_on": "2025-11-03",
            "monthly_wage": "7000.00",
        },
        follow=True,
    )
    page = visible_text(response)
    assert "The employee is registered." in page and "赵敏" in page
    employment = Employment.objects.get(person__citizen_id=citizen_id(501))
    assert employment.unit_id == unit.pk and employment.status == "open"


def test_a_refused_hire_shows_the_services_reason(rep, unit):
    response = client_for(rep).post(
        "/unit/employees/new/",
        {"citizen_id": "123", "name": "赵敏", "started_on": "2025-11-03", "monthly_wage": "7000"},
    )
    assert response.status_code == 200
    assert not Employment.objects.filter(person__name="赵敏").exists()
    assert "error" in response.content.decode()


def test_a_late_hire_is_warned(rep, unit):
    response = client_for(rep).post(
        "/unit/employees/new/",
        {
            "citizen_id": citizen_id(502),
            "name": "钱多",
            "started_on": "2025-08-01",
            "monthly_wage": "7000.00",
        },
        follow=True,
    )
    page = visible_text(response)
    assert "registered late" in page and "钱多" in page


def test_end_an_employment_with_a_reason_by_name(rep, unit):
    employment = Employment.objects.get(person=unit.people[1])
    client = client_for(rep)
    url = f"/unit/employees/{employment.pk}/end/"
    page = client.get(url).content.decode()
    assert "resignation" in page  # a form value
    assert "resignation" not in visible_text(client_for(rep, "zh-hans").get(url)).replace(
        'value="resignation"', ""
    )
    response = client.post(url, {"ended_on": "2025-11-10", "reason": "resignation"}, follow=True)
    assert "The employment has ended." in visible_text(response)
    employment.refresh_from_db()
    assert employment.status == "ended" and employment.end_reason == "resignation"
    assert "李娜" not in visible_text(client.get("/unit/"))


def test_chinese_pages_show_no_english(rep, owing):
    unit = owing
    client = client_for(rep, "zh-hans")
    client.post("/unit/arrears/", {"pay_on": "2025-11-14"})  # the notices' table too
    employment = Employment.objects.get(person=unit.people[0])
    for url in [
        "/unit/",
        "/unit/employees/new/",
        f"/unit/employees/{employment.pk}/end/",
        "/unit/declare/",
        "/unit/declare/upload/",
        "/unit/arrears/",
        "/unit/statements/",
        "/unit/clearance/",
    ]:
        page = visible_text(client.get(url))
        # The notice's number (the payment reference) and verification code are printed
        # as they are.
        for notice in PaymentNotice.objects.all():
            code = format_verification_code(notice.certificate.verification_code)
            page = page.replace(notice.certificate.number, "").replace(code, "")
        assert not no_latin_words(page, allowed=("PDF",)), (url, no_latin_words(page))
        assert not english_codes(page), url


# Declarations -------------------------------------------------------------------------


def test_declare_a_month_by_form_with_the_wages_prefilled(rep, unit):
    client = client_for(rep)
    page = client.get("/unit/declare/").content.decode()
    assert 'value="8000.00"' in page and 'value="6000.00"' in page
    employments = list(Employment.objects.filter(unit=unit).order_by("pk"))
    response = client.post(
        "/unit/declare/",
        {
            "period": "2025-10",
            f"wage_{employments[0].pk}": "8000.00",
            f"wage_{employments[1].pk}": "6500.00",
        },
        follow=True,
    )
    assert "The declaration of 2025-10 is posted: 2 lines." in visible_text(response)
    declaration = Declaration.objects.get(unit=unit, period="2025-10", status="live")
    assert declaration.line_count == 2


def test_a_bad_wage_on_the_form_is_shown_on_its_line(rep, unit):
    employments = list(Employment.objects.filter(unit=unit).order_by("pk"))
    response = client_for(rep).post(
        "/unit/declare/",
        {
            "period": "2025-10",
            f"wage_{employments[0].pk}": "8000.00",
            f"wage_{employments[1].pk}": "lots",
        },
    )
    page = visible_text(response)
    assert "Nothing was posted: 1 line has an error." in page
    assert not Declaration.objects.filter(unit=unit, period="2025-10").exists()


def csv_upload(text: str, name="wages.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_upload_with_a_bad_row_lists_the_line_and_reason(rep, unit):
    client = client_for(rep)
    bad = f"公民身份号码,工资\n{insured_id(11)},8000.00\n{insured_id(12)},abc\n"
    response = client.post("/unit/declare/upload/", {"file": csv_upload(bad), "period": "2025-10"})
    page = visible_text(response)
    assert "Rows with errors" in page and "Nothing was posted" in page
    assert " 3 Wage " in page  # line 3, the wage column
    assert not Declaration.objects.filter(unit=unit, period="2025-10").exists()
    good = f"公民身份号码,工资\n{insured_id(11)},8000.00\n{insured_id(12)},6000.00\n"
    response = client.post(
        "/unit/declare/upload/", {"file": csv_upload(good), "period": "2025-10"}, follow=True
    )
    assert "The file was posted: 2 lines in 1 declarations." in visible_text(response)
    assert Declaration.objects.filter(unit=unit, period="2025-10", status="live").exists()


def test_the_htmx_upload_answers_with_the_upload_area_only(rep, unit):
    bad = f"公民身份号码,工资\n{insured_id(11)},8000.00\n{insured_id(12)},abc\n"
    response = client_for(rep).post(
        "/unit/declare/upload/",
        {"file": csv_upload(bad), "period": "2025-10"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith("<section") and "Rows with errors" in body
    assert 'hx-post="/unit/declare/upload/"' in body


def test_a_file_of_another_units_employee_is_refused_by_line(rep, unit, world):
    other = world.unit(name="Other Works")
    world.employ(other, serial=31, name="王芳")
    text = f"公民身份号码,工资\n{insured_id(31)},5000.00\n"
    response = client_for(rep).post(
        "/unit/declare/upload/", {"file": csv_upload(text), "period": "2025-10"}
    )
    assert "Rows with errors" in visible_text(response)
    assert "王芳" not in visible_text(response)


# Arrears and the payment notice -----------------------------------------------------------


@pytest.fixture
def owing(unit, world):
    """The unit's May 2025 declared and unpaid: overdue on the test clock's 2025-11-14."""
    world.declare(unit, "2025-05", [(unit.people[0], "8000.00"), (unit.people[1], "6000.00")])
    return unit


def test_arrears_with_the_late_fee_to_date(rep, owing):
    page = visible_text(client_for(rep).get("/unit/arrears/"))
    assert "2025-05" in page and "Overdue months" in page and "Late fee to date" in page
    assert "sample account" in page


def test_the_payment_notice_pdf_verifies(rep, owing):
    client = client_for(rep)
    response = client.post("/unit/arrears/", {"pay_on": "2025-11-20"}, follow=True)
    assert "is ready" in visible_text(response)
    notice = PaymentNotice.objects.get(unit=owing)
    assert notice.pay_on == datetime.date(2025, 11, 20)
    assert notice.principal > 0 and notice.late_fee > 0
    assert notice.bank_account["sample"] is True
    pdf = client.get(f"/unit/arrears/notices/{notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    code = notice.certificate.verification_code
    checked = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/verify/{code}")
    assert checked.status_code == 200
    page = visible_text(checked)
    assert "Social insurance payment notice" in page and "青禾餐饮"[:1] in page
    zh = visible_text(Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/verify/{code}"))
    assert "社会保险费缴费通知单" in zh


def test_a_payment_notice_is_refused_past_a_month_and_for_another_unit(rep, owing, world):
    client = client_for(rep)
    response = client.post("/unit/arrears/", {"pay_on": "2026-03-01"})
    assert "at most 31 days ahead" in visible_text(response)
    assert not PaymentNotice.objects.exists()
    other = world.unit(name="Other Works")
    from shebao.ledger import arrears

    with pytest.raises(NotFound):
        arrears.payment_notice_issue(actor=rep, unit_id=other.pk)
    client.post("/unit/arrears/", {"pay_on": "2025-11-14"})
    notice = PaymentNotice.objects.get()
    other_rep_client = client_for(_other_rep(world, other))
    assert other_rep_client.get(f"/unit/arrears/notices/{notice.pk}.pdf").status_code == 404


def _other_rep(world, unit):
    from shebao.accounts.services import user_create

    user = user_create(actor=None, username="hr2", password="demo-password-1", role="unit_rep")
    registry.unit_representative_add(actor=world.clerk, unit_id=unit.pk, user=user)
    return user


def test_nothing_owed_refuses_a_notice(rep, unit):
    response = client_for(rep).post("/unit/arrears/", {"pay_on": "2025-11-14"})
    assert "owes nothing to pay" in visible_text(response)


# Statements -------------------------------------------------------------------------------


def test_statements_by_month_with_payments(rep, owing, world):
    world.pay(owing, "1000.00", datetime.date(2025, 6, 20), "BANK-0001")
    page = visible_text(client_for(rep).get("/unit/statements/"))
    assert "Declarations by month" in page and "2025-05" in page
    assert "Declared by the unit" in page
    assert "BANK-0001" in page and "1,000.00" in page


# The unit's own clearance application -----------------------------------------------------


def test_the_unit_applies_for_its_own_clearance(rep, unit):
    client = client_for(rep)
    page = client.get("/unit/clearance/")
    assert 'value="dissolved"' in page.content.decode()
    assert "Unit dissolved" in visible_text(page)
    response = client.post(
        "/unit/clearance/",
        {
            "reason": "dissolved",
            "event_date": "2025-11-01",
            "payee_name": "青禾餐饮",
            "payee_bank_account": "6222020000000000000",
            "payee_bank_name": "工商银行",
        },
        follow=True,
    )
    page = visible_text(response)
    case = ClearanceCase.objects.get(unit=unit)
    assert f"Case {case.pk} is opened as a draft." in page
    assert case.subject_type == "unit" and case.reason == "dissolved"
    assert "Draft" in page and "Unit dissolved" in page
    assert "Open the application" not in page  # one open case at a time


def test_a_refused_application_shows_the_services_reason(rep, unit):
    response = client_for(rep).post(
        "/unit/clearance/", {"reason": "merged", "event_date": "2025-11-01"}
    )
    assert response.status_code == 200
    assert not ClearanceCase.objects.exists()
    assert "successor" in visible_text(response)


def test_the_unit_uploads_its_materials_and_submits(rep, unit, world):
    client = client_for(rep)
    client.post("/unit/clearance/", {"reason": "dissolved", "event_date": "2025-11-01"})
    case = ClearanceCase.objects.get(unit=unit)
    url = f"/unit/clearance/{case.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "still to upload" in visible_text(page)
    # Submitting with materials missing is refused in the service's words.
    refused = visible_text(client.post(url + "submit/", follow=True))
    case.refresh_from_db()
    assert case.status == "draft" and "Draft" in refused
    kinds = [
        row["code"]
        for row in clearance_desk.material_history(case)
        if row["required"] and not row["checked_by_agency"]
    ]
    for kind in kinds:
        response = client.post(
            url + "materials/",
            {"kind": kind, "file": SimpleUploadedFile("m.pdf", PDF, "application/pdf")},
        )
        assert response.status_code == 302, visible_text(response)
    page = visible_text(client.post(url + "submit/", follow=True))
    case.refresh_from_db()
    assert case.status == "submitted" and "The application is submitted." in page
    chinese = visible_text(client_for(rep, "zh-hans").get(url))
    assert "已提交" in chinese and not no_latin_words(chinese), no_latin_words(chinese)
    # Another unit's representative cannot open the case.
    other = world.unit(name="Other Works")
    assert client_for(_other_rep(world, other)).get(url).status_code == 404


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

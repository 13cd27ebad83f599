"""``/desk/contributions/``: declarations by unit and month, the upload of a declaration
file (bad rows listed with line and reason, GBK, ID numbers stored as numbers), payments,
arrears with the late fee, the interest crediting run; by role and in both languages."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.ledger.models import Declaration, InterestCredit, Payment
from tests.factories import World, insured_id
from tests.web.desk_helpers import desk_client, english_codes, no_latin_words, visible_text

pytestmark = pytest.mark.django_db

URL = "/desk/contributions/"


@pytest.fixture
def clerk(make_user):
    return make_user("clerk", "clerk")


@pytest.fixture
def finance(make_user):
    return make_user("finance", "finance")


@pytest.fixture
def world(clerk):
    return World(clerk)


@pytest.fixture
def unit(world):
    """A Beijing unit with two employees since 2024-11, its May 2025 declared and unpaid."""
    unit = world.unit(name="青禾餐饮")
    first = world.employ(unit, serial=11, name="张伟")
    second = world.employ(unit, serial=12, name="李娜")
    world.declare(unit, "2025-05", [(first, "8000.00"), (second, "6000.00")])
    unit.people = [first, second]
    return unit


def csv_upload(text: str, encoding="utf-8", name="wages.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, unit, file, period="2025-06", **extra):
    return client.post(
        URL + "upload/", {"file": file, "unit": unit.uscc, "period": period, **extra}, **{}
    )


# Declarations --------------------------------------------------------------------------


def test_declarations_by_unit_and_month(clerk, unit, world):
    other = world.unit(name="Other Works")
    world.declare(other, "2025-04", [(world.employ(other, serial=21), "5000.00")])
    client = desk_client(clerk)
    page = visible_text(client.get(URL, {"unit": unit.uscc, "period": "2025-05"}))
    assert "青禾餐饮" in page and "2025-05" in page and "Other Works" not in page
    assert "Declared by the unit" in page and "In force" in page
    assert "Other Works" in visible_text(client.get(URL, {"period": "2025-04"}))
    assert "No declaration matches." in visible_text(client.get(URL, {"period": "2023-01"}))


def test_a_declaration_shows_its_lines_by_insurance_type_by_name(clerk, unit):
    declaration = Declaration.objects.get(unit=unit)
    response = desk_client(clerk).get(f"{URL}declarations/{declaration.pk}/")
    page = visible_text(response)
    assert "Basic pension insurance" in page and "Unemployment insurance" in page
    assert "张伟" in page and "8,000.00" in page
    assert insured_id(11) not in page  # masked
    chinese = visible_text(
        desk_client(clerk, "zh-hans").get(f"{URL}declarations/{declaration.pk}/")
    )
    assert "职工基本养老保险" in chinese and "失业保险" in chinese
    assert english_codes(chinese) == [] and no_latin_words(chinese) == []


# Upload --------------------------------------------------------------------------------


def test_an_upload_with_a_bad_row_lists_its_line_and_reason_and_posts_nothing(clerk, unit):
    text = f"citizen_id,wage\n{insured_id(11)},8000\n{insured_id(12)},abc\n"
    response = upload(desk_client(clerk), unit, csv_upload(text))
    assert response.status_code == 200
    page = visible_text(response)
    assert "Nothing was posted: 1 row has an error." in page
    assert "3 Wage" in page  # line 3, the wage column, and why
    assert Declaration.objects.filter(period="2025-06").count() == 0


def test_the_same_upload_in_chinese_names_the_row_in_chinese(clerk, unit):
    text = f"公民身份号码,工资\n{insured_id(11)},8000\n{insured_id(12)},abc\n"
    response = upload(desk_client(clerk, "zh-hans"), unit, csv_upload(text))
    page = visible_text(response)
    assert "未入账" in page and "工资" in page
    assert no_latin_words(page) == []


def test_a_corrected_upload_is_posted(clerk, unit):
    text = f"citizen_id,wage\n{insured_id(11)},8000\n{insured_id(12)},6500.50\n"
    response = upload(desk_client(clerk), unit, csv_upload(text))
    assert response.status_code == 302 and response["Location"] == URL
    declaration = Declaration.objects.get(unit=unit, period="2025-06")
    assert declaration.line_count == 2
    follow = desk_client(clerk).get(URL)
    assert follow.status_code == 200


def test_an_htmx_upload_answers_with_the_upload_area_only(clerk, unit):
    text = f"citizen_id,wage\n{insured_id(11)},8000\n{insured_id(12)},abc\n"
    response = desk_client(clerk).post(
        URL + "upload/",
        {"file": csv_upload(text), "unit": unit.uscc, "period": "2025-06"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="upload-area"')
    assert "<html" not in body and "Rows with errors" in body


def test_a_gbk_csv_from_chinese_excel_is_read(clerk, unit):
    text = f"公民身份号码,工资\r\n{insured_id(11)},8000\r\n{insured_id(12)},6000\r\n"
    response = upload(desk_client(clerk), unit, csv_upload(text, "gbk"))
    assert response.status_code == 302
    assert Declaration.objects.get(unit=unit, period="2025-06").line_count == 2


def test_an_id_number_stored_as_a_number_is_refused_with_the_fix(clerk, unit):
    text = f"citizen_id,wage\n{insured_id(11)},8000\n1.10105E+17,6000\n"
    page = visible_text(upload(desk_client(clerk), unit, csv_upload(text)))
    assert "stored as a number (1.10105E+17)" in page
    assert "format the ID number column as Text" in page
    chinese = visible_text(upload(desk_client(clerk, "zh-hans"), unit, csv_upload(text)))
    assert "文本" in chinese and "1.10105E+17" in chinese


def test_a_workbook_with_a_number_cell_for_an_id_is_refused_with_the_fix(clerk, unit):
    book = openpyxl.Workbook()
    book.active.append(["公民身份号码", "工资"])
    book.active.append([insured_id(11), 8000])
    book.active.append([float(insured_id(12)), 6000])
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile("wages.xlsx", buffer.getvalue())
    page = visible_text(upload(desk_client(clerk), unit, file))
    assert "format the ID number column as Text" in page


def test_an_employee_left_out_is_named_and_posted_once_acknowledged(clerk, unit):
    text = f"citizen_id,wage\n{insured_id(11)},8000\n"
    page = visible_text(upload(desk_client(clerk), unit, csv_upload(text)))
    assert "leaves out employees" in page and "李娜" in page
    response = upload(desk_client(clerk), unit, csv_upload(text), acknowledge_omissions="on")
    assert response.status_code == 302
    assert Declaration.objects.get(unit=unit, period="2025-06").line_count == 1


def test_the_form_refuses_an_unknown_unit_and_a_month_to_come(clerk, unit):
    client = desk_client(clerk)
    text = f"citizen_id,wage\n{insured_id(11)},8000\n"
    page = visible_text(
        client.post(URL + "upload/", {"file": csv_upload(text), "unit": "X", "period": "2025-06"})
    )
    assert "no unit is registered with this code" in page
    page = visible_text(upload(client, unit, csv_upload(text), period="2026-01"))
    assert "is a month still to come" in page


# Payments and arrears ------------------------------------------------------------------


def test_arrears_are_shown_with_the_late_fee_to_date(clerk, unit):
    page = visible_text(desk_client(clerk).get(URL + "arrears/"))
    assert "青禾餐饮" in page and "2025-05" in page
    declaration = Declaration.objects.get(unit=unit)
    assert f"{declaration.total_due:,.2f}" in page
    detail = visible_text(desk_client(clerk).get(f"{URL}arrears/{unit.pk}/"))
    assert "Days late" in detail and "2025-05" in detail


def test_a_payment_is_recorded_and_settles_the_arrears(finance, unit):
    client = desk_client(finance)
    form = client.get(URL + "payments/", {"unit": unit.uscc})
    key = form.context["form"].initial["idempotency_key"]
    body = {
        "unit": unit.uscc,
        "amount": "50000.00",
        "reference": "BANK-2025-001",
        "paid_on": "2025-11-14",
        "idempotency_key": key,
    }
    response = client.post(URL + "payments/", body, follow=True)
    page = visible_text(response)
    assert "Payment of 50,000.00 yuan recorded for 青禾餐饮" in page
    assert Payment.objects.get().reference == "BANK-2025-001"
    # Sent twice (a double click): still one payment.
    client.post(URL + "payments/", body)
    assert Payment.objects.count() == 1
    assert "No unit is in arrears." in visible_text(client.get(URL + "arrears/"))


def test_a_payment_refused_by_the_service_shows_its_message(finance, unit):
    client = desk_client(finance)
    body = {
        "unit": unit.uscc,
        "amount": "-5",
        "reference": "R-1",
        "paid_on": "2025-12-01",
        "idempotency_key": "k1",
    }
    response = client.post(URL + "payments/", body)
    page = visible_text(response)
    assert "is in the future" in page
    assert Payment.objects.count() == 0


# Interest ------------------------------------------------------------------------------


def test_an_interest_run_shows_its_result(finance, unit, world):
    world.pay_all(unit, "PAID-ALL")
    client = desk_client(finance)
    page = visible_text(client.post(URL + "interest/", {"year": "2024"}))
    assert "Interest for 2024 credited" in page
    refused = visible_text(client.post(URL + "interest/", {"year": "2025"}))
    assert "2025 has not ended yet" in refused


def test_the_interest_run_by_htmx_answers_with_its_area(finance, unit):
    response = desk_client(finance).post(
        URL + "interest/", {"year": "2024"}, headers={"HX-Request": "true"}
    )
    assert response.content.decode().lstrip().startswith('<section id="interest-area"')
    assert InterestCredit.objects.count() >= 0


# Permissions and languages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("auditor", "", 200),
        ("auditor", "arrears/", 200),
        ("auditor", "upload/", 403),
        ("auditor", "payments/", 403),
        ("auditor", "interest/", 403),
        ("clerk", "upload/", 200),
        ("clerk", "payments/", 403),
        ("clerk", "interest/", 403),
        ("finance", "payments/", 200),
        ("finance", "interest/", 200),
        ("finance", "upload/", 403),
        ("person", "", 403),
    ],
)
def test_each_page_by_role(make_user, unit, role, path, status):
    user = make_user(f"u-{role}", role)
    assert desk_client(user).get(URL + path).status_code == status


def test_a_visitor_is_sent_to_the_login_page(unit, client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["clerk", "finance", "supervisor"])
def test_the_chinese_pages_show_no_english_code(make_user, unit, role):
    user = make_user(f"zh-{role}", role)
    client = desk_client(user, "zh-hans")
    declaration = Declaration.objects.get(unit=unit)
    for path in ["", f"declarations/{declaration.pk}/", "arrears/", f"arrears/{unit.pk}/"] + (
        ["upload/"] if role != "finance" else ["payments/", "interest/"]
    ):
        response = client.get(URL + path)
        assert response.status_code == 200, path
        page = visible_text(response)
        assert english_codes(page) == [], path
        assert no_latin_words(page) == [], path


def test_the_tabs_show_only_what_the_role_may_do(make_user, unit):
    clerk_page = visible_text(desk_client(make_user("c2", "clerk")).get(URL))
    assert "Upload a declaration file" in clerk_page and "Record a payment" not in clerk_page
    finance_page = visible_text(desk_client(make_user("f2", "finance")).get(URL))
    assert "Record a payment" in finance_page and "Upload a declaration file" not in finance_page
    assert Decimal("0") == Decimal("0.00")


def test_an_interest_run_credits_the_accounts_and_lists_the_year(finance, world):
    unit = world.unit(name="Interest Works")
    person = world.employ(unit, serial=31)
    for period in ("2024-11", "2024-12"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, "PAID-2024", paid_on=datetime.date(2024, 12, 31))
    client = desk_client(finance)
    page = visible_text(client.post(URL + "interest/", {"year": "2024"}))
    assert "Interest for 2024 credited: 1 accounts" in page
    listed = visible_text(client.get(URL + "interest/"))
    assert "2024 1" in listed and "No interest has been credited yet." not in listed

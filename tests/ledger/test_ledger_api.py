import datetime
from decimal import Decimal

import pytest

from shebao.core import clock
from tests.factories import citizen_id

from .conftest import post_acknowledging


@pytest.fixture
def clerk(api_as):
    return api_as("clerk")


def declare(client, unit, period="2025-03", lines=None, **extra):
    lines = lines or [
        {"citizen_id": citizen_id(11), "wage": "8000.00"},
        {"citizen_id": citizen_id(13), "wage": "5000.00"},
    ]
    return post_acknowledging(
        client, f"units/{unit.pk}/declarations", {"period": period, "lines": lines, **extra}
    )


def test_declaration_through_the_api(clerk, unit_with_staff):
    unit, _people = unit_with_staff
    response = declare(clerk, unit)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["period"] == "2025-03" and body["status"] == "live"
    first = body["lines"][0]
    assert first["base"] == "8000.00"
    pension = next(p for p in first["premiums"] if p["insurance_type"] == "pension")
    assert pension == {"insurance_type": "pension", "unit": "1280.00", "personal": "640.00"}
    line_sum = sum(
        Decimal(p["unit"]) + Decimal(p["personal"])
        for line in body["lines"]
        for p in line["premiums"]
    )
    assert Decimal(body["total_due"]) == line_sum
    assert Decimal(body["total_due"]) == Decimal(body["unit_total"]) + Decimal(
        body["personal_total"]
    )
    assert "*" in first["citizen_id"]


def test_bad_lines_name_line_and_field_and_post_nothing(clerk, unit_with_staff):
    unit, _people = unit_with_staff
    response = declare(
        clerk,
        unit,
        lines=[
            {"citizen_id": citizen_id(11), "wage": "8000"},
            {"citizen_id": "123", "wage": "8000"},
        ],
    )
    assert response.status_code == 422
    # Field paths count from 0 like pydantic's; the second line is lines.1.
    assert list(response.json()["error"]["fields"]) == ["lines.1.citizen_id"]
    assert clerk.get(f"units/{unit.pk}/declarations").json()["count"] == 0
    partial = declare(
        clerk,
        unit,
        lines=[
            {"citizen_id": citizen_id(11), "wage": "8000"},
            {"citizen_id": "123", "wage": "8000"},
        ],
        good_rows_only=True,
    )
    assert partial.status_code == 201 and partial.json()["line_count"] == 1
    assert partial.json()["errors"][0]["line"] == 2


def test_a_float_wage_and_a_future_month_are_refused(clerk, unit_with_staff):
    unit, _people = unit_with_staff
    floaty = declare(clerk, unit, lines=[{"citizen_id": citizen_id(11), "wage": 8000.5}])
    assert floaty.status_code == 422 and "lines.0.wage" in floaty.json()["error"]["fields"]
    future = declare(clerk, unit, period="2026-01")
    assert future.status_code == 422 and "period" in future.json()["error"]["fields"]


def test_upload_csv(clerk, unit_with_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit, _people = unit_with_staff
    data = f"citizen_id,wage\n{citizen_id(11)},8000\n{citizen_id(13)},5000\n".encode()
    response = clerk.client.post(
        f"/api/v1/units/{unit.pk}/declarations/upload",
        {
            "period": "2025-04",
            "file": SimpleUploadedFile("wages.txt", data),
            "acknowledge_omissions": True,
        },
        headers=clerk.headers,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["line_count"] == 2


def test_payment_idempotency_and_arrears(api_as, clerk, unit_with_staff):
    unit, _people = unit_with_staff
    total = declare(clerk, unit).json()["total_due"]
    finance = api_as("finance")
    arrears = finance.get(f"units/{unit.pk}/arrears", {"as_of": "2025-04-30"}).json()
    assert arrears["principal"] == total and arrears["items"][0]["days_late"] == 30
    body = {"amount": total, "paid_on": "2025-04-30", "reference": "B-77"}
    first = finance.post(f"units/{unit.pk}/payments", body, headers={"Idempotency-Key": "abc"})
    again = finance.post(f"units/{unit.pk}/payments", body, headers={"Idempotency-Key": "abc"})
    assert first.status_code == 201 and again.json() == first.json()
    assert first.json()["allocations"][0]["principal"] == total
    # The fee accrued for 30 days is still owed after the principal was paid.
    after = finance.get(f"units/{unit.pk}/arrears", {"as_of": "2025-04-30"}).json()
    assert after["principal"] == "0.00" and after["late_fee"] != "0.00"
    assert clerk.post(f"units/{unit.pk}/payments", body).status_code == 403


def test_interest_account_and_statements(api_as, clerk, unit_with_staff, make_user):
    unit, people = unit_with_staff
    january = declare(
        clerk, unit, period="2025-01", lines=[{"citizen_id": citizen_id(11), "wage": "8000"}]
    ).json()
    # Accounts are credited from premiums paid (O20 Art. 13).
    paid = api_as("finance").post(
        f"units/{unit.pk}/payments",
        {"amount": january["total_due"], "paid_on": "2025-11-14", "reference": "B-1"},
    )
    assert paid.status_code == 201
    with clock.frozen(datetime.date(2026, 2, 1)):
        run = api_as("finance").post("interest-crediting", {"year": 2025})
    assert run.status_code == 200 and run.json()["accounts_credited"] == 1
    account = clerk.get(f"persons/{people[0].pk}/account").json()
    assert account["contribution_months"] == 1
    assert float(account["balance"]) > 640
    statement = clerk.get(f"persons/{people[0].pk}/statement").json()
    assert statement["months"][0]["period"] == "2025-01"
    pdf = clerk.get(f"persons/{people[0].pk}/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    unit_pdf = clerk.get(f"units/{unit.pk}/statement.pdf")
    assert unit_pdf.content.startswith(b"%PDF")
    # Another person may not see this account.
    other = api_as("person")
    assert other.get(f"persons/{people[0].pk}/account").status_code == 404

"""Regression: one absurd amount stopped all money movement (finding 1 of the security
review). Every amount goes through one parser with a ceiling per kind from the policy pack,
and every amount is stored as integer fen on SQLite and PostgreSQL alike."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from shebao.ledger import chart
from shebao.ledger.models import Account, Payment, Posting
from tests.factories import citizen_id

from .conftest import post_acknowledging

ABSURD = "999999999999999999999999.99"
OVER_CEILING = "99999999999999999.99"
BAD_FORMS = ["1e3", "１００.００", " 100.00 ", 100, 100.5, "1.001", "NaN", "Infinity", "-0.00.1"]


@pytest.fixture
def clerk(api_as):
    return api_as("clerk")


@pytest.fixture
def finance(api_as):
    return api_as("finance")


def declare(client, unit, period="2025-09", lines=None):
    lines = lines or [
        {"citizen_id": citizen_id(11), "wage": "8000.00"},
        {"citizen_id": citizen_id(13), "wage": "5000.00"},
    ]
    return post_acknowledging(
        client, f"units/{unit.pk}/declarations", {"period": period, "lines": lines}
    )


def pay(client, unit, amount, reference="B-1", paid_on="2025-10-10"):
    return client.post(
        f"units/{unit.pk}/payments",
        {"amount": amount, "paid_on": paid_on, "reference": reference},
    )


def verify_ledger() -> str:
    out = io.StringIO()
    call_command("verify", "--check", "ledger_balances", stdout=out)
    return out.getvalue()


def bank_balance() -> Decimal:
    account = Account.objects.filter(code=chart.BANK_CODE).first()
    return account.balance if account else Decimal("0.00")


def test_an_absurd_payment_is_refused_and_money_keeps_moving(clerk, finance, unit_with_staff):
    """Regression: an absurd amount was stored as REAL 1e24 and every later payment,
    arrears, statement and verify answered 500."""
    unit, _people = unit_with_staff
    total = declare(clerk, unit).json()["total_due"]
    before = bank_balance()
    response = pay(finance, unit, ABSURD, reference="X")
    assert response.status_code == 422
    assert "amount" in response.json()["error"]["fields"]
    assert Payment.objects.count() == 0 and bank_balance() == before
    over = pay(finance, unit, OVER_CEILING, reference="Y")
    assert over.status_code == 422 and "amount" in over.json()["error"]["fields"]
    assert Payment.objects.count() == 0
    # Everything still works afterwards.
    paid = pay(finance, unit, total, reference="B-2")
    assert paid.status_code == 201, paid.json()
    assert paid.json()["amount"] == total
    assert finance.get(f"units/{unit.pk}/arrears").status_code == 200
    assert finance.get(f"units/{unit.pk}/payments").json()["count"] == 1
    statement = finance.get(f"units/{unit.pk}/statement")
    assert statement.status_code == 200 and statement.json()["paid_total"] == total
    assert "ledger: every entry balances" in verify_ledger()


def test_over_ceiling_message_is_in_the_users_language(api_as, clerk, unit_with_staff):
    unit, _people = unit_with_staff
    declare(clerk, unit)
    finance_zh = api_as("finance", language="zh-hans")
    response = pay(finance_zh, unit, OVER_CEILING)
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    reason = body["fields"]["amount"]
    assert "超过" in reason and "payment" not in reason


@pytest.mark.parametrize("value", BAD_FORMS)
def test_bad_amount_forms_are_refused_on_payments(clerk, finance, unit_with_staff, value):
    unit, _people = unit_with_staff
    declare(clerk, unit)
    response = pay(finance, unit, value)
    assert response.status_code == 422, response.json()
    assert "amount" in response.json()["error"]["fields"]
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("value", BAD_FORMS)
def test_bad_wage_forms_are_refused_on_declarations(clerk, unit_with_staff, value):
    unit, _people = unit_with_staff
    response = declare(clerk, unit, lines=[{"citizen_id": citizen_id(11), "wage": value}])
    assert response.status_code == 422, response.json()
    assert "lines.0.wage" in response.json()["error"]["fields"]
    assert clerk.get(f"units/{unit.pk}/declarations").json()["count"] == 0


@pytest.mark.parametrize("value", BAD_FORMS)
def test_bad_wage_forms_are_refused_on_employments(clerk, unit_with_staff, value):
    unit, _people = unit_with_staff
    before = clerk.get(f"units/{unit.pk}/employments").json()["count"]
    response = clerk.post(
        f"units/{unit.pk}/employments",
        {
            "citizen_id": citizen_id(17),
            "name": "P17",
            "started_on": "2025-10-08",
            "monthly_wage": value,
        },
    )
    assert response.status_code == 422, response.json()
    assert "monthly_wage" in response.json()["error"]["fields"]
    assert clerk.get(f"units/{unit.pk}/employments").json()["count"] == before


@pytest.mark.parametrize("value", ["1e3", "１００.００", " 100.00 ", "1.001", "NaN", OVER_CEILING])
def test_bad_wage_forms_are_refused_in_file_imports(clerk, unit_with_staff, value):
    unit, _people = unit_with_staff
    data = f"citizen_id,wage\n{citizen_id(11)},{value}\n{citizen_id(13)},5000.00\n".encode()
    response = clerk.client.post(
        f"/api/v1/units/{unit.pk}/declarations/upload",
        {"period": "2025-09", "file": SimpleUploadedFile("wages.csv", data)},
        headers=clerk.headers,
    )
    assert response.status_code == 422, response.json()
    assert "row 2.wage" in response.json()["error"]["fields"]
    assert clerk.get(f"units/{unit.pk}/declarations").json()["count"] == 0


def test_a_wage_over_the_ceiling_is_refused_alike_at_registration_and_declaration(
    clerk, unit_with_staff
):
    """Regression: a wage over 10^8 passed employment registration and failed declaration."""
    unit, _people = unit_with_staff
    wage = "100000001.00"
    employment = clerk.post(
        f"units/{unit.pk}/employments",
        {
            "citizen_id": citizen_id(17),
            "name": "P17",
            "started_on": "2025-10-08",
            "monthly_wage": wage,
        },
    )
    declaration = declare(clerk, unit, lines=[{"citizen_id": citizen_id(11), "wage": wage}])
    assert employment.status_code == declaration.status_code == 422
    assert (
        employment.json()["error"]["fields"]["monthly_wage"]
        == declaration.json()["error"]["fields"]["lines.0.wage"]
    )


def _column_types(table: str, column: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT DISTINCT typeof({column}) FROM {table}")
        else:
            cursor.execute(f"SELECT DISTINCT pg_typeof({column})::text FROM {table}")
        return {row[0] for row in cursor.fetchall()}


def test_amounts_are_stored_as_integer_fen_and_balances_are_exact(clerk, finance, unit_with_staff):
    """Regression: DecimalField is REAL on SQLite; balances such as -2.18e-11 existed."""
    unit, _people = unit_with_staff
    for month in range(1, 10):
        lines = [
            {"citizen_id": citizen_id(11), "wage": f"{7777 + month}.{month * 11 % 100:02d}"},
            {"citizen_id": citizen_id(13), "wage": f"{9000 + month * 3}.{month * 7 % 100:02d}"},
        ]
        assert declare(clerk, unit, period=f"2025-{month:02d}", lines=lines).status_code == 201
    for n, amount in enumerate(["0.10", "0.20", "1234.57", "0.01", "999.99", "3333.33"]):
        assert pay(finance, unit, amount, reference=f"F-{n}").status_code == 201
    assert _column_types("ledger_posting", "amount") == (
        {"integer"} if connection.vendor == "sqlite" else {"bigint"}
    )
    assert _column_types("ledger_account", "balance") <= {"integer", "bigint"}
    assert _column_types("registry_employment", "monthly_wage") <= {"integer", "bigint"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT amount FROM ledger_payment ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [10, 20, 123457, 1, 99999, 333333]
    for account in Account.objects.all():
        postings = sum(
            Posting.objects.filter(account=account).values_list("amount", flat=True),
            Decimal("0.00"),
        )
        assert account.balance == postings
        assert account.balance == account.balance.quantize(Decimal("0.01"))
    assert "ledger: every entry balances" in verify_ledger()


def test_paid_on_the_due_date_of_the_absurd_unit_ledger_reads(finance, clerk, unit_with_staff):
    """Sums come back as two-place Decimals, never floats."""
    unit, _people = unit_with_staff
    declare(clerk, unit)
    pay(finance, unit, "0.10", reference="A")
    pay(finance, unit, "0.20", reference="B")
    statement = finance.get(f"units/{unit.pk}/statement").json()
    assert statement["paid_total"] == "0.30"
    assert datetime.date.fromisoformat(statement["as_of"])

"""Regression: an overpayment vanished (finding 2 of the security review).

A unit paid a month in full (21,536.62), then declared the month again with lower wages
(2,760.23): the excess of 18,776.39 showed as a negative month, the next month was billed
in full, nothing was refundable and verify passed. Any excess now becomes the unit's
credit: applied to the next months oldest first, or held as refundable, as the pack says.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from shebao.core import clock
from shebao.ledger import selectors
from shebao.policy import money as money_policy
from tests.factories import citizen_id

from .conftest import post_acknowledging

FULL = [
    {"citizen_id": citizen_id(11), "wage": "21641.82"},
    {"citizen_id": citizen_id(15), "wage": "60000.00"},
]
LOWER = [{"citizen_id": citizen_id(11), "wage": "7451.97"}]


@pytest.fixture
def clerk(api_as):
    return api_as("clerk")


@pytest.fixture
def finance(api_as):
    return api_as("finance")


def declare(client, unit, period, lines):
    response = post_acknowledging(
        client, f"units/{unit.pk}/declarations", {"period": period, "lines": lines}
    )
    assert response.status_code == 201, response.json()
    return response.json()


def verify_ledger() -> str:
    out = io.StringIO()
    call_command("verify", "--check", "ledger_balances", stdout=out)
    return out.getvalue()


def paid_in_full_then_lowered(clerk, finance, unit):
    first = declare(clerk, unit, "2025-09", FULL)
    assert first["total_due"] == "21536.62"
    payment = finance.post(
        f"units/{unit.pk}/payments",
        {"amount": "21536.62", "paid_on": first["due_on"], "reference": "B-0910"},
    )
    assert payment.status_code == 201 and payment.json()["overpaid"] == "0.00"
    lowered = declare(clerk, unit, "2025-09", LOWER)
    assert lowered["total_due"] == "2760.23"
    return lowered


def month(statement, period):
    return next(m for m in statement["months"] if m["period"] == period)


def test_excess_from_a_redeclaration_settles_the_next_month(clerk, finance, unit_with_staff):
    unit, _people = unit_with_staff
    paid_in_full_then_lowered(clerk, finance, unit)
    statement = finance.get(f"units/{unit.pk}/statement").json()
    september = month(statement, "2025-09")
    assert september["paid_principal"] == "2760.23" and september["outstanding"] == "0.00"
    # Until the next month is declared, the excess is the unit's credit.
    arrears = finance.get(f"units/{unit.pk}/arrears").json()
    assert arrears["refundable"] == "18776.39" and arrears["principal"] == "0.00"
    october = declare(clerk, unit, "2025-10", FULL)
    assert october["total_due"] == "21536.62"
    statement = finance.get(f"units/{unit.pk}/statement").json()
    assert month(statement, "2025-10")["paid_principal"] == "18776.39"
    assert month(statement, "2025-10")["outstanding"] == "2760.23"
    arrears = finance.get(f"units/{unit.pk}/arrears").json()
    assert arrears["refundable"] == "0.00"
    owed = sum(Decimal(i["principal"]) for i in arrears["items"] + arrears["not_yet_due"])
    assert owed == Decimal("2760.23")
    assert "ledger: every entry balances" in verify_ledger()


def test_excess_is_refundable_when_the_pack_says_refund(
    clerk, finance, unit_with_staff, monkeypatch
):
    unit, _people = unit_with_staff
    monkeypatch.setattr(money_policy, "overpayment_rule", lambda region=None: money_policy.REFUND)
    paid_in_full_then_lowered(clerk, finance, unit)
    declare(clerk, unit, "2025-10", FULL)
    arrears = finance.get(f"units/{unit.pk}/arrears").json()
    assert arrears["refundable"] == "18776.39"
    statement = finance.get(f"units/{unit.pk}/statement").json()
    assert month(statement, "2025-09")["outstanding"] == "0.00"
    assert month(statement, "2025-10")["outstanding"] == "21536.62"
    assert "ledger: every entry balances" in verify_ledger()


def test_a_payment_larger_than_what_is_due_settles_the_next_month(clerk, finance, unit_with_staff):
    unit, _people = unit_with_staff
    september = declare(clerk, unit, "2025-09", LOWER)
    payment = finance.post(
        f"units/{unit.pk}/payments",
        {"amount": "3000.00", "paid_on": september["due_on"], "reference": "B-1"},
    ).json()
    assert payment["overpaid"] == "239.77"
    assert finance.get(f"units/{unit.pk}/arrears").json()["refundable"] == "239.77"
    declare(clerk, unit, "2025-10", LOWER)
    statement = finance.get(f"units/{unit.pk}/statement").json()
    assert month(statement, "2025-10")["paid_principal"] == "239.77"
    assert month(statement, "2025-10")["outstanding"] == "2520.46"
    assert finance.get(f"units/{unit.pk}/arrears").json()["refundable"] == "0.00"
    assert "ledger: every entry balances" in verify_ledger()


def test_verify_finds_a_month_paid_beyond_what_is_due(clerk, finance, unit_with_staff, monkeypatch):
    """The state the old code left (the excess shown as a negative month, nothing
    refundable) passed verify; the check now compares what the API reports with the
    postings and fails."""
    unit, _people = unit_with_staff
    monkeypatch.setattr(
        "shebao.ledger.services.declarations.unit_credit_settle", lambda **kwargs: None
    )
    paid_in_full_then_lowered(clerk, finance, unit)
    problems = selectors.unit_money_problems(unit)
    assert problems and "receivable" in problems[0]
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify", "--check", "ledger_balances", stdout=out)
    assert f"unit {unit.pk}" in out.getvalue()


def test_a_credit_settles_an_assessed_month_too(api_as, clerk, finance, unit_with_staff):
    unit, _people = unit_with_staff
    september = declare(clerk, unit, "2025-09", LOWER)
    finance.post(
        f"units/{unit.pk}/payments",
        {"amount": "3000.00", "paid_on": september["due_on"], "reference": "B-1"},
    )
    with clock.frozen(datetime.date(2025, 12, 20)):
        finance = api_as("finance")  # a token of the day
        assessed = api_as("supervisor").post("declaration-assessments", {"period": "2025-10"})
        assert assessed.status_code == 201, assessed.json()
        [october] = assessed.json()["items"]
        statement = finance.get(f"units/{unit.pk}/statement").json()
        assert month(statement, "2025-10")["paid_principal"] == "239.77"
        expected = Decimal(october["total_due"]) - Decimal("239.77")
        assert Decimal(month(statement, "2025-10")["outstanding"]) == expected
        assert finance.get(f"units/{unit.pk}/arrears").json()["refundable"] == "0.00"
        assert "ledger: every entry balances" in verify_ledger()

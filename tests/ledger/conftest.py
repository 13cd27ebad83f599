import datetime
from decimal import Decimal

import pytest

from shebao.registry import services as registry
from tests.factories import citizen_id, registered_unit


@pytest.fixture
def staff(make_user):
    return make_user("ledgerclerk", "clerk")


@pytest.fixture
def finance_officer(make_user):
    """Records payments, assesses undeclared months and credits interest."""
    return make_user("ledgerfinance", "finance")


@pytest.fixture
def unit_with_staff(db, staff):
    """A registered Beijing unit with three employees since January 2025."""
    unit = registered_unit(staff, serial=1, name="Test Works")
    people = []
    for serial, wage in ((11, "8000.00"), (13, "3000.00"), (15, "60000.00")):
        employment = registry.employment_register(
            actor=staff,
            unit_id=unit.pk,
            citizen_id=citizen_id(serial),
            name=f"P{serial}",
            started_on=datetime.date(2025, 1, 2),
            monthly_wage=Decimal(wage),
            registered_on=datetime.date(2025, 1, 10),
        )
        people.append(employment.person)
    unit.refresh_from_db()
    return unit, people


def post_acknowledging(client, path, body):
    """POST ``body``; where the answer is ``warnings_not_acknowledged`` (an employee of the
    unit left out), send it again acknowledging them, as a user who checked them."""
    response = client.post(path, body)
    error = response.json().get("error", {}) if response.status_code == 409 else {}
    if error.get("code") == "warnings_not_acknowledged":
        checked = error["fields"]["acknowledge_warnings"].split(", ")
        response = client.post(path, {**body, "acknowledge_warnings": checked})
    return response

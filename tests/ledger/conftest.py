import datetime
from decimal import Decimal

import pytest
from stdnum.cn import ric, uscc

from shebao.registry import services as registry


def citizen_id(serial: int, birth="19900101", area="110105") -> str:
    body = f"{area}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(serial: int) -> str:
    body = f"91110000{serial:09d}"
    return body + uscc.calc_check_digit(body + "0")


@pytest.fixture
def staff(make_user):
    return make_user("ledgerclerk", "clerk")


@pytest.fixture
def unit_with_staff(db, staff):
    """A registered Beijing unit with three employees since January 2025."""
    unit = registry.unit_register(
        actor=staff,
        uscc=credit_code(1),
        name="Test Works",
        established_on=datetime.date(2024, 6, 3),
        region="cn-bj",
        industry_class=1,
        received_on=datetime.date(2024, 6, 20),
    )
    registry.unit_registration_approve(actor=staff, unit_id=unit.pk)
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

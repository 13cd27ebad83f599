"""Registry test data: units and persons registered through the services, with the valid
identity numbers of ``tests.factories``."""

import datetime

import pytest
from django.utils import translation

from shebao.registry import services
from tests.factories import id_number, uscc


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the API tests send Accept-Language: en anyway.
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(make_user):
    return make_user("clerk-registry", "clerk")


@pytest.fixture
def make_unit(clerk):
    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        values = {
            "actor": clerk,
            "uscc": uscc(counter["n"]),
            "name": f"Unit {counter['n']}",
            "established_on": datetime.date(2025, 1, 1),
            "region": "cn-bj",
            "received_on": datetime.date(2025, 1, 10),
        }
        values.update(overrides)
        return services.unit_register(**values)

    return make


@pytest.fixture
def registered_unit(make_unit, clerk):
    unit = make_unit()
    services.unit_registration_approve(actor=clerk, unit_id=unit.pk)
    unit.refresh_from_db()
    return unit


@pytest.fixture
def units(make_unit, clerk):
    """Two units registered in 2020, both approved."""
    made = []
    for _ in range(2):
        unit = make_unit(
            established_on=datetime.date(2020, 1, 6), received_on=datetime.date(2020, 1, 10)
        )
        services.unit_registration_approve(actor=clerk, unit_id=unit.pk)
        made.append(unit)
    return made


@pytest.fixture
def make_person(clerk):
    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        values = {
            "actor": clerk,
            "name": f"Person {counter['n']}",
            "citizen_id": id_number(sequence=f"{100 + counter['n']:03d}"),
        }
        values.update(overrides)
        return services.person_register(**values)

    return make

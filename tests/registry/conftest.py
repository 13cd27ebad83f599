"""Registry test data: valid identity numbers computed here (independently of the code
under test), and factories that go through the services."""

import datetime

import pytest
from django.utils import translation

from shebao.registry import services

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ric_check(body17: str) -> str:
    """ISO 7064 MOD 11-2: weights 2^(17-i) mod 11; X stands for 10."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def citizen_id(birth="19900307", area="110105", sequence="123") -> str:
    body = f"{area}{birth}{sequence}"
    return body + ric_check(body)


def uscc_check(body17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc(serial: int = 1) -> str:
    body = f"91110105MA{serial:07d}"
    return body + uscc_check(body)


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
def make_person(clerk):
    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        values = {
            "actor": clerk,
            "name": f"Person {counter['n']}",
            "citizen_id": citizen_id(sequence=f"{100 + counter['n']:03d}"),
        }
        values.update(overrides)
        return services.person_register(**values)

    return make


@pytest.fixture(scope="session")
def ids():
    """Builders of valid numbers: ``ids.citizen_id(birth, area, sequence)``, ``ids.uscc(n)``."""

    class Ids:
        pass

    builders = Ids()
    builders.citizen_id = citizen_id
    builders.uscc = uscc
    builders.ric_check = ric_check
    builders.uscc_check = uscc_check
    return builders

"""GET /certificates/{code}: anyone can check a certificate the agency issued."""

import datetime

import pytest
from django.utils import timezone

from shebao.documents.models import Certificate

CODE = "7K3MQ9TAB2C4D6E8"


@pytest.fixture
def certificate(db):
    return Certificate.objects.create(
        kind="unit_registration",
        number="SBDJ202500000007",
        verification_code=CODE,
        subject_type="registry.unit",
        subject_id="7",
        subject_masked="Example Trading Co. (913501********0Y43)",
        issued_on=datetime.date(2025, 10, 9),
        created_at=timezone.now(),
    )


def test_a_valid_certificate(anon, certificate):
    response = anon.get(f"certificates/{CODE}")
    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "kind": "unit_registration",
        "kind_name": "Social insurance registration record",
        "number": "SBDJ202500000007",
        "subject": "Example Trading Co. (913501********0Y43)",
        "issued_on": "2025-10-09",
        "revoked_on": None,
    }


def test_the_code_may_be_typed_in_groups_and_lower_case(anon, certificate):
    response = anon.get("certificates/7k3m-q9ta-b2c4-d6e8")
    assert response.status_code == 200
    assert response.json()["valid"] is True


def test_a_revoked_certificate_is_not_valid(anon, certificate):
    certificate.revoked_on = datetime.date(2025, 11, 1)
    certificate.save()
    answer = anon.get(f"certificates/{CODE}").json()
    assert answer["valid"] is False
    assert answer["revoked_on"] == "2025-11-01"


@pytest.mark.parametrize("code", ["ZZZZZZZZZZZZZZZZ", "short", "%20"])
def test_an_unknown_code_is_404_and_not_valid(anon, certificate, code):
    response = anon.get(f"certificates/{code}")
    assert response.status_code == 404
    body = response.json()
    assert body["valid"] is False
    assert body["error"]["code"] == "not_found"

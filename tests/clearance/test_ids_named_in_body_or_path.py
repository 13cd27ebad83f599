"""An id in the path names the record the request is about: none is a 404. An id in the
body names another record the request refers to: none is a 422 naming that field."""

import pytest

from tests.clearance.conftest import ok, open_self_case, upload

pytestmark = pytest.mark.django_db

MISSING = 987654


def _refused(response, status, field=None):
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    if field is not None:
        assert list(error["fields"]) == [field]
    return error


def test_a_debt_for_no_such_person_is_a_field_error(api):
    response = api.finance.post(
        "benefit-debts", {"person_id": MISSING, "amount": "10.00", "description": "overpaid"}
    )
    assert _refused(response, 422, "person_id")["fields"]["person_id"] == "no such person"


def test_a_fine_for_no_such_unit_is_a_field_error(api):
    response = api.finance.post(
        "unit-fines",
        {"unit_id": MISSING, "amount": "10.00", "decision_no": "D-1", "decided_on": "2025-01-02"},
    )
    assert _refused(response, 422, "unit_id")["fields"]["unit_id"] == "no such unit"


@pytest.mark.parametrize("subject_type", ["person", "unit"])
def test_a_case_for_no_such_subject_is_a_field_error(api, subject_type):
    response = api.clerk.post(
        "clearance-cases",
        {
            "subject_type": subject_type,
            "subject_id": MISSING,
            "reason": "death" if subject_type == "person" else "dissolution",
            "event_date": "2025-01-02",
        },
    )
    error = _refused(response, 422, "subject_id")
    assert error["fields"]["subject_id"] == f"no such {subject_type}"


def test_no_such_order_in_the_path_is_404(api):
    _refused(api.finance.post(f"disbursement-orders/{MISSING}/approve"), 404)


def test_no_such_material_in_the_path_is_404(api, staff, worker):
    case = open_self_case(staff, worker.person)
    material = ok(upload(api.clerk, case.pk, "foreign_nationality_proof"), 201)
    assert api.clerk.get(f"clearance-cases/{case.pk}/materials/{material['id']}").status_code == 200
    _refused(api.clerk.get(f"clearance-cases/{case.pk}/materials/{MISSING}"), 404)

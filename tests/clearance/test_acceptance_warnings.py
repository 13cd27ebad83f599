"""A clearance accepted while the person still has an open employment: the clerk
acknowledges the warning by its id, and the audit trail records who acknowledged what.

Regression: the case was accepted silently while the unit had never reported the end of
the person's employment."""

import datetime

import pytest

from shebao.audit.selectors import history_for
from shebao.clearance.models import ClearanceCase

from .conftest import drive, ok, open_self_case

D = datetime.date

pytestmark = pytest.mark.django_db


def test_accepting_a_case_of_a_person_still_employed_needs_the_acknowledgement(
    api, api_as, staff, worker
):
    case = drive(staff, open_self_case(staff, worker.person).pk, until="submitted")
    refused = api.clerk.post(f"clearance-cases/{case.pk}/accept")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "warnings_not_acknowledged"
    warning_id = error["fields"]["acknowledge_warnings"]
    assert warning_id.startswith("open_employment-")
    assert worker.unit.name in error["fields"][f"warnings.{warning_id}"]
    assert "open employment" in error["message"]
    assert ClearanceCase.objects.get(pk=case.pk).status == "submitted"

    chinese = api_as("clerk", user=staff.clerk, language="zh-hans").post(
        f"clearance-cases/{case.pk}/accept"
    )
    message = chinese.json()["error"]["message"]
    assert "在职" in message and "open_employment" not in message

    accepted = ok(
        api.clerk.post(f"clearance-cases/{case.pk}/accept", {"acknowledge_warnings": [warning_id]})
    )
    assert accepted["status"] == "accepted"
    (event,) = [
        e for e in history_for("clearance.clearancecase", case.pk) if e.action == "clearance.accept"
    ]
    assert [w["id"] for w in event.data["acknowledged_warnings"]] == [warning_id]
    assert event.actor_id == staff.clerk.pk


def test_no_warning_once_the_employment_ended(api, staff, world, worker):
    world.end(worker.person, worker.unit, D(2025, 9, 30))
    case = drive(staff, open_self_case(staff, worker.person).pk, until="submitted")
    accepted = ok(api.clerk.post(f"clearance-cases/{case.pk}/accept"))
    assert accepted["status"] == "accepted"

"""Checks a clerk expects when registering persons and employments: a person registered
from an unknown ID number without a name, and a second open employment of one person (a
duplicate enrolment) are warnings the clerk acknowledges by id; the acknowledgement is in
the audit trail with who gave it.

Regression: both went through silently (a nameless person; the same person enrolled by
two units at once with no one looking)."""

import datetime

import pytest

from shebao.audit.selectors import history_for
from shebao.registry import services
from shebao.registry.models import Employment, Person
from tests.factories import id_number

D = datetime.date
EMPLOYMENT = {"started_on": "2025-11-03", "monthly_wage": "7000.00"}


@pytest.fixture
def clerk_api(api_as, clerk):
    return api_as("clerk", user=clerk)


def _acknowledged(event) -> list[str]:
    return [w["id"] for w in event.data.get("acknowledged_warnings", [])]


@pytest.mark.django_db
def test_person_registered_without_a_name_is_a_warning_to_acknowledge(
    clerk_api, api_as, clerk, units
):
    """Regression: an employment registered from an ID number the registry did not know,
    without a name, created a nameless person unasked."""
    number = id_number("19910304", "110105", "071")
    body = {"citizen_id": number, **EMPLOYMENT}
    refused = clerk_api.post(f"units/{units[0].pk}/employments", body)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "warnings_not_acknowledged"
    (warning_id,) = error["fields"]["acknowledge_warnings"].split(", ")
    assert warning_id.startswith("person_without_name-")
    assert "without a name" in error["fields"][f"warnings.{warning_id}"]
    assert "without a name" in error["message"] and number not in error["message"]
    # Nothing was written: neither the person nor the employment.
    assert not Person.objects.filter(citizen_id=number).exists()
    assert not Employment.objects.exists()
    # In Chinese, with no code in it.
    chinese = api_as("clerk", user=clerk, language="zh-hans").post(
        f"units/{units[0].pk}/employments", body
    )
    message = chinese.json()["error"]["message"]
    assert "姓名" in message and "person_without_name" not in message
    assert chinese.json()["error"]["fields"]["acknowledge_warnings"] == warning_id

    created = clerk_api.post(
        f"units/{units[0].pk}/employments", {**body, "acknowledge_warnings": [warning_id]}
    )
    assert created.status_code == 201, created.json()
    person = Person.objects.get(citizen_id=number)
    assert person.name == ""
    (event,) = [
        e
        for e in history_for("registry.employment", created.json()["id"])
        if e.action == "employment.registered"
    ]
    assert _acknowledged(event) == [warning_id]
    assert event.actor_id == clerk.pk


@pytest.mark.django_db
def test_a_name_given_or_a_known_person_needs_no_acknowledgement(clerk_api, units):
    number = id_number("19910304", "110105", "071")
    named = clerk_api.post(
        f"units/{units[0].pk}/employments", {"citizen_id": number, "name": "赵敏", **EMPLOYMENT}
    )
    assert named.status_code == 201
    event = history_for("registry.employment", named.json()["id"])[-1]
    assert "acknowledged_warnings" not in event.data


@pytest.mark.django_db
def test_second_open_employment_is_a_duplicate_enrolment_warning(clerk_api, clerk, units):
    """Regression: a clerk enrolled a person at a second unit while the first employment
    was open, with no warning."""
    number = id_number("19880808", "110105", "081")
    first = services.employment_register(
        actor=clerk,
        unit_id=units[1].pk,
        citizen_id=number,
        name="钱进",
        started_on=D(2025, 1, 6),
        monthly_wage="9000.00",
    )
    body = {"citizen_id": number, **EMPLOYMENT}
    refused = clerk_api.post(f"units/{units[0].pk}/employments", body)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "warnings_not_acknowledged"
    warning_id = error["fields"]["acknowledge_warnings"]
    assert warning_id.startswith("employed_elsewhere-")
    assert units[1].name in error["fields"][f"warnings.{warning_id}"]
    assert Employment.objects.filter(unit=units[0]).count() == 0

    # A wrong id acknowledges nothing.
    wrong = clerk_api.post(
        f"units/{units[0].pk}/employments", {**body, "acknowledge_warnings": ["other-1"]}
    )
    assert wrong.status_code == 409
    created = clerk_api.post(
        f"units/{units[0].pk}/employments", {**body, "acknowledge_warnings": [warning_id]}
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    event = history_for("registry.employment", created.json()["id"])[-1]
    assert _acknowledged(event) == [warning_id] and event.actor_id == clerk.pk

    # Once the first employment ended, a new one elsewhere raises no warning.
    services.employment_end(
        actor=clerk, employment_id=first.pk, ended_on=D(2025, 11, 5), reason="resignation"
    )
    services.employment_end(
        actor=clerk,
        employment_id=created.json()["id"],
        ended_on=D(2025, 11, 6),
        reason="resignation",
    )
    again = clerk_api.post(f"units/{units[1].pk}/employments", {**body, "started_on": "2025-11-10"})
    assert again.status_code == 201, again.json()


@pytest.mark.django_db
def test_confirming_an_employment_of_a_person_employed_elsewhere_is_acknowledged(
    clerk_api, api_as, make_user, clerk, units
):
    """A unit's employment of a person employed elsewhere waits for the agency; the
    clerk who confirms it acknowledges the duplicate enrolment, and the audit says so."""
    number = id_number("19880808", "110105", "081")
    services.employment_register(
        actor=clerk,
        unit_id=units[1].pk,
        citizen_id=number,
        name="钱进",
        started_on=D(2025, 1, 6),
        monthly_wage="9000.00",
    )
    user = make_user("hr-warn", "unit_rep")
    services.unit_representative_add(actor=None, unit_id=units[0].pk, user=user)
    hr = api_as("unit_rep", user=user)
    waiting = hr.post(
        f"units/{units[0].pk}/employments", {"citizen_id": number, "name": "钱进", **EMPLOYMENT}
    )
    assert waiting.status_code == 201
    assert waiting.json()["status"] == "pending_confirmation"
    employment_id = waiting.json()["id"]

    refused = clerk_api.post(f"employments/{employment_id}/confirm")
    assert refused.status_code == 409
    warning_id = refused.json()["error"]["fields"]["acknowledge_warnings"]
    assert Employment.objects.get(pk=employment_id).status == "pending_confirmation"
    confirmed = clerk_api.post(
        f"employments/{employment_id}/confirm", {"acknowledge_warnings": [warning_id]}
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "open"
    event = history_for("registry.employment", employment_id)[-1]
    assert event.action == "employment.confirmed"
    assert _acknowledged(event) == [warning_id] and event.actor_id == clerk.pk

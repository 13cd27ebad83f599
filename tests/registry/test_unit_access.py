"""What a unit representative may do with a person it does not employ.

Regression (finding 7 of the security review): as ``hr`` of unit 1, registering an
employment for a person employed at unit 2 answered 422 "does not match the registered
name" (a name oracle), then 201 without a name, showing the name; ``hr`` could then read
that person's record and open a death case on them with heirs of its own choosing.
"""

import datetime
import json

import pytest
from django.utils import translation

from shebao.registry import services
from shebao.registry.models import Employment
from tests.factories import id_number

D = datetime.date
NAME = "王秀英"
EMPLOYMENT = {"started_on": "2025-11-03", "monthly_wage": "7000.00"}
NEUTRAL = "no employee with this ID number at the unit in 2025-10"


@pytest.fixture
def stranger(units, clerk):
    """A person employed at the second unit since 2025-01 (declared there)."""
    number = id_number("19850612", "110105", "031")
    employment = services.employment_register(
        actor=clerk,
        unit_id=units[1].pk,
        citizen_id=number,
        name=NAME,
        started_on=D(2025, 1, 6),
        monthly_wage="9000.00",
    )
    return employment.person


@pytest.fixture
def hr(api_as, make_user, units):
    user = make_user("hr", "unit_rep")
    services.unit_representative_add(actor=None, unit_id=units[0].pk, user=user)
    return api_as("unit_rep", user=user)


@pytest.fixture
def clerk_api(api_as, clerk):
    return api_as("clerk", user=clerk)


def employ(client, unit, citizen_id, name=None, **extra):
    body = {"citizen_id": citizen_id, **EMPLOYMENT, **extra}
    if name is not None:
        body["name"] = name
    return client.post(f"units/{unit.pk}/employments", body)


def never_shows(name, *responses):
    for response in responses:
        assert name not in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.django_db
def test_a_wrong_name_is_no_oracle_and_no_name_is_refused(hr, units, stranger):
    """Regression: a wrong name answered "does not match the registered name", and no
    name answered 201 with the registered one."""
    wrong = employ(hr, units[0], stranger.citizen_id, name="李雷")
    assert wrong.status_code == 201, wrong.json()
    assert wrong.json()["status"] == "pending_confirmation"
    assert wrong.json()["person_name"] is None
    nameless = employ(hr, units[0], stranger.citizen_id)
    assert nameless.status_code == 422
    assert list(nameless.json()["error"]["fields"]) == ["name"]
    never_shows(NAME, wrong, nameless)


@pytest.mark.django_db
def test_employing_someone_employed_elsewhere_waits_for_the_agency(
    hr, units, stranger, clerk_api, api_as, make_user
):
    """Regression: the employment of another unit's employee gave the unit their record;
    now it waits for a clerk's confirmation, and until then the unit sees no name, no
    record and cannot declare them."""
    response = employ(hr, units[0], stranger.citizen_id, name=NAME)
    assert response.status_code == 201, response.json()
    body = response.json()
    # The contract's shape, with the state added.
    assert {"id", "registration_due_on", "registered_on", "late"} <= set(body)
    assert body["status"] == "pending_confirmation" and body["person_name"] is None
    assert hr.get(f"persons/{stranger.pk}").status_code == 404
    shown = hr.get(f"employments/{body['id']}")
    assert shown.status_code == 200 and shown.json()["person_name"] is None
    listed = hr.get(f"units/{units[0].pk}/employments").json()["items"]
    assert [e["person_name"] for e in listed] == [None]
    never_shows(NAME, response, shown)
    # The person sees, in their own record, the employment a unit claims.
    user = make_user("stranger", "person")
    services.person_link_user(actor=None, person_id=stranger.pk, user=user)
    own = api_as("person", user=user).get(f"persons/{stranger.pk}/employments").json()
    assert "pending_confirmation" in [e["status"] for e in own["items"]]
    declared = hr.post(
        f"units/{units[0].pk}/declarations",
        {"period": "2025-11", "lines": [{"citizen_id": stranger.citizen_id, "wage": "7000"}]},
    )
    assert declared.status_code == 422
    # A clerk sees why it waits, and confirms it: the unit now employs the person.
    staff_view = clerk_api.get(f"employments/{body['id']}").json()
    assert staff_view["confirmation_reason"] == "employed_elsewhere"
    assert staff_view["person_name"] == NAME
    queue = clerk_api.get("employments", {"status": "pending_confirmation"}).json()
    assert [e["id"] for e in queue["items"]] == [body["id"]]
    assert hr.post(f"employments/{body['id']}/confirm").status_code == 403
    # The person works elsewhere: the clerk acknowledges the duplicate enrolment.
    warned = clerk_api.post(f"employments/{body['id']}/confirm")
    assert warned.status_code == 409
    warning_id = warned.json()["error"]["fields"]["acknowledge_warnings"]
    confirmed = clerk_api.post(
        f"employments/{body['id']}/confirm", {"acknowledge_warnings": [warning_id]}
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "open"
    assert hr.get(f"persons/{stranger.pk}").json()["name"] == NAME
    assert clerk_api.post(f"employments/{body['id']}/confirm").status_code == 409


@pytest.mark.django_db
def test_a_refused_employment_gives_nothing(hr, units, stranger, clerk_api):
    body = employ(hr, units[0], stranger.citizen_id, name="李雷").json()
    assert clerk_api.post(f"employments/{body['id']}/refuse", {}).status_code == 422
    refused = clerk_api.post(
        f"employments/{body['id']}/refuse", {"reason": "the name does not match"}
    )
    assert refused.status_code == 200, refused.json()
    assert refused.json()["status"] == "refused"
    assert hr.get(f"persons/{stranger.pk}").status_code == 404
    assert hr.get(f"employments/{body['id']}").json()["person_name"] is None
    # The unit may ask again; the refused request does not block it.
    again = employ(hr, units[0], stranger.citizen_id, name=NAME)
    assert again.status_code == 201 and again.json()["status"] == "pending_confirmation"


@pytest.mark.django_db
def test_new_and_free_persons_are_employed_at_once(hr, units, clerk):
    """A unit may still register a new person, and employ a registered one who works
    nowhere else, without waiting."""
    new = employ(hr, units[0], id_number("19920101", "110105", "051"), name="新员工")
    assert new.status_code == 201 and new.json()["status"] == "open"
    assert new.json()["person_name"] == "新员工"
    free = services.person_register(
        actor=clerk, citizen_id=id_number("19930101", "110105", "061"), name="待业者"
    )
    hired = employ(hr, units[0], free.citizen_id, name="待业者")
    assert hired.status_code == 201 and hired.json()["status"] == "open"
    assert hr.get(f"persons/{free.pk}").status_code == 200


@pytest.mark.django_db
def test_a_unit_representative_opens_no_case_on_a_person(hr, units, stranger, clerk):
    """Regression: ``hr`` opened a death case on a stranger with heirs of its choosing.
    A person's case is opened by the agency or the person; a unit opens its own case."""
    mine = employ(hr, units[0], id_number("19920101", "110105", "051"), name="新员工")
    for subject_id in (stranger.pk, mine.json()["person_id"]):
        refused = hr.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": subject_id,
                "reason": "death",
                "event_date": "2025-11-01",
            },
        )
        assert refused.status_code == 403, refused.json()
    own_unit = hr.post(
        "clearance-cases",
        {
            "subject_type": "unit",
            "subject_id": units[0].pk,
            "reason": "dissolved",
            "event_date": "2025-11-10",
        },
    )
    assert own_unit.status_code == 201, own_unit.json()


@pytest.mark.django_db
def test_former_employees_are_seen_for_the_retention_period_only(hr, units, clerk):
    def former(serial, started, ended):
        employment = services.employment_register(
            actor=clerk,
            unit_id=units[0].pk,
            citizen_id=id_number("19800101", "110105", serial),
            name=f"Former {serial}",
            started_on=started,
            monthly_wage="6000.00",
            registered_on=started,
        )
        services.employment_end(
            actor=clerk, employment_id=employment.pk, ended_on=ended, reason="resignation"
        )
        return employment

    recent = former("071", D(2023, 1, 2), D(2025, 6, 30))
    old = former("072", D(2020, 2, 3), D(2023, 9, 30))  # more than 24 months ago
    assert hr.get(f"persons/{recent.person_id}").status_code == 200
    assert hr.get(f"persons/{old.person_id}").status_code == 404
    assert hr.get(f"employments/{old.pk}").status_code == 404
    listed = hr.get(f"units/{units[0].pk}/employments").json()["items"]
    assert [e["id"] for e in listed] == [recent.pk]


@pytest.mark.django_db
def test_declarations_answer_the_same_whatever_the_reason(hr, units, stranger, clerk):
    """Regression: "no person registered" versus "no employment at the unit" told
    whether an ID number exists; now one neutral answer."""
    employed = employ(hr, units[0], id_number("19920101", "110105", "051"), name="A")
    assert employed.json()["status"] == "open"
    pending = services.person_register(
        actor=clerk, citizen_id=id_number("19940101", "110105", "081"), name="B"
    )
    services.employment_register(
        actor=clerk,
        unit_id=units[1].pk,
        person_id=pending.pk,
        started_on=D(2025, 1, 6),
        monthly_wage="5000.00",
    )
    assert employ(hr, units[0], pending.citizen_id, name="B").json()["status"] == (
        "pending_confirmation"
    )
    unknown = id_number("19700101", "110105", "091")
    lines = [
        {"citizen_id": unknown, "wage": "7000"},
        {"citizen_id": stranger.citizen_id, "wage": "7000"},
        {"citizen_id": pending.citizen_id, "wage": "7000"},
    ]
    response = hr.post(f"units/{units[0].pk}/declarations", {"period": "2025-10", "lines": lines})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields == {f"lines.{n}.citizen_id": NEUTRAL for n in range(3)}


def test_the_neutral_answer_is_in_chinese():
    from shebao.ledger.declarations import NOT_AN_EMPLOYEE

    with translation.override("zh-hans"):
        text = str(NOT_AN_EMPLOYEE % {"period": "2025-10"})
    assert "2025-10" in text and "employee" not in text


@pytest.mark.django_db
def test_staff_still_see_the_name_mismatch(clerk_api, units, stranger):
    """Staff see every record: for them a wrong name stays a plain refusal."""
    refused = employ(clerk_api, units[0], stranger.citizen_id, name="李雷")
    assert refused.status_code == 422 and "name" in refused.json()["error"]["fields"]
    assert not Employment.objects.filter(unit=units[0]).exists()


@pytest.mark.django_db
def test_an_uploaded_declaration_answers_the_same_too(hr, units, stranger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unknown = id_number("19700101", "110105", "091")
    data = f"citizen_id,wage\n{unknown},7000\n{stranger.citizen_id},7000\n".encode()
    response = hr.client.post(
        f"/api/v1/units/{units[0].pk}/declarations/upload",
        {"period": "2025-10", "file": SimpleUploadedFile("w.csv", data)},
        headers=hr.headers,
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields == {"row 2.citizen_id": NEUTRAL, "row 3.citizen_id": NEUTRAL}

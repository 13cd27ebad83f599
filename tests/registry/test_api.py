"""The registry API: contract shapes, refusals as JSON errors, who may see what."""

import pytest

from shebao.audit.selectors import history_for
from shebao.registry import services
from tests.factories import id_number, uscc

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"


@pytest.fixture
def clerk_api(api_as):
    return api_as("clerk")


@pytest.fixture
def unit_json():
    return {
        "uscc": uscc(1),
        "name": "北京华信科技有限公司",
        "established_on": "2025-09-05",
        "region": "cn-bj",
    }


@pytest.fixture
def unit_id(clerk_api, unit_json):
    response = clerk_api.post("units", unit_json)
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def employment(clerk_api, unit_id):
    response = clerk_api.post(
        f"units/{unit_id}/employments",
        {
            "citizen_id": FULL_ID,
            "name": "张伟",
            "started_on": "2025-10-08",
            "monthly_wage": "12000.00",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def rep_of(api_as, make_user, unit_id, name="hr"):
    user = make_user(name, "unit_rep")
    services.unit_representative_add(actor=None, unit_id=unit_id, user=user)
    return api_as("unit_rep", user=user)


def person_client(api_as, make_user, person_id, name="citizen"):
    user = make_user(name, "person")
    services.person_link_user(actor=None, person_id=person_id, user=user)
    return api_as("person", user=user)


# Units ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_unit_contract(clerk_api, unit_json):
    response = clerk_api.post("units", unit_json)
    assert response.status_code == 201
    body = response.json()
    assert body["uscc"] == unit_json["uscc"]
    assert body["status"] == "pending"
    assert body["registration_due_on"] == "2025-10-09"
    assert body["registration_late"] is True  # received today, 2025-11-14
    assert body["decision_due_on"] == "2025-12-01"
    assert body["name"] == unit_json["name"]
    assert body["region"] == "cn-bj"
    assert isinstance(body["id"], int)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"established_on": "2025-02-30"}, "established_on"),
        ({"established_on": "05/09/2025"}, "established_on"),
        ({"established_on": 1757030400}, "established_on"),
        ({"established_on": "2030-01-01"}, "established_on"),
        ({"uscc": "91110105MA00000011"}, "uscc"),
        ({"region": "mars"}, "region"),
        ({"name": ""}, "name"),
    ],
)
def test_post_unit_refusals(clerk_api, unit_json, change, field):
    response = clerk_api.post("units", {**unit_json, **change})
    assert response.status_code == 422
    error = response.json()["error"]
    assert field in error["fields"]
    assert error["message"]
    assert clerk_api.get("units").json()["count"] == 0


@pytest.mark.django_db
def test_post_unit_missing_field_and_duplicate(clerk_api, unit_json):
    missing = clerk_api.post("units", {k: v for k, v in unit_json.items() if k != "region"})
    assert missing.status_code == 422
    assert "region" in missing.json()["error"]["fields"]
    assert clerk_api.post("units", unit_json).status_code == 201
    duplicate = clerk_api.post("units", unit_json)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_unit"


@pytest.mark.django_db
def test_roles_that_may_not_create_units(api_as, unit_json, anon):
    assert anon.post("units", unit_json).status_code == 401
    for role in ("auditor", "finance", "unit_rep", "person"):
        response = api_as(role).post("units", unit_json)
        assert response.status_code == 403, role
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.django_db
def test_unit_list_is_paginated(clerk_api):
    for n in range(1, 6):
        clerk_api.post(
            "units",
            {
                "uscc": uscc(n),
                "name": f"U{n}",
                "established_on": "2025-11-01",
                "region": "cn-bj",
            },
        )
    page = clerk_api.get("units", {"page": 2, "page_size": 2}).json()
    assert page["count"] == 5
    assert [u["name"] for u in page["items"]] == ["U3", "U4"]
    assert clerk_api.get("units", {"page_size": 201}).status_code == 422
    assert clerk_api.get("units", {"page": 0}).status_code == 422
    assert clerk_api.get("units", {"page": "x"}).status_code == 422
    assert clerk_api.get("units", {"status": "registered"}).json()["count"] == 0


@pytest.mark.django_db
def test_approve_returns_the_certificate(clerk_api, unit_id):
    response = clerk_api.post(f"units/{unit_id}/registration/approve")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "SBDJ202500000001"
    assert len(body["verification_code"]) == 16
    assert body["issued_on"] == "2025-11-14"
    assert body["kind"] == "unit_registration"
    assert clerk_api.get(f"units/{unit_id}").json()["status"] == "registered"
    again = clerk_api.post(f"units/{unit_id}/registration/approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "wrong_state"


@pytest.mark.django_db
def test_reject_needs_a_reason(clerk_api, unit_id):
    assert clerk_api.post(f"units/{unit_id}/registration/reject", {}).status_code == 422
    response = clerk_api.post(f"units/{unit_id}/registration/reject", {"reason": "No licence"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "No licence"


@pytest.mark.django_db
def test_unknown_unit_is_404(clerk_api):
    assert clerk_api.get("units/999").status_code == 404
    assert clerk_api.post("units/999/registration/approve").status_code == 404


@pytest.mark.django_db
def test_unit_rep_sees_only_their_own_unit(api_as, make_user, clerk_api, unit_id):
    other = clerk_api.post(
        "units",
        {"uscc": uscc(2), "name": "Other", "established_on": "2025-11-01", "region": "cn-bj"},
    ).json()["id"]
    rep = rep_of(api_as, make_user, unit_id)
    assert rep.get(f"units/{unit_id}").status_code == 200
    assert rep.get(f"units/{other}").status_code == 404
    assert rep.get("units").status_code == 403  # the list is for staff
    assert rep.post(f"units/{unit_id}/registration/approve").status_code == 403


# Persons -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_person_citizen_contract(clerk_api):
    response = clerk_api.post("persons", {"citizen_id": FULL_ID, "name": "王芳"})
    assert response.status_code == 201
    body = response.json()
    assert body["birth_date"] == "1949-12-31"
    assert body["sex"] == "F"
    assert body["citizen_id"] == MASKED_ID
    assert FULL_ID not in response.content.decode()
    assert isinstance(body["id"], int)


@pytest.mark.django_db
def test_post_person_foreigner_contract(clerk_api):
    response = clerk_api.post(
        "persons",
        {
            "passport_no": "C01X00T47",
            "nationality": "DEU",
            "name": "Anna Becker",
            "birth_date": "1987-04-12",
            "sex": "F",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["birth_date"], body["sex"], body["nationality"]) == ("1987-04-12", "F", "DEU")
    assert body["passport_no"] != "C01X00T47"
    assert body["citizen_id"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"citizen_id": "110105194912310021", "name": "x"}, 422, "citizen_id"),
        ({"citizen_id": "11010519490231002X", "name": "x"}, 422, "citizen_id"),
        ({"passport_no": "C01X00T47", "name": "x", "birth_date": "1987-02-30"}, 422, "birth_date"),
        ({"passport_no": "C01X00T47", "name": "x", "nationality": "ZZZ"}, 422, "nationality"),
        ({"citizen_id": FULL_ID}, 422, "name"),
    ],
)
def test_post_person_refusals(clerk_api, payload, status, field):
    response = clerk_api.post("persons", payload)
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_post_person_duplicate_is_409(clerk_api):
    clerk_api.post("persons", {"citizen_id": FULL_ID, "name": "王芳"})
    response = clerk_api.post("persons", {"citizen_id": FULL_ID, "name": "王芳"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_person"


@pytest.mark.django_db
def test_staff_see_masked_ids_and_reveal_is_audited(api_as, clerk_api):
    person_id = clerk_api.post("persons", {"citizen_id": FULL_ID, "name": "王芳"}).json()["id"]
    auditor = api_as("auditor")
    shown = auditor.get(f"persons/{person_id}").json()
    assert shown["citizen_id"] == MASKED_ID
    assert shown["id_revealed"] is False
    assert "person.id_revealed" not in [e.action for e in history_for("registry.person", person_id)]
    revealed = auditor.get(f"persons/{person_id}", {"reveal_id": "true"}).json()
    assert revealed["citizen_id"] == FULL_ID
    assert revealed["id_revealed"] is True
    event = history_for("registry.person", person_id)[-1]
    assert (event.action, event.actor_name) == ("person.id_revealed", auditor.user.username)


@pytest.mark.django_db
def test_staff_search_by_exact_citizen_id(clerk_api):
    clerk_api.post("persons", {"citizen_id": FULL_ID, "name": "王芳"})
    found = clerk_api.get("persons", {"citizen_id": "11010519491231002x"}).json()
    assert found["count"] == 1
    assert found["items"][0]["citizen_id"] == MASKED_ID
    assert clerk_api.get("persons", {"citizen_id": "110105"}).json()["count"] == 0


@pytest.mark.django_db
def test_a_person_sees_only_themselves(api_as, make_user, clerk_api, employment):
    person_id = employment["person_id"]
    other_id = clerk_api.post(
        "persons", {"citizen_id": id_number("19880229", "440106", "011"), "name": "Other"}
    ).json()["id"]
    me = person_client(api_as, make_user, person_id)
    assert me.get(f"persons/{person_id}").json()["citizen_id"] == MASKED_ID
    assert me.get(f"persons/{other_id}").status_code == 404
    assert me.get(f"persons/{person_id}", {"reveal_id": "true"}).status_code == 403
    assert me.get("persons").status_code == 403
    mine = me.get(f"persons/{person_id}/employments").json()
    assert [e["id"] for e in mine["items"]] == [employment["id"]]
    assert me.get(f"employments/{employment['id']}").status_code == 200
    assert me.get(f"persons/{person_id}/history").status_code == 403


@pytest.mark.django_db
def test_unit_rep_sees_only_their_employees(api_as, make_user, clerk_api, unit_id, employment):
    other_id = clerk_api.post(
        "persons", {"citizen_id": id_number("19880229", "440106", "011"), "name": "Other"}
    ).json()["id"]
    rep = rep_of(api_as, make_user, unit_id)
    assert rep.get(f"persons/{employment['person_id']}").status_code == 200
    assert rep.get(f"persons/{other_id}").status_code == 404
    assert rep.get(f"units/{unit_id}/employments").json()["count"] == 1


# Employments ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_employment_contract(employment):
    assert employment["registration_due_on"] == "2025-11-07"
    assert employment["registered_on"] == "2025-11-14"
    assert employment["late"] is True
    assert employment["monthly_wage"] == "12000.00"
    assert employment["citizen_id"] == MASKED_ID
    assert isinstance(employment["id"], int)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"monthly_wage": 12000.5}, "monthly_wage"),
        ({"monthly_wage": "0.00"}, "monthly_wage"),
        ({"monthly_wage": "-5"}, "monthly_wage"),
        ({"monthly_wage": "lots"}, "monthly_wage"),
        ({"started_on": "2025-02-29"}, "started_on"),
        ({"started_on": "2025-09-01"}, "started_on"),  # before the unit was established
        ({"started_on": "2025-12-01"}, "started_on"),
        ({"citizen_id": "110105194912310021"}, "citizen_id"),
    ],
)
def test_post_employment_refusals(clerk_api, unit_id, change, field):
    payload = {"citizen_id": FULL_ID, "started_on": "2025-10-08", "monthly_wage": "12000.00"}
    response = clerk_api.post(f"units/{unit_id}/employments", {**payload, **change})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert clerk_api.get(f"units/{unit_id}/employments").json()["count"] == 0


@pytest.mark.django_db
def test_integer_wage_is_refused_and_whole_yuan_text_taken(clerk_api, unit_id):
    """Money is a decimal string, never a JSON number (a JSON integer was taken before)."""
    number = clerk_api.post(
        f"units/{unit_id}/employments",
        {"citizen_id": FULL_ID, "started_on": "2025-10-08", "monthly_wage": 8000},
    )
    assert number.status_code == 422
    assert "monthly_wage" in number.json()["error"]["fields"]
    response = clerk_api.post(
        f"units/{unit_id}/employments",
        {"citizen_id": FULL_ID, "name": "张伟", "started_on": "2025-10-08", "monthly_wage": "8000"},
    )
    assert response.status_code == 201
    assert response.json()["monthly_wage"] == "8000.00"


@pytest.mark.django_db
def test_second_open_employment_is_409(clerk_api, unit_id, employment):
    response = clerk_api.post(
        f"units/{unit_id}/employments",
        {"citizen_id": FULL_ID, "started_on": "2025-11-01", "monthly_wage": "12000.00"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "employment_open"


@pytest.mark.django_db
def test_unit_rep_registers_and_ends_only_at_their_own_unit(api_as, make_user, clerk_api, unit_id):
    other = clerk_api.post(
        "units",
        {"uscc": uscc(2), "name": "Other", "established_on": "2025-10-01", "region": "cn-bj"},
    ).json()["id"]
    rep = rep_of(api_as, make_user, unit_id)
    # A unit names the person it registers (the name is how it vouches for the number).
    payload = {
        "citizen_id": FULL_ID,
        "name": "新员工",
        "started_on": "2025-11-10",
        "monthly_wage": "7000.00",
    }
    assert rep.post(f"units/{other}/employments", payload).status_code == 404
    created = rep.post(f"units/{unit_id}/employments", payload)
    assert created.status_code == 201
    assert created.json()["late"] is False
    # The person now works at the unit: a clerk employing them elsewhere acknowledges it.
    warned = clerk_api.post(f"units/{other}/employments", payload).json()["error"]
    assert warned["code"] == "warnings_not_acknowledged"
    other_employment = clerk_api.post(
        f"units/{other}/employments",
        {**payload, "acknowledge_warnings": [warned["fields"]["acknowledge_warnings"]]},
    ).json()
    end = {"ended_on": "2025-11-13", "reason": "resignation"}
    assert rep.post(f"employments/{other_employment['id']}/end", end).status_code == 404
    ended = rep.post(f"employments/{created.json()['id']}/end", end)
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"


@pytest.mark.django_db
def test_end_employment(clerk_api, employment):
    path = f"employments/{employment['id']}/end"
    assert (
        clerk_api.post(path, {"ended_on": "2025-10-01", "reason": "resignation"}).status_code == 422
    )
    bad_reason = clerk_api.post(path, {"ended_on": "2025-11-13", "reason": "bored"})
    assert bad_reason.status_code == 422
    assert "reason" in bad_reason.json()["error"]["fields"]
    response = clerk_api.post(path, {"ended_on": "2025-11-13", "reason": "resignation"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["ended_on"], body["end_reason"]) == (
        "ended",
        "2025-11-13",
        "resignation",
    )
    assert body["end_report_due_on"] == "2025-11-28"
    again = clerk_api.post(path, {"ended_on": "2025-11-13", "reason": "resignation"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_ended"


@pytest.mark.django_db
def test_histories_for_staff_only(api_as, make_user, clerk_api, unit_id, employment):
    clerk_api.post(
        f"employments/{employment['id']}/end", {"ended_on": "2025-11-13", "reason": "resignation"}
    )
    history = clerk_api.get(f"employments/{employment['id']}/history").json()["items"]
    assert [e["action"] for e in history] == ["employment.registered", "employment.ended"]
    assert history[1]["data"]["changes"]["ended_on"] == {"before": None, "after": "2025-11-13"}
    unit_history = clerk_api.get(f"units/{unit_id}/history").json()["items"]
    assert unit_history[0]["action"] == "unit.registration_received"
    person_history = clerk_api.get(f"persons/{employment['person_id']}/history").json()["items"]
    assert person_history[0]["action"] == "person.registered"
    assert FULL_ID not in str(person_history)
    rep = rep_of(api_as, make_user, unit_id)
    assert rep.get(f"units/{unit_id}/history").status_code == 403
    assert clerk_api.get("employments/999/history").status_code == 404


@pytest.mark.django_db
def test_full_number_appears_nowhere_but_in_the_reveal(clerk_api, unit_id, employment):
    person_id = employment["person_id"]
    for path in (
        f"units/{unit_id}/employments",
        f"employments/{employment['id']}",
        f"persons/{person_id}",
        f"persons/{person_id}/employments",
        "persons",
        f"persons/{person_id}/history",
    ):
        response = clerk_api.get(path)
        assert response.status_code == 200, path
        assert FULL_ID not in response.content.decode(), path


@pytest.mark.django_db
def test_openapi_documents_the_registry(anon):
    schema = anon.get("openapi.json").json()
    for path in (
        "/api/v1/units",
        "/api/v1/units/{unit_id}/registration/approve",
        "/api/v1/persons/{person_id}",
        "/api/v1/units/{unit_id}/employments",
        "/api/v1/employments/{employment_id}/end",
        "/api/v1/compliance",
    ):
        assert path in schema["paths"], path
    unit_in = schema["components"]["schemas"]["UnitIn"]["properties"]
    assert unit_in["established_on"]["format"] == "date"


@pytest.mark.django_db
def test_unit_rep_cannot_name_a_stranger_by_person_id(api_as, make_user, clerk_api, unit_id):
    stranger = clerk_api.post(
        "persons", {"citizen_id": id_number("19880229", "440106", "011"), "name": "S"}
    ).json()["id"]
    rep = rep_of(api_as, make_user, unit_id)
    payload = {"person_id": stranger, "started_on": "2025-11-10", "monthly_wage": "7000.00"}
    refused = rep.post(f"units/{unit_id}/employments", payload)
    assert refused.status_code == 422
    assert "person_id" in refused.json()["error"]["fields"]
    assert clerk_api.post(f"units/{unit_id}/employments", payload).status_code == 201

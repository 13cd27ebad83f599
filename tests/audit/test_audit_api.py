import pytest

from shebao.audit.services import audit_record


@pytest.fixture
def events(db):
    for n in range(7):
        audit_record(
            actor=None,
            action="unit.registered" if n % 2 else "unit.created",
            target_type="registry.unit",
            target_id=str(n % 2),
            data={"n": n},
        )


@pytest.mark.parametrize("role", ["auditor", "supervisor", "admin"])
def test_readers_of_the_audit_trail_list_events(api_as, events, role):
    response = api_as(role).get("audit-events", {"target_type": "registry.unit"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [item["data"]["n"] for item in body["items"]] == list(range(7))
    first = body["items"][0]
    assert set(first) == {
        "sequence",
        "occurred_at",
        "actor",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "data",
        "hash",
    }
    assert (first["actor"], first["action"], first["target_id"]) == ("system", "unit.created", "0")
    assert first["occurred_at"] == "2025-11-14T12:00:00+08:00"  # the frozen clock, local time


@pytest.mark.parametrize("role", ["clerk", "finance", "person", "unit_rep"])
def test_other_roles_are_refused(api_as, events, role):
    response = api_as(role).get("audit-events")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_anonymous_callers_must_log_in(anon, events):
    response = anon.get("audit-events")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_filters_combine(api_as, events):
    client = api_as("auditor")
    body = client.get(
        "audit-events",
        {"target_type": "registry.unit", "target_id": "1", "action": "unit.registered"},
    ).json()
    assert body["count"] == 3
    assert [item["data"]["n"] for item in body["items"]] == [1, 3, 5]
    assert client.get("audit-events", {"action": "no.such"}).json() == {"items": [], "count": 0}


def test_pages_and_newest_first(api_as, events):
    client = api_as("auditor")
    query = {"target_type": "registry.unit", "page_size": 3}
    page3 = client.get("audit-events", {**query, "page": 3}).json()
    assert page3["count"] == 7
    assert [item["data"]["n"] for item in page3["items"]] == [6]
    newest = client.get("audit-events", {**query, "newest_first": "true"}).json()
    assert [item["data"]["n"] for item in newest["items"]] == [6, 5, 4]


def test_the_acting_user_filter(api_as, events):
    client = api_as("auditor")
    mine = client.get("audit-events", {"actor": client.user.username}).json()
    assert [item["action"] for item in mine["items"]] == ["auth.token_issued"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page_size": 201}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page")],
)
def test_page_limits_are_422_naming_the_field(api_as, events, query, field):
    response = api_as("auditor").get("audit-events", query)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_a_page_size_of_200_is_allowed(api_as, events):
    assert api_as("auditor").get("audit-events", {"page_size": 200}).status_code == 200

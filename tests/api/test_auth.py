"""Logging in to the API: tokens, throttling, expiry, logout, who am I, browser sessions."""

import datetime
import hashlib

import pytest
from django.conf import settings
from django.test import Client

from shebao.accounts import services
from shebao.accounts.models import ApiToken, LoginFailure
from shebao.audit.models import AuditEvent
from shebao.core import clock

PASSWORD = "demo-password-1"


def login(client, username, password=PASSWORD, address=None):
    extra = {"REMOTE_ADDR": address} if address else {}
    return client.post("auth/token", {"username": username, "password": password}, **extra)


def bearer(token):
    return {"headers": {"Authorization": f"Bearer {token}"}}


# --- tokens and throttling ---------------------------------------------------------------


def test_wrong_password_and_unknown_user_are_the_same_401(anon, make_user):
    make_user("alice", "clerk")
    for username, password in (("alice", "wrong"), ("nobody", PASSWORD)):
        response = login(anon, username, password)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "invalid_credentials"
        assert error["message"] == "Wrong user name or password."


def test_a_token_is_issued_and_only_its_hash_is_kept(anon, make_user):
    make_user("alice", "clerk")
    response = login(anon, "alice")
    assert response.status_code == 200
    key = response.json()["token"]
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.expires_at == clock.now() + datetime.timedelta(days=30)
    event = AuditEvent.objects.get(action="auth.token_issued")
    assert event.actor_name == "alice"
    assert key not in str(event.data)


def test_five_failures_make_that_name_wait_at_that_address(anon, make_user):
    make_user("alice", "clerk")
    start = clock.now()
    for second in range(5):
        with clock.frozen(start + datetime.timedelta(seconds=second)):
            assert login(anon, "alice", "guess").status_code == 401
    assert LoginFailure.objects.filter(username="alice").count() == 5

    with clock.frozen(start + datetime.timedelta(seconds=30)):
        locked = login(anon, "alice")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_throttled"
    # Refused attempts while waiting are not checked, not counted and do not extend the wait.
    assert LoginFailure.objects.filter(username="alice").count() == 5

    # The fifth failure (at 4 s) started a one-minute wait.
    with clock.frozen(start + datetime.timedelta(seconds=65)):
        assert login(anon, "alice").status_code == 200


def test_the_wait_is_only_for_the_address_the_failures_came_from(anon, make_user):
    make_user("alice", "clerk")
    for _ in range(5):
        login(anon, "alice", "guess", address="203.0.113.7")
    assert login(anon, "alice", address="203.0.113.7").status_code == 429
    assert login(anon, "alice", address="198.51.100.2").status_code == 200


def test_one_users_failures_do_not_lock_another(anon, make_user):
    make_user("alice", "clerk")
    make_user("bob", "clerk")
    for _ in range(5):
        login(anon, "alice", "guess")
    assert login(anon, "bob").status_code == 200


def test_many_failures_from_one_address_hold_back_no_other_user(anon, make_user):
    make_user("bob", "clerk")
    for n in range(20):
        login(anon, f"spray{n}", "guess", address="203.0.113.7")
    assert login(anon, "bob", address="203.0.113.7").status_code == 200


def test_a_token_expires(anon, make_user):
    make_user("alice", "clerk")
    token = login(anon, "alice").json()["token"]
    issued = clock.now()
    with clock.frozen(issued + datetime.timedelta(days=30) - datetime.timedelta(seconds=1)):
        assert anon.get("auth/me", **bearer(token)).status_code == 200
    with clock.frozen(issued + datetime.timedelta(days=30)):
        expired = anon.get("auth/me", **bearer(token))
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "unauthenticated"


def test_a_made_up_token_is_401(anon, db):
    response = anon.get("auth/me", **bearer("not-a-real-token"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_revoked_by_an_administrator_is_401(anon, make_user):
    make_user("alice", "clerk")
    boss = make_user("boss", "admin")
    token = login(anon, "alice").json()["token"]
    services.token_revoke_many(actor=boss, token_ids=ApiToken.objects.values_list("pk", flat=True))
    assert anon.get("auth/me", **bearer(token)).status_code == 401


def test_a_deactivated_users_token_is_401(anon, make_user):
    alice = make_user("alice", "clerk")
    boss = make_user("boss", "admin")
    token = login(anon, "alice").json()["token"]
    services.user_deactivate(actor=boss, user=alice)
    assert anon.get("auth/me", **bearer(token)).status_code == 401


# --- logout and who am I -----------------------------------------------------------------


def test_logout_revokes_the_token_used_and_no_other(anon, make_user):
    make_user("alice", "clerk")
    first = login(anon, "alice").json()["token"]
    second = login(anon, "alice").json()["token"]
    response = anon.post("auth/logout", **bearer(first))
    assert response.status_code == 204
    assert anon.get("auth/me", **bearer(first)).status_code == 401
    assert anon.get("auth/me", **bearer(second)).status_code == 200
    event = AuditEvent.objects.get(action="auth.token_revoked")
    assert event.actor_name == "alice"
    assert anon.post("auth/logout", **bearer(first)).status_code == 401


def test_logout_without_login_is_401(anon):
    response = anon.post("auth/logout")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_me_for_staff_has_no_person_or_unit(api_as):
    clerk = api_as("clerk")
    response = clerk.get("auth/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": clerk.user.username,
        "role": "clerk",
        "person_id": None,
        "unit_id": None,
    }


def test_me_for_an_insured_person_names_their_person_record(api_as, make_user):
    from shebao.registry.models import Person

    user = make_user("citizen", "person")
    person = Person.objects.create(
        citizen_id="11010519491231002X",
        name="王芳",
        birth_date=datetime.date(1949, 12, 31),
        sex="F",
        user=user,
        created_at=clock.now(),
    )
    body = api_as("person", user=user).get("auth/me").json()
    assert body == {
        "username": "citizen",
        "role": "person",
        "person_id": person.pk,
        "unit_id": None,
    }


def test_me_for_a_unit_representative_names_their_unit(api_as, make_user):
    from shebao.registry.models import Unit, UnitRepresentative

    user = make_user("hr", "unit_rep")
    today = clock.today()
    unit = Unit.objects.create(
        uscc="91110000600037341L",
        name="北京示例有限公司",
        established_on=today,
        region="cn-national",
        registration_due_on=today,
        registration_received_on=today,
        decision_due_on=today,
        created_at=clock.now(),
    )
    UnitRepresentative.objects.create(unit=unit, user=user, created_at=clock.now())
    body = api_as("unit_rep", user=user).get("auth/me").json()
    assert (body["role"], body["person_id"], body["unit_id"]) == ("unit_rep", None, unit.pk)


# --- browser sessions --------------------------------------------------------------------

CSRF_SECRET = "a" * 16 + "B" * 16  # any 32 letters and digits make a valid CSRF secret


@pytest.fixture
def browser(make_user):
    """A browser logged in to a session, which (unlike Django's test default) checks CSRF."""
    user = make_user("desk", "clerk")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_browser_session_can_read_me(browser):
    response = browser.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["username"] == "desk"


def test_a_session_post_without_csrf_is_403_in_the_error_body(browser):
    response = browser.post("/api/v1/auth/logout")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "csrf_failed"
    assert error["message"]
    assert error["fields"] == {}
    assert browser.get("/api/v1/auth/me").status_code == 200  # still logged in


def test_a_session_post_with_csrf_logs_the_browser_out(browser):
    browser.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    response = browser.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert response.status_code == 204
    assert browser.get("/api/v1/auth/me").status_code == 401
    assert AuditEvent.objects.filter(action="auth.session_closed", actor_name="desk").exists()


def test_bearer_calls_need_no_csrf(make_user):
    make_user("alice", "clerk")
    token = services.token_issue(username="alice", password=PASSWORD, address="t")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204


def test_an_anonymous_post_is_told_to_log_in_not_about_csrf(db):
    response = Client(enforce_csrf_checks=True).post("/api/v1/auth/logout")
    assert response.status_code == 401

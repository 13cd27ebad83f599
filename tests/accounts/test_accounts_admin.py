"""The admin site: what each role may see and do there, and that changes go through the
account services (checked and audited)."""

import datetime

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from shebao.accounts import services
from shebao.accounts.admin_site import ShebaoAdminSite, ThrottledAdminLoginForm
from shebao.accounts.forms import OwnPasswordChangeForm
from shebao.accounts.models import ApiToken, LoginFailure, User
from shebao.audit.models import AuditEvent
from shebao.core import clock

USERS = "/admin/accounts/user/"
TOKENS = "/admin/accounts/apitoken/"
FAILURES = "/admin/accounts/loginfailure/"
EVENTS = "/admin/audit/auditevent/"


def test_the_default_admin_site_is_the_agencys():
    assert isinstance(admin.site, ShebaoAdminSite)


@pytest.mark.parametrize(
    ("role", "users", "tokens", "failures", "events"),
    [
        ("clerk", 403, 403, 403, 403),
        ("finance", 403, 403, 403, 403),
        ("auditor", 403, 403, 403, 200),
        ("supervisor", 200, 200, 200, 200),
        ("admin", 200, 200, 200, 200),
    ],
)
def test_each_role_sees_what_its_work_needs(admin_site_as, role, users, tokens, failures, events):
    browser = admin_site_as(role)
    assert browser.get("/admin/").status_code == 200
    got = [browser.get(url).status_code for url in (USERS, TOKENS, FAILURES, EVENTS)]
    assert got == [users, tokens, failures, events]


@pytest.mark.parametrize("role", ["person", "unit_rep"])
def test_public_users_cannot_use_the_admin_site(admin_site_as, role):
    response = admin_site_as(role).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_audit_events_cannot_be_added_changed_or_deleted_even_by_an_admin(admin_site_as):
    browser = admin_site_as("admin")
    event = AuditEvent.objects.order_by("sequence").last()
    assert browser.get(EVENTS + "add/").status_code == 403
    assert browser.get(f"{EVENTS}{event.pk}/delete/").status_code == 403
    detail = browser.get(f"{EVENTS}{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="action"' not in detail.content  # shown read-only, not as an input
    tampered = browser.post(f"{EVENTS}{event.pk}/change/", {"action": "forged"})
    assert tampered.status_code == 403
    event.refresh_from_db()
    assert event.action != "forged"
    listing = browser.get(EVENTS)
    assert b"delete_selected" not in listing.content


def test_the_audit_list_filters_by_action(admin_site_as):
    created = services.user_create(
        actor=None, username="listed", password="pw-12345678", role="clerk"
    )
    browser = admin_site_as("auditor")  # its login is an event of another action
    response = browser.get(EVENTS, {"action": "user.created"})
    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert [(e.action, e.target_id) for e in shown] == [("user.created", str(created.pk))]


def test_login_failures_are_read_only(admin_site_as):
    LoginFailure.objects.create(username="x", address="1.2.3.4", failed_at=clock.now())
    browser = admin_site_as("admin")
    failure = LoginFailure.objects.get()
    assert browser.get(FAILURES + "add/").status_code == 403
    assert browser.get(f"{FAILURES}{failure.pk}/delete/").status_code == 403
    assert browser.post(f"{FAILURES}{failure.pk}/change/", {"username": "y"}).status_code == 403


def test_a_supervisor_reads_users_but_changes_nothing(admin_site_as, make_user):
    target = make_user("target", "clerk")
    browser = admin_site_as("supervisor")
    assert browser.get(f"{USERS}{target.pk}/change/").status_code == 200
    assert browser.get(USERS + "add/").status_code == 403
    assert browser.post(f"{USERS}{target.pk}/change/", {"role": "admin"}).status_code == 403
    assert browser.get(f"{USERS}{target.pk}/password/").status_code == 403
    target.refresh_from_db()
    assert target.role == "clerk"


def test_an_admin_adds_a_user_through_the_service(admin_site_as):
    browser = admin_site_as("admin")
    form = browser.get(USERS + "add/")
    assert form.status_code == 200
    assert b'name="role"' in form.content
    response = browser.post(
        USERS + "add/",
        {
            "username": "new-finance",
            "role": "finance",
            "email": "f@agency.cn",
            "usable_password": "true",
            "password1": "Finance-pass-2025",
            "password2": "Finance-pass-2025",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(username="new-finance")
    assert (user.role, user.is_staff, user.is_superuser) == ("finance", True, False)
    assert user.check_password("Finance-pass-2025")
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor_name == browser.user.username


def test_an_admin_changes_a_role_through_the_service(admin_site_as, make_user):
    target = make_user("promoted", "clerk")
    browser = admin_site_as("admin")
    response = browser.post(
        f"{USERS}{target.pk}/change/",
        {"role": "supervisor", "first_name": "", "last_name": "", "email": "p@agency.cn"},
    )
    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert (target.role, target.email, target.is_staff) == ("supervisor", "p@agency.cn", True)
    event = AuditEvent.objects.get(action="user.updated")
    assert event.data["changes"]["role"] == ["clerk", "supervisor"]


def test_the_last_admin_cannot_demote_themselves_in_the_admin(admin_site_as):
    browser = admin_site_as("admin")
    me = browser.user
    response = browser.post(
        f"{USERS}{me.pk}/change/", {"role": "clerk", "first_name": "", "last_name": "", "email": ""}
    )
    assert response.status_code == 302  # back to the form, with the reason as a message
    me.refresh_from_db()
    assert me.role == "admin"
    page = browser.get(f"{USERS}{me.pk}/change/")
    assert b"last active administrator" in page.content


def test_the_admin_password_form_sets_the_password_through_the_service(admin_site_as, make_user):
    target = make_user("forgetful", "clerk")
    key = services.token_issue(username="forgetful", password="demo-password-1", address="t")
    browser = admin_site_as("admin")
    assert browser.get(f"{USERS}{target.pk}/password/").status_code == 200
    response = browser.post(
        f"{USERS}{target.pk}/password/",
        {"usable_password": "true", "password1": "Fresh-pass-2025", "password2": "Fresh-pass-2025"},
    )
    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert target.check_password("Fresh-pass-2025")
    assert services.token_user(key) is None
    event = AuditEvent.objects.get(action="user.password_set")
    assert (event.actor_name, event.target_id) == (browser.user.username, str(target.pk))


def test_deactivate_action_goes_through_the_service(admin_site_as, make_user):
    target = make_user("leaving", "finance")
    browser = admin_site_as("admin")
    response = browser.post(
        USERS, {"action": "deactivate_accounts", "_selected_action": [target.pk]}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert AuditEvent.objects.filter(action="user.deactivated", target_id=str(target.pk)).exists()


def test_an_admin_revokes_a_token_from_the_list(admin_site_as, make_user):
    make_user("owner", "clerk")
    key = services.token_issue(username="owner", password="demo-password-1", address="t")
    token = ApiToken.objects.get(user__username="owner")
    browser = admin_site_as("admin")
    response = browser.post(TOKENS, {"action": "revoke_tokens", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert services.token_user(key) is None


def test_a_supervisor_is_not_offered_token_revocation(admin_site_as, make_user):
    make_user("owner", "clerk")
    key = services.token_issue(username="owner", password="demo-password-1", address="t")
    token = ApiToken.objects.get(user__username="owner")
    browser = admin_site_as("supervisor")
    assert b"revoke_tokens" not in browser.get(TOKENS).content
    browser.post(TOKENS, {"action": "revoke_tokens", "_selected_action": [token.pk]})
    assert services.token_user(key) is not None


def test_no_one_deletes_a_user(admin_site_as, make_user):
    target = make_user("kept", "clerk")
    browser = admin_site_as("admin")
    assert browser.get(f"{USERS}{target.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


# The admin login and own-password forms, tested on their own.


def _login_form(username, password, address="10.0.0.9"):
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=address)
    return ThrottledAdminLoginForm(request, data={"username": username, "password": password})


def test_admin_login_accepts_staff_and_refuses_public_users(make_user):
    make_user("desk", "clerk")
    make_user("citizen", "person")
    assert _login_form("desk", "demo-password-1").is_valid()
    assert not _login_form("citizen", "demo-password-1").is_valid()


def test_admin_login_is_throttled_like_the_api(make_user):
    make_user("desk", "clerk")
    for _ in range(5):
        assert not _login_form("desk", "wrong").is_valid()
    locked = _login_form("desk", "demo-password-1")
    assert not locked.is_valid()
    assert locked.errors.as_data()["__all__"][0].code == "login_throttled"
    later = clock.now() + datetime.timedelta(minutes=16)
    with clock.frozen(later):
        assert _login_form("desk", "demo-password-1").is_valid()


def test_a_browser_login_is_audited(make_user):
    make_user("desk", "clerk")
    browser = Client()
    assert browser.login(username="desk", password="demo-password-1")
    event = AuditEvent.objects.get(action="auth.session_opened")
    assert event.actor_name == "desk"


def test_own_password_change_in_the_admin_goes_through_the_service(make_user):
    user = make_user("desk", "clerk")
    form = OwnPasswordChangeForm(
        user,
        data={
            "old_password": "demo-password-1",
            "new_password1": "Changed-pass-2025",
            "new_password2": "Changed-pass-2025",
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert user.check_password("Changed-pass-2025")
    assert AuditEvent.objects.get(action="user.password_set").data["by_self"] is True

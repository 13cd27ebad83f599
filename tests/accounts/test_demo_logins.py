"""Demo logins under production settings: ``serve`` will not start while they can log in,
and no login path lets them in."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory, override_settings

from shebao.accounts import services
from shebao.accounts.admin_site import ThrottledAdminLoginForm
from shebao.accounts.models import User
from shebao.audit.models import AuditEvent
from shebao.core.errors import Unauthenticated
from tests.factories import free_port

PRODUCTION = {"SHEBAO_ENV": "production"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_users(db):
    """The demo's logins, made as the demo builder makes them."""
    from shebao.demo import agency as demo

    builder = demo._Builder(today=None)
    builder.create_users()
    return builder.users


def test_the_demo_builder_marks_its_users(demo_users):
    assert set(User.objects.filter(is_demo=True).values_list("username", flat=True)) == set(
        demo_users
    )


def test_serve_under_production_refuses_to_start_with_demo_users(demo_users, tmp_path, exec_calls):
    """Regression (finding 8): production ``serve`` started on a database built by the demo."""
    production = override_settings(**PRODUCTION, STATIC_ROOT=tmp_path / "static")
    with production, pytest.raises(CommandError) as refused:
        call_command("serve", "--port", str(free_port()), stdout=io.StringIO())
    message = str(refused.value)
    assert "admin" in message and "remove-demo-users" in message
    assert exec_calls == []


def test_removing_the_demo_users_deactivates_them_and_keeps_their_history(
    demo_users, tmp_path, exec_calls
):
    events_before = AuditEvent.objects.count()
    out = io.StringIO()
    with override_settings(**PRODUCTION):
        call_command("remove_demo_users", stdout=out)
    assert "9" in out.getvalue()
    demo = User.objects.filter(is_demo=True)
    assert demo.count() == 9, "accounts the audit trail names are kept"
    assert not demo.filter(is_active=True).exists()
    assert not any(user.has_usable_password() for user in demo)
    deactivations = AuditEvent.objects.filter(action="user.deactivated")
    assert deactivations.count() == 9
    assert AuditEvent.objects.count() == events_before + 9

    with override_settings(**PRODUCTION, STATIC_ROOT=tmp_path / "static"):
        call_command("serve", "--port", str(free_port()), stdout=io.StringIO())
    assert len(exec_calls) == 1


def test_a_demo_user_gets_no_token_under_production(demo_users):
    """Regression (finding 8): admin/demo got a token from production."""
    with override_settings(**PRODUCTION), pytest.raises(Unauthenticated):
        services.token_issue(username="admin", password="demo", address="192.0.2.1")
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "admin", "password": "demo"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200, "outside production the demo logins work"


def test_a_demo_users_token_stops_working_under_production(demo_users):
    key = services.token_issue(username="clerk", password="demo", address="192.0.2.1")
    assert services.token_user(key) is not None
    with override_settings(**PRODUCTION):
        assert services.token_user(key) is None


def test_a_demo_user_cannot_log_in_to_the_admin_site_under_production(demo_users):
    """Regression (finding 8): admin/demo got into the admin site in production."""
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="192.0.2.1")
    with override_settings(**PRODUCTION):
        form = ThrottledAdminLoginForm(request, data={"username": "admin", "password": "demo"})
        assert not form.is_valid()
        browser = Client()
        assert not browser.login(username="admin", password="demo")


def test_a_demo_users_open_session_ends_under_production(demo_users):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(demo_users["admin"])
    assert browser.get("/admin/").status_code == 200
    with override_settings(**PRODUCTION):
        assert browser.get("/admin/").status_code == 302  # to the login page


def test_the_demo_password_opens_nothing_under_production_even_unmarked(make_user):
    """An account given the demo password before demo users were marked is refused too."""
    make_user("old-demo", "admin", password="demo")
    with override_settings(**PRODUCTION), pytest.raises(Unauthenticated):
        services.login_check(username="old-demo", password="demo", address="192.0.2.1")


def test_demo_logins_made_before_they_were_marked_are_marked_by_the_migration(make_user):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "shebao.accounts.migrations.0002_user_is_demo_login_throttle"
    )
    old = make_user("finance", "finance", password="demo")
    old.email = "finance@demo.shebao.invalid"
    old.save()
    namesake = make_user("hr", "unit_rep")  # a real account that happens to share a name
    migration.mark_existing_demo_users(apps, None)
    old.refresh_from_db()
    namesake.refresh_from_db()
    assert (old.is_demo, namesake.is_demo) == (True, False)

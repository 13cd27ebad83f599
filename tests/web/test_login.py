"""The one login page: who lands where, throttling, logout, one's own password, and the
error pages in the site's look."""

import pytest
from django.test import Client

from shebao.accounts.models import LoginFailure
from shebao.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-1"


def logged_in(make_user, username, role, language="en"):
    make_user(username, role)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/login", {"username": username, "password": PASSWORD})
    return client, response


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("clerk", "/desk/"),
        ("auditor", "/desk/"),
        ("finance", "/desk/"),
        ("supervisor", "/desk/"),
        ("admin", "/desk/"),
        ("person", "/me/"),
        ("unit_rep", "/unit/"),
    ],
)
def test_each_role_lands_on_its_own_page(make_user, role, landing):
    _client, response = logged_in(make_user, "someone", role)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert AuditEvent.objects.filter(action="auth.session_opened").count() == 1


def test_a_login_asked_for_on_the_way_returns_there(make_user):
    make_user("clerk", "clerk")
    client = Client()
    first = client.get("/desk/")
    assert first.status_code == 302 and first["Location"] == "/login?next=/desk/"
    response = client.post(
        "/login?next=/desk/", {"username": "clerk", "password": PASSWORD, "next": "/desk/"}
    )
    assert response["Location"] == "/desk/"


def test_a_login_never_sends_the_user_to_another_site(make_user):
    make_user("clerk", "clerk")
    response = Client().post(
        "/login", {"username": "clerk", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/desk/"


def test_a_wrong_password_is_refused_in_the_users_language_and_counted(make_user):
    make_user("clerk", "clerk")
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/login", {"username": "clerk", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    assert LoginFailure.objects.filter(username="clerk").count() == 1


def test_repeated_failures_are_throttled_like_the_api(make_user, settings):
    settings.SHEBAO_LOGIN_MAX_FAILURES = 2
    make_user("clerk", "clerk")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(2):
        client.post("/login", {"username": "clerk", "password": "wrong"})
    refused = client.post("/login", {"username": "clerk", "password": PASSWORD})
    assert refused.status_code == 200
    assert "Too many failed logins" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_public_cannot_open_the_desk_and_staff_see_why(make_user):
    client, _response = logged_in(make_user, "zhangwei", "person")
    refused = client.get("/desk/")
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "Not allowed" in html and "Clerk" in html
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(_user("zhangwei"))
    assert "无权访问" in chinese.get("/desk/").content.decode()


def _user(username):
    from shebao.accounts.models import User

    return User.objects.get(username=username)


def test_staff_cannot_open_a_persons_page(make_user):
    client, _response = logged_in(make_user, "clerk", "clerk")
    assert client.get("/me/").status_code == 403
    assert client.get("/unit/").status_code == 403


def test_logout_is_a_post_and_is_audited(make_user):
    client, _response = logged_in(make_user, "clerk", "clerk")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302 and response["Location"] == "/login"
    assert client.get("/desk/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.session_closed").count() == 1


def test_a_user_changes_their_own_password_through_the_service(make_user):
    client, _response = logged_in(make_user, "clerk", "clerk")
    response = client.post(
        "/password",
        {
            "old_password": PASSWORD,
            "new_password1": "Changed-pass-2026",
            "new_password2": "Changed-pass-2026",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert _user("clerk").check_password("Changed-pass-2026")
    assert AuditEvent.objects.filter(action="user.password_set").count() == 1
    # Still logged in: the change keeps this session.
    assert client.get("/desk/").status_code == 200


def test_a_wrong_old_password_changes_nothing(make_user):
    client, _response = logged_in(make_user, "clerk", "clerk", language="zh-hans")
    response = client.post(
        "/password",
        {"old_password": "wrong", "new_password1": "Aa-123456789", "new_password2": "Aa-123456789"},
    )
    assert response.status_code == 200
    assert "旧密码" in response.content.decode()
    assert _user("clerk").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Page not found"), ("zh-hans", "页面不存在")]
)
def test_the_404_page_is_the_sites_in_both_languages(language, text):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html and "web/shebao.css" in html


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Something went wrong"), ("zh-hans", "系统出错")]
)
def test_the_500_page_is_the_sites_in_both_languages(language, text):
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert text in html and "web/shebao.css" in html

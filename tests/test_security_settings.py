"""Production hardening: HSTS, a Content-Security-Policy every page works under, secret
keys that are really secret, and staff sessions that end after a working day idle."""

import runpy

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

import shebao.settings as settings_module

GOOD_KEY = "Zq7-pX2m_Rt9vLk4WcB8nHy3sDf6gJa1uEo5iT0"
GOOD_AUDIT_KEY = "audit-Hk3P9xQm2Lr7Vt5Wn8Bz4Cy6Dj1Fg0Ks"
DEMO_KEY = "shebao-demo-key-not-for-production-use-0000"


@pytest.fixture
def production(monkeypatch, tmp_path):
    """Evaluate settings.py afresh under production with the given variables."""

    def load(**env):
        for name in (
            "SHEBAO_SECRET_KEY",
            "SHEBAO_AUDIT_KEY",
            "SHEBAO_ALLOWED_HOSTS",
            "SHEBAO_HSTS_SECONDS",
            "SHEBAO_SESSION_IDLE_SECONDS",
            "DATABASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SHEBAO_HOME", str(tmp_path))
        monkeypatch.setenv("SHEBAO_ENV", "production")
        env = {"SHEBAO_SECRET_KEY": GOOD_KEY, "SHEBAO_AUDIT_KEY": GOOD_AUDIT_KEY, **env}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(settings_module.__file__)

    return load


@pytest.mark.parametrize(
    "key",
    [DEMO_KEY, " " * 32, "ab" * 25, "django-insecure-" + GOOD_KEY, " \t" * 20],
    ids=["the demo key", "32 spaces", "two characters", "django's insecure prefix", "blanks"],
)
def test_production_refuses_known_and_low_entropy_secret_keys(production, key):
    """Regression (finding 19): production accepted the published demo key and 32 spaces."""
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_SECRET_KEY"):
        production(SHEBAO_SECRET_KEY=key)


def test_production_sends_hsts_for_a_year_unless_told_otherwise(production):
    """Regression (finding 19): production sent no HSTS."""
    names = production()
    assert names["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production(SHEBAO_HSTS_SECONDS="600")["SECURE_HSTS_SECONDS"] == 600
    assert production(SHEBAO_HSTS_SECONDS="0")["SECURE_HSTS_SECONDS"] == 0
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_HSTS_SECONDS"):
        production(SHEBAO_HSTS_SECONDS="a year")


def test_sessions_end_after_a_working_day_idle(production):
    """Regression (finding 19): staff sessions lasted Django's default two weeks."""
    names = production()
    assert names["SESSION_COOKIE_AGE"] == 8 * 3600
    assert names["SESSION_SAVE_EVERY_REQUEST"] is True
    assert production(SHEBAO_SESSION_IDLE_SECONDS="3600")["SESSION_COOKIE_AGE"] == 3600


def test_the_session_cookie_is_renewed_on_every_request(make_user):
    user = make_user("desk", "clerk")
    browser = Client()
    browser.force_login(user)
    response = browser.get("/admin/")
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE == 8 * 3600


@override_settings(SECURE_HSTS_SECONDS=31_536_000)
def test_a_secure_response_carries_hsts(db):
    response = Client().get("/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def _csp(response):
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/v1/docs", "/api/v1/openapi.json"])
def test_every_page_carries_a_content_security_policy(db, path):
    """Regression (finding 19): no Content-Security-Policy, the API docs page included."""
    response = Client().get(path)
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], "no inline or foreign script anywhere"
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_api_docs_page_runs_only_scripts_the_policy_allows(db):
    """Swagger UI is served from local files by external scripts the policy allows."""
    import re

    response = Client().get("/api/v1/docs")
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:
            continue  # data, not code
        assert 'src="/static/' in attributes and not body.strip()


def test_production_requires_its_own_audit_key(production):
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_AUDIT_KEY"):
        production(SHEBAO_AUDIT_KEY="")
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_AUDIT_KEY"):
        production(SHEBAO_AUDIT_KEY="shebao-demo-audit-key-not-for-production-use-0000")
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_AUDIT_KEY"):
        production(SHEBAO_AUDIT_KEY=GOOD_KEY)
    assert production()["SHEBAO_AUDIT_KEY"] == GOOD_AUDIT_KEY


def test_a_forwarding_header_is_trusted_only_when_configured(production):
    assert production()["SHEBAO_TRUSTED_PROXY_HEADER"] == ""
    names = production(SHEBAO_TRUSTED_PROXY_HEADER="X-Forwarded-For")
    assert names["SHEBAO_TRUSTED_PROXY_HEADER"] == "X-Forwarded-For"
    assert names["SHEBAO_TRUSTED_PROXY_COUNT"] == 1

"""Settings per environment: production refuses to start half-configured, and never
gets the demo logins."""

import os
import runpy
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

import shebao.settings as settings_module

SETTINGS_FILE = settings_module.__file__
GOOD_KEY = "Zq7-pX2m_Rt9vLk4WcB8nHy3sDf6gJa1uEo5iT0-kq"
GOOD_AUDIT_KEY = "audit-Hk3P9xQm2Lr7Vt5Wn8Bz4Cy6Dj1Fg0Ks"


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Evaluate settings.py afresh under the given environment; return its names."""

    def load(**env):
        for name in (
            "SHEBAO_SECRET_KEY",
            "SHEBAO_AUDIT_KEY",
            "SHEBAO_ALLOWED_HOSTS",
            "SHEBAO_DEBUG",
            "DATABASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SHEBAO_HOME", str(tmp_path))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(SETTINGS_FILE)

    return load


def test_production_refuses_to_start_without_a_secret_key(load_settings):
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_SECRET_KEY"):
        load_settings(SHEBAO_ENV="production")


def test_production_refuses_a_short_secret_key(load_settings):
    with pytest.raises(ImproperlyConfigured, match="32 characters"):
        load_settings(SHEBAO_ENV="production", SHEBAO_SECRET_KEY="too-short")


def test_production_with_a_key_is_locked_down(load_settings):
    names = load_settings(
        SHEBAO_ENV="production",
        SHEBAO_SECRET_KEY=GOOD_KEY,
        SHEBAO_AUDIT_KEY=GOOD_AUDIT_KEY,
        SHEBAO_ALLOWED_HOSTS="shebao.example.gov.cn,10.0.0.5",
        SHEBAO_DEBUG="1",
    )
    assert names["SECRET_KEY"] == GOOD_KEY
    assert names["DEBUG"] is False  # SHEBAO_DEBUG is ignored in production
    assert names["ALLOWED_HOSTS"] == ["shebao.example.gov.cn", "10.0.0.5"]
    assert names["SESSION_COOKIE_SECURE"] and names["CSRF_COOKIE_SECURE"]
    assert names["AUTH_PASSWORD_VALIDATORS"], "production checks password strength"


def test_an_unknown_environment_is_refused(load_settings):
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_ENV"):
        load_settings(SHEBAO_ENV="staging")


def test_chinese_is_the_default_language_and_english_the_other():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
    compiled = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    assert compiled.exists(), "the compiled catalogue is committed: run make messages"


def test_api_docs_assets_are_served_locally():
    # django-ninja serves Swagger UI from its own static files only when it is an
    # installed app; otherwise the docs page loads them from a CDN.
    assert "ninja" in settings.INSTALLED_APPS


def _shebao(*args, env, cwd):
    return subprocess.run(
        [sys.executable, "-m", "shebao.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_logins_are_never_created_under_production(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHEBAO_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        SHEBAO_ENV="production",
        SHEBAO_SECRET_KEY=GOOD_KEY,
        SHEBAO_AUDIT_KEY=GOOD_AUDIT_KEY,
        SHEBAO_HOME=str(tmp_path),
        SHEBAO_ALLOWED_HOSTS="localhost",
    )
    migrated = _shebao("migrate", "--verbosity", "0", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr

    refused = _shebao("demo", env=env, cwd=tmp_path)
    assert refused.returncode != 0
    assert "SHEBAO_ENV=production" in refused.stderr

    with sqlite3.connect(tmp_path / "var" / "shebao.sqlite3") as db:
        (users,) = db.execute("select count(*) from accounts_user").fetchone()
        (units,) = db.execute("select count(*) from registry_unit").fetchone()
    assert (users, units) == (0, 0)

"""Django settings for Shebao.

Everything that differs between a laptop demo and an agency's production server comes
from the environment:

- ``SHEBAO_ENV``: ``demo`` (default; ``make run``), ``test`` or ``production``.
- ``DATABASE_URL``: any URL dj-database-url understands; SQLite in ``var/`` by default.
- ``SHEBAO_SECRET_KEY``: required in production.
- ``SHEBAO_TIME_ZONE``: the agency's local time zone (``Asia/Shanghai``).
- ``SHEBAO_ALLOWED_HOSTS``: comma-separated host names served in production.
- ``SHEBAO_AUDIT_KEY``: the key of the audit chain's HMAC; required in production.
- ``SHEBAO_AUDIT_ANCHOR_FILE``: where ``shebao audit-anchor`` appends the chain head.
- ``SHEBAO_HSTS_SECONDS``: the HSTS max-age sent in production (a year; 0 turns it off).
- ``SHEBAO_SESSION_IDLE_SECONDS``: a browser session ends after this long idle (8 hours).
- ``SHEBAO_TRUSTED_PROXY_HEADER``, ``SHEBAO_TRUSTED_PROXY_COUNT``,
  ``SHEBAO_TRUSTED_PROXY_ADDRESSES``: where the client's address comes from behind a proxy.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("SHEBAO_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

SHEBAO_ENV = os.environ.get("SHEBAO_ENV", "demo")
if SHEBAO_ENV not in {"demo", "test", "production"}:
    raise ImproperlyConfigured(f"SHEBAO_ENV must be demo, test or production, not {SHEBAO_ENV!r}")
PRODUCTION = SHEBAO_ENV == "production"

DEBUG = os.environ.get("SHEBAO_DEBUG", "0") == "1" and not PRODUCTION

# Keys published in this repository: they protect nothing, so production refuses them.
DEMO_SECRET_KEY = "shebao-demo-key-not-for-production-use-0000"
DEMO_AUDIT_KEY = "shebao-demo-audit-key-not-for-production-use-0000"


def _strong_key(name: str) -> str:
    """The environment variable ``name`` if it can serve as a production key."""
    key = os.environ.get(name, "")
    how = "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if len(key) < 32 or not key.strip():
        raise ImproperlyConfigured(
            f"{name} (32 characters or more) is required in production; {how}"
        )
    if key in (DEMO_SECRET_KEY, DEMO_AUDIT_KEY) or key.startswith(
        ("shebao-demo", "django-insecure")
    ):
        raise ImproperlyConfigured(f"{name} is a published demo key; make a new one: {how}")
    if len(set(key)) < 10 or any(ch.isspace() for ch in key):
        raise ImproperlyConfigured(
            f"{name} is not random enough (at least 10 different characters, no spaces); {how}"
        )
    return key


if PRODUCTION:
    SECRET_KEY = _strong_key("SHEBAO_SECRET_KEY")
    ALLOWED_HOSTS = [h for h in os.environ.get("SHEBAO_ALLOWED_HOSTS", "").split(",") if h]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
else:
    # Demo and test databases hold sample data only; the key never protects real records.
    SECRET_KEY = os.environ.get("SHEBAO_SECRET_KEY", DEMO_SECRET_KEY)
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]

INSTALLED_APPS = [
    "shebao.accounts.apps.ShebaoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the interactive API docs' assets locally instead of from a CDN
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "shebao.core",
    "shebao.accounts",
    "shebao.audit",
    "shebao.policy",
    "shebao.registry",
    "shebao.ledger",
    "shebao.clearance",
    "shebao.pension",
    "shebao.documents",
    "shebao.inquiry",
    "shebao.web",
    "shebao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "shebao.core.middleware.RejectNulCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "shebao.urls"
WSGI_APPLICATION = "shebao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shebao.web.desk.nav.desk_sections",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shebao.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web server and a worker share the file safely.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Django's model backend, refusing demo logins under production settings.
AUTHENTICATION_BACKENDS = ["shebao.accounts.backends.AccountBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = (
    [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 10},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
    if PRODUCTION
    else []
)
if SHEBAO_ENV == "test":
    # Argon2 is deliberately slow; the suite creates hundreds of users. Argon2 stays in the
    # list (so stored argon2 hashes still verify) and tests of hashing select it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
LOGIN_URL = "/login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("SHEBAO_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # `collectstatic` fills it; until then WhiteNoise would warn on every request.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A JSON body larger than this is refused with 413 before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# What one declaration file may hold (shebao.ledger.imports.FileLimits names every limit
# and its default): a file the operator imports may be a province's month; an upload
# through the API is one unit's month.
SHEBAO_IMPORT_LIMITS = {"max_rows": 2_000_000, "max_unpacked_bytes": 2 * 1024**3}
SHEBAO_UPLOAD_LIMITS = {"max_rows": 200_000, "max_unpacked_bytes": 200 * 1024**2}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Shebao's own settings.
SHEBAO_DEFAULT_PACK = os.environ.get("SHEBAO_DEFAULT_PACK", "cn-national")
# Extra folders searched for policy packs (a region's own pack, or a test pack).
SHEBAO_PACK_DIRS = [Path(p) for p in os.environ.get("SHEBAO_PACK_DIRS", "").split(os.pathsep) if p]
SHEBAO_API_TOKEN_DAYS = 30


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {value}")
    return value


# --- Logins: throttling and the client's address -----------------------------------------
# Per (user name, address): the first failures are free, the one that reaches the limit
# starts a wait that doubles with each later failure, up to the lock window; a success
# clears the count, and a pair with no attempt for a day starts afresh.
SHEBAO_LOGIN_MAX_FAILURES = 5
SHEBAO_LOGIN_FIRST_WAIT_SECONDS = 60
SHEBAO_LOGIN_LOCK_MINUTES = 15
SHEBAO_LOGIN_FORGET_HOURS = 24
# Behind a reverse proxy every request comes from the proxy. Name the header it writes
# the client's address into (nginx: X-Forwarded-For) to throttle by the real client;
# without it no forwarding header is ever believed.
SHEBAO_TRUSTED_PROXY_HEADER = os.environ.get("SHEBAO_TRUSTED_PROXY_HEADER", "").strip()
SHEBAO_TRUSTED_PROXY_COUNT = _env_int("SHEBAO_TRUSTED_PROXY_COUNT", 1, minimum=1)
SHEBAO_TRUSTED_PROXY_ADDRESSES = [
    a.strip()
    for a in os.environ.get("SHEBAO_TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1").split(",")
    if a.strip()
]

# --- Browser security: HSTS, Content-Security-Policy, idle sessions ----------------------
# HSTS only in production, which serves over TLS behind its proxy (secure cookies too).
SECURE_HSTS_SECONDS = _env_int("SHEBAO_HSTS_SECONDS", 31_536_000) if PRODUCTION else 0
# Every page, the admin and Swagger UI included, runs only scripts and styles from this
# site's own static files; nothing inline, nothing from elsewhere (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# A browser session ends after a working day without a request; each request renews it.
SESSION_COOKIE_AGE = _env_int("SHEBAO_SESSION_IDLE_SECONDS", 8 * 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True

# --- The audit chain's key and anchor ------------------------------------------------------
# The chain's hashes are HMACs with this key, kept outside the database: whoever can write
# the database file cannot recompute them. Keep it stable and backed up apart from the
# database; changing it makes every earlier event fail verification.
SHEBAO_AUDIT_KEY = (
    _strong_key("SHEBAO_AUDIT_KEY")
    if PRODUCTION
    else os.environ.get("SHEBAO_AUDIT_KEY", DEMO_AUDIT_KEY)
)
if PRODUCTION and SHEBAO_AUDIT_KEY == SECRET_KEY:
    raise ImproperlyConfigured("SHEBAO_AUDIT_KEY must differ from SHEBAO_SECRET_KEY")
# The file `shebao audit-anchor` appends the chain head to, and `shebao verify` checks.
SHEBAO_AUDIT_ANCHOR_FILE = os.environ.get("SHEBAO_AUDIT_ANCHOR_FILE", "") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"shebao": {"level": "INFO"}},
}

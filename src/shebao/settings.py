"""Django settings for Shebao.

Everything that differs between a laptop demo and an agency's production server comes
from the environment:

- ``SHEBAO_ENV``: ``demo`` (default; ``make run``), ``test`` or ``production``.
- ``DATABASE_URL``: any URL dj-database-url understands; SQLite in ``var/`` by default.
- ``SHEBAO_SECRET_KEY``: required in production.
- ``SHEBAO_TIME_ZONE``: the agency's local time zone (``Asia/Shanghai``).
- ``SHEBAO_ALLOWED_HOSTS``: comma-separated host names served in production.
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

if PRODUCTION:
    SECRET_KEY = os.environ.get("SHEBAO_SECRET_KEY", "")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SHEBAO_SECRET_KEY (32 characters or more) is required in production"
        )
    ALLOWED_HOSTS = [h for h in os.environ.get("SHEBAO_ALLOWED_HOSTS", "").split(",") if h]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
else:
    # Demo and test databases hold sample data only; the key never protects real records.
    SECRET_KEY = os.environ.get("SHEBAO_SECRET_KEY", "shebao-demo-key-not-for-production-use-0000")
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
    "django_tasks",
    "django_tasks_db",
    "shebao.core",
    "shebao.accounts",
    "shebao.audit",
    "shebao.policy",
    "shebao.registry",
    "shebao.ledger",
    "shebao.clearance",
    "shebao.documents",
    "shebao.inquiry",
    "shebao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
LOGIN_URL = "/admin/login/"

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
SHEBAO_LOGIN_MAX_FAILURES = 5
SHEBAO_LOGIN_LOCK_MINUTES = 15

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"shebao": {"level": "INFO"}},
}

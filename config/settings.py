"""The one settings module, read from the environment.

Every setting a deployment may change comes from an environment variable, with a default that
suits a newcomer's laptop (SQLite in the project folder, the ORM broker). A value that cannot be
understood stops the process at start with ImproperlyConfigured naming the variable: a typo must
never be silently replaced by a default.
"""

from __future__ import annotations

import json
import os
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it (any long random string) or, on a development machine, DEBUG=1."
        )
    # Development only: DEBUG is on, so this process is not a deployment.
    SECRET_KEY = "django-insecure-shixian-development-key-do-not-deploy"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "approvals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that cannot be reached answers 503 with Retry-After, not 500 (a restart, a failover).
    "approvals.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "approvals.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A view's Http404 renders templates/404.html even with DEBUG on (not Django's URL listing).
    "approvals.middleware.NotFoundPageMiddleware",
    # Last, as django-axes asks: it turns a lockout found during the view into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "approvals.context_processors.frame",
            ],
        },
    },
]


def _database(url: str) -> dict:
    try:
        # Health checks: a persistent connection (CONN_MAX_AGE) that died meanwhile, e.g. in a database
        # restart, is replaced at the start of the next request instead of failing it.
        config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 0), conn_health_checks=True)
    except ValueError as exc:  # includes dj-database-url's UnknownSchemeError
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be used: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        # WAL lets the web server and the django-q2 worker read while the other writes;
        # IMMEDIATE takes the write lock at BEGIN so that two writers queue instead of failing.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": None}
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_URL={url!r}: only sqlite:// and postgres:// are supported")
    return config


DATABASES = {"default": _database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "approvals.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
CSRF_FAILURE_VIEW = "approvals.views.common.csrf_failure"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every sign-in (the login page, the admin's, the API's token endpoint) before the
# password: AXES_FAILURE_LIMIT wrong passwords in a row for one user name from one address lock that
# pair out for AXES_COOLOFF_MINUTES after the last try (another user, or the same user elsewhere,
# is not affected). A right password clears the count. Attempts are kept in the database, so every
# process on every host sees them; administrators see and delete them in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1")
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The lockout page with Retry-After (the cool-off in seconds), as every 429 of the site has.
AXES_LOCKOUT_CALLABLE = "approvals.views.public.locked_out"
AXES_VERBOSE = False  # no banner on every start (commands' output stays theirs); lockouts are still logged
# The client's address as the public lookup's throttle reads it (REMOTE_ADDR; behind a load
# balancer gunicorn gets it by the PROXY protocol, docs/DEPLOY.md), never from a header a client sets.
AXES_CLIENT_IP_CALLABLE = "approvals.views.public.sign_in_address"

# Sessions end when the browser closes, or SESSION_HOURS after sign-in. The age counts from the
# session's last change (sign-in; a few pages keep something in it), not from each request:
# SESSION_SAVE_EVERY_REQUEST would write the session row on every request (the calendar page's
# progress polls every second) and a page left open would keep its session alive for ever.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8) * 3600
if SESSION_COOKIE_AGE < 3600:
    raise ImproperlyConfigured("SESSION_HOURS must be at least 1")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS: on wherever DEBUG is off (HTTPS=0 for a plain-HTTP test network). Behind a proxy that ends
# TLS, gunicorn trusts its X-Forwarded-Proto (FORWARDED_ALLOW_IPS, config/gunicorn.conf.py).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
# No script reads the cookies: htmx and Swagger UI get the CSRF token in the page.
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts only from our own static files (no inline script,
# no eval), nothing from other sites. Styles allow 'unsafe-inline': the templates set widths and
# spacing in style attributes (the chart bars' widths come from the data), and Swagger UI's page
# and htmx insert <style> elements; CSS cannot run script, and every fetch a style could make
# (images, fonts) is held to this site by the other directives.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Dates in the domain are local dates in Asia/Shanghai; datetimes are stored in UTC.
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone (e.g. Asia/Shanghai)") from None
USE_TZ = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # where collectstatic writes
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (make run, the tests) WhiteNoise finds files where they live.
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()

# Uploaded materials: outside the web root, served only through a permission check.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "uploads"))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# SLA alerts (approvals/sla.py). A clock turns yellow when at most `days` working days or
# `fraction` of its limit remain, whichever is more; red and severe follow the limits. Per clock,
# with optional per-procedure overrides, e.g. "telecom_licence": {"decision": {"days": 3}}.
SLA_THRESHOLDS = {
    "decision": {"days": 2, "fraction": 0.25},
    "acceptance": {"days": 1, "fraction": 0.0},
    "certificate": {"days": 2, "fraction": 0.0},
}
# The officers' morning digest, on working days only (local time).
SLA_DIGEST_AT = os.environ.get("SLA_DIGEST_AT", "08:30")
if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", SLA_DIGEST_AT):
    raise ImproperlyConfigured(f"SLA_DIGEST_AT={SLA_DIGEST_AT!r} is not a time of day such as 08:30")
SLA_SWEEP_MINUTES = env_int("SLA_SWEEP_MINUTES", 5)
SLA_SWEEP_BATCH = env_int("SLA_SWEEP_BATCH", 500)  # the most alerts one transaction of the sweep raises
if SLA_SWEEP_BATCH < 1:
    raise ImproperlyConfigured(f"SLA_SWEEP_BATCH={SLA_SWEEP_BATCH} must be at least 1")

# Email: the console in development; SMTP when EMAIL_URL-like settings are given.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))  # the file-based backend's folder
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shixian@localhost")
# How long a sender owns an email before another worker may retry it (after a crash).
EMAIL_LEASE_SECONDS = env_int("EMAIL_LEASE_SECONDS", 600)
# Service appointments (预约办): the times offered on working days and the places per time.
APPOINTMENT_SLOTS = ["08:30-09:30", "09:30-10:30", "10:30-12:00", "14:00-15:00", "15:00-16:00", "16:00-17:00"]
APPOINTMENT_PLACES = env_int("APPOINTMENT_PLACES", 3)
APPOINTMENT_HORIZON_DAYS = env_int("APPOINTMENT_HORIZON_DAYS", 30)
# The public lookup: unsuccessful attempts allowed per address, and per tracking number, in each
# window of TRACK_WINDOW_SECONDS; then 429 with Retry-After until the window ends.
TRACK_MAX_FAILURES = env_int("TRACK_MAX_FAILURES", 10)
TRACK_WINDOW_SECONDS = env_int("TRACK_WINDOW_SECONDS", 600)
if TRACK_MAX_FAILURES < 1 or TRACK_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("TRACK_MAX_FAILURES and TRACK_WINDOW_SECONDS must be at least 1")
# Upload quotas (approvals/uploads.py): the files one form takes at once, and what one user may have
# kept aside (files chosen with a form that came back with errors, kept a day; an hourly task deletes older ones).
UPLOAD_REQUEST_MAX_FILES = env_int("UPLOAD_REQUEST_MAX_FILES", 10)
UPLOAD_REQUEST_MAX_BYTES = env_int("UPLOAD_REQUEST_MAX_MB", 100) * 1024 * 1024
UPLOAD_PENDING_MAX_BYTES = env_int("UPLOAD_PENDING_MAX_MB", 100) * 1024 * 1024
# Kept pages (approvals/kept.py): how many worklist/portal pages one user may have kept per 5 minutes.
KEPT_PAGES_PER_USER = env_int("KEPT_PAGES_PER_USER", 30)
# Written acts (approvals/documents, docs/DEPLOY.md): the issuing administration, its document
# numbers (one sequence per kind and year; the format must use {code}, {year} and {serial}), the
# reconsideration body and the court that decisions name, the time given to send corrections,
# and the PEM key and certificate that sign each PDF. Development signs with a pair that
# `manage.py signing_key` makes under var/signing (a test signature); production sets its own.
ADMINISTRATION_NAME = os.environ.get("ADMINISTRATION_NAME", "安徽省通信管理局")
ADMINISTRATION_PLACE = os.environ.get("ADMINISTRATION_PLACE", "合肥")
DOCUMENT_NUMBER_FORMAT = os.environ.get("DOCUMENT_NUMBER_FORMAT", "皖通管许{code}〔{year}〕第{serial:04d}号")
DOCUMENT_KIND_CODES = {
    "acceptance": "受",
    "non_acceptance": "不受",
    "correction": "补",
    "special_procedure": "特",
    "extension": "延",
    "grant": "准",
    "denial": "不准",
    "filing": "备",
    "filing_refusal": "不备",
}
if os.environ.get("DOCUMENT_KIND_CODES"):
    DOCUMENT_KIND_CODES.update(json.loads(os.environ["DOCUMENT_KIND_CODES"]))
if len(set(DOCUMENT_KIND_CODES.values())) != len(DOCUMENT_KIND_CODES):
    raise ImproperlyConfigured("DOCUMENT_KIND_CODES must give each kind of document its own code")
try:
    _sample = DOCUMENT_NUMBER_FORMAT.format(code="受", year=2026, serial=1)
except (KeyError, IndexError, ValueError) as exc:
    raise ImproperlyConfigured(f"DOCUMENT_NUMBER_FORMAT={DOCUMENT_NUMBER_FORMAT!r}: {exc!r}") from None
if not all(f"{{{part}" in DOCUMENT_NUMBER_FORMAT for part in ("code", "year", "serial")):
    raise ImproperlyConfigured("DOCUMENT_NUMBER_FORMAT must use {code}, {year} and {serial} (numbers must differ)")
RECONSIDERATION_BODY = os.environ.get("RECONSIDERATION_BODY", "中华人民共和国工业和信息化部")
LITIGATION_COURT = os.environ.get("LITIGATION_COURT", "有管辖权的人民法院")
CORRECTION_REPLY_WORKING_DAYS = env_int("CORRECTION_REPLY_WORKING_DAYS", 20)
_DEVELOPMENT_SIGNING = BASE_DIR / "var" / "signing"
DOCUMENT_SIGNING_KEY = os.environ.get(
    "DOCUMENT_SIGNING_KEY", str(_DEVELOPMENT_SIGNING / "development-key.pem") if DEBUG else ""
)
DOCUMENT_SIGNING_CERT = os.environ.get(
    "DOCUMENT_SIGNING_CERT", str(_DEVELOPMENT_SIGNING / "development-cert.pem") if DEBUG else ""
)
DOCUMENT_SIGNING_KEY_PASSWORD = os.environ.get("DOCUMENT_SIGNING_KEY_PASSWORD", "")
# Or a signer of the deployment's own (a hardware token, an external seal service): the dotted
# path of a function returning approvals.documents.signing.Signer (docs/DEPLOY.md).
DOCUMENT_SIGNER = os.environ.get("DOCUMENT_SIGNER", "")
# The public verification (/verify/): wrong number-and-code pairs allowed per address in each
# window, as the public lookup's.
VERIFY_MAX_FAILURES = env_int("VERIFY_MAX_FAILURES", 10)
VERIFY_WINDOW_SECONDS = env_int("VERIFY_WINDOW_SECONDS", 600)
# The address links in emails point to.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The REST API: tokens (POST username and password to /api/auth/token/) or the browser's session.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "approvals.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "approvals.api.errors.handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Dates in one form, YYYY-MM-DD: DRF's ISO 8601 parsing goes through date.fromisoformat, which
    # also takes ISO week dates (2027-W05-1 is 1 Feb 2027).
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    "DEFAULT_PARSER_CLASSES": [
        "approvals.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shixian (时限) API",
    "DESCRIPTION": "Administrative approvals and their deadlines. Errors: "
    '{"error": {"status", "code", "message", "fields"}}.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several serializers share (the actions' bodies come from the forms).
    "ENUM_NAME_OVERRIDES": {
        "SpecialProcedureKindEnum": "approvals.models.SpecialProcedureKind",
        "VerificationMethodEnum": "approvals.models.VerificationMethod",
        "DayKindEnum": "approvals.models.DayKind",
    },
    # The error format ({"error": {...}}) and each operation's error statuses.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "approvals.api.errors.document_errors",
    ],
}

# django-q2: the ORM broker needs nothing else; Redis is the production broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://")
Q_CLUSTER = {
    "name": "shixian",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 120,  # a task's limit unless it sets its own (the calendar's: workflow.calendar.TASK_TIMEOUT)
    # After this long a task not acknowledged is handed out again: above every task's limit, the
    # calendar's 900 s included, so that none runs twice (a lost SLA sweep is redone by the next).
    "retry": 1000,
    "max_attempts": 3,
    "catch_up": False,
    "label": "Django Q2",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# The caches. "default" (the kept pages): Redis when configured, so that every
# process shares it, else each process's memory. "throttle" (the public lookup's counters,
# approvals/throttle.py): Redis too, else the database (the table "shixian_throttle", made after
# every migrate: approvals.apps._make_cache_tables), which every process on
# every host shares, so that a limit is one limit however many workers serve the requests.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "approvals.throttle.DatabaseCache", "LOCATION": "shixian_throttle"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO (its AccessLog table keeps them); failures and lockouts are warnings.
    # WeasyPrint logs each typesetting step, and fontTools each font subset, at INFO: one document
    # would print a dozen lines.
    # pyHanko logs a whole traceback for each signature it cannot trust (any PDF a visitor uploads to /verify/).
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

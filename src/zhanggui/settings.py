"""Settings: everything from environment variables (12-factor), SQLite by default.

Every variable is documented in the README and in `.env.example`.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ZHANGGUI_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: str) -> Decimal:
    """A 折 rate between 0 and 10 ("7" = pay 70 %); a bad value stops the start-up instead of being guessed."""
    raw = os.environ.get(name) or default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a 折 rate between 0 and 10 such as 7 or 8.5, got {raw!r}") from None
    if not value.is_finite() or not 0 <= value <= 10:
        raise ImproperlyConfigured(f"{name} must be a 折 rate between 0 and 10 such as 7 or 8.5, got {raw!r}")
    return value


def env_seconds(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isascii() or not raw.strip().isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds (0 or more), got {raw!r}")
    return int(raw.strip())


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto` (meaning `X-Forwarded-Proto: https`) or `Header=value`, as Django's META key."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return None
    header, sep, value = raw.partition("=")
    header, value = header.strip(), value.strip() if sep else "https"
    if not re.fullmatch(r"[A-Za-z0-9-]+", header) or not value:
        raise ImproperlyConfigured(
            f"{name} must be a header name such as X-Forwarded-Proto (or Header=value), got {raw!r}"
        )
    return "HTTP_" + header.upper().replace("-", "_"), value


DEBUG = env_bool("ZHANGGUI_DEBUG", False)
ALLOWED_HOSTS = env_list("ZHANGGUI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

# The names under which the desk is only reachable from this machine (and Django's test client).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "testserver"})
# Public, so anyone can forge sessions and CSRF tokens signed with it: fine only for a desk on 127.0.0.1.
DEVELOPMENT_SECRET_KEY = "zhanggui-insecure-development-key-set-ZHANGGUI_SECRET_KEY"
SECRET_KEY = os.environ.get("ZHANGGUI_SECRET_KEY", "")
if not SECRET_KEY:
    served_elsewhere = [host for host in ALLOWED_HOSTS if host.lower() not in LOCAL_HOSTS]
    required = env_bool("ZHANGGUI_REQUIRE_SECRET", False)
    if not DEBUG and (served_elsewhere or required):
        reason = (
            f"ZHANGGUI_ALLOWED_HOSTS names {', '.join(served_elsewhere)}"
            if served_elsewhere
            else "ZHANGGUI_REQUIRE_SECRET is on"
        )
        raise ImproperlyConfigured(
            f"ZHANGGUI_SECRET_KEY is not set and {reason}: the desk would sign sessions and CSRF tokens with the "
            "public development key. Set ZHANGGUI_SECRET_KEY to a long random string, for example the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"` (keep it secret and the same across '
            "restarts), or serve only 127.0.0.1/localhost."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
CSRF_TRUSTED_ORIGINS = env_list("ZHANGGUI_CSRF_TRUSTED_ORIGINS", [])
# Members' phone numbers are encrypted under this Fernet key (url-safe base64 of 32 bytes); unset, a key derived
# from SECRET_KEY is used — fine on a local desk only (docs/adr/0004-member-phone-encryption.md).
ZHANGGUI_MEMBER_KEY = os.environ.get("ZHANGGUI_MEMBER_KEY", "")

# HTTPS behind a proxy (README, "Deployment"). Off by default: the local desk is plain http://127.0.0.1.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("ZHANGGUI_SECURE_COOKIES", False)
SECURE_SSL_REDIRECT = env_bool("ZHANGGUI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_seconds("ZHANGGUI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHANGGUI_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ZHANGGUI_HSTS_PRELOAD", False)
# Trust the proxy's word that the request came over HTTPS; only when the proxy always sets (or strips) it.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("ZHANGGUI_PROXY_SSL_HEADER")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the Swagger UI of /api/v1/docs from the package, not a CDN
    "django_tasks",  # Django's tasks framework (DEP 14), the backport for 5.2: docs/adr/0002-background-work.md
    "django_tasks_db",  # its database backend: the queue is a table, run by `zhanggui worker`
    "zhanggui.core",
    "zhanggui.catalog",
    "zhanggui.inventory",
    "zhanggui.orders",
    "zhanggui.messaging",  # buyer messages (above orders): docs/messaging.md
    "zhanggui.aftersales",  # refunds, returns, complaints (above orders): docs/aftersales.md
    "zhanggui.promotions",
    "zhanggui.approvals",
    "zhanggui.analytics",  # behaviour events and daily metrics (reads every app): docs/metrics.md
    "zhanggui.members",  # members, tiers, points, segments (reads orders, promotions, aftersales): docs/members.md
    "zhanggui.planning",  # yearly plans and targets (reads analytics): docs/planning.md
    "zhanggui.market",  # keyword library and title studio (reads catalog, analytics): docs/market.md
    "zhanggui.desk",  # the daily desk, the front page (reads every app; moved out of core)
    "zhanggui.demo",
]

MIDDLEWARE = [
    "zhanggui.core.middleware.ApiErrorMiddleware",  # outermost: sees every error response, even a bad Host's
    "zhanggui.core.middleware.QueryTextMiddleware",  # NUL out of ?q=…: PostgreSQL refuses it in text
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhanggui.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "zhanggui.urls"
WSGI_APPLICATION = "zhanggui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "zhanggui.core.context_processors.desk",
                "zhanggui.approvals.context_processors.approvals",  # the header's badge, for approvers only
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'zhanggui.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL + a busy timeout: the desk and a CLI import can work at the same time.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (docs/adr/0002-background-work.md): queued in the database and run by `zhanggui worker`. A
# distributed backend (django_tasks_rq.RQBackend, …) runs the same tasks; the tests run them at once.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ZHANGGUI_TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
# ModelBackend's rules, with a person's roles and permissions read in one query (core/auth_backend.py)
AUTHENTICATION_BACKENDS = ["zhanggui.core.auth_backend.RoleBackend"]
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("ZHANGGUI_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# What delivers buyer messages (docs/messaging.md): a class with send(message); the default only stores them.
ZHANGGUI_MESSAGE_SENDER = os.environ.get("ZHANGGUI_MESSAGE_SENDER") or "zhanggui.messaging.senders.StoreOnlySender"

# Promotions deeper than this 折 rate need a manager's approval (docs/pricing.md, "Stored promotions").
ZHANGGUI_APPROVAL_DISCOUNT_LIMIT = env_rate("ZHANGGUI_APPROVAL_DISCOUNT_LIMIT", "7")

# A carrier claim's own deadline (理赔时效): this many days after it is filed (docs/aftersales.md, "Carrier claims").
ZHANGGUI_CLAIM_WINDOW_DAYS = env_seconds("ZHANGGUI_CLAIM_WINDOW_DAYS", 30)  # a whole number, read like the seconds

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("ZHANGGUI_STATIC_ROOT", DATA_DIR / "static"))
# Uploaded files (product images, docs/images.md): on disk under the data directory, served to logged-in people
# only (zhanggui.core.media). Another STORAGES["default"] backend (object storage) serves them itself.
MEDIA_ROOT = Path(os.environ.get("ZHANGGUI_MEDIA_ROOT", DATA_DIR / "media")).resolve()
MEDIA_URL = "media/"
# Behaviour events (docs/metrics.md): Parquet files partitioned by shop and day, read by DuckDB or polars.
ZHANGGUI_EVENTS_DIR = Path(os.environ.get("ZHANGGUI_EVENTS_DIR", DATA_DIR / "events")).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHANGGUI_LOG_LEVEL", "WARNING")},
}

"""One settings module for every deployment, driven by environment variables.

The defaults describe the embedded mode: one machine, a SQLite file in WAL mode
under ``./var/``, Django's local-memory cache and tasks run in-process. Pointing
``DATABASE_URL`` at PostgreSQL and ``CACHE_URL`` at Redis is the scale-out path;
the code is the same.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

VAR_DIR = Path(env.str("DESPATCH_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """Return the secret key kept under ``var/``, making it on first start.

    A generated key that changes on every start would log everyone out and
    break signed links, so it is written once and reused.
    """
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("DESPATCH_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
NETWORK_NAME = env.str("DESPATCH_NETWORK_NAME", default="Global conversations")

if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "despatch.core",
    "despatch.accounts",
    "despatch.blogs",
    "despatch.media",
    "despatch.posts",
    "despatch.conversations",
    "despatch.feeds",
    "despatch.search",
    "despatch.demo",
    "despatch.studio",
    "despatch.migration",
]

MIDDLEWARE = [
    # First, so that a cached page is stored with every header the stack below gives
    # it and answered before any of it runs (see despatch/core/page_cache.py).
    "despatch.core.page_cache.PageCacheMiddleware",
    "despatch.core.middleware.DatabaseUnavailableMiddleware",
    "despatch.core.middleware.SiteLocaleMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "despatch.core.middleware.SecureHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Old WordPress links (/?p=123, /2009/09/some-post/) answer with a 301 to the new address.
    "despatch.migration.middleware.LegacyAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "despatch.studio.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "despatch.urls"
WSGI_APPLICATION = "despatch.wsgi.application"

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
                "despatch.core.context_processors.network",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'despatch.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE transactions
    # take the write lock up front so concurrent writers queue instead of failing
    # with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Opening a connection (and, on SQLite, running the pragmas above) costs more than
# serving a cached page, so each server thread keeps its connection between
# requests; health checks replace one that broke meanwhile.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------
# "default" is shared by every app server: rate limits and the versions of cached
# pages live there. Without CACHE_URL it is a table in the database, which every
# process on the machine sees; with CACHE_URL=redis://… it is Redis, made tolerant
# of outages so that a stopped Redis slows pages down instead of failing them.
# "pages" holds rendered feeds and page fragments in each process's own memory
# (whole pages have their own store, despatch.core.page_cache.PageStore).
CACHES = {
    "default": env.cache_url("CACHE_URL", default="dbcache://despatch_cache"),
    "pages": {
        "BACKEND": "despatch.core.cache.ByteBoundedMemoryCache",
        "LOCATION": "despatch-pages",
        "OPTIONS": {
            "MAX_ENTRIES": env.int("DESPATCH_PAGE_CACHE_ENTRIES", default=5000),
            "MAX_BYTES": env.int("DESPATCH_FRAGMENT_CACHE_MEGABYTES", default=16) * 1024 * 1024,
        },
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Django's default of 300 entries would cull surrogate versions, rate-limit and
    # sign-in counters a third at a time as soon as a few hundred pages are known.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault(
        "MAX_ENTRIES", env.int("DESPATCH_SHARED_CACHE_ENTRIES", default=50_000)
    )
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "despatch.core.cache.TolerantRedisCache"
DESPATCH_PAGE_CACHE = env.str("DESPATCH_PAGE_CACHE", default="on").lower() not in {"off", "0", "no"}
DESPATCH_PAGE_CACHE_SECONDS = env.int("DESPATCH_PAGE_CACHE_SECONDS", default=60 * 60)
DESPATCH_PAGE_CACHE_ENTRIES = env.int("DESPATCH_PAGE_CACHE_ENTRIES", default=5000)
DESPATCH_PAGE_CACHE_MEGABYTES = env.int("DESPATCH_PAGE_CACHE_MEGABYTES", default=32)
# Every invalidation changes the surrogate generation, which each cached hit reads.
# With SQLite every process that can write runs on this machine, so the generation
# is a small file beside the database (one read, no round trip); otherwise (several
# app servers) it lives in the shared cache.
DESPATCH_PAGE_CACHE_GENERATION_FILE = (
    f"{DATABASES['default']['NAME']}-generation"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and str(DATABASES["default"]["NAME"]) not in {"", ":memory:"}
    else ""
)
DESPATCH_PAGE_CACHE_HORIZONS = ["despatch.posts.scheduling.next_scheduled_publication"]
# How long a CDN may keep a public page; purges (CDN_PURGE_URL) keep it correct sooner.
DESPATCH_CDN_MAX_AGE = env.int("DESPATCH_CDN_MAX_AGE", default=600)
CDN_PURGE_URL = env.str("CDN_PURGE_URL", default="")
CDN_PURGE_HEADERS = env.dict("CDN_PURGE_HEADERS", default={})

# --- Background tasks ---------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str(
            "DESPATCH_TASK_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "despatch" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DESPATCH_STATIC_STORAGE",
            default="despatch.core.static.StaticFilesStorage",
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 if DEBUG else 60 * 60 * 24 * 365
DESPATCH_MAX_UPLOAD_BYTES = env.int("DESPATCH_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("DESPATCH_SECURE_COOKIES", default=SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("DESPATCH_BEHIND_PROXY", default=False)
    else None
)
SECURE_HSTS_SECONDS = env.int("DESPATCH_HSTS_SECONDS", default=0)
CSRF_FAILURE_VIEW = "despatch.core.views.csrf_failure"

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Despatch <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Despatch -----------------------------------------------------------------
DESPATCH_POSTS_PER_PAGE = env.int("DESPATCH_POSTS_PER_PAGE", default=10)

# --- Feeds --------------------------------------------------------------------
# WebSub (PRODUCT F3): the hub told about every publish, e.g.
# https://pubsubhubbub.appspot.com/. Empty (the default) turns push off.
WEBSUB_HUB_URL = env.str("DESPATCH_WEBSUB_HUB_URL", default=env.str("WEBSUB_HUB_URL", default=""))
# The naming authority in every feed entry's permanent id (a tag: URI). Empty means
# SITE_URL's host name. Set it once to the site's domain and never change it, even
# if the site moves, or every feed reader will show every post again as new.
FEEDS_ID_AUTHORITY = env.str("DESPATCH_FEEDS_ID_AUTHORITY", default="")
# Rendered feeds, kept under their ETag. A feed is a whole page, so it lives with
# them in each process's memory when that cache exists.
FEEDS_CACHE_ALIAS = "pages" if "pages" in CACHES else "default"

# --- Conversations --------------------------------------------------------------
# Comments (PRODUCT C1–C8). Rate limits are (count, seconds) windows counted in the
# cache, so with CACHE_URL pointing at Redis they hold across every app server.
DESPATCH_COMMENTS_MAX_LENGTH = env.int("DESPATCH_COMMENTS_MAX_LENGTH", default=5000)
DESPATCH_COMMENTS_MAX_LINKS = env.int("DESPATCH_COMMENTS_MAX_LINKS", default=2)
# A person needs a few seconds to read the form and write; robots post at once.
DESPATCH_COMMENTS_MIN_FILL_SECONDS = env.float("DESPATCH_COMMENTS_MIN_FILL_SECONDS", default=3.0)
DESPATCH_COMMENTS_RATE_LIMITS = {
    "ip": [
        (env.int("DESPATCH_COMMENTS_IP_PER_MINUTE", default=5), 60),
        (env.int("DESPATCH_COMMENTS_IP_PER_HOUR", default=30), 3600),
    ],
    "email": [
        (env.int("DESPATCH_COMMENTS_EMAIL_PER_MINUTE", default=3), 60),
        (env.int("DESPATCH_COMMENTS_EMAIL_PER_HOUR", default=15), 3600),
    ],
}
# Behind our own reverse proxy the reader's address is the last X-Forwarded-For hop.
DESPATCH_COMMENTS_TRUST_FORWARDED_FOR = env.bool("DESPATCH_BEHIND_PROXY", default=False)
# Commenters' IP addresses are dropped after this many days (prune_personal_data).
DESPATCH_COMMENTS_IP_RETENTION_DAYS = env.int("DESPATCH_COMMENTS_IP_RETENTION_DAYS", default=90)

# --- Studio and accounts ----------------------------------------------------------
# Background work runs in `despatch worker` (started by `despatch serve` too), from
# tasks stored in the database: a restart loses nothing. DESPATCH_TASK_BACKEND=
# django_tasks.backends.immediate.ImmediateBackend runs them in the request instead.
TASKS = {
    "default": {
        "BACKEND": env.str("DESPATCH_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Work the worker starts by itself: dotted task path -> seconds between runs. The
# sweep announces scheduled posts whose time has come (and any announcement lost).
DESPATCH_PERIODIC_TASKS = {
    "despatch.posts.tasks.announce_due_posts": env.int(
        "DESPATCH_ANNOUNCE_SWEEP_SECONDS", default=30
    ),
    "despatch.accounts.tasks.deactivate_inactive_staff": 24 * 60 * 60,
}
# `despatch serve` runs one worker alongside the web server unless this is off.
DESPATCH_SERVE_WITH_WORKER = env.bool("DESPATCH_SERVE_WITH_WORKER", default=True)

AUTHENTICATION_BACKENDS = ["despatch.accounts.backends.AccountBackend"]
LOGIN_URL = "studio:sign-in"
LOGIN_REDIRECT_URL = "studio:dashboard"
LOGOUT_REDIRECT_URL = "studio:sign-in"
PASSWORD_RESET_TIMEOUT = env.int("DESPATCH_PASSWORD_RESET_SECONDS", default=60 * 60 * 24)
# Five wrong passwords for one name, or thirty from one address, within the window
# lock sign-in for that name or address for the lockout period.
DESPATCH_SIGN_IN_ATTEMPTS = env.int("DESPATCH_SIGN_IN_ATTEMPTS", default=5)
DESPATCH_SIGN_IN_ATTEMPTS_PER_ADDRESS = env.int("DESPATCH_SIGN_IN_ATTEMPTS_PER_ADDRESS", default=30)
DESPATCH_SIGN_IN_WINDOW_SECONDS = env.int("DESPATCH_SIGN_IN_WINDOW_SECONDS", default=15 * 60)
DESPATCH_SIGN_IN_LOCKOUT_SECONDS = env.int("DESPATCH_SIGN_IN_LOCKOUT_SECONDS", default=15 * 60)
# Staff accounts (admins, editors, authors, contributors, moderators) unused this
# long are deactivated by `despatch deactivate-inactive-staff`, which the worker runs daily.
DESPATCH_STAFF_INACTIVE_DAYS = env.int("DESPATCH_STAFF_INACTIVE_DAYS", default=90)
OTP_TOTP_ISSUER = NETWORK_NAME
# Wrong codes slow further tries down exponentially (django-otp's own throttle).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Private preview links stop working after this many days.
DESPATCH_PREVIEW_LINK_DAYS = env.int("DESPATCH_PREVIEW_LINK_DAYS", default=7)

# Media. Local files under MEDIA_ROOT by default; object storage (S3 and compatible)
# by naming a django-storages backend, e.g.
#   DESPATCH_MEDIA_STORAGE=storages.backends.s3.S3Storage
#   DESPATCH_MEDIA_STORAGE_OPTIONS='{"bucket_name": "despatch-media",
#                                    "custom_domain": "media.example.org"}'
# (S3 needs boto3 installed beside django-storages: `uv pip install boto3`).
STORAGES["default"] = {
    "BACKEND": env.str(
        "DESPATCH_MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage"
    ),
    "OPTIONS": env.json("DESPATCH_MEDIA_STORAGE_OPTIONS", default={}),
}
DESPATCH_MAX_IMAGE_PIXELS = env.int("DESPATCH_MAX_IMAGE_PIXELS", default=40_000_000)
DESPATCH_MAX_VIDEO_UPLOAD_BYTES = env.int(
    "DESPATCH_MAX_VIDEO_UPLOAD_BYTES", default=200 * 1024 * 1024
)
# Widths of the WebP renditions made of each uploaded image, for srcset.
DESPATCH_IMAGE_RENDITION_WIDTHS = [320, 640, 960, 1280, 1920]
# --- End of studio and accounts ---------------------------------------------------

# --- Search -------------------------------------------------------------------
# One engine per alias, chosen by dotted path (Wagtail-style). The default
# "database" engine uses SQLite FTS5 or PostgreSQL full-text search, whichever
# database is in use. Relevance is judged among the RANK_WINDOW newest matches.
SEARCH_BACKENDS = {
    "default": {
        "BACKEND": env.str("DESPATCH_SEARCH_BACKEND", default="despatch.search.backends.database"),
        "RANK_WINDOW": env.int("DESPATCH_SEARCH_RANK_WINDOW", default=300),
    }
}
DESPATCH_SEARCH_RESULTS_PER_PAGE = env.int("DESPATCH_SEARCH_RESULTS_PER_PAGE", default=10)
# --- End of search ------------------------------------------------------------

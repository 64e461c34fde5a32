"""Settings shared by every environment.

Values come from the environment through one `env` object (django-environ); a `.env` file, if
present, fills in what the real environment does not set. Each block says why it exists.
"""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
{%- if cookiecutter.use_celery == "y" %}
from celery.schedules import crontab
{%- endif %}
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Allows `admin.ModelAdmin[BlockedIP]` and friends at runtime, as the type checker sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE = "{{ cookiecutter.project_slug }}"

env = environ.Env()
# The real environment wins over .env, so containers and CI are never overridden by a stray file.
if env.bool("DJANGO_READ_ENV_FILE", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def rate(name: str, default: str) -> str:
    """A rate such as "20/m" (per s, m, h or d) from the environment, checked at start-up."""
    value = env.str(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must look like 20/m (a count per s, m, h or d), not {value!r}"
        )
    return str(value)


# --- Core ---------------------------------------------------------------------------------------
# SECRET_KEY is set per environment: local and test have safe defaults, production requires it.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TIME_ZONE = "{{ cookiecutter.timezone }}"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_ratelimit",
{%- if cookiecutter.use_celery == "y" %}
    "django_celery_beat",
{%- endif %}
]
LOCAL_APPS = [
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.users",
    "{{ cookiecutter.project_slug }}.ip_tracking",
{%- if cookiecutter.use_graphql == "y" %}
    "{{ cookiecutter.project_slug }}.graphql_api",
{%- endif %}
{%- if cookiecutter.example_app == "catalog" %}
    "{{ cookiecutter.project_slug }}.catalog",
    "{{ cookiecutter.project_slug }}.idempotency",
{%- endif %}
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First, so every later log line (and the response) carries the request id.
    "{{ cookiecutter.project_slug }}.core.observability.middleware.RequestIdMiddleware",
    # Health probes come by IP address, not by a public host name: answered before host checks.
    "{{ cookiecutter.project_slug }}.core.health.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before sessions, auth and views: a blocked or flooding IP costs one Redis round trip.
    "{{ cookiecutter.project_slug }}.ip_tracking.middleware.IPMonitorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, so its redirects carry CORS headers too (django-cors-headers' docs).
    "corsheaders.middleware.CorsMiddleware",
    # Django's, minus the slash redirect of a POST that would lose its body (core/api/middleware.py).
    "{{ cookiecutter.project_slug }}.core.api.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# PostgreSQL through psycopg 3 when DATABASE_URL is set; SQLite otherwise, so a first run needs no
# services. https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}

# --- Cache --------------------------------------------------------------------------------------
# Redis (django-redis) when REDIS_URL is set: shared by every process. Without it a per-process
# local-memory cache keeps local development service-free.
REDIS_URL: str | None = env("REDIS_URL", default=None)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "{{ cookiecutter.project_slug }}",
            "OPTIONS": {
                # Fail in a bounded time instead of hanging a worker when Redis is unreachable.
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

{% if cookiecutter.example_app == "catalog" %}# Cache-aside for the public catalogue (see catalog/caching.py): lifetime of an entry, seconds.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
# A pending order not paid within this many minutes is cancelled and its stock returned.
ORDER_PAYMENT_MINUTES = env.int("ORDER_PAYMENT_MINUTES", default=30)

# --- Idempotency keys ---------------------------------------------------------------------------
# A write retried with the same Idempotency-Key header returns its first answer for this many
# hours; then the key is new again, and the hourly purge deletes it (idempotency/services.py).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
if IDEMPOTENCY_KEY_HOURS <= 0:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_HOURS must be a positive number of hours")

{% endif %}{% if cookiecutter.use_celery == "y" %}# --- Celery: background tasks ---------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# The broker holds queued tasks: it must not evict keys (Redis maxmemory-policy noeviction), so
# give it its own Redis database or server in production. amqp://... (RabbitMQ) works as well.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# JSON only: pickle would let anyone who can write to the broker run code in the worker.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Acknowledge after the task ran, not before: a worker that dies mid-task leaves the message to
# be redelivered, and a killed child process gives it back at once. Tasks must be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With late acks, prefetching would park tasks behind a slow one: take one at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A stuck task is interrupted (SoftTimeLimitExceeded, which it may catch to clean up), then killed.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# A failing task retries after 1 s, 2 s, 4 s ... up to this many seconds (config/celery.py).
TASK_RETRY_BACKOFF_MAX = env.int("TASK_RETRY_BACKOFF_MAX", default=600)
# Redis redelivers an unacknowledged task after this long. Shorter than the longest task, or than
# a retry's countdown, and that task would run twice: so it must exceed both (a system check in
# config/celery.py refuses to start otherwise).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if min(CELERY_TASK_SOFT_TIME_LIMIT, TASK_RETRY_BACKOFF_MAX) <= 0:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT and TASK_RETRY_BACKOFF_MAX must be positive numbers of seconds"
    )
# Each running worker looks for tasks out longer than the visibility timeout every this many
# seconds and puts them back on the queue. So the promise: a task whose whole worker is lost
# (killed, out of memory, host gone) runs again at most CELERY_VISIBILITY_TIMEOUT +
# CELERY_UNACKED_RESTORE_INTERVAL seconds after it was taken, while any worker is up (a pool
# process that dies hands its task back at once). kombu 5.7 looks only every
# `unacked_restore_throttle`-th time (default 10, so 100 s): 1 keeps the bound as written, for
# three Redis commands per worker per interval. Options: kombu/transport/redis.py's docstring.
CELERY_UNACKED_RESTORE_INTERVAL = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10)
if CELERY_UNACKED_RESTORE_INTERVAL <= 0:
    raise ImproperlyConfigured(
        "CELERY_UNACKED_RESTORE_INTERVAL must be a positive number of seconds"
    )
# Web requests send tasks after their commit, and a broker that is down must cost them a bounded
# time: redis-py waits forever by default on a broker that accepts and never answers. Each attempt
# waits at most this many seconds to connect or for a reply, and a send makes two attempts, so a
# request waits about 2 x this (4 to 5 s by default, measured) at worst, then goes on without the
# task (core/after_commit.py).
# Above 1 s: a synchronous BRPOP waits up to 1 s for its reply.
CELERY_BROKER_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=2.0)
if CELERY_BROKER_TIMEOUT <= 1:
    raise ImproperlyConfigured("CELERY_BROKER_TIMEOUT must be more than 1 second")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": CELERY_UNACKED_RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": CELERY_BROKER_TIMEOUT,
    "socket_timeout": CELERY_BROKER_TIMEOUT,
}
# Celery's default retries a failed send 4 times; one retry rides out a dropped connection.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below (JSON lines in production), like the web processes.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Periodic tasks: celery beat with the database scheduler (django-celery-beat). The entries
# below are written to the database when beat starts; more can be added in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "ip-tracking-flush-request-log": {
        "task": f"{PACKAGE}.ip_tracking.tasks.flush_request_log",
        "schedule": timedelta(minutes=1),
    },
    "ip-tracking-flag-suspicious-ips": {
        "task": f"{PACKAGE}.ip_tracking.tasks.flag_suspicious_ips",
        "schedule": crontab(minute=5),  # hourly, once the previous hour's windows are flushed
    },
    "users-flush-expired-tokens": {
        "task": f"{PACKAGE}.users.tasks.flush_expired_tokens",
        "schedule": crontab(minute=30, hour=3),  # daily, in the quiet hours
    },
{%- if cookiecutter.example_app == "catalog" %}
    "catalog-expire-unpaid-orders": {
        "task": f"{PACKAGE}.catalog.tasks.expire_unpaid_orders",
        "schedule": timedelta(minutes=5),
    },
    "catalog-resend-order-confirmations": {
        "task": f"{PACKAGE}.catalog.tasks.resend_order_confirmations",
        "schedule": timedelta(minutes=1),
    },
    "idempotency-purge-keys": {
        "task": f"{PACKAGE}.idempotency.tasks.purge_idempotency_keys",
        "schedule": crontab(minute=15),  # hourly
    },
{%- endif %}
}

{% endif %}# --- Auth ---------------------------------------------------------------------------------------
# A custom user from the first migration: swapping it later is a painful data migration.
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first: memory-hard, OWASP's first choice. The others only verify older hashes, which are
# rehashed with Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The admin's address: set DJANGO_ADMIN_URL in production so it is not where every scanner looks.
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/", ADMIN_URL):
    raise ImproperlyConfigured("DJANGO_ADMIN_URL must look like 'admin/' or 'ops/k3y7/'.")

# --- Cross-origin requests and request size -----------------------------------------------------
# CORS is closed: no browser on another origin may call the API until its origin is listed here
# (e.g. https://app.example.com). https://github.com/adamchainz/django-cors-headers
CORS_ALLOWED_ORIGINS: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/{% if cookiecutter.use_graphql == "y" %}(api|graphql){% else %}api{% endif %}/"
# A request body larger than this is refused with 400 before it is parsed (Django's default is
# 2.5 MB; the API takes small JSON documents).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Bounds on a JSON body's shape (core/api/parsers.py): deeper nesting or more values is a 400 before
# anything reads it. The API's own documents nest 3 deep and hold a few hundred values at most.
API_JSON = {
    "MAX_DEPTH": env.int("API_JSON_MAX_DEPTH", default=32),
    "MAX_VALUES": env.int("API_JSON_MAX_VALUES", default=10_000),
}
if API_JSON["MAX_DEPTH"] < 1 or API_JSON["MAX_VALUES"] < 1:
    raise ImproperlyConfigured("API_JSON_MAX_DEPTH and API_JSON_MAX_VALUES must be 1 or more")

# --- Content-Security-Policy (django-csp) --------------------------------------------------------
# Browsers run and load only what this server sends: no inline script, no other origin. The admin
# needs nothing more; the API docs pages relax only what their bundles need (config/urls.py).
# In every environment, so a page that breaks the policy breaks on your machine first.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- E-mail -------------------------------------------------------------------------------------
# The console locally; SMTP in production (EMAIL_HOST and friends, see production.py).
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@{{ cookiecutter.domain_name }}")

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Django REST framework ----------------------------------------------------------------------
# Private by default: a view opts in to AllowAny, never the other way round.
REST_FRAMEWORK: dict[str, Any] = {
    # JSON in, nothing else: DRF's default form and multipart parsers would accept file uploads
    # (spooled to disk, outside DATA_UPLOAD_MAX_MEMORY_SIZE) on every endpoint. Anything else: 415.
    # Ours bounds size, depth and value count (API_JSON above).
    "DEFAULT_PARSER_CLASSES": [f"{PACKAGE}.core.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # browsable API and admin users
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "{{ cookiecutter.project_slug }}.core.api.pagination.DefaultPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "{{ cookiecutter.project_slug }}.core.api.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "{{ cookiecutter.project_slug }}.core.api.openapi.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "{{ cookiecutter.project_slug }}.core.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttling for the whole API; sensitive endpoints add stricter limits (RATELIMIT_RATES).
    "DEFAULT_THROTTLE_CLASSES": [
        "{{ cookiecutter.project_slug }}.core.throttling.throttles.AnonThrottle",
        "{{ cookiecutter.project_slug }}.core.throttling.throttles.UserThrottle",
    ]
    if env.bool("THROTTLE_ENABLED", default=True)
    else [],
    "DEFAULT_THROTTLE_RATES": {
        "anon": rate("THROTTLE_ANON_RATE", "120/m"),
        "user": rate("THROTTLE_USER_RATE", "600/m"),
    },
}

# --- Abuse protection: client IP, rate limits, IP monitoring -------------------------------------
# How many proxies in front of the app append to X-Forwarded-For (0: it is ignored). Set it to
# exactly the number of trusted proxies; a wrong value lets clients choose their own IP.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# django-ratelimit on sensitive endpoints. https://django-ratelimit.readthedocs.io/
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
# One resolver of the client IP for every feature.
RATELIMIT_IP_META_KEY = f"{PACKAGE}.core.throttling.client_ip.client_ip"
RATELIMIT_RATES = {
    "login_ip": rate("RATELIMIT_LOGIN_IP", "20/m"),  # password guessing from one address
    "login_email": rate("RATELIMIT_LOGIN_EMAIL", "5/m"),  # guessing one account from many
    "token_refresh": rate("RATELIMIT_TOKEN_REFRESH", "30/m"),
{%- if cookiecutter.example_app == "catalog" %}
    "order_create": rate("RATELIMIT_ORDER_CREATE", "10/m"),  # per user: stock hoarding
{%- endif %}
}

# Rate counters (IP monitor, throttles) sync each key with Redis at most this often per process,
# and on every hit once near their limit: a hot client costs ~1 round trip per second, not one per
# request. 0 syncs every hit.
COUNTER_SYNC_SECONDS = env.float("COUNTER_SYNC_SECONDS", default=1.0)

# The IP monitor: counts each IP per window in Redis; bans an IP that passes THRESHOLD.
IP_MONITOR = {
    "ENABLED": env.bool("IP_MONITOR_ENABLED", default=True),
    "WINDOW_SECONDS": env.int("IP_MONITOR_WINDOW_SECONDS", default=60),
    "THRESHOLD": env.int("IP_MONITOR_THRESHOLD", default=600),
    "BAN_SECONDS": env.int("IP_MONITOR_BAN_SECONDS", default=900),
    "EXEMPT_PATHS": env.list("IP_MONITOR_EXEMPT_PATHS", default=["/health/", "/static/"]),
    "RETENTION_DAYS": env.int("IP_MONITOR_RETENTION_DAYS", default=30),
    # The hourly scan flags an address with more requests than this in one hour, for review.
    "SUSPICIOUS_PER_HOUR": env.int("IP_MONITOR_SUSPICIOUS_PER_HOUR", default=3000),
}

# --- JWT (djangorestframework-simplejwt) --------------------------------------------------------
# Short-lived access tokens; each refresh rotates the refresh token and blacklists the old one,
# so a stolen refresh token works at most once.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # simplejwt's own, with its 500 for a deleted user and its rotation race closed.
    "TOKEN_REFRESH_SERIALIZER": f"{PACKAGE}.users.serializers.TokenRefreshSerializer",
}

# --- OpenAPI (drf-spectacular) ------------------------------------------------------------------
# Docs are public by default (a locked Swagger page confuses API users); API_DOCS_PUBLIC=false
# restricts them to staff. https://drf-spectacular.readthedocs.io/en/latest/settings.html
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
SPECTACULAR_SETTINGS = {
    "TITLE": "{{ cookiecutter.project_name }} API",
    "DESCRIPTION": "{{ cookiecutter.description }}",
    "VERSION": "{{ cookiecutter.version }}",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if API_DOCS_PUBLIC
        else "rest_framework.permissions.IsAdminUser"
    ],
}

{% if cookiecutter.use_graphql == "y" %}# --- GraphQL (strawberry-graphql-django) --------------------------------------------------------
# /graphql/ beside REST, with REST's authentication and rate limits (graphql_api/apis.py). Every
# limit rejects an abusive document before anything runs. https://strawberry.rocks/docs/guides/security
GRAPHQL = {
    "GRAPHIQL": env.bool("GRAPHIQL", default=False),  # the in-browser IDE: local.py turns it on
    "INTROSPECTION": env.bool("GRAPHQL_INTROSPECTION", default=True),
    "MAX_QUERY_BYTES": env.int("GRAPHQL_MAX_QUERY_BYTES", default=10_000),
    "MAX_TOKENS": env.int("GRAPHQL_MAX_TOKENS", default=2_000),
    "MAX_DEPTH": env.int("GRAPHQL_MAX_DEPTH", default=8),
    "MAX_ALIASES": env.int("GRAPHQL_MAX_ALIASES", default=15),
    # Estimated fields a document may resolve: a list counts each item it can serve, so nested
    # lists multiply; a default page with 50 nested items of 6 fields each fits (security.py).
    "MAX_COST": env.int("GRAPHQL_MAX_COST", default=10_000),
}
# Page sizes of every GraphQL list, served even when the client names no `pagination`
# (graphql_api/security.py: strawberry-django alone would serve every row, its issue #846).
STRAWBERRY_DJANGO = {
    "PAGINATION_DEFAULT_LIMIT": env.int("GRAPHQL_PAGE_SIZE", default=20),
    "PAGINATION_MAX_LIMIT": env.int("GRAPHQL_MAX_PAGE_SIZE", default=100),
}

{% endif %}# --- Logging ------------------------------------------------------------------------------------
# One line per event, each with the request id. Readable locally; production switches the
# formatter to JSON lines for the log pipeline.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="readable")
if LOG_FORMAT not in {"readable", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'readable' or 'json', not {LOG_FORMAT!r}")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": "{{ cookiecutter.project_slug }}.core.observability.logging.RequestIdFilter",
        },
        "client_fault": {
            "()": "{{ cookiecutter.project_slug }}.core.observability.logging.ClientFaultFilter",
        },
    },
    "formatters": {
        "readable": {
            "format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "client_fault"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request log below replaces Django's own per-request lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

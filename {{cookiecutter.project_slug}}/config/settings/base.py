"""Settings shared by every environment: Django's core here, each other concern in a component.

Values come from the environment through one `env` object (django-environ, config/settings/env.py).
The components (config/settings/components/, one module per concern: cache, security, REST
framework, throttling, JWT, accounts, OpenAPI, logging, metrics, error reporting, tracing, and each chosen
option's own) are included below, after the core settings they may extend. Each block says why it
exists.
"""

import re

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Re-exported (`as`): the type checker then knows settings.BASE_DIR and settings.PACKAGE too.
from .env import BASE_DIR as BASE_DIR
from .env import PACKAGE as PACKAGE
from .env import env

# Allows `admin.ModelAdmin[BlockedIP]` and friends at runtime, as the type checker sees them.
django_stubs_ext.monkeypatch()

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
# INSTALLED_APPS is put together at the end, once the components have added their apps.
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
]
LOCAL_APPS = [
    f"{PACKAGE}.core",
    f"{PACKAGE}.users",
    f"{PACKAGE}.ip_tracking",
]

MIDDLEWARE = [
    # First, so every later log line (and the response) carries the request id.
    f"{PACKAGE}.core.observability.middleware.RequestIdMiddleware",
    # Health probes come by IP address, not by a public host name: answered before host checks.
    f"{PACKAGE}.core.health.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    f"{PACKAGE}.core.csp.CSPMiddleware",  # django-csp's, the site's policy built once
    # Before sessions, auth and views: a blocked or flooding IP costs one Redis round trip.
    f"{PACKAGE}.ip_tracking.middleware.IPMonitorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, so its redirects carry CORS headers too (django-cors-headers' docs).
    "corsheaders.middleware.CorsMiddleware",
    # Django's, minus the slash redirect of a POST that would lose its body (core/api/middleware.py).
    f"{PACKAGE}.core.api.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The admin's notices ("saved", "deleted") live in its session. Django's default storage tries a
# signed cookie first, and sets up its signer on every request, API calls included.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

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

# --- Auth ---------------------------------------------------------------------------------------
# A custom user from the first migration: swapping it later is a painful data migration.
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": f"{PACKAGE}.users.validators.MaximumLengthValidator"},  # 4096, as every form takes
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

# --- Components ---------------------------------------------------------------------------------
# One module per concern, in this sequence: a later one may read or extend an earlier one (and the
# app lists above). An option's component is there only when the option was chosen.
# isort: off
from .components.caches import *  # noqa: E402, F403
from .components.security import *  # noqa: E402, F403
from .components.rest_framework import *  # noqa: E402, F403
from .components.throttling import *  # noqa: E402, F403
from .components.jwt import *  # noqa: E402, F403
from .components.accounts import *  # noqa: E402, F403
from .components.spectacular import *  # noqa: E402, F403
from .components.logging import *  # noqa: E402, F403
from .components.metrics import *  # noqa: E402, F403
from .components.error_reporting import *  # noqa: E402, F403
from .components.tracing import *  # noqa: E402, F403
{%- if cookiecutter.use_celery == "y" %}
from .components.celery import *  # noqa: E402, F403
{%- endif %}
{%- if cookiecutter.use_graphql == "y" %}
from .components.graphql import *  # noqa: E402, F403
{%- endif %}
{%- if cookiecutter.example_app == "catalog" %}
from .components.catalog import *  # noqa: E402, F403
{%- endif %}
# isort: on

INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

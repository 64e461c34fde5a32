"""Test settings: fast and deterministic, on SQLite or on PostgreSQL/Redis when their URLs are set."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The suite sends no telemetry, whatever .env or the shell sets for local runs: no error report
# to Sentry, no span to a collector. Set before base.py reads .env, which never overrides a
# variable already set. Only in pytest's own process (PYTEST_VERSION, set by pytest for the run):
# the servers and workers a test starts get their settings from the test.
TELEMETRY_VARIABLES = (
    "SENTRY_DSN",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
)
if "PYTEST_VERSION" in os.environ:
    os.environ.update(dict.fromkeys(TELEMETRY_VARIABLES, ""))

from .base import *  # noqa: E402, F403
from .components.caches import CACHES, REDIS_URL  # noqa: E402
from .env import env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
# MD5 makes creating users in tests fast; never use it outside tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory (mail.outbox); a process started by a test can write files instead (EMAIL_FILE_PATH).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# pytest-xdist runs the suite in several processes (PYTEST_XDIST_WORKER: gw0, gw1, ...) and
# pytest-django gives each its own test database. Each gets its own Redis database too, the n-th
# after REDIS_URL's: tests empty the cache, and Redis empties a whole database at once.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):
    _url = urlsplit(REDIS_URL)
    _database = _url.path.strip("/") or "0"
    if not _database.isdigit():  # a socket's path, say: no number to move
        raise ImproperlyConfigured(
            "Parallel tests need REDIS_URL to name its database in the path "
            "(redis://host:6379/1): each test process takes the next one. Or run pytest -n0."
        )
    REDIS_URL = _url._replace(path=f"/{int(_database) + int(_worker.removeprefix('gw'))}").geturl()
    CACHES["default"]["LOCATION"] = REDIS_URL

# Without REDIS_URL the cache is per process, so rate-limit and IP-monitor counters are too.
# Acceptable here only (one process, one developer); production requires Redis.
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001", "ip_tracking.E001"]

# Every hit synced with the shared cache: tests see exact counts at once (batching has its own tests).
COUNTER_SYNC_SECONDS = 0.0
{%- if cookiecutter.example_app == "catalog" %}
# The popular ranking rebuilt on every read: tests see their own views at once (the snapshot has
# its own test).
POPULAR_SNAPSHOT_SECONDS = 0
{%- endif %}
{%- if cookiecutter.use_celery == "y" %}

# The broker and results follow REDIS_URL as in base, in this test process's Redis database.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)

# Tasks sent by the code under test run inline, so tests need no worker; the tests that start
# a real worker (tests/support/celery_worker.py) turn this off while it runs.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
{%- endif %}

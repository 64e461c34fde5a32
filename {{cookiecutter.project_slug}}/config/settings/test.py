"""Test settings: fast and deterministic, on SQLite or on PostgreSQL/Redis when their URLs are set."""

from .base import *  # noqa: F403
from .base import REDIS_URL
from .env import env

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

# Without REDIS_URL the cache is per process, so rate-limit and IP-monitor counters are too.
# Acceptable here only (one process, one developer); production requires Redis.
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001", "ip_tracking.E001"]

# Every hit synced with the shared cache: tests see exact counts at once (batching has its own tests).
COUNTER_SYNC_SECONDS = 0.0
{%- if cookiecutter.use_celery == "y" %}

# Tasks sent by the code under test run inline, so tests need no worker; the tests in
# Tests that start a real worker (tests/support/celery_worker.py) turn this off while it runs.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
{%- endif %}

"""Local development: debug on, and no service required (see base.py and its components)."""

from .base import *  # noqa: F403
from .base import {% if cookiecutter.use_celery == "y" %}CELERY_BROKER_URL, {% endif %}REDIS_URL
from .env import env

DEBUG = env.bool("DEBUG", default=True)
# Only ever used on a developer's machine; production refuses to start without a real key.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Without REDIS_URL the cache is per process, so rate-limit and IP-monitor counters are too.
# Acceptable here only (one process, one developer); production requires Redis.
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001", "ip_tracking.E001"]
{%- if cookiecutter.use_celery == "y" %}

# No broker configured: run tasks inline, in the web process, so a first run needs no services.
# Set REDIS_URL and start `make worker` to run them in the background as production does.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
{%- endif %}

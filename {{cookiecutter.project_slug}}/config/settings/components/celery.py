"""Celery: the broker, serialisation, acknowledgement, time limits and the periodic tasks.

Owned by use_celery=y (pruned otherwise). The Celery app itself is config/celery.py.
https://docs.celeryq.dev/en/stable/userguide/configuration.html
"""

from datetime import timedelta
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from ..base import THIRD_PARTY_APPS, TIME_ZONE
from ..env import PACKAGE, env
from .caches import REDIS_URL

# Periodic tasks are stored in the database (CELERY_BEAT_SCHEDULER below).
THIRD_PARTY_APPS.append("django_celery_beat")

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
# Workers log through LOGGING (logging.py; JSON lines in production), like the web processes.
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

# Each worker serves its tasks' metrics and the queue lengths here (core/metrics/worker.py);
# gunicorn's master uses METRICS_PORT, 9100, so both can run on one host.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=9101)

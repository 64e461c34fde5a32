"""The Celery application: background tasks and periodic jobs, on Redis by default.

Start a worker with `make worker` and the scheduler with `make beat` (its own process: run exactly
one). Settings live in config/settings/base.py under CELERY_*; see docs "Background tasks".
"""

import os
import smtplib
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Failures that a later attempt can cure: the database or Redis restarting, a mail server
# hiccup. Anything else is a bug or bad data, and retrying would only repeat it.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)


class BaseTask(DjangoTask[Any, Any]):
    """Every task's policy. Tasks must be idempotent: with acks_late a task can run twice.

    Transient errors retry with exponential backoff (1 s, 2 s, 4 s ... capped at 10 min), with
    full jitter so a recovering service is not hit by every retry in the same second.
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

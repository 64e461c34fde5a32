"""The Celery application: background tasks and periodic jobs, on Redis by default.

Start a worker with `make worker` and the scheduler with `make beat` (its own process: run exactly
one). Its settings (CELERY_*) are in config/settings/components/celery.py; docs "Background tasks".
"""

import os
import smtplib
from collections.abc import Sequence
from typing import Any

from celery import Celery, signals
from celery.contrib.django.task import DjangoTask
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from {{ cookiecutter.project_slug }}.core.metrics import worker as worker_metrics

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

    Transient errors retry with exponential backoff (1 s, 2 s, 4 s ... capped at
    settings.TASK_RETRY_BACKOFF_MAX, 10 min), with full jitter so a recovering service is not hit
    by every retry in the same second.
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_jitter = True
    max_retries = 8

    @property
    def retry_backoff_max(self) -> int:
        # A setting, read when each task is registered: the visibility timeout must exceed it.
        return int(settings.TASK_RETRY_BACKOFF_MAX)


@checks.register("settings")  # run at every start-up: see core/checks.py
def check_celery_limits(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The time limits and the longest retry wait must end before Redis redelivers the task."""
    soft = settings.CELERY_TASK_SOFT_TIME_LIMIT
    hard = settings.CELERY_TASK_TIME_LIMIT
    visibility = settings.CELERY_VISIBILITY_TIMEOUT
    backoff = settings.TASK_RETRY_BACKOFF_MAX
    errors: list[checks.CheckMessage] = []
    if not soft < hard:
        errors.append(
            checks.Error(
                f"CELERY_TASK_SOFT_TIME_LIMIT ({soft} s) must be below CELERY_TASK_TIME_LIMIT "
                f"({hard} s): the soft limit lets a task clean up before the hard one kills it.",
                id="config.E001",
            )
        )
    for name, seconds, why in (
        ("CELERY_TASK_TIME_LIMIT", hard, "a task still running"),
        ("TASK_RETRY_BACKOFF_MAX", backoff, "a retry still waiting its countdown"),
    ):
        if not seconds < visibility:
            errors.append(
                checks.Error(
                    f"CELERY_VISIBILITY_TIMEOUT ({visibility} s) must exceed {name} "
                    f"({seconds} s): Redis would hand {why} to a second worker, and it would "
                    "run twice.",
                    id="config.E002",
                )
            )
    return errors


app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks counted and timed where they run; the main process serves them before the pool starts.
# (Each receiver reads METRICS_ENABLED when called: importing this module loads no settings.)
signals.task_prerun.connect(worker_metrics.task_started)
signals.task_postrun.connect(worker_metrics.task_finished)
signals.worker_init.connect(worker_metrics.worker_started)
signals.worker_process_shutdown.connect(worker_metrics.pool_process_exited)

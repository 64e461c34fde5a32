"""Celery's configuration: what every task inherits, the beat schedule, and start-up checks."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import BaseTask, app

from tests.support.fresh_process import run_with_settings

CELERY_PROBE = (
    "import django; django.setup(); from config.celery import app; "
    "print(app.conf.task_always_eager, app.conf.broker_url, "
    "app.conf.broker_transport_options['visibility_timeout'])"
)


def load_celery_settings(**env: str | None) -> str:
    result = run_with_settings(CELERY_PROBE, settings_module="config.settings.local", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_broker_is_redis_and_only_json_is_accepted() -> None:
    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == app.conf.result_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_redelivery_waits_longer_than_any_task_may_run_or_wait() -> None:
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit < visibility
    # A retry waits up to retry_backoff_max in the worker, unacknowledged: that too.
    app.loader.import_default_modules()
    task = app.tasks[f"{settings.PACKAGE}.ip_tracking.tasks.flush_request_log"]
    assert isinstance(task, BaseTask)
    assert task.retry_backoff_max == settings.TASK_RETRY_BACKOFF_MAX == 600
    assert task.retry_backoff_max < visibility


def test_a_lost_task_is_looked_for_on_every_restore_interval_not_every_tenth() -> None:
    """The redelivery bound, visibility timeout + restore interval, holds only with throttle 1."""
    options = app.conf.broker_transport_options
    assert options["unacked_restore_interval"] == settings.CELERY_UNACKED_RESTORE_INTERVAL == 10
    assert options["unacked_restore_throttle"] == 1


@pytest.mark.parametrize("interval", ["0", "-5"])
def test_a_restore_interval_that_is_not_positive_stops_the_start(interval: str) -> None:
    env = {"CELERY_UNACKED_RESTORE_INTERVAL": interval}
    result = run_with_settings(CELERY_PROBE, settings_module="config.settings.local", env=env)
    assert result.returncode != 0
    assert "CELERY_UNACKED_RESTORE_INTERVAL must be a positive" in result.stderr


def test_without_a_broker_tasks_run_inline_and_with_redis_they_are_queued() -> None:
    assert load_celery_settings(REDIS_URL=None) == "True None 3600"
    assert load_celery_settings(REDIS_URL="redis://127.0.0.1:6379/5") == (
        "False redis://127.0.0.1:6379/5 3600"
    )
    assert load_celery_settings(
        REDIS_URL="redis://127.0.0.1:6379/5", CELERY_BROKER_URL="amqp://guest@127.0.0.1//"
    ).startswith("False amqp://guest")


def test_in_a_parallel_test_process_the_broker_is_that_process_redis_database() -> None:
    # The test process gw3 of a run on REDIS_URL=.../4 (config/settings/test.py): cache and
    # broker on .../7, so its queues are not another test process's.
    env = {
        "REDIS_URL": "redis://127.0.0.1:6379/4",
        "PYTEST_XDIST_WORKER": "gw3",
        "CELERY_BROKER_URL": None,
    }
    result = run_with_settings(CELERY_PROBE, settings_module="config.settings.test", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "redis://127.0.0.1:6379/7"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        # Found in the field: 400 s passed a check of the time limits alone, while a retry's
        # countdown reaches 600 s: the waiting task is redelivered and runs twice.
        (
            {"CELERY_VISIBILITY_TIMEOUT": "400"},
            "CELERY_VISIBILITY_TIMEOUT (400 s) must exceed TASK_RETRY_BACKOFF_MAX (600 s)",
        ),
        (
            {"CELERY_TASK_TIME_LIMIT": "4000"},
            "CELERY_VISIBILITY_TIMEOUT (3600 s) must exceed CELERY_TASK_TIME_LIMIT (4000 s)",
        ),
        (
            {"CELERY_TASK_SOFT_TIME_LIMIT": "300"},
            "CELERY_TASK_SOFT_TIME_LIMIT (300 s) must be below CELERY_TASK_TIME_LIMIT (300 s)",
        ),
        ({"CELERY_TASK_SOFT_TIME_LIMIT": "0"}, "must be positive numbers of seconds"),
        ({"CELERY_BROKER_TIMEOUT": "1"}, "CELERY_BROKER_TIMEOUT must be more than 1 second"),
    ],
    ids=[
        "visibility-below-backoff",
        "visibility-below-limit",
        "soft-not-below-hard",
        "zero",
        "broker-timeout-too-short",
    ],
)
def test_contradicting_time_limits_stop_the_start(env: dict[str, str], message: str) -> None:
    result = run_with_settings(CELERY_PROBE, settings_module="config.settings.local", env=env)
    assert result.returncode != 0
    assert message in result.stderr.strip().splitlines()[-1]


def test_each_contradiction_is_its_own_system_check() -> None:
    env = {"CELERY_VISIBILITY_TIMEOUT": "400", "CELERY_TASK_TIME_LIMIT": "500"}
    probe = (
        "import django; from django.conf import settings; settings.INSTALLED_APPS; "
        "from django.core import checks; from config.celery import check_celery_limits; "
        "print(sorted(m.id for m in check_celery_limits(None)))"
    )
    result = run_with_settings(probe, settings_module="config.settings.local", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['config.E002', 'config.E002']"


def test_every_scheduled_task_exists() -> None:
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


@pytest.mark.django_db(transaction=True)  # the scheduler closes connections between steps
def test_beat_writes_the_schedule_to_the_database_where_the_admin_can_edit_it() -> None:
    DatabaseScheduler(app=app)
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names
    hourly = PeriodicTask.objects.get(name="ip-tracking-flag-suspicious-ips")
    assert hourly.crontab is not None
    assert (hourly.crontab.minute, hourly.crontab.hour) == ("5", "*")

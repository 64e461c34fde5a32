"""A real worker on the real Redis: health check, and what it refuses to run."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from {{ cookiecutter.project_slug }}.ip_tracking.tasks import flush_request_log

from tests.support.celery_worker import Worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_sent_to_the_broker_runs_on_the_worker(worker: Worker) -> None:
    assert flush_request_log.delay().get(timeout=30) == 0


def test_worker_health_answers_for_a_live_worker_and_fails_for_a_missing_one(
    worker: Worker,
) -> None:
    out = StringIO()
    call_command("worker_health", "--node", worker.node, stdout=out)
    assert f"{worker.node} is alive" in out.getvalue()
    with pytest.raises(CommandError, match="no reply from Celery worker celery@nowhere"):
        call_command("worker_health", "--node", "celery@nowhere", "--timeout", "0.5")


def test_the_worker_refuses_pickled_tasks(worker: Worker) -> None:
    # Pickle runs code while loading: whoever can write to the broker would own the worker.
    start = len(worker.log_text())
    flush_request_log.apply_async(serializer="pickle")
    wait_for(lambda: "untrusted content" in worker.log_since(start), "the worker to refuse it")
    assert flush_request_log.delay().get(timeout=30) == 0  # and it keeps working

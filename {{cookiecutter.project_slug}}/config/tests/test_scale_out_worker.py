"""A worker stopped with SIGTERM beside another: no task is lost, and none runs twice.

On scale-down (KEDA, a rollout) Kubernetes sends SIGTERM to a worker's main process. With the
settings of components/celery.py (late acks, a prefetch of one) the worker finishes the task it
is running (warm shutdown) and hands back the tasks it holds but has not started: with a prefetch
of one, those are tasks waiting for a countdown (a retry's backoff, say), since a busy worker
takes no other. The tasks still queued were never the stopping worker's. The other worker runs
all of them, each once. Its own module: it starts and stops its own workers.
"""

import os
import signal
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from config.celery import app

from {{ cookiecutter.project_slug }}.users.tasks import (
    flush_expired_tokens,
    send_account_email,
)
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from tests.support.celery_worker import (
    Worker,
    row_locked,
    running_worker,
    someone_waits_for_a_lock,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAILS = 3
# Long enough for the task below to reach its row lock before these are due (an idle worker would
# run them at once; that takes a tenth of this). Once due, they wait for its one pool process.
COUNTDOWN = 3


def mail_to(address: str) -> dict[str, object]:
    """The arguments of send_account_email: one mail to `address`."""
    return {"subject": "Hi", "body": "Hi.", "html": "", "from_email": "a@b.test", "to": [address]}


def recipients(worker: Worker) -> list[str]:
    """Whom the worker's mails went to: one mail per run of a task."""
    return [
        line.removeprefix("To: ")
        for mail in worker.sent_mails()
        for line in mail.splitlines()
        if line.startswith("To: ")
    ]


def holding(worker: Worker) -> int:
    """How many tasks the worker holds without running them (due or waiting for their time)."""
    inspect = app.control.inspect(destination=[worker.node], timeout=2)
    scheduled, reserved = inspect.scheduled() or {}, inspect.reserved() or {}
    return len(scheduled.get(worker.node, [])) + len(reserved.get(worker.node, []))


def test_a_worker_stopped_with_sigterm_finishes_its_task_and_hands_back_the_rest(
    tmp_path: Path,
) -> None:
    user = UserFactory.create()
    expired = OutstandingToken.objects.create(
        user=user, jti=uuid4().hex, token="expired", expires_at=timezone.now() - timedelta(days=1)
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "stopped").mkdir()
    held = [f"held{number}@example.com" for number in range(MAILS)]
    queued = [f"queued{number}@example.com" for number in range(MAILS)]
    # The other worker listens elsewhere until the stopping one holds its tasks: which worker
    # holds which is then no accident.
    with (
        running_worker(tmp_path / "other", queues="standby") as other,
        running_worker(tmp_path / "stopped") as stopped,
    ):
        for address in held:
            send_account_email.apply_async(kwargs=mail_to(address), countdown=COUNTDOWN)
        wait_for(lambda: holding(stopped) == MAILS, "the worker to take the mails due later")
        with row_locked("token_blacklist_outstandingtoken", expired.pk) as holder:
            running = flush_expired_tokens.delay()  # its DELETE waits for the lock
            wait_for(someone_waits_for_a_lock, "the task to block on the row lock")
            for address in queued:
                send_account_email.apply_async(kwargs=mail_to(address))
            app.control.add_consumer(
                app.conf.task_default_queue, destination=[other.node], reply=True
            )
            os.kill(stopped.process.pid, signal.SIGTERM)  # the pod's main process, as Kubernetes
            wait_for(lambda: "Warm shutdown" in stopped.log_text(), "the warm shutdown")
            assert stopped.process.poll() is None  # still finishing its task
            holder.rollback()
        assert running.get(timeout=30) is None  # the running task completed
        assert stopped.process.wait(timeout=30) == 0
        wait_for(lambda: len(recipients(other)) >= 2 * MAILS, "the other worker's mails")
        other.wait_until_idle()
        assert sorted(recipients(other)) == sorted(held + queued)  # each once
        assert recipients(stopped) == []
        assert stopped.log_text().count("flush_expired_tokens[") == 2  # received, succeeded
        assert "flush_expired_tokens[" not in other.log_text()
    assert not OutstandingToken.objects.filter(pk=expired.pk).exists()

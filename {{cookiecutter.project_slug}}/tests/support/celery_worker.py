"""A real Celery worker in a subprocess, on the real Redis and the test database.

Used by the tests that need a worker (test_worker*.py, the confirmations): what they prove (late acks, redelivery, commit-time sending)
only exists between separate processes and a real broker, so nothing here is mocked. A pytest
plugin (the root conftest.py loads it): a test that takes the `worker` fixture gets its module's
worker, started once per module and idle again after each test.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from celery.result import allow_join_result
from django.db import connection

from config.celery import app

from {{ cookiecutter.project_slug }}.core.metrics.worker import tasks_waiting

from tests.support.fresh_process import PROJECT_ROOT, server_env, skip_without_services, wait_for


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    node: str
    log: Path
    mail_dir: Path

    def pool_children(self) -> list[int]:
        """PIDs of the prefork pool's processes (Linux /proc), which run the tasks."""
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def sent_mails(self) -> list[str]:
        return [path.read_text() for path in sorted(self.mail_dir.glob("*.log"))]

    def log_since(self, offset: int) -> str:
        """The worker's log from `offset` on (take the offset with len(worker.log_text()))."""
        return self.log_text()[offset:]

    def log_text(self) -> str:
        return self.log.read_text()

    def wait_until_idle(self) -> None:
        """Wait until nothing is queued, reserved or running.

        A test's teardown flushes the test database with TRUNCATE: a task still running then (one
        that the test's own writes sent, say) could deadlock with it and fail the test.
        """
        wait_for(self.idle, "the worker to finish its tasks")

    def idle(self) -> bool:
        with app.connection_for_read() as conn:
            queued = tasks_waiting(conn.default_channel, app.conf.task_default_queue)
        inspect = app.control.inspect(destination=[self.node], timeout=2)
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
        # No reply counts as busy: a worker that does not answer may be mid-task.
        return not queued and active.get(self.node) == [] and reserved.get(self.node) == []

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once: a lost node, nothing acknowledged or handed back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def connect(*, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """A separate connection to the test database, outside Django's."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
        autocommit=autocommit,
    )


@contextmanager
def row_locked(table: str, pk: int) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """Hold a row lock from another connection, so a task that needs the row stops and waits."""
    skip_without_services()
    with connect() as holder:
        holder.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608
        yield holder  # holder.rollback() releases the lock early


def someone_waits_for_a_lock() -> bool:
    with connect(autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


@contextmanager
def running_worker(
    tmp_path: Path, *, queues: str | None = None, **settings_env: str
) -> Iterator[Worker]:
    """Start a worker (one pool process) on the test database; tasks sent meanwhile go to it.

    Starting one takes seconds, so a module shares one (a module-scoped fixture that depends on
    django_db_setup, for the test database's name); its tests use transactional_db.
    `queues` (comma-separated) replaces the default queue; `settings_env` adds environment
    variables, e.g. shorter Celery limits.
    """
    skip_without_services()
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = server_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        **settings_env,
    )
    app.control.purge()  # nothing left over from an earlier run
    log = tmp_path / "worker.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed command
            [
                sys.executable,
                "-m",
                "celery",
                "--app=config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname={node}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                *([f"--queues={queues}"] if queues else []),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown stops pool processes too
        )
    worker = Worker(process, node, log, mail_dir)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test settings run tasks inline; send them for real
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[node], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text()[-3000:]}")
        # Eager tasks sent from several threads at once (the concurrency tests) can leave Celery's
        # process-wide "we are inside a task" flag set, which forbids result.get(): clear it.
        with allow_join_result():
            yield worker
    finally:
        app.conf.task_always_eager = eager
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: finishes the current task
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def started_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    with running_worker(tmp_path_factory.mktemp("worker")) as worker:
        yield worker


@pytest.fixture
def worker(started_worker: Worker) -> Iterator[Worker]:
    yield started_worker
    started_worker.wait_until_idle()  # before the teardown flushes the test database

"""Tracing across the broker: the task a request enqueues runs in the request's trace.

The task goes through the real Redis broker to a worker in this process (Celery's test worker,
in a thread): the thread shares no context with the request, so the worker can only find the
trace in the message's headers, as a worker on another machine does.
"""

import logging
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_trace_id

from config.celery import app

from tests.support.accounts import ACCOUNTS, PASSWORD
from tests.support.fresh_process import skip_without_services, wait_for
from tests.support.tracing import Captured, db_system, one_trace

TASK = "{{ cookiecutter.project_slug }}.users.tasks.send_account_email"


@pytest.fixture
def worker_thread(transactional_db: None) -> Iterator[None]:
    """A worker in this process on the real broker; tasks are sent to it, not run inline."""
    skip_without_services()
    app.control.purge()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    # Celery's test worker sets logging up afresh as it starts (the root logger's handlers go,
    # whatever worker_hijack_root_logger says): the tests after this one get them back.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = eager
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_task_a_request_enqueues_runs_in_its_trace(
    worker_thread: None, spans: InMemorySpanExporter, captured_logs: Captured
) -> None:
    # (The worker first: the captured records' handler is added to the root after it started.)
    response = Client().post(
        f"{ACCOUNTS}/auth/signup",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401  # signed up; the e-mail is still to be verified
    wait_for(lambda: mail.outbox, "the worker to send the verification e-mail")
    wait_for(
        lambda: any(span.name == f"run/{TASK}" for span in spans.get_finished_spans()),
        "the task's span to end",
    )
    finished = list(spans.get_finished_spans())
    trace_id = one_trace(finished)
    by_id = {span.context.span_id: span for span in finished if span.context}
    (server,) = [span for span in finished if span.kind is SpanKind.SERVER]
    (sent,) = [span for span in finished if span.name == f"apply_async/{TASK}"]
    (ran,) = [span for span in finished if span.name == f"run/{TASK}"]
    assert (sent.kind, ran.kind) == (SpanKind.PRODUCER, SpanKind.CONSUMER)
    # The run's parent is the send, itself inside the request's span.
    assert ran.parent is not None
    assert by_id[ran.parent.span_id] is sent
    assert sent.parent is not None
    assert by_id[sent.parent.span_id] is server
    assert {db_system(span) for span in finished} >= {"postgresql", "redis"}
    # The worker's lines while the task ran carry the request's trace, as the request's lines do.
    traced = {
        line["trace_id"] for line in captured_logs.lines if line["name"] == "celery.app.trace"
    }
    assert traced == {format_trace_id(trace_id)}

"""The task metrics recorded in a pool process, and the queue length read from the broker."""

import logging

import pytest
from celery import Celery
from kombu import Exchange, Queue
from prometheus_client import REGISTRY

from {{ cookiecutter.project_slug }}.core.metrics import worker


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


EXAMPLES = Celery(set_as_current=False)


@EXAMPLES.task(name="tests.example")
def example() -> None:
    """A task of its own app: the project's are not run here."""


def test_a_run_is_counted_under_its_state_and_timed() -> None:
    task = example
    runs = value("celery_task_runs_total", task="tests.example", state="failure")
    timed = value("celery_task_duration_seconds_count", task="tests.example")
    worker.task_started(task_id="t-1")
    worker.task_finished(task_id="t-1", task=task, state="FAILURE")
    assert value("celery_task_runs_total", task="tests.example", state="failure") == runs + 1
    assert value("celery_task_duration_seconds_count", task="tests.example") == timed + 1
    # A run whose start this process did not see is counted, not timed.
    worker.task_finished(task_id="t-2", task=task, state=None)
    assert value("celery_task_runs_total", task="tests.example", state="unknown") >= 1
    assert value("celery_task_duration_seconds_count", task="tests.example") == timed + 1


def test_the_queue_length_is_read_from_the_broker_at_each_scrape() -> None:
    app = Celery(broker="memory://", set_as_current=False)
    collector = worker.QueueLengthCollector(app)
    queue = Queue(app.conf.task_default_queue, Exchange("metrics-test"), routing_key="metrics")
    with app.connection_for_write() as connection:
        producer = connection.Producer()
        for n in range(3):
            producer.publish(
                {"n": n}, exchange=queue.exchange, routing_key="metrics", declare=[queue]
            )
    (family,) = collector.collect()
    assert [(s.labels, s.value) for s in family.samples] == [({"queue": queue.name}, 3)]


def test_an_unreachable_broker_gives_no_sample_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)  # nothing listens on 1
    with caplog.at_level(logging.WARNING):
        (family,) = worker.QueueLengthCollector(app).collect()
    assert family.samples == []
    assert "queue length not read" in caplog.text

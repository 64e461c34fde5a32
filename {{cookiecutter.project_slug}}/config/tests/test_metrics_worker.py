"""A real task worker's metrics: task runs and durations from its pool, and the queue's length."""

from collections.abc import Iterator

import pytest

from config.celery import app

from {{ cookiecutter.project_slug }}.ip_tracking.tasks import flush_request_log

from tests.support.celery_worker import Worker, running_worker
from tests.support.fresh_process import free_port
from tests.support.metrics import promtool_check_metrics, sample, scrape

# Slow: starts a worker. transactional_db: the worker's own connection reads what tests commit.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TASK = flush_request_log.name


@pytest.fixture(scope="module")
def metrics_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Worker, str]]:
    folder = tmp_path_factory.mktemp("worker-metrics")
    port = free_port()
    with running_worker(
        folder,
        PROMETHEUS_MULTIPROC_DIR=str(folder / "samples"),
        METRICS_HOST="127.0.0.1",
        WORKER_METRICS_PORT=str(port),
    ) as worker:
        yield worker, f"http://127.0.0.1:{port}/metrics"


def test_tasks_run_in_the_pool_are_counted_and_timed(metrics_worker: tuple[Worker, str]) -> None:
    worker, url = metrics_worker
    before = scrape(url)
    for result in [flush_request_log.delay() for _ in range(3)]:
        result.get(timeout=30)
    worker.wait_until_idle()
    after = scrape(url)
    for name in ("celery_task_runs_total", "celery_task_duration_seconds_count"):
        labels = {"task": TASK} | ({"state": "success"} if "runs" in name else {})
        assert sample(after, name, **labels) - sample(before, name, **labels) == 3, name
    checked = promtool_check_metrics(after)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_queue_length_is_the_tasks_waiting_in_the_broker(
    metrics_worker: tuple[Worker, str],
) -> None:
    worker, url = metrics_worker
    queue = app.conf.task_default_queue
    assert sample(scrape(url), "celery_queue_length", queue=queue) == 0
    app.control.cancel_consumer(queue, destination=[worker.node], reply=True)
    try:
        results = [flush_request_log.delay() for _ in range(4)]
        assert sample(scrape(url), "celery_queue_length", queue=queue) == 4
    finally:
        app.control.add_consumer(queue, destination=[worker.node], reply=True)
    for result in results:
        result.get(timeout=30)
    assert sample(scrape(url), "celery_queue_length", queue=queue) == 0

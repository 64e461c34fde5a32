"""The task worker's metrics: each task's outcome and duration, and the length of its queues.

The tasks run in the pool's processes; the worker's main process serves their samples (gathered
from PROMETHEUS_MULTIPROC_DIR, as for gunicorn) on WORKER_METRICS_PORT, 9101 by default. The
receivers are connected in config/celery.py.
"""

import logging
import os
import time
from collections.abc import Iterator
from typing import Any, cast

from celery import Celery, Task
from celery.worker import WorkController
from django.conf import settings
from kombu import Queue
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from . import exporter

logger = logging.getLogger(__name__)

# Tasks run for milliseconds (a flush) to minutes (a report): up to the 300 s hard limit.
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

TASK_RUNS = Counter(
    "celery_task_runs",
    "Task runs by task name and final state: success, failure, retry.",
    ["task", "state"],
)
TASK_DURATION = Histogram(
    "celery_task_duration_seconds",
    "Time of each task run in a pool process, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)

QUEUE_LENGTH = "celery_queue_length"  # a gauge read from the broker at each scrape (below)

_started: dict[str, float] = {}  # task id -> when it started, in the process running it


def task_started(*, task_id: str, **kwargs: Any) -> None:
    """A task_prerun receiver."""
    if settings.METRICS_ENABLED:
        _started[task_id] = time.perf_counter()


def task_finished(*, task_id: str, task: Task[Any, Any], state: str | None, **kwargs: Any) -> None:
    """A task_postrun receiver: counts the run under its state, and times it."""
    if not settings.METRICS_ENABLED:
        return
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
    TASK_RUNS.labels(task.name, (state or "unknown").lower()).inc()


def tasks_waiting(channel: Any, queue: str) -> int:
    """The tasks waiting in `queue` on the broker behind `channel` (reserved ones are not).

    The queue is declared as the worker declares it (an empty Redis queue has no key); the
    answer is AMQP's declare-ok (name, messages, consumers), which kombu's Redis transport mimics.
    """
    declared = Queue(queue).bind(channel).queue_declare()
    _, waiting, _ = cast("tuple[str, int, int]", declared)  # the stubs say it is the name
    return waiting


class QueueLengthCollector(Collector):
    """`celery_queue_length{queue}`: tasks waiting in each queue, read from the broker at scrape.

    The figure the autoscaler of the workers reads (a task a worker has reserved is no longer in
    it). One broker round trip per queue per scrape; a broker that does not answer gives no
    sample rather than a wrong one.
    """

    def __init__(self, app: Celery) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            QUEUE_LENGTH, "Tasks waiting in the broker's queue.", labels=["queue"]
        )
        names = [queue.name for queue in self.app.conf.task_queues or ()] or [
            self.app.conf.task_default_queue
        ]
        try:
            # One attempt, two seconds: a scrape must not wait out the broker's retries.
            with self.app.connection_for_read(connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=0)
                for name in names:
                    family.add_metric([name], tasks_waiting(connection.default_channel, name))
        except Exception:  # whatever the broker raised: a collector that raises fails the scrape
            logger.warning("queue length not read from the broker", exc_info=True)
        yield family


def worker_started(*, sender: WorkController, **kwargs: Any) -> None:
    """A worker_init receiver: serves the pool's samples and the queue lengths.

    It runs in the worker's main process before the pool starts, on WORKER_METRICS_PORT.
    """
    if not settings.METRICS_ENABLED:
        return
    if not os.environ.get(exporter.MULTIPROC_DIR_VARIABLE):
        # Without it each pool process keeps its counters to itself: serving the main process's
        # would show none of the tasks. The image and `make worker` set it.
        logger.warning("worker metrics not served: set PROMETHEUS_MULTIPROC_DIR (docs)")
        return
    exporter.clear_multiprocess_dir()
    host, port = settings.METRICS_HOST, settings.WORKER_METRICS_PORT
    try:
        exporter.serve(host=host, port=port, extra=[QueueLengthCollector(sender.app)])
    except OSError as error:
        logger.error("worker metrics not served on %s:%s: %s", host, port, error)


def pool_process_exited(*, pid: int, **kwargs: Any) -> None:
    """A worker_process_shutdown receiver: forget the exited process's live samples."""
    if settings.METRICS_ENABLED:
        exporter.mark_process_dead(pid)

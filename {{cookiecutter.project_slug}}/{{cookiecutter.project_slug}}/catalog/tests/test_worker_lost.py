"""A worker lost mid-task (SIGKILL to the whole node): a new worker finishes the task, once.

It does so within the redelivery bound the settings promise (CELERY_VISIBILITY_TIMEOUT +
CELERY_UNACKED_RESTORE_INTERVAL). Its own module: it starts and kills its own workers, so no other worker may share the queue.
"""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from config.celery import app

from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from tests.support.celery_worker import (
    row_locked,
    running_worker,
    someone_waits_for_a_lock,
    wait_for,
)
from tests.support.fresh_process import skip_without_services

from ..models import Order
from ..services import OrderLine, order_create
from ..tasks import expire_unpaid_orders
from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds, instead of an hour and ten seconds, with time limits and retry waits below them as the
# settings require.
VISIBILITY_TIMEOUT = 3
RESTORE_INTERVAL = 1
SHORT_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "CELERY_UNACKED_RESTORE_INTERVAL": str(RESTORE_INTERVAL),
    "CELERY_TASK_TIME_LIMIT": "2",
    "CELERY_TASK_SOFT_TIME_LIMIT": "1",
    "TASK_RETRY_BACKOFF_MAX": "2",
}
# Scheduling on a busy machine, the task's delivery and run, and the result's way back.
SLACK = 2
# kombu 5.7.0's default looks for lost tasks one time in ten (unacked_restore_throttle = 10).
ONE_IN_TEN = 10 * RESTORE_INTERVAL


def test_a_task_whose_worker_dies_is_finished_by_a_new_worker_once_within_the_bound(
    tmp_path: Path,
) -> None:
    skip_without_services()
    product = ProductFactory.create(stock=10)
    order = order_create(
        user=UserFactory.create(), lines=[OrderLine(product_id=product.pk, quantity=3)]
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2))
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()

    # The second worker is up before the task exists, listening elsewhere: the look for lost tasks
    # it takes at start finds nothing, so the task can only come back through its periodic looks.
    with running_worker(tmp_path / "second", queues="standby", **SHORT_REDELIVERY) as second:
        started = time.monotonic()  # it looked once as it started, just before this
        with row_locked("catalog_order", order.pk) as holder:
            with running_worker(tmp_path / "first") as first:
                # Timed so the task's visibility timeout ends 2 s after a look of a one-in-ten
                # schedule: every interval's look brings it back within the bound, one look in
                # ten would be about 6 s late, whatever the workers' start-up times were.
                now = time.monotonic()
                time.sleep((started + 2 - VISIBILITY_TIMEOUT - now) % ONE_IN_TEN)
                sent = time.monotonic()  # the task is taken after this
                result = expire_unpaid_orders.delay()
                wait_for(someone_waits_for_a_lock, "the task to block on the row lock")
                first.kill()  # mid-task: never acknowledged, never handed back
            holder.rollback()
        app.control.add_consumer(app.conf.task_default_queue, destination=[second.node], reply=True)
        assert result.get(timeout=VISIBILITY_TIMEOUT + RESTORE_INTERVAL + 60) == 1
        ran_again_by = time.monotonic()
        assert "expire_unpaid_orders" in second.log_text()  # the new worker ran it
    assert ran_again_by - sent <= VISIBILITY_TIMEOUT + RESTORE_INTERVAL + SLACK
    product.refresh_from_db()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert product.stock == 10  # the 3 came back once

"""A worker lost mid-task (SIGKILL to the whole node): a new worker finishes the task, once.

Its own module: it starts and kills its own workers, so no other worker may share the queue.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from ...core.tests.celery_worker import (
    row_locked,
    running_worker,
    someone_waits_for_a_lock,
    wait_for,
)
from ...core.tests.fresh_process import skip_without_services
from ...users.tests.factories import UserFactory
from ..models import Order
from ..services import OrderLine, order_create
from ..tasks import expire_unpaid_orders
from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The new worker redelivers what was unacknowledged for longer than its visibility timeout: 3 s
# here instead of an hour, with limits below it as the settings require.
SHORT_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "3",
    "CELERY_TASK_TIME_LIMIT": "2",
    "CELERY_TASK_SOFT_TIME_LIMIT": "1",
}


def test_a_task_whose_worker_dies_is_finished_by_a_new_worker_with_its_effect_applied_once(
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

    with row_locked("catalog_order", order.pk) as holder:
        with running_worker(tmp_path / "first") as first:
            result = expire_unpaid_orders.delay()
            wait_for(someone_waits_for_a_lock, "the task to block on the row lock")
            first.kill()  # mid-task: never acknowledged, never handed back
        holder.rollback()

    with running_worker(tmp_path / "second", **SHORT_REDELIVERY) as second:
        assert result.get(timeout=60) == 1
        assert "expire_unpaid_orders" in second.log_text()  # the new worker ran it
    product.refresh_from_db()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert product.stock == 10  # the 3 came back once

"""The catalogue's tasks on a real worker, the real Redis broker and PostgreSQL.

Late acknowledgement is only real between processes: these tests send tasks through the broker,
kill the worker's process mid-task, and roll transactions back, then look at the database.
"""

import os
import re
import signal
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from tests.support.celery_worker import (
    Worker,
    row_locked,
    someone_waits_for_a_lock,
    wait_for,
)

from ..models import Order, Product
from ..services import OrderLine, order_create
from ..tasks import expire_unpaid_orders
from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def place(product: Product, quantity: int = 3) -> Order:
    user = UserFactory.create()
    return order_create(user=user, lines=[OrderLine(product_id=product.pk, quantity=quantity)])


def test_placing_an_order_sends_its_confirmation_from_the_worker(worker: Worker) -> None:
    order = place(ProductFactory.create(name="Blue mug", stock=10))

    def sent() -> bool:
        order.refresh_from_db()
        return order.confirmation_sent_at is not None

    wait_for(sent, "the confirmation to be sent")
    [mail] = [m for m in worker.sent_mails() if f"Subject: Your order #{order.pk}\n" in m]
    assert "3 x Blue mug" in mail


def test_a_task_sent_inside_a_rolled_back_transaction_never_runs(worker: Worker) -> None:
    product = ProductFactory.create(stock=10)
    start, mails = len(worker.log_text()), len(worker.sent_mails())

    def place_then_fail() -> None:
        with transaction.atomic():
            place(product)
            raise Rollback

    with pytest.raises(Rollback):
        place_then_fail()
    # One pool process takes tasks in order: once this one is done, an earlier one would be too.
    assert expire_unpaid_orders.delay().get(timeout=30) == 0
    assert not re.search(r"send_order_confirmation\[\S+\] received", worker.log_since(start))
    assert len(worker.sent_mails()) == mails
    assert not Order.objects.exists()


def test_a_task_whose_worker_process_is_killed_runs_again_with_its_effect_applied_once(
    worker: Worker,
) -> None:
    product = ProductFactory.create(stock=10)
    order = place(product, quantity=3)
    # The order's confirmation e-mail is a task too: let it finish first, so the task that blocks
    # below (and is killed) is the expiry.
    wait_for(lambda: Order.objects.get(pk=order.pk).confirmation_sent_at, "the confirmation")
    start = len(worker.log_text())
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2))

    # Hold the order's row lock from another connection, so the task stops mid-way, waiting.
    with row_locked("catalog_order", order.pk) as holder:
        result = expire_unpaid_orders.delay()
        wait_for(someone_waits_for_a_lock, "the task to block on the row lock")
        assert f"expire_unpaid_orders[{result.id}] received" in worker.log_since(start)
        [pool_process] = worker.pool_children()
        os.kill(pool_process, signal.SIGKILL)
        holder.rollback()  # release the lock: only now could the task finish

    # reject_on_worker_lost put the task back; the worker's new pool process ran it to the end.
    assert result.get(timeout=60) == 1
    assert pool_process not in worker.pool_children()
    product.refresh_from_db()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert product.stock == 10  # the 3 came back once, not twice
    assert "WorkerLostError" in worker.log_since(start)

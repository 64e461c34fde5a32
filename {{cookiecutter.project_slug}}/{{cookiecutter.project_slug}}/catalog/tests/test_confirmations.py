"""A confirmation that could not go out when its order was placed is sent later, by the sweep."""

from collections.abc import Callable{% if cookiecutter.use_celery == "y" %}, Iterator{% endif %}
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO
from threading import Event
from typing import Any{% if cookiecutter.use_celery == "y" %}, cast{% endif %}

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
{%- if cookiecutter.use_celery == "y" %}
from kombu import Queue

from config.celery import app
{%- endif %}

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.fresh_process import skip_without_services

from .. import confirmations
from ..confirmations import (
    CONFIRMATION_GIVE_UP,
    CONFIRMATION_GRACE,
{%- if cookiecutter.use_celery == "y" %}
    confirmation_in_flight_limit,
{%- endif %}
    order_confirmations_resend,
)
from ..models import Order
from ..services import OrderLine, order_create
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def unsent_order(
    user: User,
    *,
    age: timedelta,
    status: str = Order.Status.PENDING,
    queued: timedelta | None = None,
) -> Order:
    """An order placed `age` ago whose confirmation never went out.

    Its send was never handed off, or (`queued`) was handed off that long ago.
    """
    product = ProductFactory.create(stock=10)
    order = order_create(user=user, lines=[OrderLine(product_id=product.pk, quantity=1)])
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        created_at=now - age,
        status=status,
        confirmation_sent_at=None,
        confirmation_queued_at=None if queued is None else now - queued,
    )
    return order


def test_the_sweep_sends_unsent_confirmations_past_the_grace_once(user: User) -> None:
    due = unsent_order(user, age=CONFIRMATION_GRACE + timedelta(seconds=5))
    fresh = unsent_order(user, age=timedelta(seconds=0))  # its own send may still be under way
    too_old = unsent_order(user, age=CONFIRMATION_GIVE_UP + timedelta(minutes=1))
    cancelled = unsent_order(user, age=timedelta(minutes=5), status=Order.Status.CANCELLED)

    assert order_confirmations_resend() == 1
    assert [m.subject for m in mail.outbox] == [f"Your order #{due.pk}"]
    sent = set(Order.objects.exclude(confirmation_sent_at=None).values_list("pk", flat=True))
    assert sent == {due.pk}
    assert {fresh.pk, too_old.pk, cancelled.pk}.isdisjoint(sent)
    assert order_confirmations_resend() == 0  # sent: never again
    assert len(mail.outbox) == 1


def test_the_resend_command_runs_the_sweep(user: User) -> None:
    unsent_order(user, age=timedelta(minutes=2))
    out = StringIO()
    call_command("resend_order_confirmations", stdout=out)
    assert "Resent 1 order confirmations." in out.getvalue()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)  # two sweeps, two connections: each sees the other's
def test_two_sweeps_at_once_take_disjoint_orders_without_waiting(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_without_services()
    monkeypatch.setattr(confirmations, "CONFIRMATION_SWEEP_BATCH", 3)
    orders = [unsent_order(user, age=timedelta(minutes=10 - n)) for n in range(6)]  # oldest first
    mail.outbox.clear()
    first_claimed, second_done = Event(), Event()
    overlapped: list[bool] = []

    def hold_the_claim(execute: Callable[..., Any], *args: Any) -> Any:
        # Runs on the first sweep's connection: after its claim's first statement, it waits (in
        # the claim's transaction) for the second sweep to finish.
        result = execute(*args)
        if not first_claimed.is_set():
            first_claimed.set()
            overlapped.append(second_done.wait(timeout=5))
        return result

    def first() -> int:
        try:
            with connection.execute_wrapper(hold_the_claim):
                return order_confirmations_resend()
        finally:
            connections.close_all()  # each thread has its own connection

    def second() -> int:
        try:
            assert first_claimed.wait(timeout=10)
            return order_confirmations_resend()
        finally:
            second_done.set()
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        took = [pool.submit(first), pool.submit(second)]
        counts = [future.result(timeout=30) for future in took]

    assert overlapped == [True]  # the second ran while the first held its claim, and never waited
    assert counts == [3, 3]
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(f"Your order #{order.pk}" for order in orders)  # each once
    assert not Order.objects.filter(confirmation_sent_at=None).exists()
{%- if cookiecutter.use_celery == "y" %}


@pytest.fixture
def broker_without_worker() -> Iterator[Callable[[], int]]:
    """Tasks go to the real Redis broker and stay there: no worker runs.

    Yields a function that counts the messages waiting in the default queue (the `celery` list).
    """
    skip_without_services()

    def queued() -> int:
        with app.connection_for_read() as conn:
            queue = Queue(app.conf.task_default_queue).bind(conn.default_channel)
            # AMQP's declare-ok (name, messages, consumers); the stubs say it returns the name.
            _, messages, _ = cast("tuple[str, int, int]", queue.queue_declare())
        return messages

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test settings run tasks inline; send them for real
    app.control.purge()
    try:
        yield queued
    finally:
        app.conf.task_always_eager = eager
        app.control.purge()


def test_sweeps_without_a_worker_queue_each_unconfirmed_order_once(
    user: User, broker_without_worker: Callable[[], int], django_capture_on_commit_callbacks
) -> None:
    """Found in the field: with no worker running, every run queued every unconfirmed order again.

    Three runs with 22 of them grew the queue by 22 each time.
    """
    product = ProductFactory.create(stock=10)
    with django_capture_on_commit_callbacks(execute=True):  # queued when placed, still waiting
        waiting = order_create(user=user, lines=[OrderLine(product_id=product.pk, quantity=1)])
    Order.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    # Placed while the broker was down: never queued.
    unsent = [unsent_order(user, age=timedelta(minutes=5)) for _ in range(22)]
    assert broker_without_worker() == 1

    start = timezone.now()
    grew = []
    for minute in range(3):  # three runs of the every-minute sweep
        order_confirmations_resend(now=start + timedelta(minutes=minute))
        grew.append(broker_without_worker() - 1)
    assert grew == [22, 22, 22]  # once each, then left alone while queued
    stamped = Order.objects.filter(
        pk__in=[order.pk for order in unsent], confirmation_queued_at=start
    )
    assert stamped.count() == 22


def test_a_confirmation_queued_longer_ago_than_a_send_can_take_is_queued_again_once(
    user: User, broker_without_worker: Callable[[], int]
) -> None:
    limit = confirmation_in_flight_limit()
    # Every retry at the longest backoff fits in the window: a send still retrying is left alone.
    assert limit > timedelta(seconds=8 * 600)
    lost = unsent_order(user, age=limit + timedelta(hours=1), queued=limit + timedelta(seconds=5))
    retrying = unsent_order(
        user, age=limit + timedelta(hours=1), queued=limit - timedelta(minutes=1)
    )
    retrying_since = Order.objects.get(pk=retrying.pk).confirmation_queued_at

    assert order_confirmations_resend() == 1
    assert order_confirmations_resend() == 0  # the new send is in flight now
    assert broker_without_worker() == 1
    lost.refresh_from_db()
    assert lost.confirmation_queued_at is not None
    assert timezone.now() - lost.confirmation_queued_at < timedelta(minutes=1)
    retrying.refresh_from_db()
    assert retrying.confirmation_queued_at == retrying_since  # still in flight: not queued again
{%- endif %}
{%- if cookiecutter.use_celery == "n" %}


def test_an_order_placed_while_the_mail_server_is_down_is_placed_and_confirmed_later(
    user: User, settings, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory.create(stock=10)
    # A real SMTP client against a closed port: the connection is refused, as by a server down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(user=user, lines=[OrderLine(product_id=product.pk, quantity=2)])
    order.refresh_from_db()
    assert order.confirmation_sent_at is None
    product.refresh_from_db()
    assert product.stock == 8

    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert order_confirmations_resend() == 0  # still down: the sweep gives its claim back
    order.refresh_from_db()
    assert order.confirmation_queued_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # it is back
    assert order_confirmations_resend() == 1
    assert [m.subject for m in mail.outbox] == [f"Your order #{order.pk}"]
{%- endif %}

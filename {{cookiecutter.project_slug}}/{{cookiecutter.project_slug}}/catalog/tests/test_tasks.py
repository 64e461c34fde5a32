"""The catalogue's tasks as Celery runs them (eagerly here; test_worker.py uses a real worker)."""

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from config.celery import app

from {{ cookiecutter.project_slug }}.users.models import User

from ..models import Order
from ..services import OrderLine, order_create
from ..tasks import expire_unpaid_orders, send_order_confirmation
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_failures_in_results() -> Iterator[None]:
    # As in a worker: a failed attempt is recorded (and retried), not raised into the caller.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


def place(user: User) -> Order:
    product = ProductFactory.create(stock=10)
    return order_create(user=user, lines=[OrderLine(product_id=product.pk, quantity=1)])


def failing_send(monkeypatch: pytest.MonkeyPatch, errors: list[Exception]) -> list[int]:
    """The mail backend raises `errors` one by one, then sends; returns the attempt counter."""
    calls: list[int] = []
    send = EmailBackend.send_messages

    def flaky(self: Any, messages: Any) -> int:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return calls


def test_a_transient_failure_is_retried_with_growing_jittered_delays(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = place(user)
    calls = failing_send(monkeypatch, [smtplib.SMTPServerDisconnected("gone")] * 4)
    delays: list[float] = []
    retry = send_order_confirmation.retry

    def record(*args: Any, **kwargs: Any) -> Any:
        delays.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(send_order_confirmation, "retry", record)
    result = send_order_confirmation.apply(args=(order.pk,))
    assert result.get() is True
    assert len(calls) == 5
    assert len(mail.outbox) == 1
    # Exponential backoff with full jitter: retry n waits a random 0..2**n seconds.
    assert len(delays) == 4
    assert all(0 <= delay <= 2**n for n, delay in enumerate(delays))


def test_a_bug_is_not_retried(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    order = place(user)
    calls = failing_send(monkeypatch, [ValueError("bad template")])
    result = send_order_confirmation.apply(args=(order.pk,))
    assert result.failed()
    assert isinstance(result.result, ValueError)
    assert len(calls) == 1


def test_tasks_are_idempotent(user: User) -> None:
    order = place(user)
    assert send_order_confirmation.apply(args=(order.pk,)).get() is True
    assert send_order_confirmation.apply(args=(order.pk,)).get() is False
    assert len(mail.outbox) == 1
    assert expire_unpaid_orders.apply().get() == 0  # nothing is stale yet


def test_tasks_acknowledge_late_and_retry_only_transient_errors() -> None:
    for task in (send_order_confirmation, expire_unpaid_orders):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert ConnectionError in task.autoretry_for
        assert ValueError not in task.autoretry_for

"""The order jobs a shop runs in the background: the confirmation e-mail and unpaid-order expiry.

Both must be idempotent (a task can be retried or redelivered): running one twice has the effect
of running it once.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.users.models import User

from ..confirmations import order_confirmation_send
from ..models import Order, Product
from ..services import (
    OrderLine,
    order_cancel,
    order_create,
    orders_expire_unpaid,
)
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def place(user: User, product: Product, quantity: int = 3) -> Order:
    return order_create(user=user, lines=[OrderLine(product_id=product.pk, quantity=quantity)])


def backdate(order: Order, minutes: int) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_placing_an_order_sends_its_confirmation_after_commit(
    user: User, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory.create(name="Salt & Pepper mug", stock=10)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, product)
        assert mail.outbox == []  # not before the order is committed
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == f"Your order #{order.pk}"
    assert "3 x Salt & Pepper mug" in message.body  # plain text: not HTML-escaped
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None


def test_an_order_rolled_back_sends_nothing(user: User, django_capture_on_commit_callbacks) -> None:
    product = ProductFactory.create(stock=10)

    def place_then_fail() -> None:
        with transaction.atomic():
            place(user, product)
            raise Rollback

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Rollback):
        place_then_fail()
    assert callbacks == []
    assert mail.outbox == []


def test_the_confirmation_is_sent_once_however_often_it_runs(user: User) -> None:
    order = place(user, ProductFactory.create(stock=10))
    assert order_confirmation_send(order_id=order.pk) is True
    assert order_confirmation_send(order_id=order.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_leaves_the_order_unsent_for_the_retry(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = place(user, ProductFactory.create(stock=10))

    def refuse(*args: object, **kwargs: object) -> int:
        raise ConnectionError("mail server unreachable")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(ConnectionError):
        order_confirmation_send(order_id=order.pk)
    order.refresh_from_db()
    assert order.confirmation_sent_at is None
    monkeypatch.undo()
    assert order_confirmation_send(order_id=order.pk) is True
    assert len(mail.outbox) == 1


def test_the_confirmation_of_a_missing_order_is_a_no_op() -> None:
    assert order_confirmation_send(order_id=987654) is False
    assert mail.outbox == []


def test_unpaid_orders_expire_and_return_their_stock_exactly_once(user: User) -> None:
    product = ProductFactory.create(stock=10)
    stale = place(user, product, quantity=3)
    fresh = place(user, product, quantity=2)
    backdate(stale, minutes=31)
    product.refresh_from_db()
    assert product.stock == 5

    assert orders_expire_unpaid() == 1
    assert orders_expire_unpaid() == 0  # the second run changes nothing
    product.refresh_from_db()
    assert product.stock == 8  # the stale order's 3 came back once; the fresh order keeps its 2
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (Order.Status.CANCELLED, Order.Status.PENDING)


def test_expiry_leaves_paid_and_cancelled_orders_alone(user: User) -> None:
    product = ProductFactory.create(stock=10)
    paid = place(user, product, quantity=1)
    Order.objects.filter(pk=paid.pk).update(status=Order.Status.PAID)
    cancelled = order_cancel(order=place(user, product, quantity=1))
    for order in (paid, cancelled):
        backdate(order, minutes=120)
    assert orders_expire_unpaid() == 0
    product.refresh_from_db()
    assert product.stock == 9  # only the paid order's item is out of stock


def test_the_payment_window_is_a_setting(user: User, settings) -> None:
    settings.ORDER_PAYMENT_MINUTES = 5
    order = place(user, ProductFactory.create(stock=10))
    backdate(order, minutes=6)
    assert orders_expire_unpaid() == 1
    assert orders_expire_unpaid(older_than=timedelta(hours=1)) == 0


def test_expire_unpaid_orders_command(user: User) -> None:
    backdate(place(user, ProductFactory.create(stock=10)), minutes=90)
    out = StringIO()
    call_command("expire_unpaid_orders", stdout=out)
    assert "Expired 1 unpaid orders." in out.getvalue()

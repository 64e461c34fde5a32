"""Writes to the catalogue. Views and commands call these; they never write models themselves."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
{%- if cookiecutter.use_celery == "y" %}

from config.celery import BaseTask
{%- endif %}

from {{ cookiecutter.project_slug }}.core.after_commit import on_commit_robust{% if cookiecutter.use_celery == "n" %}, run_robustly{% endif %}
from {{ cookiecutter.project_slug }}.core.exceptions import (
    ApplicationError,
    ConflictError,
)
from {{ cookiecutter.project_slug }}.users.models import User

from .caching import invalidate_categories, invalidate_products
from .html import clean_description
from .models import Category, Order, OrderItem, Product
from .selectors import order_confirmation_due_list
{%- if cookiecutter.use_celery == "y" %}
from .tasks import send_order_confirmation
{%- endif %}

logger = logging.getLogger(__name__)


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"


# Bounds of one order, whichever API places it: it locks one row per line, so keep them few.
MAX_ORDER_LINES = 50
MAX_QUANTITY = 1000
# A confirmation still unsent this long after its order is sent by the sweep
# (order_confirmations_resend); one still unsent after a day is left alone, not retried forever.
CONFIRMATION_GRACE = timedelta(minutes=1)
CONFIRMATION_GIVE_UP = timedelta(days=1)
CONFIRMATION_SWEEP_BATCH = 500


def confirmation_in_flight_limit() -> timedelta:
{%- if cookiecutter.use_celery == "y" %}
    """The longest a queued confirmation can legitimately take to be sent or given up.

    Every attempt (the first and BaseTask.max_retries retries) running to the hard time limit,
    and every retry waiting the longest backoff: 9 x 300 s + 8 x 600 s, 2 h 5 min by default.
    Until then the sweep leaves a queued confirmation alone; after it, the send was lost (a broker
    that dropped the message) or gave up (a mail server down through every retry), and one more
    is queued. A task also redelivered after its worker was lost may then run twice: harmless,
    order_confirmation_send mails once.
    """
    retries = BaseTask.max_retries or 0
    return timedelta(
        seconds=(retries + 1) * settings.CELERY_TASK_TIME_LIMIT
        + retries * settings.TASK_RETRY_BACKOFF_MAX
    )
{%- else %}
    """How long a claimed confirmation may stay unsent before another run of the sweep takes it.

    Here the run that claims a confirmation sends it and releases what it could not send, and a
    run stops at the first mail that fails; only a run killed mid-batch leaves claims behind.
    An hour outlasts any run (a batch of mails that each went through), so no two runs ever
    send the same confirmation at once.
    """
    return timedelta(hours=1)
{%- endif %}


@dataclass(frozen=True)
class OrderLine:
    product_id: int
    quantity: int


def category_create(*, name: str, parent: Category | None = None, slug: str = "") -> Category:
    category = Category(name=name, parent=parent, slug=slug or slugify(name))
    category.full_clean()
    category.save()
    invalidate_categories()
    return category


def product_create(
    *,
    category: Category,
    name: str,
    price: Decimal,
    stock: int = 0,
    description: str = "",
    slug: str = "",
    is_active: bool = True,
) -> Product:
    product = Product(
        category=category,
        name=name,
        slug=slug or slugify(name),
        price=price,
        stock=stock,
        description=clean_description(description),
        is_active=is_active,
    )
    product.full_clean()
    product.save()
    invalidate_products([product.pk])
    return product


@transaction.atomic
def order_create(*, user: User, lines: Sequence[OrderLine]) -> Order:
    """Place an order and take its items out of stock, all or nothing.

    The products' rows are locked (SELECT ... FOR UPDATE) in primary-key order, so two orders for
    the same product queue up instead of both reading the same stock, and two orders for the same
    pair of products cannot deadlock. Stock can therefore never be oversold.
    """
    if not 1 <= len(lines) <= MAX_ORDER_LINES:
        raise ApplicationError(f"An order has 1 to {MAX_ORDER_LINES} items.")
    quantities: dict[int, int] = {}
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ApplicationError(f"Quantities must be 1 to {MAX_QUANTITY}.")
        if line.product_id in quantities:
            raise ApplicationError("Each product may appear only once in an order.")
        quantities[line.product_id] = line.quantity

    products = {
        product.pk: product
        for product in Product.objects.select_for_update()
        .filter(pk__in=quantities, is_active=True)
        .order_by("pk")
    }
    missing = sorted(set(quantities) - set(products))
    if missing:
        raise ApplicationError("Unknown or unavailable products.", extra={"products": missing})
    short = sorted(pk for pk, qty in quantities.items() if products[pk].stock < qty)
    if short:
        raise InsufficientStockError("Not enough stock.", extra={"products": short})
{%- if cookiecutter.use_celery == "y" %}

    # The hand-off is recorded with the order, not after it: once the task is published a worker
    # may hold the row locked while it mails, and a later UPDATE would make the request wait.
    order = Order.objects.create(user=user, confirmation_queued_at=timezone.now())
{%- else %}

    order = Order.objects.create(user=user)
{%- endif %}
    items = [
        OrderItem(order=order, product=products[pk], quantity=qty, unit_price=products[pk].price)
        for pk, qty in quantities.items()
    ]
    OrderItem.objects.bulk_create(items)
    for pk, qty in quantities.items():
        Product.objects.filter(pk=pk).update(stock=F("stock") - qty)
    order.total = sum((item.line_total for item in items), Decimal("0.00"))
    order.save(update_fields=["total", "updated_at"])
    invalidate_products(quantities)  # their stock changed
    # After commit: {% if cookiecutter.use_celery == "y" %}a worker must find the order, and {% endif %}a rolled-back order must send nothing.
    # Robust: the order is placed whatever happens next. If the {% if cookiecutter.use_celery == "y" %}broker{% else %}mail server{% endif %} is down, the
    # confirmation stays unsent (confirmation_sent_at empty) and order_confirmations_resend sends it.
{%- if cookiecutter.use_celery == "y" %}
    on_commit_robust("order confirmation", partial(order_confirmation_enqueue, order_id=order.pk))
{%- else %}
    # (Sent in the request: there is no task queue here.)
    on_commit_robust("order confirmation", partial(order_confirmation_send, order_id=order.pk))
{%- endif %}
    return order


@transaction.atomic
def order_cancel(*, order: Order) -> Order:
    """Cancel a pending order and put its items back in stock."""
    # Re-read under a lock: a concurrent cancel must not return the stock twice.
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PENDING:
        raise ConflictError(f"Only pending orders can be cancelled; this one is {order.status}.")
    # Products in key order, the order order_create locks them in: two transactions touching the
    # same products can never wait on each other in a cycle (a deadlock).
    items = list(order.items.order_by("product_id"))
    for item in items:
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
    invalidate_products(item.product_id for item in items)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    return order


{%- if cookiecutter.use_celery == "y" %}


def order_confirmation_enqueue(*, order_id: int) -> None:
    """Queue the confirmation of an order whose hand-off order_create recorded with it.

    If the broker refuses it, the record is cleared: nothing is in flight, so the sweep sends it
    after CONFIRMATION_GRACE, not after confirmation_in_flight_limit().
    """
    try:
        send_order_confirmation.delay(order_id)
    except Exception:
        Order.objects.filter(pk=order_id).update(confirmation_queued_at=None)
        raise
{%- endif %}


def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail the customer their order, once. Returns whether this call sent it.

    The order row stays locked while the mail is sent and marked, so two runs of the task (a
    retry racing a redelivery) queue up and the second finds it sent. A crash after the mail left
    but before the commit sends it again on redelivery: at least once, never silently lost.
    """
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=order_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if order is None:  # already sent, or the order no longer exists
            return False
        items = list(order.items.select_related("product"))
        body = render_to_string("catalog/order_confirmation.txt", {"order": order, "items": items})
        send_mail(
            subject=f"Your order #{order.pk}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[order.user.email],
        )
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at", "updated_at"])
    return True


def order_confirmations_resend(*, now: datetime | None = None) -> int:
    """Send the confirmations that did not go out when their order was placed. Returns how many
    were {% if cookiecutter.use_celery == "y" %}queued{% else %}sent{% endif %}.

    The {% if cookiecutter.use_celery == "y" %}broker{% else %}mail server{% endif %} may have been down then (order_create never fails for it). Orders
    placed CONFIRMATION_GRACE to CONFIRMATION_GIVE_UP ago, not cancelled and not confirmed, oldest
    first, at most CONFIRMATION_SWEEP_BATCH per run, and only those with no send in flight: each
    one taken is stamped (confirmation_queued_at), and left alone for
    confirmation_in_flight_limit() after. Without that, every run queued every unconfirmed order
    again, and a queue that was behind, or a mail server that was down, grew by the whole backlog
    every minute. Sending is idempotent (order_confirmation_send): a duplicate still mails once.
    """
    now = now or timezone.now()
    order_ids = _order_confirmations_claim(now=now)
    done = 0
    try:
        for order_id in order_ids:
{%- if cookiecutter.use_celery == "y" %}
            # A broker still down raises here, and this task is retried as a whole.
            send_order_confirmation.delay(order_id)
{%- else %}
            send = partial(order_confirmation_send, order_id=order_id)
            if not run_robustly("order confirmation", send):
                break  # the mail server is still down (logged once): the next run tries again
{%- endif %}
            done += 1
    finally:
        # What was not handed off is not in flight: the next run may take it at once.
        if unsent := order_ids[done:]:
            Order.objects.filter(pk__in=unsent, confirmation_queued_at=now).update(
                confirmation_queued_at=None
            )
    if done:
        logger.info(
            "order confirmations resent", extra={"event": "confirmations_resent", "count": done}
        )
    return done


@transaction.atomic
def _order_confirmations_claim(*, now: datetime) -> list[int]:
    """Take a batch of due confirmations and stamp them as handed off at `now`, in one transaction.

    The rows stay locked until the stamp commits, and SKIP LOCKED passes over rows locked
    elsewhere: two runs at once take disjoint orders instead of both queueing the same ones (or
    one waiting for the other), and an order being sent or cancelled right now waits for a later
    run.
    """
    due = order_confirmation_due_list(
        placed_from=now - CONFIRMATION_GIVE_UP,
        placed_before=now - CONFIRMATION_GRACE,
        queued_before=now - confirmation_in_flight_limit(),
    )
    order_ids = list(
        due.select_for_update(skip_locked=True).values_list("pk", flat=True)[
            :CONFIRMATION_SWEEP_BATCH
        ]
    )
    Order.objects.filter(pk__in=order_ids).update(confirmation_queued_at=now)
    return order_ids


def orders_expire_unpaid(*, older_than: timedelta | None = None) -> int:
    """Cancel pending orders left unpaid too long, returning their stock. Returns how many.

    Each order is cancelled in its own transaction through order_cancel, which re-checks the status
    under a row lock: a second run, or a customer cancelling at the same moment, changes nothing.
    """
    age = older_than or timedelta(minutes=settings.ORDER_PAYMENT_MINUTES)
    cutoff = timezone.now() - age
    expired = 0
    stale = Order.objects.filter(status=Order.Status.PENDING, created_at__lt=cutoff)
    for order in stale.order_by("created_at").only("pk")[:1000]:
        try:
            order_cancel(order=order)
        except ConflictError:
            continue  # paid or cancelled since the scan
        expired += 1
    if expired:
        logger.info("orders expired", extra={"event": "orders_expired", "count": expired})
    return expired

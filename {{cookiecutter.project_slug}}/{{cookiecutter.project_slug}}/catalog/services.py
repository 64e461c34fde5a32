"""Writes to the catalogue: categories, products, orders. Views and commands call these.

They never write models themselves. Order confirmation e-mails have their own module,
confirmations.py.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import status

from {{ cookiecutter.project_slug }}.core.after_commit import on_commit_robust
from {{ cookiecutter.project_slug }}.core.exceptions import (
    ApplicationError,
    ConflictError,
)
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.selectors import user_email_verified

from .attributes import Attributes
from .caching import invalidate_categories, invalidate_products
{%- if cookiecutter.use_celery == "y" %}
from .confirmations import order_confirmation_enqueue
{%- else %}
from .confirmations import order_confirmation_send
{%- endif %}
from .html import clean_description
from .models import Category, Order, OrderItem, Product
from .popularity import product_orders_record

logger = logging.getLogger(__name__)


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"


class EmailNotVerifiedError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "email_not_verified"


# Bounds of one order, whichever API places it: it locks one row per line, so keep them few.
MAX_ORDER_LINES = 50
MAX_QUANTITY = 1000


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
    attributes: Attributes | None = None,
) -> Product:
    """A new product; its description sanitised, its attributes checked (attributes.py).

    Raises django.core.exceptions.ValidationError naming the field (an unknown attribute, a value
    of the wrong type, a price below zero, a slug taken).
    """
    product = Product(
        category=category,
        name=name,
        slug=slug or slugify(name),
        price=price,
        stock=stock,
        description=clean_description(description),
        is_active=is_active,
        attributes=attributes or {},
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
    Only a user who has verified their address may order (EmailNotVerifiedError, 403): the
    confirmation must reach them, and an order binds a real person.
    """
    if not user_email_verified(user=user):
        raise EmailNotVerifiedError("Verify your e-mail address before placing an order.")
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
    # Counted towards the popular products once committed: a rolled-back order counts for nothing.
    on_commit_robust(
        "order popularity", partial(product_orders_record, product_ids=list(quantities))
    )
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

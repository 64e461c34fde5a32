"""Writes to the catalogue. Views and commands call these; they never write models themselves."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from ..core.exceptions import ApplicationError, ConflictError
from ..users.models import User
from .caching import invalidate_categories, invalidate_products
from .models import Category, Order, OrderItem, Product


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"


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
        description=description,
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
    if not lines:
        raise ApplicationError("An order needs at least one item.")
    quantities: dict[int, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise ApplicationError("Quantities must be positive.")
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

    order = Order.objects.create(user=user)
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
    return order


@transaction.atomic
def order_cancel(*, order: Order) -> Order:
    """Cancel a pending order and put its items back in stock."""
    # Re-read under a lock: a concurrent cancel must not return the stock twice.
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PENDING:
        raise ConflictError(f"Only pending orders can be cancelled; this one is {order.status}.")
    items = list(order.items.all())
    for item in items:
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
    invalidate_products(item.product_id for item in items)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    return order

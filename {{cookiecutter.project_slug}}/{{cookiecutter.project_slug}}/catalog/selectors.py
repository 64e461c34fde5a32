"""Reads from the catalogue. Each selector owns the joins its callers need, so lists stay N+1-free."""

from django.db.models import QuerySet

from ..users.models import User
from .models import Category, Order, Product


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent")


def product_list() -> QuerySet[Product]:
    """Products a customer may see, with their category in the same query."""
    return Product.objects.filter(is_active=True).select_related("category")


def order_list(*, user: User) -> QuerySet[Order]:
    """The user's own orders, with items and products fetched in two more queries in total."""
    return Order.objects.filter(user=user).prefetch_related("items__product")

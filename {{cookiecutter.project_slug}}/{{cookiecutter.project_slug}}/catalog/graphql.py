"""The catalogue in GraphQL: types over the models, reads through selectors, writes through services.

The same selectors and services as the REST views, so every business rule (stock, ownership,
states) is written once. strawberry-django's optimiser (graphql_api/schema.py) turns the fields a
query selects into select_related/prefetch_related: nested lists cost a constant number of queries.
"""

from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import auto

from ..core.exceptions import NotFoundError
from ..graphql_api.context import parse_id, require_user
from . import models, selectors, services


@strawberry_django.filter_type(models.Category, lookups=True)
class CategoryFilter:
    name: auto
    slug: auto


@strawberry_django.type(models.Category)
class Category:
    id: auto
    name: auto
    slug: auto
    parent: "Category | None"


@strawberry_django.filter_type(models.Product, lookups=True)
class ProductFilter:
    name: auto
    price: auto
    category: CategoryFilter | None


@strawberry_django.order_type(models.Product)
class ProductOrder:
    name: auto
    price: auto
    created_at: auto


@strawberry_django.type(models.Product)
class Product:
    id: auto
    name: auto
    slug: auto
    description: auto
    price: auto
    stock: auto
    created_at: auto
    category: Category

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Product], info: strawberry.Info, **kwargs: Any
    ) -> QuerySet[models.Product]:
        """Wherever products are listed: only what the catalogue shows (selectors)."""
        return selectors.product_list(queryset=queryset)


def line_total(root: models.OrderItem) -> Decimal:
    return root.line_total


@strawberry_django.type(models.OrderItem)
class OrderItem:
    product: Product
    quantity: auto
    unit_price: auto
    # `only`: the optimiser loads the columns this computed field reads, with the rest.
    line_total: Decimal = strawberry_django.field(
        resolver=line_total, only=["unit_price", "quantity"]
    )


@strawberry_django.type(models.Order)
class Order:
    id: auto
    status: auto
    total: auto
    created_at: auto
    items: list[OrderItem]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Order], info: strawberry.Info, **kwargs: Any
    ) -> QuerySet[models.Order]:
        """Wherever orders are listed: only the caller's own (an error when anonymous)."""
        return selectors.order_list(user=require_user(info), queryset=queryset)


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.type
class CatalogQuery:
    products: list[Product] = strawberry_django.field(
        filters=ProductFilter, ordering=ProductOrder, pagination=True
    )

    @strawberry_django.field
    def product(self, id: strawberry.ID) -> Product | None:
        return selectors.product_list().filter(pk=parse_id(id)).first()  # type: ignore[return-value]

    categories: list[Category] = strawberry_django.field(filters=CategoryFilter, pagination=True)
    my_orders: list[Order] = strawberry_django.field(
        pagination=True, description="Your orders, newest first. Requires authentication."
    )


def own_order(info: strawberry.Info, order_id: strawberry.ID) -> QuerySet[models.Order]:
    return selectors.order_list(user=require_user(info)).filter(pk=parse_id(order_id))


@strawberry.type
class CatalogMutation:
    @strawberry.mutation
    def place_order(self, info: strawberry.Info, items: list[OrderLineInput]) -> Order:
        """Place an order; fails with code insufficient_stock when a product runs short."""
        user = require_user(info)
        lines = [services.OrderLine(parse_id(item.product_id), item.quantity) for item in items]
        order = services.order_create(user=user, lines=lines)
        return selectors.order_list(user=user).get(pk=order.pk)  # type: ignore[return-value]

    @strawberry.mutation
    def cancel_order(self, info: strawberry.Info, id: strawberry.ID) -> Order:
        """Cancel one of your pending orders and return its items to stock."""
        order = own_order(info, id).first()
        if order is None:  # someone else's order does not exist, as in REST (404)
            raise NotFoundError("No such order.")
        services.order_cancel(order=order)
        return own_order(info, id).get()  # type: ignore[return-value]


# Mutations counted against a REST rate limit: the same budget whichever API is used.
RATE_LIMITED_MUTATIONS = {
    "placeOrder": {"group": "order_create", "key": "user", "rate": "order_create"},
}

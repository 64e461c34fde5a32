"""The catalogue in GraphQL: types over the models, reads through selectors, writes through services.

The same selectors and services as the REST views, so every business rule (stock, ownership,
states) is written once. strawberry-django's optimiser (graphql_api/schema.py) turns the fields a
query selects into select_related/prefetch_related: nested lists cost a constant number of queries.
"""

from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from django.conf import settings
from django.db.models import QuerySet
from strawberry import auto

from {{ cookiecutter.project_slug }}.core.exceptions import (
    ApplicationError,
    NotFoundError,
)
from {{ cookiecutter.project_slug }}.graphql_api.inputs import (
    MAX_ITEMS,
    paginated_field,
    parse_id,
)
from {{ cookiecutter.project_slug }}.idempotency.services import (
    HEADER as IDEMPOTENCY_HEADER,
)
from {{ cookiecutter.project_slug }}.idempotency.services import (
    idempotency_key_parse,
    idempotent_call,
)
from {{ cookiecutter.project_slug }}.users.graphql import require_user

from . import models, popularity, selectors, services
from .attributes import ATTRIBUTES
from .graphql_filters import CategoryFilter, ProductFilter


@strawberry_django.type(models.Category)
class Category:
    id: auto
    name: auto
    slug: auto
    parent: "Category | None"


@strawberry.type(description="A product's attributes; those it does not have are null.")
class ProductAttributes:
    colour: str | None = None
    size: str | None = None
    material: str | None = None
    capacity_ml: int | None = None
    weight_grams: int | None = None
    waterproof: bool | None = None


def product_attributes(root: models.Product) -> ProductAttributes:
    return ProductAttributes(**{name: root.attributes.get(name) for name in ATTRIBUTES})


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

    # `only`: the optimiser loads the column this computed field reads, with the rest.
    attributes: ProductAttributes = strawberry_django.field(
        resolver=product_attributes, only=["attributes"]
    )

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
    # Not paginated, as an order is read whole; bounded by the order rules (services).
    items: list[OrderItem] = strawberry_django.field(metadata={MAX_ITEMS: services.MAX_ORDER_LINES})

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


def popular_products(limit: int = 10) -> list[Product]:
    """REST's /products/popular/: the same ranking (catalog/popularity/), the same bound."""
    if not 1 <= limit <= popularity.MAX_LIMIT:
        raise ApplicationError(
            f"limit: must be a whole number from 1 to {popularity.MAX_LIMIT}.",
            extra={"argument": "limit"},
        )
    return selectors.product_popular_list(limit=limit)  # type: ignore[return-value]


def recently_viewed_products(info: strawberry.Info) -> list[Product]:
    return selectors.product_recently_viewed_list(user=require_user(info))  # type: ignore[return-value]


@strawberry.type
class CatalogQuery:
    products: list[Product] = paginated_field(filters=ProductFilter, ordering=ProductOrder)

    @strawberry_django.field
    def product(self, info: strawberry.Info, id: strawberry.ID) -> Product | None:
        """One product; counted as a view (popularProducts, your recentlyViewedProducts)."""
        product = selectors.product_list().filter(pk=parse_id(id)).first()
        if product is not None:
            popularity.request_view_record(info.context.request, product_id=product.pk)
        return product  # type: ignore[return-value]

    popular_products: list[Product] = strawberry_django.field(
        resolver=popular_products,
        description="The most viewed and ordered products of the last day, most popular first "
        "(a view counts 1, once an hour per viewer; an order line 5). limit: 1 to 50. Empty while "
        "the store is down.",
        metadata={MAX_ITEMS: popularity.MAX_LIMIT},
    )
    recently_viewed_products: list[Product] = strawberry_django.field(
        resolver=recently_viewed_products,
        description="The products you viewed last, latest first, each once. "
        "Requires authentication.",
        metadata={MAX_ITEMS: settings.RECENTLY_VIEWED_MAX},
    )
    categories: list[Category] = paginated_field(filters=CategoryFilter)
    my_orders: list[Order] = paginated_field(
        description="Your orders, newest first. Requires authentication."
    )


def own_order(info: strawberry.Info, order_id: strawberry.ID) -> QuerySet[models.Order]:
    return selectors.order_list(user=require_user(info)).filter(pk=parse_id(order_id))


@strawberry.type
class CatalogMutation:
    # Results are nullable: a document may run several mutations, one after the other, and a
    # failing non-null field would null `data` whole, hiding orders already placed by the others.
    @strawberry.mutation
    def place_order(self, info: strawberry.Info, items: list[OrderLineInput]) -> Order | None:
        """Place an order; fails with code insufficient_stock when a product runs short.

        With an Idempotency-Key header, as in REST, a retry returns the first order.
        """
        user = require_user(info)
        lines = [services.OrderLine(parse_id(item.product_id), item.quantity) for item in items]
        key = idempotency_key_parse(info.context.request.headers.get(IDEMPOTENCY_HEADER))
        outcome = idempotent_call(
            user=user,
            key=key,
            # The mutation and its input, not the document: its wording may differ on a retry.
            operation="graphql placeOrder",
            payload=[[line.product_id, line.quantity] for line in lines],
            call=lambda: (200, {"order": services.order_create(user=user, lines=lines).pk}),
        )
        return selectors.order_list(user=user).get(pk=outcome.body["order"])  # type: ignore[return-value]

    @strawberry.mutation
    def cancel_order(self, info: strawberry.Info, id: strawberry.ID) -> Order | None:
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

"""The catalogue's GraphQL filters, held to REST's rules: same bounds, same messages.

Each value a client sends is checked by the REST filter's own form field (catalog/filters.py) or
by attributes.py, so the two APIs refuse the same input with the same words, naming the argument.
"""

from decimal import Decimal

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.graphql_api.inputs import TextLookup

from . import filters, models
from .attributes import ATTRIBUTES, Attributes, attribute_value_clean
from .search import attributes_condition, ranked, search_condition


@strawberry_django.filter_type(models.Category)
class CategoryFilter:
    name: TextLookup | None
    slug: TextLookup | None


def rest_price(name: str, value: Decimal, argument: str) -> Decimal:
    """`value` checked by REST's own price filter (catalog/filters.py): same range, same message."""
    try:
        price: Decimal = filters.ProductFilter.base_filters[name].field.clean(value)
    except ValidationError as error:
        raise ApplicationError(
            f"{argument}: {' '.join(error.messages)}", extra={"argument": argument}
        ) from None
    return price


def rest_search(value: str) -> str:
    """The search text checked by REST's `search` filter: same length bound, same message."""
    try:
        text: str = filters.ProductFilter.base_filters["search"].field.clean(value)
    except ValidationError as error:
        raise ApplicationError(
            f"filters.search: {' '.join(error.messages)}", extra={"argument": "filters.search"}
        ) from None
    return text


@strawberry.input(description="Attributes a product must have, all of them (JSONB containment).")
class ProductAttributesInput:
    colour: str | None = strawberry.UNSET
    size: str | None = strawberry.UNSET
    material: str | None = strawberry.UNSET
    capacity_ml: int | None = strawberry.UNSET
    weight_grams: int | None = strawberry.UNSET
    waterproof: bool | None = strawberry.UNSET

    def document(self) -> Attributes:
        """The given fields as a document checked by attributes.py, as REST's filter is."""
        document: Attributes = {}
        for name in ATTRIBUTES:
            value = getattr(self, name)
            if value is None or value is strawberry.UNSET:
                continue
            try:
                # Stripped as REST's filter strips it: " red" is "red" through either API.
                value = value.strip() if isinstance(value, str) else value
                document[name] = attribute_value_clean(name, value)
            except ValidationError as error:
                argument = f"filters.attributes.{strawberry_name(name)}"
                raise ApplicationError(
                    f"{argument}: {' '.join(error.messages)}", extra={"argument": argument}
                ) from None
        return document


def strawberry_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry_django.filter_type(
    models.Product,
    description="REST's product filters, same bounds: search (full-text over name, category, "
    'attribute values and description, best match first: words, "a phrase", or, -word to '
    "exclude; up to 200 "
    "characters); attributes, all of them; minPrice and maxPrice from 0 to 99999999.99; inStock "
    "true (stock left) or false (sold out).",
)
class ProductFilter:
    """REST's product filters (catalog/filters.py), with the same bounds, plus text lookups."""

    name: TextLookup | None
    category: CategoryFilter | None

    @strawberry_django.filter_field
    def min_price(self, value: Decimal, prefix: str) -> Q:
        return Q(**{f"{prefix}price__gte": rest_price("min_price", value, "filters.minPrice")})

    @strawberry_django.filter_field
    def max_price(self, value: Decimal, prefix: str) -> Q:
        return Q(**{f"{prefix}price__lte": rest_price("max_price", value, "filters.maxPrice")})

    @strawberry_django.filter_field
    def in_stock(self, value: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}stock__gt": 0}) if value else Q(**{f"{prefix}stock": 0})

    # Full-text search (REST's `search`). A condition, so AND, OR and NOT combine it as they do
    # any filter; the list is ordered best match first unless the query orders it otherwise.
    @strawberry_django.filter_field
    def search(
        self, value: str, queryset: QuerySet[models.Product], prefix: str
    ) -> tuple[QuerySet[models.Product], Q]:
        text = rest_search(value)
        if not text:  # as REST: an empty search is no search
            return queryset, Q()
        condition = search_condition(text=text, using=queryset.db, prefix=prefix)
        return (ranked(queryset, text=text) if not prefix else queryset), condition

    @strawberry_django.filter_field
    def attributes(
        self, value: ProductAttributesInput, queryset: QuerySet[models.Product], prefix: str
    ) -> tuple[QuerySet[models.Product], Q]:
        document = value.document()
        return queryset, attributes_condition(attributes=document, using=queryset.db, prefix=prefix)

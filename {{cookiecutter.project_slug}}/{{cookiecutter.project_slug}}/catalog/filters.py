"""The product list's query parameters (category, price range, stock): a bad value is a 400."""

from decimal import Decimal

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from {{ cookiecutter.project_slug }}.core.api.filters import StrictFilterSet

from .models import Order, Product

# The range Product.price can hold (max_digits=10, decimal_places=2), stated to the client in the
# schema and enforced: a price filter outside it is a 400, not a silently empty page.
MAX_PRICE = Decimal("99999999.99")
PRICE_SCHEMA = {"type": "number", "minimum": 0, "maximum": float(MAX_PRICE)}


def price_filter(lookup_expr: str) -> django_filters.NumberFilter:
    return extend_schema_field(PRICE_SCHEMA)(
        django_filters.NumberFilter(
            field_name="price", lookup_expr=lookup_expr, min_value=0, max_value=MAX_PRICE
        )
    )


class ProductFilter(StrictFilterSet):
    category = extend_schema_field({"type": "string", "maxLength": 120})(
        django_filters.CharFilter(field_name="category__slug", max_length=120)  # Category.slug's
    )
    min_price = price_filter("gte")
    max_price = price_filter("lte")
    # Strict: "true" or "false". (django-filter's BooleanFilter reads anything else as "no
    # filter", so a typo would silently return every product.)
    in_stock = extend_schema_field({"type": "boolean"})(
        django_filters.TypedChoiceFilter(
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            method="filter_in_stock",
        )
    )

    class Meta:
        model = Product
        fields = ["category", "min_price", "max_price", "in_stock"]

    def filter_in_stock(
        self, queryset: QuerySet[Product], name: str, value: bool
    ) -> QuerySet[Product]:
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class OrderFilter(StrictFilterSet):
    class Meta:
        model = Order
        fields = ["status"]

"""The product list's query parameters (search, attributes, category, price range, stock).

A bad value is a 400 naming the parameter.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from {{ cookiecutter.project_slug }}.core.api.filters import StrictFilterSet

from . import selectors
from .attributes import ATTRIBUTES, Attributes, attributes_parse
from .models import Order, Product
from .search import MAX_SEARCH_LENGTH, search_is_selective

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


class AttributesField(forms.CharField):
    """`colour:red,size:M` as a typed document; a bad pair is a 400 naming the attribute."""

    def to_python(self, value: str | None) -> Attributes | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return attributes_parse(text)
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None


class AttributesFilter(django_filters.Filter):
    field_class = AttributesField


class SearchField(forms.CharField):
    """Search text: at most MAX_SEARCH_LENGTH characters, no NUL, and something to look for."""

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not search_is_selective(text=value, using=DEFAULT_DB_ALIAS):
            raise forms.ValidationError(
                "Give a word to look for: -word only excludes, and excluding alone would list "
                "the whole catalogue."
            )


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


ATTRIBUTES_HELP = (
    "Products whose attributes include all of these: name:value pairs separated by commas, e.g. "
    "colour:red,waterproof:true. Names: " + ", ".join(ATTRIBUTES) + "."
)
SEARCH_HELP = (
    "Full-text search over name, category, attribute values and description, best match first: "
    'words, "a phrase", or, -word to exclude (with at least one word to look for).'
)


class ProductFilter(StrictFilterSet):
    search = extend_schema_field(
        {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "description": SEARCH_HELP}
    )(SearchFilter(method="filter_search", max_length=MAX_SEARCH_LENGTH, help_text=SEARCH_HELP))
    attributes = extend_schema_field({"type": "string", "description": ATTRIBUTES_HELP})(
        AttributesFilter(method="filter_attributes", help_text=ATTRIBUTES_HELP)
    )
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
        fields = ["search", "attributes", "category", "min_price", "max_price", "in_stock"]

    def filter_search(
        self, queryset: QuerySet[Product], name: str, value: str
    ) -> QuerySet[Product]:
        return selectors.product_search(queryset=queryset, text=value)

    def filter_attributes(
        self, queryset: QuerySet[Product], name: str, value: Attributes
    ) -> QuerySet[Product]:
        return selectors.product_with_attributes(queryset=queryset, attributes=value)

    def filter_in_stock(
        self, queryset: QuerySet[Product], name: str, value: bool
    ) -> QuerySet[Product]:
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class OrderFilter(StrictFilterSet):
    class Meta:
        model = Order
        fields = ["status"]

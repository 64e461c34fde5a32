"""The catalogue's REST input and output; an order's bounds come from services.py, defined once."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from {{ cookiecutter.project_slug }}.core.models import MAX_ID

from .attributes import ATTRIBUTES
from .models import Category, Order, OrderItem, Product
from .popularity import MAX_LIMIT
from .services import MAX_ORDER_LINES, MAX_QUANTITY


class CategorySerializer(serializers.ModelSerializer[Category]):
    # Not "parent": on a DRF field that name already means the enclosing serializer.
    parent_slug = serializers.SlugRelatedField[Category](
        source="parent",
        slug_field="slug",
        read_only=True,
        allow_null=True,  # null at the top
    )

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "parent_slug")


class CategoryTreeSerializer(serializers.Serializer[dict[str, object]]):
    """Documents the nested shape of selectors.category_tree() for the OpenAPI schema."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    children = serializers.ListField(child=serializers.DictField(), help_text="The same shape.")


class ProductCategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ("id", "name", "slug")


JSON_TYPES = {str: "string", int: "integer", bool: "boolean"}


# The document's shape in the schema, from the one table that declares it (attributes.py).
@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {"type": JSON_TYPES[kind]} for name, kind in ATTRIBUTES.items()},
        "additionalProperties": False,
    }
)
class AttributesField(serializers.JSONField):
    pass


class ProductSerializer(serializers.ModelSerializer[Product]):
    category = ProductCategorySerializer(read_only=True)
    attributes = AttributesField(read_only=True)

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "slug",
            "description",
            "price",
            "stock",
            "attributes",
            "category",
            "created_at",
        )


class PopularQuerySerializer(serializers.Serializer[dict[str, int]]):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=10,
        help_text="How many products, most popular first.",
    )

    def to_internal_value(self, data: Any) -> dict[str, int]:
        # DRF reads an empty query parameter as absent (the default); core/api/filters.py's
        # StrictFilterSet refuses it, and so does this.
        if data.get("limit") == "":
            raise serializers.ValidationError(
                {"limit": ["Give a value or leave the parameter out."]}
            )
        values: dict[str, int] = super().to_internal_value(data)
        return values


class OrderItemSerializer(serializers.ModelSerializer[OrderItem]):
    product_name = serializers.CharField(source="product.name", read_only=True)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = OrderItem
        fields = ("product", "product_name", "quantity", "unit_price", "line_total")


class OrderSerializer(serializers.ModelSerializer[Order]):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ("id", "status", "total", "items", "created_at")


class OrderLineInputSerializer(serializers.Serializer[dict[str, int]]):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderCreateSerializer(serializers.Serializer[dict[str, list[dict[str, int]]]]):
    # Bounded so one request cannot ask the database to lock an unbounded number of rows.
    items = serializers.ListField(
        child=OrderLineInputSerializer(), min_length=1, max_length=MAX_ORDER_LINES
    )

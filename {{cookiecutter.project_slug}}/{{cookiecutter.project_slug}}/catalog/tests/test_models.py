"""The database itself refuses invalid rows, whatever code path writes them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from {{ cookiecutter.project_slug }}.users.models import User

from ..models import Order, OrderItem, Product
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

# PostgreSQL names the violated constraint; SQLite names the columns.
UNIQUE_VIOLATION = "duplicate key|UNIQUE constraint failed"


def test_negative_price_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError, match="product_price_non_negative"):
        ProductFactory.create(price=Decimal("-0.01"))


def test_negative_stock_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError, match="product_stock_non_negative"):
        ProductFactory.create(stock=-1)


def test_product_slugs_are_unique() -> None:
    ProductFactory.create(slug="mug")
    with pytest.raises(IntegrityError):
        ProductFactory.create(slug="mug")


def test_category_slugs_are_unique() -> None:
    CategoryFactory.create(slug="books")
    with pytest.raises(IntegrityError):
        CategoryFactory.create(slug="books")


def test_two_subcategories_of_one_parent_cannot_share_a_name() -> None:
    parent = CategoryFactory.create()
    CategoryFactory.create(parent=parent, name="Novels")
    with pytest.raises(IntegrityError, match=UNIQUE_VIOLATION):
        CategoryFactory.create(parent=parent, name="Novels")


def test_two_top_level_categories_cannot_share_a_name() -> None:
    CategoryFactory.create(parent=None, name="Books")
    with pytest.raises(IntegrityError, match=UNIQUE_VIOLATION):
        CategoryFactory.create(parent=None, name="Books")


def test_a_category_cannot_be_its_own_parent() -> None:
    category = CategoryFactory.create()
    category.parent = category
    with pytest.raises(IntegrityError, match="category_not_own_parent"):
        category.save()


def test_order_item_quantity_must_be_positive(user: User) -> None:
    order = Order.objects.create(user=user)
    with pytest.raises(IntegrityError):
        OrderItem.objects.create(
            order=order, product=ProductFactory.create(), quantity=0, unit_price=Decimal("1.00")
        )


def test_an_order_has_one_line_per_product(user: User) -> None:
    order = Order.objects.create(user=user)
    product = ProductFactory.create()
    OrderItem.objects.create(order=order, product=product, quantity=1, unit_price=Decimal("1.00"))
    with pytest.raises(IntegrityError, match=UNIQUE_VIOLATION):
        OrderItem.objects.create(order=order, product=product, quantity=2, unit_price=Decimal("1"))


def test_order_status_must_be_a_known_value(user: User) -> None:
    with pytest.raises(IntegrityError, match="order_status_valid"):
        Order.objects.create(user=user, status="shipped-to-mars")


def test_string_forms_are_readable(user: User) -> None:
    product = ProductFactory.create(name="Mug")
    order = Order.objects.create(user=user)
    item = OrderItem.objects.create(order=order, product=product, quantity=2, unit_price=Decimal(3))
    assert str(product) == "Mug"
    assert str(product.category) == product.category.name
    assert str(order) == f"Order #{order.pk}"
    assert str(item) == f"2 x {product.pk}"
    assert item.line_total == Decimal(6)


def test_the_migrated_database_has_the_indexes_the_api_queries_need() -> None:
    with connection.cursor() as cursor:
        product = connection.introspection.get_constraints(cursor, Product._meta.db_table)
        order = connection.introspection.get_constraints(cursor, Order._meta.db_table)
    assert product["product_active_recent_idx"]["columns"] == ["is_active", "created_at"]
    assert product["product_category_price_idx"]["columns"] == ["category_id", "price"]
    assert order["order_user_recent_idx"]["columns"] == ["user_id", "created_at"]


@pytest.mark.usefixtures("require_postgresql")
def test_postgresql_has_the_search_and_attribute_indexes_and_their_triggers() -> None:
    with connection.cursor() as cursor:
        product = connection.introspection.get_constraints(cursor, Product._meta.db_table)
        # Introspection leaves out the operator class and the triggers: pg_catalog has them.
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'product_attributes_idx'")
        [[definition]] = cursor.fetchall()
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'catalog_%%_search_vector' "
            "AND NOT tgisinternal ORDER BY tgname"
        )
        triggers = [name for (name,) in cursor.fetchall()]
    assert "USING gin (attributes jsonb_path_ops)" in definition
    assert product["product_search_idx"]["type"] == "gin"
    assert triggers == ["catalog_category_search_vector", "catalog_product_search_vector"]

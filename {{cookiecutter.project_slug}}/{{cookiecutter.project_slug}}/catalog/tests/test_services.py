"""The catalogue's writes: orders take and return stock all or nothing; inputs are checked."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.core.exceptions import (
    ApplicationError,
    ConflictError,
)
from {{ cookiecutter.project_slug }}.users.models import User

from ..models import Order, Product
from ..services import (
    InsufficientStockError,
    OrderLine,
    category_create,
    order_cancel,
    order_create,
    product_create,
)
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_order_create_takes_items_out_of_stock_and_totals_the_order(user: User) -> None:
    mug = ProductFactory.create(price=Decimal("4.50"), stock=5)
    pen = ProductFactory.create(price=Decimal("1.25"), stock=2)
    order = order_create(
        user=user, lines=[OrderLine(product_id=mug.pk, quantity=2), OrderLine(pen.pk, 2)]
    )
    mug.refresh_from_db()
    pen.refresh_from_db()
    assert (mug.stock, pen.stock) == (3, 0)
    assert order.total == Decimal("11.50")
    assert order.status == Order.Status.PENDING
    assert {(i.product_id, i.quantity, i.unit_price) for i in order.items.all()} == {
        (mug.pk, 2, Decimal("4.50")),
        (pen.pk, 2, Decimal("1.25")),
    }


def test_order_create_refuses_more_than_the_stock_and_changes_nothing(user: User) -> None:
    mug = ProductFactory.create(stock=1)
    pen = ProductFactory.create(stock=5)
    with pytest.raises(InsufficientStockError) as error:
        order_create(user=user, lines=[OrderLine(pen.pk, 1), OrderLine(mug.pk, 2)])
    assert error.value.extra == {"products": [mug.pk]}
    pen.refresh_from_db()
    assert pen.stock == 5  # all or nothing
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "1 to 50 items"),
        ([OrderLine(n, 1) for n in range(1, 52)], "1 to 50 items"),
        ([OrderLine(1, 0)], "1 to 1000"),
        ([OrderLine(1, 1001)], "1 to 1000"),
        ([OrderLine(1, 1), OrderLine(1, 2)], "only once"),
    ],
    ids=["empty", "too-many-lines", "zero-quantity", "huge-quantity", "duplicate-product"],
)
def test_order_create_rejects_malformed_orders(
    user: User, lines: list[OrderLine], message: str
) -> None:
    with pytest.raises(ApplicationError, match=message):
        order_create(user=user, lines=lines)


def test_order_create_refuses_inactive_or_unknown_products(user: User) -> None:
    hidden = ProductFactory.create(is_active=False)
    with pytest.raises(ApplicationError, match="Unknown or unavailable") as error:
        order_create(user=user, lines=[OrderLine(hidden.pk, 1), OrderLine(999_999, 1)])
    assert error.value.extra == {"products": [hidden.pk, 999_999]}


def test_order_cancel_returns_the_stock_once(user: User) -> None:
    mug = ProductFactory.create(stock=3)
    order = order_create(user=user, lines=[OrderLine(mug.pk, 3)])
    order_cancel(order=order)
    mug.refresh_from_db()
    assert mug.stock == 3
    with pytest.raises(ConflictError, match="Only pending orders"):
        order_cancel(order=order)
    mug.refresh_from_db()
    assert mug.stock == 3


def test_order_cancel_returns_the_stock_in_key_order_as_order_create_locks_it(user: User) -> None:
    # In opposite orders, a cancel and a new order on the same products could deadlock.
    first, second = ProductFactory.create_batch(2, stock=5)
    order = order_create(user=user, lines=[OrderLine(second.pk, 1), OrderLine(first.pk, 1)])
    with CaptureQueriesContext(connection) as queries:
        order_cancel(order=order)
    updated = [
        int(pk)
        for query in queries
        if query["sql"].startswith('UPDATE "catalog_product"')
        for pk in re.findall(r'"id" = (\d+)', query["sql"])
    ]
    assert updated == [first.pk, second.pk]


def test_category_and_product_create_validate_and_slugify() -> None:
    books = category_create(name="Rare Books")
    product = product_create(category=books, name="First Folio", price=Decimal("99.00"), stock=1)
    assert (books.slug, product.slug) == ("rare-books", "first-folio")
    with pytest.raises(ValidationError):
        product_create(category=books, name="Broken", price=Decimal("-1"))
    assert not Product.objects.filter(name="Broken").exists()


def test_a_description_keeps_its_formatting_and_loses_anything_that_runs() -> None:
    html = product_create(
        category=category_create(name="Prints"),
        name="Folio",
        price=Decimal("1.00"),
        description=(
            "<p>A <strong>rare</strong> copy.<script>alert(1)</script></p>"
            '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">bad</a>'
            '<a href="https://example.com/folio">more</a>'
        ),
    ).description
    assert "<p>A <strong>rare</strong> copy.</p>" in html
    for threat in ("<script", "alert(1)", "<img", "onerror", "javascript:"):
        assert threat not in html
    assert '<a href="https://example.com/folio" rel="noopener noreferrer nofollow">more</a>' in html

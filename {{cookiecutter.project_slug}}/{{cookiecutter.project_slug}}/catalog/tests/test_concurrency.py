"""Concurrent orders never oversell. Needs PostgreSQL: SQLite has no row locks to test."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection, connections

from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from ..models import Order
from ..services import InsufficientStockError, OrderLine, order_create
from .factories import ProductFactory

BUYERS = 12
STOCK = 5


@pytest.fixture
def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level locking needs PostgreSQL (set DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_never_oversell(require_postgres: None) -> None:
    product = ProductFactory.create(stock=STOCK)
    users = UserFactory.create_batch(BUYERS)
    start = Barrier(BUYERS)

    def buy(index: int) -> str:
        start.wait()  # release every buyer at once, so the orders really race
        try:
            order_create(user=users[index], lines=[OrderLine(product.pk, 1)])
        except InsufficientStockError:
            return "refused"
        finally:
            connections.close_all()  # each thread has its own connection
        return "placed"

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        outcomes = list(pool.map(buy, range(BUYERS)))

    product.refresh_from_db()
    assert outcomes.count("placed") == STOCK
    assert outcomes.count("refused") == BUYERS - STOCK
    assert product.stock == 0
    assert Order.objects.count() == STOCK

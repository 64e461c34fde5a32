"""100 customers order the last 10 units at once, through gunicorn (3 workers) and PostgreSQL.

Separate worker processes, separate database connections: only the row lock in order_create keeps
the stock right. Exactly 10 orders are placed, the other 90 get a clear 409, the stock ends at 0.
"""

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from tests.support.fresh_process import http_call, running_gunicorn

from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the server must see the rows

CUSTOMERS = 100
STOCK = 10


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    with running_gunicorn(
        tmp_path / "gunicorn.log",
        SECRET_KEY=settings.SECRET_KEY,  # the tokens below are signed with the test settings' key
        IP_MONITOR_THRESHOLD="1000000",  # 100 requests from one address are the test, not a flood
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
{%- if cookiecutter.use_celery == "y" %}
        CELERY_BROKER_URL="memory://",  # confirmation tasks go nowhere
{%- endif %}
    ) as base:
        yield base


def test_concurrent_orders_through_the_api_never_oversell(gunicorn: str) -> None:
    product = ProductFactory.create(stock=STOCK)
    tokens = [str(AccessToken.for_user(user)) for user in UserFactory.create_batch(CUSTOMERS)]
    body = {"items": [{"product": product.pk, "quantity": 1}]}
    start = Barrier(CUSTOMERS)

    def order(token: str) -> tuple[int, str]:
        start.wait()
        answer = http_call(
            f"{gunicorn}/api/v1/orders/",
            body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        return answer.status, "" if answer.status < 400 else answer.body.get("code", "")

    with ThreadPoolExecutor(max_workers=CUSTOMERS) as pool:
        results = list(pool.map(order, tokens))
    assert Counter(status for status, _ in results) == {201: STOCK, 409: CUSTOMERS - STOCK}
    assert {code for status, code in results if status == 409} == {"insufficient_stock"}
    product.refresh_from_db()
    assert product.stock == 0
    assert product.order_items.count() == STOCK

"""One Idempotency-Key, eight simultaneous POSTs through gunicorn (8 workers): one order.

Separate processes and database connections, released at once: only the unique index on (user,
key), claimed in the order's own transaction, keeps the retries from placing a second order.
The requests that lose the race wait for the first to commit and answer with its order.
"""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.fresh_process import http_call, running_gunicorn

from ..models import Order, Product
from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the server must see the rows

REQUESTS = 8
LINES = 20  # a longer transaction: a wider window for the race this test runs


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    with running_gunicorn(
        tmp_path / "gunicorn.log",
        workers=REQUESTS,  # every request in flight at once, none queued behind another
        SECRET_KEY=settings.SECRET_KEY,  # the token below is signed with the test settings' key
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
{%- if cookiecutter.use_celery == "y" %}
        CELERY_BROKER_URL="memory://",  # confirmation tasks go nowhere
{%- endif %}
    ) as base:
        yield base


def warm_up(base: str, token: str) -> None:
    """A request to every gunicorn worker first, so that each is warm when the burst comes.

    A worker's first request (its database connection, imports) is slow enough to pull the burst
    apart, and the race would not be run.
    """

    def get(_: int) -> None:
        answer = http_call(f"{base}/api/v1/orders/", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        list(pool.map(get, range(3 * REQUESTS)))


def test_simultaneous_retries_with_one_key_place_one_order_and_all_see_it(
    gunicorn: str, user: User
) -> None:
    products = ProductFactory.create_batch(LINES, stock=10)
    token = str(AccessToken.for_user(user))
    body = {"items": [{"product": p.pk, "quantity": 2} for p in products]}
    start = Barrier(REQUESTS)
    warm_up(gunicorn, token)

    def post(_: int) -> tuple[int, dict[str, object], str | None]:
        start.wait()
        answer = http_call(
            f"{gunicorn}/api/v1/orders/",
            body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "one-checkout-click"},
            timeout=60,
        )
        return answer.status, answer.body, answer.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers = list(pool.map(post, range(REQUESTS)))

    assert [status for status, _, _ in answers] == [201] * REQUESTS, answers
    assert len({json.dumps(body, sort_keys=True) for _, body, _ in answers}) == 1
    assert sorted(replayed or "" for _, _, replayed in answers) == [""] + ["true"] * (REQUESTS - 1)
    assert Order.objects.filter(user=user).count() == 1
    assert {p.stock for p in Product.objects.filter(pk__in=[p.pk for p in products])} == {8}

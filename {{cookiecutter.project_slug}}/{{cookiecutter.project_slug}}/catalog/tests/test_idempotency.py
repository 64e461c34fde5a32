"""POST /api/v1/orders/ with an Idempotency-Key: a retried order is placed once.

The rules themselves are in idempotency/services.py; these tests hold the orders endpoint to
them, on the real database (the unique index and the row lock are what they prove).
"""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO
from threading import Barrier
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.idempotency.models import IdempotencyKey
from {{ cookiecutter.project_slug }}.idempotency.services import (
    idempotency_keys_purge,
)
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from ..models import Order, Product
from .factories import ProductFactory

pytestmark = pytest.mark.django_db

ORDERS = reverse("api-v1:catalog:order-list")
KEY = "9f1c2d3e-order-retry-0001"


def post(client: APIClient, body: dict[str, Any] | str, key: str | None = KEY) -> Any:
    """POST an order as a client would, raw JSON or a dict, with the key as its header."""
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(ORDERS, data, content_type="application/json", headers=headers)


def items(product: Product, quantity: int = 1) -> dict[str, Any]:
    return {"items": [{"product": product.pk, "quantity": quantity}]}


def test_the_same_key_and_body_return_the_first_answer_and_place_one_order(
    auth_client: APIClient,
) -> None:
    product = ProductFactory.create(stock=10)
    first = post(auth_client, items(product, 2))
    again = post(auth_client, items(product, 2))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 8  # taken once


def test_a_replay_is_not_charged_against_the_order_rate_limit(
    auth_client: APIClient, settings: Any
) -> None:
    """Found in review: retries of one order used up the budget and got a 429, not their answer."""
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "order_create": "1/d"}
    product = ProductFactory.create(stock=10)
    answers = [post(auth_client, items(product)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert post(auth_client, items(product), key="another-order").status_code == 429
    assert Order.objects.count() == 1


def test_the_same_document_with_other_key_order_and_spacing_is_the_same_request(
    auth_client: APIClient,
) -> None:
    product = ProductFactory.create(stock=10)
    pk = str(product.pk)
    first = post(auth_client, '{"items": [{"product": PK, "quantity": 1}]}'.replace("PK", pk))
    again = post(auth_client, '{ "items":[{"quantity":1,  "product":PK} ] }'.replace("PK", pk))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_changes_nothing(
    auth_client: APIClient,
) -> None:
    product = ProductFactory.create(stock=10)
    assert post(auth_client, items(product, 1)).status_code == 201
    response = post(auth_client, items(product, 3))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert "\n" not in body["detail"]
    assert "Idempotency-Key" in body["detail"]
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 9


def test_an_expired_key_places_a_new_order(auth_client: APIClient, settings: Any) -> None:
    product = ProductFactory.create(stock=10)
    first = post(auth_client, items(product)).json()
    IdempotencyKey.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, seconds=1)
    )
    second = post(auth_client, items(product))
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert second.json()["id"] != first["id"]
    assert Order.objects.count() == 2
    # The expired record made room for the new one: the key now replays the second order.
    assert post(auth_client, items(product)).json()["id"] == second.json()["id"]
    assert IdempotencyKey.objects.count() == 1


def test_keys_belong_to_one_user(auth_client: APIClient, user: User) -> None:
    product = ProductFactory.create(stock=10)
    mine = post(auth_client, items(product)).json()
    other = APIClient()
    other.force_authenticate(user=UserFactory.create())
    theirs = post(other, items(product))
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine["id"]
    assert Order.objects.filter(user=user).count() == 1
    assert Order.objects.count() == 2


def test_without_a_key_every_post_is_a_new_order(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=10)
    assert post(auth_client, items(product), key=None).status_code == 201
    assert post(auth_client, items(product), key=None).status_code == 201
    assert Order.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refused_request_stores_nothing_so_a_retry_with_the_key_runs_again(
    auth_client: APIClient,
) -> None:
    product = ProductFactory.create(stock=1)
    refused = post(auth_client, items(product, 2))
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_stock")
    assert not IdempotencyKey.objects.exists()
    Product.objects.filter(pk=product.pk).update(stock=5)  # restocked
    placed = post(auth_client, items(product, 2))
    assert placed.status_code == 201
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "empty"),
        ('""', "empty"),
        ("k" * 256, "256 characters long"),
        ("caf\u00e9", "printable ASCII"),
        ("tab\there", "printable ASCII"),
        (" padded", "printable ASCII"),
    ],
)
def test_a_malformed_key_is_400_before_anything_runs(
    auth_client: APIClient, key: str, problem: str
) -> None:
    product = ProductFactory.create(stock=10)
    response = post(auth_client, items(product), key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert problem in response.json()["detail"]
    assert not Order.objects.exists()


def test_a_quoted_key_is_the_same_key_and_255_characters_are_allowed(
    auth_client: APIClient,
) -> None:
    product = ProductFactory.create(stock=10)
    long_key = "k" * 255
    first = post(auth_client, items(product), key=long_key)
    again = post(auth_client, items(product), key=f'"{long_key}"')
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]


def test_expired_keys_are_purged_and_live_ones_kept(auth_client: APIClient, settings: Any) -> None:
    product = ProductFactory.create(stock=10)
    post(auth_client, items(product), key="old")
    post(auth_client, items(product), key="new")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS + 1)
    )
    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_keys_purge() == 0
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "Deleted 0 expired idempotency keys." in out.getvalue()


def test_the_schema_documents_the_header_and_the_422() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/orders/"]["post"]
    [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert (header["in"], header.get("required", False)) == ("header", False)
    assert "422" in operation["responses"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_place_one_order() -> None:
    """Threads, each with its own connection: the unique index makes the others wait, then replay."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row-level waits (set DATABASE_URL)")
    product = ProductFactory.create(stock=10)
    user = UserFactory.create()
    clients = 6
    start = Barrier(clients)

    def send(_: int) -> tuple[int, int]:
        client = APIClient()
        client.force_authenticate(user=user)
        start.wait()
        try:
            response = post(client, items(product))
        finally:
            connections.close_all()
        return response.status_code, response.json()["id"]

    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(send, range(clients)))
    assert {status for status, _ in answers} == {201}
    assert len({order_id for _, order_id in answers}) == 1
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 9

"""placeOrder with an Idempotency-Key header: the same rules as POST /api/v1/orders/."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.support.graphql_client import URL, codes

from ..models import Order, Product
from .factories import ProductFactory

pytestmark = pytest.mark.django_db

PLACE = """
mutation Place($items: [OrderLineInput!]!) {
  placeOrder(items: $items) { id status total }
}
"""


def place(client: APIClient, product: Product, quantity: int, key: str) -> dict[str, Any]:
    response = client.post(
        URL,
        {"query": PLACE, "variables": {"items": [{"productId": product.pk, "quantity": quantity}]}},
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_the_same_key_and_items_return_the_first_order(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=10)
    first = place(auth_client, product, 2, key="gql-1")["data"]["placeOrder"]
    again = place(auth_client, product, 2, key="gql-1")["data"]["placeOrder"]
    assert again == first
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 8


def test_the_same_key_with_other_items_is_refused_with_its_code(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=10)
    place(auth_client, product, 1, key="gql-2")
    body = place(auth_client, product, 4, key="gql-2")
    assert body["data"] == {"placeOrder": None}
    assert codes(body) == ["idempotency_key_reused"]
    assert Order.objects.count() == 1


def test_a_malformed_key_is_refused_before_anything_runs(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=10)
    body = place(auth_client, product, 1, key="x" * 256)
    assert codes(body) == ["invalid_idempotency_key"]
    assert not Order.objects.exists()


def test_a_key_used_over_rest_is_not_reused_for_the_mutation(auth_client: APIClient) -> None:
    """One key, one request: the same order placed through the other API is another request."""
    product = ProductFactory.create(stock=10)
    rest = auth_client.post(
        "/api/v1/orders/",
        {"items": [{"product": product.pk, "quantity": 1}]},
        format="json",
        headers={"Idempotency-Key": "shared"},
    )
    assert rest.status_code == 201
    assert codes(place(auth_client, product, 1, key="shared")) == ["idempotency_key_reused"]
    assert Order.objects.count() == 1

"""A customer's orders over REST: placing, listing, cancelling, and who may see which."""

from decimal import Decimal

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from ..models import Order
from ..services import OrderLine, order_create
from .factories import ProductFactory

pytestmark = pytest.mark.django_db

ORDERS = reverse("api-v1:catalog:order-list")


@pytest.mark.parametrize("orders", [1, 12])
def test_order_list_runs_the_same_queries_whatever_the_row_count(
    auth_client: APIClient, user: User, django_assert_num_queries, orders: int
) -> None:
    products = ProductFactory.create_batch(3, stock=100)
    for _ in range(orders):
        order_create(user=user, lines=[OrderLine(p.pk, 1) for p in products])
    # count, orders, items, products: prefetching keeps it flat.
    with django_assert_num_queries(4):
        response = auth_client.get(ORDERS)
    assert response.json()["count"] == orders


def test_an_unverified_address_cannot_order(api_client: APIClient) -> None:
    api_client.force_authenticate(UserFactory.create(verified=False))
    mug = ProductFactory.create(stock=3)
    response = api_client.post(ORDERS, {"items": [{"product": mug.pk, "quantity": 1}]})
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert not Order.objects.exists()


def test_placing_an_order_returns_201_with_items_and_total(auth_client: APIClient) -> None:
    mug = ProductFactory.create(price=Decimal("4.00"), stock=3)
    response = auth_client.post(ORDERS, {"items": [{"product": mug.pk, "quantity": 2}]})
    assert response.status_code == 201
    body = response.json()
    assert body["total"] == "8.00"
    assert body["status"] == "pending"
    assert body["items"] == [
        {
            "product": mug.pk,
            "product_name": mug.name,
            "quantity": 2,
            "unit_price": "4.00",
            "line_total": "8.00",
        }
    ]


def test_an_order_beyond_the_stock_is_409(auth_client: APIClient) -> None:
    mug = ProductFactory.create(stock=1)
    response = auth_client.post(ORDERS, {"items": [{"product": mug.pk, "quantity": 2}]})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Not enough stock.",
        "code": "insufficient_stock",
        "products": [mug.pk],
    }


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"items": []},
        {"items": [{"product": 1, "quantity": 0}]},
        {"items": [{"product": "one", "quantity": 1}]},
        {"items": [{"product": 1, "quantity": 1}] * 51},
        {"items": "everything"},
        {"items": [{"product": 2**70, "quantity": 1}]},
    ],
    ids=[
        "missing",
        "empty",
        "zero-quantity",
        "non-numeric",
        "too-many-lines",
        "wrong-type",
        "id-beyond-64-bits",
    ],
)
def test_malformed_orders_are_400(auth_client: APIClient, payload: dict[str, object]) -> None:
    response = auth_client.post(ORDERS, payload)
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_orders_need_authentication(api_client: APIClient) -> None:
    assert api_client.get(ORDERS).status_code == 401
    assert api_client.post(ORDERS, {"items": []}).status_code == 401


def test_a_user_sees_only_their_own_orders(auth_client: APIClient, user: User) -> None:
    product = ProductFactory.create(stock=10)
    mine = order_create(user=user, lines=[OrderLine(product.pk, 1)])
    theirs = order_create(user=UserFactory.create(), lines=[OrderLine(product.pk, 1)])
    listed = [row["id"] for row in auth_client.get(ORDERS).json()["results"]]
    assert listed == [mine.pk]
    detail = reverse("api-v1:catalog:order-detail", args=[theirs.pk])
    assert auth_client.get(detail).status_code == 404
    cancel = reverse("api-v1:catalog:order-cancel", args=[theirs.pk])
    assert auth_client.post(cancel).status_code == 404


def test_cancelling_an_order_returns_its_stock_and_a_second_cancel_is_409(
    auth_client: APIClient, user: User
) -> None:
    product = ProductFactory.create(stock=2)
    order = order_create(user=user, lines=[OrderLine(product.pk, 2)])
    url = reverse("api-v1:catalog:order-cancel", args=[order.pk])
    response = auth_client.post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    product.refresh_from_db()
    assert product.stock == 2
    assert auth_client.post(url).status_code == 409


def test_orders_filter_by_status(auth_client: APIClient, user: User) -> None:
    product = ProductFactory.create(stock=10)
    order_create(user=user, lines=[OrderLine(product.pk, 1)])
    cancelled = order_create(user=user, lines=[OrderLine(product.pk, 1)])
    cancelled.status = Order.Status.CANCELLED
    cancelled.save()
    rows = auth_client.get(ORDERS, {"status": "cancelled"}).json()["results"]
    assert [row["id"] for row in rows] == [cancelled.pk]


def test_placing_orders_is_limited_per_user_across_ips(
    auth_client: APIClient, user: User, settings
) -> None:
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "order_create": "2/d"}
    product = ProductFactory.create(stock=100)
    payload = {"items": [{"product": product.pk, "quantity": 1}]}
    statuses = [
        auth_client.post(ORDERS, payload, REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    other = APIClient()
    other.force_authenticate(UserFactory.create())
    assert other.post(ORDERS, payload).status_code == 201


def test_placing_an_order_still_works_when_the_rate_limit_store_is_down(
    auth_client: APIClient, unreachable_cache: None
) -> None:
    product = ProductFactory.create(stock=1)
    payload = {"items": [{"product": product.pk, "quantity": 1}]}
    assert auth_client.post(ORDERS, payload).status_code == 201  # fails open, by design


def test_the_order_list_documents_only_the_parameters_it_honours() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/orders/"]["get"]["parameters"]}
    assert {"status", "ordering", "page"} <= parameters
    assert "search" not in parameters

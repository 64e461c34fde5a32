from decimal import Decimal

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from ..models import Order
from ..services import OrderLine, order_create
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("api-v1:catalog:product-list")
CATEGORIES = reverse("api-v1:catalog:category-list")
ORDERS = reverse("api-v1:catalog:order-list")


def names(response) -> list[str]:  # a test-client response
    return [row["name"] for row in response.json()["results"]]


def test_product_list_is_public_paginated_and_hides_inactive(api_client: APIClient) -> None:
    ProductFactory.create_batch(3)
    ProductFactory.create(is_active=False, name="Hidden")
    body = api_client.get(PRODUCTS, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert "Hidden" not in [row["name"] for row in body["results"]]


@pytest.mark.parametrize("page_size", ["0", "101", "100000", "-1", "2.5", "two", "\u0664"])
def test_a_page_size_out_of_range_is_refused_not_replaced(
    api_client: APIClient, page_size: str
) -> None:
    response = api_client.get(PRODUCTS, {"page_size": page_size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Must be a whole number from 1 to 100."]}


@pytest.mark.parametrize(
    "query",
    [
        {"in_stock": "maybe"},
        {"in_stock": ""},
        {"max_price": ""},
        {"min_price": "-1"},
        {"max_price": "100000000"},
        {"page": ""},
    ],
)
def test_a_filter_out_of_its_documented_range_is_refused(
    api_client: APIClient, query: dict[str, str]
) -> None:
    # The schema states these ranges; the API holds to them rather than ignore the parameter.
    response = api_client.get(PRODUCTS, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_page_size_100_is_the_cap(api_client: APIClient) -> None:
    assert api_client.get(PRODUCTS, {"page_size": "100"}).status_code == 200


def test_product_list_filters_by_category_price_and_stock(api_client: APIClient) -> None:
    books = CategoryFactory.create(slug="books")
    ProductFactory.create(category=books, name="Cheap book", price=Decimal("5.00"))
    ProductFactory.create(category=books, name="Dear book", price=Decimal("50.00"), stock=0)
    ProductFactory.create(name="Lamp", price=Decimal("20.00"))
    assert sorted(names(api_client.get(PRODUCTS, {"category": "books"}))) == [
        "Cheap book",
        "Dear book",
    ]
    assert names(api_client.get(PRODUCTS, {"min_price": "10", "max_price": "30"})) == ["Lamp"]
    assert "Dear book" not in names(api_client.get(PRODUCTS, {"in_stock": "true"}))
    assert names(api_client.get(PRODUCTS, {"in_stock": "false"})) == ["Dear book"]


def test_product_list_searches_and_orders(api_client: APIClient) -> None:
    ProductFactory.create(name="Blue mug", price=Decimal("9.00"))
    ProductFactory.create(name="Red mug", price=Decimal("3.00"))
    ProductFactory.create(name="Lamp", price=Decimal("6.00"))
    assert sorted(names(api_client.get(PRODUCTS, {"search": "mug"}))) == ["Blue mug", "Red mug"]
    assert names(api_client.get(PRODUCTS, {"ordering": "price"})) == ["Red mug", "Lamp", "Blue mug"]


def test_a_bad_filter_value_is_a_400_not_a_500(api_client: APIClient) -> None:
    assert api_client.get(PRODUCTS, {"min_price": "cheap"}).status_code == 400


def test_product_detail_and_unknown_product(api_client: APIClient) -> None:
    product = ProductFactory.create()
    url = reverse("api-v1:catalog:product-detail", args=[product.pk])
    body = api_client.get(url).json()
    assert body["slug"] == product.slug
    assert body["category"]["slug"] == product.category.slug
    missing = reverse("api-v1:catalog:product-detail", args=[999_999])
    assert api_client.get(missing).status_code == 404


def test_category_list_shows_parents(api_client: APIClient) -> None:
    parent = CategoryFactory.create(name="Books", slug="books")
    CategoryFactory.create(name="Novels", slug="novels", parent=parent)
    rows = api_client.get(CATEGORIES).json()["results"]
    assert {(row["slug"], row["parent_slug"]) for row in rows} == {
        ("books", None),
        ("novels", "books"),
    }


@pytest.mark.parametrize("rows", [2, 25])
def test_product_list_runs_the_same_queries_whatever_the_row_count(
    api_client: APIClient, django_assert_num_queries, rows: int
) -> None:
    ProductFactory.create_batch(rows)
    with django_assert_num_queries(2):  # one COUNT for the paginator, one SELECT ... JOIN
        api_client.get(PRODUCTS)


@pytest.mark.parametrize("rows", [2, 25])
def test_category_list_runs_the_same_queries_whatever_the_row_count(
    api_client: APIClient, django_assert_num_queries, rows: int
) -> None:
    parent = CategoryFactory.create()
    CategoryFactory.create_batch(rows, parent=parent)
    with django_assert_num_queries(2):
        api_client.get(CATEGORIES)


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

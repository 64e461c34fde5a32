"""The catalogue over GraphQL: same data and same rules as REST, no N+1, limits before resolvers."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ...graphql_api.tests.client import URL, codes, gql
from ...users.models import User
from ...users.tests.factories import UserFactory
from ..models import Order, Product
from ..services import OrderLine, order_create
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = """
query Products($limit: Int) {
  products(pagination: {limit: $limit}, ordering: [{price: ASC}]) {
    id name price stock category { id name }
  }
}
"""
PLACE = """
mutation Place($items: [OrderLineInput!]!) {
  placeOrder(items: $items) { id status total items { product { id } quantity lineTotal } }
}
"""
MY_ORDERS = "{ myOrders { id status items { quantity product { name category { name } } } } }"


def place(client: APIClient, product: Product, quantity: int) -> dict[str, Any]:
    return gql(client, PLACE, items=[{"productId": product.pk, "quantity": quantity}])


def test_products_are_the_same_as_in_rest(api_client: APIClient) -> None:
    ProductFactory.create(name="Mug", price=Decimal("4.50"))
    ProductFactory.create(name="Pen", price=Decimal("1.25"))
    ProductFactory.create(name="Hidden", is_active=False)
    rest = api_client.get(reverse("api-v1:catalog:product-list"), {"ordering": "price"}).json()
    graph = gql(api_client, PRODUCTS)["data"]["products"]
    assert [(p["id"], p["name"], p["price"], p["stock"]) for p in rest["results"]] == [
        (int(p["id"]), p["name"], p["price"], p["stock"]) for p in graph
    ]


def test_products_filter_order_and_paginate(api_client: APIClient) -> None:
    kitchen = CategoryFactory.create(name="Kitchen")
    for price in ("3.00", "1.00", "2.00"):
        ProductFactory.create(category=kitchen, price=Decimal(price))
    ProductFactory.create(price=Decimal("0.50"))  # another category
    query = """
    query ($category: String!) {
      products(
        filters: {category: {name: {exact: $category}}}
        ordering: [{price: DESC}]
        pagination: {offset: 1, limit: 2}
      ) { price }
    }"""
    rows = gql(api_client, query, category="Kitchen")["data"]["products"]
    assert [row["price"] for row in rows] == ["2.00", "1.00"]


def queries_for(client: APIClient, query: str, **variables: Any) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as captured:
        body = gql(client, query, **variables)
    return len(captured), body


def test_nested_lists_run_a_constant_number_of_queries(auth_client: APIClient, user: User) -> None:
    def add_orders(count: int) -> None:
        for _ in range(count):
            order_create(user=user, lines=[OrderLine(ProductFactory.create().pk, 1)])

    add_orders(2)
    few, body = queries_for(auth_client, MY_ORDERS)
    assert len(body["data"]["myOrders"]) == 2
    add_orders(8)
    many, body = queries_for(auth_client, MY_ORDERS)
    assert len(body["data"]["myOrders"]) == 10
    assert few == many <= 3  # orders; items; products joined with their categories


def test_a_product_list_with_categories_is_one_query(
    api_client: APIClient, django_assert_num_queries
) -> None:
    ProductFactory.create_batch(30)
    with django_assert_num_queries(1):  # products joined with their categories
        assert len(gql(api_client, PRODUCTS, limit=30)["data"]["products"]) == 30


def test_placing_an_order_calls_the_same_service_as_rest(auth_client: APIClient) -> None:
    product = ProductFactory.create(price=Decimal("2.50"), stock=5)
    order = place(auth_client, product, 2)["data"]["placeOrder"]
    assert (order["status"], order["total"]) == ("pending", "5.00")
    assert order["items"] == [
        {"product": {"id": str(product.pk)}, "quantity": 2, "lineTotal": "5.00"}
    ]
    product.refresh_from_db()
    assert product.stock == 3


def test_an_order_that_would_oversell_fails_in_both_apis(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=1)
    body = place(auth_client, product, 2)
    assert body["data"] is None
    assert codes(body) == ["insufficient_stock"]
    rest = auth_client.post(
        reverse("api-v1:catalog:order-list"),
        {"items": [{"product": product.pk, "quantity": 2}]},
        format="json",
    )
    assert (rest.status_code, rest.json()["code"]) == (409, "insufficient_stock")
    assert not Order.objects.exists()


def test_orders_need_authentication(api_client: APIClient) -> None:
    product = ProductFactory.create()
    assert codes(place(api_client, product, 1)) == ["unauthenticated"]
    assert codes(gql(api_client, MY_ORDERS)) == ["unauthenticated"]


def test_another_users_order_is_invisible(auth_client: APIClient, user: User) -> None:
    product = ProductFactory.create()
    mine = order_create(user=user, lines=[OrderLine(product.pk, 1)])
    theirs = order_create(user=UserFactory.create(), lines=[OrderLine(product.pk, 1)])
    ids = [row["id"] for row in gql(auth_client, MY_ORDERS)["data"]["myOrders"]]
    assert ids == [str(mine.pk)]
    body = gql(auth_client, "mutation ($id: ID!) { cancelOrder(id: $id) { id } }", id=theirs.pk)
    assert codes(body) == ["not_found"]
    theirs.refresh_from_db()
    assert theirs.status == Order.Status.PENDING


def test_cancelling_returns_the_stock_once(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=5)
    order_id = place(auth_client, product, 2)["data"]["placeOrder"]["id"]
    cancel = "mutation ($id: ID!) { cancelOrder(id: $id) { status } }"
    assert gql(auth_client, cancel, id=order_id)["data"]["cancelOrder"]["status"] == "cancelled"
    assert codes(gql(auth_client, cancel, id=order_id)) == ["conflict"]
    product.refresh_from_db()
    assert product.stock == 5


def test_rest_and_graphql_share_the_order_budget_and_429_runs_nothing(
    auth_client: APIClient, settings
) -> None:
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "order_create": "2/d"}
    product = ProductFactory.create(stock=100)
    rest = auth_client.post(
        reverse("api-v1:catalog:order-list"),
        {"items": [{"product": product.pk, "quantity": 1}]},
        format="json",
    )
    assert rest.status_code == 201
    assert place(auth_client, product, 1)["data"]["placeOrder"]["status"] == "pending"
    response = auth_client.post(
        URL,
        {"query": PLACE, "variables": {"items": [{"productId": product.pk, "quantity": 1}]}},
        format="json",
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert Order.objects.count() == 2  # the resolver never ran
    assert gql(auth_client, "{ myOrders { id } }")["data"]["myOrders"]  # queries still work


@pytest.mark.parametrize(
    "document",
    [
        "mutation ($items: [OrderLineInput!]!) { ...Place }"
        " fragment Place on Mutation { placeOrder(items: $items) { id } }",
        "mutation ($items: [OrderLineInput!]!) { ... on Mutation { placeOrder(items: $items) { id } } }",
        "mutation ($items: [OrderLineInput!]!) { a: placeOrder(items: $items) { id } }",
    ],
    ids=["fragment-spread", "inline-fragment", "alias"],
)
def test_the_order_budget_holds_however_the_mutation_is_written(
    auth_client: APIClient, settings, document: str
) -> None:
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "order_create": "1/d"}
    product = ProductFactory.create(stock=100)
    items = [{"productId": product.pk, "quantity": 1}]
    statuses = [
        auth_client.post(URL, {"query": document, "variables": {"items": items}}, format="json")
        for _ in range(2)
    ]
    assert [response.status_code for response in statuses] == [200, 429]
    assert Order.objects.count() == 1


def test_a_costly_query_is_refused_before_any_query_runs(
    auth_client: APIClient, django_assert_num_queries
) -> None:
    # 100 orders x 20 items x their products and categories: about 10,000 fields.
    query = (
        "{ myOrders(pagination: {limit: 100}) { id items { quantity product { name"
        " category { name } } } } }"
    )
    with django_assert_num_queries(0):
        body = gql(auth_client, query)
    assert body["data"] is None
    assert codes(body) == ["query_too_costly"]
    assert "exceeds the limit of 5000" in body["errors"][0]["message"]


def test_a_depth_bomb_is_refused_before_any_query_runs(
    api_client: APIClient, django_assert_num_queries
) -> None:
    query = "{ categories { " + "parent { " * 12 + "name" + " }" * 12 + " } }"
    with django_assert_num_queries(0):
        body = gql(api_client, query)
    assert body["data"] is None
    assert "exceeds maximum operation depth of 8" in body["errors"][0]["message"]


def test_a_session_mutation_needs_the_csrf_token_as_in_rest(user: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    product = ProductFactory.create()
    response = client.post(
        URL,
        {"query": PLACE, "variables": {"items": [{"productId": product.pk, "quantity": 1}]}},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Order.objects.exists()


def test_a_malformed_id_is_a_clear_error_not_a_database_error(api_client: APIClient) -> None:
    body = gql(api_client, '{ product(id: "abc") { name } }')
    assert codes(body) == ["invalid"]
    assert body["errors"][0]["message"] == "'abc' is not a valid id."
    too_big = gql(api_client, '{ product(id: "' + str(2**70) + '") { name } }')
    assert codes(too_big) == ["invalid"]  # not an overflow in the database driver


def test_order_bounds_are_the_same_as_in_rest(auth_client: APIClient) -> None:
    product = ProductFactory.create(stock=5000)
    body = place(auth_client, product, 1001)
    assert codes(body) == ["invalid"]
    assert "1 to 1000" in body["errors"][0]["message"]
    lines = [{"productId": product.pk, "quantity": 1}] * 51
    assert "1 to 50 items" in gql(auth_client, PLACE, items=lines)["errors"][0]["message"]
    assert not Order.objects.exists()

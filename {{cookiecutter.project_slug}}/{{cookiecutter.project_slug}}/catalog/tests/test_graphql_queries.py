"""The catalogue read over GraphQL: the same data and checks as REST, and no N+1 queries."""

import logging
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.graphql_client import codes, gql, messages

from ..services import OrderLine, order_create
from .factories import CategoryFactory, ProductFactory
from .graphql_documents import MY_ORDERS, PRODUCTS

pytestmark = pytest.mark.django_db


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


def test_a_malformed_id_is_a_clear_error_not_a_database_error(api_client: APIClient) -> None:
    body = gql(api_client, '{ product(id: "abc") { name } }')
    assert codes(body) == ["invalid"]
    assert body["errors"][0]["message"] == "'abc' is not a valid id."
    too_big = gql(api_client, '{ product(id: "' + str(2**70) + '") { name } }')
    assert codes(too_big) == ["invalid"]  # not an overflow in the database driver


def no_error_logs(caplog: pytest.LogCaptureFixture) -> bool:
    return not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_list_without_pagination_serves_the_default_page(
    auth_client: APIClient, user: User
) -> None:
    # strawberry-django serves every row when `pagination` is left out (its issue #846).
    product = ProductFactory.create_batch(224, stock=100)[0]
    for _ in range(21):
        order_create(user=user, lines=[OrderLine(product.pk, 1)])
    body = gql(auth_client, "{ products { id } categories { id } myOrders { id } }")
    assert {name: len(rows) for name, rows in body["data"].items()} == {
        "products": 20,
        "categories": 20,
        "myOrders": 20,
    }
    explicit_null = "{ products(pagination: {offset: 200, limit: null}) { id } }"
    assert len(gql(auth_client, explicit_null)["data"]["products"]) == 20


@pytest.mark.parametrize(
    ("pagination", "argument", "message"),
    [
        ("{offset: -5, limit: 3}", "pagination.offset", "pagination.offset: must be 0 or more."),
        ("{limit: 1000}", "pagination.limit", "from 1 to 100"),
        ("{limit: 101}", "pagination.limit", "from 1 to 100"),
        ("{limit: 0}", "pagination.limit", "from 1 to 100"),
        ("{limit: -1}", "pagination.limit", "from 1 to 100"),  # "no limit" to strawberry-django
    ],
)
def test_a_page_out_of_range_is_refused_as_in_rest_and_not_logged_as_an_error(
    api_client: APIClient,
    caplog: pytest.LogCaptureFixture,
    pagination: str,
    argument: str,
    message: str,
) -> None:
    ProductFactory.create_batch(3)
    body = gql(api_client, "{ products(pagination: " + pagination + ") { id } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "invalid", "argument": argument}
    assert message in messages(body)
    assert no_error_logs(caplog)  # the client's mistake: DEBUG, not a traceback at ERROR


def test_a_limit_in_a_variable_is_held_to_the_same_range(api_client: APIClient) -> None:
    assert "from 1 to 100" in messages(gql(api_client, PRODUCTS, limit=1000))
    ProductFactory.create_batch(3)
    assert len(gql(api_client, PRODUCTS, limit=2)["data"]["products"]) == 2


def test_filters_by_price_and_stock_as_in_rest(api_client: APIClient) -> None:
    for price, stock in (("1.00", 0), ("5.00", 3), ("9.00", 1), ("20.00", 2)):
        ProductFactory.create(price=Decimal(price), stock=stock)
    rest = api_client.get(
        reverse("api-v1:catalog:product-list"),
        {"min_price": "2", "max_price": "10", "in_stock": "true", "ordering": "price"},
    ).json()
    query = """{ products(filters: {minPrice: "2", maxPrice: "10", inStock: true},
                ordering: [{price: ASC}]) { price } }"""
    graph = gql(api_client, query)["data"]["products"]
    assert [row["price"] for row in graph] == [row["price"] for row in rest["results"]]
    assert [row["price"] for row in graph] == ["5.00", "9.00"]


@pytest.mark.parametrize(
    ("graphql_filter", "rest_query"),
    [
        ('minPrice: "-1"', {"min_price": "-1"}),
        ('maxPrice: "100000000"', {"max_price": "100000000"}),
        ('minPrice: "NaN"', {"min_price": "NaN"}),
        ('maxPrice: "Infinity"', {"max_price": "Infinity"}),
    ],
)
def test_a_price_filter_out_of_range_has_rests_bounds_and_message(
    api_client: APIClient,
    caplog: pytest.LogCaptureFixture,
    graphql_filter: str,
    rest_query: dict[str, str],
) -> None:
    rest = api_client.get(reverse("api-v1:catalog:product-list"), rest_query)
    assert rest.status_code == 400
    [rest_message] = next(iter(rest.json().values()))
    body = gql(api_client, "{ products(filters: {" + graphql_filter + "}) { id } }")
    assert codes(body) == ["invalid"]
    assert messages(body).endswith(rest_message)
    assert no_error_logs(caplog)


@pytest.mark.parametrize(
    ("graphql_filter", "argument", "message"),
    [
        ('name: {exact: "a\\u0000b"}', "filters.name.exact", "Null characters are not allowed."),
        (
            'name: {iContains: "' + "x" * 201 + '"}',
            "filters.name.iContains",
            "at most 200 characters (it has 201)",  # Product.name's max_length
        ),
        (
            'category: {slug: {exact: "' + "x" * 121 + '"}}',
            "filters.category.slug.exact",
            "at most 120 characters (it has 121)",  # as REST's ?category=
        ),
        (
            "NOT: {" * 9 + "inStock: true" + "}" * 9,
            "filters" + ".NOT" * 9,
            "nest at most 8 levels deep",
        ),
    ],
    ids=["nul", "longer-than-name", "longer-than-slug", "nested-too-deep"],
)
def test_a_text_filter_the_database_would_refuse_is_a_clear_error(
    api_client: APIClient,
    caplog: pytest.LogCaptureFixture,
    graphql_filter: str,
    argument: str,
    message: str,
) -> None:
    body = gql(api_client, "{ products(filters: {" + graphql_filter + "}) { id } }")
    assert body["errors"][0]["extensions"] == {"code": "invalid", "argument": argument}
    assert message in messages(body)
    assert no_error_logs(caplog)


def test_regular_expression_lookups_are_not_offered(
    api_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    # An invalid pattern was a database error ("Unexpected error."); a slow one, unbounded work.
    body = gql(api_client, '{ products(filters: {name: {iRegex: "("}}) { id } }')
    assert body["data"] is None
    assert "iRegex" in messages(body)
    assert "Unexpected error." not in messages(body)
    assert no_error_logs(caplog)


def test_text_lookups_filter_as_documented(api_client: APIClient) -> None:
    ProductFactory.create(name="Blue Mug")
    ProductFactory.create(name="Red mug")
    ProductFactory.create(name="Pen")
    query = "query ($name: TextLookup) { products(filters: {name: $name}) { name } }"

    def found(**lookup: str) -> set[str]:
        return {row["name"] for row in gql(api_client, query, name=lookup)["data"]["products"]}

    assert found(iContains="MUG") == {"Blue Mug", "Red mug"}
    assert found(iStartsWith="red") == {"Red mug"}
    assert found(exact="Pen") == {"Pen"}
    assert found(iExact="pen") == {"Pen"}

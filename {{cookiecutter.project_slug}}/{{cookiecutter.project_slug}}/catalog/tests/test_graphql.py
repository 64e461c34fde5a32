"""The catalogue over GraphQL: same data and same rules as REST, no N+1, limits before resolvers."""

import logging
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from tests.support.graphql_client import URL, codes, gql, messages

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
    assert body["data"] == {"placeOrder": None}
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


def test_each_aliased_order_in_one_document_counts_and_placed_orders_stay_visible(
    auth_client: APIClient, settings
) -> None:
    """Found in the field: 14 aliases of placeOrder in one document were charged once against a
    budget of 2 and placed 10 orders; the eleventh ran out of stock, and its error nulled `data`
    whole, so the client never learnt of the 10 orders placed."""
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "order_create": "2/d"}
    product = ProductFactory.create(stock=10)
    one = 'placeOrder(items: [{productId: "%d", quantity: 1}]) { id }' % product.pk  # noqa: UP031
    many = "mutation { " + " ".join(f"o{n}: {one}" for n in range(3)) + " }"
    assert auth_client.post(URL, {"query": many}, format="json").status_code == 429
    assert not Order.objects.exists()  # refused before anything ran

    cache.clear()  # a new budget: the refused document spent it
    body = gql(auth_client, "mutation { a: " + one + " b: placeOrder(items: []) { id } }")
    placed = Order.objects.get()
    assert body["data"] == {"a": {"id": str(placed.pk)}, "b": None}
    assert codes(body) == ["invalid"]


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
    assert "exceeds the limit of 10000" in body["errors"][0]["message"]


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


PRODUCT_FIELDS = "products { id name price category { name } }"
ALIASED = "{ " + " ".join(f"a{n}: " + PRODUCT_FIELDS for n in range(15)) + " }"


def test_aliases_without_pagination_count_a_default_page_each(
    api_client: APIClient, settings
) -> None:
    # Each alias serves 20 products of 1 + 1 + 1 + (1 + 1) fields: 15 x 20 x 6 = 1800.
    ProductFactory.create_batch(30)
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_COST": 1799}
    body = gql(api_client, ALIASED)
    assert codes(body) == ["query_too_costly"]
    assert body["errors"][0]["extensions"]["cost"] == 1800
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_COST": 1800}
    rows = gql(api_client, ALIASED)["data"]
    assert [len(products) for products in rows.values()] == [20] * 15  # what was counted


def test_the_cost_reads_a_limit_from_the_variables(api_client: APIClient, settings) -> None:
    query = "query ($n: Int = 7) { products(pagination: {limit: $n}) { id } }"
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_COST": 9}
    assert gql(api_client, query, n=4)["data"] == {"products": []}  # 4 x 2 = 8
    assert gql(api_client, query, n=5)["errors"][0]["extensions"]["cost"] == 10
    assert gql(api_client, query)["errors"][0]["extensions"]["cost"] == 14  # the default, 7
    page = "query ($page: OffsetPaginationInput) { products(pagination: $page) { id } }"
    assert gql(api_client, page, page={"limit": 4})["data"] == {"products": []}
    assert gql(api_client, page)["errors"][0]["extensions"]["cost"] == 40  # no page: default 20


def test_order_items_count_as_many_lines_as_an_order_may_hold(
    auth_client: APIClient, settings
) -> None:
    # Not paginated (an order is read whole), so counted at MAX_ORDER_LINES (50) per order.
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_COST": 0}  # refuse, and report the cost
    body = gql(auth_client, "{ myOrders(pagination: {limit: 2}) { items { quantity } } }")
    assert body["errors"][0]["extensions"]["cost"] == 2 * (1 + 50 * 2)


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

"""The document limits on the catalogue's lists: cost and depth, refused before any query runs."""

import pytest
from rest_framework.test import APIClient

from tests.support.graphql_client import codes, gql

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


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

"""Popular and recently viewed products over GraphQL: the same Redis data and rules as REST."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.graphql_client import codes, gql, messages

from .. import popularity
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

POPULAR = """
query ($limit: Int!) {
  popularProducts(limit: $limit) { id name category { name parent { name } } }
}"""
RECENT = "{ recentlyViewedProducts { id name } }"
PRODUCT = "query ($id: ID!) { product(id: $id) { name } }"


def names(body: dict[str, Any], field: str) -> list[str]:
    return [row["name"] for row in body["data"][field]]


def test_popular_products_are_the_same_as_in_rest(
    require_redis: None, api_client: APIClient
) -> None:
    products = ProductFactory.create_batch(3)
    for times, product in enumerate(products, start=1):
        for _ in range(times):
            gql(api_client, PRODUCT, id=product.pk)  # a GraphQL read counts as a view, too
    rest = api_client.get(reverse("api-v1:catalog:product-popular"), {"limit": 2}).json()
    graph = gql(api_client, POPULAR, limit=2)["data"]["popularProducts"]
    assert (
        [p["id"] for p in rest] == [int(p["id"]) for p in graph] == [products[2].pk, products[1].pk]
    )


def test_popular_products_cost_the_same_queries_however_many_rank(
    require_redis: None, api_client: APIClient
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body = gql(api_client, POPULAR, limit=50)
        assert "errors" not in body, body
        return len(captured)

    parent = CategoryFactory.create()
    popularity.product_view_record(
        product_id=ProductFactory.create(category=CategoryFactory.create(parent=parent)).pk
    )
    few = queries()
    for _ in range(5):
        product = ProductFactory.create(category=CategoryFactory.create(parent=parent))
        popularity.product_view_record(product_id=product.pk)
    assert queries() == few


@pytest.mark.parametrize("limit", [0, 51])
def test_a_limit_out_of_range_is_an_invalid_argument(api_client: APIClient, limit: int) -> None:
    body = gql(api_client, POPULAR, limit=limit)
    assert codes(body) == ["invalid"]
    assert messages(body) == "limit: must be a whole number from 1 to 50."
    assert body["errors"][0]["extensions"]["argument"] == "limit"


def test_recently_viewed_products_are_the_callers_own(
    require_redis: None, auth_client: APIClient, user: User
) -> None:
    first, second = ProductFactory.create(name="first"), ProductFactory.create(name="second")
    for product in (first, second, first):
        gql(auth_client, PRODUCT, id=product.pk)
    assert names(gql(auth_client, RECENT), "recentlyViewedProducts") == ["first", "second"]
    assert popularity.recently_viewed_ids(user_id=user.pk) == [first.pk, second.pk]


def test_recently_viewed_products_need_authentication(api_client: APIClient) -> None:
    assert codes(gql(api_client, RECENT)) == ["unauthenticated"]


def test_with_redis_down_the_lists_are_empty_not_errors(
    auth_client: APIClient, unreachable_cache: None
) -> None:
    product = ProductFactory.create(name="still served")
    assert gql(auth_client, PRODUCT, id=product.pk)["data"]["product"]["name"] == "still served"
    body = gql(auth_client, "{ popularProducts { name } recentlyViewedProducts { name } }")
    assert body == {"data": {"popularProducts": [], "recentlyViewedProducts": []}}

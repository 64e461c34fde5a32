"""Cache-aside on the public catalogue: hits run no query, writes invalidate what they change."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User

from ..services import OrderLine, category_create, order_cancel, order_create, product_create
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("api-v1:catalog:product-list")
CATEGORIES = reverse("api-v1:catalog:category-list")


def names(client: APIClient, url: str = PRODUCTS, **params: str) -> list[str]:
    return [row["name"] for row in client.get(url, params).json()["results"]]


def test_a_cached_product_list_runs_no_query(
    api_client: APIClient, django_assert_num_queries
) -> None:
    ProductFactory.create_batch(3)
    first = api_client.get(PRODUCTS).json()
    with django_assert_num_queries(0):
        second = api_client.get(PRODUCTS).json()
    assert first == second


def test_a_hit_answers_the_bytes_and_headers_of_the_miss_that_filled_it(
    api_client: APIClient, django_assert_num_queries
) -> None:
    ProductFactory.create_batch(3, description="Ünïcode — kept as is")
    miss = api_client.get(PRODUCTS)
    with django_assert_num_queries(0):
        hit = api_client.get(PRODUCTS)
    assert hit.content == miss.content
    assert "Ünïcode" in hit.content.decode()
    headers = [{k: v for k, v in r.headers.items() if k != "X-Request-ID"} for r in (miss, hit)]
    assert headers[0] == headers[1]
    assert headers[1]["Content-Type"] == "application/json"


def test_a_client_asking_for_another_rendering_gets_it_from_the_cache_too(
    api_client: APIClient, django_assert_num_queries
) -> None:
    ProductFactory.create_batch(2)
    compact = api_client.get(PRODUCTS)
    with django_assert_num_queries(0):
        indented = api_client.get(PRODUCTS, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content != compact.content
    assert b'\n  "count": 2' in indented.content
    assert indented.json() == compact.json()


def test_cached_detail_and_category_list_run_no_query(
    api_client: APIClient, django_assert_num_queries
) -> None:
    product = ProductFactory.create()
    detail = reverse("api-v1:catalog:product-detail", args=[product.pk])
    api_client.get(detail)
    api_client.get(CATEGORIES)
    with django_assert_num_queries(0):
        assert api_client.get(detail).json()["id"] == product.pk
        assert api_client.get(CATEGORIES).status_code == 200


def test_the_same_parameters_in_another_order_are_a_hit(
    api_client: APIClient, django_assert_num_queries
) -> None:
    ProductFactory.create()
    api_client.get(f"{PRODUCTS}?ordering=price&page_size=5")
    with django_assert_num_queries(0):
        api_client.get(f"{PRODUCTS}?page_size=5&ordering=price")


def test_a_parameter_named_host_is_just_a_parameter(api_client: APIClient) -> None:
    assert api_client.get(PRODUCTS, {"host": "x"}).status_code == 200


def test_two_query_strings_do_not_collide(api_client: APIClient) -> None:
    ProductFactory.create(name="Cheap", price=Decimal("1.00"))
    ProductFactory.create(name="Dear", price=Decimal("9.00"))
    assert names(api_client, ordering="price") == ["Cheap", "Dear"]
    assert names(api_client, ordering="-price") == ["Dear", "Cheap"]
    assert names(api_client, ordering="price") == ["Cheap", "Dear"]


def test_creating_a_product_through_the_service_invalidates_the_list(
    api_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    category = CategoryFactory.create()
    assert names(api_client) == []
    with django_capture_on_commit_callbacks(execute=True):
        product_create(category=category, name="Fresh", price=Decimal("2.00"), stock=1)
    assert names(api_client) == ["Fresh"]


def test_an_order_invalidates_the_stock_it_changed_and_nothing_else(
    api_client: APIClient, user: User, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    sold, other = ProductFactory.create(stock=5), ProductFactory.create(stock=5)
    sold_url = reverse("api-v1:catalog:product-detail", args=[sold.pk])
    other_url = reverse("api-v1:catalog:product-detail", args=[other.pk])
    api_client.get(sold_url)
    api_client.get(other_url)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(user=user, lines=[OrderLine(sold.pk, 2)])
    assert api_client.get(sold_url).json()["stock"] == 3
    with django_assert_num_queries(0):
        api_client.get(other_url)  # untouched: still a hit
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order)
    assert api_client.get(sold_url).json()["stock"] == 5


def test_a_category_write_invalidates_product_pages_that_show_it(
    api_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    ProductFactory.create()
    api_client.get(PRODUCTS)
    with django_capture_on_commit_callbacks(execute=True):
        category_create(name="Brand New")
    assert "Brand New" in [row["name"] for row in api_client.get(CATEGORIES).json()["results"]]


def test_a_rolled_back_write_does_not_invalidate(
    api_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    ProductFactory.create(name="Kept")
    api_client.get(PRODUCTS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        product_create(category=CategoryFactory.create(), name="Pending", price=Decimal(1))
    assert len(callbacks) == 1  # queued for commit, not run before it
    assert names(api_client) == ["Kept"]


def test_admin_edits_invalidate_too(
    admin_client: Client, api_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory.create(name="Old name")
    api_client.get(PRODUCTS)
    change = reverse("admin:catalog_product_change", args=[product.pk])
    form = {
        "category": product.category.pk,
        "name": "New name",
        "slug": product.slug,
        "description": "",
        "price": "10.00",
        "stock": "10",
        "is_active": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, form).status_code == 302
    assert names(api_client) == ["New name"]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:catalog_product_delete", args=[product.pk]), {"post": "yes"}
        )
    assert names(api_client) == []


def test_the_category_tree_nests_by_name_and_is_cached_until_a_category_changes(
    api_client: APIClient, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:
    tree_url = reverse("api-v1:catalog:category-tree")
    kitchen = CategoryFactory.create(name="Kitchen", slug="kitchen")
    CategoryFactory.create(name="Mugs", slug="mugs", parent=kitchen)
    CategoryFactory.create(name="Bowls", slug="bowls", parent=kitchen)
    CategoryFactory.create(name="Garden", slug="garden")

    def shape(nodes: list[dict[str, Any]]) -> list[tuple[str, Any]]:
        return [(node["slug"], shape(node["children"])) for node in nodes]

    with django_assert_num_queries(1):  # one query, however deep the tree
        first = api_client.get(tree_url).json()
    assert shape(first) == [("garden", []), ("kitchen", [("bowls", []), ("mugs", [])])]
    with django_assert_num_queries(0):
        assert api_client.get(tree_url).json() == first
    with django_capture_on_commit_callbacks(execute=True):
        category_create(name="Cups", parent=kitchen)
    assert shape(api_client.get(tree_url).json())[1] == (
        "kitchen",
        [("bowls", []), ("cups", []), ("mugs", [])],
    )

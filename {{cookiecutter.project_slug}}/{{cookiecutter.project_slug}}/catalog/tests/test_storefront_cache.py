"""The storefront on the API's cache: constant queries, none on a hit, the API's writes invalidate it.

The pages are cached under the namespaces of the API's responses (catalog/caching.py), so these
tests write through the same services and admin the API's cache tests use, and read pages.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.users.models import User

from .. import popularity
from ..services import OrderLine, category_create, order_create, product_create
from ..storefront import views
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

SHOP = reverse("storefront:product-list")


def detail_url(pk: int) -> str:
    return reverse("storefront:product-detail", args=[pk])


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("params", [{}, {"search": "product", "category": "kitchen", "page": "1"}])
def test_the_list_costs_three_queries_however_many_rows_it_shows(
    client: Client, settings, django_assert_num_queries, rows: int, params: dict[str, str]
) -> None:
    settings.CATALOG_CACHE_SECONDS = 0  # every request builds the page
    kitchen = CategoryFactory.create(slug="kitchen")
    for parent in CategoryFactory.create_batch(3):
        CategoryFactory.create(parent=parent)
    ProductFactory.create_batch(rows, category=kitchen, attributes={"colour": "red"})
    with django_assert_num_queries(3):  # the count, the page's rows with categories, the tree
        response = client.get(SHOP, params)
    assert response.content.decode().count('<span class="category">') == rows


def test_the_detail_page_costs_one_query(
    client: Client, settings, django_assert_num_queries
) -> None:
    settings.CATALOG_CACHE_SECONDS = 0
    product = ProductFactory.create()
    with django_assert_num_queries(1):  # the product with its category
        assert client.get(detail_url(product.pk)).status_code == 200


def test_a_cached_page_is_sent_again_without_a_query(
    client: Client, django_assert_num_queries
) -> None:
    product = ProductFactory.create_batch(3)[0]
    for url in (SHOP, f"{SHOP}?search=product&page=1", detail_url(product.pk)):
        miss = client.get(url)
        with django_assert_num_queries(0):
            hit = client.get(url)
        assert hit.content == miss.content
        assert hit["Content-Security-Policy"] == miss["Content-Security-Policy"]


@pytest.mark.usefixtures("unreachable_cache")
def test_pages_are_built_from_the_database_while_the_cache_is_down(client: Client) -> None:
    product = ProductFactory.create(name="Kettle")
    assert "Kettle" in client.get(SHOP).content.decode()
    assert "Kettle" in client.get(detail_url(product.pk)).content.decode()


def test_an_unknown_parameter_reads_the_same_entry(
    client: Client, django_assert_num_queries
) -> None:
    ProductFactory.create()
    client.get(SHOP, {"search": "product"})
    with django_assert_num_queries(0):
        client.get(SHOP, {"search": "product", "utm_source": "mail"})


def test_pages_cached_before_a_release_never_link_its_old_stylesheet(
    client: Client, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries
) -> None:
    # In production the stylesheet's name carries its hash (manifest storage): a release that
    # changes the file changes the name, and the old file is gone from the new image.
    ProductFactory.create()
    assert b"/static/catalog/storefront.css" in client.get(SHOP).content
    monkeypatch.setattr(views, "static", lambda path: "/static/catalog/storefront.0a1b2c.css")
    with django_assert_num_queries(3):  # a new entry, built again
        page = client.get(SHOP).content
    assert b"/static/catalog/storefront.0a1b2c.css" in page


def test_a_page_cached_for_a_signed_in_visitor_holds_nothing_about_them(
    client: Client, user: User
) -> None:
    ProductFactory.create()
    client.force_login(user)
    signed_in = client.get(SHOP).content
    assert user.email.encode() not in signed_in
    assert b"csrfmiddlewaretoken" not in signed_in
    client.logout()
    assert client.get(SHOP).content == signed_in


def test_a_product_created_through_the_service_shows_at_once(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    category = CategoryFactory.create()
    assert "No product matches" in client.get(SHOP).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        product_create(category=category, name="Fresh kettle", price=Decimal("2.00"), stock=1)
    assert "Fresh kettle" in client.get(SHOP).content.decode()
    assert "Fresh kettle" in client.get(SHOP, {"search": "kettle"}).content.decode()


def test_an_order_updates_the_stock_on_the_product_page_and_leaves_others_cached(
    client: Client, user: User, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    sold, other = ProductFactory.create(stock=5), ProductFactory.create(stock=5)
    assert "5 in stock" in client.get(detail_url(sold.pk)).content.decode()
    client.get(detail_url(other.pk))
    with django_capture_on_commit_callbacks(execute=True):
        order_create(user=user, lines=[OrderLine(sold.pk, 5)])
    assert "Out of stock" in client.get(detail_url(sold.pk)).content.decode()
    with django_assert_num_queries(0):
        client.get(detail_url(other.pk))  # untouched: still a hit


def test_a_new_category_appears_in_the_lists_select_at_once(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    ProductFactory.create()
    client.get(SHOP)
    with django_capture_on_commit_callbacks(execute=True):
        category_create(name="Brand new")
    assert "Brand new" in client.get(SHOP).content.decode()  # in the category select


def test_an_admin_edit_reaches_the_page_as_it_reaches_the_api(
    admin_client: Client, client: Client, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory.create(name="Old name")
    client.get(detail_url(product.pk))
    form = {
        "category": product.category.pk,
        "name": "New name",
        "slug": product.slug,
        "description": "<p>Now <em>better</em></p><script>x()</script>",
        "price": "10.00",
        "stock": "10",
        "is_active": "",  # withdrawn
    }
    change = reverse("admin:catalog_product_change", args=[product.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, form | {"is_active": "on"}).status_code == 302
    body = client.get(detail_url(product.pk)).content.decode()
    assert "New name" in body
    assert "<em>better</em>" in body
    assert "<script>" not in body
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, form).status_code == 302
    assert client.get(detail_url(product.pk)).status_code == 404
    assert "New name" not in client.get(SHOP).content.decode()


def test_a_page_view_counts_for_popularity_and_recently_viewed_on_a_hit_too(
    require_redis: None, client: Client, user: User
) -> None:
    seen, unseen = ProductFactory.create(name="Seen"), ProductFactory.create(name="Unseen")
    assert Client().get(detail_url(seen.pk)).status_code == 200  # a miss, anonymous
    client.force_login(user)
    for _ in range(3):  # hits; one viewer counts once an hour
        assert client.get(detail_url(seen.pk)).status_code == 200
    assert client.get(detail_url(999_999)).status_code == 404  # counts for nothing
    assert client.head(detail_url(seen.pk)).status_code == 200  # a link checker: nobody
    assert popularity.popular_ranking(count=5) == [(seen.pk, 2.0)]
    assert popularity.recently_viewed_ids(user_id=user.pk) == [seen.pk]
    assert unseen.pk not in dict(popularity.popular_ranking(count=5))

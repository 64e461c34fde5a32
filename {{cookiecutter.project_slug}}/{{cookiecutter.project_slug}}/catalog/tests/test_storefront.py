"""The storefront's pages: what they show, how they escape, and that a browser may run them as sent.

Pages are read with an HTML parser (tests/support/html_page.py), as a browser reads them. Bad
query strings are in test_storefront_input.py, the cache and query counts in
test_storefront_cache.py.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from csp.utils import build_policy
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.support.html_page import Resources, resources

from ..models import Product
from ..services import product_create
from ..storefront.views import STYLESHEET
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

SHOP = reverse("storefront:product-list")


def detail_url(product: Product) -> str:
    return reverse("storefront:product-detail", args=[product.pk])


def page(client: Client, url: str, **params: str) -> Resources:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return resources(response.content.decode())


def product_names(html: Resources) -> list[str]:
    """The names the page links to a product page, in order."""
    return [a.text for a in html.find("a") if re.fullmatch(r"/shop/\d+/", a.attrs["href"] or "")]


def test_the_list_shows_active_products_newest_first_with_their_category_and_price(
    client: Client,
) -> None:
    kitchen = CategoryFactory.create(name="Kitchen")
    ProductFactory.create(name="Kettle", category=kitchen, price=Decimal("24.50"))
    ProductFactory.create(name="Teapot", category=kitchen)
    ProductFactory.create(name="Withdrawn", is_active=False)
    html = page(client, SHOP)
    assert product_names(html) == ["Teapot", "Kettle"]
    assert [span.text for span in html.find("span", class_="category")] == ["Kitchen"] * 2
    assert [span.text for span in html.find("span", class_="price")][1] == "24.50"
    assert [p.text for p in html.find("p", class_="count")] == ["2 products"]


def test_search_ranks_as_the_api_does_and_category_filters_by_slug(client: Client) -> None:
    mugs = CategoryFactory.create(name="Mugs", slug="mugs")
    ProductFactory.create(name="Plain cup", description="A kettle-shaped handle.", category=mugs)
    ProductFactory.create(name="Steel kettle")
    api = client.get(reverse("api-v1:catalog:product-list"), {"search": "kettle"}).json()
    assert product_names(page(client, SHOP, search="kettle")) == [
        row["name"] for row in api["results"]
    ]
    assert product_names(page(client, SHOP, search="kettle")) == ["Steel kettle", "Plain cup"]
    assert product_names(page(client, SHOP, search="kettle", category="mugs")) == ["Plain cup"]
    chosen = page(client, SHOP, category="mugs").find("option", value="mugs")
    assert "selected" in chosen[0].attrs


def test_the_category_select_lists_the_tree_with_children_indented(client: Client) -> None:
    kitchen = CategoryFactory.create(name="Kitchen", slug="kitchen")
    CategoryFactory.create(name="Mugs", slug="mugs", parent=kitchen)
    CategoryFactory.create(name="Garden", slug="garden")
    options = [(o.attrs["value"], o.text) for o in page(client, SHOP).find("option")]
    assert options == [
        ("", "All categories"),
        ("garden", "Garden"),
        ("kitchen", "Kitchen"),
        ("mugs", "\u2014 Mugs"),
    ]


def test_pages_hold_twenty_and_link_each_other_with_rel_and_aria_current(client: Client) -> None:
    ProductFactory.create_batch(45)
    first = page(client, SHOP, search="product")
    assert len(product_names(first)) == 20
    assert [a.attrs["href"] for a in first.find("a", rel="next")] == ["?search=product&page=2"]
    assert first.find("a", rel="prev") == []
    assert [a.text for a in first.find("a", aria_current="page")] == ["1"]
    second = page(client, SHOP, search="product", page="2")
    assert [a.attrs["href"] for a in second.find("a", rel="prev")] == ["?search=product"]
    assert [a.text for a in second.find("a", aria_current="page")] == ["2"]
    third = page(client, SHOP, search="product", page="3")
    assert len(product_names(third)) == 5
    assert third.find("a", rel="next") == []


def test_the_detail_page_shows_the_product_and_links_back_to_its_category(client: Client) -> None:
    product = ProductFactory.create(
        name="Kettle", stock=3, attributes={"capacity_ml": 1500, "waterproof": False}
    )
    html = page(client, detail_url(product))
    assert [h1.text for h1 in html.find("h1")] == ["Kettle"]
    assert f"{SHOP}?category={product.category.slug}" in [a.attrs["href"] for a in html.find("a")]
    body = client.get(detail_url(product)).content.decode()
    assert "3 in stock" in body
    assert "<dt>Capacity ml</dt><dd>1500</dd>" in body
    assert "<dt>Waterproof</dt><dd>no</dd>" in body


@pytest.mark.parametrize("which", ["inactive", "missing"])
def test_an_inactive_or_missing_product_is_the_shops_404_page(client: Client, which: str) -> None:
    pk = ProductFactory.create(is_active=False).pk if which == "inactive" else 999_999
    response = client.get(reverse("storefront:product-detail", args=[pk]))
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "no such product" in response.content.decode()


def test_names_are_escaped_and_a_hostile_description_is_shown_sanitised(client: Client) -> None:
    category = CategoryFactory.create(name="<b>Bold</b> & co")
    hostile = (
        '<p>Fine <strong>tea</strong> <a href="javascript:alert(1)">here</a></p>'
        '<script>alert("x")</script><img src=x onerror=alert(2)><p onclick="alert(3)">Hi</p>'
    )
    product = product_create(
        category=category, name="<i>Tea</i>", price=Decimal("3.00"), description=hostile
    )
    # Written around the service, as update() or a bulk import would: still harmless when shown.
    other = ProductFactory.create(category=category)
    Product.objects.filter(pk=other.pk).update(description=hostile)
    for url in (detail_url(product), detail_url(other)):
        body = client.get(url).content.decode()
        html = resources(body)
        assert html.inline == []
        assert html.find("script") == []
        assert html.find("img") == []
        assert "javascript:" not in body
        assert "alert" not in body
        assert "<strong>tea</strong>" in body  # the allowed formatting survives
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in body  # the category name is text
    assert "&lt;i&gt;Tea&lt;/i&gt;" in client.get(detail_url(product)).content.decode()
    assert "&lt;i&gt;Tea&lt;/i&gt;" in client.get(SHOP).content.decode()


def test_pages_carry_the_strict_policy_and_nothing_inline_it_would_refuse(client: Client) -> None:
    product = ProductFactory.create()
    for url in (SHOP, detail_url(product), f"{SHOP}?page=x", f"{SHOP}no/such/page/"):
        response = client.get(url)
        assert response["Content-Security-Policy"] == build_policy(), url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        html = resources(response.content.decode())
        assert html.inline == [], url
        assert [e.tag for e in html.elements if e.tag in {"script", "style"}] == [], url
        assert html.sources == [f"/static/{STYLESHEET}"], url
    assert finders.find(STYLESHEET), "the stylesheet is a static file the server has"


def test_the_inline_check_finds_scripts_styles_and_handlers() -> None:
    html = resources(
        '<script>x()</script><style>p{}</style><p style="color:red">'
        '<a href="#" onclick="x()">a</a></p>'
    )
    assert html.inline == [
        "inline <script>",
        "inline <style>",
        "style attribute on <p>",
        "event handler on <a>",
    ]


@pytest.mark.parametrize("which", ["list", "detail", "error"])
def test_each_page_has_a_language_one_heading_landmarks_and_a_skip_link(
    client: Client, which: str
) -> None:
    product = ProductFactory.create()
    url = {"list": SHOP, "detail": detail_url(product), "error": f"{SHOP}?page=0"}[which]
    html = resources(client.get(url).content.decode())
    assert html.find("html")[0].attrs["lang"] == "en-us"
    assert len(html.find("h1")) == 1
    assert len(html.find("main", id="main")) == 1
    assert html.find("a")[0].attrs["href"] == "#main"  # the first link skips to the content
    assert all(nav.attrs.get("aria-label") for nav in html.find("nav"))


def test_every_form_control_is_labelled_and_nothing_needs_a_mouse(client: Client) -> None:
    ProductFactory.create_batch(25)
    html = page(client, SHOP)
    controls = [e for e in html.elements if e.tag in {"input", "select", "textarea"}]
    labelled = {label.attrs["for"] for label in html.find("label")}
    assert len(controls) == 2
    assert {control.attrs["id"] for control in controls} <= labelled
    assert html.find("form")[0].attrs["method"] == "get"  # works without JavaScript
    assert html.find("button", type="submit")
    # Reachable with Tab in document order: native links and controls, no positive tabindex.
    assert [e.attrs["tabindex"] for e in html.elements if "tabindex" in e.attrs] == ["-1"]
    assert all(a.attrs.get("href") for a in html.find("a"))
    assert ":focus-visible" in Path(str(finders.find(STYLESHEET))).read_text()  # focus shows

"""The storefront's answer to a bad query string or URL: a page saying what was wrong, never a 500.

Each decision, one row: a value the API's filter set refuses is a 400 here too (same rule, same
message); a page number that is not a whole number from 1 is a 400; a page past the last, or a
product that is not for sale, is a 404; an unknown parameter is ignored.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.html_page import resources

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

SHOP = reverse("storefront:product-list")
API = reverse("api-v1:catalog:product-list")


def one_line(client: Client, url: str, status: int) -> str:
    """The page's message, checked to be an HTML page with `status`."""
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = resources(response.content.decode())
    assert len(html.find("h1")) == 1
    return html.find("p")[0].text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=abc", "page: Enter a whole number."),
        ("page=0", "page: Ensure this value is greater than or equal to 1."),
        ("page=-2", "page: Ensure this value is greater than or equal to 1."),
        ("page=1e3", "page: Enter a whole number."),
        ("page=%00", "page: Enter a whole number."),
        (
            "search=" + "a" * 201,
            "search: Ensure this value has at most 200 characters (it has 201).",
        ),
        ("search=tea%00pot", "search: Null characters are not allowed."),
        (
            "category=" + "c" * 121,
            "category: Ensure this value has at most 120 characters (it has 121).",
        ),
        ("search=lamp&search=tent", "search: Give this parameter once."),
        ("page=1&page=2", "page: Give this parameter once."),
    ],
    ids=[
        "letters",
        "zero",
        "negative",
        "exponent",
        "nul-page",
        "long-search",
        "nul-search",
        "long-category",
        "search-twice",
        "page-twice",
    ],
)
def test_a_bad_parameter_is_a_400_page_naming_it(client: Client, query: str, message: str) -> None:
    assert one_line(client, f"{SHOP}?{query}", 400) == message


@pytest.mark.parametrize(
    "query",
    ["search=" + "a" * 201, "search=tea%00pot", "category=" + "c" * 121, "search=a&search=b"],
)
def test_the_api_refuses_the_same_values(client: Client, query: str) -> None:
    name = query.split("=", 1)[0]
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize("number", ["2", "99999", "9" * 40])
def test_a_page_past_the_last_is_a_404_page(client: Client, number: str) -> None:
    ProductFactory.create_batch(3)
    assert one_line(client, f"{SHOP}?page={number}", 404) == f"This list has no page {number}."


@pytest.mark.parametrize(
    "query",
    [
        "",
        "search=",
        "category=",
        "page=",
        "search=%20%20",
        "page=1",
        "utm_source=mail",
        "search=-",
        'search="',
        "search=%FF%FE",
    ],
)
def test_empty_unknown_and_odd_values_show_the_list(client: Client, query: str) -> None:
    # What a GET form sends with nothing chosen ("search=&category="), a tracking tag, web-search
    # syntax with nothing in it, bytes that are not UTF-8: the list, not an error.
    ProductFactory.create()
    assert client.get(f"{SHOP}?{query}").status_code == 200


def test_an_unknown_category_is_an_empty_list_as_in_the_api(client: Client) -> None:
    ProductFactory.create()
    assert "No product matches" in client.get(SHOP, {"category": "nowhere"}).content.decode()
    assert client.get(API, {"category": "nowhere"}).json()["count"] == 0


@pytest.mark.parametrize("path", ["999999/", "9" * 40 + "/", "kettle/", "1/extra/", "a/b/c/"])
def test_an_unknown_product_or_path_under_the_shop_is_its_404_page(
    client: Client, path: str
) -> None:
    assert "no such" in one_line(client, SHOP + path, 404)


def test_a_path_without_its_slash_is_redirected_to_it(client: Client) -> None:
    product = ProductFactory.create()
    response = client.get(f"{SHOP}{product.pk}")
    assert (response.status_code, response["Location"]) == (301, f"{SHOP}{product.pk}/")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_pages_only_answer_get_and_head(client: Client, method: str) -> None:
    product = ProductFactory.create()
    for url in (SHOP, reverse("storefront:product-detail", args=[product.pk])):
        assert getattr(client, method)(url).status_code == 405
        assert client.head(url).status_code == 200

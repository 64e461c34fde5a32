"""Full-text search over REST: ranked, kept up to date by the database, safe on any input."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ..models import Category, Product
from ..selectors import product_list, product_search
from ..services import category_create, product_create
from .factories import CategoryFactory, ProductFactory

# PostgreSQL's full-text search; on SQLite the list falls back to word matching (selectors.py).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.usefixtures("require_postgresql"),
]

PRODUCTS = reverse("api-v1:catalog:product-list")


def found(client: APIClient, text: str, **query: str) -> list[str]:
    response = client.get(PRODUCTS, {"search": text, **query})
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_a_match_in_the_name_ranks_above_category_attributes_and_description(
    api_client: APIClient,
) -> None:
    lamps = CategoryFactory.create(name="Lamps")
    ProductFactory.create(name="Reading light", description="A brass lamp for reading.")
    ProductFactory.create(name="Floor light", category=lamps, description="Tall.")
    ProductFactory.create(name="Desk lamp", description="Small.")
    ProductFactory.create(name="Wall light", attributes={"material": "brass"})
    assert found(api_client, "lamp") == ["Desk lamp", "Floor light", "Reading light"]
    assert found(api_client, "brass") == ["Wall light", "Reading light"]


def test_attribute_text_values_are_searchable_but_not_names_or_numbers(
    api_client: APIClient,
) -> None:
    ProductFactory.create(
        name="Parka", attributes={"colour": "olive", "waterproof": True, "weight_grams": 1200}
    )
    assert found(api_client, "olive parka") == ["Parka"]
    assert found(api_client, "colour") == []
    assert found(api_client, "true") == []
    assert found(api_client, "1200") == []


def test_words_are_stemmed_and_stop_words_ignored(api_client: APIClient) -> None:
    ProductFactory.create(name="Running shoes")
    ProductFactory.create(name="Desk lamp")
    assert found(api_client, "the shoe for runners") == []  # "runners" is not "running"
    assert found(api_client, "shoe run") == ["Running shoes"]
    assert found(api_client, "the") == []  # only stop words: nothing to match


def test_web_search_syntax_phrases_or_and_exclusion(api_client: APIClient) -> None:
    ProductFactory.create(name="Red wool sweater")
    ProductFactory.create(name="Wool red scarf")
    ProductFactory.create(name="Blue cotton shirt")
    assert found(api_client, '"red wool"') == ["Red wool sweater"]
    assert sorted(found(api_client, "sweater or shirt")) == [
        "Blue cotton shirt",
        "Red wool sweater",
    ]
    assert found(api_client, "wool -scarf") == ["Red wool sweater"]


def matching(text: str) -> list[str]:
    """Straight from the selector: what the database holds now, past any cached response."""
    queryset = product_search(queryset=product_list(), text=text)
    return list(queryset.values_list("name", flat=True))


def test_search_finds_products_by_their_category_and_follows_a_rename() -> None:
    category = category_create(name="Stationery")
    product_create(category=category, name="Fountain pen", price=Decimal("20.00"))
    assert matching("stationery") == ["Fountain pen"]
    Category.objects.filter(pk=category.pk).update(name="Writing")  # any write path
    assert matching("stationery") == []
    assert matching("writing") == ["Fountain pen"]


def test_the_vector_follows_every_write_path() -> None:
    product = ProductFactory.create(name="Plain mug")
    Product.objects.filter(pk=product.pk).update(name="Enamel mug")  # no save(), no service
    assert matching("enamel") == ["Enamel mug"]
    Product.objects.filter(pk=product.pk).update(description="Holds tea.")
    assert matching("tea") == ["Enamel mug"]
    Product.objects.filter(pk=product.pk).update(category=CategoryFactory.create(name="Cups"))
    assert matching("cups") == ["Enamel mug"]
    Product.objects.filter(pk=product.pk).update(attributes={"colour": "teal"})
    assert matching("teal") == ["Enamel mug"]
    Product.objects.filter(pk=product.pk).update(search_vector=None)  # a write to the vector
    assert matching("cups") == ["Enamel mug"]
    Product.objects.bulk_create([Product(category=product.category, name="Tin cup", price=1)])
    assert matching("tin") == ["Tin cup"]


def test_markup_in_a_description_is_not_searchable_text(api_client: APIClient) -> None:
    category = CategoryFactory.create()
    product_create(
        category=category,
        name="Notebook",
        price=Decimal("3.00"),
        description='<p><strong>Dotted</strong> pages, <a href="https://example.com">see</a>.</p>',
    )
    assert found(api_client, "dotted") == ["Notebook"]
    assert found(api_client, "strong") == []


def test_inactive_products_are_never_found(api_client: APIClient) -> None:
    ProductFactory.create(name="Hidden kettle", is_active=False)
    assert found(api_client, "kettle") == []


def test_an_explicit_ordering_replaces_the_rank(api_client: APIClient) -> None:
    ProductFactory.create(name="Mug mug mug", price=Decimal("9.00"))
    ProductFactory.create(name="Plain mug", price=Decimal("3.00"))
    assert found(api_client, "mug") == ["Mug mug mug", "Plain mug"]
    assert found(api_client, "mug", ordering="price") == ["Plain mug", "Mug mug mug"]


def test_ties_keep_a_stable_order_across_pages(api_client: APIClient) -> None:
    for number in range(5):
        ProductFactory.create(name=f"Bottle {number}")
    pages = [found(api_client, "bottle", page_size="2", page=str(page)) for page in (1, 2, 3)]
    seen = [name for page in pages for name in page]
    assert sorted(seen) == [f"Bottle {number}" for number in range(5)]
    assert seen == found(api_client, "bottle")


def test_search_combines_with_the_other_filters(api_client: APIClient) -> None:
    books = CategoryFactory.create(slug="books")
    ProductFactory.create(name="Garden book", category=books, price=Decimal("30.00"))
    ProductFactory.create(name="Garden hose", price=Decimal("30.00"))
    ProductFactory.create(name="Cheap garden book", category=books, price=Decimal("5.00"))
    assert found(api_client, "garden", category="books", min_price="10") == ["Garden book"]


# Text that would be a syntax error to to_tsquery, or odd to a tokenizer: websearch_to_tsquery
# reads each as words (or nothing), so each is a 200.
HOSTILE = [
    "'",
    '"',
    '"unclosed phrase',
    "&|!():*",
    "a & | b",
    "!!!",
    "mug:*",
    "(mug",
    "or or or",
    "- -",
    "\\",
    "%_",
    "😀 mug",
    "ﬁ ligature",
    "\u202emug",
    "m" * 200,
    "mug " * 50,
    "'; DROP TABLE catalog_product; --",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_search_text_makes_the_query_fail(api_client: APIClient, text: str) -> None:
    ProductFactory.create(name="Mug")
    response = api_client.get(PRODUCTS, {"search": text})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("m" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("mug\x00", "Null characters are not allowed."),
    ],
)
def test_search_text_out_of_bounds_is_a_400_naming_it(
    api_client: APIClient, text: str, message: str
) -> None:
    response = api_client.get(PRODUCTS, {"search": text})
    assert response.status_code == 400
    assert response.json() == {"search": [message]}


@pytest.mark.parametrize("text", ["-lamp", "the -lamp", "lamp or -tent", "-x0 -x1 -x2"])
def test_a_search_that_only_excludes_is_a_400(api_client: APIClient, text: str) -> None:
    # "Everything but" is no index's question: PostgreSQL would read and rank every product.
    response = api_client.get(PRODUCTS, {"search": text})
    assert response.status_code == 400
    [message] = response.json()["search"]
    assert message.startswith("Give a word to look for: -word only excludes")


def test_a_search_with_a_word_and_an_exclusion_is_answered(api_client: APIClient) -> None:
    ProductFactory.create(name="Desk lamp")
    ProductFactory.create(name="Desk tent lamp")
    assert found(api_client, "lamp -tent") == ["Desk lamp"]


def test_an_empty_search_is_no_search(api_client: APIClient) -> None:
    ProductFactory.create_batch(2)
    assert len(found(api_client, "")) == 2
    assert len(found(api_client, "   ")) == 2


def test_a_search_costs_the_same_queries_however_many_match(
    api_client: APIClient, settings
) -> None:
    settings.CATALOG_CACHE_SECONDS = 0  # every request reaches the database

    def queries(count: int) -> int:
        ProductFactory.create_batch(count, name="Candle")
        with CaptureQueriesContext(connection) as captured:
            found(api_client, "candle", page_size="100")
        return len(captured)

    assert queries(2) == queries(20) == 2  # the count and the page, categories joined


def test_the_schema_documents_search_and_attributes(api_client: APIClient) -> None:
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/products/"]["get"]["parameters"]
    }
    assert parameters["search"]["schema"]["maxLength"] == 200
    assert "websearch" not in parameters["search"]["description"]  # the client's terms, not ours
    assert "colour:red" in parameters["attributes"]["description"]

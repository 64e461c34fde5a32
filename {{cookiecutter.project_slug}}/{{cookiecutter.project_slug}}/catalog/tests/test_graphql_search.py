"""Full-text search, attribute filters and stable pages over GraphQL: REST's rules and answers."""

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.support.graphql_client import codes, gql, messages

from ..attributes import ATTRIBUTES
from ..graphql import ProductAttributes
from ..graphql_filters import ProductAttributesInput
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = """
query ($filters: ProductFilter, $ordering: [ProductOrder!]) {
  products(filters: $filters, ordering: $ordering) {
    name
    attributes { colour size material capacityMl weightGrams waterproof }
  }
}"""


def products(client: APIClient, **filters: Any) -> dict[str, Any]:
    return gql(client, PRODUCTS, filters=filters)


def names(client: APIClient, **filters: Any) -> list[str]:
    body = products(client, **filters)
    assert "errors" not in body, body
    return [row["name"] for row in body["data"]["products"]]


@pytest.mark.usefixtures("require_postgresql")
def test_search_ranks_as_rest_does(api_client: APIClient) -> None:
    lamps = CategoryFactory.create(name="Lamps")
    ProductFactory.create(name="Reading light", description="A lamp for reading.")
    ProductFactory.create(name="Floor light", category=lamps)
    ProductFactory.create(name="Desk lamp")
    rest = api_client.get(reverse("api-v1:catalog:product-list"), {"search": "lamp"}).json()
    assert names(api_client, search="lamp") == [row["name"] for row in rest["results"]]
    assert names(api_client, search="lamp") == ["Desk lamp", "Floor light", "Reading light"]


@pytest.mark.usefixtures("require_postgresql")
def test_search_combines_with_other_filters_and_an_ordering(api_client: APIClient) -> None:
    ProductFactory.create(name="Mug mug", stock=0)
    ProductFactory.create(name="Plain mug")
    ProductFactory.create(name="Lamp")
    assert names(api_client, search="mug", inStock=True) == ["Plain mug"]
    body = gql(api_client, PRODUCTS, filters={"search": "mug"}, ordering=[{"name": "DESC"}])
    assert [row["name"] for row in body["data"]["products"]] == ["Plain mug", "Mug mug"]


@pytest.mark.usefixtures("require_postgresql")
@pytest.mark.parametrize("text", ["'", '"', "&|!():*", "mug:*", "(", "\\", "😀"])
def test_no_search_text_makes_the_query_fail(api_client: APIClient, text: str) -> None:
    ProductFactory.create(name="Mug")
    assert "errors" not in products(api_client, search=text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("m" * 201, "filters.search: Ensure this value has at most 200 characters (it has 201)."),
        ("mug\x00", "filters.search: Null characters are not allowed."),
    ],
)
def test_search_text_out_of_bounds_is_refused_naming_the_argument(
    api_client: APIClient, text: str, message: str
) -> None:
    body = products(api_client, search=text)
    assert body["data"] is None
    assert messages(body) == message
    assert codes(body) == ["invalid"]


def test_attributes_filter_by_containment_and_are_shown_typed(api_client: APIClient) -> None:
    ProductFactory.create(name="Red jacket", attributes={"colour": "red", "waterproof": True})
    ProductFactory.create(name="Red shirt", attributes={"colour": "red", "size": "M"})
    ProductFactory.create(name="Bottle", attributes={"capacity_ml": 750})
    both = {"colour": "red", "waterproof": True}
    assert names(api_client, attributes=both) == ["Red jacket"]
    assert sorted(names(api_client, attributes={"colour": "red"})) == ["Red jacket", "Red shirt"]
    body = products(api_client, attributes={"capacityMl": 750})
    assert body["data"]["products"] == [
        {
            "name": "Bottle",
            "attributes": {
                "colour": None,
                "size": None,
                "material": None,
                "capacityMl": 750,
                "weightGrams": None,
                "waterproof": None,
            },
        }
    ]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"colour": "<b>"}, "filters.attributes.colour: Attribute 'colour' must be 1 to 50"),
        ({"weightGrams": -1}, "filters.attributes.weightGrams: Attribute 'weight_grams' must be"),
        ({"size": "x" * 51}, "filters.attributes.size: Attribute 'size' must be 1 to 50"),
    ],
)
def test_a_bad_attribute_value_is_refused_naming_the_argument(
    api_client: APIClient, attributes: dict[str, Any], message: str
) -> None:
    body = products(api_client, attributes=attributes)
    assert body["data"] is None
    assert messages(body).startswith(message)
    assert codes(body) == ["invalid"]


@pytest.mark.parametrize("graphql_type", [ProductAttributesInput, ProductAttributes])
def test_the_attribute_types_have_a_field_for_each_declared_attribute(graphql_type: Any) -> None:
    fields = graphql_type.__strawberry_definition__.fields
    assert [(field.python_name, field.type) for field in fields] == [
        (name, kind | None) for name, kind in ATTRIBUTES.items()
    ]


@pytest.mark.usefixtures("require_postgresql")
def test_search_and_attributes_combine_with_or_and_not(api_client: APIClient) -> None:
    # Conditions, not a narrowed list: OR unites, NOT excludes (it once ANDed them all).
    ProductFactory.create(name="Desk lamp")
    ProductFactory.create(name="Red lantern", attributes={"colour": "red"})
    ProductFactory.create(name="Blue lantern", attributes={"colour": "blue"})
    lamp = {"name": {"exact": "Desk lamp"}}
    assert sorted(names(api_client, **lamp, OR={"search": "lantern"})) == [
        "Blue lantern",
        "Desk lamp",
        "Red lantern",
    ]
    assert sorted(names(api_client, **lamp, OR={"attributes": {"colour": "red"}})) == [
        "Desk lamp",
        "Red lantern",
    ]
    assert sorted(names(api_client, NOT={"attributes": {"colour": "red"}})) == [
        "Blue lantern",
        "Desk lamp",
    ]
    assert names(api_client, NOT={"search": "lantern"}) == ["Desk lamp"]


def test_attribute_text_is_stripped_as_rest_strips_it(api_client: APIClient) -> None:
    ProductFactory.create(name="Red jacket", attributes={"colour": "red"})
    assert names(api_client, attributes={"colour": " red "}) == ["Red jacket"]


def test_pages_ordered_by_a_shared_value_never_repeat_or_skip(api_client: APIClient) -> None:
    # As in REST: the primary key is the last sort key, so rows that tie keep their places.
    ProductFactory.create_batch(12, name="Same name")
    query = """
    query ($offset: Int!) {
      products(ordering: [{name: ASC}], pagination: {offset: $offset, limit: 3}) { id }
    }"""
    seen = [
        int(row["id"])
        for offset in (0, 3, 6, 9)
        for row in gql(api_client, query, offset=offset)["data"]["products"]
    ]
    assert seen == sorted(seen)
    assert len(set(seen)) == 12

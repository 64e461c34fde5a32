"""Product attributes as a JSONB document: checked on write, filtered by containment over REST."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from rest_framework.test import APIClient

from ..attributes import attributes_clean, attributes_parse
from ..models import Product
from ..services import product_create
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("api-v1:catalog:product-list")


def create(attributes: object) -> Product:
    return product_create(
        category=CategoryFactory.create(),
        name="Jacket",
        price=Decimal("80.00"),
        attributes=attributes,  # type: ignore[arg-type]  # the bad shapes are the point
    )


def test_a_product_keeps_typed_attributes() -> None:
    document = {"colour": "navy", "size": "M", "weight_grams": 900, "waterproof": True}
    product = create(document)
    product.refresh_from_db()
    assert product.attributes == document


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"flavour": "mint"}, "Unknown attribute 'flavour'; allowed: capacity_ml, colour, "),
        ({"weight_grams": "900"}, "Attribute 'weight_grams' must be a whole number."),
        ({"weight_grams": True}, "Attribute 'weight_grams' must be a whole number."),
        ({"weight_grams": 1.5}, "Attribute 'weight_grams' must be a whole number."),
        ({"weight_grams": -1}, "Attribute 'weight_grams' must be from 0 to 10000000."),
        ({"waterproof": 1}, "Attribute 'waterproof' must be true or false."),
        ({"colour": ["red"]}, "Attribute 'colour' must be text."),
        ({"colour": None}, "Attribute 'colour' must be text."),
        ({"colour": ""}, "Attribute 'colour' must be 1 to 50 letters"),
        ({"colour": "r" * 51}, "Attribute 'colour' must be 1 to 50 letters"),
        ({"colour": "red\x00"}, "Attribute 'colour' must be 1 to 50 letters"),
        ({"colour": "<b>red</b>"}, "Attribute 'colour' must be 1 to 50 letters"),
        ({"colour": "red,blue"}, "Attribute 'colour' must be 1 to 50 letters"),
        ({"colour": " red"}, "Attribute 'colour' must be 1 to 50 letters"),
        ([["colour", "red"]], "Attributes must be an object of names and values."),
        ("colour", "Attributes must be an object of names and values."),
    ],
)
def test_a_bad_document_is_refused_on_write_and_nothing_is_saved(
    attributes: object, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        create(attributes)
    assert message in " ".join(error.value.messages)
    assert not Product.objects.exists()


def test_text_values_accept_words_in_any_script() -> None:
    assert attributes_clean({"colour": "bleu marine", "material": "algodón 100%"[:-5]}) == {
        "colour": "bleu marine",
        "material": "algodón",
    }


@pytest.mark.usefixtures("require_postgresql")
def test_the_database_refuses_a_document_that_is_not_an_object() -> None:
    product = ProductFactory.create()
    with pytest.raises(IntegrityError):
        Product.objects.filter(pk=product.pk).update(attributes=["red"])


def names(client: APIClient, attributes: str) -> list[str]:
    response = client.get(PRODUCTS, {"attributes": attributes, "ordering": "name"})
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_the_list_filters_by_containment_with_typed_values(api_client: APIClient) -> None:
    ProductFactory.create(name="Red jacket", attributes={"colour": "red", "waterproof": True})
    ProductFactory.create(name="Red shirt", attributes={"colour": "red", "size": "M"})
    ProductFactory.create(name="Big bottle", attributes={"capacity_ml": 1000})
    ProductFactory.create(name="Plain")
    assert names(api_client, "colour:red") == ["Red jacket", "Red shirt"]
    assert names(api_client, "colour:red,waterproof:true") == ["Red jacket"]
    assert names(api_client, " colour : red , size:M ") == ["Red shirt"]
    assert names(api_client, "capacity_ml:1000") == ["Big bottle"]
    assert names(api_client, "colour:Red") == []  # values match exactly


def test_the_list_shows_each_product_s_attributes(api_client: APIClient) -> None:
    ProductFactory.create(attributes={"material": "oak", "weight_grams": 4000})
    ProductFactory.create()
    rows = api_client.get(PRODUCTS, {"ordering": "created_at"}).json()["results"]
    assert [row["attributes"] for row in rows] == [{"material": "oak", "weight_grams": 4000}, {}]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ("colour", "Write attributes as name:value pairs separated by commas."),
        ("colour:red,", "Write attributes as name:value pairs separated by commas."),
        (":red", "Write attributes as name:value pairs separated by commas."),
        ("flavour:mint", "Unknown attribute 'flavour'; allowed: capacity_ml, colour, material, "),
        ("colour:red,colour:blue", "Attribute 'colour' is given twice."),
        ("capacity_ml:big", "Attribute 'capacity_ml' must be a whole number."),
        ("capacity_ml:-5", "Attribute 'capacity_ml' must be a whole number."),
        ("capacity_ml:99999999999999999999", "Attribute 'capacity_ml' must be a whole number."),
        ("waterproof:yes", "Attribute 'waterproof' must be true or false."),
        ("colour:", "Attribute 'colour' must be 1 to 50 letters"),
        ("colour:<script>", "Attribute 'colour' must be 1 to 50 letters"),
        ("x" * 300 + ":1", "Unknown attribute '" + "x" * 50 + "'; allowed: "),
    ],
)
def test_a_bad_attribute_filter_is_a_400_naming_the_problem(
    api_client: APIClient, attributes: str, message: str
) -> None:
    response = api_client.get(PRODUCTS, {"attributes": attributes})
    assert response.status_code == 400
    [detail] = response.json()["attributes"]
    assert detail.startswith(message)
    assert "\n" not in detail


def test_an_empty_attribute_filter_is_no_filter(api_client: APIClient) -> None:
    ProductFactory.create_batch(2)
    assert len(names(api_client, "")) == 2


def test_parse_reads_each_value_as_its_attribute_s_type() -> None:
    assert attributes_parse("weight_grams:500,waterproof:false,size:500") == {
        "weight_grams": 500,
        "waterproof": False,
        "size": "500",
    }

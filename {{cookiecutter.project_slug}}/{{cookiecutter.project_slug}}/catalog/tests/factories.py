"""Factories for categories and products (factory-boy), with valid defaults."""

from decimal import Decimal

import factory

from ..models import Category, Product


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    class Meta:
        model = Category


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A product made for tests."
    price = Decimal("10.00")
    stock = 10

    class Meta:
        model = Product

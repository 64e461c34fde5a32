"""`manage.py seed_catalog`: a small demo catalogue to try the API with."""

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ...models import Category, Product
from ...services import category_create, product_create

CATALOGUE: dict[str, list[tuple[str, str]]] = {
    "Books": [
        ("Two Scoops of Django", "49.99"),
        ("Designing Data-Intensive Applications", "45.00"),
    ],
    "Electronics": [("Mechanical Keyboard", "89.90"), ("USB-C Hub", "34.50")],
    "Home": [("Pour-over Coffee Set", "39.00"), ("Desk Lamp", "27.25")],
    "Outdoors": [("Trail Backpack", "74.00"), ("Water Bottle", "15.00")],
}


class Command(BaseCommand):
    help = "Load a small demo catalogue. Safe to run twice: existing slugs are left alone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--copies", type=int, default=3, help="variants of each product (default 3)"
        )

    @transaction.atomic
    def handle(self, *args: Any, copies: int, **options: Any) -> None:
        if copies < 1:
            raise CommandError("--copies must be at least 1")
        created = 0
        for category_name, products in CATALOGUE.items():
            category = Category.objects.filter(name=category_name, parent=None).first()
            if category is None:
                category = category_create(name=category_name)
            for name, price in products:
                for copy in range(1, copies + 1):
                    variant = name if copy == 1 else f"{name} ({copy})"
                    if Product.objects.filter(name=variant, category=category).exists():
                        continue
                    product_create(
                        category=category,
                        name=variant,
                        price=Decimal(price),
                        stock=10 * copy,
                        description=f"Demo product from the {category_name} shelf.",
                    )
                    created += 1
        self.stdout.write(self.style.SUCCESS(f"Catalogue seeded: {created} new products."))

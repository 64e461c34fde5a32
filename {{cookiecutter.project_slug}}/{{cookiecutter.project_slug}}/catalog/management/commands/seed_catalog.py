"""`manage.py seed_catalog`: a small demo catalogue, or a large generated one to measure with.

`seed_catalog` loads 24 demo products through the services. `seed_catalog --products 50000` adds
that many generated products (names, descriptions, categories and attributes drawn from a fixed
seed, so every run makes the same catalogue), written in batches with bulk_create: through the
services one by one, 50,000 products would take minutes. Each generated product's attributes
still pass attributes.py's checks, the database still computes each search vector (triggers),
and the catalogue's cache is invalidated once at the end.
"""

import random
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import slugify

from ...attributes import Attributes, attributes_clean
from ...caching import invalidate_categories, invalidate_products
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

# The generated catalogue: shelves (top-level categories) of kinds of product, each kind with the
# attributes that make sense for it. About 200 distinct words, so a search for one word matches a
# few per cent of the catalogue, and two attributes together well under one per cent.
SHELVES: dict[str, dict[str, tuple[str, ...]]] = {
    "Clothing": {
        "jacket": ("colour", "size", "material", "waterproof"),
        "shirt": ("colour", "size", "material"),
        "sweater": ("colour", "size", "material"),
        "hat": ("colour", "size", "material", "waterproof"),
    },
    "Kitchen": {
        "kettle": ("colour", "material", "capacity_ml"),
        "mug": ("colour", "material", "capacity_ml"),
        "pan": ("material", "weight_grams"),
        "knife": ("material", "weight_grams"),
    },
    "Outdoor gear": {
        "backpack": ("colour", "material", "capacity_ml", "waterproof"),
        "tent": ("colour", "weight_grams", "waterproof"),
        "bottle": ("colour", "material", "capacity_ml"),
        "lantern": ("colour", "weight_grams", "waterproof"),
    },
    "Office": {
        "lamp": ("colour", "material", "weight_grams"),
        "notebook": ("colour", "size"),
        "chair": ("colour", "material", "weight_grams"),
        "keyboard": ("colour", "weight_grams"),
    },
}
ADJECTIVES = (
    "classic", "compact", "rugged", "light", "heavy-duty", "vintage", "modern", "foldable",
    "insulated", "premium", "everyday", "travel", "ergonomic", "handmade", "slim", "sturdy",
)  # fmt: skip
COLOURS = (
    "black", "white", "red", "blue", "green", "grey", "navy", "olive", "yellow", "orange",
    "brown", "pink",
)  # fmt: skip
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
MATERIALS = (
    "cotton", "wool", "linen", "nylon", "polyester", "leather", "steel", "aluminium", "ceramic",
    "glass", "bamboo", "oak",
)  # fmt: skip
SENTENCES = (
    "Made to last through daily use.",
    "Easy to clean and quick to dry.",
    "Designed by a small team in {city}.",
    "A favourite of {who} since the first batch.",
    "Pairs well with the rest of the {shelf} range.",
    "Tested for a year before it reached the shop.",
    "Packed in recycled cardboard, with no plastic.",
    "Backed by a two-year guarantee.",
)
CITIES = ("Lisbon", "Oslo", "Kyoto", "Nairobi", "Quito", "Lyon", "Tallinn", "Hobart")
WHO = ("hikers", "cooks", "students", "commuters", "campers", "writers", "travellers")
BATCH = 2_000


class Command(BaseCommand):
    help = "Load a small demo catalogue, or with --products N that many generated products."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--copies", type=int, default=3, help="variants of each demo product (default 3)"
        )
        parser.add_argument(
            "--products",
            type=int,
            default=0,
            help="generate this many products with attributes instead (e.g. 50000)",
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="random seed of the generated catalogue"
        )

    def handle(self, *args: Any, copies: int, products: int, seed: int, **options: Any) -> None:
        if copies < 1:
            raise CommandError("--copies must be at least 1")
        if not 0 <= products <= 1_000_000:
            raise CommandError("--products must be from 0 to 1000000")
        if products:
            # Sample data, not secrets: a seeded generator makes the same catalogue every run.
            rng = random.Random(seed)  # noqa: S311  # nosec B311
            created = self.generate(count=products, rng=rng)
        else:
            created = self.demo(copies=copies)
        self.stdout.write(self.style.SUCCESS(f"Catalogue seeded: {created} new products."))

    @transaction.atomic
    def demo(self, *, copies: int) -> int:
        """The demo products, through the services. Safe to run twice: existing ones are left.

        Each is found by its slug, the identity the database holds unique: a demo product or
        category renamed since (in the admin) is still the same one, not a clash.
        """
        created = 0
        for category_name, items in CATALOGUE.items():
            category = Category.objects.filter(slug=slugify(category_name)).first()
            if category is None:
                category = category_create(name=category_name)
            for name, price in items:
                for copy in range(1, copies + 1):
                    variant = name if copy == 1 else f"{name} ({copy})"
                    if Product.objects.filter(slug=slugify(variant)).exists():
                        continue
                    product_create(
                        category=category,
                        name=variant,
                        price=Decimal(price),
                        stock=10 * copy,
                        description=f"Demo product from the {category_name} shelf.",
                    )
                    created += 1
        return created

    @transaction.atomic
    def generate(self, *, count: int, rng: random.Random) -> int:
        """`count` generated products over the shelves' subcategories, in batches.

        Slugs carry a run-unique suffix, so running it again adds `count` more.
        """
        kinds: list[tuple[Category, str, str, tuple[str, ...]]] = []
        for shelf, shelf_kinds in SHELVES.items():
            parent = Category.objects.filter(slug=slugify(shelf)).first()
            if parent is None:
                parent = category_create(name=shelf)
            for kind, attribute_names in shelf_kinds.items():
                name = f"{kind.title()}s"
                slug = f"{parent.slug}-{kind}s"
                category = Category.objects.filter(slug=slug).first()
                if category is None:
                    category = category_create(name=name, parent=parent, slug=slug)
                kinds.append((category, shelf, kind, attribute_names))
        first = Product.objects.count()
        last = Product.objects.aggregate(last=Max("pk", default=0))["last"]
        now = timezone.now()
        batch: list[Product] = []
        for index in range(first, first + count):
            category, shelf, kind, attribute_names = rng.choice(kinds)
            attributes = generated_attributes(attribute_names, rng)
            name = " ".join(
                [rng.choice(ADJECTIVES).capitalize(), str(attributes.get("material", "")), kind]
            ).replace("  ", " ")
            description = " ".join(
                rng.choice(SENTENCES).format(
                    city=rng.choice(CITIES), who=rng.choice(WHO), shelf=shelf.lower()
                )
                for _ in range(3)
            )
            batch.append(
                Product(
                    category=category,
                    name=name,
                    slug=f"{kind}-{index}-{rng.getrandbits(32):08x}",
                    description=f"<p>{description}</p>",
                    price=Decimal(rng.randrange(199, 49_999)) / 100,
                    stock=rng.choice((0, rng.randrange(1, 500))),
                    attributes=attributes_clean(attributes),
                )
            )
            if len(batch) == BATCH:
                Product.objects.bulk_create(batch)
                batch.clear()
        Product.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            # created_at is set to now on every insert: spread it over the past year instead, so
            # "newest first" orders a realistic catalogue (a fixed scramble of the id: repeatable).
            Product.objects.filter(pk__gt=last).update(
                created_at=RawSQL("%s - ((id * 7919) %% 525600) * interval '1 minute'", (now,))
            )
        invalidate_categories()
        invalidate_products([])
        return count


def generated_attributes(names: tuple[str, ...], rng: random.Random) -> Attributes:
    values: dict[str, Any] = {
        "colour": rng.choice(COLOURS),
        "size": rng.choice(SIZES),
        "material": rng.choice(MATERIALS),
        "capacity_ml": rng.choice((250, 330, 500, 750, 1000, 1500, 20_000, 35_000)),
        "weight_grams": rng.randrange(50, 5_000, 50),
        "waterproof": rng.random() < 0.4,
    }
    return {name: values[name] for name in names}

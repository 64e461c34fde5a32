"""What the catalogue caches, and which writes invalidate what (see core/cache.py).

| cached                  | depends on (namespaces)                 | invalidated by                 |
|-------------------------|-----------------------------------------|--------------------------------|
| product list, per query | products, categories                    | any product or category write  |
| product detail          | that product, categories                | a write to that product,       |
|                         |                                         | any category write             |
| category list, per query| categories                              | any category write             |
| category tree           | categories                              | any category write             |

Stock is part of a product, so placing or cancelling an order invalidates its products.
Invalidation runs after the transaction commits: a reader in between could otherwise re-cache
the old rows under the new version.
"""

from collections.abc import Iterable

from django.db import transaction

from {{ cookiecutter.project_slug }}.core.cache import invalidate

PRODUCTS = "catalog:products"
CATEGORIES = "catalog:categories"


def product_namespace(pk: int) -> str:
    return f"catalog:product:{pk}"


def invalidate_products(product_ids: Iterable[int]) -> None:
    namespaces = [PRODUCTS, *(product_namespace(pk) for pk in product_ids)]
    transaction.on_commit(lambda: invalidate(*namespaces))


def invalidate_categories() -> None:
    transaction.on_commit(lambda: invalidate(CATEGORIES))

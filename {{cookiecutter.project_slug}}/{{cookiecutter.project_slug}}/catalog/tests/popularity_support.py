"""Helpers the popularity tests share: the raw Redis client, key names, views at a given time."""

from datetime import UTC, datetime
from typing import Any

from django.core.cache import caches
from django.urls import reverse

from {{ cookiecutter.project_slug }}.users.models import User

from .. import popularity, selectors
from ..models import Product

POPULAR = reverse("api-v1:catalog:product-popular")
RECENT = reverse("api-v1:catalog:product-recently-viewed")
NOW = datetime(2030, 1, 15, 12, 30, tzinfo=UTC)


def detail(product: Product) -> str:
    return reverse("api-v1:catalog:product-detail", args=[product.pk])


def redis() -> Any:
    """The raw client the package writes through, to look at what it wrote."""
    return caches["default"].client.get_client(write=True)  # type: ignore[attr-defined]


def key(name: str) -> str:
    return caches["default"].make_key(name)


def view(
    product: Product, times: int = 1, *, user: User | None = None, now: datetime = NOW
) -> None:
    for _ in range(times):
        popularity.product_view_record(
            product_id=product.pk, user_id=user.pk if user else None, now=now
        )


def ranked(*, limit: int = 10, now: datetime = NOW) -> list[str]:
    return [p.name for p in selectors.product_popular_list(limit=limit, now=now)]

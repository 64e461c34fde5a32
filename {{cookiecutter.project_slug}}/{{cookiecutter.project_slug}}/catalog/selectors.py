"""Reads from the catalogue. Each selector owns the joins its callers need, so lists stay N+1-free."""

from datetime import datetime
from typing import TypedDict

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from {{ cookiecutter.project_slug }}.users.models import User

from . import popularity, search
from .attributes import Attributes
from .models import Category, Order, Product


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent")


class CategoryNode(TypedDict):
    id: int
    name: str
    slug: str
    children: list["CategoryNode"]


def category_tree() -> list[CategoryNode]:
    """Every category nested under its parent, by name, built from one query.

    Fetching each level separately would cost one query per level (or per category); one flat
    read assembled in Python costs one, however deep the tree.
    """
    nodes: dict[int, CategoryNode] = {}
    parents: dict[int, int | None] = {}
    rows = Category.objects.order_by("name", "pk").values_list("pk", "name", "slug", "parent_id")
    for pk, name, slug, parent_pk in rows:
        nodes[pk] = {"id": pk, "name": name, "slug": slug, "children": []}
        parents[pk] = parent_pk
    roots: list[CategoryNode] = []
    for pk, node in nodes.items():  # in name order, so every children list is sorted too
        parent = parents[pk]
        (nodes[parent]["children"] if parent is not None else roots).append(node)
    return roots


def product_list(*, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products a customer may see, with their category in the same query.

    Given `queryset` (a caller's own, already optimised for the fields it asks for), only narrows it.
    """
    if queryset is not None:
        return queryset.filter(is_active=True)
    return Product.objects.filter(is_active=True).select_related("category")


def product_search(*, queryset: QuerySet[Product], text: str) -> QuerySet[Product]:
    """`queryset` narrowed to products matching `text`, best match first (search.py).

    `text` is read as a web search box reads it (PostgreSQL's websearch_to_tsquery): words,
    "quoted phrases", `or`, and `-word` to exclude; it never raises on any input. Matching uses
    the stored vector and its GIN index; ties are broken newest first, so pages are stable.
    """
    matching = queryset.filter(search.search_condition(text=text, using=queryset.db))
    return search.ranked(matching, text=text)


def product_with_attributes(
    *, queryset: QuerySet[Product], attributes: Attributes
) -> QuerySet[Product]:
    """`queryset` narrowed to products whose attributes include all of `attributes` (search.py)."""
    return queryset.filter(search.attributes_condition(attributes=attributes, using=queryset.db))


def product_popular_list(
    *,
    limit: int,
    now: datetime | None = None,
    queryset: QuerySet[Product] | None = None,
) -> QuerySet[Product]:
    """The `limit` (1..popularity.MAX_LIMIT) most viewed and ordered products, most popular first.

    Over the last POPULAR_WINDOW_HOURS hours before `now` (default: the current time). One Redis
    round trip, then one query when evaluated (none when nothing ranks, or Redis is down: then it
    is empty). Products hidden or deleted since they ranked are skipped; twice `limit` ids are
    read, so a few of those still leave a full page. `queryset` as in product_list.
    """
    count = min(2 * limit, popularity.SNAPSHOT_SIZE)
    ids = [pk for pk, _score in popularity.popular_ranking(count=count, now=now)]
    return _in_order(product_list(queryset=queryset), ids, limit=limit)


def product_recently_viewed_list(
    *, user: User, queryset: QuerySet[Product] | None = None
) -> QuerySet[Product]:
    """Products `user` viewed, latest first, each once, at most RECENTLY_VIEWED_MAX.

    One Redis round trip, then one query when evaluated (none when the list is empty, or Redis
    is down). Products hidden or deleted since are skipped. `queryset` as in product_list.
    """
    ids = popularity.recently_viewed_ids(user_id=user.pk)
    return _in_order(product_list(queryset=queryset), ids)


def _in_order(
    products: QuerySet[Product], ids: list[int], *, limit: int | None = None
) -> QuerySet[Product]:
    """`products` with a primary key in `ids`, in the order of `ids`; the first `limit` of them.

    One query, sorted in SQL. The limit is applied in a subquery, so the result is not sliced
    and a caller can still narrow it or add the joins it needs.
    """
    if not ids:
        return products.none()
    rank = Case(
        *(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField()
    )
    if limit is not None:
        first = product_list().filter(pk__in=ids).order_by(rank).values("pk")[:limit]
        return products.filter(pk__in=first).order_by(rank)
    return products.filter(pk__in=ids).order_by(rank)


def order_list(*, user: User, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """The user's own orders, with items and products fetched in two more queries in total.

    Given `queryset` (a caller's own, already optimised for the fields it asks for), only narrows it.
    """
    if queryset is not None:
        return queryset.filter(user=user)
    return Order.objects.filter(user=user).prefetch_related("items__product")


def order_confirmation_due_list(
    *, placed_from: datetime, placed_before: datetime, queued_before: datetime
) -> QuerySet[Order]:
    """Orders whose confirmation is still to be sent and is not in flight, oldest first.

    Placed in [placed_from, placed_before), neither confirmed nor cancelled, and never handed off
    or last handed off before `queued_before`. The scan reads the partial index of unconfirmed
    orders (order_unconfirmed_created_idx), which holds only the few still waiting.
    """
    return (
        Order.objects.filter(
            confirmation_sent_at__isnull=True,
            created_at__gte=placed_from,
            created_at__lt=placed_before,
        )
        .filter(
            Q(confirmation_queued_at__isnull=True) | Q(confirmation_queued_at__lt=queued_before)
        )
        .exclude(status=Order.Status.CANCELLED)
        .order_by("created_at")
    )

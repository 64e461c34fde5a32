"""What a search or an attribute filter asks of the database, as conditions any query can combine.

Each function returns a `Q` (a condition) rather than a filtered queryset, so a caller can AND,
OR or negate it (a filter language's OR and NOT do), and the selectors apply it to their own
lists. PostgreSQL answers with its indexes (the stored search vector, JSONB
containment); another database, SQLite on a first run with no services, with plainer lookups.
"""

from typing import Final

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, Q, QuerySet

from .attributes import Attributes
from .models import Product

# The text search configuration of the stored vectors (migration 0005): a query must use the same
# one, or its words are stemmed differently from the document's and match nothing.
SEARCH_CONFIG: Final = "english"
MAX_SEARCH_LENGTH: Final = 200
MAX_PLAIN_WORDS: Final = 10


def _on_postgresql(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def web_search_query(text: str) -> SearchQuery:
    """`text` as a web search box reads it: words, "a phrase", `or`, `-word` (never raises)."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def search_condition(*, text: str, using: str, prefix: str = "") -> Q:
    """Products matching `text`: the stored vector (GIN index product_search_idx) on PostgreSQL.

    Elsewhere each word, at most ten, in the name, the category or the description; `-word`
    excludes, quotes and `or` are ignored (no ranking, no stemming). `prefix` reaches products
    through a relation (`"products__"`).
    """
    if _on_postgresql(using):
        return Q(**{f"{prefix}search_vector": web_search_query(text)})
    condition = Q()
    for word in text.replace('"', " ").split()[:MAX_PLAIN_WORDS]:
        excluded = word.startswith("-")
        word = word.lstrip("-")
        if not word or word.lower() == "or":
            continue
        found = (
            Q(**{f"{prefix}name__icontains": word})
            | Q(**{f"{prefix}category__name__icontains": word})
            | Q(**{f"{prefix}description__icontains": word})
        )
        condition &= ~found if excluded else found
    return condition


def ranked(queryset: QuerySet[Product], *, text: str) -> QuerySet[Product]:
    """`queryset` ordered best match for `text` first (`search_rank`), ties newest first.

    Without PostgreSQL, unchanged (newest first by the model's ordering).
    """
    if not _on_postgresql(queryset.db):
        return queryset
    rank = SearchRank(F("search_vector"), web_search_query(text))
    return queryset.annotate(search_rank=rank).order_by("-search_rank", "-created_at", "-id")


def search_is_selective(*, text: str, using: str) -> bool:
    """False when `text` only excludes (`-lamp`, `the -lamp`, `lamp or -tent`).

    No index can find "everything but": PostgreSQL would read and rank every product, about a
    quarter of a second on 50,000 (querytree() says which queries an index can serve, 'T' for
    none). Only text with a `-` can be such a query, so only that costs the one-row check.
    """
    if "-" not in text or not _on_postgresql(using):
        return True
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT querytree(websearch_to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, text]
        )
        row = cursor.fetchone()
    return row is None or row[0] != "T"


def attributes_condition(*, attributes: Attributes, using: str, prefix: str = "") -> Q:
    """Products whose attributes include all of `attributes`: JSONB `@>` on PostgreSQL.

    Containment is what the GIN index product_attributes_idx answers; values must be of their
    declared types (attributes.py), as `{"capacity_ml": "500"}` never equals a stored 500.
    SQLite has no containment: one key lookup per attribute (names come from ATTRIBUTES).
    """
    if _on_postgresql(using):
        return Q(**{f"{prefix}attributes__contains": attributes})
    return Q(**{f"{prefix}attributes__{name}": value for name, value in attributes.items()})

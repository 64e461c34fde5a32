"""On a catalogue of 50,000 products, the API's queries read their indexes (EXPLAIN says so).

A query that works on twenty test rows may scan the whole table on a real catalogue: these tests
seed one (`seed_catalog --products 50000`, once per module), let PostgreSQL gather statistics,
and read the plan PostgreSQL chooses for the very SQL the REST endpoint runs. Each check is also
run with its index dropped (inside the test's transaction, so it comes back), to prove the check
can fail.
"""

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ..models import Category, Product

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PRODUCTS = reverse("api-v1:catalog:product-list")
LARGE = 50_000


@pytest.fixture(scope="module")
def large_catalogue(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans (set DATABASE_URL)")
    with django_db_blocker.unblock():
        call_command("seed_catalog", products=LARGE, stdout=StringIO())
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Product._meta.db_table}")
        yield
        Product.objects.all().delete()
        Category.objects.filter(parent__isnull=False).delete()
        Category.objects.all().delete()


def scans(plan: dict[str, Any]) -> set[str]:
    """Every index a plan reads, and "Seq Scan on <table>" for every table it reads whole."""
    found = {plan["Index Name"]} if "Index Name" in plan else set()
    if plan["Node Type"] == "Seq Scan":
        found.add(f"Seq Scan on {plan['Relation Name']}")
    for child in plan.get("Plans", []):
        found |= scans(child)
    return found


def page_query(client: APIClient, query: dict[str, str]) -> str:
    """The SQL of the page (not the count) that GET /api/v1/products/ runs for `query`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PRODUCTS, query)
    assert response.status_code == 200, response.content
    [sql] = [
        run["sql"]
        for run in captured.captured_queries
        if "LIMIT" in run["sql"] and Product._meta.db_table in run["sql"]
    ]
    return sql


def scans_of(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        [[document]] = cursor.fetchall()
    plan = document if isinstance(document, list) else json.loads(document)
    return scans(plan[0]["Plan"])


# (what the client asks, the index its page must read). The attribute filters are selective, as a
# shopper's are (three facts: under 0.1% of the catalogue): on those, the GIN index wins.
QUERIES = {
    "the newest products": ({}, "product_active_recent_idx"),
    "a full-text search": ({"search": "insulated lantern"}, "product_search_idx"),
    "a search with a phrase": ({"search": '"rugged oak" -chair'}, "product_search_idx"),
    "a search by attribute values": ({"search": "red wool sweater"}, "product_search_idx"),
    "three attributes": (
        {"attributes": "colour:red,material:wool,size:M"},
        "product_attributes_idx",
    ),
    "a boolean, a number and a text": (
        {"attributes": "waterproof:true,capacity_ml:20000,colour:blue"},
        "product_attributes_idx",
    ),
    # One common value (1 product in 12): PostgreSQL rightly walks the newest-first index and
    # stops at a page, rather than collect thousands of matches to sort.
    "one common attribute": ({"attributes": "colour:red"}, "product_active_recent_idx"),
}


@pytest.mark.parametrize("case", QUERIES)
def test_each_list_query_reads_its_index(
    large_catalogue: None, api_client: APIClient, settings: Any, case: str
) -> None:
    settings.CATALOG_CACHE_SECONDS = 0  # the query itself, not a cached answer
    query, index = QUERIES[case]
    read = scans_of(page_query(api_client, query))
    assert index in read
    assert f"Seq Scan on {Product._meta.db_table}" not in read


@pytest.mark.parametrize("case", QUERIES)
def test_the_check_fails_when_the_index_is_dropped(
    large_catalogue: None, api_client: APIClient, settings: Any, case: str
) -> None:
    settings.CATALOG_CACHE_SECONDS = 0
    query, index = QUERIES[case]
    sql = page_query(api_client, query)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {index}")  # rolled back with the test's transaction
    assert index not in scans_of(sql)


def test_each_query_matches_a_realistic_share_of_the_catalogue(large_catalogue: None) -> None:
    # The plans above are for queries that match some products, not none and not most.
    for query, _index in QUERIES.values():
        if not query:
            continue
        response = APIClient().get(PRODUCTS, {**query, "page_size": "1"})
        assert 0 < response.json()["count"] < LARGE / 10

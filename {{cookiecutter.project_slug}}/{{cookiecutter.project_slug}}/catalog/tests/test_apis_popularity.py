"""/products/popular/ and /products/recently-viewed/: strict input, one query, and Redis down."""

import logging
from collections.abc import Iterator

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User

from .. import popularity
from ..popularity import store
from ..services import OrderLine, order_create
from .factories import ProductFactory
from .popularity_support import NOW, POPULAR, RECENT, detail, view

pytestmark = pytest.mark.django_db


def test_the_popular_endpoint_serves_the_ranking_in_one_query(
    require_redis: None, api_client: APIClient, django_assert_num_queries
) -> None:
    low, high = ProductFactory.create(name="low"), ProductFactory.create(name="high")
    for _ in range(3):
        api_client.get(detail(high))
    api_client.get(detail(low))
    with django_assert_num_queries(1):
        response = api_client.get(POPULAR, {"limit": 5})
    assert response.status_code == 200
    assert [(p["name"], p["category"]["id"]) for p in response.json()] == [
        ("high", high.category_id),
        ("low", low.category_id),
    ]
    assert "score" not in response.json()[0]  # traffic figures stay private


def test_a_cached_product_detail_still_counts_as_a_view(
    require_redis: None,
    auth_client: APIClient,
    api_client: APIClient,
    user: User,
    django_assert_num_queries,
) -> None:
    product = ProductFactory.create()
    auth_client.get(detail(product))  # a miss: fills the cache
    with django_assert_num_queries(0):
        assert api_client.get(detail(product)).status_code == 200  # a hit, another viewer
    assert api_client.head(detail(product)).status_code == 200  # a link checker: not a view
    assert popularity.popular_ranking(count=1) == [(product.pk, 2.0)]
    assert popularity.recently_viewed_ids(user_id=user.pk) == [product.pk]


def test_reloading_a_product_counts_once_an_hour_per_viewer(
    require_redis: None, auth_client: APIClient, api_client: APIClient
) -> None:
    # One client reloading (or a script doing it for him) cannot make a product popular.
    product = ProductFactory.create()
    for _ in range(5):
        assert auth_client.get(detail(product)).status_code == 200
        assert api_client.get(detail(product)).status_code == 200
    assert popularity.popular_ranking(count=1) == [(product.pk, 2.0)]  # a user, an address


def test_an_unknown_product_counts_for_nothing(require_redis: None, api_client: APIClient) -> None:
    assert (
        api_client.get(reverse("api-v1:catalog:product-detail", args=[999_999])).status_code == 404
    )
    assert popularity.popular_ranking(count=1) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("51", "Ensure this value is less than or equal to 50."),
        ("ten", "A valid integer is required."),
        ("", "Give a value or leave the parameter out."),
    ],
)
def test_a_bad_limit_is_a_400_naming_it(api_client: APIClient, value: str, message: str) -> None:
    response = api_client.get(POPULAR, {"limit": value})
    assert response.status_code == 400
    assert response.json() == {"limit": [message]}


@pytest.fixture
def outage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    store.outage.failures = 0  # a previous test's outage is over
    caplog.set_level(logging.WARNING, logger=store.__name__)
    yield caplog
    store.outage.failures = 0


def test_with_redis_down_the_shop_still_answers_and_logs_the_outage_once(
    auth_client: APIClient,
    user: User,
    unreachable_cache: None,
    outage_log: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks,
) -> None:
    product = ProductFactory.create(stock=5)
    for _ in range(3):
        assert auth_client.get(detail(product)).status_code == 200  # not counted, not failed
    with django_capture_on_commit_callbacks(execute=True):
        order_create(user=user, lines=[OrderLine(product.pk, 1)])
    popular, recent = auth_client.get(POPULAR), auth_client.get(RECENT)
    assert (popular.status_code, popular.json()) == (200, [])
    assert (recent.status_code, recent.json()) == (200, [])
    warnings = [r for r in outage_log.records if r.name == store.__name__]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "unreachable" in warnings[0].getMessage()
    assert warnings[0].exc_info is None  # one line, no traceback


def test_when_redis_is_back_views_count_again_and_the_recovery_is_logged(
    require_redis: None, outage_log: pytest.LogCaptureFixture, settings
) -> None:
    product = ProductFactory.create()
    working = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    view(product)
    settings.CACHES = working
    view(product)
    assert popularity.popular_ranking(count=1, now=NOW) == [(product.pk, 1.0)]
    messages = [r.getMessage() for r in outage_log.records if r.name == store.__name__]
    assert len(messages) == 2
    assert "works again after 1 failures" in messages[1]

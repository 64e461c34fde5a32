"""Redis as a data store: popular products in hourly sorted sets, recently viewed in capped lists.

On the real Redis and PostgreSQL (tests needing Redis skip without REDIS_URL); time is passed
as `now`, never slept through; outages are a real client pointed at a closed port.
"""

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.urls import reverse
from redis.connection import AbstractConnection
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import (
    TEST_PASSWORD,
    UserFactory,
)

from .. import popularity, selectors
from ..models import Product
from ..services import OrderLine, order_create
from .factories import ProductFactory

pytestmark = pytest.mark.django_db

POPULAR = reverse("api-v1:catalog:product-popular")
RECENT = reverse("api-v1:catalog:product-recently-viewed")
NOW = datetime(2030, 1, 15, 12, 30, tzinfo=UTC)


def detail(product: Product) -> str:
    return reverse("api-v1:catalog:product-detail", args=[product.pk])


def redis() -> Any:
    """The raw client the module writes through, to look at what it wrote."""
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


@pytest.fixture(autouse=True)
def _fresh_ranking(settings) -> None:
    # Rebuilt on every read, so each test sees its own writes at once (the snapshot has its test).
    settings.POPULAR_SNAPSHOT_SECONDS = 0


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Counts requests sent to Redis: each send waits for its answer, so one send = one round trip.

    A pipeline is one send; the real connection still does the work.
    """
    sent = 0
    send = AbstractConnection.send_packed_command

    def counting(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        nonlocal sent
        sent += 1
        send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)

    def count() -> int:
        nonlocal sent
        counted, sent = sent, 0
        return counted

    return count


# --- The ranking ----------------------------------------------------------------------------


def test_views_and_orders_rank_products_most_popular_first(require_redis: None, user: User) -> None:
    glanced, ordered, browsed = (
        ProductFactory.create(name=n) for n in ("glanced", "ordered", "browsed")
    )
    view(glanced)
    view(browsed, 4)
    popularity.product_orders_record(product_ids=[ordered.pk], now=NOW)  # weighs 5 views
    assert ranked() == ["ordered", "browsed", "glanced"]
    assert ranked(limit=2) == ["ordered", "browsed"]
    assert popularity.popular_ranking(count=3, now=NOW) == [
        (ordered.pk, 5.0),
        (browsed.pk, 4.0),
        (glanced.pk, 1.0),
    ]


def test_a_placed_order_counts_once_committed_and_a_rolled_back_one_not_at_all(
    require_redis: None, user: User, django_capture_on_commit_callbacks
) -> None:
    product = ProductFactory.create(stock=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_create(user=user, lines=[OrderLine(product.pk, 2)])
    assert popularity.popular_ranking(count=1) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert popularity.popular_ranking(count=1) == [(product.pk, popularity.ORDER_WEIGHT)]


def test_popularity_decays_as_its_hours_leave_the_window(require_redis: None, settings) -> None:
    settings.POPULAR_WINDOW_HOURS = 24
    old, recent = ProductFactory.create(name="old"), ProductFactory.create(name="recent")
    view(old, 10, now=NOW - timedelta(hours=23))  # the oldest hour still in the window
    view(recent, 2, now=NOW)
    assert ranked() == ["old", "recent"]
    assert ranked(now=NOW + timedelta(hours=1)) == ["recent"]  # the old views' hour has left
    assert ranked(now=NOW + timedelta(hours=24)) == []


def test_a_bucket_expires_when_its_hour_leaves_the_window(require_redis: None, settings) -> None:
    settings.POPULAR_WINDOW_HOURS = 24
    product = ProductFactory.create()
    view(product, now=datetime.now(tz=UTC))
    hour = popularity.epoch_hour()
    ttl = redis().ttl(key(popularity.bucket_key(hour)))
    # Gone one hour after its hour left the window, however late in its hour it was written.
    assert 24 * 3600 < ttl <= (hour + 25) * 3600 - time.time() + 1
    view(product, now=datetime.now(tz=UTC) - timedelta(hours=26))  # its window ended already
    assert not redis().exists(key(popularity.bucket_key(hour - 26)))


def test_hidden_and_deleted_products_are_skipped_and_the_page_still_fills(
    require_redis: None,
) -> None:
    hidden, deleted, *shown = (ProductFactory.create(name=f"p{n}") for n in range(5))
    for times, product in enumerate([hidden, deleted, *shown]):
        view(product, 10 - times)  # hidden and deleted rank highest
    hidden.is_active = False
    hidden.save()
    deleted.delete()
    assert ranked(limit=2) == ["p2", "p3"]
    assert ranked() == ["p2", "p3", "p4"]


def test_a_full_bucket_makes_room_for_a_newcomer_in_place_of_the_least_counted(
    require_redis: None, settings
) -> None:
    settings.POPULAR_BUCKET_MAX_PRODUCTS = 3
    one, two, three, late = (ProductFactory.create(name=n) for n in ("one", "two", "three", "late"))
    view(one)
    view(two, 2)
    view(three, 3)
    view(late)  # the bucket is full: "late" takes "one"'s place and count (1), plus its view
    bucket = key(popularity.bucket_key(popularity.epoch_hour(NOW)))
    assert redis().zcard(bucket) == 3
    assert ranked() == ["three", "late", "two"]  # late: 2, over-estimated by one's count at most
    view(late, 4)  # taking off late in the hour, it still climbs to the top
    assert ranked() == ["late", "three", "two"]
    assert redis().zcard(bucket) == 3


def test_a_full_bucket_and_a_full_list_stay_within_their_documented_memory(
    require_redis: None, settings
) -> None:
    """The memory bounds of the practice page (docs: data modelling), measured with MEMORY USAGE."""
    settings.RECENTLY_VIEWED_MAX = 20
    settings.POPULAR_SNAPSHOT_SECONDS = 60
    hour = popularity.epoch_hour()
    bucket = key(popularity.bucket_key(hour))
    pipe = redis().pipeline(transaction=False)  # 1,200 distinct six-digit ids, as a big shop has
    for product_id in range(100_000, 101_200):
        popularity._count(pipe, bucket, [product_id], 1, hour, by_sha=False)
    pipe.execute()
    for product_id in range(100_000, 100_030):
        popularity.product_view_record(product_id=product_id, user_id=10**9, now=NOW)
    recent = key(popularity.recent_key(10**9))
    assert redis().zcard(bucket) == settings.POPULAR_BUCKET_MAX_PRODUCTS == 1000
    assert redis().memory_usage(bucket) <= 110_000  # bytes: about 100 a product
    assert redis().llen(recent) == 20
    assert redis().memory_usage(recent) <= 400
    popularity.popular_ranking(count=10)
    snapshot = key(popularity.snapshot_key(hour))
    assert redis().zcard(snapshot) == popularity.SNAPSHOT_SIZE
    assert redis().memory_usage(snapshot) <= 2_000  # a compact listpack, not the union's tables
    assert not redis().exists(key(popularity.SCRATCH_KEY))


def test_the_ranking_is_one_round_trip_and_the_products_one_query(
    require_redis: None, round_trips: Callable[[], int], django_assert_num_queries
) -> None:
    for times, product in enumerate(ProductFactory.create_batch(3), start=1):
        view(product, times)
    popularity.popular_ranking(count=1)  # the first call may load the script into Redis
    round_trips()
    with django_assert_num_queries(1):
        assert len(ranked(limit=3)) == 3
    assert round_trips() == 1


def test_a_view_is_one_round_trip_with_or_without_a_user(
    require_redis: None, user: User, round_trips: Callable[[], int]
) -> None:
    product = ProductFactory.create()
    round_trips()
    view(product)
    view(product, user=user)
    assert round_trips() == 2


def test_counting_survives_redis_forgetting_its_scripts(require_redis: None) -> None:
    product = ProductFactory.create(name="counted")
    view(product)
    redis().script_flush()  # as a Redis restart does
    view(product)
    redis().script_flush()
    assert ranked() == ["counted"]
    assert popularity.popular_ranking(count=1, now=NOW) == [(product.pk, 2.0)]


def test_the_ranking_is_a_snapshot_rebuilt_once_per_period(require_redis: None, settings) -> None:
    settings.POPULAR_SNAPSHOT_SECONDS = 60
    first, second = ProductFactory.create(name="first"), ProductFactory.create(name="second")
    view(first, 2)
    assert ranked() == ["first"]
    view(second, 5)
    assert ranked() == ["first"]  # the snapshot, until it expires
    snapshot = key(popularity.snapshot_key(popularity.epoch_hour(NOW)))
    assert 0 < redis().ttl(snapshot) <= 60
    assert redis().zcard(snapshot) <= popularity.SNAPSHOT_SIZE
    redis().delete(snapshot)  # as its expiry would
    assert ranked() == ["second", "first"]


def test_every_key_written_has_a_ttl(require_redis: None, user: User, settings) -> None:
    settings.POPULAR_SNAPSHOT_SECONDS = 60
    product = ProductFactory.create()
    view(product, user=user, now=datetime.now(tz=UTC))
    popularity.product_orders_record(product_ids=[product.pk])
    popularity.popular_ranking(count=10)
    written = sorted(k.decode() for k in redis().scan_iter(match=key("catalog:*")))
    assert len(written) == 3  # a bucket, the snapshot, the user's list
    ttls = {k: redis().ttl(k) for k in written}
    assert all(ttl > 0 for ttl in ttls.values()), ttls
    assert ttls[key(popularity.recent_key(user.pk))] == 30 * 24 * 3600


# --- Recently viewed ------------------------------------------------------------------------


def test_recently_viewed_is_latest_first_without_repeats_and_capped(
    require_redis: None, user: User, settings
) -> None:
    settings.RECENTLY_VIEWED_MAX = 3
    a, b, c, d = (ProductFactory.create(name=n) for n in "abcd")
    for product in (a, b, c, a, d):
        view(product, user=user)
    names = [p.name for p in selectors.product_recently_viewed_list(user=user)]
    assert names == ["d", "a", "c"]  # a once, at its latest view; b fell off the end
    assert redis().llen(key(popularity.recent_key(user.pk))) == 3


def test_each_user_sees_only_their_own_recently_viewed(
    require_redis: None, auth_client: APIClient, user: User
) -> None:
    mine, theirs = ProductFactory.create(name="mine"), ProductFactory.create(name="theirs")
    other = APIClient()
    other.force_authenticate(UserFactory.create())
    auth_client.get(detail(mine))
    other.get(detail(theirs))
    assert [p["name"] for p in auth_client.get(RECENT).json()] == ["mine"]
    assert [p["name"] for p in other.get(RECENT).json()] == ["theirs"]


def test_recently_viewed_needs_a_signed_in_user_and_anonymous_views_are_not_listed(
    require_redis: None, api_client: APIClient
) -> None:
    product = ProductFactory.create()
    assert api_client.get(detail(product)).status_code == 200
    assert api_client.get(RECENT).status_code == 401
    assert list(redis().scan_iter(match=key("catalog:recent:*"))) == []


def test_recently_viewed_skips_hidden_products_in_one_query(
    require_redis: None, auth_client: APIClient, user: User, django_assert_num_queries
) -> None:
    kept, hidden = ProductFactory.create(name="kept"), ProductFactory.create(name="hidden")
    view(kept, user=user)
    view(hidden, user=user)
    Product.objects.filter(pk=hidden.pk).update(is_active=False)
    with django_assert_num_queries(1):
        assert [p.name for p in selectors.product_recently_viewed_list(user=user)] == ["kept"]


@pytest.mark.parametrize("has_orders", [False, True], ids=["deleted", "anonymised"])
def test_closing_an_account_forgets_its_recently_viewed(
    require_redis: None,
    auth_client: APIClient,
    user: User,
    has_orders: bool,
    django_capture_on_commit_callbacks,
) -> None:
    product = ProductFactory.create()
    view(product, user=user)
    if has_orders:
        order_create(user=user, lines=[OrderLine(product.pk, 1)])
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete(
            "/api/v1/users/me/", {"password": TEST_PASSWORD}, format="json"
        )
    assert response.status_code == 204
    assert not redis().exists(key(popularity.recent_key(user.pk)))


# --- Over REST ------------------------------------------------------------------------------


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
    require_redis: None, auth_client: APIClient, user: User, django_assert_num_queries
) -> None:
    product = ProductFactory.create()
    auth_client.get(detail(product))  # a miss: fills the cache
    with django_assert_num_queries(0):
        assert auth_client.get(detail(product)).status_code == 200  # a hit
    assert popularity.popular_ranking(count=1) == [(product.pk, 2.0)]
    assert popularity.recently_viewed_ids(user_id=user.pk) == [product.pk]


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


# --- Redis down -----------------------------------------------------------------------------


@pytest.fixture
def outage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    popularity._outage.failures = 0  # a previous test's outage is over
    caplog.set_level(logging.WARNING, logger=popularity.__name__)
    yield caplog
    popularity._outage.failures = 0


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
    warnings = [r for r in outage_log.records if r.name == popularity.__name__]
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
    messages = [r.getMessage() for r in outage_log.records if r.name == popularity.__name__]
    assert len(messages) == 2
    assert "works again after 1 failures" in messages[1]

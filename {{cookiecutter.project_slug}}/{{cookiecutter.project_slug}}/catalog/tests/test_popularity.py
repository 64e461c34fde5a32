"""Popular products in hourly Redis sorted sets: order, decay, caps, memory, round trips.

On the real Redis and PostgreSQL (skipped without REDIS_URL). Time is passed as `now`, never slept
through. config/settings/test.py rebuilds the ranking on every read (POPULAR_SNAPSHOT_SECONDS=0),
so each test sees its own writes at once; the snapshot has its own test.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.connection import AbstractConnection

from {{ cookiecutter.project_slug }}.users.models import User

from .. import popularity
from ..popularity import ranking, recent, store
from ..services import OrderLine, order_create
from .factories import ProductFactory
from .popularity_support import NOW, key, ranked, redis, view

pytestmark = pytest.mark.django_db


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
    hour = ranking.epoch_hour()
    ttl = redis().ttl(key(ranking.bucket_key(hour)))
    # Gone one hour after its hour left the window, however late in its hour it was written.
    assert 24 * 3600 < ttl <= (hour + 25) * 3600 - time.time() + 1
    view(product, now=datetime.now(tz=UTC) - timedelta(hours=26))  # its window ended already
    assert not redis().exists(key(ranking.bucket_key(hour - 26)))


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
    bucket = key(ranking.bucket_key(ranking.epoch_hour(NOW)))
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
    hour = ranking.epoch_hour()
    bucket = key(ranking.bucket_key(hour))
    pipe = redis().pipeline(transaction=False)  # 1,200 distinct six-digit ids, as a big shop has
    for product_id in range(100_000, 101_200):
        ranking.count_queue(pipe, bucket, [product_id], 1, hour, by_sha=False)
    pipe.execute()
    for product_id in range(100_000, 100_030):
        popularity.product_view_record(product_id=product_id, user_id=10**9, now=NOW)
    user_list = key(recent.recent_key(10**9))
    assert redis().zcard(bucket) == settings.POPULAR_BUCKET_MAX_PRODUCTS == 1000
    # Bytes: about 100 a product, up to a fifth more while Redis resizes the set's hash table
    # (MEMORY USAGE then counts both tables): 117,824 seen once, 95,424 usually.
    assert redis().memory_usage(bucket) <= 125_000
    assert redis().llen(user_list) == 20
    assert redis().memory_usage(user_list) <= 400
    popularity.popular_ranking(count=10)
    snapshot = key(ranking.snapshot_key(hour))
    assert redis().zcard(snapshot) == popularity.SNAPSHOT_SIZE
    assert redis().memory_usage(snapshot) <= 2_000  # a compact listpack, not the union's tables
    assert not redis().exists(key(ranking.SCRATCH_KEY))


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


def test_counting_survives_redis_forgetting_its_scripts(
    require_redis: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Redis answers NOSCRIPT for a script it does not hold, as after a restart. (SCRIPT FLUSH
    # would do it too, but for every client of the server: the other test processes' as well.)
    monkeypatch.setattr(store, "script_sha", lambda script: "0" * 40)
    product = ProductFactory.create(name="counted")
    view(product, 2)
    assert ranked() == ["counted"]
    assert popularity.popular_ranking(count=1, now=NOW) == [(product.pk, 2.0)]


def test_the_ranking_is_a_snapshot_rebuilt_once_per_period(require_redis: None, settings) -> None:
    settings.POPULAR_SNAPSHOT_SECONDS = 60
    first, second = ProductFactory.create(name="first"), ProductFactory.create(name="second")
    view(first, 2)
    assert ranked() == ["first"]
    view(second, 5)
    assert ranked() == ["first"]  # the snapshot, until it expires
    snapshot = key(ranking.snapshot_key(ranking.epoch_hour(NOW)))
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
    assert ttls[key(recent.recent_key(user.pk))] == 30 * 24 * 3600


def test_a_viewer_counts_each_product_once_an_hour(require_redis: None) -> None:
    product, other = ProductFactory.create(), ProductFactory.create()
    reader = popularity.viewer_id(user_id=None, address="203.0.113.7")
    assert "203.0.113.7" not in reader  # a digest: the address is not kept
    for _ in range(3):
        popularity.product_view_record(product_id=product.pk, viewer=reader, now=NOW)
    popularity.product_view_record(product_id=other.pk, viewer=reader, now=NOW)
    popularity.product_view_record(
        product_id=product.pk, viewer=popularity.viewer_id(user_id=7, address=""), now=NOW
    )
    assert popularity.popular_ranking(count=5, now=NOW) == [(product.pk, 2.0), (other.pk, 1.0)]
    next_hour = NOW + timedelta(hours=1)
    popularity.product_view_record(product_id=product.pk, viewer=reader, now=next_hour)
    assert dict(popularity.popular_ranking(count=5, now=next_hour))[product.pk] == 3.0
    seen = key(f"catalog:popular:seen:{ranking.epoch_hour(NOW)}:{reader}")
    assert redis().smembers(seen) == {str(product.pk).encode(), str(other.pk).encode()}
    assert redis().expiretime(seen) == (ranking.epoch_hour(NOW) + 1) * 3600 + 60

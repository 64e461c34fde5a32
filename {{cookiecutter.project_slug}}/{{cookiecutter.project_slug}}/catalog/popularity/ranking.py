"""The popular products: hourly buckets counted by a Lua script, read through a snapshot.

The key design and its figures are in the package's docstring (__init__.py).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from .recent import recent_queue
from .store import MakeKey, fail_open, run_script, with_scripts

VIEW_WEIGHT = 1
# An order says more than a glance; per line, whatever the quantity, so one bulk order of a
# thousand does not outweigh a thousand customers.
ORDER_WEIGHT = 5
# The most products one ranking read may ask for (the APIs' `limit`).
MAX_LIMIT = 50
# The snapshot keeps twice the largest page: room for ids that turn out inactive or deleted.
# Up to 128 members, Redis stores a sorted set as a compact listpack (100 ids: about 1 KB).
SNAPSHOT_SIZE = 2 * MAX_LIMIT
HOUR = 3600

# KEYS[1]: a bucket. ARGV: weight, cap, expiry (Unix time), then the product ids to count.
# In a full bucket a newcomer takes the least counted product's place and count (Space-Saving,
# in the package's docstring): trimming by rank instead would drop the newcomer itself.
COUNT_SCRIPT = """
local bucket, weight, cap = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 4, #ARGV do
  local id = ARGV[i]
  if redis.call('ZSCORE', bucket, id) or redis.call('ZCARD', bucket) < cap then
    redis.call('ZINCRBY', bucket, weight, id)
  else
    local least = redis.call('ZRANGE', bucket, 0, 0, 'WITHSCORES')
    redis.call('ZREM', bucket, least[1])
    redis.call('ZADD', bucket, tonumber(least[2]) + weight, id)
  end
end
redis.call('EXPIREAT', bucket, ARGV[3])
"""

# KEYS[1]: the snapshot; KEYS[2]: scratch space; KEYS[3..]: the window's buckets.
# ARGV: snapshot seconds, snapshot size, how many to return.
# The union is copied out (ZRANGESTORE) rather than trimmed in place: a new set of 100 is a
# compact listpack (about 1 KB), a trimmed one keeps the hash table of its union (about 270 KB).
# EXPIRE comes after the read: with 0 seconds (no snapshot) the key is gone once it is read.
TOP_SCRIPT = """
local top, scratch = KEYS[1], KEYS[2]
local built = false
if redis.call('EXISTS', top) == 0 then
  redis.call('ZUNIONSTORE', scratch, #KEYS - 2, unpack(KEYS, 3))
  redis.call('ZRANGESTORE', top, scratch, 0, tonumber(ARGV[2]) - 1, 'REV')
  redis.call('DEL', scratch)
  built = true
end
local ranking = redis.call('ZREVRANGE', top, 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
if built then
  redis.call('EXPIRE', top, ARGV[1])
end
return ranking
"""


def epoch_hour(now: datetime | None = None) -> int:
    """Whole hours since the Unix epoch: the bucket `now` (default: the current time) falls in."""
    return int((now or timezone.now()).timestamp()) // HOUR


def bucket_key(hour: int) -> str:
    return f"catalog:popular:{hour}"


def snapshot_key(hour: int) -> str:
    return f"catalog:popular:top:{hour}"


# Lives only inside one run of TOP_SCRIPT, which no other client can interleave with.
SCRATCH_KEY = "catalog:popular:union"


def window_hours() -> int:
    return int(settings.POPULAR_WINDOW_HOURS)


def count_queue(
    pipe: Any, key: str, product_ids: Iterable[int], weight: int, hour: int, *, by_sha: bool
) -> None:
    """Queue on `pipe` the count of `product_ids` in the bucket `key` of `hour`, and its expiry.

    EXPIREAT, not EXPIRE: the bucket goes when its hour leaves the window (plus an hour for clocks
    that disagree), however late in its hour it was last written.
    """
    expires = (hour + window_hours() + 1) * HOUR
    args = [weight, settings.POPULAR_BUCKET_MAX_PRODUCTS, expires, *product_ids]
    run_script(pipe, COUNT_SCRIPT, [key], args, by_sha=by_sha)


def product_view_record(
    *, product_id: int, user_id: int | None = None, now: datetime | None = None
) -> None:
    """Count a view of `product_id` in the ranking of `now`'s hour (default: the current time).

    For a signed-in user (`user_id`), also put the product first in their recently viewed list.
    One Redis round trip. Never raises for an unreachable Redis: the view is then not counted.
    """
    hour = epoch_hour(now)

    def write(client: Any, make_key: MakeKey) -> None:
        def send(by_sha: bool) -> None:
            pipe = client.pipeline(transaction=False)
            bucket = make_key(bucket_key(hour))
            count_queue(pipe, bucket, [product_id], VIEW_WEIGHT, hour, by_sha=by_sha)
            if user_id is not None:
                recent_queue(pipe, make_key, user_id=user_id, product_id=product_id)
            pipe.execute()

        with_scripts(send)

    fail_open("product view", write, None)


def product_orders_record(*, product_ids: Iterable[int], now: datetime | None = None) -> None:
    """Count an order line of each of `product_ids` (ORDER_WEIGHT each) in `now`'s hour.

    Call it once the order has committed (services.order_create does): a rolled-back order
    counts for nothing. One Redis round trip; never raises for an unreachable Redis.
    """
    ids = list(product_ids)
    hour = epoch_hour(now)

    def write(client: Any, make_key: MakeKey) -> None:
        def send(by_sha: bool) -> None:
            pipe = client.pipeline(transaction=False)
            count_queue(pipe, make_key(bucket_key(hour)), ids, ORDER_WEIGHT, hour, by_sha=by_sha)
            pipe.execute()

        with_scripts(send)

    if ids:
        fail_open("order count", write, None)


def popular_ranking(*, count: int, now: datetime | None = None) -> list[tuple[int, float]]:
    """The `count` most popular product ids over the window ending at `now`, with their scores.

    Highest score first (equal scores in Redis's order: the ids' text, descending). A view scores VIEW_WEIGHT, an order line
    ORDER_WEIGHT, over the last POPULAR_WINDOW_HOURS hours, the current one included. One round
    trip; up to POPULAR_SNAPSHOT_SECONDS old; at most SNAPSHOT_SIZE entries. Empty when Redis is
    unreachable or absent.
    """
    hour = epoch_hour(now)
    hours = range(hour - window_hours() + 1, hour + 1)
    args = [settings.POPULAR_SNAPSHOT_SECONDS, SNAPSHOT_SIZE, min(count, SNAPSHOT_SIZE)]

    def read(client: Any, make_key: MakeKey) -> list[tuple[int, float]]:
        keys = [
            make_key(snapshot_key(hour)),
            make_key(SCRATCH_KEY),
            *(make_key(bucket_key(h)) for h in hours),
        ]
        flat = with_scripts(
            lambda by_sha: run_script(client, TOP_SCRIPT, keys, args, by_sha=by_sha)
        )
        return [(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    return fail_open("popular ranking", read, [])

"""The popular products: hourly buckets counted by a Lua script, read through a snapshot.

The key design and its figures are in the package's docstring (__init__.py).
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.client_ip import client_ip
from {{ cookiecutter.project_slug }}.users.models import User

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

# KEYS[1]: a bucket; KEYS[2], if given: the viewer's set of products already counted this hour.
# ARGV: weight, cap, the bucket's expiry and the viewer set's (Unix times), then the product ids.
# In a full bucket a newcomer takes the least counted product's place and count (Space-Saving,
# in the package's docstring): trimming by rank instead would drop the newcomer itself.
COUNT_SCRIPT = """
local bucket, weight, cap = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local seen = KEYS[2]
for i = 5, #ARGV do
  local id = ARGV[i]
  if seen == nil or redis.call('SADD', seen, id) == 1 then
    if redis.call('ZSCORE', bucket, id) or redis.call('ZCARD', bucket) < cap then
      redis.call('ZINCRBY', bucket, weight, id)
    else
      local least = redis.call('ZRANGE', bucket, 0, 0, 'WITHSCORES')
      redis.call('ZREM', bucket, least[1])
      redis.call('ZADD', bucket, tonumber(least[2]) + weight, id)
    end
  end
end
redis.call('EXPIREAT', bucket, ARGV[3])
if seen ~= nil then
  redis.call('EXPIREAT', seen, ARGV[4])
end
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


def seen_key(hour: int, viewer: str) -> str:
    return f"catalog:popular:seen:{hour}:{viewer}"


def viewer_id(*, user_id: int | None, address: str) -> str:
    """Who is looking, for counting each product once per viewer and hour.

    The user when signed in, else a digest of the client's address (the address is not kept).
    """
    if user_id is not None:
        return f"u{user_id}"
    return "a" + hashlib.blake2b(address.encode(), digest_size=8).hexdigest()


def count_queue(
    pipe: Any,
    key: str,
    product_ids: Iterable[int],
    weight: int,
    hour: int,
    *,
    by_sha: bool,
    seen: str | None = None,
) -> None:
    """Queue on `pipe` the count of `product_ids` in the bucket `key` of `hour`, and its expiry.

    EXPIREAT, not EXPIRE: the bucket goes when its hour leaves the window (plus an hour for clocks
    that disagree), however late in its hour it was last written.
    """
    expires = (hour + window_hours() + 1) * HOUR
    seen_expires = (hour + 1) * HOUR + 60  # the viewer's set: its hour, and a minute of skew
    args = [weight, settings.POPULAR_BUCKET_MAX_PRODUCTS, expires, seen_expires, *product_ids]
    keys = [key] if seen is None else [key, seen]
    run_script(pipe, COUNT_SCRIPT, keys, args, by_sha=by_sha)


def product_view_record(
    *,
    product_id: int,
    user_id: int | None = None,
    viewer: str | None = None,
    now: datetime | None = None,
) -> None:
    """Count a view of `product_id` in the ranking of `now`'s hour (default: the current time).

    With `viewer` (viewer_id()), each viewer counts each product once an hour: reloading a page,
    or a script doing it, does not make a product popular. For a signed-in user (`user_id`),
    also put the product first in their recently viewed list. One Redis round trip. Never
    raises for an unreachable Redis: the view is then not counted.
    """
    hour = epoch_hour(now)

    def write(client: Any, make_key: MakeKey) -> None:
        def send(by_sha: bool) -> None:
            pipe = client.pipeline(transaction=False)
            bucket = make_key(bucket_key(hour))
            seen = make_key(seen_key(hour, viewer)) if viewer is not None else None
            count_queue(pipe, bucket, [product_id], VIEW_WEIGHT, hour, by_sha=by_sha, seen=seen)
            if user_id is not None:
                recent_queue(pipe, make_key, user_id=user_id, product_id=product_id)
            pipe.execute()

        with_scripts(send)

    fail_open("product view", write, None)


def request_view_record(request: HttpRequest, *, product_id: int) -> None:
    """Count `request`'s look at `product_id` (a product page or the API's product).

    Its viewer is the signed-in user or the client's address, each counting each product once
    an hour; a signed-in user's recently viewed list gets it too. A HEAD (a link checker, a
    prefetch) is nobody looking. Works for Django's and DRF's requests alike.
    """
    if request.method == "HEAD":
        return
    user_id = request.user.pk if isinstance(request.user, User) else None
    viewer = viewer_id(user_id=user_id, address=client_ip(request))
    product_view_record(product_id=product_id, user_id=user_id, viewer=viewer)


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

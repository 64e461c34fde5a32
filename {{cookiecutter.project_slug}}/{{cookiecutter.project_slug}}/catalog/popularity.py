"""Redis as a data store: a decaying "popular products" ranking and each user's recently viewed.

Not a cache: this data is nowhere else. Losing it loses a signal, not a record, so every call
fails open: while Redis is down, views and orders go uncounted (one warning when the outage
starts, one line when it ends) and reads answer empty.

Every key, all owned by this module (names under the cache's KEY_PREFIX and version):

| key                        | type       | written on                     | expires                  | holds at most            |
|----------------------------|------------|--------------------------------|--------------------------|--------------------------|
| catalog:popular:<hour>     | sorted set | a product view (+1), an order  | when its hour leaves the | POPULAR_BUCKET_MAX_PRODUCTS |
|                            |            | (+ORDER_WEIGHT per line)       | window, plus one hour    | members                  |
| catalog:popular:top:<hour> | sorted set | a ranking read (the snapshot)  | POPULAR_SNAPSHOT_SECONDS | SNAPSHOT_SIZE members    |
| catalog:popular:union      | sorted set | a snapshot's build, in Lua     | deleted in the same run  | the window's union       |
| catalog:recent:<user id>   | list       | a signed-in user's view        | RECENTLY_VIEWED_DAYS     | RECENTLY_VIEWED_MAX ids  |

<hour> counts hours since the Unix epoch (UTC). A bucket expires (EXPIREAT) when its hour leaves
the window, so popularity decays by the hour and at most POPULAR_WINDOW_HOURS + 1 buckets exist.

A write is one pipelined round trip, without MULTI (each command stands alone). A full bucket
makes room by Space-Saving (Metwally, Agrawal and El Abbadi, 2005): a newcomer replaces the
least counted product and inherits its count. A plain ZREMRANGEBYRANK trim would drop every
newcomer at once, so a product taking off late in an hour could never enter it; with
Space-Saving any product with more than 1/POPULAR_BUCKET_MAX_PRODUCTS of an hour's score is
kept, and a count is over-estimated by at most the smallest count in its bucket.

A read is one round trip too: a Lua script serves the snapshot of the window's ranking,
building it first when there is none (ZUNIONSTORE of the buckets, then its top SNAPSHOT_SIZE
copied out by ZRANGESTORE: Redis 6.2 or later). A union on every request would cost Redis
~10 ms of CPU with 24 full buckets of 1,000 (80 ms at 10,000), blocking every other client
meanwhile; once per POPULAR_SNAPSHOT_SECONDS it does not matter. Scripts are sent by SHA
(EVALSHA); after a Redis restart the first call sends the script itself (EVAL), which stores it
again.

Settings: POPULAR_* and RECENTLY_VIEWED_* in config/settings/components/catalog.py.
"""

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django_redis.cache import RedisCache
from redis.exceptions import NoScriptError

from {{ cookiecutter.project_slug }}.core.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

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


def _sha(script: str) -> str:
    return hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()


SHAS = {script: _sha(script) for script in (COUNT_SCRIPT, TOP_SCRIPT)}


def _eval(target: Any, script: str, keys: list[str], args: list[Any], *, by_sha: bool) -> Any:
    """Run `script` on `target` (a client or a pipeline): by its SHA, or sending it whole."""
    if by_sha:
        return target.evalsha(SHAS[script], len(keys), *keys, *args)
    return target.eval(script, len(keys), *keys, *args)


def _with_scripts[T](send: Callable[[bool], T]) -> T:
    """`send(True)` (scripts by SHA); once more with `send(False)` if Redis has lost them.

    Redis forgets scripts when it restarts. A NOSCRIPT answer means the script did not run, and
    whatever else `send` queues must be safe to repeat.
    """
    try:
        return send(True)
    except NoScriptError:
        return send(False)


def epoch_hour(now: datetime | None = None) -> int:
    """Whole hours since the Unix epoch: the bucket `now` (default: the current time) falls in."""
    return int((now or timezone.now()).timestamp()) // HOUR


def bucket_key(hour: int) -> str:
    return f"catalog:popular:{hour}"


def snapshot_key(hour: int) -> str:
    return f"catalog:popular:top:{hour}"


# Lives only inside one run of TOP_SCRIPT, which no other client can interleave with.
SCRATCH_KEY = "catalog:popular:union"


def recent_key(user_id: int) -> str:
    return f"catalog:recent:{user_id}"


def window_hours() -> int:
    return int(settings.POPULAR_WINDOW_HOURS)


def _store() -> RedisCache | None:
    """The default cache when it is Redis; None otherwise.

    Local development without REDIS_URL runs a per-process memory cache, which has no sorted
    sets or lists: there the ranking and the recently viewed lists stay empty.
    """
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


class _Outage:
    """Logs an outage once when it starts and once when it ends, never once per request."""

    def __init__(self) -> None:
        self.failures = 0
        self.lock = threading.Lock()

    def failed(self, work: str, error: Exception) -> None:
        with self.lock:
            self.failures += 1
            first = self.failures == 1
        if first:
            logger.warning(
                "%s skipped while Redis is unreachable: %s: %s",
                work,
                type(error).__name__,
                error,
                extra={"event": "popularity_unavailable", "work": work},
            )

    def succeeded(self) -> None:
        if not self.failures:  # the common case, without the lock
            return
        with self.lock:
            failures, self.failures = self.failures, 0
        if failures:
            logger.warning(
                "popularity store works again after %d failures",
                failures,
                extra={"event": "popularity_recovered", "failures": failures},
            )


_outage = _Outage()


def _fail_open[T](work: str, call: Callable[[Any, Callable[[str], str]], T], default: T) -> T:
    """`call(client, make_key)`, or `default` when Redis is absent (no REDIS_URL) or unreachable.

    `client` is the raw redis-py client (as core/throttling/counters.py takes it); `make_key`
    adds the cache's KEY_PREFIX and version, so these keys sit beside the cache's own.
    """
    store = _store()
    if store is None:
        return default
    try:
        result = call(store.client.get_client(write=True), store.make_key)
    except CACHE_ERRORS as error:
        _outage.failed(work, error)
        return default
    _outage.succeeded()
    return result


def _count(
    pipe: Any, key: str, product_ids: Iterable[int], weight: int, hour: int, *, by_sha: bool
) -> None:
    """Queue on `pipe` the count of `product_ids` in the bucket `key` of `hour`, and its expiry.

    EXPIREAT, not EXPIRE: the bucket goes when its hour leaves the window (plus an hour for clocks
    that disagree), however late in its hour it was last written.
    """
    expires = (hour + window_hours() + 1) * HOUR
    args = [weight, settings.POPULAR_BUCKET_MAX_PRODUCTS, expires, *product_ids]
    _eval(pipe, COUNT_SCRIPT, [key], args, by_sha=by_sha)


def product_view_record(
    *, product_id: int, user_id: int | None = None, now: datetime | None = None
) -> None:
    """Count a view of `product_id` in the ranking of `now`'s hour (default: the current time).

    For a signed-in user (`user_id`), also put the product first in their recently viewed list.
    One Redis round trip. Never raises for an unreachable Redis: the view is then not counted.
    """
    hour = epoch_hour(now)

    def write(client: Any, make_key: Callable[[str], str]) -> None:
        def send(by_sha: bool) -> None:
            pipe = client.pipeline(transaction=False)
            bucket = make_key(bucket_key(hour))
            _count(pipe, bucket, [product_id], VIEW_WEIGHT, hour, by_sha=by_sha)
            if user_id is not None:
                key = make_key(recent_key(user_id))
                pipe.lrem(key, 0, product_id)  # once in the list, at its latest place
                pipe.lpush(key, product_id)
                pipe.ltrim(key, 0, settings.RECENTLY_VIEWED_MAX - 1)
                pipe.expire(key, settings.RECENTLY_VIEWED_DAYS * 24 * HOUR)
            pipe.execute()

        _with_scripts(send)

    _fail_open("product view", write, None)


def product_orders_record(*, product_ids: Iterable[int], now: datetime | None = None) -> None:
    """Count an order line of each of `product_ids` (ORDER_WEIGHT each) in `now`'s hour.

    Call it once the order has committed (services.order_create does): a rolled-back order
    counts for nothing. One Redis round trip; never raises for an unreachable Redis.
    """
    ids = list(product_ids)
    hour = epoch_hour(now)

    def write(client: Any, make_key: Callable[[str], str]) -> None:
        def send(by_sha: bool) -> None:
            pipe = client.pipeline(transaction=False)
            _count(pipe, make_key(bucket_key(hour)), ids, ORDER_WEIGHT, hour, by_sha=by_sha)
            pipe.execute()

        _with_scripts(send)

    if ids:
        _fail_open("order count", write, None)


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

    def read(client: Any, make_key: Callable[[str], str]) -> list[tuple[int, float]]:
        keys = [
            make_key(snapshot_key(hour)),
            make_key(SCRATCH_KEY),
            *(make_key(bucket_key(h)) for h in hours),
        ]
        flat = _with_scripts(lambda by_sha: _eval(client, TOP_SCRIPT, keys, args, by_sha=by_sha))
        return [(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    return _fail_open("popular ranking", read, [])


def recently_viewed_ids(*, user_id: int) -> list[int]:
    """Product ids `user_id` viewed, latest first, without repeats, at most RECENTLY_VIEWED_MAX.

    One round trip; empty when Redis is unreachable or absent.
    """

    def read(client: Any, make_key: Callable[[str], str]) -> list[int]:
        ids = client.lrange(make_key(recent_key(user_id)), 0, settings.RECENTLY_VIEWED_MAX - 1)
        return [int(pk) for pk in ids]

    return _fail_open("recently viewed", read, [])


def recently_viewed_clear(*, user_id: int) -> None:
    """Forget what `user_id` viewed (their account was closed). Fails open like the rest."""

    def delete(client: Any, make_key: Callable[[str], str]) -> None:
        client.delete(make_key(recent_key(user_id)))

    _fail_open("recently viewed", delete, None)


def recently_viewed_forget(sender: object, *, user_id: int, **kwargs: object) -> None:
    """Receiver of users' `account_closed`: a closed account's browsing is not kept."""
    recently_viewed_clear(user_id=user_id)

"""Fixed-window counters in the shared cache, built for the hot path.

On Redis, one call is one pipelined round trip: INCR the window's counter, set its expiry, and
check any number of flag keys (bans) at the same time. Other caches (the local-memory cache of
local development) take the same calls through Django's cache API.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import caches
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

# Counters outlive their window, so a late batch job (the request-log flush) still finds them.
RETAINED_WINDOWS = 10
EXPIRY_MARGIN_SECONDS = 60


class CounterUnavailableError(Exception):
    """The shared cache could not be reached; callers choose to fail open or closed."""


@dataclass(frozen=True)
class Hit:
    count: int  # hits in the current window, this one included
    retry_after: int  # seconds until the window resets
    flags: tuple[bool, ...]  # whether each flag key exists


def window_index(window: int, now: float | None = None) -> int:
    return int((time.time() if now is None else now) // window)


def hit(key: str, *, window: int, flags: Sequence[str] = (), member_of: str | None = None) -> Hit:
    """Count one hit on `key` in the current `window`-second window.

    Also tests whether each of `flags` exists and, on Redis, adds `key` to the window's set
    `member_of` (so a batch job can later find every key counted in a window).
    """
    now = time.time()
    index = window_index(window, now)
    counter_key = f"{key}:{index}"
    ttl = window * RETAINED_WINDOWS + EXPIRY_MARGIN_SECONDS
    retry_after = max(1, int((index + 1) * window - now))
    cache = caches["default"]
    try:
        if isinstance(cache, RedisCache):
            client = cache.client.get_client(write=True)
            pipe = client.pipeline(transaction=False)
            pipe.incr(cache.make_key(counter_key))
            pipe.expire(cache.make_key(counter_key), ttl)
            for flag in flags:
                pipe.exists(cache.make_key(flag))
            if member_of is not None:
                pipe.sadd(cache.make_key(f"{member_of}:{index}"), key)
                pipe.expire(cache.make_key(f"{member_of}:{index}"), ttl)
            count, _, *rest = pipe.execute()
            exists = rest[: len(flags)]
            return Hit(int(count), retry_after, tuple(bool(e) for e in exists))
        cache.add(counter_key, 0, ttl)
        count = cache.incr(counter_key)
        found = cache.get_many(list(flags)) if flags else {}
        return Hit(count, retry_after, tuple(flag in found for flag in flags))
    except (RedisError, ConnectionInterrupted, OSError) as error:
        raise CounterUnavailableError(str(error)) from error


def read_window(member_of: str, index: int) -> dict[str, int]:
    """Counts of every key recorded in window `index` of set `member_of` (Redis only)."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return {}
    client = cache.client.get_client(write=False)
    members = sorted(m.decode() for m in client.smembers(cache.make_key(f"{member_of}:{index}")))
    if not members:
        return {}
    values = client.mget([cache.make_key(f"{member}:{index}") for member in members])
    return {m: int(v) for m, v in zip(members, values, strict=True) if v is not None}


def forget_window(member_of: str, index: int) -> None:
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        cache.client.get_client(write=True).delete(cache.make_key(f"{member_of}:{index}"))

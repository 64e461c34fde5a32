"""Fixed-window counters in the shared cache, built for the hot path.

Two layers:
- `add` is one pipelined Redis round trip: INCRBY the window's counter, set its expiry, test any
  flag keys (bans) and record the key in the window's member set. Other caches (the local-memory
  cache of local development) take the same call through Django's cache API.
- `WindowTally` sits in front of `add` in each process and batches: a key is synced with Redis
  once per `sync_seconds`, or once it has gathered BATCH_SHARE of its limit locally, and on every
  hit from EXACT_FROM of its limit on (until the shared count is past the limit). A hot client
  therefore costs about one round trip per second per process instead of one per request. The
  price: a ban reaches a process up to `sync_seconds` late; with more than two processes a limit
  can be overshot by at most BATCH_SHARE of it per process; and hits still unsynced when a window
  ends (at most `sync_seconds` worth) are not carried into the shared count.
"""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import caches
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

# Counters outlive their window, so a late batch job (the request-log flush) still finds them.
RETAINED_WINDOWS = 10
EXPIRY_MARGIN_SECONDS = 60
# From this share of a limit on, every hit is synced, so the limit holds across processes.
EXACT_FROM = 0.5
# A process never keeps more than this share of a limit to itself before syncing.
BATCH_SHARE = 0.05


class CounterUnavailableError(Exception):
    """The shared cache could not be reached; callers choose to fail open or closed."""


@dataclass(frozen=True)
class Hit:
    count: int  # hits in the current window, this one included (as far as this process knows)
    retry_after: int  # seconds until the window resets
    flags: tuple[bool, ...]  # whether each flag key exists
    crossed: bool = False  # this hit's sync carried the count over the limit (exactly one does)


def window_index(window: int, now: float | None = None) -> int:
    return int((time.time() if now is None else now) // window)


def add(
    key: str,
    *,
    window: int,
    amount: int = 1,
    flags: Sequence[str] = (),
    member_of: str | None = None,
    now: float | None = None,
) -> Hit:
    """Add `amount` hits to `key` in the current `window`-second window: one round trip.

    Also tests whether each of `flags` exists and, on Redis, adds `key` to the window's set
    `member_of` (so a batch job can later find every key counted in a window).
    """
    now = time.time() if now is None else now
    index = window_index(window, now)
    counter_key = f"{key}:{index}"
    ttl = window * RETAINED_WINDOWS + EXPIRY_MARGIN_SECONDS
    retry_after = max(1, int((index + 1) * window - now))
    cache = caches["default"]
    try:
        if isinstance(cache, RedisCache):
            client = cache.client.get_client(write=True)
            pipe = client.pipeline(transaction=False)
            pipe.incrby(cache.make_key(counter_key), amount)
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
        count = cache.incr(counter_key, amount)
        found = cache.get_many(list(flags)) if flags else {}
        return Hit(count, retry_after, tuple(flag in found for flag in flags))
    except (RedisError, ConnectionInterrupted, OSError) as error:
        raise CounterUnavailableError(str(error)) from error


@dataclass
class _KeyState:
    known: int = 0  # the shared count at the last sync
    pending: int = 0  # hits since then, not yet added to the shared count
    synced_at: float = float("-inf")
    flags: tuple[bool, ...] = ()


@dataclass
class WindowTally:
    """Per-process batching in front of `add` for one kind of counter (see the module docstring)."""

    window: int
    sync_seconds: float
    _index: int = -1
    _keys: dict[str, _KeyState] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(
        self,
        key: str,
        *,
        limit: int,
        flags: Sequence[str] = (),
        member_of: str | None = None,
    ) -> Hit:
        now = time.time()
        index = window_index(self.window, now)
        with self._lock:
            if index != self._index:  # a new window: every count starts again
                self._index, self._keys = index, {}
            state = self._keys.setdefault(key, _KeyState())
            state.pending += 1
            estimate = state.known + state.pending
            near_limit = estimate > limit * EXACT_FROM and state.known <= limit
            batch_full = state.pending >= max(1, int(limit * BATCH_SHARE))
            if now - state.synced_at < self.sync_seconds and not (near_limit or batch_full):
                retry_after = max(1, int((index + 1) * self.window - now))
                return Hit(estimate, retry_after, state.flags)
            amount, state.pending = state.pending, 0
        try:
            hit = add(
                key, window=self.window, amount=amount, flags=flags, member_of=member_of, now=now
            )
        except CounterUnavailableError:
            with self._lock:
                state.pending += amount  # keep the hits for the next attempt
            raise
        with self._lock:
            state.known, state.synced_at, state.flags = hit.count, now, hit.flags
        crossed = hit.count - amount <= limit < hit.count
        return Hit(hit.count, hit.retry_after, hit.flags, crossed)


_tallies: dict[tuple[str, int, float], WindowTally] = {}


def tally(name: str, *, window: int, sync_seconds: float) -> WindowTally:
    """The process-wide tally for counters named `name` with these settings."""
    key = (name, window, sync_seconds)
    if key not in _tallies:
        _tallies[key] = WindowTally(window=window, sync_seconds=sync_seconds)
    return _tallies[key]


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

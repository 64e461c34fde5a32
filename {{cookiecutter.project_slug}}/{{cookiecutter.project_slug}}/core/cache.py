"""Cache-aside with versioned namespaces and a stampede guard.

Each entry is stored with the versions of the namespaces it depends on, and read together with
their current versions in one round trip (get_many): it is a hit only if they match.
A version key is written only with an entry (a lookup that caches nothing leaves none) and
expires after a day (VERSION_SECONDS), so namespaces cannot pile up in Redis.
Invalidating a namespace bumps its version, so one write invalidates any number of entries in
one cache call, with no key scanning. Versions start from the clock, so a version key lost to
eviction can never make an old entry match again.

On a miss, one caller rebuilds (it holds a short lock); the others wait briefly for its result
instead of all hitting the database at once when a hot key expires.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from {{ cookiecutter.project_slug }}.core.metrics.definitions import (
    CACHE_LOOKUPS,
)

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)
LOCK_SECONDS = 10  # a rebuild taking longer than this lets a second one start
# A namespace's version key expires a day after it was written. Losing one is safe (a fresh
# version from the clock makes older entries unreachable: a miss, never a stale hit), and without
# an expiry every namespace ever cached would stay for good in a Redis that runs `noeviction`.
VERSION_SECONDS = 24 * 3600
WAIT_SECONDS = 2.0  # how long a caller waits for another's rebuild before building itself
POLL_SECONDS = 0.05


def _version_key(namespace: str) -> str:
    return f"cachever:{namespace}"


def fingerprint(*parts: object) -> str:
    """A short stable digest of a cache key's parts (by their repr)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def invalidate(*namespaces: str) -> None:
    """Make every cached entry that depends on these namespaces unreachable."""
    try:
        for namespace in namespaces:
            try:
                cache.incr(_version_key(namespace))
            except ValueError:
                # No version yet (or evicted): a fresh one from the clock, so an entry being
                # built right now from older rows (its version taken earlier) never matches.
                cache.set(_version_key(namespace), time.time_ns(), timeout=VERSION_SECONDS)
    except CACHE_ERRORS:
        # Entries then expire by their timeout; log loudly, this is a stale-read window.
        logger.exception("cache invalidation failed", extra={"namespaces": namespaces})


def get_or_build[T](
    namespaces: Sequence[str], part: str, build: Callable[[], T], *, timeout: int
) -> T:
    """Return the cached value for `part` under `namespaces`, building it once on a miss.

    A timeout of 0 or less turns caching off (for comparisons and emergencies).
    """
    if timeout <= 0:
        return build()
    joined = ",".join(namespaces)  # the key's prefix and the lookups' label
    try:
        version_keys = [_version_key(ns) for ns in namespaces]
        key = f"cache:{joined}:{part}"
        found = cache.get_many([key, *version_keys])  # one round trip on a hit
        # A namespace seen for the first time gets its version from the clock, written only
        # with an entry (below): a lookup that builds nothing (a 404) leaves no key behind.
        fresh = {vk: time.time_ns() for vk in version_keys if vk not in found}
        versions = [int(found[vk]) if vk in found else fresh[vk] for vk in version_keys]
        entry: Any = found.get(key)
        if entry is not None and not fresh and entry[0] == versions:
            _count(joined, "hit")
            return entry[1]  # type: ignore[no-any-return]
        if not cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                if (value := _current(key, version_keys)) is not None:
                    _count(joined, "hit")  # another caller's rebuild, waited for
                    return value  # type: ignore[no-any-return]
            _count(joined, "miss")
            return build()  # the rebuild is slow or its builder died: serve, do not cache
    except CACHE_ERRORS:
        logger.warning("cache unavailable; serving from the database", exc_info=True)
        _count(joined, "error")
        return build()
    _count(joined, "miss")
    try:
        value = build()
        for version_key, version in fresh.items():
            # add, not set: if a write invalidated the namespace meanwhile, its newer version
            # stays, and this entry (built before it) never matches.
            _quietly(cache.add, version_key, version, VERSION_SECONDS)
        _quietly(cache.set, key, (versions, value), timeout)
        return value
    finally:
        _quietly(cache.delete, f"{key}:lock")


def _current(key: str, version_keys: list[str]) -> Any:
    """The entry's value if it matches the namespaces' versions now, else None."""
    found = cache.get_many([key, *version_keys])
    entry = found.get(key)
    if entry is None or any(vk not in found for vk in version_keys):
        return None
    return entry[1] if entry[0] == [int(found[vk]) for vk in version_keys] else None


def _count(namespaces: str, result: str) -> None:
    """Count a lookup (namespaces comma-joined): hit, miss (built here), or error (unreachable)."""
    CACHE_LOOKUPS.labels(namespaces, result).inc()


def _quietly(operation: Callable[..., Any], *args: Any) -> None:
    """A cache write that may fail without failing the request: the data is already built."""
    try:
        operation(*args)
    except CACHE_ERRORS:
        logger.warning("cache write failed", exc_info=True)

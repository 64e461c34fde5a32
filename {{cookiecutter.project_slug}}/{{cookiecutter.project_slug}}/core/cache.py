"""Cache-aside with versioned namespaces and a stampede guard.

Keys embed the current version of every namespace they depend on. Invalidating a namespace
bumps its version: old entries are never read again and simply expire, so one write invalidates
any number of entries in one cache call, with no key scanning. Versions start from the clock, so a
version key lost to eviction can never bring old entries back to life.

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

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)
LOCK_SECONDS = 10  # a rebuild taking longer than this lets a second one start
WAIT_SECONDS = 2.0  # how long a caller waits for another's rebuild before building itself
POLL_SECONDS = 0.05
_MISSING = object()


def _version_key(namespace: str) -> str:
    return f"cachever:{namespace}"


def fingerprint(*parts: object) -> str:
    """A short stable digest of a cache key's parts (by their repr)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _versions(namespaces: Sequence[str]) -> list[int]:
    keys = [_version_key(ns) for ns in namespaces]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    for key, initial in missing.items():
        cache.add(key, initial, timeout=None)
    if missing:
        found |= cache.get_many(list(missing))
    return [int(found[key]) for key in keys]


def invalidate(*namespaces: str) -> None:
    """Make every cached entry that depends on these namespaces unreachable."""
    try:
        for namespace in namespaces:
            try:
                cache.incr(_version_key(namespace))
            except ValueError:  # no version yet (or evicted): any fresh one is new
                cache.set(_version_key(namespace), time.time_ns(), timeout=None)
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
    try:
        versions = _versions(namespaces)
        key = "cache:" + ":".join(f"{ns}@{v}" for ns, v in zip(namespaces, versions, strict=True))
        key += f":{part}"
        value: Any = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        if not cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                value = cache.get(key, _MISSING)
                if value is not _MISSING:
                    return value  # type: ignore[no-any-return]
            return build()  # the rebuild is slow or its builder died: serve, do not cache
    except CACHE_ERRORS:
        logger.warning("cache unavailable; serving from the database", exc_info=True)
        return build()
    try:
        value = build()
        _quietly(cache.set, key, value, timeout)
        return value  # type: ignore[no-any-return]
    finally:
        _quietly(cache.delete, f"{key}:lock")


def _quietly(operation: Callable[..., Any], *args: Any) -> None:
    """A cache write that may fail without failing the request: the data is already built."""
    try:
        operation(*args)
    except CACHE_ERRORS:
        logger.warning("cache write failed", exc_info=True)

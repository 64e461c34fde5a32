"""The Redis behind the popularity data: its client, failing open, and Lua scripts by SHA."""

import hashlib
import logging
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from django.core.cache import caches
from django_redis.cache import RedisCache
from redis.exceptions import NoScriptError

from {{ cookiecutter.project_slug }}.core.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

# A key's name -> the name Redis stores: the cache's KEY_PREFIX and version, beside its entries.
type MakeKey = Callable[[str], str]


def redis_cache() -> RedisCache | None:
    """The default cache when it is Redis; None otherwise.

    Local development without REDIS_URL runs a per-process memory cache, which has no sorted
    sets or lists: there the ranking and the recently viewed lists stay empty.
    """
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


class Outage:
    """Logs an outage once when it starts and once when it ends, never once per request.

    Not core/after_commit.py's record: that one reports work postponed to a sweep; a view not
    counted here is dropped, and says so.
    """

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


outage = Outage()


def fail_open[T](work: str, call: Callable[[Any, MakeKey], T], default: T) -> T:
    """`call(client, make_key)`, or `default` when Redis is absent (no REDIS_URL) or unreachable.

    `client` is the raw redis-py client, taken as core/throttling/counters.py takes it.
    """
    store = redis_cache()
    if store is None:
        return default
    try:
        result = call(store.client.get_client(write=True), store.make_key)
    except CACHE_ERRORS as error:
        outage.failed(work, error)
        return default
    outage.succeeded()
    return result


@cache
def script_sha(script: str) -> str:
    return hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()


def run_script(target: Any, script: str, keys: list[str], args: list[Any], *, by_sha: bool) -> Any:
    """Run `script` on `target` (a client or a pipeline): by its SHA, or sending it whole."""
    if by_sha:
        return target.evalsha(script_sha(script), len(keys), *keys, *args)
    return target.eval(script, len(keys), *keys, *args)


def with_scripts[T](send: Callable[[bool], T]) -> T:
    """`send(True)` (scripts by SHA); once more with `send(False)` if Redis has lost them.

    Redis forgets scripts when it restarts. A NOSCRIPT answer means the script did not run, and
    whatever else `send` queues must be safe to repeat.
    """
    try:
        return send(True)
    except NoScriptError:
        return send(False)

"""Readiness checks: each answers "can this process serve traffic that needs X right now?"."""

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # A write and a read: a cache that accepts connections but cannot store is not ready.
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=5)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value it was given")
    cache.delete(key)


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
}


def run_readiness_checks() -> dict[str, str]:
    """Run every check; return each dependency's status ("ok" or "unavailable")."""
    results: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception:  # any failure means "not ready"; the log keeps the details
            logger.exception("readiness check failed", extra={"dependency": name})
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    return results

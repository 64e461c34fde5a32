"""System check: IP tracking needs a cache every process shares, or counts and bans would split."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

# Caches every process shares, with atomic increments: counters and bans mean the same everywhere.
SHARED_CACHE_BACKENDS = {
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
}


@checks.register(checks.Tags.caches)
def check_shared_cache(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> Sequence[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in SHARED_CACHE_BACKENDS:
        return []
    return [
        checks.Error(
            f"The default cache ({backend}) is not shared between processes: each worker would "
            "keep its own rate-limit counters and IP bans.",
            hint="Set REDIS_URL (django-redis).",
            id="ip_tracking.E001",
        )
    ]

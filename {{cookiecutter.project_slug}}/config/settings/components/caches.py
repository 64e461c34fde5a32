"""The cache: Redis through django-redis when REDIS_URL is set, per-process memory otherwise.

Always present. Rate limits, the IP monitor and cached reads all count on this cache.
"""

from ..env import PACKAGE, env

# Redis (django-redis) when REDIS_URL is set: shared by every process. Without it a per-process
# local-memory cache keeps local development service-free.
REDIS_URL: str | None = env("REDIS_URL", default=None)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": PACKAGE,
            "OPTIONS": {
                # Fail in a bounded time instead of hanging a worker when Redis is unreachable.
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

"""The shared-cache system check: a cache only one process sees fails it, Redis passes."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

NOT_SHARED = [
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.db.DatabaseCache",
]


@pytest.mark.parametrize("backend", NOT_SHARED)
def test_a_cache_that_is_not_shared_fails_the_system_check(backend: str) -> None:
    caches = {"default": {"BACKEND": backend, "LOCATION": "/tmp/nexus-check"}}  # noqa: S108
    with override_settings(CACHES=caches, SILENCED_SYSTEM_CHECKS=[]):
        ids = {message.id for message in run_checks() if message.is_serious()}
    assert "ip_tracking.E001" in ids


def test_redis_passes_the_system_check() -> None:
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    with override_settings(CACHES=caches, SILENCED_SYSTEM_CHECKS=[]):
        ids = {message.id for message in run_checks()}
    assert not ids & {"ip_tracking.E001", "django_ratelimit.E003", "django_ratelimit.W001"}

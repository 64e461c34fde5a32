"""Fixtures shared by every app's tests. Helpers they import live in tests/support/."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

# Fixtures from tests/support/ that tests of any app take by name (a real SMTP server, a TOTP
# clock, a browser, spans in memory{% if cookiecutter.use_celery == "y" %}, a real Celery worker{% endif %}).
pytest_plugins = [
    "tests.support.smtp",
    "tests.support.accounts",
    "tests.support.browser",
    "tests.support.tracing",
{%- if cookiecutter.use_celery == "y" %}
    "tests.support.celery_worker",
{%- endif %}
]


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Tests share one cache (Redis when REDIS_URL is set): start and end each test empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()


@pytest.fixture
def signed_in_client(client: Client, user: User) -> Client:
    """Django's test client with a session for `user` (for views outside DRF, too)."""
    client.force_login(user)
    return client


@pytest.fixture
def auth_client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def require_redis() -> None:
    """Skip unless the shared cache is the real Redis (set REDIS_URL)."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL)")


@pytest.fixture
def require_postgresql() -> None:
    """Skip unless the database is PostgreSQL (set DATABASE_URL): its indexes, its search."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


# A real Redis client pointed at a closed port: failures are real connection errors, not mocks.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


@pytest.fixture
def unreachable_cache() -> Iterator[None]:
    with override_settings(CACHES=UNREACHABLE_REDIS):
        yield

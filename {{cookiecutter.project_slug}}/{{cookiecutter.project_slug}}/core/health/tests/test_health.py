"""The liveness and readiness probes: cheap and database-free, or naming what is down."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client


def test_live_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: pytest-django makes any database access here an error.
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_live_refuses_post(client: Client) -> None:
    assert client.post("/health/live/").status_code == 405


@pytest.mark.django_db
def test_probes_by_ip_address_pass_a_real_host_list_that_refuses_other_requests(
    client: Client, settings
) -> None:
    # A container's health check asks 127.0.0.1:8000; production allows only the public name.
    settings.ALLOWED_HOSTS = ["api.example.com"]
    for probe in ("/health/live/", "/health/ready/"):
        assert client.get(probe, HTTP_HOST="127.0.0.1:8000").status_code == 200, probe
    assert client.get("/api/v1/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_ready_checks_database_and_cache(client: Client) -> None:
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_is_503_naming_the_cache_when_redis_is_unreachable(
    client: Client, unreachable_cache: None
) -> None:
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "unavailable"},
    }


@pytest.fixture
def unreachable_database(transactional_db: None) -> Iterator[None]:
    """Make the next connection attempt go to a database that cannot be opened, then restore.

    The live connection is set aside (SQLite's in-memory test database would vanish if closed),
    so the readiness check really tries, and fails, to connect.
    """
    original_settings = dict(connection.settings_dict)
    live_connection = connection.connection
    connection.connection = None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
        connection.settings_dict["OPTIONS"] = {**original_settings["OPTIONS"], "connect_timeout": 1}
    try:
        yield
    finally:
        connection.settings_dict.clear()
        connection.settings_dict.update(original_settings)
        connection.connection = live_connection


def test_ready_is_503_naming_the_database_when_it_is_unreachable(
    client: Client, unreachable_database: None
) -> None:
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}

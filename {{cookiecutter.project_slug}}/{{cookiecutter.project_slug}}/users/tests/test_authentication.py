"""The access token's check on every request: one query, and every account change refused."""

from typing import Any

import psycopg
import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from ..models import User
from ..selectors import user_by_id

pytestmark = pytest.mark.django_db

ME_URL = reverse("api-v1:users:me")


def signed_in(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_a_request_with_an_access_token_reads_its_user_in_one_query(user: User) -> None:
    client = signed_in(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME_URL)
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    [query] = queries.captured_queries  # logged like any ORM query (Debug Toolbar, tests)
    assert "users_user" in query["sql"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"is_active": False}, "user_inactive"),
        ({"password": make_password("another password entirely")}, "password_changed"),
    ],
    ids=["deactivated", "new-password"],
)
def test_an_account_changed_by_a_bulk_update_is_refused_at_the_next_request(
    user: User, change: dict[str, object], code: str
) -> None:
    # update() sends no signal: only the per-request read can see it.
    client = signed_in(user)
    assert client.get(ME_URL).status_code == 200
    User.objects.filter(pk=user.pk).update(**change)
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_the_user_read_is_the_one_the_orm_reads(user: User) -> None:
    # Every field, with the backend's conversions (SQLite keeps booleans as integers).
    User.objects.filter(pk=user.pk).update(is_staff=True, name="Ada Lovelace")
    expected = User.objects.get(pk=user.pk)
    found = user_by_id(user_id=user.pk)
    assert found is not None
    for field in User._meta.concrete_fields:
        value = getattr(found, field.attname)
        assert value == getattr(expected, field.attname), field.name
        assert type(value) is type(getattr(expected, field.attname)), field.name
    assert found._state.adding is False
    assert found._state.db == expected._state.db


def test_an_unknown_id_is_no_user(user: User) -> None:
    assert user_by_id(user_id=user.pk + 1000) is None


def test_the_schema_documents_the_bearer_token_for_signed_in_endpoints(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert {"jwtAuth": []} in schema["paths"]["/api/v1/users/me/"]["get"]["security"]


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as a request runs
def test_the_user_read_is_the_health_check_and_survives_a_dropped_connection(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    database: Any = connections["default"]  # its health-check flags are not in django-stubs
    if database.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    database.ensure_connection()
    monkeypatch.setattr(database, "health_check_enabled", True)

    def no_separate_check() -> bool:
        raise AssertionError("the user read is the health check: no SELECT 1 before it")

    monkeypatch.setattr(database, "is_usable", no_separate_check)
    database.health_check_done = False  # as at the start of each request
    assert user_by_id(user_id=user.pk) == user
    # The database drops the connection between two requests (a restart, a failover).
    old_pid = database.connection.info.backend_pid
    with psycopg.connect(**database.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    database.health_check_done = False
    found = user_by_id(user_id=user.pk)
    assert found == user
    assert database.connection.info.backend_pid != old_pid

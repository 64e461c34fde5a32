"""The API-wide throttles: per IP when anonymous, per account when logged in, open if down."""

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.core.throttling.throttles import parse_rate

pytestmark = pytest.mark.django_db

ROOT = "/api/v1/"


@pytest.fixture
def tight_throttles(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/d", "user": "3/d"},
    }


def test_anonymous_clients_are_throttled_by_ip_with_retry_after(
    api_client: APIClient, tight_throttles: None
) -> None:
    assert [api_client.get(ROOT, REMOTE_ADDR="203.0.113.1").status_code for _ in range(2)] == [
        200,
        200,
    ]
    limited = api_client.get(ROOT, REMOTE_ADDR="203.0.113.1")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 86400
    assert api_client.get(ROOT, REMOTE_ADDR="203.0.113.2").status_code == 200


def test_users_are_throttled_by_account_across_ips(
    auth_client: APIClient, user: AbstractBaseUser, tight_throttles: None
) -> None:
    statuses = [auth_client.get(ROOT, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_throttles_fail_open_when_the_store_is_unreachable(
    api_client: APIClient, tight_throttles: None, unreachable_cache: None
) -> None:
    assert {api_client.get(ROOT).status_code for _ in range(4)} == {200}


@pytest.mark.parametrize(
    ("rate", "parsed"), [("120/m", (120, 60)), ("5/s", (5, 1)), ("2/day", (2, 86400))]
)
def test_parse_rate(rate: str, parsed: tuple[int, int]) -> None:
    assert parse_rate(rate) == parsed

"""Users in the admin, and the admin login on the same budgets as the API login."""

import pytest
from django.test import Client
from django.urls import reverse

from ..models import User

pytestmark = pytest.mark.django_db


def test_admin_lists_searches_and_adds_users(admin_client: Client) -> None:
    assert (
        admin_client.get(reverse("admin:users_user_changelist"), {"q": "admin"}).status_code == 200
    )
    response = admin_client.post(
        reverse("admin:users_user_add"),
        {
            "email": "new@example.com",
            "password1": "Un1que-pass-phrase",
            "password2": "Un1que-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()


ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def login_rates(settings):
    settings.RATELIMIT_RATES = {
        **settings.RATELIMIT_RATES,
        "login_ip": "3/d",
        "login_email": "100/d",
    }


def admin_login(client: Client, username: str = "ada@example.com", ip: str = "203.0.113.1"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_admin_login_is_rate_limited_with_429_and_retry_after(client: Client, login_rates) -> None:
    assert [admin_login(client).status_code for _ in range(3)] == [200, 200, 200]  # form + error
    limited = admin_login(client)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 86400
    assert client.get(ADMIN_LOGIN, REMOTE_ADDR="203.0.113.1").status_code == 200  # viewing is free


def test_admin_and_api_logins_share_one_budget_per_account(client: Client, settings) -> None:
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "login_email": "2/d"}
    api = client.post(
        "/api/v1/auth/token/",
        {"email": "ada@example.com", "password": "wrong"},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.1",
    )
    assert api.status_code == 401
    assert admin_login(client, ip="198.51.100.2").status_code == 200
    assert admin_login(client, ip="198.51.100.3").status_code == 429


def test_admin_login_fails_closed_when_the_store_is_unreachable(
    client: Client, unreachable_cache: None
) -> None:
    assert admin_login(client).status_code == 503


def test_admin_login_still_logs_in(client: Client, admin_user: User) -> None:
    response = client.post(
        ADMIN_LOGIN, {"username": admin_user.email, "password": "password", "next": "/admin/"}
    )
    assert response.status_code == 302

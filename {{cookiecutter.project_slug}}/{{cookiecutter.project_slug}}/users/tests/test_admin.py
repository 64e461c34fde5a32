"""Users in the admin, and the admin login on the same budgets as the API login."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from tests.support.accounts import Clock, totp

from ..models import User
from .factories import TEST_PASSWORD, UserFactory

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


def two_factor_login(client: Client, email: str, code: str, password: str = TEST_PASSWORD):
    return client.post(
        ADMIN_LOGIN, {"username": email, "password": password, "code": code, "next": "/admin/"}
    )


@pytest.fixture
def staff() -> User:
    return UserFactory.create(is_staff=True, is_superuser=True)


def test_the_admin_refuses_staff_without_two_factor_login(client: Client, staff: User) -> None:
    response = two_factor_login(client, staff.email, "")
    assert response.status_code == 200
    assert "Staff accounts need two-factor login" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still signed out


def test_the_admin_logs_staff_in_with_password_and_totp_code_once(
    client: Client, staff: User, totp_clock: Clock
) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(staff, secret)

    assert two_factor_login(client, staff.email, "000000").status_code == 200
    assert (
        two_factor_login(client, staff.email, totp(secret, totp_clock.now - 90)).status_code == 200
    )
    code = totp(secret, totp_clock.now)
    assert two_factor_login(client, staff.email, code, password="wrong").status_code == 200
    signed_in = two_factor_login(client, staff.email, code)
    assert signed_in.status_code == 302
    assert Client().get("/admin/").status_code == 302  # another browser is not
    assert two_factor_login(Client(), staff.email, code).status_code == 200  # used once


def test_the_admin_takes_a_recovery_code_once(client: Client, staff: User) -> None:
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    code = RecoveryCodes.activate(staff).get_unused_codes()[0]

    assert two_factor_login(client, staff.email, code).status_code == 302
    assert two_factor_login(Client(), staff.email, code).status_code == 200

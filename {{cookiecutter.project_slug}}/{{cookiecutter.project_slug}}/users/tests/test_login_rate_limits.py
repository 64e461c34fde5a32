"""Sensitive endpoints: 429 with Retry-After when over budget, keyed as documented.

Rates are set per day in these tests, so a window never rolls over mid-test.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from {{ cookiecutter.project_slug }}.users.login_limits import submitted_email
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = reverse("api-v1:token-obtain")
REFRESH = reverse("api-v1:token-refresh")


@pytest.fixture
def rates(settings):
    settings.RATELIMIT_RATES = {
        "login_ip": "3/d",
        "login_email": "100/d",
        "token_refresh": "2/d",
{%- if cookiecutter.example_app == "catalog" %}
        "order_create": "2/d",
{%- endif %}
    }
    return settings.RATELIMIT_RATES


def login(client: APIClient, email: str = "nobody@example.com", ip: str = "203.0.113.1", **extra):
    return client.post(
        TOKEN, {"email": email, "password": "wrong"}, format="json", REMOTE_ADDR=ip, **extra
    )


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 86400
    assert "throttled" in response.json()["detail"].lower()


def test_login_is_limited_per_ip_with_429_and_retry_after(api_client: APIClient, rates) -> None:
    assert [login(api_client).status_code for _ in range(3)] == [401, 401, 401]
    assert_limited(login(api_client))


def test_two_ips_do_not_share_a_login_budget(api_client: APIClient, rates) -> None:
    for _ in range(3):
        login(api_client, ip="203.0.113.1")
    assert_limited(login(api_client, ip="203.0.113.1"))
    assert login(api_client, ip="203.0.113.2").status_code == 401


def test_one_account_is_limited_across_ips(api_client: APIClient, rates) -> None:
    rates["login_email"] = "2/d"
    assert login(api_client, email="ada@example.com", ip="198.51.100.1").status_code == 401
    assert login(api_client, email="ADA@example.com", ip="198.51.100.2").status_code == 401
    assert_limited(login(api_client, email="ada@example.com", ip="198.51.100.3"))
    assert login(api_client, email="bob@example.com", ip="198.51.100.4").status_code == 401


def test_a_limited_login_never_checks_the_password(
    api_client: APIClient, user: User, rates
) -> None:
    for _ in range(3):
        login(api_client, email=user.email)
    response = api_client.post(
        TOKEN,
        {"email": user.email, "password": TEST_PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.1",
    )
    assert_limited(response)  # even the right password: the budget is spent


def test_forged_forwarded_for_cannot_bypass_the_limit_without_a_proxy(
    api_client: APIClient, rates
) -> None:
    for n in range(3):
        login(api_client, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert_limited(login(api_client, HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_forged_forwarded_for_cannot_bypass_the_limit_behind_one_proxy(
    api_client: APIClient, rates, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client rotates what it puts in the header; the proxy appends the real address.
    for n in range(3):
        login(api_client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
    assert_limited(login(api_client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.9, 203.0.113.7"))


def test_forged_forwarded_for_cannot_frame_another_ip(
    api_client: APIClient, rates, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # An attacker names the victim in the header; the budget spent is the attacker's own.
    for _ in range(4):
        login(api_client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.66")
    victim = login(api_client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert victim.status_code == 401


def test_token_refresh_is_limited_per_ip(api_client: APIClient, rates) -> None:
    for _ in range(2):
        response = api_client.post(REFRESH, {"refresh": "junk"}, format="json")
        assert response.status_code == 401
    assert_limited(api_client.post(REFRESH, {"refresh": "junk"}, format="json"))


def test_login_fails_closed_with_503_when_the_store_is_unreachable(
    api_client: APIClient, unreachable_cache: None
) -> None:
    response = login(api_client)
    assert response.status_code == 503
    assert response.json()["detail"]


def test_refresh_fails_open_when_the_store_is_unreachable(
    api_client: APIClient, unreachable_cache: None
) -> None:
    response = api_client.post(REFRESH, {"refresh": "junk"}, format="json")
    assert response.status_code == 401  # served: the token itself is the protection


def test_limits_can_be_switched_off(api_client: APIClient, rates, settings) -> None:
    settings.RATELIMIT_ENABLE = False
    assert {login(api_client).status_code for _ in range(5)} == {401}


def test_submitted_email_reads_the_api_body_or_the_admin_form() -> None:
    factory = APIRequestFactory()

    def api(body: object) -> Request:
        return Request(factory.post("/", body, format="json"), parsers=[JSONParser()])

    assert submitted_email("g", api({"email": " Ada@Example.com "})) == "ada@example.com"
    assert submitted_email("g", api(["not", "a", "dict"])) == ""
    form = RequestFactory().post("/", {"username": "Bob@Example.com"})
    assert submitted_email("g", form) == "bob@example.com"

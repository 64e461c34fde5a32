"""What reaches allauth's views: the methods they implement, and JSON objects of strings.

Each case was found by attacking a bake's account endpoints (users/middleware.py says why).
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.support.accounts import ACCOUNTS, PASSWORD, AccountClient
from tests.support.smtp import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = f"{ACCOUNTS}/auth/signup"


def post(body: bytes, content_type: str = "application/json", path: str = SIGNUP):
    return Client().generic("POST", path, body, content_type=content_type)


def test_options_never_checks_a_password(smtp_server: Mailbox) -> None:
    AccountClient().sign_up("ada@example.com", smtp_server)
    client = Client()

    def options(password: str):
        body = json.dumps({"email": "ada@example.com", "password": password})
        return client.generic("OPTIONS", f"{ACCOUNTS}/auth/login", body, "application/json")

    right, wrong = options(PASSWORD), options("not the password")

    assert (right.status_code, right.content) == (wrong.status_code, wrong.content) == (204, b"")
    assert "POST" in right["Allow"]


def test_head_is_answered_where_get_is() -> None:
    assert Client().head(f"{ACCOUNTS}/config").status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"email": "ada@example.com"}', "text/plain", 415, "unsupported_media_type"),
        (b'{"email": "ada@example.com"}', "application/x-www-form-urlencoded", 415, None),
        ('{"email": "ada@example.com"}'.encode("utf-16"), "application/json", 400, "invalid_body"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "invalid_body"),
        (b'"just a string"', "application/json", 400, "invalid_body"),
        (b'{"email": "ada@example.com", "password": ["a", "list"]}', "application/json", 400, None),
        (b'{"email": "ada@example.com", "password": 12345678901}', "application/json", 400, None),
        (b"x" * 3_000_000, "application/json", 400, "too_large"),
    ],
    ids=["text", "form", "utf-16", "deep", "not-an-object", "list", "number", "too-large"],
)
def test_a_body_allauth_would_misread_is_refused_in_its_envelope(
    smtp_server: Mailbox, body: bytes, content_type: str, status: int, code: str | None
) -> None:
    response = post(body, content_type)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["errors"][0]
    assert error["code"] == (code or error["code"])
    assert not get_user_model().objects.exists()
    assert smtp_server.messages == []


def test_a_password_longer_than_every_form_takes_is_refused_at_sign_up(
    smtp_server: Mailbox,
) -> None:
    answer = AccountClient().call(
        "POST", "/auth/signup", {"email": "ada@example.com", "password": "long " * 1000}
    )

    assert answer.status == 400
    assert {error["param"] for error in answer.body["errors"]} == {"password"}
    assert not get_user_model().objects.exists()


def test_a_reset_code_is_checked_by_the_post_alone(smtp_server: Mailbox) -> None:
    # Found by the fuzz run: this GET, after a reset asked for an unknown address, was a 500.
    app = AccountClient()
    app.call("POST", "/auth/password/request", {"email": "nobody@example.com"})
    response = app.http.get(
        f"{ACCOUNTS}/auth/password/reset",
        headers={"X-Session-Token": app.session_token, "X-Password-Reset-Key": "ABCD-EFGH"},
    )

    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "GET" not in response["Allow"]


def test_a_get_that_checks_a_code_counts_against_the_code_budget(smtp_server: Mailbox) -> None:
    from django.conf import settings
    from django.test import override_settings

    app = AccountClient()
    app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    headers = {"X-Session-Token": app.session_token, "X-Email-Verification-Key": "WRONG-CODE"}
    limits = {**settings.RATELIMIT_RATES, "code_account": "1/m"}
    with override_settings(RATELIMIT_RATES=limits):
        first = app.http.get(f"{ACCOUNTS}/auth/email/verify", headers=headers)
        second = app.http.get(f"{ACCOUNTS}/auth/email/verify", headers=headers)

    assert first.status_code == 400
    assert second.status_code == 429

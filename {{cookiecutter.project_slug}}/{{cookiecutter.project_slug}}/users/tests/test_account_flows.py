"""The account lifecycle through the API, end to end, with the e-mails going through real SMTP.

Sign-up, verification, login, password change and reset, address change and account closing, as
an app calls them (tests/support/accounts.py), on PostgreSQL and Redis. Each code is read from the
message the local SMTP server received (tests/support/smtp.py).
"""

import pytest
from django.contrib.auth import get_user_model

from tests.support.accounts import NEW_PASSWORD, PASSWORD, AccountClient
from tests.support.smtp import Mailbox, code_in, html_of

pytestmark = pytest.mark.django_db(transaction=True)  # e-mails leave after the commit

ME = "/api/v1/users/me/"
TOKEN = "/api/v1/auth/token/"


def test_sign_up_verify_with_the_mailed_code_and_use_the_api(smtp_server: Mailbox) -> None:
    app = AccountClient()
    signed_up = app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    assert signed_up.status == 401
    assert signed_up.pending == {"verify_email"}
    assert app.access is None  # no token before the address is verified

    mail = smtp_server.last_to("ada@example.com")
    code = code_in(mail)
    assert code in html_of(mail)  # the HTML part says the same
    verified = app.call("POST", "/auth/email/verify", {"key": code})

    assert verified.status == 200
    assert verified.body["meta"]["is_authenticated"] is True
    me = app.api("GET", ME)
    assert me.status == 200
    assert me.body["email"] == "ada@example.com"


def test_an_unverified_account_gets_no_token_by_either_login(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})

    login = app.log_in("ada@example.com")
    password_login = app.api("POST", TOKEN, {"email": "ada@example.com", "password": PASSWORD})

    assert login.status == 401
    assert login.pending == {"verify_email"}
    assert app.access is None
    assert password_login.status == 401
    assert password_login.body["code"] == "email_not_verified"


def test_passwords_are_checked_by_djangos_validators(smtp_server: Mailbox) -> None:
    app = AccountClient()
    weak = app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": "password"})

    assert weak.status == 400
    assert {error["param"] for error in weak.body["errors"]} == {"password"}
    assert not get_user_model().objects.exists()  # nothing left behind
    assert smtp_server.messages == []


def test_a_password_change_needs_the_current_password_and_revokes_every_token(
    smtp_server: Mailbox,
) -> None:
    phone = AccountClient()
    phone.sign_up("ada@example.com", smtp_server)
    laptop = AccountClient(ip="203.0.113.11")
    laptop.log_in("ada@example.com")
    assert laptop.access
    assert phone.access

    wrong = laptop.call(
        "POST",
        "/account/password/change",
        {"current_password": "nope", "new_password": NEW_PASSWORD},
    )
    assert wrong.status == 400
    assert phone.api("GET", ME).status == 200  # nothing changed

    changed = laptop.call(
        "POST",
        "/account/password/change",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status == 401  # changed, and logged out everywhere: log in again

    for device in (phone, laptop):
        assert device.api("GET", ME).status == 401  # the access token, at once
        assert device.refreshed().status == 401  # the refresh token
    assert AccountClient().log_in("ada@example.com", NEW_PASSWORD).status == 200
    assert "Password Changed" in str(
        smtp_server.wait_for("ada@example.com", count=2)[-1]["Subject"]
    )


def test_a_password_reset_by_mailed_code_revokes_every_token(smtp_server: Mailbox) -> None:
    phone = AccountClient()
    phone.sign_up("ada@example.com", smtp_server)
    stranger = AccountClient(ip="198.51.100.7")

    requested = stranger.call("POST", "/auth/password/request", {"email": "ada@example.com"})
    assert requested.status == 401
    assert requested.pending == {"password_reset_by_code"}
    code = code_in(smtp_server.wait_for("ada@example.com", count=2)[-1])
    reset = stranger.call("POST", "/auth/password/reset", {"key": code, "password": NEW_PASSWORD})

    assert reset.status in {200, 401}
    assert phone.api("GET", ME).status == 401
    assert phone.refreshed().status == 401
    assert AccountClient().log_in("ada@example.com", PASSWORD).status == 400
    assert AccountClient().log_in("ada@example.com", NEW_PASSWORD).status == 200


def test_an_address_change_waits_for_the_new_address_to_be_verified(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)

    added = app.call("POST", "/account/email", {"email": "ada@lovelace.org"})
    assert added.status == 200
    assert app.api("GET", ME).body["email"] == "ada@example.com"  # not before it is verified
    code = code_in(smtp_server.last_to("ada@lovelace.org"))
    verified = app.call("POST", "/auth/email/verify", {"key": code})

    assert verified.status == 200
    assert app.api("GET", ME).body["email"] == "ada@lovelace.org"
    assert AccountClient().log_in("ada@lovelace.org").status == 200
    assert AccountClient().log_in("ada@example.com").status == 400


def test_closing_the_account_needs_the_password_and_revokes_its_tokens(
    smtp_server: Mailbox,
) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)

    wrong = app.api("DELETE", ME, {"password": "nope"})
    assert wrong.status == 403
    assert wrong.body["code"] == "wrong_password"
    assert app.api("GET", ME).status == 200

    closed = app.api("DELETE", ME, {"password": PASSWORD})
    assert closed.status == 204
    assert not get_user_model().objects.filter(email="ada@example.com").exists()
    assert app.api("GET", ME).status == 401
    assert app.refreshed().status == 401
    assert AccountClient().log_in("ada@example.com").status == 400


def test_deactivating_an_account_revokes_its_tokens(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)
    user = get_user_model().objects.get(email="ada@example.com")

    user.is_active = False
    user.save()  # as the admin does

    assert app.api("GET", ME).status == 401
    assert app.refreshed().status == 401


def test_logging_out_ends_the_session_of_the_flows(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)
    assert app.call("GET", "/auth/session").status == 200

    assert app.call("DELETE", "/auth/session").status == 401  # signed out
    assert app.call("GET", "/auth/session").status == 410  # that session token is gone


def test_allauths_refresh_endpoint_rotates_the_apis_tokens(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)
    old = app.refresh

    rotated = app.call("POST", "/tokens/refresh", {"refresh_token": old})
    again = app.call("POST", "/tokens/refresh", {"refresh_token": old})

    assert rotated.status == 200
    access = rotated.body["data"]["access_token"]
    assert app.api("GET", ME, access=access).status == 200
    assert again.status == 400  # the old refresh token was used up
    assert app.refreshed(old).status == 401

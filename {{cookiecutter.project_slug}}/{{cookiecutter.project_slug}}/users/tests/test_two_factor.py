"""Two-factor login with TOTP and recovery codes, through the API, on a clock the test sets.

The codes are computed by the test's own RFC 6238 implementation (tests/support/accounts.py), so
a wrong algorithm in the library fails here too.
"""

from functools import partial

import pytest

from tests.support.accounts import PASSWORD, AccountClient, Clock, race, totp
from tests.support.fresh_process import skip_without_services
from tests.support.smtp import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)

TOTP_URL = "/account/authenticators/totp"


def with_totp(mailbox: Mailbox, clock: Clock) -> tuple[AccountClient, str]:
    """A signed-up user who turned TOTP on; returns their app and the TOTP secret."""
    app = AccountClient()
    app.sign_up("ada@example.com", mailbox)
    # Changing how one logs in needs a fresh password check (a code-verified sign-up is not one).
    assert app.call("POST", "/auth/reauthenticate", {"password": PASSWORD}).status == 200
    secret = app.call("GET", TOTP_URL).body["meta"]["secret"]
    activated = app.call("POST", TOTP_URL, {"code": totp(secret, clock.now)})
    assert activated.status == 200, activated.body
    clock.now += 30  # the activation code is used up: the next login takes the next one
    return app, secret


def test_a_login_with_totp_needs_the_code_of_the_moment(
    smtp_server: Mailbox, totp_clock: Clock
) -> None:
    _, secret = with_totp(smtp_server, totp_clock)
    app = AccountClient()

    first = app.log_in("ada@example.com")
    assert first.status == 401
    assert first.pending == {"mfa_authenticate"}
    assert app.access is None
    stale = app.call("POST", "/auth/2fa/authenticate", {"code": totp(secret, totp_clock.now - 90)})
    assert stale.status == 400
    done = app.call("POST", "/auth/2fa/authenticate", {"code": totp(secret, totp_clock.now)})

    assert done.status == 200
    assert app.api("GET", "/api/v1/users/me/").status == 200


def test_a_totp_code_is_accepted_once(smtp_server: Mailbox, totp_clock: Clock) -> None:
    _, secret = with_totp(smtp_server, totp_clock)
    code = totp(secret, totp_clock.now)
    first, second = AccountClient(), AccountClient()
    first.log_in("ada@example.com")
    second.log_in("ada@example.com")

    assert first.call("POST", "/auth/2fa/authenticate", {"code": code}).status == 200
    assert second.call("POST", "/auth/2fa/authenticate", {"code": code}).status == 400


def test_the_password_login_refuses_an_account_with_two_factors(
    smtp_server: Mailbox, totp_clock: Clock
) -> None:
    app, _ = with_totp(smtp_server, totp_clock)

    answer = app.api(
        "POST", "/api/v1/auth/token/", {"email": "ada@example.com", "password": PASSWORD}
    )

    assert answer.status == 401
    assert answer.body["code"] == "two_factor_required"


def test_a_recovery_code_logs_in_once(smtp_server: Mailbox, totp_clock: Clock) -> None:
    app, _ = with_totp(smtp_server, totp_clock)
    codes = app.call("GET", "/account/authenticators/recovery-codes").body["data"]["unused_codes"]
    assert len(codes) >= 8

    first, second = AccountClient(), AccountClient()
    first.log_in("ada@example.com")
    second.log_in("ada@example.com")
    assert first.call("POST", "/auth/2fa/authenticate", {"code": codes[0]}).status == 200
    assert second.call("POST", "/auth/2fa/authenticate", {"code": codes[0]}).status == 400


def test_one_recovery_code_raced_by_two_logins_works_once(
    smtp_server: Mailbox, totp_clock: Clock
) -> None:
    skip_without_services()
    app, _ = with_totp(smtp_server, totp_clock)
    code = app.call("GET", "/account/authenticators/recovery-codes").body["data"]["unused_codes"][0]
    racers = [AccountClient(ip=f"203.0.113.{20 + n}") for n in range(2)]
    for racer in racers:
        racer.log_in("ada@example.com")

    statuses = race(
        *(partial(racer.call, "POST", "/auth/2fa/authenticate", {"code": code}) for racer in racers)
    )

    assert sorted(statuses) == [200, 400]

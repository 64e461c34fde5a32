"""Mailed codes are single use: once, never twice, even when two requests race with one.

allauth keeps a flow's pending code in the flow's session; users/flow_locks.py makes the requests
of one flow take turns, so the second finds the code used.
"""

from functools import partial

import pytest

from tests.support.accounts import NEW_PASSWORD, PASSWORD, AccountClient, race
from tests.support.fresh_process import skip_without_services
from tests.support.smtp import Mailbox, code_in

pytestmark = pytest.mark.django_db(transaction=True)  # e-mails leave after the commit


def test_a_verification_code_works_once(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    code = code_in(smtp_server.last_to("ada@example.com"))

    first = app.call("POST", "/auth/email/verify", {"key": code})
    again = app.call("POST", "/auth/email/verify", {"key": code})

    assert first.status == 200
    assert again.status != 200


def test_two_concurrent_uses_of_one_verification_code_succeed_once(smtp_server: Mailbox) -> None:
    skip_without_services()  # a race needs PostgreSQL and the shared Redis
    app = AccountClient()
    app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    code = code_in(smtp_server.last_to("ada@example.com"))
    racers = [AccountClient(session_token=app.session_token) for _ in range(4)]

    statuses = race(
        *(partial(racer.call, "POST", "/auth/email/verify", {"key": code}) for racer in racers)
    )

    assert sorted(statuses).count(200) == 1, statuses
    assert sum(1 for racer in racers if racer.refresh) == 1


def test_wrong_codes_use_the_code_up(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    code = code_in(smtp_server.last_to("ada@example.com"))
    for _ in range(3):
        assert app.call("POST", "/auth/email/verify", {"key": "WRONG-CODE"}).status == 400

    assert app.call("POST", "/auth/email/verify", {"key": code}).status != 200


def test_a_reset_code_works_once_even_when_raced(smtp_server: Mailbox) -> None:
    skip_without_services()
    AccountClient().sign_up("ada@example.com", smtp_server)
    asker = AccountClient()
    asker.call("POST", "/auth/password/request", {"email": "ada@example.com"})
    code = code_in(smtp_server.wait_for("ada@example.com", count=2)[-1])
    passwords = [NEW_PASSWORD, NEW_PASSWORD + " again"]

    statuses = race(
        *(
            partial(
                AccountClient(session_token=asker.session_token).call,
                "POST",
                "/auth/password/reset",
                {"key": code, "password": password},
            )
            for password in passwords
        )
    )
    late = AccountClient(session_token=asker.session_token).call(
        "POST", "/auth/password/reset", {"key": code, "password": "yet another pass phrase"}
    )

    assert sum(1 for status in statuses if status in {200, 401}) == 1, statuses
    assert late.status not in {200, 401}
    worked = [p for p in passwords if AccountClient().log_in("ada@example.com", p).status == 200]
    assert len(worked) == 1

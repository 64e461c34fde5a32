"""The account flows against abuse: every flow rate-limited, and no answer tells who has an account."""

import statistics
import time
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support.accounts import ACCOUNTS, PASSWORD, AccountClient, Answer
from tests.support.smtp import Mailbox

from ..account_limits import BUDGETS, FLOW_BUDGETS, UNCOUNTED
from ..headless import HEADLESS_NAMESPACE

pytestmark = pytest.mark.django_db(transaction=True)


def rates(**changed: str) -> override_settings:
    from django.conf import settings

    return override_settings(RATELIMIT_RATES={**settings.RATELIMIT_RATES, **changed})


def account_url_names() -> set[str]:
    """Every URL name allauth serves app clients, as FLOW_BUDGETS writes them."""
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif namespace.startswith(HEADLESS_NAMESPACE) and pattern.name:
                names.add(f"{namespace}{pattern.name}".removeprefix(HEADLESS_NAMESPACE))

    walk(get_resolver().url_patterns, "")
    return names


@pytest.mark.parametrize("flow", sorted(FLOW_BUDGETS))
def test_every_counted_endpoint_refuses_an_ip_over_its_budget(flow: str) -> None:
    (_, ip_rate, _), *_ = BUDGETS[FLOW_BUDGETS[flow]]
    app = AccountClient(ip="198.51.100.50")
    path = reverse(f"{HEADLESS_NAMESPACE}{flow}").removeprefix(ACCOUNTS)
    with rates(**{ip_rate: "1/m"}):
        first = app.call("POST", path, {})
        second = app.call("POST", path, {})

    assert first.status != 429
    assert_limited(second)


def test_every_account_endpoint_is_counted_or_named_as_uncounted() -> None:
    names = account_url_names()

    assert names, "allauth's app URLs are not mounted"
    assert names == set(FLOW_BUDGETS) | UNCOUNTED


def body_shape(answer: Answer) -> dict[str, object]:
    """The answer without the values that differ per request (the session token)."""
    meta = dict(answer.body.get("meta", {}))
    if "session_token" in meta:
        meta["session_token"] = "..."
    return {**answer.body, "meta": meta}


def test_signing_up_with_a_taken_address_answers_as_for_a_new_one(smtp_server: Mailbox) -> None:
    AccountClient().sign_up("ada@example.com", smtp_server)

    taken = AccountClient().call(
        "POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD}
    )
    new = AccountClient().call(
        "POST", "/auth/signup", {"email": "bob@example.com", "password": PASSWORD}
    )

    assert (taken.status, body_shape(taken)) == (new.status, body_shape(new))
    # The owner hears of it; the one who tried learns nothing.
    assert "Already" in str(smtp_server.wait_for("ada@example.com", count=2)[-1]["Subject"])


def test_a_reset_for_an_unknown_address_answers_as_for_a_known_one(smtp_server: Mailbox) -> None:
    AccountClient().sign_up("ada@example.com", smtp_server)

    known = AccountClient().call("POST", "/auth/password/request", {"email": "ada@example.com"})
    unknown = AccountClient().call(
        "POST", "/auth/password/request", {"email": "nobody@example.com"}
    )

    assert (known.status, body_shape(known)) == (unknown.status, body_shape(unknown))


def test_a_login_to_an_unknown_address_answers_as_a_wrong_password(smtp_server: Mailbox) -> None:
    AccountClient().sign_up("ada@example.com", smtp_server)

    wrong = AccountClient().log_in("ada@example.com", "not the password")
    unknown = AccountClient().log_in("nobody@example.com", "not the password")

    assert (wrong.status, wrong.body) == (unknown.status, unknown.body)


def median_seconds(call: Callable[[int], object], times: int = 5) -> float:
    durations = []
    for n in range(times):
        started = time.perf_counter()
        call(n)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


# Argon2 as in production (the test settings' MD5 would hide a hash done on one path only).
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_taken_and_new_addresses_answer_in_about_the_same_time(smtp_server: Mailbox) -> None:
    AccountClient().sign_up("ada@example.com", smtp_server)

    def sign_up(email: Callable[[int], str]) -> Callable[[int], object]:
        return lambda n: AccountClient(ip=f"198.51.100.{n}").call(
            "POST", "/auth/signup", {"email": email(n), "password": PASSWORD}
        )

    def log_in(email: str) -> Callable[[int], object]:
        return lambda n: AccountClient(ip=f"198.51.100.{n}").log_in(email, "not the password")

    with rates(mail_ip="1000/h", mail_account="1000/h", login_ip="1000/m", login_email="1000/m"):
        taken = median_seconds(sign_up(lambda n: "ada@example.com"))
        new = median_seconds(sign_up(lambda n: f"new{n}@example.com"))
        known = median_seconds(log_in("ada@example.com"))
        unknown = median_seconds(log_in("nobody@example.com"))

    # Within a factor of three: a path that skipped the password hash was eight times faster.
    assert max(taken, new) / min(taken, new) < 3, (taken, new)
    assert max(known, unknown) / min(known, unknown) < 3, (known, unknown)


def assert_limited(answer: Answer) -> None:
    assert answer.status == 429, answer.body
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.body["status"] == 429  # allauth's envelope, which its clients read
    assert answer.body["errors"][0]["code"] == "throttled"


def test_sign_ups_to_one_address_are_limited_whatever_the_ip(smtp_server: Mailbox) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}
    with rates(mail_account="2/h"):
        for n in range(2):
            assert (
                AccountClient(ip=f"198.51.100.{n}").call("POST", "/auth/signup", body).status == 401
            )
        assert_limited(AccountClient(ip="198.51.100.9").call("POST", "/auth/signup", body))
        other = {"email": "bob@example.com", "password": PASSWORD}
        assert AccountClient(ip="198.51.100.9").call("POST", "/auth/signup", other).status == 401


def test_mail_from_one_ip_is_limited_whatever_the_address(smtp_server: Mailbox) -> None:
    app = AccountClient()
    with rates(mail_ip="2/h"):
        for n in range(2):
            app.call("POST", "/auth/password/request", {"email": f"someone{n}@example.com"})
        assert_limited(app.call("POST", "/auth/password/request", {"email": "x@example.com"}))


def test_code_guesses_are_limited_per_login_flow(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.call("POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    with rates(code_account="2/m"):
        for _ in range(2):
            assert app.call("POST", "/auth/email/verify", {"key": "WRONG-CODE"}).status == 400
        assert_limited(app.call("POST", "/auth/email/verify", {"key": "WRONG-CODE"}))


def test_logins_share_one_budget_per_account_across_the_api_and_allauth(
    smtp_server: Mailbox,
) -> None:
    AccountClient().sign_up("ada@example.com", smtp_server)
    with rates(login_email="2/m"):
        AccountClient(ip="198.51.100.1").log_in("ada@example.com", "wrong")
        attacker = AccountClient(ip="198.51.100.2")
        attacker.api("POST", "/api/v1/auth/token/", {"email": "ada@example.com", "password": "x"})
        assert_limited(AccountClient(ip="198.51.100.3").log_in("ada@example.com", "wrong"))


def test_password_change_guesses_are_limited(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)
    wrong = {"current_password": "guess", "new_password": "a brand new pass phrase"}
    with rates(login_email="2/m"):
        for _ in range(2):
            assert app.call("POST", "/account/password/change", wrong).status == 400
        assert_limited(app.call("POST", "/account/password/change", wrong))


def test_closing_an_account_counts_its_password_check(smtp_server: Mailbox) -> None:
    app = AccountClient()
    app.sign_up("ada@example.com", smtp_server)
    with rates(login_email="2/m"):
        for _ in range(2):
            assert app.api("DELETE", "/api/v1/users/me/", {"password": "guess"}).status == 403
        limited = app.api("DELETE", "/api/v1/users/me/", {"password": PASSWORD})
    assert limited.status == 429
    assert app.api("GET", "/api/v1/users/me/").status == 200  # still there


def test_an_unreachable_limiter_closes_the_account_flows(
    smtp_server: Mailbox, unreachable_cache: None
) -> None:
    answer = AccountClient().call(
        "POST", "/auth/signup", {"email": "ada@example.com", "password": PASSWORD}
    )

    assert answer.status == 503
    assert answer.body["status"] == 503


def test_allauths_own_copies_of_its_description_are_not_served(client: Client) -> None:
    for path in ("/_allauth/openapi.json", "/_allauth/openapi.yaml", "/_allauth/openapi.html"):
        assert client.get(path).status_code == 404
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/_allauth/app/v1/auth/signup" in schema["paths"]  # joined into the API's own

"""Error reporting: a real event sent to a local Sentry endpoint, with no personal data in it."""

import gzip
import json
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.core.observability.error_reporting import (
    REDACTED,
    scrub_event,
)

from tests.support.fresh_process import PROJECT_ROOT, run_in_production

EMAIL = "ada.lovelace@example.com"
PASSWORD = "correct horse battery staple"  # the secret that must not leave
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo0Mn0.c2lnbmF0dXJlLW5vdC1yZWFs"
# Run in a fresh process: sentry-sdk patches Django for good once started. The secrets come in
# through the environment (os.environ below), as a request's would come in from a client.
REQUEST = """
import logging
import os

import django

django.setup()
import sentry_sdk
from django.test import Client

from {{ cookiecutter.project_slug }}.core.api.apis import ApiRootApi

email, password, jwt = os.environ["TEST_EMAIL"], os.environ["TEST_PASSWORD"], os.environ["TEST_JWT"]


def failing(self, request):
    logging.getLogger("checkout").warning("retrying for %s", email)
    raise RuntimeError(f"could not serve {email} with {jwt}")


ApiRootApi.post = failing
response = Client(raise_request_exception=False).post(
    "/api/v1/?email=" + email,
    {"email": email, "password": password, "refresh": jwt},
    content_type="application/json",
    # Not "Bearer", nor Django's session cookie: an unknown token or session would be refused
    # before the view could fail.
    headers={"Authorization": "Token " + jwt, "Cookie": "remember=s3cr3t-session"},
)
print(response.status_code, sentry_sdk.get_client().is_active())
sentry_sdk.flush(10)
"""


@pytest.fixture
def sentry() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local endpoint that takes what sentry-sdk sends, as Sentry's ingestion would."""
    received: list[dict[str, Any]] = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "identity")
            assert encoding in {"gzip", "identity"}, encoding
            raw = gzip.decompress(body) if encoding == "gzip" else body
            _header, *items = raw.decode().splitlines()
            # An envelope: its header, then each item's header and payload, one line each.
            for item_header, payload in zip(items[::2], items[1::2], strict=True):
                if json.loads(item_header)["type"] == "event":
                    received.append(json.loads(payload))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://public@127.0.0.1:{server.server_address[1]}/1", received
    finally:
        server.shutdown()
        server.server_close()


def send_a_failing_request(dsn: str) -> list[str]:
    result = run_in_production(
        REQUEST,
        SENTRY_DSN=dsn,
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",  # the view's warning is a breadcrumb of the event
        IP_MONITOR_ENABLED="false",  # its "store unavailable" error would be an event too
        TEST_EMAIL=EMAIL,
        TEST_PASSWORD=PASSWORD,
        TEST_JWT=JWT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_an_error_is_reported_with_its_release_and_no_personal_data(
    sentry: tuple[str, list[dict[str, Any]]],
) -> None:
    dsn, received = sentry
    assert send_a_failing_request(dsn) == ["500", "True"]
    (event,) = received
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == f"could not serve {REDACTED} with {REDACTED}"
    assert event["transaction"] == "/api/v1/"
    # The body's sensitive fields are kept as keys, their values blanked.
    assert event["request"]["data"] == dict.fromkeys(["email", "password", "refresh"], REDACTED)
    version = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert event["release"] == f"{{ cookiecutter.project_slug }}@{version}"
    assert event["environment"] == "production"
    sent = json.dumps(event)
    for secret in (EMAIL, PASSWORD, JWT, "s3cr3t-session", "127.0.0.1:1"):
        assert secret not in sent, secret
    breadcrumbs = [crumb.get("message") for crumb in event["breadcrumbs"]["values"]]
    assert f"retrying for {REDACTED}" in breadcrumbs  # the log line, kept, its address gone


def test_without_a_dsn_nothing_is_started(sentry: tuple[str, list[dict[str, Any]]]) -> None:
    assert send_a_failing_request("") == ["500", "False"]
    assert sentry[1] == []


@pytest.mark.parametrize(
    "text",
    [
        # Found by a review: what clients send, encoded, went out as it was.
        "POST '/api/v1/?email=ada.lovelace%40example.com'",
        f"next=%2Fx%3Ftoken%3D{JWT}",
        f"q=%7B%22access%22%3A%22{JWT}%22%7D",
        f"token{JWT}",
        f"x_{JWT}",
        "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo0Mn0=.",  # padded, no signature
        "alice@example.рф",
        "a!b#c$d@example.com",
    ],
)
def test_encoded_glued_and_unusual_secrets_are_scrubbed(text: str) -> None:
    scrubbed = scrub_event({"message": text}, {})["message"]
    assert REDACTED in scrubbed
    for secret in ("example", "eyJ"):
        assert secret not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "address", ['"ada lovelace"@example.com', "ada@[192.0.2.1]", "ada@[IPv6:2001:db8::1]"]
)
def test_quoted_and_address_literal_emails_are_scrubbed(address: str) -> None:
    # Found by a review: RFC 5322 allows both, and the first pattern let them through.
    assert scrub_event({"message": f"to {address}."}, {}) == {"message": f"to {REDACTED}."}


@pytest.mark.parametrize(
    "text", ["shop@1.4.0", "pkg@2024.01.02", "nexus_shop@0.1.0rc1", "@property", "eyJ.not.a.jwt"]
)
def test_what_only_looks_like_a_secret_is_kept(text: str) -> None:
    assert scrub_event({"message": text}, {}) == {"message": text}


def test_dictionary_keys_are_scrubbed_too() -> None:
    # Found by a review: a view's local `{email: 1}` went out with the address as its key.
    assert scrub_event({"vars": {EMAIL: 1, "count": 2}}, {}) == {"vars": {REDACTED: 1, "count": 2}}


def test_scrubbing_reaches_every_string_of_an_event() -> None:
    event = {
        "release": "shop@1.4.0",  # found here: a release looks like an address to a loose pattern
        "message": f"mail {EMAIL} failed",
        "extra": {"sent": [f"to {EMAIL}", ("token", JWT)], "count": 3},
        "tags": {"jwt": f"Bearer {JWT}"},
    }
    assert scrub_event(event, {}) == {
        "release": "shop@1.4.0",
        "message": f"mail {REDACTED} failed",
        "extra": {"sent": [f"to {REDACTED}", ["token", REDACTED]], "count": 3},
        "tags": {"jwt": f"Bearer {REDACTED}"},
    }

"""A client of the account flows, as an app would be one; a TOTP clock the test sets.

It keeps allauth's session token and the API's JWT pair that the flows hand out; the codes come
from a real mailbox (tests/support/smtp.py).
"""

import base64
import hashlib
import hmac
import json
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from allauth.mfa.totp.internal import auth as totp_auth
from django.db import connection
from django.test import Client

from .smtp import Mailbox, code_in

ACCOUNTS = "/_allauth/app/v1"
PASSWORD = "a long pass phrase, 1st"
NEW_PASSWORD = "a longer pass phrase, 2nd"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def pending(self) -> set[str]:
        """The ids of allauth's flows waiting for the client (verify_email, mfa_authenticate...)."""
        flows = self.body.get("data", {}).get("flows", [])
        return {flow["id"] for flow in flows if flow.get("is_pending")}


@dataclass
class AccountClient:
    """One app install: its own session token and tokens. `ip` sets REMOTE_ADDR."""

    ip: str = "203.0.113.10"
    session_token: str | None = None
    access: str | None = None
    refresh: str | None = None
    http: Client = field(default_factory=Client)

    def call(self, method: str, path: str, body: Any = None, *, token: bool = True) -> Answer:
        """Call allauth's endpoint ACCOUNTS + path with the session token; keep what it hands out."""
        headers = {"X-Session-Token": self.session_token} if token and self.session_token else {}
        response = self.http.generic(
            method,
            ACCOUNTS + path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=headers,
            REMOTE_ADDR=self.ip,
        )
        answer = Answer(
            response.status_code,
            response.json() if response.content else {},
            dict(response.headers),
        )
        meta = answer.body.get("meta", {})
        if "session_token" in meta:
            self.session_token = meta["session_token"]
        if "access_token" in meta:
            self.access, self.refresh = meta["access_token"], meta["refresh_token"]
        return answer

    def api(self, method: str, path: str, body: Any = None, *, access: str | None = None) -> Answer:
        """Call the REST API (/api/v1/...) with the access token (or `access`)."""
        bearer = access or self.access
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = self.http.generic(
            method,
            path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=headers,
            REMOTE_ADDR=self.ip,
        )
        return Answer(
            response.status_code,
            response.json() if response.content else {},
            dict(response.headers),
        )

    def refreshed(self, refresh: str | None = None) -> Answer:
        """Trade a refresh token (this client's by default) at /api/v1/auth/token/refresh/."""
        return self.api("POST", "/api/v1/auth/token/refresh/", {"refresh": refresh or self.refresh})

    def sign_up(self, email: str, mailbox: Mailbox, password: str = PASSWORD) -> Answer:
        """Sign up and verify with the code mailed to `email`: the answer that logs in."""
        self.call("POST", "/auth/signup", {"email": email, "password": password})
        code = code_in(mailbox.last_to(email))
        return self.call("POST", "/auth/email/verify", {"key": code})

    def log_in(self, email: str, password: str = PASSWORD) -> Answer:
        self.session_token = None
        return self.call("POST", "/auth/login", {"email": email, "password": password})


def race(*calls: Callable[[], Answer]) -> list[int]:
    """Run `calls` at the same moment, each in its own thread; their statuses, call by call.

    Each thread has its own database connection, closed when its call is done.
    """
    start = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(index: int, call: Callable[[], Answer]) -> None:
        start.wait()
        try:
            statuses[index] = call().status
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def totp(secret: str, at: float, digits: int = 6, period: int = 30) -> str:
    """The TOTP code of `secret` at Unix time `at` (RFC 6238, HMAC-SHA1).

    Computed here, not by allauth: a wrong algorithm in the library fails the tests.
    """
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // period), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


T0 = 1_800_000_000.0  # a Unix time on a 30-second boundary: 2027-01-15 08:00:00 UTC


class Clock:
    """allauth's TOTP clock (its module's `time.time`), set by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def totp_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Allauth's TOTP checks read this clock, which starts at T0 and moves when the test says."""
    clock = Clock(T0)
    monkeypatch.setattr(totp_auth, "time", SimpleNamespace(time=clock.time))
    return clock

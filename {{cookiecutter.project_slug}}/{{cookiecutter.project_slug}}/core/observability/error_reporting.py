"""Error reporting to Sentry (sentry-sdk), off unless SENTRY_DSN is set, with personal data removed.

An event leaves the process with no password, token, one-time code or e-mail address in it: the
SDK sends no personal data by default (send_default_pii=False: no cookies, no client IP, no user),
its scrubber blanks the values of sensitive keys anywhere in the event (its own list and this
project's field names), and `scrub_event` replaces e-mail addresses and JWTs wherever they appear
in text (an exception's message, a log line, a URL). Settings: components/error_reporting.py.
https://docs.sentry.io/platforms/python/data-management/sensitive-data/
"""

import re
from typing import Any
from urllib.parse import unquote_plus

import sentry_sdk
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

# This project's request fields that hold secrets, beyond the SDK's list (matched whole, any case).
DENYLIST = [
    *DEFAULT_DENYLIST,
    "access",  # the JWT pair (users/tokens.py)
    "refresh",
    "new_password",  # allauth's and the API's password forms
    "current_password",
    "old_password",
    "password1",
    "password2",
    "code",  # e-mail and TOTP codes
    "otp",
    "key",  # password-reset and e-mail keys
    "recovery_codes",
    "email",
    "new_email",
    "idempotency_key",
    "http_idempotency_key",
]
# RFC 5322's local parts (dot-atom or "quoted") at a domain that ends in letters (any script: a
# release such as "shop@1.4.0" is not an address) or at an address literal ([192.0.2.1]).
EMAIL = re.compile(
    r"""(?:[\w.!#$%&'*+/=?^`{|}~-]+|"[^"\r\n]+")"""
    r"@(?:[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b|\[(?:IPv6:)?[0-9A-Fa-f:.]+\])"
)
# header.payload.signature in base64url, padded or not, the signature possibly empty; anywhere in
# a word ("token=eyJ...", "x_eyJ..."): a false alarm costs a redaction, a miss leaks a session.
JWT = re.compile(r"eyJ[\w-]+=*\.[\w-]+=*\.[\w-]*=*")
REDACTED = "[Filtered]"  # what the SDK writes in place of a scrubbed value


def init_error_reporting(*, dsn: str, release: str, environment: str) -> None:
    """Start sentry-sdk; its Django{% if cookiecutter.use_celery == "y" %}, Celery{% endif %} and Redis integrations turn on by themselves."""
    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment=environment,
        send_default_pii=False,
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        # Errors only: this SDK sends no performance traces.
        traces_sample_rate=None,
    )


def scrub_event(event: Any, hint: Any) -> Any:
    """A before_send hook: every e-mail address and JWT in the event's text is replaced."""
    return _scrub(event)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, dict):  # keys too: a dict keyed by address is still a list of addresses
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def _scrub_text(text: str) -> str:
    # Clients send "%40" for "@" and "%3D" for "=" in URLs and form bodies: the patterns are
    # matched on the decoded text, which replaces the original when anything was found.
    decoded = unquote_plus(text) if "%" in text else text
    scrubbed = JWT.sub(REDACTED, EMAIL.sub(REDACTED, decoded))
    return scrubbed if scrubbed != decoded else text

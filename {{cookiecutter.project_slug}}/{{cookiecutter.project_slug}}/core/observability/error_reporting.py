"""Error reporting to Sentry (sentry-sdk), off unless SENTRY_DSN is set, with personal data removed.

An event leaves the process with no password, token, one-time code or e-mail address in it: the
SDK sends no personal data by default (send_default_pii=False: no cookies, no client IP, no user),
its scrubber blanks the values of sensitive keys anywhere in the event (its own list and this
project's field names), and `scrub_event` replaces e-mail addresses and JWTs wherever they appear
in text (an exception's message, a log line, a URL), as scrubbing.py does for traces too.
Settings: components/error_reporting.py.
https://docs.sentry.io/platforms/python/data-management/sensitive-data/
"""

from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from .scrubbing import REDACTED as REDACTED  # re-exported: what a scrubbed value reads
from .scrubbing import scrub

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
    return scrub(event)

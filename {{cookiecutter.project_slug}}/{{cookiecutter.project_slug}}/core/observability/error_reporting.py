"""Error reporting to Sentry (sentry-sdk), off unless SENTRY_DSN is set, with personal data removed.

An event leaves the process with no password, token, one-time code or e-mail address in it: the
SDK sends no personal data by default (send_default_pii=False: no cookies, no client IP, no user),
its scrubber blanks the values of sensitive keys anywhere in the event (its own list and this
project's field names), and `scrub_event` replaces e-mail addresses, JWTs and the values of
parameters named like secrets wherever they appear in text (an exception's message, a log line,
a URL): scrubbing.py, which traces share.
Settings: components/error_reporting.py.
https://docs.sentry.io/platforms/python/data-management/sensitive-data/
"""

from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber

from .scrubbing import DENYLIST, scrub
from .scrubbing import REDACTED as REDACTED  # re-exported: what a scrubbed value reads


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
    """A before_send hook: every secret in the event's text is replaced (scrubbing.py)."""
    return scrub(event)

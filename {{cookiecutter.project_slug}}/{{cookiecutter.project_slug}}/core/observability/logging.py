"""Request ids for log lines: set once per request, read by a logging filter."""

import logging
import re
import secrets
from contextvars import ContextVar

# A context variable, not a thread-local: correct under threads and async views alike.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# Accept a caller's id only if it is short and plain, so a header cannot forge log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def resolve_request_id(incoming: str | None) -> str:
    """Honour a well-formed incoming X-Request-ID, otherwise generate a fresh one."""
    if incoming and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)  # 32 hex digits, as uuid4().hex, at a fifth of its cost


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so formatters can always print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class ClientFaultFilter(logging.Filter):
    """A request Django refuses as suspicious is logged as one WARNING line, not an ERROR.

    Django logs each one (a Host header not in ALLOWED_HOSTS, a body or form past its limits) at
    ERROR with a traceback: one per request, from any scanner. The client is at fault and has its
    400.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security."):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True

"""A real SMTP server on 127.0.0.1 for tests that need the e-mail round trip (aiosmtpd).

The code under test sends through Django's SMTP backend, over TCP, to this server; the test reads
what arrived, as a mail client would.
"""

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import override_settings


@dataclass
class Mailbox:
    """What the server received, oldest first."""

    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)  # nosec B101: the default policy's class
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, *, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages to `to`, once at least `count` have arrived (raises after `timeout` s)."""

        def mine() -> list[EmailMessage]:
            return [m for m in self.messages if to.lower() in str(m["To"]).lower()]

        with self.arrived:
            if not self.arrived.wait_for(lambda: len(mine()) >= count, timeout=timeout):
                raise AssertionError(f"{count} e-mail(s) to {to} did not arrive in {timeout} s")
            return mine()

    def last_to(self, to: str) -> EmailMessage:
        return self.wait_for(to)[-1]


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a received message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    return str(part.get_content())


def code_in(message: EmailMessage) -> str:
    """The one-time code in a verification or reset e-mail (a line of its own, 6+ characters)."""
    match = re.search(r"^\s*([A-Z0-9][A-Z0-9-]{5,})\s*$", text_of(message), re.MULTILINE)
    assert match, f"no code in:\n{text_of(message)}"
    return match.group(1)


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A running SMTP server, with Django's SMTP backend pointed at it for the test."""
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks readiness by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings: dict[str, Any] = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": controller.port,
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    try:
        with override_settings(**settings):
            yield mailbox
    finally:
        controller.stop()

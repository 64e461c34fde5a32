"""Account e-mails as data: each one in plain text and HTML, sendable from a task.

The adapter (adapters.py) hands them over after the commit; email_send sends one.
"""

from typing import TypedDict

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string


class EmailPayload(TypedDict):
    """A rendered e-mail as JSON-safe fields (a background task's arguments)."""

    subject: str
    body: str
    html: str
    from_email: str
    to: list[str]


def email_payload(message: EmailMessage) -> EmailPayload:
    """The fields of `message`, with an HTML part rendered from its text when it has none."""
    html = next(
        (
            str(content)
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        "",
    )
    if not html:
        context = {"subject": message.subject, "body": message.body}
        html = render_to_string("users/email/message.html", context)
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "html": html,
        "from_email": str(message.from_email),
        "to": [str(address) for address in message.to],
    }


def email_send(*, subject: str, body: str, html: str, from_email: str, to: list[str]) -> None:
    """Send one e-mail now, text with its HTML alternative, through settings.EMAIL_BACKEND."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    message.attach_alternative(html, "text/html")
    message.send()

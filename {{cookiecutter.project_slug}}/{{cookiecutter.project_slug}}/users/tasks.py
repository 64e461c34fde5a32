"""Periodic user jobs, scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task
from django.core.management import call_command

from config.celery import BaseTask


@shared_task(base=BaseTask)
def flush_expired_tokens() -> None:
    """Delete expired refresh tokens and their blacklist entries (simplejwt's command).

    Every login and every refresh stores a row; without this the two tables only grow. Deleting
    what has expired is idempotent: a second run finds nothing.
    """
    call_command("flushexpiredtokens")


# ignore_result: nobody reads it. Retried by BaseTask while the mail server is down.
@shared_task(base=BaseTask, ignore_result=True)
def send_account_email(
    *, subject: str, body: str, html: str, from_email: str, to: list[str]
) -> None:
    """Send one account e-mail (a code, a notice) rendered by the adapter (adapters.py)."""
    from .emails import email_send

    email_send(subject=subject, body=body, html=html, from_email=from_email, to=to)

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

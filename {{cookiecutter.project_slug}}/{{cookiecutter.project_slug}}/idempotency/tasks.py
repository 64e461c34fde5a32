"""Periodic idempotency-key jobs, scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from config.celery import BaseTask

from .services import idempotency_keys_purge


@shared_task(base=BaseTask)
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()

"""Periodic IP-tracking jobs, scheduled in settings.CELERY_BEAT_SCHEDULE. Both are idempotent."""

from celery import shared_task

from config.celery import BaseTask

from .services import ip_bans_sync, request_log_flush, request_log_purge, suspicious_ips_flag


@shared_task(base=BaseTask)
def flush_request_log() -> int:
    """Move finished windows' counts from Redis to RequestLog, and drop expired rows.

    Then make the bans in Redis agree with the block records.
    """
    written = request_log_flush()
    request_log_purge()
    ip_bans_sync()
    return written


@shared_task(base=BaseTask)
def flag_suspicious_ips() -> int:
    return suspicious_ips_flag()

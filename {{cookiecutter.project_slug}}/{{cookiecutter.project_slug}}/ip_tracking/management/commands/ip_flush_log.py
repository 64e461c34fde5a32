"""`manage.py ip_flush_log`: move request counts from Redis to the database, purge, re-sync bans."""

from typing import Any

from django.core.management.base import BaseCommand

from ...services import ip_bans_sync, request_log_flush, request_log_purge


class Command(BaseCommand):
    help = (
        "Write finished windows' per-IP request counts from Redis to RequestLog, purge rows past "
        "the retention period, and make the bans in Redis agree with the block records. Run it every few minutes {% if cookiecutter.use_celery == "y" %}(a periodic task, or cron){% else %}(cron){% endif %}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = request_log_flush()
        purged = request_log_purge()
        bans = ip_bans_sync()
        self.stdout.write(
            self.style.SUCCESS(f"Flushed {written} rows; purged {purged}; {bans} bans in force.")
        )

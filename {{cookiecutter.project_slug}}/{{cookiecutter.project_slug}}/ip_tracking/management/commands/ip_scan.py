"""`manage.py ip_scan`: flag the addresses over IP_MONITOR_SUSPICIOUS_PER_HOUR in one hour."""

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services import suspicious_ips_flag


class Command(BaseCommand):
    help = (
        "Flag the IPs whose requests in one hour exceed IP_MONITOR_SUSPICIOUS_PER_HOUR (the last "
        "complete hour by default). Safe to rerun; runs hourly {% if cookiecutter.use_celery == "y" %}as a periodic task{% else %}from cron{% endif %}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hour", help="the hour to scan, e.g. 2026-01-31T14:00 (UTC)")

    def handle(self, *args: Any, hour: str | None, **options: Any) -> None:
        hour_start = None
        if hour is not None:
            try:
                parsed = datetime.fromisoformat(hour)
            except ValueError:
                message = f"--hour {hour!r} is not a date and time like 2026-01-31T14:00"
                raise CommandError(message) from None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            hour_start = parsed.replace(minute=0, second=0, microsecond=0)
        flagged = suspicious_ips_flag(hour_start=hour_start)
        self.stdout.write(self.style.SUCCESS(f"Flagged {flagged} new suspicious IPs."))

"""`manage.py ip_block`: block an address now, with a reason, for a time or until unblocked."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

from ...services import ip_block


class Command(BaseCommand):
    help = "Block an IP address (IPv6: its /64) now, with a reason, for a time or until unblocked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ip")
        parser.add_argument("--reason", default="blocked by an operator")
        parser.add_argument("--minutes", type=int, help="lift automatically after this long")

    def handle(self, *args: Any, ip: str, reason: str, minutes: int | None, **options: Any) -> None:
        if minutes is not None and minutes <= 0:
            raise CommandError("--minutes must be positive")
        duration = timedelta(minutes=minutes) if minutes else None
        try:
            block = ip_block(ip=ip, reason=reason, duration=duration)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        until = block.expires_at.isoformat() if block.expires_at else "until unblocked"
        self.stdout.write(self.style.SUCCESS(f"Blocked {block.ip} ({until})."))

"""`manage.py ip_report`: the busiest addresses of the last minutes, and the blocks in force."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...selectors import blocked_ip_list_active, request_log_top_ips
from ...services import request_log_flush


class Command(BaseCommand):
    help = "Show the busiest IPs of the last window(s) and the current blocks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=60, help="how far back (default 60)")
        parser.add_argument("--top", type=int, default=10, help="how many IPs (default 10)")

    def handle(self, *args: Any, minutes: int, top: int, **options: Any) -> None:
        if minutes <= 0 or top <= 0:
            raise CommandError("--minutes and --top must be positive")
        request_log_flush()  # bring finished windows in from Redis first
        since = timezone.now() - timedelta(minutes=minutes)
        self.stdout.write(f"Top {top} IPs since {since:%Y-%m-%d %H:%M} UTC:")
        rows = request_log_top_ips(since=since, limit=top)
        for ip, total in rows:
            self.stdout.write(f"  {ip:<40} {total:>8}")
        if not rows:
            self.stdout.write("  (no requests recorded)")
        self.stdout.write("Current blocks:")
        blocks = list(blocked_ip_list_active())
        for block in blocks:
            until = block.expires_at.isoformat() if block.expires_at else "until unblocked"
            self.stdout.write(f"  {block.ip:<40} {block.source:<10} {until}  {block.reason}")
        if not blocks:
            self.stdout.write("  (none)")

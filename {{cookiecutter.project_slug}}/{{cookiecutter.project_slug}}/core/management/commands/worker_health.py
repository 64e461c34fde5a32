"""`manage.py worker_health`: exit 0 when this host's Celery worker answers a ping."""

import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.celery import app


class Command(BaseCommand):
    help = (
        "Exit 0 when the Celery worker on this host answers a ping through the broker, 1 otherwise. "
        "For container health checks: it proves the worker is alive and can reach the broker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--node",
            default=f"celery@{socket.gethostname()}",
            help="worker node name (default: celery@<this host>)",
        )
        parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait")

    def handle(self, *args: Any, node: str, timeout: float, **options: Any) -> None:
        try:
            replies = app.control.ping(destination=[node], timeout=timeout)
        except Exception as exc:  # the broker itself is down: unhealthy, with the reason
            raise CommandError(f"cannot reach the broker: {exc}") from exc
        if not any(node in reply for reply in replies or []):
            raise CommandError(f"no reply from Celery worker {node} within {timeout:g}s")
        self.stdout.write(self.style.SUCCESS(f"{node} is alive"))

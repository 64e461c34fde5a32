"""`manage.py ip_unblock`: lift the block on an address, in the database and in Redis."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

from ...services import ip_unblock


class Command(BaseCommand):
    help = "Lift the block on an IP address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ip")

    def handle(self, *args: Any, ip: str, **options: Any) -> None:
        try:
            was_blocked = ip_unblock(ip=ip)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        message = f"Unblocked {ip}." if was_blocked else f"{ip} had no open block (cleared anyway)."
        self.stdout.write(self.style.SUCCESS(message))

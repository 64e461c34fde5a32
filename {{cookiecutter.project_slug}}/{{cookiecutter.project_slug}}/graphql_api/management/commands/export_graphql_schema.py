from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ...schema import schema


class Command(BaseCommand):
    help = "Write the GraphQL schema (SDL) to schema.graphql, for clients and code review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "schema.graphql",
            help="file to write",
        )

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        output.write_text(f"{schema}\n")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))

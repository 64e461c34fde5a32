"""`manage.py export_graphql_schema`: write schema.graphql, or (--check) fail when it is stale."""

import difflib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail with a diff when the file differs from the code (CI)",
        )

    def handle(self, *args: Any, output: Path, check: bool, **options: Any) -> None:
        current = f"{schema}\n"
        if not check:
            output.write_text(current)
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
            return
        exported = output.read_text() if output.exists() else ""
        if exported != current:
            diff = difflib.unified_diff(
                exported.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile=str(output),
                tofile="the schema in the code",
            )
            self.stderr.write("".join(diff))
            raise CommandError(f"{output} is stale: run `make graphql-schema` and commit it.")
        self.stdout.write(f"{output} matches the code.")

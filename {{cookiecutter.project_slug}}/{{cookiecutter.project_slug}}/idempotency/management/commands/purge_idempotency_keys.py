"""`manage.py purge_idempotency_keys`: delete the keys older than IDEMPOTENCY_KEY_HOURS."""

from typing import Any

from django.core.management.base import BaseCommand

from ...services import idempotency_keys_purge


class Command(BaseCommand):
    help = (
        "Delete idempotency keys older than IDEMPOTENCY_KEY_HOURS. Safe to rerun; runs hourly "
        "{% if cookiecutter.use_celery == "y" %}as a periodic task{% else %}from cron{% endif %}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_keys_purge()
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} expired idempotency keys."))

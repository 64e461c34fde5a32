"""`manage.py resend_order_confirmations`: send the order confirmations that never went out."""

from typing import Any

from django.core.management.base import BaseCommand

from ...confirmations import order_confirmations_resend


class Command(BaseCommand):
    help = (
        "Send the order confirmations that did not go out when their order was placed. Safe to "
        "rerun; runs every minute {% if cookiecutter.use_celery == "y" %}as a periodic task{% else %}from cron{% endif %}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = order_confirmations_resend()
        self.stdout.write(self.style.SUCCESS(f"Resent {done} order confirmations."))

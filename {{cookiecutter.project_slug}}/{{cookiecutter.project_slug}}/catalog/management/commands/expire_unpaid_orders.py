"""`manage.py expire_unpaid_orders`: cancel orders left unpaid too long, returning their stock."""

from typing import Any

from django.core.management.base import BaseCommand

from ...services import orders_expire_unpaid


class Command(BaseCommand):
    help = (
        "Cancel pending orders older than ORDER_PAYMENT_MINUTES and return their stock. Safe to "
        "rerun; runs every few minutes {% if cookiecutter.use_celery == "y" %}as a periodic task{% else %}from cron{% endif %}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = orders_expire_unpaid()
        self.stdout.write(self.style.SUCCESS(f"Expired {expired} unpaid orders."))

"""Background tasks for the catalogue: thin wrappers that call services (see config/celery.py).

Services import this module to enqueue, so each task imports its service when it runs.
"""

from celery import shared_task

from config.celery import BaseTask


@shared_task(base=BaseTask)
def send_order_confirmation(order_id: int) -> bool:
    from .services import order_confirmation_send

    return order_confirmation_send(order_id=order_id)


@shared_task(base=BaseTask)
def expire_unpaid_orders() -> int:
    from .services import orders_expire_unpaid

    return orders_expire_unpaid()

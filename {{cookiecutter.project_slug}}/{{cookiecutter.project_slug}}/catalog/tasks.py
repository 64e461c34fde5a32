"""Background tasks for the catalogue: thin wrappers that call services (see config/celery.py).

The services (confirmations.py) import this module to enqueue, so each task imports its service
when it runs.
"""

from celery import shared_task

from config.celery import BaseTask


# ignore_result: nobody reads it, and a result backend that is down would otherwise stall the
# request that sends the task (Celery subscribes to the result before publishing it).
@shared_task(base=BaseTask, ignore_result=True)
def send_order_confirmation(order_id: int) -> bool:
    from .confirmations import order_confirmation_send

    return order_confirmation_send(order_id=order_id)


@shared_task(base=BaseTask)
def expire_unpaid_orders() -> int:
    from .services import orders_expire_unpaid

    return orders_expire_unpaid()


@shared_task(base=BaseTask)
def resend_order_confirmations() -> int:
    from .confirmations import order_confirmations_resend

    return order_confirmations_resend()

"""Order confirmation e-mails: each one sent once, and a sweep for those that never went out.

order_create (services.py) hands an order's confirmation over when the order commits; if that
hand-off fails, the order stands and order_confirmations_resend sends the confirmation later.
"""

import logging
from datetime import datetime, timedelta
{%- if cookiecutter.use_celery == "n" %}
from functools import partial
{%- endif %}

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
{%- if cookiecutter.use_celery == "y" %}

from config.celery import BaseTask
{%- else %}

from {{ cookiecutter.project_slug }}.core.after_commit import run_robustly
{%- endif %}

from .models import Order
from .selectors import order_confirmation_due_list
{%- if cookiecutter.use_celery == "y" %}
from .tasks import send_order_confirmation
{%- endif %}

logger = logging.getLogger(__name__)

# A confirmation still unsent this long after its order is sent by the sweep
# (order_confirmations_resend); one still unsent after a day is left alone, not retried forever.
CONFIRMATION_GRACE = timedelta(minutes=1)
CONFIRMATION_GIVE_UP = timedelta(days=1)
CONFIRMATION_SWEEP_BATCH = 500


def confirmation_in_flight_limit() -> timedelta:
{%- if cookiecutter.use_celery == "y" %}
    """The longest a queued confirmation can legitimately take to be sent or given up.

    Every attempt (the first and BaseTask.max_retries retries) running to the hard time limit,
    and every retry waiting the longest backoff: 9 x 300 s + 8 x 600 s, 2 h 5 min by default.
    Until then the sweep leaves a queued confirmation alone; after it, the send was lost (a broker
    that dropped the message) or gave up (a mail server down through every retry), and one more
    is queued. A task also redelivered after its worker was lost may then run twice: harmless,
    order_confirmation_send mails once.
    """
    retries = BaseTask.max_retries or 0
    return timedelta(
        seconds=(retries + 1) * settings.CELERY_TASK_TIME_LIMIT
        + retries * settings.TASK_RETRY_BACKOFF_MAX
    )
{%- else %}
    """How long a claimed confirmation may stay unsent before another run of the sweep takes it.

    Here the run that claims a confirmation sends it and releases what it could not send, and a
    run stops at the first mail that fails; only a run killed mid-batch leaves claims behind.
    An hour outlasts any run (a batch of mails that each went through), so no two runs ever
    send the same confirmation at once.
    """
    return timedelta(hours=1)
{%- endif %}

{%- if cookiecutter.use_celery == "y" %}


def order_confirmation_enqueue(*, order_id: int) -> None:
    """Queue the confirmation of an order whose hand-off order_create recorded with it.

    If the broker refuses it, the record is cleared: nothing is in flight, so the sweep sends it
    after CONFIRMATION_GRACE, not after confirmation_in_flight_limit().
    """
    try:
        send_order_confirmation.delay(order_id)
    except Exception:
        Order.objects.filter(pk=order_id).update(confirmation_queued_at=None)
        raise
{%- endif %}


def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail the customer their order, once. Returns whether this call sent it.

    The order row stays locked while the mail is sent and marked, so two runs of the task (a
    retry racing a redelivery) queue up and the second finds it sent. A crash after the mail left
    but before the commit sends it again on redelivery: at least once, never silently lost.
    """
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=order_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if order is None:  # already sent, or the order no longer exists
            return False
        items = list(order.items.select_related("product"))
        body = render_to_string("catalog/order_confirmation.txt", {"order": order, "items": items})
        send_mail(
            subject=f"Your order #{order.pk}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[order.user.email],
        )
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at", "updated_at"])
    return True


def order_confirmations_resend(*, now: datetime | None = None) -> int:
    """Send the confirmations that did not go out when their order was placed.

    Returns how many were {% if cookiecutter.use_celery == "y" %}queued{% else %}sent{% endif %}.
    The {% if cookiecutter.use_celery == "y" %}broker{% else %}mail server{% endif %} may have been down then (order_create never fails for it). Orders
    placed CONFIRMATION_GRACE to CONFIRMATION_GIVE_UP ago, not cancelled and not confirmed, oldest
    first, at most CONFIRMATION_SWEEP_BATCH per run, and only those with no send in flight: each
    one taken is stamped (confirmation_queued_at), and left alone for
    confirmation_in_flight_limit() after. Without that, every run queued every unconfirmed order
    again, and a queue that was behind, or a mail server that was down, grew by the whole backlog
    every minute. Sending is idempotent (order_confirmation_send): a duplicate still mails once.
    """
    now = now or timezone.now()
    order_ids = _order_confirmations_claim(now=now)
    done = 0
    try:
        for order_id in order_ids:
{%- if cookiecutter.use_celery == "y" %}
            # A broker still down raises here, and this task is retried as a whole.
            send_order_confirmation.delay(order_id)
{%- else %}
            send = partial(order_confirmation_send, order_id=order_id)
            if not run_robustly("order confirmation", send):
                break  # the mail server is still down (logged once): the next run tries again
{%- endif %}
            done += 1
    finally:
        # What was not handed off is not in flight: the next run may take it at once.
        if unsent := order_ids[done:]:
            Order.objects.filter(pk__in=unsent, confirmation_queued_at=now).update(
                confirmation_queued_at=None
            )
    if done:
        logger.info(
            "order confirmations resent", extra={"event": "confirmations_resent", "count": done}
        )
    return done


@transaction.atomic
def _order_confirmations_claim(*, now: datetime) -> list[int]:
    """Take a batch of due confirmations and stamp them as handed off at `now`, in one transaction.

    The rows stay locked until the stamp commits, and SKIP LOCKED passes over rows locked
    elsewhere: two runs at once take disjoint orders instead of both queueing the same ones (or
    one waiting for the other), and an order being sent or cancelled right now waits for a later
    run.
    """
    due = order_confirmation_due_list(
        placed_from=now - CONFIRMATION_GIVE_UP,
        placed_before=now - CONFIRMATION_GRACE,
        queued_before=now - confirmation_in_flight_limit(),
    )
    order_ids = list(
        due.select_for_update(skip_locked=True).values_list("pk", flat=True)[
            :CONFIRMATION_SWEEP_BATCH
        ]
    )
    Order.objects.filter(pk__in=order_ids).update(confirmation_queued_at=now)
    return order_ids

"""Orders through gunicorn while the task broker is down: placed, answered 201, confirmed later.

The server runs with production settings and a broker that really is unreachable: a closed port
(connection refused at once), or a port that accepts connections and never answers (a hung
broker, the case where a send would wait forever without CELERY_BROKER_TIMEOUT).
"""

import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.fresh_process import (
    http_call,
    run_in_project,
    running_gunicorn,
    server_env,
)

from ..confirmations import order_confirmations_resend
from ..models import Order, Product
from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the server must see the rows

BROKER_TIMEOUT = 1.5  # seconds, CELERY_BROKER_TIMEOUT in the server: short, to keep this fast


def order(base: str, user: User, product: Product) -> tuple[int, float]:
    """POST one order; returns the status and how long the answer took (seconds)."""
    started = time.monotonic()
    answer = http_call(
        f"{base}/api/v1/orders/",
        {"items": [{"product": product.pk, "quantity": 1}]},
        headers={"Authorization": f"Bearer {AccessToken.for_user(user)}"},
        timeout=60,
    )
    return answer.status, time.monotonic() - started


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose kernel accepts connections that nobody ever reads or answers."""
    with closing(socket.socket()) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def serve(tmp_path: Path, broker_url: str) -> AbstractContextManager[str]:
    return running_gunicorn(
        tmp_path / "gunicorn.log",
        workers=1,  # one process: its log shows exactly what one outage costs
        SECRET_KEY=settings.SECRET_KEY,  # the tokens are signed with the test settings' key
        LOG_LEVEL="INFO",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=broker_url,  # down too: nothing may wait for it
        CELERY_BROKER_TIMEOUT=str(BROKER_TIMEOUT),
    )


def sweep(broker_url: str) -> subprocess.CompletedProcess[str]:
    """The resend command in its own process, with production settings and this broker."""
    env = server_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=broker_url,
        CELERY_BROKER_TIMEOUT=str(BROKER_TIMEOUT),
    )
    return run_in_project(["manage.py", "resend_order_confirmations"], env=env)


def test_orders_are_placed_once_and_answered_201_while_the_broker_refuses_connections(
    tmp_path: Path, user: User
) -> None:
    product = ProductFactory.create(stock=10)
    with serve(tmp_path, "redis://127.0.0.1:1/0") as base:
        answers = [order(base, user, product) for _ in range(3)]
    assert [status for status, _ in answers] == [201, 201, 201]
    assert Order.objects.filter(user=user).count() == 3  # one order per request, none twice
    product.refresh_from_db()
    assert product.stock == 7
    assert not Order.objects.exclude(confirmation_sent_at=None).exists()
    # Not in flight either: the failed hand-offs were cleared, so the sweep need not wait for them.
    assert not Order.objects.exclude(confirmation_queued_at=None).exists()

    # The outage in the log: one line for three failed sends, and no traceback.
    log = (tmp_path / "gunicorn.log").read_text()
    assert log.count("order confirmation postponed (first failure") == 1, log
    assert "Traceback" not in log, log

    # The sweep (a periodic task) sends them once the broker is back (here: in this process).
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    # A sweep while the broker is still down fails, and gives back the orders it took.
    failed = sweep("redis://127.0.0.1:1/0")
    assert failed.returncode != 0, failed.stdout
    assert "OperationalError" in failed.stderr, failed.stderr
    assert not Order.objects.exclude(confirmation_queued_at=None).exists()
    assert order_confirmations_resend() == 3
    assert len(mail.outbox) == 3
    assert not Order.objects.filter(confirmation_sent_at=None).exists()


def test_a_hung_broker_delays_an_order_by_at_most_two_broker_timeouts(
    tmp_path: Path, user: User, silent_port: int
) -> None:
    product = ProductFactory.create(stock=10)
    with serve(tmp_path, f"redis://127.0.0.1:{silent_port}/0") as base:
        status, seconds = order(base, user, product)
    assert status == 201
    # Two attempts of one timeout each, plus the order itself and the retry's pause.
    assert 2 * BROKER_TIMEOUT - 0.5 < seconds < 2 * BROKER_TIMEOUT + 1.5
    assert Order.objects.filter(user=user).count() == 1
    assert "order confirmation postponed" in (tmp_path / "gunicorn.log").read_text()

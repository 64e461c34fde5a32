"""Work that runs after a commit never fails the request that committed.

`transaction.on_commit` runs its callbacks inside the request, after the data is saved: one that
raises turns a request that succeeded into a 500, and a client that retries does it twice.
`on_commit_robust` runs the callback after the commit and keeps its failure to the log. The
caller must leave a trace that the work is still to do (a timestamp left empty, say) and a sweep
that does it later: a failure here is postponed work, not lost work.

A dependency that is down ({% if cookiecutter.use_celery == "y" %}the task broker, {% endif %}the mail server) fails every request until it is back.
That is one outage, logged as one line when it starts, again at most once a minute with a count,
and once when the work succeeds again; never a traceback per request. Any other exception is a
bug: logged with its traceback, still not raised.
"""

import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django_redis.exceptions import ConnectionInterrupted
{%- if cookiecutter.use_celery == "y" %}
from kombu.exceptions import OperationalError as BrokerError
{%- endif %}
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A dependency that is down or unreachable, as opposed to a bug.
UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,  # refused, reset, timed out, name not found
    smtplib.SMTPException,
    RedisError,  # the cache (redis-py's own errors are not OSErrors)
    ConnectionInterrupted,  # ... as django-redis wraps them
{%- if cookiecutter.use_celery == "y" %}
    BrokerError,  # kombu's wrapper of the broker's connection errors
{%- endif %}
)
# While an outage lasts, how often (seconds, per process) it is logged again.
OUTAGE_LOG_INTERVAL_SECONDS = 60.0


@dataclass
class Outage:
    failures: int
    last_logged: float


_outages: dict[str, Outage] = {}
_lock = threading.Lock()  # a process's threads share one outage record per name


def on_commit_robust(work: str, func: Callable[[], object]) -> None:
    """Run `func` once the current transaction commits (at once outside one); never raise.

    `work` names it in the log ("IP ban enforcement", say) and keys its outage record.
    """
    transaction.on_commit(partial(run_robustly, work, func))


def run_robustly(work: str, func: Callable[[], object]) -> bool:
    """Call `func`; returns True when it ran, False when it failed (and was logged)."""
    try:
        func()
    except UNAVAILABLE as error:
        _failed(work, error)
        return False
    except Exception:
        logger.exception(
            "%s failed after commit", work, extra={"event": "after_commit_failed", "work": work}
        )
        return False
    _succeeded(work)
    return True


def _failed(work: str, error: Exception) -> None:
    now = time.monotonic()
    with _lock:
        outage = _outages.get(work)
        if outage is None:
            outage = _outages[work] = Outage(failures=1, last_logged=now)
            due = True
        else:
            outage.failures += 1
            due = now - outage.last_logged >= OUTAGE_LOG_INTERVAL_SECONDS
            if due:
                outage.last_logged = now
        failures = outage.failures
    if due:
        # One line, no traceback: the error's type and message say what is down.
        logger.warning(
            "%s postponed (%s since the outage began): %s: %s",
            work,
            "first failure" if failures == 1 else f"{failures} failures",
            type(error).__name__,
            error,
            extra={"event": "after_commit_unavailable", "work": work, "failures": failures},
        )


def _succeeded(work: str) -> None:
    if work not in _outages:  # the common case, without the lock
        return
    with _lock:
        outage = _outages.pop(work, None)
    if outage is not None:
        logger.warning(
            "%s works again after %d failures",
            work,
            outage.failures,
            extra={"event": "after_commit_recovered", "work": work, "failures": outage.failures},
        )

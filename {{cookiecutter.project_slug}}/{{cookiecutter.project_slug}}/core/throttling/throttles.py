"""DRF throttling for the rest of the API, on the shared cache, batched per process."""

import functools
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from {{ cookiecutter.project_slug }}.core.client_ip import client_ip
from {{ cookiecutter.project_slug }}.core.metrics.definitions import (
    RATE_LIMIT_REFUSALS,
)
from {{ cookiecutter.project_slug }}.core.throttling import counters

if TYPE_CHECKING:  # DRF imports this module while it builds APIView: no runtime import back
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.cache
def parse_rate(rate: str) -> tuple[int, int]:
    """'120/m' -> (120, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period[:1]]


class WindowThrottle(BaseThrottle):
    """A fixed-window throttle: one counter per client per window, batched per process.

    DRF's default keeps a list of timestamps and needs two cache calls per request. Exact near the
    limit (counters.EXACT_FROM). Fails open when the cache is unreachable.
    """

    scope = ""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def get_ident_key(self, request: "Request") -> str | None:
        raise NotImplementedError

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        ident = self.get_ident_key(request)
        rates: dict[str, str] = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        rate = rates.get(self.scope)
        if ident is None or rate is None:
            return True
        limit, window = parse_rate(rate)
        tally = counters.tally(
            f"throttle:{self.scope}", window=window, sync_seconds=settings.COUNTER_SYNC_SECONDS
        )
        try:
            hit = tally.hit(f"throttle:{self.scope}:{ident}", limit=limit)
        except counters.CounterUnavailableError:
            logger.warning(
                "throttle store unavailable; allowing the request", extra={"scope": self.scope}
            )
            return True
        if hit.count > limit:
            RATE_LIMIT_REFUSALS.labels(f"throttle:{self.scope}").inc()
            self.retry_after = hit.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after


class AnonThrottle(WindowThrottle):
    """Anonymous clients, by IP."""

    scope = "anon"

    def get_ident_key(self, request: "Request") -> str | None:
        return None if request.user.is_authenticated else client_ip(request)


class UserThrottle(WindowThrottle):
    """Authenticated users, by account, whatever IP they come from."""

    scope = "user"

    def get_ident_key(self, request: "Request") -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None

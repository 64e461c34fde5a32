"""Rate limits for sensitive endpoints (login, token refresh{% if cookiecutter.example_app == "catalog" %}, placing orders{% endif %}), by django-ratelimit.

The login policy (which budgets a login counts against) lives with the accounts, in
users/login_limits.py; this module is the mechanism.

django-ratelimit counts; this module decides what a limited request gets: HTTP 429 with a
Retry-After header (DRF's Throttled), never the library's default 403. When the shared cache is
unreachable, each limit says whether to fail closed (503: login must not become unlimited
guessing) or open (serve the request: an outage of Redis should not stop the shop).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework.exceptions import APIException, Throttled
from rest_framework.request import Request

from {{ cookiecutter.project_slug }}.core.client_ip import client_ip
from {{ cookiecutter.project_slug }}.core.metrics.definitions import (
    RATE_LIMIT_REFUSALS,
)

logger = logging.getLogger(__name__)

ViewMethod = TypeVar("ViewMethod", bound=Callable[..., Any])
RateKey = str | Callable[[str, Any], str]


class RateLimitUnavailable(APIException):
    status_code = 503
    default_detail = "Temporarily unavailable; try again shortly."
    default_code = "rate_limit_unavailable"


def check_rate_limit(
    request: Request | HttpRequest, *, group: str, key: RateKey, rate: str, fail_closed: bool
) -> None:
    """Count this request against `rate` (a name in settings.RATELIMIT_RATES); raise if over."""
    try:
        usage = get_usage(
            request, group=group, key=key, rate=settings.RATELIMIT_RATES[rate], increment=True
        )
    except (RedisError, ConnectionInterrupted, OSError):
        logger.exception(
            "rate limit store unavailable", extra={"group": group, "fail_closed": fail_closed}
        )
        if fail_closed:
            raise RateLimitUnavailable from None
        return
    if usage is None:  # RATELIMIT_ENABLE is off
        return
    if usage["should_limit"]:
        if usage["limit"] == 0:  # django-ratelimit could not count: the store failed quietly
            if fail_closed:
                raise RateLimitUnavailable
            return
        logger.warning(
            "rate limited",
            extra={"event": "rate_limited", "group": group, "ip": client_ip(request)},
        )
        RATE_LIMIT_REFUSALS.labels(group).inc()
        raise Throttled(wait=max(1, usage["time_left"]))


def rate_limit(
    *, group: str, key: RateKey, rate: str, fail_closed: bool = False
) -> Callable[[ViewMethod], ViewMethod]:
    """Decorate a DRF view method so each call is counted before the view runs."""

    def decorator(view_method: ViewMethod) -> ViewMethod:
        @functools.wraps(view_method)  # keeps the name and docstring: drf-spectacular reads them
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
            check_rate_limit(request, group=group, key=key, rate=rate, fail_closed=fail_closed)
            return view_method(self, request, *args, **kwargs)

        # The method keeps its own signature for mypy. (A ParamSpec with Concatenate would make
        # `request` positional-only, which DRF's post(self, request, ...) overrides cannot be.)
        return cast("ViewMethod", wrapper)

    return decorator

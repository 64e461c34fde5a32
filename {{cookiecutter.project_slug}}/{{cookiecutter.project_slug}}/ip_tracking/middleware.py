"""Watches every request's IP: counts it, refuses blocked IPs, and bans IPs that flood.

The hot path is at most one pipelined Redis round trip (count, ban check, window bookkeeping),
batched per process by counters.WindowTally, and no database access: the database is written only
when an automatic ban starts.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from {{ cookiecutter.project_slug }}.core.client_ip import client_ip
from {{ cookiecutter.project_slug }}.core.metrics.definitions import (
    IP_MONITOR_REFUSALS,
)
from {{ cookiecutter.project_slug }}.core.throttling import counters

from . import services
from .models import BlockedIP

logger = logging.getLogger(__name__)

# Log an unreachable store at most this often per process, not once per request.
OUTAGE_LOG_INTERVAL_SECONDS = 10.0


class IPMonitorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.last_outage_log = 0.0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        config = settings.IP_MONITOR
        if not config["ENABLED"] or request.path.startswith(tuple(config["EXEMPT_PATHS"])):
            return self.get_response(request)
        ip = client_ip(request)
        tally = counters.tally(
            "ip_monitor",
            window=config["WINDOW_SECONDS"],
            sync_seconds=settings.COUNTER_SYNC_SECONDS,
        )
        threshold = config["THRESHOLD"]
        try:
            hit = tally.hit(
                services.counter_key(ip),
                limit=threshold,
                flags=[services.ban_key(ip)],
                member_of=services.SEEN_SET,
            )
        except counters.CounterUnavailableError:
            # Fail open: a Redis outage must not take the whole API down with it.
            self._log_outage()
            return self.get_response(request)
        (banned,) = hit.flags
        if banned:
            # DEBUG: the ban was logged when it started and the access log has every 403; a line
            # per refused request would let a flood fill the logs too.
            logger.debug(
                "blocked ip refused", extra={"event": "ip_refused", "ip": ip, "path": request.path}
            )
            IP_MONITOR_REFUSALS.labels("banned").inc()
            return blocked_response()
        if hit.count > threshold:
            if hit.crossed:  # INCRBY is atomic: exactly one sync carries the count over the line
                services.ip_block(
                    ip=ip,
                    reason=f"{hit.count} requests in {config['WINDOW_SECONDS']}s",
                    source=BlockedIP.Source.AUTOMATIC,
                    duration=timedelta(seconds=config["BAN_SECONDS"]),
                )
            IP_MONITOR_REFUSALS.labels("over_threshold").inc()
            return blocked_response()
        return self.get_response(request)

    def _log_outage(self) -> None:
        now = time.monotonic()
        if now - self.last_outage_log >= OUTAGE_LOG_INTERVAL_SECONDS:
            self.last_outage_log = now
            logger.error(
                "ip monitor store unavailable; requests pass unmonitored",
                extra={"event": "ip_monitor_unavailable"},
            )


def blocked_response() -> JsonResponse:
    return JsonResponse(
        {"detail": "Requests from your address are blocked.", "code": "ip_blocked"}, status=403
    )

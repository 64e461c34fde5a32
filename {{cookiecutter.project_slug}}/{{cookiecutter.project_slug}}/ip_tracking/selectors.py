"""Reads of IP tracking: the blocks in force, and request totals per address over a period."""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from .models import BlockedIP, RequestLog


def blocked_ip_list_active(*, now: datetime | None = None) -> QuerySet[BlockedIP]:
    now = now or timezone.now()
    return BlockedIP.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), lifted_at__isnull=True
    )


def request_log_totals(
    *, since: datetime, until: datetime | None = None
) -> QuerySet[Any, dict[str, Any]]:
    """Requests per address in [since, until), busiest first, as rows of `ip` and `total`."""
    rows = RequestLog.objects.filter(window_start__gte=since)
    if until is not None:
        rows = rows.filter(window_start__lt=until)
    return rows.values("ip").annotate(total=Sum("request_count")).order_by("-total", "ip")


def request_log_busy_ips(*, since: datetime, until: datetime, above: int) -> list[tuple[str, int]]:
    """Addresses with more than `above` requests in [since, until), busiest first."""
    rows = request_log_totals(since=since, until=until).filter(total__gt=above)
    return [(row["ip"], row["total"]) for row in rows]


def request_log_top_ips(*, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
    """The busiest addresses since `since`, with their request counts."""
    rows = request_log_totals(since=since)[:limit]
    return [(row["ip"], row["total"]) for row in rows]

from datetime import datetime

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from .models import BlockedIP, RequestLog


def blocked_ip_list_active(*, now: datetime | None = None) -> QuerySet[BlockedIP]:
    now = now or timezone.now()
    return BlockedIP.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), lifted_at__isnull=True
    )


def request_log_busy_ips(*, since: datetime, until: datetime, above: int) -> list[tuple[str, int]]:
    """Addresses with more than `above` requests in [since, until), busiest first."""
    rows = (
        RequestLog.objects.filter(window_start__gte=since, window_start__lt=until)
        .values("ip")
        .annotate(total=Sum("request_count"))
        .filter(total__gt=above)
        .order_by("-total", "ip")
    )
    return [(row["ip"], row["total"]) for row in rows]


def request_log_top_ips(*, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
    """The busiest addresses since `since`, with their request counts."""
    rows = (
        RequestLog.objects.filter(window_start__gte=since)
        .values("ip")
        .annotate(total=Sum("request_count"))
        .order_by("-total", "ip")[:limit]
    )
    return [(row["ip"], row["total"]) for row in rows]

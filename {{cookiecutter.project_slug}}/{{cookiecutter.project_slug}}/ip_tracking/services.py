"""Writes for IP tracking: blocks, unblocks, the batched request log and its retention."""

import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.after_commit import on_commit_robust
from {{ cookiecutter.project_slug }}.core.client_ip import (
    normalise_ip,
)
from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.core.metrics.definitions import (
    IP_BANS,
)
from {{ cookiecutter.project_slug }}.core.throttling import counters

from .models import BlockedIP, RequestLog, SuspiciousIP
from .selectors import request_log_busy_ips

logger = logging.getLogger(__name__)

COUNTER_PREFIX = "ipmon:"
SEEN_SET = "ipmon-seen"


def ban_key(ip: str) -> str:
    return f"ipban:{ip}"


def counter_key(ip: str) -> str:
    return f"{COUNTER_PREFIX}{ip}"


def parse_ip(value: str) -> str:
    ip = normalise_ip(value)
    if ip is None:
        raise ApplicationError(f"{value!r} is not an IP address.")
    return ip


@transaction.atomic
def ip_block(
    *,
    ip: str,
    reason: str,
    source: str = BlockedIP.Source.MANUAL,
    duration: timedelta | None = None,
) -> BlockedIP:
    """Block an address now (Redis) and record why (database). A new block replaces an open one."""
    ip = parse_ip(ip)
    expires_at = timezone.now() + duration if duration else None
    block, _ = BlockedIP.objects.update_or_create(
        ip=ip,
        lifted_at=None,
        defaults={"source": source, "reason": reason[:255], "expires_at": expires_at},
    )
    # Enforced once the row is committed: a rolled-back block (an outer transaction that fails)
    # must not leave a ban in Redis that no record explains. Called on its own, that is at once.
    # Redis down then: the block is recorded, logged as not yet enforced, and ip_bans_sync puts
    # it in Redis within a minute of its return (never a 500 for a block that was saved).
    timeout = int(duration.total_seconds()) if duration else None
    on_commit_robust(
        "IP ban enforcement", partial(cache.set, ban_key(ip), reason[:255] or source, timeout)
    )
    transaction.on_commit(IP_BANS.labels(source).inc)  # a block rolled back was never one
    logger.warning(
        "ip blocked",
        extra={
            "event": "ip_blocked",
            "ip": ip,
            "source": source,
            "reason": reason,
            "expires_at": str(expires_at),
        },
    )
    return block


@transaction.atomic
def ip_unblock(*, ip: str) -> bool:
    """Lift any block on `ip`. Returns whether one was open."""
    ip = parse_ip(ip)
    lifted = BlockedIP.objects.filter(ip=ip, lifted_at=None).update(lifted_at=timezone.now())
    # As the record says, once it does; with Redis down, ip_bans_sync lifts it later.
    on_commit_robust("IP ban enforcement", partial(cache.delete, ban_key(ip)))
    logger.warning(
        "ip unblocked", extra={"event": "ip_unblocked", "ip": ip, "was_blocked": bool(lifted)}
    )
    return bool(lifted)


def ip_bans_sync(*, lifted_within: timedelta = timedelta(days=1)) -> int:
    """Make Redis agree with the records. Returns the blocks written.

    Every open, unexpired block is banned for the time it has left, every block lifted in the last
    `lifted_within` unbanned. Repairs what an unreachable Redis left undone after a block or an unblock was committed; run
    every minute with the request-log flush. One write per open block: there are few.
    """
    now = timezone.now()
    open_blocks = list(BlockedIP.objects.filter(lifted_at=None).exclude(expires_at__lte=now))
    for block in open_blocks:
        left = int((block.expires_at - now).total_seconds()) + 1 if block.expires_at else None
        cache.set(ban_key(block.ip), block.reason or block.source, left)
    open_ips = {block.ip for block in open_blocks}
    lifted = BlockedIP.objects.filter(lifted_at__gte=now - lifted_within).values_list(
        "ip", flat=True
    )
    cache.delete_many([ban_key(ip) for ip in set(lifted) - open_ips])
    return len(open_blocks)


def request_log_flush(*, now: float | None = None) -> int:
    """Write finished windows' per-IP counts from Redis to RequestLog. Safe to run twice."""
    window = settings.IP_MONITOR["WINDOW_SECONDS"]
    current = counters.window_index(window, now)
    written = 0
    for index in range(current - counters.RETAINED_WINDOWS, current):
        counts = counters.read_window(SEEN_SET, index)
        if not counts:
            continue
        window_start = datetime.fromtimestamp(index * window, tz=UTC)
        rows = [
            RequestLog(
                ip=key.removeprefix(COUNTER_PREFIX),
                window_start=window_start,
                window_seconds=window,
                request_count=count,
            )
            for key, count in counts.items()
        ]
        # ignore_conflicts: a crash between insert and forget makes the rerun a no-op, not a dup.
        RequestLog.objects.bulk_create(rows, ignore_conflicts=True)
        counters.forget_window(SEEN_SET, index)
        written += len(rows)
    return written


def request_log_purge(*, older_than: timedelta | None = None) -> int:
    """Delete request-log rows past the retention period."""
    keep = older_than or timedelta(days=settings.IP_MONITOR["RETENTION_DAYS"])
    deleted, _ = RequestLog.objects.filter(window_start__lt=timezone.now() - keep).delete()
    return deleted


def suspicious_ips_flag(*, hour_start: datetime | None = None) -> int:
    """Flag the addresses whose requests in one hour exceed SUSPICIOUS_PER_HOUR. Safe to rerun.

    Scans the last complete hour unless told which; returns how many new flags it wrote.
    """
    if hour_start is None:
        hour_start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    request_log_flush()  # windows still in Redis count too
    busy = request_log_busy_ips(
        since=hour_start,
        until=hour_start + timedelta(hours=1),
        above=settings.IP_MONITOR["SUSPICIOUS_PER_HOUR"],
    )
    existing = set(SuspiciousIP.objects.filter(hour_start=hour_start).values_list("ip", flat=True))
    new = [
        SuspiciousIP(ip=ip, hour_start=hour_start, request_count=count)
        for ip, count in busy
        if ip not in existing
    ]
    # ignore_conflicts: two scans racing each other still write each flag once.
    SuspiciousIP.objects.bulk_create(new, ignore_conflicts=True)
    for flag in new:
        logger.warning(
            "ip flagged as suspicious",
            extra={"event": "ip_flagged", "ip": flag.ip, "requests": flag.request_count},
        )
    return len(new)

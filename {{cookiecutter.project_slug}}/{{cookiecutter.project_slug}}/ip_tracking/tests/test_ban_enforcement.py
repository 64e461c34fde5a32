"""A block is committed even when Redis is down at that moment, and enforced once it is back.

Found in the field (the after-commit class): `ip_block` wrote the ban to Redis in a commit hook
that raised when Redis was unreachable, turning a block that was saved into a 500 (in the admin,
in the command, or in the request that crossed the flood threshold).
"""

import logging
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from threading import Barrier

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tests.support.fresh_process import http_call, running_gunicorn

from ..models import BlockedIP
from ..services import ban_key, ip_bans_sync, ip_block, ip_unblock

pytestmark = pytest.mark.django_db(transaction=True)  # bans reach Redis when blocks commit

UNREACHABLE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}
IP = "203.0.113.40"


def status(client: Client, ip: str = IP) -> int:
    return int(client.get("/api/v1/", REMOTE_ADDR=ip).status_code)


def test_a_block_made_while_redis_is_down_is_saved_and_enforced_by_the_next_sync(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(CACHES=UNREACHABLE), caplog.at_level(logging.WARNING):
        block = ip_block(ip=IP, reason="abuse")  # no exception: the record is what counts
    assert BlockedIP.objects.get().pk == block.pk
    postponed = [r for r in caplog.records if getattr(r, "event", "") == "after_commit_unavailable"]
    assert len(postponed) == 1
    assert postponed[0].exc_info is None  # one line, no traceback
    assert status(client) == 200  # Redis never heard of it
    assert ip_bans_sync() == 1
    assert status(client) == 403


def test_an_unblock_made_while_redis_is_down_is_lifted_by_the_next_sync(client: Client) -> None:
    ip_block(ip=IP, reason="abuse")
    assert status(client) == 403
    with override_settings(CACHES=UNREACHABLE):
        assert ip_unblock(ip=IP) is True
    assert status(client) == 403  # the ban outlived its record
    assert ip_bans_sync() == 0
    assert status(client) == 200


def test_the_sync_keeps_a_timed_ban_to_the_time_it_has_left(require_redis: None) -> None:
    ip_block(ip=IP, reason="flood", duration=timedelta(minutes=10))
    cache.delete(ban_key(IP))
    ip_bans_sync()
    assert 590 <= cache.ttl(ban_key(IP)) <= 601  # type: ignore[attr-defined]


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "gunicorn.log"
    with running_gunicorn(
        log,
        workers=4,
        IP_MONITOR_THRESHOLD="20",
        COUNTER_SYNC_SECONDS="0",  # exact counts: every request is counted in Redis at once
        THROTTLE_ANON_RATE="10000/m",
        LOG_LEVEL="WARNING",  # the "ip blocked" line
        LOG_FORMAT="readable",
    ) as base:
        yield base, log


def test_a_flood_from_many_workers_at_once_bans_the_ip_exactly_once(
    gunicorn: tuple[str, Path],
) -> None:
    """60 simultaneous requests from one address through 4 workers: 20 served, the rest refused.

    One block row, one "ip blocked" log line: the crossing is decided by Redis's INCRBY.
    """
    base, log = gunicorn
    requests = 60
    start = Barrier(requests)

    def get(_: int) -> int:
        start.wait()
        return http_call(f"{base}/api/v1/").status

    with ThreadPoolExecutor(max_workers=requests) as pool:
        statuses = Counter(pool.map(get, range(requests)))
    assert statuses == {200: 20, 403: requests - 20}
    block = BlockedIP.objects.get()
    assert block.source == BlockedIP.Source.AUTOMATIC
    bans = [line for line in log.read_text().splitlines() if ": ip blocked" in line]
    assert len(bans) == 1, bans

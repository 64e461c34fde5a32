"""Blocking, unblocking, flushing, scanning, reporting: the services and the commands over them."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.throttling import counters

from ..models import BlockedIP, RequestLog, SuspiciousIP
from ..selectors import blocked_ip_list_active, request_log_top_ips
from ..services import ip_block, request_log_flush, request_log_purge, suspicious_ips_flag

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # the ban reaches Redis when the block commits
def test_ip_block_and_ip_unblock_commands(client: Client) -> None:
    assert "Blocked 203.0.113.9 (until unblocked)" in run(
        "ip_block", "203.0.113.9", "--reason", "abuse"
    )
    assert client.get("/api/v1/", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert BlockedIP.objects.get().reason == "abuse"
    assert "Unblocked 203.0.113.9" in run("ip_unblock", "203.0.113.9")
    assert client.get("/api/v1/", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert not blocked_ip_list_active().exists()
    assert "had no open block" in run("ip_unblock", "203.0.113.9")


@pytest.mark.django_db(transaction=True)
def test_a_block_that_is_rolled_back_bans_nobody(client: Client) -> None:
    # The caller's transaction fails after the block: no record, so no ban either.
    def block_then_fail() -> None:
        with transaction.atomic():
            ip_block(ip="203.0.113.11", reason="abuse")
            raise RuntimeError("the caller's transaction fails")

    with pytest.raises(RuntimeError):
        block_then_fail()
    assert not BlockedIP.objects.exists()
    assert client.get("/api/v1/", REMOTE_ADDR="203.0.113.11").status_code == 200


def test_a_timed_block_records_its_expiry_and_a_new_block_replaces_the_open_one() -> None:
    run("ip_block", "203.0.113.10", "--minutes", "5")
    run("ip_block", "203.0.113.10", "--reason", "again")
    block = BlockedIP.objects.get()
    assert block.reason == "again"
    assert block.expires_at is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ip_block", "not-an-ip"], "not an IP"),
        (["ip_block", "1.2.3.4", "--minutes", "0"], "positive"),
        (["ip_unblock", "999.1.1.1"], "not an IP"),
        (["ip_report", "--top", "0"], "positive"),
    ],
)
def test_commands_reject_bad_input_with_one_line(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(*args)


def test_ip_report_lists_the_busiest_ips_and_current_blocks() -> None:
    now = timezone.now()
    RequestLog.objects.create(
        ip="203.0.113.1", window_start=now, window_seconds=60, request_count=50
    )
    RequestLog.objects.create(
        ip="203.0.113.2", window_start=now, window_seconds=60, request_count=900
    )
    run("ip_block", "203.0.113.2", "--reason", "flood")
    report = run("ip_report", "--minutes", "5")
    assert report.index("203.0.113.2") < report.index("203.0.113.1")
    assert "flood" in report
    assert request_log_top_ips(since=now - timedelta(minutes=1), limit=1) == [("203.0.113.2", 900)]


def test_ip_report_says_so_when_there_is_nothing() -> None:
    report = run("ip_report")
    assert "(no requests recorded)" in report
    assert "(none)" in report


def test_request_counts_are_flushed_in_batches_exactly_once(
    client: Client, require_redis: None, settings
) -> None:
    for ip in ("198.51.100.1", "198.51.100.1", "198.51.100.2"):
        client.get("/api/v1/", REMOTE_ADDR=ip)
    later = time_in_next_window(settings.IP_MONITOR["WINDOW_SECONDS"])
    assert request_log_flush(now=later) == 2
    assert request_log_flush(now=later) == 0  # the window was forgotten once written
    assert dict(RequestLog.objects.values_list("ip", "request_count")) == {
        "198.51.100.1": 2,
        "198.51.100.2": 1,
    }


def time_in_next_window(window: int) -> float:
    return (counters.window_index(window) + 1) * window + 1


def test_flush_command_writes_and_purges(require_redis: None) -> None:
    old = datetime(2000, 1, 1, tzinfo=UTC)
    RequestLog.objects.create(ip="192.0.2.1", window_start=old, window_seconds=60, request_count=1)
    assert "purged 1" in run("ip_flush_log")
    assert not RequestLog.objects.exists()


def test_purge_keeps_recent_rows() -> None:
    RequestLog.objects.create(
        ip="192.0.2.1", window_start=timezone.now(), window_seconds=60, request_count=1
    )
    assert request_log_purge(older_than=timedelta(days=1)) == 0
    assert RequestLog.objects.count() == 1


def test_string_forms_and_admin_pages(admin_client: Client) -> None:
    run("ip_block", "192.0.2.44")
    row = RequestLog.objects.create(
        ip="192.0.2.44",
        window_start=datetime(2030, 1, 2, 3, 4, tzinfo=UTC),
        window_seconds=60,
        request_count=7,
    )
    assert str(BlockedIP.objects.get()) == "192.0.2.44 (manual)"
    assert str(row) == "192.0.2.44: 7 at 2030-01-02 03:04"
    SuspiciousIP.objects.create(ip="192.0.2.44", hour_start=row.window_start, request_count=9)
    for name in ("blockedip", "requestlog", "suspiciousip"):
        assert admin_client.get(reverse(f"admin:ip_tracking_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:ip_tracking_{name}_add")).status_code == 403


def log_requests(ip: str, hour: datetime, counts: list[int]) -> None:
    RequestLog.objects.bulk_create(
        RequestLog(
            ip=ip,
            window_start=hour + timedelta(minutes=minute),
            window_seconds=60,
            request_count=count,
        )
        for minute, count in enumerate(counts)
    )


def test_the_hourly_scan_flags_busy_ips_once(settings) -> None:
    settings.IP_MONITOR = settings.IP_MONITOR | {"SUSPICIOUS_PER_HOUR": 100}
    hour = datetime(2030, 5, 1, 14, tzinfo=UTC)
    log_requests("203.0.113.9", hour, [60, 41])  # 101: over the line
    log_requests("203.0.113.10", hour, [50, 50])  # 100: exactly at it, not over
    log_requests("203.0.113.11", hour + timedelta(hours=1), [500])  # the next hour
    assert suspicious_ips_flag(hour_start=hour) == 1
    assert suspicious_ips_flag(hour_start=hour) == 0  # a rerun adds nothing
    flag = SuspiciousIP.objects.get()
    assert (flag.ip, flag.hour_start, flag.request_count, flag.reviewed) == (
        "203.0.113.9",
        hour,
        101,
        False,
    )
    assert str(flag) == "203.0.113.9: 101 in the hour from 2030-05-01 14:00"


def test_the_scan_reads_the_last_complete_hour_by_default(settings) -> None:
    settings.IP_MONITOR = settings.IP_MONITOR | {"SUSPICIOUS_PER_HOUR": 10}
    this_hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    log_requests("203.0.113.20", this_hour - timedelta(hours=1), [11])
    log_requests("203.0.113.21", this_hour, [99])  # still running: scanned next hour
    assert suspicious_ips_flag() == 1
    assert SuspiciousIP.objects.get().ip == "203.0.113.20"


def test_ip_scan_command(settings) -> None:
    settings.IP_MONITOR = settings.IP_MONITOR | {"SUSPICIOUS_PER_HOUR": 10}
    log_requests("203.0.113.30", datetime(2030, 5, 1, 9, tzinfo=UTC), [11])
    assert "Flagged 1 new" in run("ip_scan", "--hour", "2030-05-01T09:30")
    assert "Flagged 0 new" in run("ip_scan", "--hour", "2030-05-01T09:00")
    with pytest.raises(CommandError, match="not a date and time"):
        run("ip_scan", "--hour", "yesterday")

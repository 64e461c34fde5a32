"""The IP monitor middleware: automatic bans over the threshold, their expiry, exempt paths."""

import logging
import time
from datetime import timedelta

import pytest
from django.test import Client

from ..models import BlockedIP
from ..services import ip_block

pytestmark = pytest.mark.django_db

URL = "/api/v1/"


@pytest.fixture
def monitor(settings):
    settings.IP_MONITOR = {**settings.IP_MONITOR, "THRESHOLD": 3, "BAN_SECONDS": 600}
    return settings.IP_MONITOR


def get(client: Client, ip: str = "203.0.113.5", path: str = URL):
    return client.get(path, REMOTE_ADDR=ip)


def assert_blocked(response) -> None:
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Requests from your address are blocked.",
        "code": "ip_blocked",
    }


def test_an_ip_over_the_threshold_is_banned_automatically_and_logged(
    client: Client, monitor, caplog: pytest.LogCaptureFixture
) -> None:
    assert [get(client).status_code for _ in range(3)] == [200, 200, 200]
    with caplog.at_level(logging.WARNING):
        assert_blocked(get(client))
    block = BlockedIP.objects.get(ip="203.0.113.5")
    assert block.source == BlockedIP.Source.AUTOMATIC
    assert block.expires_at is not None
    assert any(getattr(r, "event", None) == "ip_blocked" for r in caplog.records)
    assert_blocked(get(client))
    assert BlockedIP.objects.count() == 1  # banned once, not once per refused request
    assert get(client, ip="203.0.113.6").status_code == 200  # others unaffected


@pytest.mark.django_db(transaction=True)  # the ban reaches Redis when the block commits
def test_a_ban_expires_by_itself(client: Client, monitor) -> None:
    ip_block(
        ip="203.0.113.7",
        reason="test",
        source=BlockedIP.Source.AUTOMATIC,
        duration=timedelta(seconds=1),
    )
    assert_blocked(get(client, ip="203.0.113.7"))
    time.sleep(1.2)
    assert get(client, ip="203.0.113.7").status_code == 200


@pytest.mark.django_db(transaction=True)  # the ban reaches Redis when the block commits
def test_exempt_paths_are_served_to_blocked_ips(client: Client, monitor) -> None:
    ip_block(ip="203.0.113.8", reason="test")
    assert_blocked(get(client, ip="203.0.113.8"))
    assert get(client, ip="203.0.113.8", path="/health/live/").status_code == 200


@pytest.mark.django_db(transaction=True)  # the ban reaches Redis when the block commits
def test_ipv6_neighbours_in_one_64_share_a_ban(client: Client, monitor) -> None:
    ip_block(ip="2001:db8:5:6::1", reason="test")
    assert_blocked(get(client, ip="2001:db8:5:6:ffff::9"))
    assert get(client, ip="2001:db8:5:7::1").status_code == 200


def test_the_monitor_fails_open_when_the_store_is_unreachable(
    client: Client, monitor, unreachable_cache: None
) -> None:
    assert get(client).status_code == 200


def test_the_monitor_can_be_switched_off(client: Client, monitor, settings) -> None:
    settings.IP_MONITOR = {**monitor, "ENABLED": False}
    assert {get(client).status_code for _ in range(5)} == {200}

"""The IP monitor's metrics: refusals by reason, bans by source (core/metrics/definitions.py)."""

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from ..services import ip_block

pytestmark = pytest.mark.django_db


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_refusals_and_bans_are_counted_by_reason_and_source(
    client: Client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.IP_MONITOR = {**settings.IP_MONITOR, "THRESHOLD": 2, "BAN_SECONDS": 600}
    refused = {
        reason: value("ip_monitor_refusals_total", reason=reason)
        for reason in ("over_threshold", "banned")
    }
    bans = {
        source: value("ip_monitor_bans_total", source=source) for source in ("automatic", "manual")
    }
    with django_capture_on_commit_callbacks(execute=True):  # the ban reaches Redis at the end
        statuses = [client.get("/api/v1/", REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]
    statuses.append(client.get("/api/v1/", REMOTE_ADDR="203.0.113.7").status_code)
    assert statuses == [200, 200, 403, 403]
    assert (
        value("ip_monitor_refusals_total", reason="over_threshold") == refused["over_threshold"] + 1
    )
    assert value("ip_monitor_refusals_total", reason="banned") == refused["banned"] + 1
    with django_capture_on_commit_callbacks(execute=True):
        ip_block(ip="203.0.113.8", reason="by hand")
    assert value("ip_monitor_bans_total", source="automatic") == bans["automatic"] + 1
    assert value("ip_monitor_bans_total", source="manual") == bans["manual"] + 1


def test_a_ban_rolled_back_is_not_counted(django_capture_on_commit_callbacks) -> None:
    before = value("ip_monitor_bans_total", source="manual")
    with django_capture_on_commit_callbacks(execute=False):  # the test's transaction never commits
        ip_block(ip="203.0.113.9", reason="by hand")
    assert value("ip_monitor_bans_total", source="manual") == before

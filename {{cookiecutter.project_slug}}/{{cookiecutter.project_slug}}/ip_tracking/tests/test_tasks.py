"""The IP-tracking periodic tasks, as Celery runs them (eagerly; see config/tests/test_worker.py)."""

import time

import pytest

from {{ cookiecutter.project_slug }}.core.throttling import counters

from ..models import RequestLog
from ..services import SEEN_SET, counter_key
from ..tasks import flag_suspicious_ips, flush_request_log

pytestmark = pytest.mark.django_db


def test_flush_task_writes_each_finished_window_once(require_redis: None, settings) -> None:
    window = settings.IP_MONITOR["WINDOW_SECONDS"]
    last_window = time.time() - window
    counters.add(
        counter_key("203.0.113.7"), window=window, amount=4, member_of=SEEN_SET, now=last_window
    )
    assert flush_request_log.apply().get() == 1
    assert flush_request_log.apply().get() == 0
    assert list(RequestLog.objects.values_list("ip", "request_count")) == [("203.0.113.7", 4)]


def test_scan_task_flags_nothing_on_a_quiet_hour() -> None:
    assert flag_suspicious_ips.apply().get() == 0

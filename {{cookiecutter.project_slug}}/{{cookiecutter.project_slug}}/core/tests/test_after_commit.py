"""After-commit work fails quietly: one log line per outage, never an exception in the request."""

import logging
import socket
from collections.abc import Iterator

import pytest
from django.db import transaction

from {{ cookiecutter.project_slug }}.core import after_commit
from {{ cookiecutter.project_slug }}.core.after_commit import (
    on_commit_robust,
    run_robustly,
)


@pytest.fixture(autouse=True)
def _no_outage_yet() -> Iterator[None]:
    after_commit._outages.clear()
    yield
    after_commit._outages.clear()


def connect_to_a_closed_port() -> None:
    """A real connection error (nothing listens on port 1), not a mock of one."""
    socket.create_connection(("127.0.0.1", 1), timeout=1).close()


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == after_commit.__name__]


def test_an_outage_is_logged_once_without_a_traceback_then_at_most_once_an_interval(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    assert [run_robustly("probe", connect_to_a_closed_port) for _ in range(5)] == [False] * 5
    [line] = outage_lines(caplog)
    assert line.levelno == logging.WARNING
    assert line.exc_info is None
    assert line.getMessage().startswith("probe postponed (first failure since the outage began)")
    assert "ConnectionRefusedError" in line.getMessage()

    monkeypatch.setattr(after_commit, "OUTAGE_LOG_INTERVAL_SECONDS", 0.0)
    run_robustly("probe", connect_to_a_closed_port)
    assert "6 failures since the outage began" in outage_lines(caplog)[-1].getMessage()

    assert run_robustly("probe", lambda: None) is True
    assert outage_lines(caplog)[-1].getMessage() == "probe works again after 6 failures"
    run_robustly("probe", connect_to_a_closed_port)  # a new outage: logged again, as the first
    assert "first failure" in outage_lines(caplog)[-1].getMessage()
    assert len(outage_lines(caplog)) == 4


def test_work_that_succeeds_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert run_robustly("probe", lambda: None) is True
    assert outage_lines(caplog) == []


def test_a_bug_is_logged_with_its_traceback_and_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def bug() -> None:
        raise ValueError("a template error, say")

    assert run_robustly("probe", bug) is False
    [line] = outage_lines(caplog)
    assert line.levelno == logging.ERROR
    assert line.exc_info is not None


@pytest.mark.django_db
def test_the_work_runs_after_the_commit_only_and_its_failure_does_not_escape(
    django_capture_on_commit_callbacks,
) -> None:
    ran: list[str] = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        on_commit_robust("probe", lambda: ran.append("committed"))
        on_commit_robust("probe", connect_to_a_closed_port)  # raises, after the commit
        assert ran == []
    assert ran == ["committed"]

    def place_then_roll_back() -> None:
        with transaction.atomic():
            on_commit_robust("probe", lambda: ran.append("rolled back"))
            raise Rollback

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback):
        place_then_roll_back()
    assert ran == ["committed"]


class Rollback(Exception):
    pass

"""Request ids: generated or honoured, returned, and on every log line of their request."""

import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from {{ cookiecutter.project_slug }}.core.observability.logging import (
    RequestIdFilter,
    request_id_var,
    resolve_request_id,
)
from {{ cookiecutter.project_slug }}.core.observability.middleware import (
    logger as request_logger,
)


def test_a_request_id_is_generated_and_returned(client: Client) -> None:
    response = client.get("/health/live/")
    assert len(response["X-Request-ID"]) == 32


def test_an_incoming_request_id_is_honoured(client: Client) -> None:
    response = client.get("/health/live/", headers={"X-Request-ID": "edge-42.abc"})
    assert response["X-Request-ID"] == "edge-42.abc"


@pytest.mark.parametrize(
    "forged",
    ["a" * 129, "id with spaces", "line\\nbreak", "<script>", ""],
    ids=["too-long", "spaces", "escape", "markup", "empty"],
)
def test_a_malformed_incoming_request_id_is_replaced(forged: str) -> None:
    assert resolve_request_id(forged) != forged


def test_every_log_line_of_a_request_carries_its_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())  # as the console handler in settings does
    with caplog.at_level(logging.INFO, logger=request_logger.name):
        client.get("/health/live/", headers={"X-Request-ID": "trace-me"})
    record = next(r for r in caplog.records if r.name == request_logger.name)
    assert record.getMessage() == "GET /health/live/ 200"
    assert record.request_id == "trace-me"  # type: ignore[attr-defined]
    assert record.status == 200  # type: ignore[attr-defined]
    fields = vars(record)
    assert (fields["method"], fields["path"], fields["ip"]) == ("GET", "/health/live/", "127.0.0.1")
    assert fields["duration_ms"] >= 0
    assert request_id_var.get() == "-"  # reset once the request is over


def test_json_formatter_writes_one_json_object_per_line_with_the_request_id() -> None:
    config = dict(settings.LOGGING["formatters"]["json"])
    formatter_class = import_string(config.pop("()"))
    formatter = formatter_class(config.pop("fmt"), **config)
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "password changed", None, None)
    token = request_id_var.set("req-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = formatter.format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "password changed"
    assert payload["request_id"] == "req-1"
    assert payload["level"] == "INFO"

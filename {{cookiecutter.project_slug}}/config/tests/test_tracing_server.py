"""Tracing between real processes: gunicorn's forked workers{% if cookiecutter.use_celery == "y" %} and a task worker's pool{% endif %} export over OTLP.

Both start tracing after a fork (gunicorn loads the app in each worker{% if cookiecutter.use_celery == "y" %}; the task worker's pool
forks after Django is loaded{% endif %}): a span processor whose thread did not survive it would export
nothing, which only real processes show. They export to a receiver in this test, as to a real
collector.
"""

import json
from pathlib import Path

import pytest

from tests.support.accounts import ACCOUNTS, PASSWORD
{%- if cookiecutter.use_celery == "y" %}
from tests.support.celery_worker import running_worker
{%- endif %}
from tests.support.fresh_process import http_call, running_gunicorn, wait_for
from tests.support.tracing import ExportedSpan, running_collector

# Slow: starts servers. transactional_db: the servers' own connections read what tests commit.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SERVER, CLIENT = 2, 3  # OTLP's span kinds
{%- if cookiecutter.use_celery == "y" %}
TASK = "{{ cookiecutter.project_slug }}.users.tasks.send_account_email"
{%- endif %}


def json_lines(log: Path) -> list[dict[str, object]]:
    """The JSON log lines in a process's output (gunicorn's own lines are plain text)."""
    lines = log.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def traced(**otel: str) -> dict[str, str]:
    # Batches every 100 ms rather than 5 s: the test waits for them.
    return {"OTEL_BSP_SCHEDULE_DELAY": "100", "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"} | otel


def test_forked_processes_export_one_trace_per_request_and_log_its_ids(tmp_path: Path) -> None:
    with running_collector() as collector:
        otel = traced(OTEL_EXPORTER_OTLP_ENDPOINT=collector.url, OTEL_SERVICE_NAME="shop")
{%- if cookiecutter.use_celery == "y" %}
        with (
            running_worker(tmp_path, **otel) as worker,
            running_gunicorn(tmp_path / "gunicorn.log", workers=2, **otel) as url,
        ):
{%- else %}
        with running_gunicorn(tmp_path / "gunicorn.log", workers=2, **otel) as url:
{%- endif %}
            emails = [f"user{n}@example.com" for n in range(4)]  # over both workers
            for email in emails:
                answer = http_call(
                    f"{url}{ACCOUNTS}/auth/signup", {"email": email, "password": PASSWORD}
                )
                assert answer.status == 401  # signed up; the address is still to be verified

            def servers() -> list[ExportedSpan]:
                return [span for span in collector.spans if span.kind == SERVER]

            wait_for(lambda: len(servers()) == len(emails), "every request's span")
{%- if cookiecutter.use_celery == "y" %}
            wait_for(
                lambda: sum(span.name == f"run/{TASK}" for span in collector.spans) == len(emails),
                "every task's span from the worker",
            )
            worker.wait_until_idle()
{%- endif %}
    traces = {span.trace_id for span in servers()}
    assert len(traces) == len(emails)  # one trace per request
    assert {span.service for span in collector.spans} == {"shop"}
    for trace_id in traces:
        in_trace = [span for span in collector.spans if span.trace_id == trace_id]
        systems = {span.attributes.get("db.system") for span in in_trace if span.kind == CLIENT}
        assert systems >= {"postgresql", "redis"}, [span.name for span in in_trace]
{%- if cookiecutter.use_celery == "y" %}
        assert [span.name for span in in_trace].count(f"run/{TASK}") == 1
{%- endif %}
    # Each request's access line carries its trace{% if cookiecutter.use_celery == "y" %}; the worker's line for its task, the same one{% endif %}.
    lines = json_lines(tmp_path / "gunicorn.log")
    access = [line for line in lines if line.get("path") == f"{ACCOUNTS}/auth/signup"]
    # ... and the probes', which start no trace, carry none.
    assert {line["trace_id"] for line in lines if line.get("path") == "/health/live/"} == {None}
    assert {line["trace_id"] for line in access} == traces
    assert all(len(str(line["span_id"])) == 16 and line["request_id"] for line in access)
{%- if cookiecutter.use_celery == "y" %}
    succeeded = [line for line in json_lines(worker.log) if "succeeded" in str(line.get("message"))]
    assert {line["trace_id"] for line in succeeded} == traces
{%- endif %}

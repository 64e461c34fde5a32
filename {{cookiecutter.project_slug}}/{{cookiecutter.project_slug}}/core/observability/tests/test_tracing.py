"""Tracing: a request is one trace, with its PostgreSQL and Redis calls, and its log lines carry it.

The libraries are instrumented as in production (core/observability/tracing.py), into a tracer
provider whose spans stay in memory (the SDK's InMemorySpanExporter: tests/support/tracing.py),
against the real services.
"""

import logging

import pytest
from django.test import Client
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import SpanKind, format_trace_id

from {{ cookiecutter.project_slug }}.core.observability.tracing import (
    RootClientSpansDropped,
    TraceContextFilter,
)

from tests.support.accounts import ACCOUNTS, PASSWORD
from tests.support.fresh_process import run_with_settings, skip_without_services
from tests.support.tracing import Captured, db_system, one_trace


@pytest.mark.django_db(transaction=True)
def test_a_request_is_one_trace_with_its_database_and_cache_calls(
    spans: InMemorySpanExporter, captured_logs: Captured
) -> None:
    skip_without_services()
    response = Client().post(
        f"{ACCOUNTS}/auth/signup",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401  # signed up; the e-mail is still to be verified
    finished = list(spans.get_finished_spans())
    trace_id = one_trace(finished)
    (server,) = [span for span in finished if span.kind is SpanKind.SERVER]
    assert server.parent is None
    assert server.name == "POST _allauth/app/v1/auth/signup"  # the route, never the raw path
    clients = [span for span in finished if span.kind is SpanKind.CLIENT]
    assert {db_system(span) for span in clients} >= {"postgresql", "redis"}
    inserts = [span for span in clients if span.name.startswith("INSERT")]
    assert inserts, [span.name for span in clients]
    # Statements are recorded without their values: no address or password leaves in a span.
    recorded = repr([(span.name, dict(span.attributes or {})) for span in finished])
    assert "ada@example.com" not in recorded
    assert PASSWORD not in recorded
    # Every line logged in the request, the access line included, names the trace and a span.
    access = [line for line in captured_logs.lines if line["name"].endswith(".middleware")]
    assert access
    assert {line["trace_id"] for line in access} == {format_trace_id(trace_id)}
    assert all(len(line["span_id"]) == 16 for line in access)
    assert access[-1]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db(transaction=True)
def test_addresses_and_tokens_a_request_carries_never_reach_a_span(
    spans: InMemorySpanExporter,
) -> None:
    # Found by a review: the Django instrumentation records the whole URL (`http.url`), query
    # string included; the scrubbing exporter (tracing.py) replaces what it finds there.
    skip_without_services()
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo0Mn0.c2ln"
    query = f"email=ada.lovelace%40example.com&token={jwt}&next=%22ada%22%40example.org"
    Client().get(f"/api/v1/?{query}", HTTP_AUTHORIZATION=f"Bearer {jwt}")
    finished = spans.get_finished_spans()
    (server,) = [span for span in finished if span.kind is SpanKind.SERVER]
    assert "[Filtered]" in str((server.attributes or {}).get("http.url"))
    recorded = repr([(span.name, dict(span.attributes or {}), span.events) for span in finished])
    for secret in ("lovelace", "example.com", "example.org", "eyJ"):
        assert secret not in recorded, secret


@pytest.mark.django_db(transaction=True)
def test_the_health_probes_start_no_trace(spans: InMemorySpanExporter) -> None:
    skip_without_services()
    # The readiness probe reads PostgreSQL and Redis: excluded, and its calls start no trace.
    for path in ("/health/live/", "/health/ready/"):
        assert Client().get(path).status_code == 200
    assert spans.get_finished_spans() == ()


def test_a_client_call_outside_any_trace_is_dropped_and_others_kept() -> None:
    sampler = RootClientSpansDropped(ratio=1.0)
    assert sampler.should_sample(None, 1, "GET", SpanKind.CLIENT).decision is Decision.DROP
    for kind in (SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.INTERNAL):
        decision = sampler.should_sample(None, 1, "x", kind).decision
        assert decision is Decision.RECORD_AND_SAMPLE, kind
    never = RootClientSpansDropped(ratio=0.0)
    assert never.should_sample(None, 1, "x", SpanKind.SERVER).decision is Decision.DROP


def test_a_line_logged_outside_a_span_says_so() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "outside", None, None)
    assert TraceContextFilter().filter(record)
    assert (vars(record)["trace_id"], vars(record)["span_id"]) == (None, None)


# A fresh process under the test settings: what it loaded, once Django is set up.
PROBE = """
import sys, django
django.setup()
from django.conf import settings
print(settings.TRACING_ENABLED, settings.MIDDLEWARE[0].rsplit(".", 1)[-1],
      "opentelemetry.instrumentation.django" in sys.modules,
      settings.LOGGING["formatters"]["json"]["fmt"])
"""
ENDPOINT = "http://127.0.0.1:4318"  # nothing listens: no span is made, none is sent


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{ENDPOINT}/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT, "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_tracing_starts_only_with_an_endpoint(env: dict[str, str], enabled: bool) -> None:
    names = (
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_SDK_DISABLED",
    )
    unset: dict[str, str | None] = dict.fromkeys(names)
    result = run_with_settings(PROBE, settings_module="config.settings.test", env=unset | env)
    assert result.returncode == 0, result.stderr
    flag, first, instrumented, fmt = result.stdout.split(maxsplit=3)
    assert (flag, instrumented) == (str(enabled), str(enabled))
    # On, the instrumentation's middleware is the outermost; off, it is not even imported.
    assert (first == "_DjangoMiddleware") is enabled
    assert ("%(trace_id)s %(span_id)s" in fmt) is enabled


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
            "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL, not 'collector:4318'",
        ),
        (
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "grpc://collector:4317"},
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s):// URL, not "
            "'grpc://collector:4317'",
        ),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf is installed",
        ),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT, "OTEL_TRACES_SAMPLER_ARG": "half"},
            "OTEL_TRACES_SAMPLER_ARG must be from 0 to 1, not 'half'",
        ),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT, "OTEL_TRACES_SAMPLER_ARG": "nan"},
            "OTEL_TRACES_SAMPLER_ARG must be from 0 to 1, not 'nan'",
        ),
    ],
)
def test_a_wrong_tracing_setting_stops_start_up_naming_it(
    env: dict[str, str], message: str
) -> None:
    result = run_with_settings(PROBE, settings_module="config.settings.test", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {message}"
    )


def test_the_suite_sends_no_telemetry_whatever_the_environment_says() -> None:
    # A developer's .env with a collector's endpoint and a DSN, for local runs: pytest's own
    # process (PYTEST_VERSION) neither traces nor reports. (.env fills in variables; these are
    # the same variables, set in the shell.)
    env = {
        "PYTEST_VERSION": "8",
        "OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT,
        "SENTRY_DSN": "http://key@127.0.0.1:9/1",
    }
    probe = PROBE + "print(repr(settings.SENTRY_DSN))"
    result = run_with_settings(probe, settings_module="config.settings.test", env=env)
    assert result.returncode == 0, result.stderr
    enabled, _, instrumented, *_ = result.stdout.split()
    assert (enabled, instrumented) == ("False", "False")
    assert result.stdout.splitlines()[-1] == "''"

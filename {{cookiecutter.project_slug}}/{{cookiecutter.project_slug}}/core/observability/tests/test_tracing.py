"""Tracing: a request is one trace, with its PostgreSQL and Redis calls, and its log lines carry it.

The libraries are instrumented as in production (core/observability/tracing.py), into a tracer
provider whose spans stay in memory (the SDK's InMemorySpanExporter: tests/support/tracing.py),
against the real services.
"""

import logging

import pytest
from django.conf import LazySettings
from django.test import Client
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import SpanKind, format_trace_id

from {{ cookiecutter.project_slug }}.core.observability.trace_provider import (
    RootClientSpansDropped,
)
from {{ cookiecutter.project_slug }}.core.observability.tracing import (
    INCOMING_CONTEXT_DROPPED,
    TraceContextFilter,
)

from tests.support.accounts import ACCOUNTS, PASSWORD
from tests.support.fresh_process import skip_without_services
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


TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def untrusting(settings: LazySettings) -> None:
    """MIDDLEWARE as the tracing settings make it unless TRACING_TRUST_INCOMING_CONTEXT.

    (Taken before `spans`, which puts the instrumentation's middleware after this one.)
    """
    settings.MIDDLEWARE = [INCOMING_CONTEXT_DROPPED, *settings.MIDDLEWARE]


@pytest.mark.django_db(transaction=True)
def test_a_clients_trace_context_is_dropped(untrusting: None, spans: InMemorySpanExporter) -> None:
    # Found by a review: a client's tracestate (an address in it) was copied onto every span of
    # the request, and any client could pick its trace id or have every request kept.
    headers = {"traceparent": TRACEPARENT, "tracestate": "v=ada@example.com", "baggage": "u=ada"}
    Client(headers=headers).get("/api/v1/")
    (server,) = [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]
    assert server.parent is None
    assert server.context.trace_id != int(TRACEPARENT.split("-")[1], 16)
    assert not server.context.trace_state


@pytest.mark.django_db(transaction=True)
def test_a_trusted_gateways_trace_is_continued(spans: InMemorySpanExporter) -> None:
    # TRACING_TRUST_INCOMING_CONTEXT=true: no IncomingTraceContextDropped in MIDDLEWARE.
    Client(headers={"traceparent": TRACEPARENT}).get("/api/v1/")
    (server,) = [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]
    assert server.parent is not None
    assert server.parent.is_remote
    assert server.parent.trace_id == int(TRACEPARENT.split("-")[1], 16)


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

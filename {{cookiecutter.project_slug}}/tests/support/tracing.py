"""Spans from the libraries instrumented as in production: kept in memory, or received over OTLP.

A pytest plugin (the root conftest.py loads it): a test takes `spans` (the libraries traced for
that test, in this process) and `captured_logs` by name; `running_collector()` receives what
other processes (gunicorn's workers, a task worker) export.
"""

import gzip
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connections
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from {{ cookiecutter.project_slug }}.core.observability.logging import (
    RequestIdFilter,
)
from {{ cookiecutter.project_slug }}.core.observability.trace_provider import (
    build_provider,
)
from {{ cookiecutter.project_slug }}.core.observability.tracing import (
    TraceContextFilter,
    instrument,
    uninstrument,
)


class Captured(logging.Handler):
    """Keeps the records that reach it, as the console handler's filters leave them: `lines`.

    Each line is a record's attributes (name, msg, request_id, trace_id, span_id...).
    """

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.addFilter(TraceContextFilter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(vars(record))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Instrumented for one test; the spans it made as they ended, scrubbed as they are exported.

    Connections are closed on both sides: one opened before instrumenting would never be traced,
    and one opened during it would keep tracing after.
    """
    exporter = InMemorySpanExporter()
    provider = build_provider(
        service_name="test", service_version="0", ratio=1.0, exporter=exporter, batched=False
    )
    connections.close_all()
    instrument(provider)
    try:
        yield exporter
    finally:
        uninstrument()
        connections.close_all()
        provider.shutdown()


@pytest.fixture
def captured_logs() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def one_trace(spans: list[ReadableSpan]) -> int:
    trace_ids = {span.context.trace_id for span in spans if span.context}
    assert len(trace_ids) == 1, [span.name for span in spans]
    return int(trace_ids.pop())


def db_system(span: ReadableSpan) -> object:
    attributes = span.attributes or {}
    return attributes.get("db.system") or attributes.get("db.system.name")


@dataclass(frozen=True)
class ExportedSpan:
    """A span as a process exported it over OTLP: ids in W3C hex ("" for a root's parent)."""

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int  # OTLP's SpanKind: 2 server, 3 client, 4 producer, 5 consumer
    service: str
    attributes: dict[str, object]


@dataclass
class Collector:
    """What an OTLP/HTTP receiver got: `url` is for OTEL_EXPORTER_OTLP_ENDPOINT."""

    url: str
    spans: list[ExportedSpan] = field(default_factory=list)


def _decoded(body: bytes) -> list[ExportedSpan]:
    request = ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    ExportedSpan(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        kind=span.kind,
                        service=resource.get("service.name", ""),
                        attributes={
                            a.key: getattr(a.value, a.value.WhichOneof("value") or "string_value")
                            for a in span.attributes
                        },
                    )
                )
    return spans


@contextmanager
def running_collector() -> Iterator[Collector]:
    """A trace receiver on loopback, as an OpenTelemetry Collector's OTLP/HTTP one (port 4318).

    It decodes each POST /v1/traces (protobuf, gzip or not) and keeps the spans; the processes a
    test starts export to it as they would to a real collector.
    """
    collector = Collector(url="")

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            collector.spans.extend(_decoded(body))
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the test reads the spans, not the requests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    collector.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        server.shutdown()
        server.server_close()

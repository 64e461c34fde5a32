"""Distributed tracing with OpenTelemetry: one trace per request{% if cookiecutter.use_celery == "y" %}, continued in the tasks it enqueues{% endif %}.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then
config/settings/components/tracing.py sets TRACING_ENABLED and the core app's ready() calls
`start_tracing()` in every process that loads Django (gunicorn's workers after their fork, the task
worker, runserver). Spans leave in batches over OTLP/HTTP; the exporter reads the standard
OTEL_EXPORTER_OTLP_* variables (headers, timeout, certificate) itself.
Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
"""

import logging
import os
import threading
from collections.abc import Sequence
{% if cookiecutter.use_celery == "y" %}
from celery.signals import worker_process_shutdown
{%- endif %}
from opentelemetry import trace
from opentelemetry.context import Context
{%- if cookiecutter.use_celery == "y" %}
from opentelemetry.instrumentation.celery import CeleryInstrumentor
{%- endif %}
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind, Status
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from .scrubbing import scrub, scrub_text

# Health probes come every few seconds from the orchestrator: a trace each would bury the rest.
# OTEL_PYTHON_DJANGO_EXCLUDED_URLS (comma-separated regular expressions) replaces this list.
EXCLUDED_URLS = "health/"

_lock = threading.Lock()
_provider: TracerProvider | None = None


class RootClientSpansDropped(Sampler):
    """Starts a trace at a request{% if cookiecutter.use_celery == "y" %}, a task or a task sent from outside one{% endif %}; never at a lone client call.

    A database or Redis call outside any request{% if cookiecutter.use_celery == "y" %} or task (the worker's broker polls{% else %} (start-up checks{% endif %},
    a management command's queries) would otherwise be a trace of one span, thousands a minute.
    Other roots are kept at `ratio` (0 to 1) of their trace ids; children follow their parent
    (`ParentBased`), so a kept trace is never missing a span.
    """

    def __init__(self, ratio: float) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind is SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self._ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "RootClientSpansDropped{" + self._ratio.get_description() + "}"


class ScrubbingSpanExporter(SpanExporter):
    """Hands spans on to `exporter` with every e-mail address and JWT in their text replaced.

    Instrumentations record what a request carried: the Django one puts the whole URL, query
    string included, in `http.url` (`?email=...`, `?token=...`), and an exception's message goes
    into an event. Scrubbed here, once, whatever the instrumentation: attributes, events' attributes
    and the status's description (scrubbing.py, as error reports are).
    """

    def __init__(self, exporter: SpanExporter) -> None:
        self._exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._exporter.export([_scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    status = span.status
    if status.description:
        status = Status(status.status_code, scrub_text(status.description))
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_scrubbed_attributes(span.attributes),
        events=[
            Event(event.name, _scrubbed_attributes(event.attributes), event.timestamp)
            for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _scrubbed_attributes(attributes: Attributes) -> Attributes:
    # Values are strings, numbers, booleans or sequences of one of them (the SDK checks).
    return {key: scrub(value) for key, value in (attributes or {}).items()}


def instrumentors() -> list[BaseInstrumentor]:
    """The libraries traced: Django (one server span per request), psycopg, Redis{% if cookiecutter.use_celery == "y" %}, Celery{% endif %}."""
    return [
        DjangoInstrumentor(),
        PsycopgInstrumentor(),
        RedisInstrumentor(),
{%- if cookiecutter.use_celery == "y" %}
        CeleryInstrumentor(),  # type: ignore[no-untyped-call]
{%- endif %}
    ]


def build_provider(
    *,
    service_name: str,
    service_version: str,
    ratio: float,
    exporter: SpanExporter,
    batched: bool = True,
) -> TracerProvider:
    """A tracer provider for this service: its resource, the sampler, `exporter` behind the scrubber.

    Spans leave in batches from a background thread; `batched=False` sends each as it ends
    (tests). OTEL_RESOURCE_ATTRIBUTES adds attributes (deployment.environment.name=staging, say).
    """
    resource = Resource.create({"service.name": service_name, "service.version": service_version})
    provider = TracerProvider(resource=resource, sampler=ParentBased(RootClientSpansDropped(ratio)))
    scrubbing = ScrubbingSpanExporter(exporter)
    provider.add_span_processor(
        BatchSpanProcessor(scrubbing) if batched else SimpleSpanProcessor(scrubbing)
    )
    return provider


def instrument(provider: TracerProvider) -> None:
    """Trace the libraries into `provider`. Before Django's handler loads its middleware.

    The Django instrumentation puts its middleware first in settings.MIDDLEWARE, so the span is
    open while every other middleware runs and the access log line can carry its ids.
    """
    excluded = None if "OTEL_PYTHON_DJANGO_EXCLUDED_URLS" in os.environ else EXCLUDED_URLS
    for instrumentor in instrumentors():
        options: dict[str, object] = {"tracer_provider": provider}
        if isinstance(instrumentor, DjangoInstrumentor):
            options["excluded_urls"] = excluded
        instrumentor.instrument(**options)


def uninstrument() -> None:
    """Undo `instrument()` (tests): the libraries' own functions and MIDDLEWARE are restored."""
    for instrumentor in instrumentors():
        instrumentor.uninstrument()


def start_tracing(*, service_name: str, service_version: str, ratio: float) -> None:
    """Export this process's spans over OTLP/HTTP, in batches; once per process.

    The batch processor's thread is restarted in a forked child by the SDK itself (it registers
    with os.register_at_fork), so a process that forks after this (the task worker's pool) exports
    from each child. Spans still queued at exit are flushed: at interpreter exit by the SDK, and
    {% if cookiecutter.use_celery == "y" %}by `flush_spans()` where a process ends without it (a task worker's pool process).{% else %}by `flush_spans()` where a process ends without it.{% endif %}
    """
    global _provider  # one provider per process, as the API's global is
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    with _lock:
        if _provider is not None:
            return
        _provider = build_provider(
            service_name=service_name,
            service_version=service_version,
            ratio=ratio,
            exporter=OTLPSpanExporter(),
        )
        trace.set_tracer_provider(_provider)
        instrument(_provider)
{%- if cookiecutter.use_celery == "y" %}
        # A task worker's pool process ends without running atexit: its queued spans go first.
        worker_process_shutdown.connect(flush_spans, weak=False)
{%- endif %}


def flush_spans(**kwargs: object) -> None:
    """Send the spans still queued (a signal receiver: a process about to end without atexit)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


class TraceContextFilter(logging.Filter):
    """Adds `trace_id` and `span_id` (W3C hex, None outside a span) to every record.

    A log line then leads to its trace in the tracing back end, and back.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        else:
            record.trace_id = record.span_id = None
        return True

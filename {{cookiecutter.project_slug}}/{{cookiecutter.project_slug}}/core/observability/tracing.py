"""Distributed tracing with OpenTelemetry: one trace per request{% if cookiecutter.use_celery == "y" %}, continued in the tasks it enqueues{% endif %}.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then
config/settings/components/tracing.py sets TRACING_ENABLED and the core app's ready() calls
`start_tracing()` in every process that loads Django (gunicorn's workers after their fork, the task
worker, runserver). Spans leave in batches over OTLP/HTTP; the exporter reads the standard
OTEL_EXPORTER_OTLP_* variables (headers, timeout, certificate) itself.
Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
"""

import logging
import threading
from collections.abc import Callable
{% if cookiecutter.use_celery == "y" %}
from celery.signals import worker_process_shutdown
{%- endif %}
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from opentelemetry import trace
{%- if cookiecutter.use_celery == "y" %}
from opentelemetry.instrumentation.celery import CeleryInstrumentor
{%- endif %}
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from .trace_provider import build_provider

# The W3C headers a client can send to join a trace (request.META's names).
TRACE_CONTEXT_HEADERS = ("HTTP_TRACEPARENT", "HTTP_TRACESTATE", "HTTP_BAGGAGE")
INCOMING_CONTEXT_DROPPED = f"{__name__}.IncomingTraceContextDropped"

_lock = threading.Lock()
_provider: TracerProvider | None = None


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


class IncomingTraceContextDropped:
    """Removes a client's trace headers before the Django instrumentation reads them.

    First in MIDDLEWARE unless TRACING_TRUST_INCOMING_CONTEXT (components/tracing.py): each
    request then starts a trace of its own, whatever a client claims.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in TRACE_CONTEXT_HEADERS:
            request.META.pop(name, None)
        return self.get_response(request)


def instrument(provider: TracerProvider, *, excluded_urls: str = "health/") -> None:
    """Trace the libraries into `provider`. Before Django's handler loads its middleware.

    The Django instrumentation puts its middleware first in settings.MIDDLEWARE (after
    IncomingTraceContextDropped, where that is), so the span is open while every other
    middleware runs and the access log line can carry its ids. `excluded_urls`: regular
    expressions, comma-separated, of the URLs never traced.
    """
    middleware = list(settings.MIDDLEWARE)
    dropped = INCOMING_CONTEXT_DROPPED in middleware
    position = middleware.index(INCOMING_CONTEXT_DROPPED) + 1 if dropped else 0
    for instrumentor in instrumentors():
        options: dict[str, object] = {"tracer_provider": provider}
        if isinstance(instrumentor, DjangoInstrumentor):
            options |= {"excluded_urls": excluded_urls, "middleware_position": position}
        instrumentor.instrument(**options)


def uninstrument() -> None:
    """Undo `instrument()` (tests): the libraries' own functions and MIDDLEWARE are restored."""
    for instrumentor in instrumentors():
        instrumentor.uninstrument()


def start_tracing(
    *,
    service_name: str,
    service_version: str,
    ratio: float,
    excluded_urls: str,
    export_timeout: float,
) -> None:
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
            # Endpoint, headers, certificate: the exporter reads the OTEL_EXPORTER_OTLP_* variables.
            exporter=OTLPSpanExporter(timeout=export_timeout),
        )
        trace.set_tracer_provider(_provider)
        instrument(_provider, excluded_urls=excluded_urls)
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

"""The tracer provider: which traces are kept, and what their spans carry when they leave.

`build_provider` gives tracing.py (and the tests) a provider with this project's sampler,
`RootClientSpansDropped`, and its exporter behind `ScrubbingSpanExporter`.
"""

from collections.abc import Sequence

from opentelemetry.context import Context
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

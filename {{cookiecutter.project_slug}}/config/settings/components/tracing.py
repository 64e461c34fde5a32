"""Tracing: OpenTelemetry spans over OTLP/HTTP when an endpoint is set; nothing otherwise.

Always present. Set OTEL_EXPORTER_OTLP_ENDPOINT (a collector's base URL, e.g.
http://otel-collector:4318) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (its full /v1/traces URL) and
every process traces; OTEL_SDK_DISABLED=true turns it off again. The core app starts it
(core/observability/tracing.py); JSON log lines then carry trace_id and span_id.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from ..env import PACKAGE, VERSION, env
from .logging import LOGGING

_endpoints = {
    name: env.str(name, default="")
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
}
TRACING_ENABLED = any(_endpoints.values()) and not env.bool("OTEL_SDK_DISABLED", default=False)
if TRACING_ENABLED:
    # Refused here, in one line, rather than as an export error every five seconds.
    for _name, _url in _endpoints.items():
        _parts = urlsplit(_url)
        if _url and (_parts.scheme not in {"http", "https"} or not _parts.hostname):
            raise ImproperlyConfigured(f"{_name} must be an http(s):// URL, not {_url!r}")
    for _name in ("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"):
        if env.str(_name, default="http/protobuf") != "http/protobuf":
            raise ImproperlyConfigured(f"{_name}: only http/protobuf is installed")
    TRACING_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default=PACKAGE)
    TRACING_SERVICE_VERSION = VERSION
    # The share of traces kept, 0 to 1 (OTEL_TRACES_SAMPLER_ARG, as the standard ratio samplers).
    _ratio = env.str("OTEL_TRACES_SAMPLER_ARG", default="1")
    try:
        TRACING_SAMPLE_RATIO = float(_ratio)
    except ValueError:
        TRACING_SAMPLE_RATIO = -1.0
    if not 0 <= TRACING_SAMPLE_RATIO <= 1:  # NaN too
        raise ImproperlyConfigured(f"OTEL_TRACES_SAMPLER_ARG must be from 0 to 1, not {_ratio!r}")
    # Every line names its trace and span (null outside one), next to its request id.
    LOGGING["filters"]["trace_context"] = {
        "()": f"{PACKAGE}.core.observability.tracing.TraceContextFilter",
    }
    LOGGING["handlers"]["console"]["filters"].append("trace_context")
    LOGGING["formatters"]["json"]["fmt"] += " %(trace_id)s %(span_id)s"

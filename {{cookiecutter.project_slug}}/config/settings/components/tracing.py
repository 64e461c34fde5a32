"""Tracing: OpenTelemetry spans over OTLP/HTTP when an endpoint is set; nothing otherwise.

Always present. Set OTEL_EXPORTER_OTLP_ENDPOINT (a collector's base URL, e.g.
http://otel-collector:4318) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (its full /v1/traces URL) and
every process traces; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turns it off again. The
core app starts it (core/observability/tracing.py); JSON log lines then carry trace_id and
span_id. The standard OTEL_* variables this project reads are checked here: a value it cannot
honour stops start-up naming the variable, rather than failing every export or being ignored.
Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
"""

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from ..base import MIDDLEWARE
from ..env import PACKAGE, VERSION, env
from .logging import LOGGING

# The standard samplers, each as this project's parent-based one (tracing.py) with a ratio of
# traces kept: fixed, or None for OTEL_TRACES_SAMPLER_ARG's.
SAMPLERS: dict[str, float | None] = {
    "parentbased_traceidratio": None,
    "traceidratio": None,
    "parentbased_always_on": 1.0,
    "always_on": 1.0,
    "parentbased_always_off": 0.0,
    "always_off": 0.0,
}
PROPAGATORS = {"tracecontext", "baggage", "none"}  # those installed (b3 and jaeger are not)
# Health probes come every few seconds from the orchestrator: a trace each would bury the rest.
DEFAULT_EXCLUDED_URLS = "health/"


def _refuse(name: str, must: str, value: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name} must be {must}, not {value!r}")


def _endpoint(name: str) -> str:
    """The URL in `name`, "" when unset; exactly as the exporter will read it, or refused."""
    url = str(env.str(name, default=""))
    try:
        parts = urlsplit(url)
        valid = parts.scheme in {"http", "https"} and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port out of range or not a number, an unclosed [IPv6 address
        valid = False
    # No whitespace anywhere: the exporter would send "host\n" to DNS and fail each batch.
    if url and (not valid or re.search(r"\s", url)):
        raise _refuse(name, "an http(s):// URL with no spaces", url)
    return url


_base_url = _endpoint("OTEL_EXPORTER_OTLP_ENDPOINT")
if _base_url.rstrip("/").endswith("/v1/traces"):
    raise ImproperlyConfigured(
        "OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL (the exporter adds /v1/traces), "
        f"not {_base_url!r}: set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT for a full URL"
    )
_traces_url = _endpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_exporter = env.str("OTEL_TRACES_EXPORTER", default="").strip().lower() or "otlp"
if _exporter not in {"otlp", "none"}:
    raise _refuse("OTEL_TRACES_EXPORTER", "otlp or none (OTLP over HTTP is installed)", _exporter)
_disabled = env.bool("OTEL_SDK_DISABLED", default=False)
TRACING_ENABLED = bool(_base_url or _traces_url) and not _disabled and _exporter == "otlp"

if TRACING_ENABLED:
    for _name in ("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"):
        _protocol = env.str(_name, default="")
        if _protocol.strip().lower() not in {"", "http/protobuf"}:
            raise _refuse(_name, "http/protobuf (the only protocol installed)", _protocol)
    _propagators = env.str("OTEL_PROPAGATORS", default="")
    if not _propagators.strip():  # empty is unset (the spec), but the SDK would look one up
        os.environ.pop("OTEL_PROPAGATORS", None)
    elif not {item.strip() for item in _propagators.split(",")} <= PROPAGATORS:
        raise _refuse("OTEL_PROPAGATORS", "tracecontext, baggage or none", _propagators)
    # Regular expressions, comma-separated, searched in each request's URL (the instrumentation's
    # syntax): the project's default unless either standard variable replaces it.
    _excluded_name = next(
        (
            name
            for name in ("OTEL_PYTHON_DJANGO_EXCLUDED_URLS", "OTEL_PYTHON_EXCLUDED_URLS")
            if env.str(name, default="").strip()
        ),
        None,
    )
    TRACING_EXCLUDED_URLS = env.str(_excluded_name) if _excluded_name else DEFAULT_EXCLUDED_URLS
    for _pattern in TRACING_EXCLUDED_URLS.split(","):
        try:
            re.compile(_pattern.strip())
        except re.error as error:
            raise _refuse(str(_excluded_name), f"regular expressions ({error})", _pattern) from None
    TRACING_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="").strip() or PACKAGE
    TRACING_SERVICE_VERSION = VERSION
    # The share of traces kept, 0 to 1: the standard sampler's, or OTEL_TRACES_SAMPLER_ARG.
    _sampler = env.str("OTEL_TRACES_SAMPLER", default="").strip().lower()
    _sampler = _sampler or "parentbased_traceidratio"
    if _sampler not in SAMPLERS:
        raise _refuse("OTEL_TRACES_SAMPLER", "one of " + ", ".join(SAMPLERS), _sampler)
    _fixed = SAMPLERS[_sampler]
    if _fixed is not None:
        TRACING_SAMPLE_RATIO = _fixed
    else:
        _ratio = env.str("OTEL_TRACES_SAMPLER_ARG", default="").strip() or "1"
        try:
            TRACING_SAMPLE_RATIO = float(_ratio)
        except ValueError:
            TRACING_SAMPLE_RATIO = -1.0
        if not 0 <= TRACING_SAMPLE_RATIO <= 1:  # NaN too
            raise _refuse("OTEL_TRACES_SAMPLER_ARG", "from 0 to 1", _ratio)
    # How long one export may take before it is dropped: the exporter's 10 s by default would
    # hold a stopping process past gunicorn's graceful timeout when the collector hangs.
    # Set, it must be seconds (the Python exporter's unit, though the spec says milliseconds: a
    # 10000 meant as 10 s would be three hours) and below gunicorn's graceful timeout (20 s).
    TRACING_EXPORT_TIMEOUT_SECONDS = 5.0
    for _name in ("OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"):  # 2nd wins
        _timeout = env.str(_name, default="")
        if not _timeout.strip():
            continue
        try:
            _seconds = float(_timeout)
        except ValueError:
            _seconds = -1.0
        if not 0 < _seconds <= 15:  # NaN too
            raise _refuse(_name, "seconds, more than 0 and at most 15", _timeout)
        TRACING_EXPORT_TIMEOUT_SECONDS = _seconds
    # A client's traceparent, tracestate and baggage are dropped: on a public API anyone could
    # pick the trace id, force sampling, or have its text copied onto every span and task. Behind
    # a gateway or mesh that starts the traces, trust it and the app continues them.
    TRACING_TRUST_INCOMING_CONTEXT = env.bool("TRACING_TRUST_INCOMING_CONTEXT", default=False)
    if not TRACING_TRUST_INCOMING_CONTEXT:
        MIDDLEWARE.insert(0, f"{PACKAGE}.core.observability.tracing.IncomingTraceContextDropped")
    # Every line names its trace and span (null outside one), next to its request id.
    LOGGING["filters"]["trace_context"] = {
        "()": f"{PACKAGE}.core.observability.tracing.TraceContextFilter",
    }
    LOGGING["handlers"]["console"]["filters"].append("trace_context")
    LOGGING["formatters"]["json"]["fmt"] += " %(trace_id)s %(span_id)s"

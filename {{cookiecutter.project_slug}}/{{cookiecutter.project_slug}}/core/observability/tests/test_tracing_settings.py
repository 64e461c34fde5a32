"""Tracing's settings: on only with an endpoint, the standard variables honoured or refused.

Each case loads the settings in a fresh process (tests/support/fresh_process.py), as a server
would.
"""

import json

import pytest

from config.settings.env import PACKAGE

from tests.support.fresh_process import run_with_settings

# A fresh process under the test settings: what it loaded, once Django is set up.
PROBE = """
import sys, django
django.setup()
from django.conf import settings
print(settings.TRACING_ENABLED, ",".join(m.rsplit(".", 1)[-1] for m in settings.MIDDLEWARE[:2]),
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
    # On, the instrumentation's middleware is the outermost but for the one that drops a client's
    # trace headers before it reads them; off, it is not even imported.
    assert (first == "IncomingTraceContextDropped,_DjangoMiddleware") is enabled
    assert ("%(trace_id)s %(span_id)s" in fmt) is enabled


STANDARD = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps([settings.TRACING_SAMPLE_RATIO, settings.TRACING_SERVICE_NAME,
                  settings.TRACING_EXPORT_TIMEOUT_SECONDS, settings.TRACING_EXCLUDED_URLS]))
"""


EMPTY_IS_UNSET = [
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "OTEL_PROPAGATORS",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, [1.0, PACKAGE, 5.0, "health/"]),
        ({"OTEL_TRACES_SAMPLER": "always_off"}, [0.0, PACKAGE, 5.0, "health/"]),
        (
            {
                "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG": " 0.25 ",
            },
            [0.25, PACKAGE, 5.0, "health/"],
        ),
        # Found by a review: a blank name became "unknown_service:python".
        ({"OTEL_SERVICE_NAME": "  "}, [1.0, PACKAGE, 5.0, "health/"]),
        ({"OTEL_SERVICE_NAME": "shop-web"}, [1.0, "shop-web", 5.0, "health/"]),
        ({"OTEL_EXPORTER_OTLP_TIMEOUT": "3"}, [1.0, PACKAGE, 3.0, "health/"]),
        ({"OTEL_PYTHON_EXCLUDED_URLS": "ping,metrics"}, [1.0, PACKAGE, 5.0, "ping,metrics"]),
        # Found by a second review: empty is unset (the spec), not a value to refuse.
        (
            dict.fromkeys(EMPTY_IS_UNSET, ""),
            [1.0, PACKAGE, 5.0, "health/"],
        ),
    ],
)
def test_the_standard_variables_are_honoured(env: dict[str, str], expected: list[object]) -> None:
    full = {"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT} | env
    result = run_with_settings(STANDARD, settings_module="config.settings.test", env=full)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


URL = "an http(s):// URL with no spaces"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", f"{URL}, not 'collector:4318'"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "grpc://c:4317", f"{URL}, not 'grpc://c:4317'"),
        # Found by a review: each passed the check and then failed every export, or tracebacked.
        ("OTEL_EXPORTER_OTLP_ENDPOINT", f"{ENDPOINT}\n", f"{URL}, not '{ENDPOINT}\\n'"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", f"{ENDPOINT} ", f"{URL}, not '{ENDPOINT} '"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://h:99999", f"{URL}, not 'http://h:99999'"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1", f"{URL}, not 'http://[::1'"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", f"{ENDPOINT}/v1/traces", "is the collector's base URL"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "must be http/protobuf"),
        ("OTEL_TRACES_SAMPLER_ARG", "half", "must be from 0 to 1, not 'half'"),
        ("OTEL_TRACES_SAMPLER_ARG", "nan", "must be from 0 to 1, not 'nan'"),
        # Found by a review: standard variables that were silently ignored, or failed unnamed.
        ("OTEL_TRACES_SAMPLER", "jaeger_remote", "must be one of parentbased_traceidratio"),
        ("OTEL_TRACES_EXPORTER", "console", "must be otlp or none"),
        ("OTEL_PROPAGATORS", "b3", "must be tracecontext, baggage or none, not 'b3'"),
        ("OTEL_PYTHON_DJANGO_EXCLUDED_URLS", "([x", "must be regular expressions ("),
        ("OTEL_SDK_DISABLED", "ture", "must be true or false, not 'ture'"),
        # Found by a second review: the spec's milliseconds read as seconds, or no number at all.
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "10000", "must be seconds, more than 0 and at most 15"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "abc", "must be seconds"),
        ("OTEL_PYTHON_EXCLUDED_URLS", "([", "must be regular expressions ("),
    ],
)
def test_a_wrong_tracing_setting_stops_start_up_naming_it(
    name: str, value: str, message: str
) -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT, name: value}
    result = run_with_settings(PROBE, settings_module="config.settings.test", env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"django.core.exceptions.ImproperlyConfigured: {name} ")
    assert message in last


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

"""Logging: one line per event with its request id, readable locally and JSON lines in production.

Always present. production.py switches the formatter to JSON by default.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ..env import PACKAGE, env

# One line per event, each with the request id. Readable locally; production switches the
# formatter to JSON lines for the log pipeline.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="readable")
if LOG_FORMAT not in {"readable", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'readable' or 'json', not {LOG_FORMAT!r}")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": f"{PACKAGE}.core.observability.logging.RequestIdFilter",
        },
        "client_fault": {
            "()": f"{PACKAGE}.core.observability.logging.ClientFaultFilter",
        },
    },
    "formatters": {
        "readable": {
            "format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "client_fault"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request log below replaces Django's own per-request lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

"""The core app: what every app shares. On start-up it refuses settings that contradict."""

from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.core.checks import (
            refuse_contradicting_settings,
        )

        if settings.METRICS_ENABLED:
            from {{ cookiecutter.project_slug }}.core.metrics.database import (
                instrument_connection,
            )

            # Every connection times its statements (core/metrics/): those opened from now on, and
            # any an earlier app's start-up opened (a persistent one would never be opened again).
            connection_created.connect(instrument_connection, dispatch_uid="metrics")
            for opened in connections.all(initialized_only=True):
                instrument_connection(connection=opened)
        if settings.TRACING_ENABLED:
            from {{ cookiecutter.project_slug }}.core.observability.tracing import (
                start_tracing,
            )

            # Here, before the WSGI handler loads the middleware the Django instrumentation adds.
            # gunicorn loads the app in each worker after the fork; the task worker before its
            # pool forks, which the SDK's span processor survives (docs: "Observability").
            start_tracing(
                service_name=settings.TRACING_SERVICE_NAME,
                service_version=settings.TRACING_SERVICE_VERSION,
                ratio=settings.TRACING_SAMPLE_RATIO,
                excluded_urls=settings.TRACING_EXCLUDED_URLS,
                export_timeout=settings.TRACING_EXPORT_TIMEOUT_SECONDS,
            )
        # Every process (web server, task worker, manage.py) stops here on settings that contradict.
        refuse_contradicting_settings()

"""gunicorn settings, from the environment (`gunicorn --config config/gunicorn.py` reads them)."""

import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any


def whole_number(name: str, default: int, *, most: int | None = None) -> int:
    """An integer setting from the environment; a wrong one stops gunicorn with one clear line."""
    value = os.environ.get(name, str(default))
    if not value.strip().isdigit() or (most is not None and not 0 < int(value) <= most):
        bound = f" from 1 to {most}" if most is not None else ""
        raise SystemExit(f"{name} must be a whole number{bound}, not {value!r}")
    return int(value)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # all interfaces: inside a container
# Sync workers: one request each. WEB_CONCURRENCY is the usual knob; ~2 per CPU is a start.
workers = whole_number("WEB_CONCURRENCY", 2)
# A worker stuck longer than this is killed and replaced.
timeout = whole_number("GUNICORN_TIMEOUT", 30)
# Let in-flight requests finish on SIGTERM before exiting (below the orchestrator's grace period).
graceful_timeout = 20
# Recycle workers now and then: a slow leak in any library cannot grow forever.
max_requests = 1000
max_requests_jitter = 100
# gunicorn 25.1+ opens a control socket under $HOME by default (runtime management through
# `gunicornc`): nothing here uses it, and in a container whose root filesystem is read-only it
# only logs an error at every start.
control_socket_disable = True
# Request logs come from the app (core/observability/middleware.py); gunicorn logs errors only.
accesslog = None
errorlog = "-"
# Believe no peer's forwarded headers: whether a request came over HTTPS is Django's call alone
# (SECURE_PROXY_SSL_HEADER in production.py), one switch however far away the proxy is. Trusting a
# peer would also let it set SCRIPT_NAME and PATH_INFO by header (gunicorn's forwarder_headers).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

# --- Metrics (docs: "Observability") --------------------------------------------------------------
# Each worker writes its samples under PROMETHEUS_MULTIPROC_DIR, which must be set before any
# process imports prometheus_client: here, before the app is loaded. The master serves their sum
# on its own port (never through the proxy), so a scrape waits behind no request.
# (Read as the settings read them, but not through them: loading the project here would import
# prometheus_client in the master before the directory is set.)
TRUE = {"true", "on", "ok", "y", "yes", "1"}  # django-environ's env.bool
FALSE = {"false", "off", "n", "no", "0"}  # config/settings/env.py's Env.bool


def flag(name: str, default: str) -> bool:
    """A true/false setting from the environment, empty meaning the default.

    Any other word stops gunicorn in one line.
    """
    value = os.environ.get(name, "").strip() or default
    if value.lower() not in TRUE | FALSE:
        raise SystemExit(f"{name} must be true or false, not {value!r}")
    return value.lower() in TRUE


metrics_enabled = flag("METRICS_ENABLED", "true")
# Loopback unless told: the image sets 0.0.0.0, for the scraper to reach it from outside.
metrics_host = os.environ.get("METRICS_HOST", "127.0.0.1")
metrics_port = whole_number("METRICS_PORT", 9100, most=65535)
own_multiproc_dir = metrics_enabled and not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if own_multiproc_dir:  # the image sets one; elsewhere a fresh one, removed at exit
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prometheus-")


def metrics_exporter() -> ModuleType:
    """The project's exporter (core/metrics/exporter.py), whatever folder gunicorn serves from.

    Imported in the hooks, not above: the directory must be set first. With --chdir elsewhere
    (another app served with these settings) the project is not on the path: its root is added
    last, so it shadows nothing.
    """
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.append(root)
    from {{ cookiecutter.project_slug }}.core.metrics import exporter

    return exporter


def on_starting(server: Any) -> None:
    if not metrics_enabled:
        return
    # Missing and not creatable, a file, read-only: every request would fail. Stop here instead.
    try:
        metrics_exporter().clear_multiprocess_dir()
    except OSError as error:
        raise SystemExit(f"PROMETHEUS_MULTIPROC_DIR is not a writable directory: {error}") from None


def when_ready(server: Any) -> None:
    if not metrics_enabled:
        return
    try:
        port = metrics_exporter().serve(host=metrics_host, port=metrics_port)
    except OSError as error:  # the port is taken: serve the API all the same, and say so
        server.log.error("metrics not served on %s:%s: %s", metrics_host, metrics_port, error)
    else:
        server.log.info("metrics on http://%s:%s/metrics", metrics_host, port)


def child_exit(server: Any, worker: Any) -> None:
    if metrics_enabled:
        metrics_exporter().fold_exited_process(worker.pid)


def on_exit(server: Any) -> None:
    if own_multiproc_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)

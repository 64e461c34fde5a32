"""The metrics served: every process's samples, on a port of its own, by a process with no requests.

gunicorn (and the task worker's prefork pool) run several processes, each with its own counters.
With PROMETHEUS_MULTIPROC_DIR set before prometheus_client is imported, each process writes its
samples to files there, and the exporter adds them up at each scrape (prometheus-client's
multiprocess mode). The exporter runs in gunicorn's master (config/gunicorn.py), so a scrape never
waits behind a request, and on its own port, which the Service and the proxy never expose.
https://prometheus.github.io/client_python/multiprocess/
"""

import os
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, multiprocess, start_http_server
from prometheus_client.registry import Collector

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def clear_multiprocess_dir() -> Path:
    """Empty the samples directory of a previous run (its counters would be added to this one's).

    Raises RuntimeError when PROMETHEUS_MULTIPROC_DIR is not set.
    """
    if not os.environ.get(MULTIPROC_DIR_VARIABLE):
        raise RuntimeError(f"{MULTIPROC_DIR_VARIABLE} must be set before the exporter starts")
    path = Path(os.environ[MULTIPROC_DIR_VARIABLE])
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def serve(*, host: str, port: int, extra: Iterable[Collector] = ()) -> int:
    """Serve every process's metrics on http://host:port/metrics in a thread; returns the port.

    `extra` collectors are read at each scrape (the task queue's length, say). Raises OSError when
    the port is taken.
    """
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # no annotations
    for collector in extra:
        registry.register(collector)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return int(server.server_address[1])


def mark_process_dead(pid: int) -> None:
    """Forget a worker process that exited (its counters stay; its live gauges go)."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]  # no annotations

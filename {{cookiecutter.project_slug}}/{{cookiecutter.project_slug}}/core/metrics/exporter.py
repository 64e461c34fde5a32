"""The metrics served: every process's samples, on a port of its own, by a process with no requests.

gunicorn (and the task worker's prefork pool) run several processes, each with its own counters.
With PROMETHEUS_MULTIPROC_DIR set before prometheus_client is imported, each process writes its
samples to files there, and the exporter adds them up at each scrape (prometheus-client's
multiprocess mode). The exporter runs in gunicorn's master (config/gunicorn.py), so a scrape never
waits behind a request, and on its own port, which the Service and the proxy never expose.
https://prometheus.github.io/client_python/multiprocess/
"""

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, multiprocess, start_http_server
from prometheus_client.metrics_core import Metric
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.registry import Collector

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# The types whose samples add up across processes (gauges here are collectors, read at scrape).
SUMMED_TYPES = ("counter", "histogram")
ARCHIVE = "archive"  # counter_archive.db: what exited processes counted, folded into one file

# A scrape must not read a file while an exited process's samples are being folded into the
# archive (both happen in the master: the exporter's thread, and gunicorn's child_exit hook).
_files_lock = threading.Lock()


def clear_multiprocess_dir() -> Path:
    """Empty the samples directory of a previous run (its counters would be added to this one's).

    Raises RuntimeError when PROMETHEUS_MULTIPROC_DIR is not set, OSError when it is not a
    directory this process can create and write in.
    """
    if not os.environ.get(MULTIPROC_DIR_VARIABLE):
        raise RuntimeError(f"{MULTIPROC_DIR_VARIABLE} must be set before the exporter starts")
    path = Path(os.environ[MULTIPROC_DIR_VARIABLE])
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    # Written as each process will write its samples: a read-only directory fails here, at start,
    # not in every request's middleware.
    probe = path / f".writable-{os.getpid()}"
    probe.write_bytes(b"")
    probe.unlink()
    return path


def serve(*, host: str, port: int, extra: Iterable[Collector] = ()) -> int:
    """Serve every process's metrics on http://host:port/metrics in a thread; returns the port.

    `extra` collectors are read at each scrape (the task queue's length, say). Raises OSError when
    the port is taken.
    """
    registry = CollectorRegistry()
    registry.register(_SamplesDirectory())
    for collector in extra:
        registry.register(collector)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return int(server.server_address[1])


class _SamplesDirectory(Collector):
    """prometheus-client's MultiProcessCollector, never reading while the files are folded."""

    def __init__(self) -> None:
        self.files = multiprocess.MultiProcessCollector(None)

    def collect(self) -> Iterator[Metric]:
        with _files_lock:
            yield from self.files.collect()


def fold_exited_process(pid: int) -> None:
    """Fold an exited worker's counters and histograms into the archive files, and remove its own.

    Without this the directory grows by a file per type for every worker gunicorn ever started
    (max_requests recycles them all day), and every scrape reads them all. The sums are unchanged:
    a counter's value is the sum over files. Its live gauges go too (mark_process_dead).
    """
    directory = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if not directory:
        return
    with _files_lock:
        multiprocess.mark_process_dead(pid)
        for kind in SUMMED_TYPES:
            exited = Path(directory, f"{kind}_{pid}.db")
            if not exited.exists():
                continue
            # The file format's own reader and writer (the merge that MultiProcessCollector's
            # docs describe writing back): one entry per sample, values added.
            archive = MmapedDict(str(Path(directory, f"{kind}_{ARCHIVE}.db")))
            try:
                for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(exited)):
                    total, _ = archive.read_value(key)
                    archive.write_value(key, total + value, timestamp)
            finally:
                archive.close()
            exited.unlink()


def mark_process_dead(pid: int) -> None:
    """Forget an exited process's live gauges (its counters stay in the sums, in its own files).

    For a process that cannot fold its files (a pool process of a task worker, exiting on its
    own): such processes live as long as their pool, so their files do not pile up.
    """
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        multiprocess.mark_process_dead(pid)

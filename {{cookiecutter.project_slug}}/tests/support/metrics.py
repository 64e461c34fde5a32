"""Metrics read as Prometheus reads them: scraped, parsed, checked by promtool, or by a real server."""

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.fresh_process import free_port, wait_for

Labels = dict[str, str]


def scrape(url: str) -> str:
    """The exposition text at `url` (http://host:port/metrics)."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return str(response.read().decode())


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`; 0 when there are none.

    Summing is what PromQL's sum() does: a counter's children added over the labels not given.
    """
    total = 0.0
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and labels.items() <= found.labels.items():
                total += found.value
    return total


def label_values(text: str, name: str, label: str) -> set[str]:
    """Every value `label` takes on the samples called `name`."""
    return {
        found.labels[label]
        for family in text_string_to_metric_families(text)
        for found in family.samples
        if found.name == name and label in found.labels
    }


def promtool() -> str:
    """The promtool binary (Debian's prometheus package); skips without it."""
    binary = shutil.which("promtool")
    if binary is None:
        pytest.skip("needs promtool (Debian and Ubuntu: apt-get install prometheus)")
    return binary


def promtool_check_metrics(text: str) -> subprocess.CompletedProcess[str]:
    """`promtool check metrics` on a scrape: the format, and Prometheus's naming conventions."""
    return subprocess.run(  # noqa: S603 - a fixed binary, the scrape on stdin
        [promtool(), "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )


@contextmanager
def running_prometheus(
    folder: Path, *, targets: list[str], rule_files: list[Path]
) -> Iterator[str]:
    """A real Prometheus server (Debian's package) on loopback; yields its URL.

    It scrapes `targets` (host:port) every second and evaluates `rule_files` every second. Skips
    without the binary.
    """
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("needs prometheus (Debian and Ubuntu: apt-get install prometheus)")
    port = free_port()
    config = folder / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(path) for path in rule_files],
                "scrape_configs": [{"job_name": "api", "static_configs": [{"targets": targets}]}],
            }
        )
    )
    with (folder / "prometheus.log").open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - a fixed binary, our own config
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{url}/-/ready"), "Prometheus to start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def answers(url: str) -> bool:
    """Whether `url` answers 2xx now (any error, refused connection or 4xx/5xx, is a no)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
            return True
    except OSError:
        return False


def prometheus_api(url: str, path: str, **params: str) -> Any:
    """The `data` of a Prometheus HTTP API answer (/api/v1/query, /api/v1/rules ...)."""
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{url}{path}{query}", timeout=10) as response:  # noqa: S310
        answer = json.loads(response.read())
    assert answer["status"] == "success", answer
    return answer["data"]

"""Reading a metrics endpoint as Prometheus does: scrape it, parse it, check it with promtool."""

import shutil
import subprocess
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

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

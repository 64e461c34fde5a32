"""The exporter: the samples directory cleared at start, every process's samples served."""

import urllib.request
from pathlib import Path

import pytest
from prometheus_client.core import GaugeMetricFamily

from {{ cookiecutter.project_slug }}.core.metrics import exporter


class Answer:
    """A collector with one fixed sample, standing for a gauge read at scrape time."""

    def collect(self) -> list[GaugeMetricFamily]:
        return [GaugeMetricFamily("test_answer", "A fixed value.", value=42)]


def test_clearing_needs_the_directory_and_removes_only_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR"):
        exporter.clear_multiprocess_dir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "samples"))
    folder = exporter.clear_multiprocess_dir()  # created when missing
    (folder / "counter_123.db").write_bytes(b"stale")
    (folder / "notes.txt").write_text("not ours")
    exporter.clear_multiprocess_dir()
    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]


def test_the_exporter_serves_the_directory_and_the_extra_collectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    port = exporter.serve(host="127.0.0.1", port=0, extra=[Answer()])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        assert "test_answer 42.0" in response.read().decode()
    exporter.mark_process_dead(12345)  # no samples of that process: nothing to do, no error

"""The exporter: the samples directory cleared at start, every process's samples served."""

import os
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from {{ cookiecutter.project_slug }}.core.metrics import exporter

from tests.support.fresh_process import run_in_project


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


def test_an_exited_process_is_folded_into_the_archive_and_the_sums_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    key = mmap_key("jobs_total", "jobs_total", ["kind"], ["mail"], "Jobs done.")
    for pid, count in ((101, 3.0), (102, 4.0), (103, 5.0)):
        written = MmapedDict(str(tmp_path / f"counter_{pid}.db"))
        written.write_value(key, count, 0.0)
        written.close()
    port = exporter.serve(host="127.0.0.1", port=0)

    def total() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            lines = str(response.read().decode()).splitlines()
        return next(line for line in lines if line.startswith("jobs"))

    assert total() == 'jobs_total{kind="mail"} 12.0'
    exporter.fold_exited_process(101)
    exporter.fold_exited_process(102)
    exporter.fold_exited_process(999)  # never wrote anything: nothing to fold
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "counter_103.db",
        "counter_archive.db",
    ]
    assert total() == 'jobs_total{kind="mail"} 12.0'


def test_a_management_command_leaves_no_samples_in_the_servers_directory(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(samples),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_READ_ENV_FILE": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    query = (
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); connection.cursor().execute('SELECT 1')"
    )
    for command in (["-c", query], ["manage.py", "migrate", "--check"]):
        run_in_project(command, env=env)
        files = sorted(path.name for path in samples.iterdir())
        if command[0] == "-c":  # the same query in a plain process does write samples there ...
            assert files
            for path in samples.iterdir():
                path.unlink()
        else:  # ... and manage.py none
            assert files == []

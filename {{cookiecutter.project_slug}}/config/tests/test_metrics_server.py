"""Metrics from gunicorn with several workers, scraped as Prometheus scrapes them.

Each worker counts in its own process; the master adds their samples up (prometheus-client's
multiprocess mode, config/gunicorn.py). The counts asserted here are exact: a request counted by
no worker, or by two, fails them.
"""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.cache import cache

from tests.support.fresh_process import (
    PROJECT_ROOT,
    free_port,
    http_call,
    run_in_project,
    running_gunicorn,
    wait_for,
)
from tests.support.metrics import (
    answers,
    label_values,
    prometheus_api,
    promtool_check_metrics,
    running_prometheus,
    sample,
    scrape,
)

# Slow: starts gunicorn. django_db: the server needs the test database to exist.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

WORKERS = 3
ROOT_CALLS = 24


@pytest.fixture(scope="module")
def served(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    cache.clear()  # the login budget of an earlier run (module fixtures start before conftest's)
    folder = tmp_path_factory.mktemp("metrics")
    port = free_port()
    with running_gunicorn(
        folder / "gunicorn.log",
        workers=WORKERS,
        GUNICORN_CMD_ARGS=f"--config config/gunicorn.py --pid {folder / 'gunicorn.pid'}",
        METRICS_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(folder / "samples"),
        RATELIMIT_LOGIN_IP="2/d",  # per day: no window rolls over mid-test
        THROTTLE_ANON_RATE="1000/m",
    ) as base:
        yield {
            "base": base,
            "metrics": f"http://127.0.0.1:{port}/metrics",
            "samples": str(folder / "samples"),
            "pid": str(folder / "gunicorn.pid"),
        }


@pytest.fixture(scope="module")
def traffic(served: dict[str, str]) -> str:
    """Requests of every kind, from several clients at once; then one scrape."""
    base = served["base"]
    with ThreadPoolExecutor(max_workers=6) as pool:  # concurrent: every worker takes some
        statuses = list(pool.map(lambda _: http_call(f"{base}/api/v1/").status, range(ROOT_CALLS)))
    assert statuses == [200] * ROOT_CALLS
    assert [http_call(f"{base}{path}").status for path in ("/nope/", "/wp-login.php")] == [404] * 2
    logins = [
        http_call(f"{base}/api/v1/auth/token/", {"email": f"g{n}@example.com", "password": "x"})
        for n in range(3)
    ]
    assert [answer.status for answer in logins] == [401, 401, 429]
{%- if cookiecutter.example_app == "catalog" %}
    # The cached list: built once (a miss), then read from Redis by whichever worker (hits).
    assert [http_call(f"{base}/api/v1/products/").status for _ in range(3)] == [200] * 3
{%- endif %}
    return scrape(served["metrics"])


def test_every_workers_requests_are_counted_once(served: dict[str, str], traffic: str) -> None:
    root = {"method": "GET", "route": "api-v1:root"}
    assert sample(traffic, "http_server_responses_total", **root, status_class="2xx") == ROOT_CALLS
    assert sample(traffic, "http_server_request_duration_seconds_count", **root) == ROOT_CALLS
    # Each of them in a bucket: the +Inf bucket of a histogram is its count.
    inf = sample(traffic, "http_server_request_duration_seconds_bucket", **root, le="+Inf")
    assert inf == ROOT_CALLS
    # More than one worker wrote samples: the sums above are over processes.
    assert len(list(Path(served["samples"]).glob("counter_*.db"))) >= 2


def test_unmatched_paths_refusals_and_sql_are_counted(traffic: str) -> None:
    unmatched = {"route": "unmatched", "status_class": "4xx"}
    assert sample(traffic, "http_server_responses_total", **unmatched) == 2
    token = {"method": "POST", "route": "api-v1:token-obtain"}
    assert sample(traffic, "http_server_responses_total", **token, status_class="4xx") == 3
    assert sample(traffic, "rate_limit_refusals_total", limit="login_ip") == 1
    assert sample(traffic, "db_client_query_duration_seconds_count", alias="default") > 0
    # Routes are pattern names, never paths a client chose.
    routes = label_values(traffic, "http_server_responses_total", "route")
    assert routes
    assert not any("/" in route for route in routes)
{%- if cookiecutter.example_app == "catalog" %}


def test_cache_hits_and_misses_are_counted_across_workers(traffic: str) -> None:
    (namespace,) = label_values(traffic, "cache_lookups_total", "namespace")
    assert sample(traffic, "cache_lookups_total", namespace=namespace, result="miss") == 1
    assert sample(traffic, "cache_lookups_total", namespace=namespace, result="hit") == 2
{%- endif %}


def test_promtool_accepts_the_scrape(traffic: str) -> None:
    checked = promtool_check_metrics(traffic)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout + checked.stderr == ""


def test_metrics_are_not_served_on_the_api_port(served: dict[str, str]) -> None:
    assert http_call(f"{served['base']}/metrics").status == 404


def test_a_real_prometheus_scrapes_the_workers_and_evaluates_the_alert_rules(
    served: dict[str, str], traffic: str, tmp_path: Path
) -> None:
    target = urlsplit(served["metrics"]).netloc
    rules = PROJECT_ROOT / "deploy" / "monitoring" / "alerts.yml"
    with running_prometheus(tmp_path, targets=[target], rule_files=[rules]) as prometheus:

        def evaluated() -> list[dict[str, Any]]:
            groups = prometheus_api(prometheus, "/api/v1/rules")["groups"]
            found = [rule for group in groups for rule in group["rules"]]
            return found if all(rule["evaluationTime"] > 0 for rule in found) else []

        def up() -> list[dict[str, Any]]:
            selector = "up{instance=" + json.dumps(target) + "}"  # (no f-string: braces double)
            return list(prometheus_api(prometheus, "/api/v1/query", query=selector)["result"])

        wait_for(lambda: up() and evaluated(), "Prometheus to scrape and evaluate every rule")
        health = {rule["name"]: rule["health"] for rule in evaluated()}
        assert health == dict.fromkeys(alert_names(rules), "ok")
        assert [series["value"][1] for series in up()] == ["1"]
        query = 'sum(http_server_responses_total{route="api-v1:root", status_class="2xx"})'
        (total,) = prometheus_api(prometheus, "/api/v1/query", query=query)["result"]
        assert float(total["value"][1]) == ROOT_CALLS  # what the scrape said, summed the same way
        assert prometheus_api(prometheus, "/api/v1/alerts")["alerts"] == []  # nothing is wrong


def alert_names(rule_file: Path) -> set[str]:
    return {
        rule["alert"]
        for group in yaml.safe_load(rule_file.read_text())["groups"]
        for rule in group["rules"]
    }


def test_a_replaced_worker_keeps_its_counts(served: dict[str, str], traffic: str) -> None:
    root = {"method": "GET", "route": "api-v1:root", "status_class": "2xx"}
    before = sample(scrape(served["metrics"]), "http_server_responses_total", **root)
    master = int(Path(served["pid"]).read_text())
    workers = set(Path(f"/proc/{master}/task/{master}/children").read_text().split())
    # As max_requests retires a worker: it exits, and gunicorn forks a new one.
    os.kill(int(min(workers)), signal.SIGTERM)

    def replaced() -> bool:
        now = set(Path(f"/proc/{master}/task/{master}/children").read_text().split())
        return len(now) == WORKERS and now != workers

    wait_for(replaced, "gunicorn to fork a replacement")
    assert sample(scrape(served["metrics"]), "http_server_responses_total", **root) == before
    # Its samples were folded into the archive: the directory does not grow with each worker.
    names = {path.name for path in Path(served["samples"]).iterdir()}
    assert {"counter_archive.db", "histogram_archive.db"} <= names
    assert not {name for name in names if name.endswith(f"_{min(workers)}.db")}


def test_the_settings_serve_metrics_for_an_app_in_another_folder(tmp_path: Path) -> None:
    # Found by the template's bench: its baseline app, served with these settings from its own
    # folder (--chdir), stopped gunicorn at start-up, the project not being importable there.
    (tmp_path / "plain.py").write_text(
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n"
    )
    port, metrics_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"} | {
        "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": str(metrics_port),
    }
    config = PROJECT_ROOT / "config" / "gunicorn.py"
    command = [sys.executable, "-m", "gunicorn", "--config", str(config), "--chdir", str(tmp_path)]
    command += ["--workers", "1", "--bind", f"127.0.0.1:{port}", "plain:application"]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed command
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        up = f"http://127.0.0.1:{port}/"
        wait_for(lambda: server.poll() is not None or answers(up), "gunicorn to answer")
        assert server.poll() is None, "gunicorn stopped at start-up"
        wait_for(lambda: answers(f"http://127.0.0.1:{metrics_port}/metrics"), "the metrics port")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_samples_directory_that_cannot_be_written_stops_gunicorn_in_one_line(
    tmp_path: Path,
) -> None:
    # Found by a review: a read-only directory let gunicorn start, then failed every request
    # (the liveness probe too) in the metrics middleware. A file where the directory should be
    # stands for it here (root writes through read-only permissions).
    not_a_directory = tmp_path / "samples"
    not_a_directory.write_text("")
    env = dict(os.environ) | {"PROMETHEUS_MULTIPROC_DIR": str(not_a_directory)}
    config = PROJECT_ROOT / "config" / "gunicorn.py"
    command = ["-m", "gunicorn", "--config", str(config), "--bind", "127.0.0.1:0"]
    result = run_in_project([*command, "config.wsgi:application"], env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("PROMETHEUS_MULTIPROC_DIR is not a writable directory: "), last

"""The API under load: gunicorn serving the default bake (or the bare-Django baseline) on
127.0.0.1, `wrk` against one endpoint, the server's CPU time per request, and query counts."""

from __future__ import annotations

import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .config import BENCH_DB, BENCH_REDIS_DB, POSTGRES, REDIS, SEED_COPIES
from .scenarios import SCENARIOS, Scenario
from .shell import UV, sh, step

BASELINE = """\"\"\"The ceiling: Django answering the same JSON, and nothing else.\"\"\"
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF=__name__,
    MIDDLEWARE=[], INSTALLED_APPS=[],
)


def ok(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("", ok)]
application = get_wsgi_application()
"""

GRAPHQL_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query": "{ products(pagination: {limit: 20}) { name price category { name } } }"}'
"""

QUERY_COUNT = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
client.get({path!r})
with CaptureQueriesContext(connection) as queries:
    assert client.get({path!r}).status_code == 200
print(len(queries.captured_queries))
"""

Runs = dict[str, list[dict[str, float]]]  # each scenario's key: one wrk result per round


def server_env(project: Path, extra: dict[str, str]) -> dict[str, str]:
    """The production settings against the benchmark's database and Redis, plus `extra`."""
    return (
        {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
        }
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_READ_ENV_FILE": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{POSTGRES}/{BENCH_DB}",
            "REDIS_URL": f"{REDIS}/{BENCH_REDIS_DB}",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",  # measure the stack, not the log volume
        }
        | extra
    )


def prepare(project: Path, build: Path) -> str:
    """A fresh benchmark database, migrated and seeded, an empty Redis database, and the
    baseline's and wrk's files in the build directory; the id of a seeded product."""
    base = server_env(project, {})
    step("preparing a fresh benchmark database")
    psql_url = f"{POSTGRES}/postgres"
    sh(["psql", psql_url, "-qc", f"DROP DATABASE IF EXISTS {BENCH_DB}"], project)
    sh(["psql", psql_url, "-qc", f"CREATE DATABASE {BENCH_DB}"], project)
    manage = [UV, "run", "--no-sync", "python", "manage.py"]
    sh([*manage, "migrate", "--no-input"], project, base)
    sh(["redis-cli", "-u", f"{REDIS}/{BENCH_REDIS_DB}", "flushdb"], project)
    sh([*manage, "seed_catalog", "--copies", str(SEED_COPIES)], project, base)
    first = "from django.apps import apps; print(apps.get_model('catalog', 'Product')"
    first += ".objects.first().pk)"
    product = sh([*manage, "shell", "-c", first], project, base).strip().splitlines()[-1]
    (build / "baseline").mkdir()
    (build / "baseline" / "baseline.py").write_text(BASELINE)
    (build / "graphql.lua").write_text(GRAPHQL_LUA)
    return product


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("bench: gunicorn exited during start-up")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("bench: gunicorn did not answer within 60 s")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def server_pids(master: int) -> list[int]:
    """The gunicorn workers, plus the Redis server they talk to."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    redis = subprocess.run(["pgrep", "-x", "redis-server"], capture_output=True, text=True).stdout
    return [int(pid) for pid in children] + [int(pid) for pid in redis.split()]


def parse_wrk(output: str) -> dict[str, float]:
    """Throughput, p50 and p99 latency (ms), non-2xx answers and requests from `wrk --latency`."""

    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not match:
            sys.exit(f"bench: no {label}% latency in wrk output:\n{output}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if not rps:
        sys.exit(f"bench: no Requests/sec in wrk output:\n{output}")
    return {
        "rps": float(rps.group(1)),
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "requests": int(total.group(1)) if total else 0,
    }


def measure(
    project: Path, build: Path, scenario: Scenario, endpoint: str, duration: int
) -> dict[str, float]:
    """One gunicorn (the project's config/gunicorn.py), warmed up, then `wrk` for `duration` s."""
    name = scenario.label
    chdir = build / scenario.chdir if scenario.chdir else project
    port = free_port()
    server = subprocess.Popen(
        [
            str(project / ".venv" / "bin" / "python"),
            "-m",
            "gunicorn",
            "--config",
            str(project / "config" / "gunicorn.py"),
            "--chdir",
            str(chdir),
            # No worker recycling mid-run: a restart would show as a stall and reset CPU counters.
            "--max-requests",
            "0",
            scenario.app,
        ],
        cwd=chdir,
        env=server_env(project, {**scenario.env, "GUNICORN_BIND": f"127.0.0.1:{port}"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lua = ["--script", str(build / scenario.script)] if scenario.script else []
    try:
        url = f"http://127.0.0.1:{port}{endpoint}"
        wait_until_up(f"http://127.0.0.1:{port}{scenario.probe}", server)
        sh(["wrk", "-t1", "-c8", "-d1s", *lua, url], project)  # warm-up: connections, caches
        pids = server_pids(server.pid)
        cpu_before = cpu_seconds(pids)
        output = sh(["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", *lua, url], project)
        cpu_used = cpu_seconds(pids) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = parse_wrk(output)
    if not result["requests"]:
        sys.exit(f"bench: {name} answered no request in {duration} s; the measure is void")
    # CPU per request does not depend on how much of the two cores wrk takes.
    result["cpu_us"] = 1e6 * cpu_used / max(1, result["requests"])
    rps, p50, p99, cpu = result["rps"], result["p50_ms"], result["p99_ms"], result["cpu_us"]
    step(f"{name}: {rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, {cpu:.0f} us CPU/request")
    if result["non_2xx"]:
        sys.exit(
            f"bench: {name} answered {result['non_2xx']} non-2xx responses; the measure is void"
        )
    return result


def run_rounds(project: Path, build: Path, product: str, duration: int, rounds: int) -> Runs:
    """Every scenario once per round, the order reversed every other round, so no
    configuration benefits from its position in the round."""
    runs: Runs = {scenario.key: [] for scenario in SCENARIOS}
    for round_number in range(1, rounds + 1):
        step(f"round {round_number}/{rounds}")
        order = SCENARIOS if round_number % 2 else SCENARIOS[::-1]
        for scenario in order:
            endpoint = scenario.path(product)
            runs[scenario.key].append(measure(project, build, scenario, endpoint, duration))
    return runs


def queries_per_request(project: Path, path: str, extra: dict[str, str]) -> int:
    """Database queries of one request after a first one (which fills any cache)."""
    code = QUERY_COUNT.format(path=path)
    env = server_env(project, extra)
    out = sh([UV, "run", "--no-sync", "python", "manage.py", "shell", "-c", code], project, env)
    return int(out.strip().splitlines()[-1])


def summarise(runs: list[dict[str, float]]) -> dict[str, float]:
    """The medians over the rounds."""
    keys = ("rps", "p50_ms", "p99_ms", "cpu_us")
    return {key: statistics.median(run[key] for run in runs) for key in keys}

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

from .baseline import BASELINE
from .compare_http import CompareServer
from .config import (
    BENCH_DB,
    BENCH_REDIS_DB,
    LARGE_DB,
    LARGE_PRODUCT_COUNT,
    POSTGRES,
    REDIS,
    SEED_COPIES,
    WORKERS,
)
from .scenarios import Scenario
from .shell import UV, empty_services, sh, step

GRAPHQL_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query": "{ products(pagination: {limit: 20}) { name price category { name } } }"}'
"""

# Run once by `prepare`, in the project: the product list's bytes for the ceiling's Redis GET, and
# a user (its address verified, as after sign-up) with an access token for the signed-in paths.
FIXTURES = """
import os, secrets, redis
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
body = Client(HTTP_HOST="127.0.0.1").get("/api/v1/products/").content
redis.Redis.from_url(os.environ["REDIS_URL"]).set("bench:product-list", body)
email = "bench@example.com"
user = get_user_model().objects.create_user(email=email, password=secrets.token_urlsafe(16))
EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
print(apps.get_model("catalog", "Product").objects.first().pk, AccessToken.for_user(user))
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

CPU_PARTS = ("workers", "postgres", "redis")
Runs = dict[str, list[dict[str, float]]]  # each scenario's key: one wrk result per round

# One signing key for the whole run: the access token minted by `prepare` must verify in every
# server started after it.
SECRET_KEY = secrets.token_urlsafe(50)


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
            "SECRET_KEY": SECRET_KEY,
            "JWT_ACCESS_MINUTES": "1440",  # the token outlives the run
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{POSTGRES}/{BENCH_DB}",
            "REDIS_URL": f"{REDIS}/{BENCH_REDIS_DB}",
            "SECURE_SSL_REDIRECT": "false",
            # The access log is on, as in production: one JSON line per request (to /dev/null).
        }
        | extra
    )


def prepare(project: Path, build: Path) -> dict[str, str]:
    """A fresh benchmark database, migrated and seeded, a second one holding a large catalogue,
    an empty Redis database, and the baseline's and wrk's files in the build directory; what the
    scenarios' paths, headers and settings take: a seeded product's id (`product`), a signed-in
    user's access token (`token`) and the large catalogue's database URL (`large_db`)."""
    base = server_env(project, {})
    manage = [UV, "run", "--no-sync", "python", "manage.py"]
    step(f"preparing a catalogue of {LARGE_PRODUCT_COUNT} products")
    large_db = f"{POSTGRES}/{LARGE_DB}"
    empty_services(LARGE_DB, BENCH_REDIS_DB, project)
    large = base | {"DATABASE_URL": large_db}
    sh([*manage, "migrate", "--no-input"], project, large)
    sh([*manage, "seed_catalog", "--products", str(LARGE_PRODUCT_COUNT)], project, large)
    sh(["psql", large_db, "-qc", "VACUUM ANALYZE"], project)  # statistics, as a live table has
    step("preparing a fresh benchmark database")
    empty_services(BENCH_DB, BENCH_REDIS_DB, project)  # (and the Redis database both share)
    sh([*manage, "migrate", "--no-input"], project, base)
    sh([*manage, "seed_catalog", "--copies", str(SEED_COPIES)], project, base)
    values = sh([*manage, "shell", "-c", FIXTURES], project, base).strip().splitlines()[-1]
    product, token = values.split()
    (build / "baseline").mkdir()
    (build / "baseline" / "baseline.py").write_text(BASELINE)
    (build / "graphql.lua").write_text(GRAPHQL_LUA)
    return {"product": product, "token": token, "large_db": large_db}


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


def server_pids(master: int) -> dict[str, list[int]]:
    """The processes that serve a request, by part: the gunicorn workers, PostgreSQL (its
    backends and helpers) and the Redis server."""

    def pgrep(name: str) -> list[int]:
        found = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
        return [int(pid) for pid in found.split()]

    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {
        "workers": [int(pid) for pid in children],
        "postgres": pgrep("postgres"),
        "redis": pgrep("redis-server"),
    }


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
    project: Path,
    build: Path,
    scenario: Scenario,
    values: dict[str, str],
    duration: int,
    compare: CompareServer | None = None,
) -> dict[str, float]:
    """One gunicorn, warmed up, then `wrk` for `duration` s: the project's config/gunicorn.py, or
    for the compared template the same worker count on the command line.

    `values` fills the scenario's path and headers (a product id, access tokens)."""
    name = scenario.label
    port = free_port()
    # No worker recycling mid-run: a restart would show as a stall and reset CPU counters.
    common = ["--max-requests", "0", "--bind", f"127.0.0.1:{port}"]
    if scenario.server == "compare":
        if compare is None:
            sys.exit(f"bench: {name} needs --compare with cookiecutter-django")
        python, cwd, env = compare.python, compare.project, compare.env
        args = ["--workers", str(WORKERS), "--chdir", str(cwd), *common, "config.wsgi:application"]
    else:
        python, cwd = project / ".venv" / "bin" / "python", project
        if scenario.chdir:
            cwd = build / scenario.chdir
        env = server_env(project, {k: v.format(**values) for k, v in scenario.env.items()})
        config = str(project / "config" / "gunicorn.py")
        args = ["--config", config, "--chdir", str(cwd), *common, scenario.app]
    server = subprocess.Popen(
        [str(python), "-m", "gunicorn", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    options = ["--script", str(build / scenario.script)] if scenario.script else []
    for header, value in scenario.headers.items():
        options += ["--header", f"{header}: {value.format(**values)}"]
    try:
        url = f"http://127.0.0.1:{port}{scenario.endpoint.format(**values)}"
        wait_until_up(f"http://127.0.0.1:{port}{scenario.probe}", server)
        sh(["wrk", "-t1", "-c8", "-d1s", *options, url], project)  # warm-up: connections, caches
        pids = server_pids(server.pid)
        before = {part: cpu_seconds(group) for part, group in pids.items()}
        output = sh(["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", *options, url], project)
        used = {part: cpu_seconds(group) - before[part] for part, group in pids.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = parse_wrk(output)
    if not result["requests"]:
        sys.exit(f"bench: {name} answered no request in {duration} s; the measure is void")
    # CPU per request does not depend on how much of the two cores wrk takes.
    for part, seconds in used.items():
        result[f"cpu_{part}_us"] = 1e6 * seconds / result["requests"]
    result["cpu_us"] = 1e6 * sum(used.values()) / result["requests"]
    rps, p50, p99, cpu = result["rps"], result["p50_ms"], result["p99_ms"], result["cpu_us"]
    step(f"{name}: {rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, {cpu:.0f} us CPU/request")
    if result["non_2xx"]:
        sys.exit(
            f"bench: {name} answered {result['non_2xx']} non-2xx responses; the measure is void"
        )
    return result


def run_rounds(
    project: Path,
    build: Path,
    plan: list[Scenario],
    values: dict[str, str],
    config: tuple[int, int],
    compare: CompareServer | None,
) -> Runs:
    """Every scenario of the plan once per round, the order reversed every other round, so no
    configuration benefits from its position in the round. `config`: (duration, rounds)."""
    duration, rounds = config
    runs: Runs = {scenario.key: [] for scenario in plan}
    for round_number in range(1, rounds + 1):
        step(f"round {round_number}/{rounds}")
        order = plan if round_number % 2 else plan[::-1]
        for scenario in order:
            result = measure(project, build, scenario, values, duration, compare)
            runs[scenario.key].append(result)
    return runs


def queries_per_request(project: Path, path: str, extra: dict[str, str]) -> int:
    """Database queries of one request after a first one (which fills any cache)."""
    code = QUERY_COUNT.format(path=path)
    env = server_env(project, extra)
    out = sh([UV, "run", "--no-sync", "python", "manage.py", "shell", "-c", code], project, env)
    return int(out.strip().splitlines()[-1])


def summarise(runs: list[dict[str, float]]) -> dict[str, float]:
    """The medians over the rounds."""
    keys = ("rps", "p50_ms", "p99_ms", "cpu_us", *(f"cpu_{part}_us" for part in CPU_PARTS))
    return {key: statistics.median(run[key] for run in runs) for key in keys}

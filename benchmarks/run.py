"""`make bench`: measure a baked Nexus project under a real load generator (wrk).

Served by gunicorn on 127.0.0.1 against the real PostgreSQL and Redis, in alternating rounds:
- what the abuse-protection stack costs: a cheap endpoint (/api/v1/) with the IP monitor, rate
  limits and throttles on and off;
- what the catalogue cache buys: the product list with a warm cache and with it bypassed, plus
  database queries per request for each.
Requests per second, p50/p99 latency and server CPU per request go to build/bench/results.json
and into docs/benchmarks.md.

Usage: python benchmarks/run.py [--duration SECONDS] [--rounds N] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from find_python import find_python  # noqa: E402

BUILD = ROOT / "build" / "bench"
UV = str(Path(sys.executable).with_name("uv"))
POSTGRES = os.environ.get("NEXUS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("NEXUS_TEST_REDIS", "redis://127.0.0.1:6379")
BENCH_DB, BENCH_REDIS_DB = "nexus_bench", 13
DOCS = ROOT / "docs" / "benchmarks.md"
WORKERS = 2  # one sync worker per core on the 2-core reference machine
ENDPOINT = "/api/v1/"
PRODUCTS = "/api/v1/products/"
SEED_COPIES = 3
PRODUCT_COUNT = 8 * SEED_COPIES  # seed_catalog: 8 products per copy

# Limits far above what the load generator sends: the stack does all its work, nobody is refused.
STACK_ON = {
    "IP_MONITOR_THRESHOLD": "1000000000",
    "THROTTLE_ANON_RATE": "1000000000/m",
    "THROTTLE_USER_RATE": "1000000000/m",
}
STACK_OFF = {
    "IP_MONITOR_ENABLED": "false",
    "RATELIMIT_ENABLE": "false",
    "THROTTLE_ENABLED": "false",
}
CACHE_WARM = STACK_ON | {"CATALOG_CACHE_SECONDS": "300"}
CACHE_BYPASSED = STACK_ON | {"CATALOG_CACHE_SECONDS": "0"}


def step(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(
            f"bench: `{' '.join(args)}` failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def bake_and_install() -> Path:
    step("baking the default project")
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    sh(
        [
            str(Path(sys.executable).with_name("cookiecutter")),
            "--no-input",
            "-o",
            str(BUILD),
            str(ROOT),
        ],
        ROOT,
    )
    project = BUILD / "nexus_shop"
    env = os.environ | {"UV_PYTHON": find_python("3.12"), "UV_PYTHON_DOWNLOADS": "never"}
    step("installing it (uv lock, uv sync --locked)")
    sh([UV, "lock"], project, env)
    sh([UV, "sync", "--locked"], project, env)
    return project


def runtime_env_megabytes(project: Path) -> float:
    """Size of the virtual environment the Docker image ships: the Dockerfile's builder command
    (`uv sync --locked --no-dev`, bytecode compiled) into a fresh directory. The image adds the
    python:X.Y-slim base to it."""
    target = BUILD / "runtime-venv"
    shutil.rmtree(target, ignore_errors=True)
    env = os.environ | {
        "UV_PYTHON": find_python("3.12"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PROJECT_ENVIRONMENT": str(target),
        "UV_COMPILE_BYTECODE": "1",
        "UV_LINK_MODE": "copy",
    }
    step("measuring the image's runtime environment (uv sync --locked --no-dev)")
    sh([UV, "sync", "--locked", "--no-dev"], project, env)
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and not f.is_symlink())
    return size / 1_000_000


def server_env(project: Path, extra: dict[str, str]) -> dict[str, str]:
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
    project: Path, name: str, extra: dict[str, str], duration: int, endpoint: str = ENDPOINT
) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(project / ".venv" / "bin" / "python"),
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=project,
        env=server_env(project, extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{endpoint}"
        wait_until_up(url, server)
        sh(["wrk", "-t1", "-c8", "-d2s", url], project)  # warm-up: connections, imports, caches
        pids = server_pids(server.pid)
        cpu_before = cpu_seconds(pids)
        output = sh(["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", url], project)
        cpu_used = cpu_seconds(pids) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = parse_wrk(output)
    # CPU per request does not depend on how much of the two cores wrk takes.
    result["cpu_us"] = 1e6 * cpu_used / max(1, result["requests"])
    rps, p50, p99, cpu = result["rps"], result["p50_ms"], result["p99_ms"], result["cpu_us"]
    step(f"{name}: {rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, {cpu:.0f} us CPU/request")
    if result["non_2xx"]:
        sys.exit(
            f"bench: {name} answered {result['non_2xx']} non-2xx responses; the measure is void"
        )
    return result


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


def queries_per_request(project: Path, path: str, extra: dict[str, str]) -> int:
    """Database queries of one request after a first one (which fills any cache)."""
    code = QUERY_COUNT.format(path=path)
    env = server_env(project, extra)
    out = sh([UV, "run", "--no-sync", "python", "manage.py", "shell", "-c", code], project, env)
    return int(out.strip().splitlines()[-1])


def summarise(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = ("rps", "p50_ms", "p99_ms", "cpu_us")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def write_section(marker: str, heading: str, body: str) -> None:
    """Replace the section between this marker's comments in docs/benchmarks.md (or append it)."""
    section = f"<!-- bench:{marker}:start -->\n{body}<!-- bench:{marker}:end -->"
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- bench:{marker}:start -->.*<!-- bench:{marker}:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n{section}\n"
    DOCS.write_text(text)


def spread(runs: list[dict[str, float]]) -> str:
    return f"{min(r['rps'] for r in runs):.0f} to {max(r['rps'] for r in runs):.0f}"


def table(rows: list[tuple[str, dict[str, float], list[dict[str, float]]]]) -> str:
    lines = [
        "| configuration | requests/s (median) | range over rounds | p50 (ms) | p99 (ms) "
        "| server CPU per request (us) |",
        "|---|---|---|---|---|---|",
    ]
    for label, median, runs in rows:
        lines.append(
            f"| {label} | {median['rps']:.0f} | {spread(runs)} | {median['p50_ms']:.2f} "
            f"| {median['p99_ms']:.2f} | {median['cpu_us']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def setup_line(results: dict[str, Any], endpoint: str) -> str:
    return (
        f"Measured {results['date']} on {results['cores']} cores ({results['machine']}), gunicorn "
        f"with {WORKERS} sync workers, `wrk -t2 -c16 -d{results['duration']}s` on `{endpoint}` "
        f"(one client IP), median of {results['rounds']} alternating rounds, real PostgreSQL and "
        "Redis on 127.0.0.1."
    )


def write_docs(results: dict[str, Any]) -> None:
    stack, cache = results["abuse_stack"], results["catalog_cache"]
    write_section(
        "runtime-env",
        "The Docker image's runtime environment",
        f"Measured {results['date']}: the default bake's `uv sync --locked --no-dev` (the "
        "Dockerfile's builder command, bytecode compiled) into a fresh directory takes "
        f"**{results['runtime_env_mb']:.1f} MB** (goal: under 120 MB). The image is that plus "
        "the `python:X.Y-slim` base and the code.\n",
    )
    write_section(
        "abuse-stack",
        "What the abuse-protection stack costs",
        f'{setup_line(results, ENDPOINT)} "On" is the IP monitor and the API-wide throttles '
        'doing all their work with limits set out of reach; "off" switches them off.\n\n'
        + table(
            [
                ("abuse-protection stack off", stack["off"], stack["raw_off"]),
                ("abuse-protection stack on", stack["on"], stack["raw_on"]),
            ]
        )
        + f"\nWith the stack on, the endpoint keeps **{stack['ratio_percent']:.1f}%** of its "
        "throughput (goal: at least 90%), and the server (gunicorn workers and Redis) spends "
        f"**{stack['cpu_ratio_percent']:.1f}%** of the CPU per request it spends without it. "
        "Where the throughput ranges overlap, the difference is within this machine's "
        "run-to-run noise.\n",
    )
    write_section(
        "catalog-cache",
        "What the catalogue cache buys",
        f"{setup_line(results, PRODUCTS)} The seeded catalogue ({PRODUCT_COUNT} products, pages "
        'of 20); "warm" serves from Redis, "bypassed" runs with `CATALOG_CACHE_SECONDS=0`. '
        "The abuse-protection stack is on in both.\n\n"
        + table(
            [
                ("product list, cache bypassed", cache["bypassed"], cache["raw_bypassed"]),
                ("product list, warm cache", cache["warm"], cache["raw_warm"]),
            ]
        )
        + f"\nDatabase queries per request: **{cache['queries_bypassed']}** bypassed, "
        f"**{cache['queries_warm']}** warm. The warm cache serves **{cache['speedup']:.1f}x** the "
        "uncached throughput (goal: at least 5x, with zero queries).\n",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating on/off rounds (default 5)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="1 round of 2 s; does not touch the docs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.rounds = 2, 1
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is not installed (Debian: apt-get install wrk)")

    project = bake_and_install()
    runtime_mb = runtime_env_megabytes(project)
    base = server_env(project, {})
    step("preparing a fresh benchmark database")
    psql_url = f"{POSTGRES}/postgres"
    sh(["psql", psql_url, "-qc", f"DROP DATABASE IF EXISTS {BENCH_DB}"], project)
    sh(["psql", psql_url, "-qc", f"CREATE DATABASE {BENCH_DB}"], project)
    sh([UV, "run", "--no-sync", "python", "manage.py", "migrate", "--no-input"], project, base)
    sh(["redis-cli", "-u", f"{REDIS}/{BENCH_REDIS_DB}", "flushdb"], project)

    seed = ["python", "manage.py", "seed_catalog", "--copies", str(SEED_COPIES)]
    sh([UV, "run", "--no-sync", *seed], project, base)

    runs: dict[str, list[dict[str, float]]] = {"off": [], "on": [], "bypassed": [], "warm": []}
    plan = [
        ("off", "stack off", STACK_OFF, ENDPOINT),
        ("on", "stack on", STACK_ON, ENDPOINT),
        ("bypassed", "products, cache bypassed", CACHE_BYPASSED, PRODUCTS),
        ("warm", "products, warm cache", CACHE_WARM, PRODUCTS),
    ]
    for round_number in range(1, args.rounds + 1):
        step(f"round {round_number}/{args.rounds}")
        # Alternate the order, so no configuration benefits from its position in the round.
        for key, label, extra, endpoint in plan if round_number % 2 else reversed(plan):
            runs[key].append(measure(project, label, extra, args.duration, endpoint))
    on, off = summarise(runs["on"]), summarise(runs["off"])
    warm, bypassed = summarise(runs["warm"]), summarise(runs["bypassed"])
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "duration": args.duration,
        "rounds": args.rounds,
        "abuse_stack": {
            "endpoint": ENDPOINT,
            "on": on,
            "off": off,
            "raw_on": runs["on"],
            "raw_off": runs["off"],
            "ratio_percent": 100 * on["rps"] / off["rps"],
            "cpu_ratio_percent": 100 * on["cpu_us"] / off["cpu_us"],
        },
        "runtime_env_mb": runtime_mb,
        "catalog_cache": {
            "endpoint": PRODUCTS,
            "warm": warm,
            "bypassed": bypassed,
            "raw_warm": runs["warm"],
            "raw_bypassed": runs["bypassed"],
            "speedup": warm["rps"] / bypassed["rps"],
            "queries_warm": queries_per_request(project, PRODUCTS, CACHE_WARM),
            "queries_bypassed": queries_per_request(project, PRODUCTS, CACHE_BYPASSED),
        },
    }
    (BUILD / "results.json").write_text(json.dumps(results, indent=2))
    stack, cache = results["abuse_stack"], results["catalog_cache"]
    step(
        f"stack on keeps {stack['ratio_percent']:.1f}% of the throughput (goal >= 90%), "
        f"CPU per request {stack['cpu_ratio_percent']:.1f}% of stack off"
    )
    step(
        f"warm catalogue cache: {cache['speedup']:.1f}x the uncached throughput (goal >= 5x), "
        f"{cache['queries_warm']} vs {cache['queries_bypassed']} queries per request"
    )
    step(f"the image's runtime environment: {runtime_mb:.1f} MB (goal < 120 MB)")
    if not args.smoke:
        write_docs(results)
        step(f"wrote {DOCS.relative_to(ROOT)} and build/bench/results.json")


if __name__ == "__main__":
    main()

"""`make bench`: measure a baked Nexus project under a real load generator (wrk).

Today it measures what the abuse-protection stack costs: requests per second and p50/p99 latency
of one cheap endpoint (/api/v1/, a DRF view) served by gunicorn on 127.0.0.1, with the IP monitor,
rate limits and throttles on and then off, against the real PostgreSQL and Redis, alternating
runs in one session. Results go to build/bench/results.json and into docs/benchmarks.md.

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


def measure(project: Path, name: str, extra: dict[str, str], duration: int) -> dict[str, float]:
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
        url = f"http://127.0.0.1:{port}{ENDPOINT}"
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


def summarise(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = ("rps", "p50_ms", "p99_ms", "cpu_us")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def write_docs(results: dict[str, Any]) -> None:
    on, off = results["stack_on"], results["stack_off"]
    raw = results["raw"]

    def spread(runs: list[dict[str, float]]) -> str:
        return f"{min(r['rps'] for r in runs):.0f} to {max(r['rps'] for r in runs):.0f}"

    table = (
        "| configuration | requests/s (median) | range over rounds | p50 (ms) | p99 (ms) "
        "| server CPU per request (us) |\n"
        "|---|---|---|---|---|---|\n"
        f"| abuse-protection stack off | {off['rps']:.0f} | {spread(raw['stack_off'])} "
        f"| {off['p50_ms']:.2f} | {off['p99_ms']:.2f} | {off['cpu_us']:.0f} |\n"
        f"| abuse-protection stack on | {on['rps']:.0f} | {spread(raw['stack_on'])} "
        f"| {on['p50_ms']:.2f} | {on['p99_ms']:.2f} | {on['cpu_us']:.0f} |\n"
    )
    section = (
        "<!-- bench:abuse-stack:start -->\n"
        f"Measured {results['date']} on {results['cores']} cores ({results['machine']}), gunicorn "
        f"with {WORKERS} sync workers, `wrk -t2 -c16 -d{results['duration']}s` on `{ENDPOINT}` "
        f"(one client IP), median of {results['rounds']} alternating rounds, real PostgreSQL and "
        'Redis on 127.0.0.1. "On" is the IP monitor and the API-wide throttles doing all their '
        'work with limits set out of reach; "off" switches them off.\n\n'
        f"{table}\n"
        f"With the stack on, the endpoint keeps **{results['ratio_percent']:.1f}%** of its "
        "throughput (goal: at least 90%), and the server (gunicorn workers and Redis) spends "
        f"**{results['cpu_ratio_percent']:.1f}%** of the CPU per request it spends without it. "
        "Where the throughput ranges overlap, the difference is within this machine's "
        "run-to-run noise.\n"
        "<!-- bench:abuse-stack:end -->"
    )
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"<!-- bench:abuse-stack:start -->.*<!-- bench:abuse-stack:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n## What the abuse-protection stack costs\n\n" + section + "\n"
    DOCS.write_text(text)


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
    base = server_env(project, {})
    step("preparing a fresh benchmark database")
    psql_url = f"{POSTGRES}/postgres"
    sh(["psql", psql_url, "-qc", f"DROP DATABASE IF EXISTS {BENCH_DB}"], project)
    sh(["psql", psql_url, "-qc", f"CREATE DATABASE {BENCH_DB}"], project)
    sh([UV, "run", "--no-sync", "python", "manage.py", "migrate", "--no-input"], project, base)
    sh(["redis-cli", "-u", f"{REDIS}/{BENCH_REDIS_DB}", "flushdb"], project)

    on_runs, off_runs = [], []
    for round_number in range(1, args.rounds + 1):
        step(f"round {round_number}/{args.rounds}")
        # Alternate which goes first, so neither benefits from its position in the round.
        order = [("off", STACK_OFF, off_runs), ("on ", STACK_ON, on_runs)]
        for label, extra, runs in order if round_number % 2 else reversed(order):
            runs.append(measure(project, f"stack {label}", extra, args.duration))
    on, off = summarise(on_runs), summarise(off_runs)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "duration": args.duration,
        "rounds": args.rounds,
        "endpoint": ENDPOINT,
        "stack_on": on,
        "stack_off": off,
        "ratio_percent": 100 * on["rps"] / off["rps"],
        "cpu_ratio_percent": 100 * on["cpu_us"] / off["cpu_us"],
        "raw": {"stack_on": on_runs, "stack_off": off_runs},
    }
    (BUILD / "results.json").write_text(json.dumps(results, indent=2))
    step(
        f"stack on keeps {results['ratio_percent']:.1f}% of the throughput (goal >= 90%), "
        f"CPU per request {results['cpu_ratio_percent']:.1f}% of stack off"
    )
    if not args.smoke:
        write_docs(results)
        step(f"wrote {DOCS.relative_to(ROOT)} and build/bench/results.json")


if __name__ == "__main__":
    main()

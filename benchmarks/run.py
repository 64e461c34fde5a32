"""`make bench`: what Nexus costs and how fast its project serves, measured side by side.

- The template: bake time (default and minimal bakes), install time with a warm and a cold uv
  cache, the number of packages, the runtime environment's size, the project's own test suite.
- The API, served by gunicorn (the production settings' worker count per core) on 127.0.0.1
  against the real PostgreSQL and Redis, under `wrk`: /health/live/, /api/v1/ with the
  abuse-protection stack on and off, the product list with a warm and a bypassed cache, a product,
  a GraphQL product query, and a baseline (a bare Django view, no middleware, the same server)
  that every figure is also given against. Alternating rounds, medians.
- `--compare PATH` times the bake, install and tests of another cookiecutter template too.

Writes build/bench/results.json, a chart and the tables in docs/benchmarks.md.

Usage: python benchmarks/run.py [--duration S] [--rounds N] [--compare PATH] [--smoke]
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
import tempfile
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
BENCH_DB, BENCH_REDIS_DB = "nexus_bench", 15  # 11-13: the installed bakes, 14: the image test
DOCS = ROOT / "docs" / "benchmarks.md"
WORKERS = 2  # config/gunicorn.py's default (WEB_CONCURRENCY): the production setting
ENDPOINT = "/api/v1/"
PRODUCTS = "/api/v1/products/"
ENDPOINT_CODE, PRODUCTS_CODE = f"`{ENDPOINT}`", f"`{PRODUCTS}`"
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


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    out = sh(args, cwd, env)
    return time.perf_counter() - started, out


def uv_env(**extra: str) -> dict[str, str]:
    python = find_python("3.12")
    return os.environ | {"UV_PYTHON": python, "UV_PYTHON_DOWNLOADS": "never"} | extra


def bake(template: Path, out: Path, *answers: str) -> tuple[float, Path]:
    """One `cookiecutter --no-input` into an empty directory: its wall time and the project."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cookiecutter = str(Path(sys.executable).with_name("cookiecutter"))
    seconds, _ = timed([cookiecutter, "--no-input", "-o", str(out), str(template), *answers], ROOT)
    [project] = [path for path in out.iterdir() if path.is_dir()]
    return seconds, project


def bake_times(template: Path, name: str, runs: int, *answers: str) -> list[float]:
    step(f"baking {name} {runs} times")
    return [bake(template, BUILD / "bakes" / name, *answers)[0] for _ in range(runs)]


def dist_count(venv: Path) -> int:
    return len(list(venv.glob("lib/python*/site-packages/*.dist-info")))


def install_project(project: Path) -> None:
    """The documented install: `uv sync --locked` (all groups) from the lock the bake came with."""
    step(f"installing {project.name} (uv sync --locked)")
    sh([UV, "sync", "--locked"], project, uv_env())


def install_times(project: Path, cold: bool) -> dict[str, float]:
    """`uv sync --locked` into fresh environments: with the package cache as it is (warm), and
    with an empty cache (cold: every wheel downloaded from PyPI)."""
    cold_cache = BUILD / "cold-cache"
    modes: dict[str, dict[str, str]] = {"warm": {}}
    if cold:
        modes["cold"] = {"UV_CACHE_DIR": str(cold_cache)}
    figures: dict[str, float] = {}
    for mode, extra in modes.items():
        target = BUILD / f"venv-{mode}"
        shutil.rmtree(target, ignore_errors=True)
        step(f"timing a fresh install with a {mode} cache")
        env = uv_env(UV_PROJECT_ENVIRONMENT=str(target), **extra)
        figures[f"install_{mode}_s"], _ = timed([UV, "sync", "--locked"], project, env)
        figures["packages"] = dist_count(target)
        shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(cold_cache, ignore_errors=True)
    return figures


def runtime_environment(project: Path) -> dict[str, float]:
    """The environment the Docker image ships: the Dockerfile's builder command (`uv sync
    --locked --no-dev`, bytecode compiled) into a fresh directory. The image adds the
    python:X.Y-slim base to it."""
    target = BUILD / "runtime-venv"
    shutil.rmtree(target, ignore_errors=True)
    env = uv_env(UV_PROJECT_ENVIRONMENT=str(target), UV_COMPILE_BYTECODE="1", UV_LINK_MODE="copy")
    step("measuring the image's runtime environment (uv sync --locked --no-dev)")
    sh([UV, "sync", "--locked", "--no-dev"], project, env)
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and not f.is_symlink())
    return {"runtime_env_mb": size / 1_000_000, "runtime_packages": dist_count(target)}


def test_suite_time(project: Path, smoke: bool) -> dict[str, float]:
    """The project's own suite as `make test` runs it, with no service (SQLite, in-process
    cache): what a contributor waits for. The smoke mode runs one module."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    args = [UV, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", "--create-db"]
    if smoke:
        args += ["--no-cov", *[str(p) for p in project.glob("*/core/tests/test_health.py")]]
    step("timing the project's test suite (no services)")
    seconds, out = timed(args, project, env)
    passed = re.search(r"(\d+) passed", out)
    return {"tests_s": seconds, "tests_passed": int(passed.group(1)) if passed else 0}


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
    project: Path,
    name: str,
    extra: dict[str, str],
    duration: int,
    endpoint: str,
    *,
    app: str = "config.wsgi:application",
    chdir: Path | None = None,
    script: Path | None = None,
) -> dict[str, float]:
    """One gunicorn (the project's config/gunicorn.py), warmed up, then `wrk` for `duration` s."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(project / ".venv" / "bin" / "python"),
            "-m",
            "gunicorn",
            "--config",
            str(project / "config" / "gunicorn.py"),
            "--chdir",
            str(chdir or project),
            # No worker recycling mid-run: a restart would show as a stall and reset CPU counters.
            "--max-requests",
            "0",
            app,
        ],
        cwd=chdir or project,
        env=server_env(project, extra | {"GUNICORN_BIND": f"127.0.0.1:{port}"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lua = ["--script", str(script)] if script else []
    try:
        url = f"http://127.0.0.1:{port}{endpoint}"
        wait_until_up(f"http://127.0.0.1:{port}{'/' if chdir else '/health/live/'}", server)
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
        f"with {WORKERS} sync workers (config/gunicorn.py, no worker recycling during a run), "
        f"`wrk -t2 -c16 -d{results['duration']}s` on {endpoint} "
        f"(one client IP), median of {results['rounds']} alternating rounds, real PostgreSQL and "
        "Redis on 127.0.0.1."
    )


def ratio_table(results: dict[str, Any]) -> str:
    http = results["http"]
    baseline = http["baseline"]["rps"]
    lines = [
        "| endpoint | requests/s (median) | of the baseline | p50 (ms) | p99 (ms) "
        "| server CPU per request (us) |",
        "|---|---|---|---|---|---|",
    ]
    for key, label, *_ in results["plan"]:
        row = http[key]
        lines.append(
            f"| {label} | {row['rps']:.0f} | {100 * row['rps'] / baseline:.0f}% "
            f"| {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['cpu_us']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def write_chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label.replace("`", "") for _, label, *_ in results["plan"]]
    rps = [results["http"][key]["rps"] for key, *_ in results["plan"]]
    figure, axes = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.2))
    bars = axes.barh(labels[::-1], rps[::-1], color="#3f51b5")
    axes.bar_label(bars, fmt="%.0f", padding=3)
    axes.set_xlim(0, max(rps) * 1.15)  # room for the largest bar's label
    axes.set_xlabel("requests per second (median; higher is better)")
    axes.set_title(f"gunicorn, {WORKERS} sync workers, {results['cores']} cores, {results['date']}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def template_table(results: dict[str, Any]) -> str:
    columns = [("Nexus", results["template"])]
    if results.get("compare"):
        columns.append((results["compare"]["name"], results["compare"]))

    def seconds(values: list[float] | None) -> str:
        if not values:
            return "n/a"
        low, high = min(values), max(values)
        return f"{statistics.median(values):.2f} s ({low:.2f} to {high:.2f})"

    def figure(data: dict[str, Any], key: str, unit: str = " s", digits: int = 1) -> str:
        value = data.get(key)
        return "n/a" if value is None else f"{value:.{digits}f}{unit}"

    rows = [
        ("bake, default answers (median, range)", lambda d: seconds(d.get("bake_default_s"))),
        ("bake, minimal answers", lambda d: seconds(d.get("bake_minimal_s"))),
        ("install, warm uv cache", lambda d: figure(d, "install_warm_s")),
        ("install, cold uv cache (downloads)", lambda d: figure(d, "install_cold_s")),
        ("packages installed (with dev tools)", lambda d: figure(d, "packages", "", 0)),
        ("runtime packages (the image)", lambda d: figure(d, "runtime_packages", "", 0)),
        ("runtime environment (the image)", lambda d: figure(d, "runtime_env_mb", " MB")),
        ("the project's test suite", lambda d: figure(d, "tests_s")),
        ("tests passed", lambda d: figure(d, "tests_passed", "", 0)),
    ]
    head = "| measure | " + " | ".join(name for name, _ in columns) + " |"
    lines = [head, "|---|" + "---|" * len(columns)]
    for label, get in rows:
        lines.append(f"| {label} | " + " | ".join(get(data) for _, data in columns) + " |")
    notes = (results.get("compare") or {}).get("notes")
    extra = f"\n{results['compare']['name']}: {notes}\n" if notes else ""
    return "\n".join(lines) + "\n" + extra


def write_docs(results: dict[str, Any]) -> None:
    stack, cache, tpl = results["abuse_stack"], results["catalog_cache"], results["template"]
    write_section(
        "template",
        "What the template costs",
        f"Measured {results['date']} on {results['cores']} cores ({results['machine']}), no "
        "network but the package index. Bakes run the `cookiecutter` command; installs are "
        "`uv sync --locked` into a fresh environment; the suite runs as `make test` does, with "
        "no service (SQLite, in-process cache).\n\n"
        + template_table(results)
        + f"\nGoals: bake under 1 s (median {statistics.median(tpl['bake_default_s']):.2f} s); "
        f"warm install under 5 s ({tpl['install_warm_s']:.1f} s); test suite under 30 s "
        f"({tpl['tests_s']:.0f} s); runtime environment under 120 MB "
        f"({tpl['runtime_env_mb']:.1f} MB).\n",
    )
    http, baseline = results["http"], results["http"]["baseline"]["rps"]
    write_section(
        "http",
        "How fast the API serves",
        f"{setup_line(results, 'each endpoint')} The baseline is a bare Django view returning "
        "the same JSON as `/health/live/` with no middleware, no database and no DRF, under the "
        "same gunicorn settings: this machine's ceiling. The abuse-protection stack is on "
        "(limits out of reach) except where the table says otherwise.\n\n"
        + ratio_table(results)
        + f"\n![Requests per second per endpoint](benchmarks-http.png)\n\n"
        "Goals: the full middleware stack keeps at least 70% of the baseline on "
        f"`/health/live/` (**{100 * http['health']['rps'] / baseline:.0f}%**); a cached product "
        f"list at least 50% of it (**{100 * http['warm']['rps'] / baseline:.0f}%**). The probes "
        "are answered by the second middleware, before host validation (so orchestrators can "
        "reach them by IP); the whole stack with DRF on top is `/api/v1/`, stack on "
        f"(**{100 * http['on']['rps'] / baseline:.0f}%**).\n",
    )
    write_section(
        "abuse-stack",
        "What the abuse-protection stack costs",
        f'{setup_line(results, f"`{ENDPOINT}`")} "On" is the IP monitor and the API-wide throttles '
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
        f"{setup_line(results, PRODUCTS_CODE)} The seeded catalogue ({PRODUCT_COUNT} products, "
        'pages of 20); "warm" serves from Redis, "bypassed" runs with `CATALOG_CACHE_SECONDS=0`. '
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
    write_section(
        "runtime-env",
        "The Docker image's runtime environment",
        f"Measured {results['date']}: the default bake's `uv sync --locked --no-dev` (the "
        "Dockerfile's builder command, bytecode compiled) into a fresh directory takes "
        f"**{tpl['runtime_env_mb']:.1f} MB** in {tpl['runtime_packages']} packages (goal: under "
        "120 MB). The image is that plus the `python:X.Y-slim` base and the code.\n",
    )


def compare_template(template: Path, bake_runs: int) -> dict[str, Any]:
    """Bake, install and test timings of another cookiecutter template, best effort: a step
    that cannot run here is reported, not fatal."""
    figures: dict[str, Any] = {"name": template.name, "notes": ""}
    figures["bake_default_s"] = bake_times(template, f"compare-{template.name}", bake_runs)
    # Outside this repository: pytest must not take the template's configuration for its own.
    out = Path(tempfile.mkdtemp(prefix="nexus-bench-compare-"))
    try:
        return figures | install_and_test(template.name, bake(template, out)[1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def install_and_test(name: str, project: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"notes": ""}
    venv = project / ".venv"
    env = uv_env(UV_PROJECT_ENVIRONMENT=str(venv), VIRTUAL_ENV=str(venv))
    if (project / "pyproject.toml").exists() and "[project]" in (
        project / "pyproject.toml"
    ).read_text():
        install = [[UV, "sync"]]
    else:
        requirements = next(
            (
                project / rel
                for rel in ("requirements/local.txt", "requirements.txt")
                if (project / rel).exists()
            ),
            None,
        )
        if requirements is None:
            figures["notes"] = "no pyproject.toml or requirements file to install from."
            return figures
        install = [[UV, "venv", str(venv)], [UV, "pip", "install", "-r", str(requirements)]]
    step(f"timing {name}'s install (warm cache)")
    started = time.perf_counter()
    for args in install:
        result = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            figures["notes"] = f"install failed: {result.stderr.strip().splitlines()[-1:]}"
            return figures
    figures["install_warm_s"] = time.perf_counter() - started
    figures["packages"] = dist_count(venv)
    step(f"timing {name}'s test suite")
    test_env = env | {
        "DATABASE_URL": f"{POSTGRES}/nexus_bench_compare",
        "REDIS_URL": f"{REDIS}/{BENCH_REDIS_DB}",
        "CELERY_BROKER_URL": f"{REDIS}/{BENCH_REDIS_DB}",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=test_env,
        capture_output=True,
        text=True,
    )
    figures["tests_s"] = time.perf_counter() - started
    passed = re.search(r"(\d+) passed", result.stdout)
    figures["tests_passed"] = int(passed.group(1)) if passed else 0
    if result.returncode != 0:
        figures["notes"] = (
            f"its tests exited {result.returncode} here: "
            + (result.stdout.strip().splitlines()[-1:] or ["no output"])[0]
        )
    return figures


def main() -> None:
    global BUILD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--bake-runs", type=int, default=5, help="bakes timed per answer set")
    parser.add_argument("--compare", type=Path, help="another cookiecutter template (a path)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every step once, briefly, into build/bench-smoke; does not touch the docs",
    )
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.rounds, args.bake_runs = 1, 1, 1
        BUILD = ROOT / "build" / "bench-smoke"
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is not installed (Debian: apt-get install wrk)")
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    started = time.perf_counter()

    template: dict[str, Any] = {
        "bake_default_s": bake_times(ROOT, "default", args.bake_runs),
        "bake_minimal_s": bake_times(
            ROOT,
            "minimal",
            args.bake_runs,
            "example_app=none",
            "use_celery=n",
            "use_graphql=n",
            "use_docker=n",
            "ci_tool=none",
        ),
    }
    _, project = bake(ROOT, BUILD / "project")
    install_project(project)
    template |= install_times(project, cold=not args.smoke)
    template |= runtime_environment(project)
    template |= test_suite_time(project, args.smoke)
    compare = compare_template(args.compare.resolve(), args.bake_runs) if args.compare else None

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
    (BUILD / "baseline").mkdir()
    (BUILD / "baseline" / "baseline.py").write_text(BASELINE)
    (BUILD / "graphql.lua").write_text(GRAPHQL_LUA)

    baseline = {"app": "baseline:application", "chdir": BUILD / "baseline"}
    plan: list[tuple[str, str, dict[str, str], str, dict[str, Any]]] = [
        ("baseline", "baseline: bare Django view", {}, "/", baseline),
        ("health", "`/health/live/`", STACK_ON, "/health/live/", {}),
        ("off", "`/api/v1/`, abuse-protection stack off", STACK_OFF, ENDPOINT, {}),
        ("on", "`/api/v1/`, stack on", STACK_ON, ENDPOINT, {}),
        ("bypassed", "product list, cache bypassed", CACHE_BYPASSED, PRODUCTS, {}),
        ("warm", "product list, warm cache", CACHE_WARM, PRODUCTS, {}),
        ("detail", "one product, warm cache", CACHE_WARM, f"{PRODUCTS}{product}/", {}),
        (
            "graphql",
            "GraphQL: 20 products with categories",
            STACK_ON,
            "/graphql/",
            {"script": BUILD / "graphql.lua"},
        ),
    ]
    runs: dict[str, list[dict[str, float]]] = {key: [] for key, *_ in plan}
    for round_number in range(1, args.rounds + 1):
        step(f"round {round_number}/{args.rounds}")
        # Alternate the order, so no configuration benefits from its position in the round.
        for key, label, extra, endpoint, options in plan if round_number % 2 else reversed(plan):
            runs[key].append(measure(project, label, extra, args.duration, endpoint, **options))
    http = {key: summarise(values) for key, values in runs.items()}
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "duration": args.duration,
        "rounds": args.rounds,
        "plan": [(key, label, endpoint) for key, label, _, endpoint, _ in plan],
        "template": template,
        "compare": compare,
        "http": http,
        "http_raw": runs,
        "abuse_stack": {
            "endpoint": ENDPOINT,
            "on": http["on"],
            "off": http["off"],
            "raw_on": runs["on"],
            "raw_off": runs["off"],
            "ratio_percent": 100 * http["on"]["rps"] / http["off"]["rps"],
            "cpu_ratio_percent": 100 * http["on"]["cpu_us"] / http["off"]["cpu_us"],
        },
        "catalog_cache": {
            "endpoint": PRODUCTS,
            "warm": http["warm"],
            "bypassed": http["bypassed"],
            "raw_warm": runs["warm"],
            "raw_bypassed": runs["bypassed"],
            "speedup": http["warm"]["rps"] / http["bypassed"]["rps"],
            "queries_warm": queries_per_request(project, PRODUCTS, CACHE_WARM),
            "queries_bypassed": queries_per_request(project, PRODUCTS, CACHE_BYPASSED),
        },
    }
    (BUILD / "results.json").write_text(json.dumps(results, indent=2, default=str))
    chart = BUILD / "benchmarks-http.png" if args.smoke else DOCS.with_name("benchmarks-http.png")
    write_chart(results, chart)
    baseline_rps = http["baseline"]["rps"]
    for key, label, _ in results["plan"]:
        step(
            f"{label}: {http[key]['rps']:.0f} req/s, "
            f"{100 * http[key]['rps'] / baseline_rps:.0f}% of the baseline"
        )
    step(
        f"bake {statistics.median(template['bake_default_s']):.2f} s, warm install "
        f"{template['install_warm_s']:.1f} s, tests {template['tests_s']:.0f} s, runtime "
        f"environment {template['runtime_env_mb']:.1f} MB"
    )
    if not args.smoke:
        write_docs(results)
        step(
            f"wrote {DOCS.relative_to(ROOT)}, {chart.relative_to(ROOT)} and "
            "build/bench/results.json"
        )
    step(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

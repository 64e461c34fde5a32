"""What a run reports: the tables, the throughput chart, and the sections of
docs/benchmarks.md, each between its `<!-- bench:NAME:start/end -->` comments."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import LARGE_PRODUCT_COUNT, PRODUCT_COUNT, WORKERS
from .scenarios import ATTRIBUTES, ENDPOINT, LARGE_SCENARIOS, PRODUCTS_CODE, SEARCH


def write_section(docs: Path, marker: str, heading: str, body: str) -> None:
    """Replace the section between this marker's comments in the docs page (or append it)."""
    section = f"<!-- bench:{marker}:start -->\n{body}<!-- bench:{marker}:end -->"
    text = docs.read_text() if docs.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- bench:{marker}:start -->.*<!-- bench:{marker}:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n{section}\n"
    docs.write_text(text)


def spread(runs: list[dict[str, float]]) -> str:
    """The lowest and highest throughput over the rounds."""
    return f"{min(r['rps'] for r in runs):.0f} to {max(r['rps'] for r in runs):.0f}"


def table(rows: list[tuple[str, dict[str, float], list[dict[str, float]]]]) -> str:
    """Two or more configurations of one endpoint side by side: medians and the spread."""
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


BENCH_JSON = "benchmarks.json"  # beside the docs page: the HTTP table's figures
WRK_THREADS, WRK_CONNECTIONS = 2, 16  # `wrk -t2 -c16`, as http_runs.measure runs it


def setup_line(results: dict[str, Any], endpoint: str) -> str:
    """How the HTTP figures were taken: the machine, the server, the load."""
    return (
        f"Measured {results['date']} on {results['cores']} cores ({results['machine']}), gunicorn "
        f"with {WORKERS} sync workers (config/gunicorn.py, no worker recycling during a run), "
        f"`wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{results['duration']}s` on {endpoint} "
        f"(one client IP), median of {results['rounds']} alternating rounds, real PostgreSQL and "
        "Redis on 127.0.0.1."
    )


def http_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every scenario's row of the HTTP table, rounded as the table shows it: requests/s, share
    of the baseline (%) and CPU per request (us) to units, latencies (ms) to hundredths."""
    rows = []
    for key, label, *_ in results["plan"]:
        row = results["http"][key]
        rows.append(
            {
                "key": key,
                "label": label,
                "rps": round(row["rps"]),
                "share_percent": round(row["share"]),
                "p50_ms": round(row["p50_ms"], 2),
                "p99_ms": round(row["p99_ms"], 2),
                "cpu_workers_us": round(row.get("cpu_workers_us", 0)),
                "cpu_postgres_us": round(row.get("cpu_postgres_us", 0)),
                "cpu_redis_us": round(row.get("cpu_redis_us", 0)),
            }
        )
    return rows


def ratio_table(rows: list[dict[str, Any]]) -> str:
    """Every scenario, each also as a share of the baseline's throughput, with the CPU time per
    request of the gunicorn workers, PostgreSQL and Redis (the rows of `http_rows`)."""
    lines = [
        "| endpoint | requests/s (median) | of the baseline (median of rounds) | p50 (ms) "
        "| p99 (ms) | CPU per request (us): workers | PostgreSQL | Redis |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['rps']} | {row['share_percent']}% "
            f"| {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['cpu_workers_us']} "
            f"| {row['cpu_postgres_us']} | {row['cpu_redis_us']} |"
        )
    return "\n".join(lines) + "\n"


def bench_json(results: dict[str, Any]) -> str:
    """docs/benchmarks.json: the HTTP run's setting and its table's rows, as the docs show them.

    Committed beside the page: the capacity model (capacity_model.py) reads it, and a template
    test holds it equal to the table.
    """
    figures = {
        "date": results["date"],
        "cores": results["cores"],
        "machine": results["machine"],
        "gunicorn_workers": WORKERS,
        "wrk": {
            "threads": WRK_THREADS,
            "connections": WRK_CONNECTIONS,
            "duration_s": results["duration"],
        },
        "rounds": results["rounds"],
        "endpoints": http_rows(results),
    }
    return json.dumps(figures, indent=2) + "\n"


GOALS: tuple[tuple[str, str, float, str], ...] = (
    # (scenario, what it is, its least share of the baseline's throughput in %, its floor: the
    # same work on Django's default middleware and DRF, before any code of the project)
    ("me", "`/api/v1/users/me/` with a JWT", 35, "floor_me"),
    ("warm", "the product list, warm cache", 55, "floor_cached"),
    ("on", "`/api/v1/`", 60, "floor"),
    ("health", "`/health/live/`", 90, ""),  # answered before DRF: the baseline is its floor
)
COMPARE_GOAL = 1.5  # /api/v1/users/me/ against cookiecutter-django's /api/users/me/


def goals(results: dict[str, Any]) -> list[tuple[str, bool]]:
    """Each speed goal as a sentence with its figure from this run, and whether it is met."""
    http = results["http"]
    found = []
    for key, label, least, floor in GOALS:
        share = http[key]["share"]
        text = f"{label} at {least:.0f}% of the baseline or more: **{share:.0f}%**"
        if floor in http:
            text += f" (its floor: {http[floor]['share']:.0f}%)"
        found.append((text, share >= least))
    queries = results["catalog_cache"]["queries_warm"]
    found.append((f"the warm product list runs no query: **{queries}**", queries == 0))
    if "compare_me" in http:
        ratio = http["me"]["share"] / http["compare_me"]["share"]
        found.append(
            (
                f"`/api/v1/users/me/` at {COMPARE_GOAL}x cookiecutter-django's `/api/users/me/` "
                f"or more: **{ratio:.2f}x**",
                ratio >= COMPARE_GOAL,
            )
        )
    return found


def write_chart(results: dict[str, Any], path: Path) -> None:
    """Requests per second per scenario, a horizontal bar each, in the tables' order."""
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
    """Nexus's costs, and the compared template's beside them when there is one."""
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

    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
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


def compare_note(results: dict[str, Any]) -> str:
    """Where the cookiecutter-django rows come from, or how to get them."""
    if "compare_me" in results["http"]:
        return (
            "\nThe cookiecutter-django rows: its DRF API baked from the checkout given to "
            "`--compare`, under its production settings, the same gunicorn worker count, "
            "PostgreSQL and Redis, in the same alternating rounds "
            "(`benchmarks/nexus_bench/compare_http.py`).\n"
        )
    return (
        "\nNo cookiecutter-django rows in this run: `make bench COMPARE=<its checkout>` serves "
        "its API beside Nexus's (see the top of this page).\n"
    )


def observability_tables(results: dict[str, Any]) -> str:
    """For each endpoint: metrics off, on (the default), and on with tracing, and what each adds."""
    http, raw = results["http"], results["http_raw"]
    text = ""
    for endpoint, (on, off, traced, sampled) in results["observability"]["endpoints"].items():
        rows = [
            ("metrics off", http[off], raw[off]),
            ("metrics on (the default)", http[on], raw[on]),
            ("metrics on, every request traced", http[traced], raw[traced]),
        ]
        if sampled:
            rows.append(("metrics on, one trace in ten kept", http[sampled], raw[sampled]))
        text += f"`{endpoint}`:\n\n" + table(rows)
        metrics = http[on]["cpu_us"] - http[off]["cpu_us"]
        tracing = http[traced]["cpu_us"] - http[on]["cpu_us"]
        text += (
            f"\nMetrics add **{metrics:.0f} us** of server CPU per request; tracing every "
            f"request, **{tracing:.0f} us** more"
        )
        if sampled:
            kept = http[sampled]["cpu_us"] - http[on]["cpu_us"]
            text += f"; keeping one trace in ten, **{kept:.0f} us**"
        text += ".\n\n"
    return text


def write_docs(results: dict[str, Any], docs: Path) -> None:
    """Every section of the docs page from one run's results, and the HTTP table's figures as
    JSON beside the page (`bench_json`)."""
    stack, cache, tpl = results["abuse_stack"], results["catalog_cache"], results["template"]
    write_section(
        docs,
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
    write_section(
        docs,
        "http",
        "How fast the API serves",
        f"{setup_line(results, 'each endpoint')} The baseline is a bare Django view returning "
        "the same JSON as `/health/live/` with no middleware, no database and no DRF, under the "
        "same gunicorn settings: this machine's ceiling. The ceiling for a cached answer is the "
        "same bare Django plus one Redis GET of the product list's bytes. The floors are what "
        "any Django REST project pays before its own code runs: Django's default middleware "
        "(`startproject`'s seven) and a DRF view with no authentication, permission or "
        "throttle; that plus the Redis GET; that plus a JWT checked with PyJWT and one user row "
        "read by primary key through a cursor. The abuse-protection "
        "stack is on (limits out of reach) except where the table says otherwise, and so is the "
        "access log (a JSON line per request, to /dev/null), as in production. CPU per request "
        "is the user and system time of the gunicorn workers, of every PostgreSQL process and of "
        "Redis during the run, divided by the requests served.\n\n"
        + ratio_table(http_rows(results))
        + "\n![Requests per second per endpoint](benchmarks-http.png)\n\n"
        "Goals (issue 19), each as a share of the baseline in this run:\n\n"
        + "".join(f"- {'met' if met else '**not met**'}: {text}\n" for text, met in goals(results))
        + compare_note(results),
    )
    docs.with_name(BENCH_JSON).write_text(bench_json(results))
    write_section(
        docs,
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
        docs,
        "observability",
        "What metrics and tracing cost",
        f"{setup_line(results, 'two endpoints')} Metrics are on by default "
        '(`METRICS_ENABLED`); "off" switches them off. Tracing is off unless an OTLP endpoint is '
        "set: here every request is traced (sample ratio 1) and the spans go to a receiver in "
        "the bench's own process, so the cost of recording, encoding and sending them is the "
        "server's and the receiver's is not. The abuse-protection stack is on throughout.\n\n"
        + observability_tables(results)
        + "\nThe extra CPU per request is what an operator pays for what they see: the docs page "
        "on observability quotes it.\n",
    )
    write_section(
        docs,
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
        docs,
        "large-catalogue",
        "Search and filters on a large catalogue",
        f"{setup_line(results, PRODUCTS_CODE)} A second database holds "
        f"{LARGE_PRODUCT_COUNT:,} products (`seed_catalog --products {LARGE_PRODUCT_COUNT}`, "
        "then `VACUUM ANALYZE`), served with the cache bypassed so that every request runs its "
        f"queries: the newest-first list, `{SEARCH}` (ranked full-text search, GIN index) and "
        f"`{ATTRIBUTES}` (JSONB containment, GIN index). Each page holds 20 products and the "
        "count of all matches.\n\n"
        + table(
            [
                (label, results["http"][key], results["http_raw"][key])
                for key, label, _ in results["plan"]
                if key in LARGE_SCENARIOS
            ]
        )
        + "\nThe tests in `catalog/tests/test_query_plans.py` hold each of these queries to its "
        "index; the page on search explains the plans.\n",
    )
    write_section(
        docs,
        "runtime-env",
        "The Docker image's runtime environment",
        f"Measured {results['date']}: the default bake's `uv sync --locked --no-dev` (the "
        "Dockerfile's builder command, bytecode compiled) into a fresh directory takes "
        f"**{tpl['runtime_env_mb']:.1f} MB** in {tpl['runtime_packages']} packages (goal: under "
        "120 MB). The image is that plus the `python:X.Y-slim` base and the code.\n",
    )

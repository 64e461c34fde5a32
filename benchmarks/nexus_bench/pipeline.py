"""One `make bench` run, in order: the template's costs, the compared template, the HTTP
rounds, then results.json, the chart, a summary and (unless smoke) docs/benchmarks.md, the
figures beside it (docs/benchmarks.json) and the capacity model's section of the scaling page."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from .capacity_model import PAGE, write_page
from .compare_http import is_cookiecutter_django, prepare_compare_server
from .config import ROOT, Config
from .http_runs import prepare, queries_per_request, run_rounds, summarise
from .otlp_sink import running_sink
from .report import BENCH_JSON, write_chart, write_docs
from .scenarios import (
    CACHE_BYPASSED,
    CACHE_WARM,
    COMPARE_SCENARIOS,
    ENDPOINT,
    ME,
    PRODUCTS,
    SCENARIOS,
)
from .shell import step
from .template_costs import compare_template, template_costs


def run(config: Config) -> None:
    """Measure everything `config` asks for and write what it found."""
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is not installed (Debian: apt-get install wrk)")
    shutil.rmtree(config.build, ignore_errors=True)
    config.build.mkdir(parents=True)
    started = time.perf_counter()

    template, project = template_costs(config)
    compare = (
        compare_template(config.compare, config.build, config.bake_runs) if config.compare else None
    )

    values = prepare(project, config.build)
    plan = list(SCENARIOS)
    server = None
    if config.compare and is_cookiecutter_django(config.compare):
        server = prepare_compare_server(config.compare, config.build)
        values["compare_token"] = server.token
        plan += COMPARE_SCENARIOS
    with running_sink() as values["otlp"]:
        runs = run_rounds(
            project, config.build, plan, values, (config.duration, config.rounds), server
        )
    http = {key: summarise(measured) for key, measured in runs.items()}
    # Each round's share of that round's baseline, then the median: this machine drifts by a
    # third within a run, and a ratio taken inside one round cancels most of it.
    for key, measured in runs.items():
        rounds = zip(measured, runs["baseline"], strict=True)
        shares = [run["rps"] / base["rps"] for run, base in rounds]
        http[key]["share"] = 100 * statistics.median(shares)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "duration": config.duration,
        "rounds": config.rounds,
        "plan": [(s.key, s.label, s.path(values)) for s in plan],
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
        "observability": {
            "endpoints": {ENDPOINT: ("on", "on_unmeasured", "on_traced", None)}
            | {ME: ("me", "me_unmeasured", "me_traced", "me_sampled")},
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
    (config.build / "results.json").write_text(json.dumps(results, indent=2, default=str))
    write_chart(results, config.chart)
    for key, label, _ in results["plan"]:
        step(f"{label}: {http[key]['rps']:.0f} req/s, {http[key]['share']:.0f}% of the baseline")
    step(
        f"bake {statistics.median(template['bake_default_s']):.2f} s, warm install "
        f"{template['install_warm_s']:.1f} s, tests {template['tests_s']:.0f} s, runtime "
        f"environment {template['runtime_env_mb']:.1f} MB"
    )
    if not config.smoke:
        write_docs(results, config.docs)
        # The capacity model reads the figures just written: one run refreshes both pages.
        write_page(config.docs.with_name(BENCH_JSON), PAGE)
        step(
            f"wrote {config.docs.relative_to(ROOT)}, {config.chart.relative_to(ROOT)}, "
            f"docs/{BENCH_JSON}, the capacity section of {PAGE.relative_to(ROOT)} and "
            "build/bench/results.json"
        )
    step(f"done in {time.perf_counter() - started:.0f} s")

"""The capacity model on the scaling page cannot drift: from the figures, from the manifests, or
from its own rules.

docs/benchmarks.json holds the HTTP table of docs/benchmarks.md (make bench writes both); the
capacity section of docs/practices/scaling-out.md is what benchmarks/capacity.py computes from
it; the model's deployment is what a bake's deploy/kubernetes/base/ sets.
"""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from conftest import TEMPLATE, Bake

sys.path.insert(0, str(TEMPLATE / "benchmarks"))  # nexus_bench, as benchmarks/run.py finds it
from nexus_bench import capacity_model as capacity
from nexus_bench.report import bench_json, ratio_table

SCRIPT = TEMPLATE / "benchmarks" / "capacity.py"


def capacity_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def model() -> capacity.Model:
    return capacity.Model(capacity.cost(capacity.load_bench()))


def test_the_committed_bench_figures_are_the_http_table_of_the_benchmarks_page() -> None:
    figures = json.loads(capacity.FIGURES.read_text())
    page = (TEMPLATE / "docs" / "benchmarks.md").read_text()
    section = page.split("<!-- bench:http:start -->", 1)[1].split("<!-- bench:http:end -->")[0]
    table = [line for line in section.splitlines() if line.startswith("|")]
    assert table == ratio_table(figures["endpoints"]).splitlines()
    wrk = figures["wrk"]
    assert (
        f"Measured {figures['date']} on {figures['cores']} cores ({figures['machine']}), "
        f"gunicorn with {figures['gunicorn_workers']} sync workers" in section
    )
    assert f"`wrk -t{wrk['threads']} -c{wrk['connections']} -d{wrk['duration_s']}s`" in section
    assert f"median of {figures['rounds']} alternating rounds" in section


def test_the_committed_bench_figures_are_what_make_bench_writes_for_that_run() -> None:
    figures = json.loads(capacity.FIGURES.read_text())
    rows = figures["endpoints"]
    results = {
        "date": figures["date"],
        "cores": figures["cores"],
        "machine": figures["machine"],
        "duration": figures["wrk"]["duration_s"],
        "rounds": figures["rounds"],
        "plan": [(row["key"], row["label"], "") for row in rows],
        "http": {row["key"]: row | {"share": row["share_percent"]} for row in rows},
    }
    assert bench_json(results) == capacity.FIGURES.read_text()


def test_the_capacity_section_is_what_the_figures_give() -> None:
    result = capacity_script("--check")
    assert result.returncode == 0, result.stderr


def test_the_check_fails_in_one_line_when_the_section_was_edited(tmp_path: Path) -> None:
    page = tmp_path / "scaling-out.md"
    text = capacity.PAGE.read_text()
    assert "**first limit hit**" in text.split(capacity.START, 1)[1]
    page.write_text(text.replace("**first limit hit**", "**first limit**", 1))
    result = capacity_script("--check", "--page", str(page))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "run python benchmarks/capacity.py" in result.stderr
    assert capacity_script("--page", str(page)).returncode == 0
    assert page.read_text() == text


def test_the_mix_adds_up_to_every_request_and_names_rows_the_bench_measured() -> None:
    bench = capacity.load_bench()
    assert math.isclose(sum(traffic.share for traffic in capacity.MIX), 1)
    rows = {row for traffic in capacity.MIX for row in (traffic.row, traffic.miss) if row}
    assert rows | set(capacity.ASSUMPTIONS.round_trip) <= set(bench.endpoints)


def test_web_pods_and_cores_grow_linearly_with_the_rate() -> None:
    m = model()
    minimum = m.deployment.hpa_min_replicas
    for rate in (1_000, 3_000, 10_000, 33_333, 100_000, 1_000_000):
        step = m.step(rate)
        exact = rate / m.pod_rate
        assert step.web_pods == max(minimum, math.ceil(exact))
        assert math.isclose(step.web_cores_used, rate * m.cost.web_us / 1e6)
        assert math.isclose(m.step(10 * rate).postgres_cores, 10 * step.postgres_cores)
    assert m.step(1).web_pods == minimum


def test_pgbouncer_enters_exactly_when_the_connections_exceed_what_postgres_allows() -> None:
    m = model()
    seen = set()
    for rate in range(250, 30_000, 250):
        step = m.step(rate)
        assert step.pgbouncer == (step.connections > m.usable_connections)
        assert step.postgres_connections == (step.pool if step.pgbouncer else step.connections)
        seen.add(step.pgbouncer)
    assert seen == {False, True}
    (limit,) = [limit for limit in capacity.LIMITS if limit.name == "PostgreSQL's connections"]
    enters = capacity.first_rate(m, limit)
    assert enters is not None
    assert m.step(enters - 1).connections <= m.usable_connections < m.step(enters).connections
    roomier = replace(m, assumptions=replace(m.assumptions, postgres_max_connections=1_000))
    later = capacity.first_rate(roomier, limit)
    assert later is not None
    assert later > enters


def test_each_limit_is_reached_at_the_rate_the_page_gives_and_not_below() -> None:
    m = model()
    order = capacity.reached(m)
    assert [rate for rate, _ in order] == sorted(rate for rate, _ in order)
    for rate, limit in order:
        assert limit.past(m, m.step(rate))
        assert not limit.past(m, m.step(rate - 1))
        assert f"| {limit.name} | {rate:,} |" in capacity.PAGE.read_text()


# --- the manifests ------------------------------------------------------------------------------


def manifests(base: Path) -> list[dict[str, Any]]:
    """Every object of deploy/kubernetes/base/*.yaml but the kustomization."""
    files = sorted(path for path in base.glob("*.yaml") if path.name != "kustomization.yaml")
    assert files, f"no {base}/*.yaml in the bake"
    return [doc for path in files for doc in yaml.safe_load_all(path.read_text()) if doc]


def config_values(base: Path, name: str) -> list[str]:
    """Every value the base gives the setting `name`: in a ConfigMap, or in the kustomization's
    configMapGenerator (its `literals` and its `envs` files)."""
    found = [
        o["data"][name]
        for o in manifests(base)
        if o["kind"] == "ConfigMap" and name in o.get("data", {})
    ]
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    for generator in kustomization.get("configMapGenerator", []):
        lines = list(generator.get("literals", []))
        for env in generator.get("envs", []):
            lines += (base / env).read_text().splitlines()
        found += [line.split("=", 1)[1] for line in lines if line.strip().startswith(f"{name}=")]
    return found


def one(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    """The one object of this kind (and name)."""
    found = [
        o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
    return found[0]


def cores(quantity: str | int | float) -> float:
    """A Kubernetes CPU quantity ("1", "1500m", 2) in cores."""
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def mebibytes(quantity: str) -> float:
    """A Kubernetes memory quantity ("512Mi", "1Gi") in MiB."""
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]]


def commands(workload: dict[str, Any]) -> Iterator[list[str]]:
    """Each container's command line (command + args), split as a shell would (`sh -c` too)."""
    for container in workload["spec"]["template"]["spec"]["containers"]:
        parts = [*container.get("command", []), *container.get("args", [])]
        yield [token for part in parts for token in shlex.split(str(part))]


def runs(workload: dict[str, Any], *words: str) -> bool:
    """Whether one of its containers runs a command line with all these words."""
    return any(set(words) <= set(line) for line in commands(workload))


def option(line: list[str], name: str) -> str:
    """The value of `--name=value` or `--name value` in a command line."""
    for index, part in enumerate(line):
        if part.startswith(f"{name}="):
            return part.split("=", 1)[1]
        if part == name:
            return line[index + 1]
    raise AssertionError(f"no {name} in {line}")


def surge(deployment: dict[str, Any]) -> str:
    """The Deployment's maxSurge; Kubernetes' default when it sets none."""
    return str(
        deployment["spec"].get("strategy", {}).get("rollingUpdate", {}).get("maxSurge", "25%")
    )


def test_the_models_deployment_is_what_the_kubernetes_manifests_set(
    bake: Callable[[str], Bake],
) -> None:
    d = capacity.DEPLOYMENT
    base = bake("default").path / "deploy" / "kubernetes" / "base"
    objects = manifests(base)

    hpa = one(objects, "HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
        d.hpa_min_replicas,
        d.hpa_max_replicas,
    )
    (cpu,) = [
        metric["resource"]
        for metric in hpa["spec"]["metrics"]
        if metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    ]
    assert cpu["target"]["averageUtilization"] == round(100 * d.hpa_utilisation)

    web = one(objects, "Deployment", hpa["spec"]["scaleTargetRef"]["name"])
    resources = web["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert cores(resources["requests"]["cpu"]) == d.web_cpu_request
    assert cores(resources["limits"]["cpu"]) == d.web_cpu_limit
    assert mebibytes(resources["requests"]["memory"]) == d.web_memory_request_mi
    assert mebibytes(resources["limits"]["memory"]) == d.web_memory_limit_mi
    assert config_values(base, "WEB_CONCURRENCY") == [str(d.web_concurrency)]

    scaled = one(objects, "ScaledObject")
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (
        d.keda_min_replicas,
        d.keda_max_replicas,
    )
    (trigger,) = [t["metadata"] for t in scaled["spec"]["triggers"] if t["type"] == "redis"]
    assert trigger["listName"] == "celery"
    assert str(trigger["listLength"]) == str(d.keda_list_length)
    worker = one(objects, "Deployment", scaled["spec"]["scaleTargetRef"]["name"])
    (line,) = [line for line in commands(worker) if "worker" in line]
    assert option(line, "--concurrency") == str(d.worker_concurrency)

    assert surge(web) == f"{d.web_max_surge:.0%}"
    assert surge(worker) == str(d.worker_max_surge)
    beats = [o for o in objects if o["kind"] == "Deployment" and runs(o, "celery", "beat")]
    assert [o["spec"].get("replicas", 1) for o in beats] == [d.beat_replicas]
    migrations = [o for o in objects if o["kind"] == "Job" and runs(o, "manage.py", "migrate")]
    assert len(migrations) == d.migrate_jobs

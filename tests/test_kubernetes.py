"""The generated Kubernetes manifests, proven offline: rendered, validated, linted, and read.

Each overlay of every bake that has them is rendered by `kubectl kustomize` (Kustomize v5, no
plugin, no network); every object is validated strictly against the Kubernetes JSON schemas of
the oldest and the newest version stated below (kubernetes-validate), the KEDA objects against
the fields of KEDA's schema they use (tests/schemas/keda-v2.20.json); checkov runs every
Kubernetes check with the bake's own config, whose skips each carry a reason. Then the promises
the manifests make are read off the rendered objects: grace periods longer than what they must
outlast, one beat, migrations before serving, the proxy settings the Ingress implies.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from conftest import BAKES, UV, Bake, answers_for, run

# The oldest Kubernetes minor still maintained upstream when this was written, and the newest
# that kubernetes-validate ships schemas for.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
KEDA_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "keda-v2.20.json").read_text())
CHECKOV = str(Path(UV).with_name("checkov"))
OVERLAYS = ("staging", "production")
KUBERNETES_BAKES = [
    name
    for name in BAKES
    if answers_for(name)["use_docker"] == "y" and answers_for(name)["use_kubernetes"] == "y"
]
CELERY_BAKES = [name for name in KUBERNETES_BAKES if answers_for(name)["use_celery"] == "y"]
CRON_BAKES = [name for name in KUBERNETES_BAKES if answers_for(name)["use_celery"] == "n"]


def kubectl() -> str:
    path = shutil.which("kubectl")
    assert path, (
        "kubectl (with Kustomize v5) is needed to render the manifests: .ci/run installs it"
    )
    return path


def render(project: Bake, overlay: str) -> list[dict[str, Any]]:
    """The overlay's objects, as `kubectl kustomize` renders them."""
    folder = project.path / "deploy" / "kubernetes" / "overlays" / overlay
    output = run([kubectl(), "kustomize", str(folder)], project.path).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [match] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return match


def pod_template(workload: dict[str, Any]) -> dict[str, Any]:
    """A Deployment's, Job's or CronJob's pod template (a CronJob's is in its job template)."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template: dict[str, Any] = spec["template"]
    return template


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = pod_template(workload)["spec"]
    return spec


def workloads(objects: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (o for o in objects if o["kind"] in {"Deployment", "Job", "CronJob"})


def app_config(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The settings' ConfigMap (its name carries a hash of its contents); the others hold files."""
    [config_map] = [
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("app-config-")
    ]
    return config_map


def config(objects: list[dict[str, Any]]) -> dict[str, str]:
    config_map = app_config(objects)
    data: dict[str, str] = config_map["data"]
    return data


@pytest.fixture(scope="module")
def rendered(bake: Callable[[str], Bake]) -> Callable[[str, str], list[dict[str, Any]]]:
    cache: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def _rendered(name: str, overlay: str) -> list[dict[str, Any]]:
        if (name, overlay) not in cache:
            cache[name, overlay] = render(bake(name), overlay)
        return cache[name, overlay]

    return _rendered


@pytest.mark.parametrize("name", list(BAKES))
def test_kubernetes_manifests_exist_only_with_the_option_and_docker(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    present = (project.path / "deploy" / "kubernetes").exists()
    assert present == (name in KUBERNETES_BAKES)
    if not present:  # nor the tests that prove what they assume
        assert not (project.path / "tests" / "support" / "haproxy.py").exists()
        assert not list(project.path.rglob("test_scale_out*.py"))


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_every_object_validates_against_the_kubernetes_and_keda_schemas(
    rendered: Callable[[str, str], list[dict[str, Any]]], name: str, overlay: str
) -> None:
    objects = rendered(name, overlay)
    kinds = {o["kind"] for o in objects}
    assert {"Namespace", "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"} <= kinds
    for obj in objects:
        if obj["apiVersion"].startswith("keda.sh/"):
            jsonschema.validate(obj, KEDA_SCHEMA)
            continue
        for version in KUBERNETES_VERSIONS:
            # strict: a field the schema does not know (a typo, a field of a newer version) fails
            kubernetes_validate.validate(obj, version, strict=True)
    assert ("ScaledObject" in kinds) == (name in CELERY_BAKES)


def test_the_keda_schema_refuses_a_misspelt_field(
    rendered: Callable[[str, str], list[dict[str, Any]]],
) -> None:
    scaled = find(rendered("default", "production"), "ScaledObject", "worker")
    jsonschema.validate(scaled, KEDA_SCHEMA)
    scaled["spec"]["triggers"][0]["metadata"]["listname"] = "celery"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, KEDA_SCHEMA)


def test_checkov_passes_every_kubernetes_check_but_the_justified_skips(
    rendered: Callable[[str, str], list[dict[str, Any]]],
    bake: Callable[[str], Bake],
    tmp_path: Path,
) -> None:
    # Every bake's overlays in one run: checkov starts in seconds, not per file.
    for name in KUBERNETES_BAKES:
        for overlay in OVERLAYS:
            text = yaml.safe_dump_all(rendered(name, overlay))
            (tmp_path / f"{name}-{overlay}.yaml").write_text(text)
    settings = bake("default").path / "deploy" / "kubernetes" / ".checkov.yaml"
    # Each check skipped for all is named in the config with the reason just above it.
    lines = settings.read_text().splitlines()
    skipped = [i for i, line in enumerate(lines) if re.match(r"\s+- CKV_", line)]
    assert skipped, "the config skips nothing: then say so here"
    assert all(lines[i - 1].strip().startswith("#") for i in skipped)
    result = subprocess.run(
        [CHECKOV, "--config-file", str(settings), "-d", str(tmp_path), "-o", "json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stdout)
    summary = report["summary"]
    failed = [
        (c["check_id"], c["resource"]) for c in report.get("results", {}).get("failed_checks", [])
    ]
    assert summary["failed"] == 0, failed
    assert result.returncode == 0, result.stderr[-2000:]
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 100 * len(KUBERNETES_BAKES)
    # An object's own skip says why, after the check's id.
    for obj in (o for name in KUBERNETES_BAKES for o in rendered(name, "production")):
        for key, value in obj["metadata"].get("annotations", {}).items():
            if key.startswith("checkov.io/skip"):
                assert re.fullmatch(r"CKV_K8S_\d+=\S.{20,}", value), (key, value)


@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_a_stopping_web_pod_finishes_its_requests_before_it_is_killed(
    rendered: Callable[[str, str], list[dict[str, Any]]], bake: Callable[[str], Bake], name: str
) -> None:
    gunicorn = (bake(name).path / "config" / "gunicorn.py").read_text()
    graceful_timeout = re.search(r"^graceful_timeout = (\d+)", gunicorn, re.M)
    assert graceful_timeout, "config/gunicorn.py sets graceful_timeout"
    graceful = int(graceful_timeout.group(1))
    for overlay in OVERLAYS:
        web = pod_spec(find(rendered(name, overlay), "Deployment", "web"))
        [container] = web["containers"]
        sleep = container["lifecycle"]["preStop"]["exec"]["command"]
        assert sleep[0] == "sleep"
        # preStop runs first, then SIGTERM and gunicorn's graceful stop; SIGKILL after the grace
        # period, counted from the start.
        assert web["terminationGracePeriodSeconds"] > int(sleep[1]) + graceful
        deployment = find(rendered(name, overlay), "Deployment", "web")
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert "replicas" not in deployment["spec"]  # the autoscaler's to set
        probes = {
            kind: container[f"{kind}Probe"]["httpGet"]["path"]
            for kind in ("liveness", "readiness", "startup")
        }
        assert probes == {
            "liveness": "/health/live/",
            "readiness": "/health/ready/",
            "startup": "/health/live/",
        }


@pytest.mark.parametrize("name", CELERY_BAKES)
def test_a_stopping_worker_outlives_its_longest_task_and_beat_runs_once(
    rendered: Callable[[str, str], list[dict[str, Any]]], bake: Callable[[str], Bake], name: str
) -> None:
    settings = (bake(name).path / "config" / "settings" / "components" / "celery.py").read_text()
    default_limit = re.search(r'"CELERY_TASK_TIME_LIMIT", default=(\d+)', settings)
    assert default_limit
    assert re.search(r"^CELERY_TASK_ACKS_LATE = True", settings, re.M)
    assert re.search(r"^CELERY_TASK_REJECT_ON_WORKER_LOST = True", settings, re.M)
    assert re.search(r"^CELERY_WORKER_PREFETCH_MULTIPLIER = 1$", settings, re.M)
    for overlay in OVERLAYS:
        objects = rendered(name, overlay)
        limit = int(config(objects).get("CELERY_TASK_TIME_LIMIT", default_limit.group(1)))
        worker = pod_spec(find(objects, "Deployment", "worker"))
        assert worker["terminationGracePeriodSeconds"] > limit
        # Celery's own SIGTERM handling is a warm shutdown, which tini (the image's entrypoint)
        # hands the signal to: no container replaces it (checked for every bake in
        # test_selectors_select_the_pods_they_name_and_every_pod_is_locked_down).
        beat = find(objects, "Deployment", "beat")
        assert beat["spec"]["replicas"] == 1
        assert beat["spec"]["strategy"] == {"type": "Recreate"}
        # KEDA reads the list Celery consumes: the default queue, and no route moves tasks off it.
        scaled = find(objects, "ScaledObject", "worker")
        assert scaled["spec"]["scaleTargetRef"]["name"] == "worker"
        [trigger] = scaled["spec"]["triggers"]
        assert trigger["metadata"]["listName"] == "celery"
        assert "CELERY_TASK_DEFAULT_QUEUE" not in settings
        assert "CELERY_TASK_ROUTES" not in settings
        # The database KEDA counts is the one the project's example broker URL names.
        example = (bake(name).path / ".env.example").read_text()
        broker = re.search(r"^# CELERY_BROKER_URL=redis://[^/\s]+/(\d+)$", example, re.M)
        assert broker, ".env.example shows a broker URL with its database"
        assert trigger["metadata"]["databaseIndex"] == broker.group(1)
        auth = find(objects, "TriggerAuthentication", trigger["authenticationRef"]["name"])
        assert {ref["name"] for ref in auth["spec"]["secretTargetRef"]} == {"app-secrets"}


@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_selectors_select_the_pods_they_name_and_every_pod_is_locked_down(
    rendered: Callable[[str, str], list[dict[str, Any]]], bake: Callable[[str], Bake], name: str
) -> None:
    image = f"registry.example.com/{bake(name).path.name}:0.1.0"
    for overlay in OVERLAYS:
        objects = rendered(name, overlay)
        pods = {
            w["metadata"]["name"]: pod_template(w)["metadata"]["labels"] for w in workloads(objects)
        }
        deployments = [o for o in objects if o["kind"] == "Deployment"]
        for deployment in deployments:
            selector = deployment["spec"]["selector"]["matchLabels"]
            assert selector.items() <= pods[deployment["metadata"]["name"]].items()
        web_selectors = [
            find(objects, "Service", "web")["spec"]["selector"],
            find(objects, "PodDisruptionBudget", "web")["spec"]["selector"]["matchLabels"],
        ]
        assert all(selector.items() <= pods["web"].items() for selector in web_selectors)
        target = find(objects, "HorizontalPodAutoscaler", "web")["spec"]["scaleTargetRef"]
        assert target["name"] in {d["metadata"]["name"] for d in deployments}
        policies = {o["metadata"]["name"]: o for o in objects if o["kind"] == "NetworkPolicy"}
        for policy_name, policy in policies.items():
            if policy_name != "acme-solver-from-ingress":  # cert-manager's pods, not ours
                assert any(selects(policy["spec"]["podSelector"], pod) for pod in pods.values())
        # What each process must reach is allowed: names, PostgreSQL, and Redis but for migrations.
        for workload, labels in pods.items():
            needs = ["dns", "to-postgresql"] + (["to-redis"] if workload != "migrate" else [])
            for need in needs:
                assert selects(policies[need]["spec"]["podSelector"], labels), (workload, need)
        for namespace in (o for o in objects if o["kind"] == "Namespace"):
            assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == (
                "restricted"
            )
        for workload in workloads(objects):
            spec = pod_spec(workload)
            assert spec["automountServiceAccountToken"] is False
            assert spec["securityContext"]["runAsNonRoot"] is True
            for container in spec["containers"] + spec.get("initContainers", []):
                assert container["securityContext"]["readOnlyRootFilesystem"] is True
                assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
                assert container["image"] == image
                assert "command" not in container  # `args`: the image's entrypoint (tini) stays


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and In expressions) selects these labels."""
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    return all(
        labels.get(rule["key"]) in rule["values"] for rule in selector.get("matchExpressions", [])
    )


@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_the_proxy_settings_agree_with_the_ingress_that_is_the_only_way_in(
    rendered: Callable[[str, str], list[dict[str, Any]]], name: str
) -> None:
    for overlay in OVERLAYS:
        objects = rendered(name, overlay)
        settings = config(objects)
        ingress = find(objects, "Ingress", "web")["spec"]
        hosts = [rule["host"] for rule in ingress["rules"]]
        assert [tls["hosts"] for tls in ingress["tls"]] == [hosts]  # TLS for every host served
        assert settings["ALLOWED_HOSTS"].split(",") == hosts
        assert settings["CSRF_TRUSTED_ORIGINS"].split(",") == [f"https://{h}" for h in hosts]
        assert (overlay == "staging") == all(h.startswith("staging.") for h in hosts)
        # One hop, believed only because nothing but the controller reaches gunicorn.
        assert settings["TRUSTED_PROXY_COUNT"] == "1"
        assert settings["SECURE_PROXY_SSL_HEADER"] == "true"
        web = find(objects, "Deployment", "web")
        [port] = [p for p in pod_spec(web)["containers"][0]["ports"] if p["name"] == "http"]
        policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
        deny = find(objects, "NetworkPolicy", "default-deny")["spec"]
        assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        # Into the app's pods, one way only: the controller to gunicorn. (One other policy lets
        # the controller reach cert-manager's solver pods, which no app pod's labels match; the
        # last lets Prometheus reach the metrics ports, and no other port.)
        inbound = {
            p["metadata"]["name"]: p
            for p in policies
            if "Ingress" in p["spec"]["policyTypes"] and p["metadata"]["name"] != "default-deny"
        }
        assert sorted(inbound) == [
            "acme-solver-from-ingress",
            "metrics-from-monitoring",
            "web-from-ingress",
        ]
        [scrape] = inbound["metrics-from-monitoring"]["spec"]["ingress"]
        assert scrape["ports"] == [{"protocol": "TCP", "port": "metrics"}]
        assert scrape["from"] == [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        ]
        solver = inbound["acme-solver-from-ingress"]["spec"]["podSelector"]["matchLabels"]
        assert solver == {"acme.cert-manager.io/http01-solver": "true"}
        [rule] = inbound["web-from-ingress"]["spec"]["ingress"]
        assert [p["port"] for p in rule["ports"]] == [port["containerPort"]]
        # Both a namespace and the controller's pods in it: not every pod of those namespaces.
        assert all({"namespaceSelector", "podSelector"} <= peer.keys() for peer in rule["from"])


@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_migrations_run_in_one_job_and_new_pods_wait_for_them(
    rendered: Callable[[str, str], list[dict[str, Any]]], name: str
) -> None:
    for overlay in OVERLAYS:
        objects = rendered(name, overlay)
        job = pod_spec(find(objects, "Job", "migrate"))
        assert job["containers"][0]["args"] == ["python", "manage.py", "migrate", "--no-input"]
        for workload in (o for o in workloads(objects) if o["kind"] != "Job"):
            spec = pod_spec(workload)
            [wait] = spec["initContainers"]
            assert "migrate --check" in wait["args"][-1], workload["metadata"]["name"]
            assert "migrate" not in " ".join(spec["containers"][0].get("args", []))
            assert wait["image"] == spec["containers"][0]["image"]


@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_no_secret_is_committed_and_every_process_reads_the_same_settings(
    rendered: Callable[[str, str], list[dict[str, Any]]], bake: Callable[[str], Bake], name: str
) -> None:
    secret_words = re.compile(
        r"PASSWORD|SECRET|TOKEN|_KEY$|(?:DATABASE|REDIS|BROKER)_URL$|RESULT_BACKEND$", re.I
    )
    for overlay in OVERLAYS:
        objects = rendered(name, overlay)
        assert not [o for o in objects if o["kind"] == "Secret"]
        assert not [key for key in config(objects) if secret_words.search(key)]
        config_name = app_config(objects)["metadata"]["name"]
        for workload in workloads(objects):
            spec = pod_spec(workload)
            for container in spec["containers"] + spec.get("initContainers", []):
                assert container["envFrom"] == [
                    {"configMapRef": {"name": config_name}},
                    {"secretRef": {"name": "app-secrets"}},
                ]
                assert "env" not in container
    files = (bake(name).path / "deploy").rglob("*")
    text = "\n".join(f.read_text() for f in files if f.is_file())
    assert not re.search(r"(password|secret_key)\s*[:=]\s*\S", text, re.IGNORECASE)


@pytest.mark.parametrize("name", CRON_BAKES)
def test_cronjobs_run_the_periodic_commands_in_bakes_without_a_scheduler_process(
    rendered: Callable[[str, str], list[dict[str, Any]]], bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    commands = {p.stem for p in project.path.rglob("management/commands/*.py")}
    objects = rendered(name, "production")
    cronjobs = [o for o in objects if o["kind"] == "CronJob"]
    assert len(cronjobs) >= 3
    for cronjob in cronjobs:
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
        [container] = pod_spec(cronjob)["containers"]
        command = container["args"][2]
        assert command in commands | {"flushexpiredtokens"}, command
    assert not [o for o in objects if o["metadata"]["name"] in {"worker", "beat"}]
    # The same jobs on the same schedules as beat's in the bake with Celery and the same app.
    assert answers_for(name)["example_app"] == answers_for("default")["example_app"]
    celery = bake("default").path / "config" / "settings" / "components" / "celery.py"
    assert {
        pod_spec(c)["containers"][0]["args"][2]: c["spec"]["schedule"] for c in cronjobs
    } == beat_schedule_as_cron(celery.read_text())
    assert {c["spec"]["timeZone"] for c in cronjobs} == {answers_for(name)["timezone"]}


# The tasks whose management command has another name.
COMMAND_OF_TASK = {
    "flush_request_log": "ip_flush_log",
    "flag_suspicious_ips": "ip_scan",
    "flush_expired_tokens": "flushexpiredtokens",
}


def beat_schedule_as_cron(settings: str) -> dict[str, str]:
    """CELERY_BEAT_SCHEDULE's entries as {management command: cron expression}."""
    entries = re.findall(
        r'"task": f"\{PACKAGE\}\.\w+\.tasks\.(\w+)",\s+"schedule": (\w+\([^)]*\))', settings
    )
    assert entries, "no beat schedule found"
    crons = {}
    for task, schedule in entries:
        if every := re.fullmatch(r"timedelta\(minutes=(\d+)\)", schedule):
            minutes = int(every.group(1))
            cron = "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
        elif at := re.fullmatch(r"crontab\(minute=(\d+)(?:, hour=(\d+))?\)", schedule):
            cron = f"{at.group(1)} {at.group(2) or '*'} * * *"
        else:
            raise AssertionError(f"a schedule this test cannot read: {schedule}")
        crons[COMMAND_OF_TASK.get(task, task)] = cron
    return crons


@pytest.mark.parametrize("name", KUBERNETES_BAKES)
def test_the_metrics_ports_are_announced_and_the_monitoring_assets_shipped(
    rendered: Callable[[str, str], list[dict[str, Any]]], bake: Callable[[str], Bake], name: str
) -> None:
    monitoring = bake(name).path / "deploy" / "monitoring"
    for overlay in OVERLAYS:
        objects = rendered(name, overlay)
        for workload in (o for o in objects if o["kind"] == "Deployment"):
            ports = {
                port["name"]: port["containerPort"]
                for container in pod_spec(workload)["containers"]
                for port in container.get("ports", [])
            }
            annotations = pod_template(workload)["metadata"].get("annotations", {})
            if "metrics" in ports:  # the scrape annotation names the port that serves
                assert annotations["prometheus.io/scrape"] == "true"
                assert annotations["prometheus.io/port"] == str(ports["metrics"])
            else:
                assert workload["metadata"]["name"] == "beat"  # a scheduler: no pool, no samples
        rules = find(objects, "ConfigMap", "prometheus-rules")["data"]
        assert rules == {
            path.name: path.read_text()
            for path in monitoring.glob("alerts*.yml")
            if not path.name.endswith(".test.yml")
        }
        dashboards = find(objects, "ConfigMap", "grafana-dashboards")
        assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert dashboards["data"] == {p.name: p.read_text() for p in monitoring.glob("dash*.json")}

"""The generated Docker files, proven without a Docker engine (and with one when it is there).

hadolint lints the Dockerfile; the compose files are parsed and checked; and the image is mirrored:
the build context that `COPY . /app` would take (honouring .dockerignore), the builder's exact
`uv sync`, then the runtime's entrypoint and command, served on 127.0.0.1 with production
settings against the real PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BAKES, POSTGRES, REDIS, UV, Bake, run

HADOLINT = str(Path(UV).with_name("hadolint"))
DOCKER_BAKES = [name for name, answers in BAKES.items() if answers.get("use_docker", "y") == "y"]
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$", re.IGNORECASE)


@pytest.mark.parametrize("name", list(BAKES))
def test_docker_files_exist_only_when_chosen(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name)
    files = ["Dockerfile", ".dockerignore", "compose.yml", "compose.prod.yml", "docker"]
    present = [rel for rel in files if (project.path / rel).exists()]
    assert present == (files if name in DOCKER_BAKES else [])
    if name not in DOCKER_BAKES:  # nor the tools that only serve them
        for rel in ("pyproject.toml", ".pre-commit-config.yaml", "Makefile"):
            text = (project.path / rel).read_text().lower()
            assert "hadolint" not in text, rel
            assert "docker" not in text, rel


@pytest.mark.parametrize("name", DOCKER_BAKES)
def test_hadolint_passes_at_warning_level(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name)
    run([HADOLINT, "--failure-threshold", "warning", "Dockerfile"], project.path)


def compose(project: Bake, file: str) -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.safe_load((project.path / file).read_text())
    return parsed


@pytest.mark.parametrize("file", ["compose.yml", "compose.prod.yml"])
def test_compose_waits_for_healthy_services_and_holds_no_secret(
    bake: Callable[[str], Bake], file: str
) -> None:
    services = compose(bake("default"), file)["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("db", "redis"):
        assert "test" in services[name]["healthcheck"], name
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert rule == {"condition": "service_healthy"}, (name, dependency)
        environment = service.get("environment", {})
        for key, value in environment.items():
            if SECRET_WORDS.search(key):
                assert str(value).startswith("${"), f"{file}: {name}.{key} is written in plain text"


def test_dev_compose_keeps_the_image_environment_under_the_bind_mount(
    bake: Callable[[str], Bake],
) -> None:
    web = compose(bake("default"), "compose.yml")["services"]["web"]
    assert ".:/app" in web["volumes"]
    assert "/app/.venv" in web["volumes"]  # otherwise the host's checkout hides the venv


def test_prod_compose_restarts_and_mounts_no_code(bake: Callable[[str], Bake]) -> None:
    services = compose(bake("default"), "compose.prod.yml")["services"]
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        for volume in service.get("volumes", []):
            assert not volume.startswith((".", "/")), f"{name} bind-mounts {volume}"
    # The image's HEALTHCHECK probes the web server: other processes must bring their own.
    assert "worker_health" in services["worker"]["healthcheck"]["test"][-1]
    assert services["beat"]["healthcheck"] == {"disable": True}


@pytest.mark.parametrize("name", DOCKER_BAKES)
def test_prod_compose_publishes_only_the_proxy_and_tells_the_app_about_it(
    bake: Callable[[str], Bake], name: str
) -> None:
    # A published app port lets a client skip the proxy and write its own X-Forwarded-For and
    # X-Forwarded-Proto, which the app believes because of the settings below.
    project = bake(name)
    prod = compose(project, "compose.prod.yml")
    services = prod["services"]
    assert {name for name, service in services.items() if "ports" in service} == {"proxy"}
    assert set(services["proxy"]["ports"]) == {"80:80", "443:443", "443:443/udp"}
    assert services["web"]["expose"] == ["8000"]
    [config] = services["proxy"]["configs"]
    assert config["target"] == "/etc/caddy/Caddyfile"
    assert prod["configs"][config["source"]]["file"] == "./docker/Caddyfile"
    # The Caddyfile's default upstream is the port web exposes.
    caddyfile = (project.path / "docker/Caddyfile").read_text()
    assert "reverse_proxy {$UPSTREAM:web:8000}" in caddyfile
    # No `trusted_proxies`: Caddy then drops a client's X-Forwarded-* instead of extending them.
    assert not re.search(r"^\s*trusted_proxies", caddyfile, re.MULTILINE)
    # The four proxy settings, together and alike for every process of the app.
    for service in ("web", "worker", "beat"):
        if service not in services:
            continue
        environment = services[service]["environment"]
        assert environment["TRUSTED_PROXY_COUNT"] == "1", service
        assert environment["SECURE_PROXY_SSL_HEADER"] == "true", service
        assert environment["ALLOWED_HOSTS"].startswith("${DOMAIN:?"), service
        assert environment["CSRF_TRUSTED_ORIGINS"] == "https://${DOMAIN}", service
    assert services["proxy"]["environment"]["DOMAIN"].startswith("${DOMAIN:?")


def test_compose_without_celery_has_no_worker(bake: Callable[[str], Bake]) -> None:
    assert "worker" not in compose(bake("rest-only"), "compose.yml")["services"]


# --- the image, mirrored ------------------------------------------------------------------------


def dockerignore_patterns(root: Path) -> list[tuple[bool, re.Pattern[str]]]:
    """(negated, regex) per line of .dockerignore, in Docker's syntax (`*`, `?`, `**`, `!`)."""
    patterns = []
    for line in (root / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        glob = line.removeprefix("!").strip("/")
        regex = ""
        i = 0
        while i < len(glob):
            if glob.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif glob.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif glob[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif glob[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(glob[i]), i + 1
        patterns.append((negated, re.compile(regex)))
    return patterns


def build_context(root: Path) -> list[Path]:
    """The files `COPY . /app` takes: a path is out if it or a parent matches (last match wins)."""
    patterns = dockerignore_patterns(root)

    def ignored(rel: str) -> bool:
        parts = rel.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            verdict = None
            for negated, pattern in patterns:
                if pattern.fullmatch(prefix):
                    verdict = not negated
            if verdict:
                return True
        return False

    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not ignored(path.relative_to(root).as_posix())
    ]


def instruction(dockerfile: str, name: str) -> list[str]:
    """The last exec-form `name` instruction (the runtime stage is the last one)."""
    lines = [line for line in dockerfile.splitlines() if line.startswith(f"{name} [")]
    return list(json.loads(lines[-1].removeprefix(name).strip()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return int(response.status)


def wait_until_live(
    base: str, *, running: Callable[[], bool], log: Callable[[], str], seconds: int
) -> None:
    """Poll /health/live/ until it answers 200; fail with the server's log if it never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            assert get(f"{base}/health/live/") == 200
            return
        except OSError:
            if not running() or time.monotonic() > deadline:
                pytest.fail(log()[-3000:])
            time.sleep(0.5)


@pytest.mark.slow
@pytest.mark.xdist_group("default")
def test_the_image_runs_when_mirrored_without_docker(
    installed: Callable[[str], Bake], tmp_path: Path
) -> None:
    project = installed("default")
    dockerfile = (project.path / "Dockerfile").read_text()
    builder_sync = "uv sync --locked --no-dev"
    assert re.search(rf"^\s+{builder_sync}$", dockerfile, re.MULTILINE), "builder command moved"

    app = tmp_path / "app"
    for path in build_context(project.path):
        target = app / path.relative_to(project.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for secret in (".env", ".venv", "db.sqlite3", ".git"):
        assert not (app / secret).exists(), f"{secret} would be copied into the image"

    env = project.env(
        UV_PROJECT_ENVIRONMENT=str(app / ".venv"), UV_COMPILE_BYTECODE="1", UV_LINK_MODE="copy"
    )
    run([UV, *builder_sync.removeprefix("uv ").split()], app, env)
    venv_bin = app / ".venv" / "bin"
    production = {
        k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "VIRTUAL_ENV"))
    } | {
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_READ_ENV_FILE": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "api.example.com",  # probes by IP must pass a real host list
        "DATABASE_URL": f"{POSTGRES}/nexus_image",
        "REDIS_URL": f"{REDIS}/14",
    }
    # The builder's collectstatic, then the runtime: entrypoint (minus tini) and command.
    run([str(venv_bin / "python"), "manage.py", "collectstatic", "--no-input"], app, production)
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "nexus_image"],
        capture_output=True,
        check=False,  # already there from an earlier run
    )
    entrypoint = instruction(dockerfile, "ENTRYPOINT")
    assert entrypoint[:2] == ["tini", "--"]
    command = [entrypoint[2].replace("/app/", f"{app}/"), *instruction(dockerfile, "CMD")]
    port, metrics_port = free_port(), free_port()
    # The image keeps its metrics samples under /tmp (its one writable path in the manifests);
    # here, a folder of this test's own, and the metrics port on loopback.
    assert re.search(r"^\s+PROMETHEUS_MULTIPROC_DIR=/tmp/\S+( \\)?$", dockerfile, re.MULTILINE)
    metrics = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": str(metrics_port),
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        command,
        cwd=app,
        env=production | metrics | {"RUN_MIGRATIONS": "1", "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_live(
            f"http://127.0.0.1:{port}",
            running=lambda: server.poll() is None,
            log=(tmp_path / "server.log").read_text,
            seconds=90,
        )
        assert get(f"http://127.0.0.1:{port}/health/ready/") == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as m:
            assert 'route="health:ready"' in m.read().decode()  # the master serves the workers'
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0  # a graceful stop
        log.close()


@pytest.mark.slow
def test_docker_build_and_health_when_an_engine_is_present(bake: Callable[[str], Bake]) -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True).returncode != 0:
        pytest.skip("no Docker engine here; the template's GitHub workflow runs this test")
    project = bake("default")
    run([UV, "lock"], project.path, project.env())
    tag = f"nexus-test:{secrets.token_hex(4)}"
    run([docker, "build", "--tag", tag, "."], project.path, timeout=1800)
    port = free_port()
    settings = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "api.example.com",  # probes by IP must pass a real host list
        "DATABASE_URL": "sqlite:////tmp/health.sqlite3",  # liveness needs no database
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    flags = [arg for key, value in settings.items() for arg in ("--env", f"{key}={value}")]
    container = run(
        [docker, "run", "--detach", "--publish", f"127.0.0.1:{port}:8000", *flags, tag],
        project.path,
    ).stdout.strip()
    try:
        wait_until_live(
            f"http://127.0.0.1:{port}",
            running=lambda: True,
            log=lambda: run([docker, "logs", container], project.path).stdout,
            seconds=60,
        )
        user = run([docker, "exec", container, "id", "-u"], project.path).stdout.strip()
        assert user == "10001"  # not root
    finally:
        subprocess.run([docker, "rm", "--force", container], capture_output=True, check=False)

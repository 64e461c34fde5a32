"""Other processes in tests: fresh interpreters, servers and workers, and calls to them.

A fresh interpreter runs under given settings (exactly how a server loads them); servers and
workers start on the test database and the real Redis.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def inherited_env() -> dict[str, str]:
    """This process's environment, for a process a test starts.

    Under pytest-xdist REDIS_URL names this test process's own Redis database (as the test
    settings chose it), and PYTEST_XDIST_WORKER is left out, so the child does not move it again.
    PYTEST_VERSION is left out too: the child is not pytest's process, and the test settings
    leave its telemetry variables as the test sets them.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTEST_XDIST_WORKER", "PYTEST_VERSION"}
    }
    if "REDIS_URL" in env and settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    return env


def run_with_settings(
    code: str, *, settings_module: str, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Variables set to None are removed; the project's .env file is not read."""
    full_env = inherited_env()
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    full_env |= {"DJANGO_SETTINGS_MODULE": settings_module, "DJANGO_READ_ENV_FILE": "false"}
    return run_in_project(["-c", code], env=full_env)


def run_in_project(
    args: Sequence[str], *, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Our own interpreter with `args` in the project's folder, with exactly `env`.

    `args`: `-c code`, `manage.py ...`, `-m gunicorn ...`. Output captured as text; a minute at
    most.
    """
    return subprocess.run(  # noqa: S603 - our own interpreter, arguments from the test itself
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# What production settings need to load, and no more: no service is reached at start-up.
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver",  # Django's test client's host
    "DATABASE_URL": "sqlite:///:memory:",
    "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens: what needs Redis fails open at once
}


def run_in_production(code: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter under production settings: PRODUCTION_ENV, then `env`."""
    return run_with_settings(
        code, settings_module="config.settings.production", env=PRODUCTION_ENV | env
    )


@dataclass(frozen=True)
class Answer:
    """A server's answer to http_call: its status, its JSON body (None if empty), its headers."""

    status: int
    body: Any
    headers: Message


def http_call(
    url: str,
    body: object = None,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    """GET `url`, or POST `body`, to a server a test started.

    `body` is encoded as JSON; bytes are sent as they are. Every status is an answer: urllib raises
    HTTPError for a 4xx or 5xx, read alike.
    """
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw, status, answer_headers = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, answer_headers = error.read(), error.code, error.headers
    return Answer(int(status), json.loads(raw) if raw else None, answer_headers)


def skip_without_services() -> None:
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs the real PostgreSQL and Redis (set DATABASE_URL and REDIS_URL)")


def server_env(**overrides: str) -> dict[str, str]:
    """Environment for a server or worker subprocess on the test database and the real Redis.

    Not under coverage: its subprocess patch and forked workers (gunicorn's{% if cookiecutter.use_celery == "y" %}, Celery's pool{% endif %}) hang
    together. The project's .env file is not read.
    """
    database_url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format_map(
        connection.settings_dict
    )
    return (
        {k: v for k, v in inherited_env().items() if not k.startswith("COVERAGE_")}
        | {
            "DJANGO_READ_ENV_FILE": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": str(settings.REDIS_URL),
        }
        | overrides
    )


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_gunicorn(log: Path, *, workers: int = 3, **settings_env: str) -> Iterator[str]:
    """Gunicorn with production settings on the test database and the real Redis; yields its URL.

    Its workers are separate processes: what they share (database rows, Redis counters) is what
    a test through it proves. `settings_env` adds or overrides environment variables.
    """
    skip_without_services()
    port = free_port()
    env = server_env(
        **{
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "ERROR",
            # Under --config config/gunicorn.py the master serves metrics: on loopback, and on a
            # port of this server's own (tests and replicas run side by side).
            "METRICS_HOST": "127.0.0.1",
            "METRICS_PORT": str(free_port()),
        }
        | settings_env
    )
    with log.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed command
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # Each worker imports Django on its own: on two busy cores that takes seconds apiece.
            deadline = time.monotonic() + 30 + 10 * workers
            while True:
                try:
                    urllib.request.urlopen(f"{base}/health/live/", timeout=2)  # noqa: S310
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)

"""Replicas behind a load balancer on loopback: gunicorn N times, and the real HAProxy before them.

What the Kubernetes manifests run, on one machine: several web replicas of one image (here, one
bake) on the one PostgreSQL and Redis, behind a proxy that spreads requests round robin and
answers for the cluster's ingress. HAProxy names the replica that served each answer (the
X-Replica header), so a test can show that every replica took part.
"""

import csv
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import (
    TEST_PASSWORD,
    UserFactory,
)

from tests.support.fresh_process import Answer, free_port, running_gunicorn, wait_for

REPLICA_HEADER = "X-Replica"

# The deployment's settings, as the manifests set them: one secret for every replica (tokens
# signed by one are checked by the others), one trusted hop, HTTPS said by the proxy.
DEPLOYMENT = {
    "GUNICORN_CMD_ARGS": "--config config/gunicorn.py",  # graceful_timeout among them
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "TRUSTED_PROXY_COUNT": "1",
    "SECURE_PROXY_SSL_HEADER": "true",
    "SECURE_SSL_REDIRECT": "true",
}

CONFIG = """\
global
    maxconn 1000
    stats socket ipv4@127.0.0.1:{admin_port} level admin
    # Every request, with the server and HAProxy's termination state, in haproxy.log.
    log stdout format raw daemon

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A replica that refuses the connection (stopped, crashed) is skipped: the request goes to
    # another (redispatch), as an ingress moves on from a pod that has gone. Only a refused
    # connection is retried: a request a replica may have started is never sent twice.
    retries 3
    option redispatch 1
    # Readiness, as the kubelet asks for it: a replica that fails it gets no requests.
    option httpchk
    http-check send meth GET uri /health/ready/
    http-check expect status 200
    default-server check inter 500ms fall 2 rise 1

frontend ingress
    bind 127.0.0.1:{port}
    # An ingress that terminates TLS: it replaces what the client claims, never appends to it.
    http-request set-header X-Forwarded-For %[src]
    http-request set-header X-Forwarded-Proto https
    default_backend replicas

backend replicas
    balance roundrobin
    http-response set-header {header} %[srv_name]
{servers}
"""


@dataclass(frozen=True)
class Balancer:
    """HAProxy on loopback, with its servers (`replicas`) named r1, r2, ... as they were given."""

    port: int
    admin_port: int
    replicas: tuple[str, ...]

    def call(
        self,
        path: str,
        body: object = None,
        *,
        client_ip: str = "127.0.0.1",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """GET `path`, or POST `body` as JSON, from `client_ip` (any 127.x.y.z address).

        HAProxy forwards the client's address: distinct addresses are distinct clients to the app.
        """
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(client_ip, 0)
        )
        data = None if body is None else json.dumps(body).encode()
        method, sent = "GET" if data is None else "POST", {"Content-Type": "application/json"}
        try:
            connection.request(method, path, data, sent | dict(headers or {}))
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        # HAProxy's own answers (a 502, a 503) are HTML: kept as text, for the assertion to show.
        is_json = response.headers.get_content_type() == "application/json"
        body = json.loads(raw) if raw and is_json else raw.decode(errors="replace") or None
        return Answer(response.status, body, response.headers)

    def admin(self, command: str) -> str:
        """A command to HAProxy's runtime API (`show stat`, `set server ...`); its reply."""
        with socket.create_connection(("127.0.0.1", self.admin_port), timeout=5) as admin:
            admin.sendall(command.encode() + b"\n")
            with admin.makefile("rb") as reply:  # until HAProxy hangs up, after one command
                return reply.read().decode()

    def stats(self, field: str) -> dict[str, str]:
        """One column of `show stat` for each replica: `status` (UP, DOWN, MAINT), `scur`..."""
        rows = csv.DictReader(self.admin("show stat").removeprefix("# ").splitlines())
        return {row["svname"]: row[field] for row in rows if row["svname"] in self.replicas}


def served_by(answer: Answer) -> str:
    """The replica that answered; "haproxy" for the balancer's own answers (a 502, a 503)."""
    return str(answer.headers.get(REPLICA_HEADER, "haproxy"))


def replica_user() -> User:
    """A signed-up user whose password the replicas can check (they take no MD5, test.py's)."""
    user: User = UserFactory.create()
    user.password = make_password(TEST_PASSWORD, hasher=Argon2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def log_in(balancer: Balancer, user: User, *, client_ip: str) -> Answer:
    """A password login through the balancer: the answer holds the token pair."""
    credentials = {"email": user.email, "password": TEST_PASSWORD}
    return balancer.call("/api/v1/auth/token/", credentials, client_ip=client_ip)


def require_haproxy() -> str:
    """The haproxy binary; skips without it, or without a loopback range to be many clients in."""
    # /usr/sbin: where Debian puts it, outside a user's PATH.
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if haproxy is None:
        pytest.skip("needs the haproxy binary (Debian and Ubuntu: apt-get install haproxy)")
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.1.1", 0))
    except OSError:
        pytest.skip("needs all of 127.0.0.0/8 on loopback (as on Linux) to be many clients")
    return haproxy


@dataclass(frozen=True)
class Replica:
    address: str  # host:port
    log: Path  # gunicorn's output; its master's pid is in the same path + ".pid"

    def terminate(self) -> None:
        """SIGTERM to gunicorn's master, as Kubernetes stops a pod."""
        os.kill(int(Path(f"{self.log}.pid").read_text()), signal.SIGTERM)


@contextmanager
def running_haproxy(work_dir: Path, replicas: list[Replica]) -> Iterator[Balancer]:
    """HAProxy round robin over `replicas`, once it sees every one of them ready."""
    haproxy = require_haproxy()
    names = tuple(f"r{number}" for number in range(1, len(replicas) + 1))
    port, admin_port = free_port(), free_port()
    config = work_dir / "haproxy.cfg"
    config.write_text(
        CONFIG.format(
            port=port,
            admin_port=admin_port,
            header=REPLICA_HEADER,
            servers="\n".join(
                f"    server {name} {replica.address}"
                for name, replica in zip(names, replicas, strict=True)
            ),
        )
    )
    log = work_dir / "haproxy.log"
    with log.open("wb") as log_file:
        # -db: in the foreground, a child of the test that stops it.
        server = subprocess.Popen(  # noqa: S603 - the haproxy binary and a fixed command
            [haproxy, "-db", "-f", str(config)], stdout=log_file, stderr=subprocess.STDOUT
        )
    balancer = Balancer(port, admin_port, names)
    try:

        def all_up() -> bool:
            if server.poll() is not None:
                pytest.fail(f"haproxy exited: {log.read_text()[-2000:]}")
            try:
                return set(balancer.stats("status").values()) == {"UP"}
            except OSError:
                return False

        wait_for(all_up, "haproxy to see every replica ready", timeout=20)
        yield balancer
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def running_replicas(log_dir: Path, count: int, **settings_env: str) -> Iterator[list[Replica]]:
    """`count` gunicorn replicas of this project with DEPLOYMENT's settings.

    Each is running_gunicorn's server (production settings, the test database, this test
    process's Redis database), so they share only what a cluster's replicas share. Each serves
    from one process: the replicas are the separate processes here (within one server,
    users/tests/test_login_under_load.py shows the same). They start side by side: most of a
    start is importing Django, once per process.
    """
    env = DEPLOYMENT | settings_env
    args = env["GUNICORN_CMD_ARGS"]
    logs = [log_dir / f"r{number}.log" for number in range(1, count + 1)]
    servers = [
        running_gunicorn(log, workers=1, **(env | {"GUNICORN_CMD_ARGS": f"{args} --pid {log}.pid"}))
        for log in logs
    ]
    with ThreadPoolExecutor(count) as pool:
        starts = [pool.submit(server.__enter__) for server in servers]
        wait(starts)
        try:
            yield [
                Replica(start.result().removeprefix("http://"), log)
                for start, log in zip(starts, logs, strict=True)
            ]
        finally:
            # Each that started is stopped, whatever became of the others; side by side too.
            started = [servers[n] for n, start in enumerate(starts) if not start.exception()]
            list(pool.map(lambda server: server.__exit__(None, None, None), started))

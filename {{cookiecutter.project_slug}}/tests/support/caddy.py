"""The shipped reverse proxy on loopback: the real Caddy running docker/Caddyfile, for the tests.

running_caddy starts it in front of any upstream (gunicorn, or header_echo, which answers with the
headers it received); Proxy sends it requests over HTTPS, trusting only Caddy's own local CA.
"""

import http.client
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.fresh_process import PROJECT_ROOT, free_port, wait_for

CADDYFILE = PROJECT_ROOT / "docker" / "Caddyfile"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Proxy:
    """Caddy on loopback, serving `localhost` with a certificate from its own CA."""

    http_port: int
    https_port: int
    tls: ssl.SSLContext

    def request(
        self,
        path: str,
        *,
        https: bool = True,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | Iterable[bytes] | None = None,
    ) -> Response:
        """One request, redirects not followed: a redirect is an answer to check.

        An iterable body without a Content-Length header is sent chunked.
        """
        connection = (
            http.client.HTTPSConnection("localhost", self.https_port, context=self.tls, timeout=10)
            if https
            else http.client.HTTPConnection("localhost", self.http_port, timeout=10)
        )
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    @contextmanager
    def quiet_request(self, head: bytes) -> Iterator[ssl.SSLSocket]:
        """A TLS connection that has sent `head`, the start of a request, and then sends nothing."""
        with (
            socket.create_connection(("localhost", self.https_port), timeout=10) as raw,
            self.tls.wrap_socket(raw, server_hostname="localhost") as connection,
        ):
            connection.sendall(head)
            yield connection


def caddy_binary() -> str:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("needs the caddy binary (Debian and Ubuntu: apt-get install caddy)")
    return caddy


def request_buffers_snippet(caddy: str) -> str:
    """The Caddyfile's snippet for this Caddy's version.

    `request_buffers` arrived in 2.6.4 (Debian 12 has 2.6.2), and the names before it went in 2.8.
    """
    version = subprocess.run(  # noqa: S603 - the caddy binary and a fixed command
        [caddy, "version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.match(r"v?(\d+)\.(\d+)\.(\d+)", version)
    assert found, version
    numbers = tuple(int(number) for number in found.groups())
    return "request_buffers" if numbers >= (2, 6, 4) else "request_buffers_before_2_6_4"


@contextmanager
def running_caddy(tmp_path: Path, upstream: str, **settings_env: str) -> Iterator[Proxy]:
    """`caddy run` on the shipped Caddyfile; its certificates and state stay under tmp_path.

    `settings_env` adds or overrides the Caddyfile's environment variables.
    """
    caddy = caddy_binary()
    state = tmp_path / "caddy"
    http_port, https_port = free_port(), free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(state),
        "XDG_DATA_HOME": str(state / "data"),
        "XDG_CONFIG_HOME": str(state / "config"),
        "DOMAIN": "localhost",
        "UPSTREAM": upstream,
        "CADDY_BIND": "127.0.0.1",
        "CADDY_HTTP_PORT": str(http_port),
        "CADDY_HTTPS_PORT": str(https_port),
        "CADDY_ADMIN": "off",
        "CADDY_REQUEST_BUFFERS": request_buffers_snippet(caddy),
    } | settings_env
    log = tmp_path / "caddy.log"
    root_certificate = state / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    with log.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603 - the caddy binary and a fixed command
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:

            def serving_https() -> bool:
                if server.poll() is not None:
                    pytest.fail(f"caddy exited: {log.read_text()[-2000:]}")
                if not root_certificate.exists():
                    return False
                proxy = Proxy(
                    http_port, https_port, ssl.create_default_context(cafile=root_certificate)
                )
                try:
                    proxy.request("/health/live/")
                except (OSError, ssl.SSLError):
                    return False
                return True

            wait_for(serving_https, "caddy to serve HTTPS", timeout=20)
            yield Proxy(http_port, https_port, ssl.create_default_context(cafile=root_certificate))
        finally:
            server.terminate()
            server.wait(timeout=10)


class HeaderEcho(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the request headers it received, as JSON."""

    def do_GET(self) -> None:
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the answers."""


@contextmanager
def header_echo() -> Iterator[str]:
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), HeaderEcho) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join(timeout=5)

"""The shipped reverse proxy: the real Caddy, running docker/Caddyfile, in front of gunicorn.

compose.prod.yml publishes only Caddy and tells the app to trust exactly that one hop
(TRUSTED_PROXY_COUNT=1) and its X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER=true). Here the same
file runs on loopback ports in front of gunicorn under production settings and the shipped
config/gunicorn.py, and the pieces are shown to agree: a client chooses neither its address nor
its scheme, and HTTPS is served without a redirect loop. gunicorn's sync workers read one
request each, so the proxy must also keep slow clients away from them.
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
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.fresh_process import PROJECT_ROOT, free_port, running_gunicorn, wait_for

# Slow: starts gunicorn and Caddy. django_db: the servers need the test database to exist.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CADDYFILE = PROJECT_ROOT / "docker" / "Caddyfile"
LOGIN_BUDGET = 5  # RATELIMIT_LOGIN_IP for these tests: small, so the limit is reached quickly
WORKERS = 2  # gunicorn's, as WEB_CONCURRENCY's default
GUNICORN_TIMEOUT = 5  # seconds; short, so a worker held by a slow client is killed within a test


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
    """The Caddyfile's snippet for this Caddy: `request_buffers` arrived in 2.6.4 (Debian 12 has
    2.6.2), and the names before it went in 2.8."""
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


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's stack writes its logs here (gunicorn.log, caddy.log)."""
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="module")
def site(django_db_setup: None, site_dir: Path) -> Iterator[Proxy]:
    """Caddy in front of gunicorn, with the proxy settings compose.prod.yml gives the app.

    One stack for the module (starting gunicorn is most of the time): the servers read only the
    test database and Redis, which every test starts with empty (conftest.py).
    """
    caddy_binary()  # skip before starting gunicorn for nothing
    with (
        running_gunicorn(
            site_dir / "gunicorn.log",
            workers=WORKERS,
            # The shipped gunicorn settings (forwarded_allow_ips among them); --bind and
            # --workers on the command line still win.
            GUNICORN_CMD_ARGS="--config config/gunicorn.py",
            GUNICORN_TIMEOUT=str(GUNICORN_TIMEOUT),
            ALLOWED_HOSTS="localhost,127.0.0.1",  # 127.0.0.1: the helper's own start-up probe
            CSRF_TRUSTED_ORIGINS="https://localhost",
            TRUSTED_PROXY_COUNT="1",
            SECURE_PROXY_SSL_HEADER="true",
            SECURE_SSL_REDIRECT="true",
            RATELIMIT_LOGIN_IP=f"{LOGIN_BUDGET}/d",  # per day: no window rolls over mid-test
            RATELIMIT_LOGIN_EMAIL="1000/d",
            THROTTLE_ANON_RATE="1000/m",
{%- if cookiecutter.use_celery == "y" %}
            CELERY_BROKER_URL="memory://",
{%- endif %}
        ) as url,
        running_caddy(site_dir, upstream=urlsplit(url).netloc) as proxy,
    ):
        yield proxy


def test_a_forged_x_forwarded_for_does_not_escape_the_login_limit(site: Proxy) -> None:
    statuses = []
    for attempt in range(LOGIN_BUDGET + 2):
        # Another claimed address and another account every time: only the real address is shared.
        body = json.dumps({"email": f"guess{attempt}@example.com", "password": "wrong"})
        response = site.request(
            "/api/v1/auth/token/",
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Forwarded-For": f"203.0.113.{attempt + 1}",
            },
            body=body.encode(),
        )
        statuses.append(response.status)
    assert statuses == [401] * LOGIN_BUDGET + [429, 429]


def test_https_through_the_proxy_is_served_without_a_redirect(site: Proxy) -> None:
    response = site.request("/api/v1/")
    assert response.status == 200
    # SecurityMiddleware sends HSTS only on a request it believes came over HTTPS.
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_plain_http_is_redirected_to_https_once_even_claiming_https(site: Proxy) -> None:
    # A client on port 80 claims the proxy already did TLS: it must still be sent to HTTPS.
    response = site.request("/api/v1/?page=2", https=False, headers={"X-Forwarded-Proto": "https"})
    assert response.status in {301, 308}
    assert "Strict-Transport-Security" not in response.headers
    target = urlsplit(response.headers["Location"])
    # Caddy names the public port (443) in the redirect; the test's HTTPS port stands in for it.
    assert (target.scheme, target.hostname, target.path, target.query) == (
        "https",
        "localhost",
        "/api/v1/",
        "page=2",
    )
    assert site.request(f"{target.path}?{target.query}").status == 200  # once: no second redirect


# A login whose body promises 100,000 bytes and sends 9: a sync worker reading it waits for the rest.
SLOW_BODY = (
    b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: localhost\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    b'{"email":'
)


def test_slow_request_bodies_do_not_hold_gunicorns_workers(site: Proxy, site_dir: Path) -> None:
    # More trickling clients than gunicorn has workers, held past its worker timeout. Were their
    # bodies streamed to gunicorn, every worker would wait on one until killed (WORKER TIMEOUT)
    # and everyone else would wait with them; Caddy buffers the bodies instead.
    gunicorn_log = site_dir / "gunicorn.log"
    logged_before = gunicorn_log.stat().st_size
    with ExitStack() as held:
        for _ in range(WORKERS + 1):
            held.enter_context(site.quiet_request(SLOW_BODY))
        until = time.monotonic() + GUNICORN_TIMEOUT + 1
        while True:
            for path in ("/api/v1/", "/health/live/"):
                started = time.monotonic()
                assert site.request(path).status == 200
                # Generous: a held worker would answer only after gunicorn's timeout killed it.
                assert time.monotonic() - started < 2, path
            if time.monotonic() > until:
                break
            time.sleep(0.5)
    assert b"WORKER TIMEOUT" not in gunicorn_log.read_bytes()[logged_before:]


def test_a_body_without_a_content_length_is_refused_not_dropped(site: Proxy) -> None:
    # Django under WSGI reads a body only as far as its Content-Length: a chunked login would
    # reach the view as empty and be answered "email: This field is required.", a silent drop.
    body = json.dumps({"email": "nobody@example.com", "password": "wrong"}).encode()
    headers = {"Content-Type": "application/json"}
    chunked = site.request("/api/v1/auth/token/", method="POST", headers=headers, body=iter([body]))
    assert chunked.status == 411
    assert json.loads(chunked.body) == {
        "detail": "The request body needs a Content-Length.",
        "code": "length_required",
    }
    # The same body with its length reaches the app whole: wrong credentials, not missing fields.
    whole = site.request("/api/v1/auth/token/", method="POST", headers=headers, body=body)
    assert whole.status == 401


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


def test_the_proxy_replaces_the_forwarded_headers_a_client_sends(tmp_path: Path) -> None:
    # Replaced, not appended to: the app sees exactly one address, the one Caddy saw, so even a
    # TRUSTED_PROXY_COUNT set too high cannot reach a forged entry.
    forged = {"X-Forwarded-For": "203.0.113.7, 198.51.100.9", "X-Forwarded-Proto": "http"}
    with header_echo() as upstream, running_caddy(tmp_path, upstream) as proxy:
        received = json.loads(proxy.request("/", headers=forged).body)
    assert received["X-Forwarded-For"] == "127.0.0.1"
    assert received["X-Forwarded-Proto"] == "https"


def test_the_proxy_cuts_off_a_client_that_trickles_its_headers(tmp_path: Path) -> None:
    # Headers are never forwarded before they are whole; read_header ends a slowloris at Caddy.
    # (A stalled body is dropped at read_body and never forwarded, but Caddy 2.11 then keeps the
    # connection open quietly while 2.6 closes it: that part is not asserted here.)
    with (
        header_echo() as upstream,
        running_caddy(tmp_path, upstream, CADDY_READ_HEADER_TIMEOUT="1s") as proxy,
        proxy.quiet_request(b"GET / HTTP/1.1\r\nHost: localhost\r\n") as slow_headers,
    ):
        started = time.monotonic()
        try:
            while slow_headers.recv(4096):  # whatever Caddy answers, until it hangs up
                pass
        except TimeoutError:
            pytest.fail("the proxy kept a silent client's connection open")
        except OSError:
            pass  # reset, or closed without TLS close_notify: cut off all the same
        assert time.monotonic() - started < 6

"""The shipped reverse proxy: the real Caddy, running docker/Caddyfile, in front of gunicorn.

compose.prod.yml publishes only Caddy and tells the app to trust exactly that one hop
(TRUSTED_PROXY_COUNT=1) and its X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER=true). Here the same
file runs on loopback ports in front of gunicorn under production settings and the shipped
config/gunicorn.py, and the pieces are shown to agree: a client chooses neither its address nor
its scheme, and HTTPS is served without a redirect loop. gunicorn's sync workers read one
request each, so the proxy must also keep slow clients away from them.
"""

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.caddy import Proxy, caddy_binary, header_echo, running_caddy
from tests.support.fresh_process import running_gunicorn

# Slow: starts gunicorn and Caddy. django_db: the servers need the test database to exist.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

LOGIN_BUDGET = 5  # RATELIMIT_LOGIN_IP for these tests: small, so the limit is reached quickly
WORKERS = 2  # gunicorn's, as WEB_CONCURRENCY's default
GUNICORN_TIMEOUT = 5  # seconds; short, so a worker held by a slow client is killed within a test


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

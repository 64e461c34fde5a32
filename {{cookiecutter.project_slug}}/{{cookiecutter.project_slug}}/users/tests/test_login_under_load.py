"""50 concurrent logins from one IP against gunicorn with 3 workers, on the real Redis.

The workers are separate processes, so only a shared counter (Redis) can hold the budget: exactly
the configured number of attempts reach the password check, every other one is a 429.
"""

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest

from ...core.tests.fresh_process import PROJECT_ROOT, server_env, skip_without_services

ATTEMPTS = 50
BUDGET = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn(db: None, tmp_path: Path) -> Iterator[str]:
    skip_without_services()
    port = free_port()
    env = server_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        RATELIMIT_LOGIN_EMAIL=f"{BUDGET}/d",  # per day: no window rolls over mid-test
        RATELIMIT_LOGIN_IP="1000/d",
        THROTTLE_ANON_RATE="1000/m",
        LOG_LEVEL="ERROR",
    )
    log = tmp_path / "gunicorn.log"
    log_file = log.open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed command
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "3",
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
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/health/live/", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()


def test_concurrent_logins_from_one_ip_get_exactly_the_budget_through(gunicorn: str) -> None:
    body = json.dumps({"email": "victim@example.com", "password": "guess"}).encode()
    start = Barrier(ATTEMPTS)

    def attempt(_: int) -> tuple[int, str | None]:
        request = urllib.request.Request(  # noqa: S310 - loopback http only
            f"{gunicorn}/api/v1/auth/token/",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status), None
        except urllib.error.HTTPError as error:
            return int(error.code), error.headers.get("Retry-After")

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))
    assert Counter(status for status, _ in results) == {401: BUDGET, 429: ATTEMPTS - BUDGET}
    assert all(int(wait or 0) >= 1 for status, wait in results if status == 429)

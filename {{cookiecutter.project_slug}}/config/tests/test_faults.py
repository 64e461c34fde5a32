"""PostgreSQL or Redis goes away under a running server, then comes back.

gunicorn (production settings) reaches both through TCP proxies the test cuts and restores. While a
service is gone, readiness says which one (503) and the API answers clear JSON, never a hang or an
HTML 500; when it returns, the same server recovers without a restart.
"""

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.support.fresh_process import (
    http_call,
    run_in_production,
    running_gunicorn,
    skip_without_services,
    wait_for,
)
from tests.support.tcp_proxy import TcpProxy, tcp_proxy

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = {"email": "nobody@example.com", "password": "wrong"}


@dataclass
class Stack:
    url: str
    database: TcpProxy
    redis: TcpProxy


# A request into a cut connection must fail the probe soon, not hang the test.
call = partial(http_call, timeout=10)


def eventually(url: str, expected: int) -> dict[str, Any]:
    """The status a probe reaches within seconds (connections notice a cut on their next use)."""
    last: dict[str, Any] = {}

    def reached() -> bool:
        answer = call(url)
        last["body"] = answer.body
        return answer.status == expected

    wait_for(reached, f"{url} to answer {expected}", timeout=20)
    return dict(last["body"])


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    skip_without_services()
    db = connection.settings_dict
    cache = urlsplit(str(settings.REDIS_URL))
    with (
        tcp_proxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as database,
        tcp_proxy(cache.hostname or "127.0.0.1", cache.port or 6379) as redis,
    ):
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{database.port}/{db['NAME']}"
        )
        with running_gunicorn(
            tmp_path / "gunicorn.log",
            workers=1,
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{redis.port}{cache.path}",
{%- if cookiecutter.use_celery == "y" %}
            CELERY_BROKER_URL="memory://",
{%- endif %}
        ) as url:
            yield Stack(url, database, redis)


def test_a_database_outage_is_a_clear_503_and_the_server_recovers(stack: Stack) -> None:
    assert call(f"{stack.url}/health/ready/").status == 200
    stack.database.cut()
    body = eventually(f"{stack.url}/health/ready/", 503)
    assert body["checks"]["database"] != "ok"
    assert body["checks"]["cache"] == "ok"
    error = call(f"{stack.url}/api/v1/auth/token/", LOGIN)
    assert (error.status, error.body["code"]) == (503, "unavailable")

    stack.database.restore()
    eventually(f"{stack.url}/health/ready/", 200)
    assert call(f"{stack.url}/api/v1/auth/token/", LOGIN).status == 401  # the query ran again


def test_a_redis_outage_is_a_clear_503_where_it_must_be_and_the_server_recovers(
    stack: Stack,
) -> None:
    stack.redis.cut()
    body = eventually(f"{stack.url}/health/ready/", 503)
    assert body["checks"]["cache"] != "ok"
    assert body["checks"]["database"] == "ok"
    assert call(f"{stack.url}/api/v1/").status == 200  # throttles and the IP monitor fail open
    error = call(f"{stack.url}/api/v1/auth/token/", LOGIN)
    assert error.status == 503  # login fails closed: no brute force while the counters are gone
    assert error.body

    stack.redis.restore()
    eventually(f"{stack.url}/health/ready/", 200)
    assert call(f"{stack.url}/api/v1/auth/token/", LOGIN).status == 401


READINESS = """
import json
import django
django.setup()
from django.test import Client
response = Client().get("/health/ready/")
print(json.dumps([response.status_code, response.json()]))
"""


def test_services_that_accept_but_never_answer_fail_readiness_instead_of_hanging() -> None:
    # Listening sockets that never accept or reply: a hung server, or packets dropped on the way.
    # Without connect timeouts this probe would wait forever (here: until run_with_settings'
    # 60-second limit fails the test).
    with socket.socket() as database, socket.socket() as redis:
        for silent in (database, redis):
            silent.bind(("127.0.0.1", 0))
            silent.listen()
        result = run_in_production(
            READINESS,
            DATABASE_URL=f"postgres://app:pw@127.0.0.1:{database.getsockname()[1]}/app",
            REDIS_URL=f"redis://127.0.0.1:{redis.getsockname()[1]}/0",
            DB_CONNECT_TIMEOUT="1",
        )
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] != "ok"
    assert body["checks"]["cache"] != "ok"

"""Three web replicas behind a round-robin load balancer share everything a client can see.

The replicas are separate gunicorn servers of this project on the one PostgreSQL and Redis, with
the settings the Kubernetes manifests give them, behind the real HAProxy standing in for the
ingress. Whatever one replica decides (a spent login budget, a ban, a token, a rotation) holds on
every other, and a replica that is stopped takes no request down with it.
"""

import http.client
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from {{ cookiecutter.project_slug }}.ip_tracking.models import BlockedIP
from {{ cookiecutter.project_slug }}.ip_tracking.services import COUNTER_PREFIX
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import TEST_PASSWORD

from tests.support.fresh_process import Answer, http_call, wait_for
from tests.support.haproxy import (
    Balancer,
    Replica,
    log_in,
    replica_user,
    require_haproxy,
    running_haproxy,
    running_replicas,
    served_by,
)

# Slow: starts servers. Transactional: the replicas must see the rows a test writes.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPLICAS = 3
LOGIN_BUDGET = 3  # RATELIMIT_LOGIN_IP: small, so a budget per replica would show at once
FLOOD_THRESHOLD = 12  # IP_MONITOR_THRESHOLD: above any other test's requests from one address
SETTINGS = {
    "RATELIMIT_LOGIN_IP": f"{LOGIN_BUDGET}/d",  # per day: no window rolls over mid-test
    "RATELIMIT_LOGIN_EMAIL": "1000/d",
    "IP_MONITOR_THRESHOLD": str(FLOOD_THRESHOLD),
    "THROTTLE_ANON_RATE": "10000/m",
}


@pytest.fixture(scope="module")
def replicas(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Replica]]:
    """The module's replicas, started once (each test calls from addresses of its own).

    One more than the balancer below has: the one the stopping test stops, started with the
    others as that costs little.
    """
    require_haproxy()  # skip before starting the replicas for nothing
    work_dir = tmp_path_factory.mktemp("replicas")
    with running_replicas(work_dir, REPLICAS + 1, **SETTINGS) as started:
        yield started


@pytest.fixture(scope="module")
def balancer(
    replicas: list[Replica], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Balancer]:
    with running_haproxy(tmp_path_factory.mktemp("haproxy"), replicas[:REPLICAS]) as proxy:
        yield proxy


def test_the_login_budget_holds_for_the_replicas_together(balancer: Balancer) -> None:
    answers = [
        # Another account every time: only the address's budget is shared by the attempts.
        balancer.call(
            "/api/v1/auth/token/",
            {"email": f"guess{attempt}@example.com", "password": "wrong"},
            client_ip="127.0.1.1",
        )
        for attempt in range(2 * LOGIN_BUDGET)
    ]
    # A budget per replica would have let all of them (twice the budget) reach the password check.
    assert [answer.status for answer in answers] == [401] * LOGIN_BUDGET + [429] * LOGIN_BUDGET
    # Round robin: every replica spent from the one budget, and every replica refused past it.
    assert {served_by(answer) for answer in answers[:LOGIN_BUDGET]} == set(balancer.replicas)
    assert {served_by(answer) for answer in answers[LOGIN_BUDGET:]} == set(balancer.replicas)


def test_a_ban_made_by_one_replica_is_enforced_by_all(balancer: Balancer) -> None:
    flooder = "127.0.2.1"
    flood = [balancer.call("/api/v1/", client_ip=flooder) for _ in range(FLOOD_THRESHOLD + 1)]
    assert [answer.status for answer in flood] == [200] * FLOOD_THRESHOLD + [403]
    block = BlockedIP.objects.get(ip=flooder)  # made by the replica that saw the count cross
    assert block.source == BlockedIP.Source.AUTOMATIC
    # Forget the window's counts, as when it ends: from now on only the ban refuses the address.
    cache.delete_pattern(f"{COUNTER_PREFIX}*")  # type: ignore[attr-defined]
    after = [balancer.call("/api/v1/", client_ip=flooder) for _ in range(REPLICAS)]
    assert {served_by(answer) for answer in after} == set(balancer.replicas)
    refusals = [(answer.status, answer.body.get("code")) for answer in after]
    assert refusals == [(403, "ip_blocked")] * REPLICAS
    neighbours = [balancer.call("/api/v1/", client_ip="127.0.2.2") for _ in range(REPLICAS)]
    assert [answer.status for answer in neighbours] == [200] * REPLICAS


def test_a_token_issued_by_one_replica_is_accepted_by_all(balancer: Balancer) -> None:
    user = replica_user()
    client = "127.0.3.1"
    issued = log_in(balancer, user, client_ip=client)
    assert issued.status == 200, issued.body
    bearer = {"Authorization": f"Bearer {issued.body['access']}"}
    uses = [
        balancer.call("/api/v1/users/me/", headers=bearer, client_ip=client)
        for _ in range(REPLICAS)
    ]
    assert {served_by(answer) for answer in uses} == set(balancer.replicas)
    accepted = [(answer.status, answer.body.get("email")) for answer in uses]
    assert accepted == [(200, user.email)] * REPLICAS


def test_a_refresh_token_rotated_by_one_replica_is_refused_by_all(balancer: Balancer) -> None:
    user = replica_user()
    client = "127.0.4.1"
    issued = log_in(balancer, user, client_ip=client)
    old = {"refresh": issued.body["refresh"]}
    rotated = balancer.call("/api/v1/auth/token/refresh/", old, client_ip=client)
    assert rotated.status == 200
    replays = [
        balancer.call("/api/v1/auth/token/refresh/", old, client_ip=client) for _ in range(REPLICAS)
    ]
    assert {served_by(answer) for answer in replays} == set(balancer.replicas)
    assert [answer.status for answer in replays] == [401] * REPLICAS


class Traffic:
    """Clients calling the balancer in a loop, each request from an address of its own."""

    def __init__(self, balancer: Balancer, clients: int = 4) -> None:
        self.balancer = balancer
        self.answers: list[Answer] = []
        self.errors: list[OSError | http.client.HTTPException] = []
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self.run, args=(client,)) for client in range(clients)
        ]

    def run(self, client: int) -> None:
        sent = 0
        while not self.stop.is_set():
            # 127.1x.y.z: far more addresses than requests, so none nears the flood threshold.
            address = f"127.{10 + client}.{sent // 250 % 250}.{sent % 250 + 1}"
            sent += 1
            try:
                self.answers.append(self.balancer.call("/api/v1/", client_ip=address))
            except (OSError, http.client.HTTPException) as error:  # a dropped connection
                self.errors.append(error)

    def served(self, replica: str) -> int:
        return sum(served_by(answer) == replica for answer in list(self.answers))

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def test_a_replica_stopped_as_kubernetes_stops_a_pod_fails_no_request(
    replicas: list[Replica], tmp_path: Path
) -> None:
    """Out of the balancer, then SIGTERM: traffic flows on, and the request it holds completes.

    Kubernetes takes a stopping pod out of its endpoints while its preStop hook waits, and only
    then sends SIGTERM. The wait matters: gunicorn resets the connections still queued on its
    socket when it exits, which a balancer reports as 502 (retries cover refused connections
    only). gunicorn then finishes the requests it is serving, within graceful_timeout.
    """
    user = replica_user()
    # The spare replica is the one stopped (r1 here); the others serve on, for this test only.
    stopped = replicas[REPLICAS]
    with (
        running_haproxy(tmp_path, [stopped, *replicas[:REPLICAS]]) as balancer,
        Traffic(balancer) as traffic,
        ThreadPoolExecutor(1) as client,
    ):
        wait_for(lambda: traffic.served("r1") >= 10, "the replica to serve its share")
        # The endpoint removed, and preStop's wait: until the balancer has nothing in flight there.
        balancer.admin("set server replicas/r1 state maint")
        wait_for(lambda: balancer.stats("scur")["r1"] == "0", "the replica's requests to end")
        with transaction.atomic():
            # A login in flight (sent before the removal, say): its write of last_login waits.
            User.objects.select_for_update().get(pk=user.pk)
            held = client.submit(
                http_call,
                f"http://{stopped.address}/api/v1/auth/token/",
                {"email": user.email, "password": TEST_PASSWORD},
                headers={"X-Forwarded-For": "127.0.5.1", "X-Forwarded-Proto": "https"},
            )
            wait_for(someone_waits_for_a_lock, "the login to wait on the row")
            stopped.terminate()
            wait_for(lambda: "Handling signal: term" in stopped.log.read_text(), "the SIGTERM")
        assert held.result(timeout=30).status == 200  # finished, not cut off
        wait_for(lambda: "Shutting down: Master" in stopped.log.read_text(), "the replica's exit")
        seen = len(traffic.answers)
        wait_for(lambda: len(traffic.answers) >= seen + 50, "traffic to the replicas left")
    assert traffic.errors == []
    failed = [(a.status, served_by(a), a.body) for a in traffic.answers if a.status != 200]
    assert failed == []

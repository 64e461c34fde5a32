"""50 concurrent logins from one IP against gunicorn with 3 workers, on the real Redis.

The workers are separate processes, so only a shared counter (Redis) can hold the budget: exactly
the configured number of attempts reach the password check, every other one is a 429.
"""

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest

from tests.support.fresh_process import http_call, running_gunicorn

ATTEMPTS = 50
BUDGET = 5


@pytest.fixture
def gunicorn(db: None, tmp_path: Path) -> Iterator[str]:
    with running_gunicorn(
        tmp_path / "gunicorn.log",
        RATELIMIT_LOGIN_EMAIL=f"{BUDGET}/d",  # per day: no window rolls over mid-test
        RATELIMIT_LOGIN_IP="1000/d",
        THROTTLE_ANON_RATE="1000/m",
    ) as base:
        yield base


def test_concurrent_logins_from_one_ip_get_exactly_the_budget_through(gunicorn: str) -> None:
    body = {"email": "victim@example.com", "password": "guess"}
    start = Barrier(ATTEMPTS)

    def attempt(_: int) -> tuple[int, str | None]:
        start.wait()
        answer = http_call(f"{gunicorn}/api/v1/auth/token/", body)
        return answer.status, answer.headers.get("Retry-After") if answer.status >= 400 else None

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))
    assert Counter(status for status, _ in results) == {401: BUDGET, 429: ATTEMPTS - BUDGET}
    assert all(int(wait or 0) >= 1 for status, wait in results if status == 429)

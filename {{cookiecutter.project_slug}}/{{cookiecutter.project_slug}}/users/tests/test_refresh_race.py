"""One refresh token presented by many clients at the same moment, through gunicorn.

A stolen refresh token raced against its owner's: simplejwt checks the blacklist when it reads
the token and blacklists it later, so every request that read it before the first blacklisting
got its own new pair. The blacklist row is now the check (users/serializers.py): exactly one
request rotates the token, every other is a 401.
"""

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from tests.support.fresh_process import Answer, http_call, running_gunicorn, skip_without_services

from ..models import User
from .factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 12


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    skip_without_services()
    with running_gunicorn(
        tmp_path / "gunicorn.log",
        workers=4,
        SECRET_KEY=settings.SECRET_KEY,  # the token below is signed with the test settings' key
        RATELIMIT_TOKEN_REFRESH="1000/m",
        THROTTLE_ANON_RATE="1000/m",
    ) as base:
        yield base


def test_one_refresh_token_sent_at_once_by_many_rotates_exactly_once(gunicorn: str) -> None:
    user: User = UserFactory.create()
    token = str(RefreshToken.for_user(user))
    start = Barrier(RACERS)

    url = f"{gunicorn}/api/v1/auth/token/refresh/"

    def race(_: int) -> Answer:
        start.wait()
        return http_call(url, {"refresh": token})

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(race, range(RACERS)))
    assert Counter(answer.status for answer in results) == {200: 1, 401: RACERS - 1}
    assert all(a.body["code"] == "token_not_valid" for a in results if a.status == 401)
    # The winner's new refresh token works, once.
    (winner,) = [answer.body for answer in results if answer.status == 200]
    assert http_call(url, {"refresh": winner["refresh"]}).status == 200

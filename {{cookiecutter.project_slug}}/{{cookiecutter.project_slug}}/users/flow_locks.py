"""One request at a time per login flow: a single-use code is used once, even by racing requests.

allauth keeps a flow's state (the pending code, the stage reached) in the flow's session, loaded
at the start of a request and saved at its end. Two requests with the same session token and the
same code therefore both found the code unused, and both succeeded: two token pairs from one
verification code, two new passwords from one reset code. So every request that acts on a flow
holds a lock named by its session token (in the shared cache) from before its session is loaded
until after it is saved (users/middleware.py); the second one then finds the code used.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.core.cache import cache

from {{ cookiecutter.project_slug }}.core.cache import CACHE_ERRORS

LOCK_SECONDS = 30  # longer than any request may take: a crashed holder frees it after this
WAIT_SECONDS = 10.0  # how long a request waits for the one ahead of it
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class FlowLock:
    key: str
    owner: str

    def release(self) -> None:
        try:
            if cache.get(self.key) == self.owner:  # never free a lock that expired and was retaken
                cache.delete(self.key)
        except CACHE_ERRORS:
            pass  # it expires by itself


def flow_lock_acquire(session_token: str) -> FlowLock | None:
    """Take the lock of the login flow `session_token` names, waiting up to WAIT_SECONDS.

    None if the request ahead of it still holds it then. Raises what the cache raises
    (CACHE_ERRORS) when the lock store is unreachable: the caller fails closed.
    """
    key = "flowlock:" + hashlib.sha256(session_token.encode()).hexdigest()
    owner = secrets.token_hex(8)
    deadline = time.monotonic() + WAIT_SECONDS
    while not cache.add(key, owner, timeout=LOCK_SECONDS):
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)
    return FlowLock(key, owner)

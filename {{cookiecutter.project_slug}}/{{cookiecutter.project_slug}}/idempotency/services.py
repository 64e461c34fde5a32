"""Idempotency keys: a client that retries a write gets the first answer, not a second effect.

The semantics are Stripe's and those of the IETF draft "The Idempotency-Key HTTP Header Field":

- the same key with the same request returns the first answer (status and JSON body), however
  often it is retried;
- the same key with another request (another operation or another body) is a 422;
- keys belong to one user, and expire IDEMPOTENCY_KEY_HOURS after their first use: after that
  the key is new again, and purge_idempotency_keys deletes the row;
- an answer is stored only when the operation succeeded (below 400). A refused request (a 4xx)
  changed nothing, so the client may retry with the same key, a corrected body or later, when
  the stock is back; Stripe stores some errors, we store none, since replaying "out of stock"
  for a day helps nobody;
- two concurrent requests with one key do the work once: the second waits for the first to
  commit and returns its answer (Stripe answers 409 instead; waiting spares clients a retry loop
  and costs the time of one transaction).
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.users.models import User

from .models import IdempotencyKey
from .selectors import idempotency_key_cutoff, idempotency_key_live

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
# On an answer that is a replay of a stored one (Stripe's name for it).
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Printable ASCII with no space at either end; a UUID is the usual choice.
KEY_PATTERN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


class InvalidIdempotencyKeyError(ApplicationError):
    code = "invalid_idempotency_key"


class IdempotencyKeyReusedError(ApplicationError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Outcome:
    """An operation's answer: its HTTP status, its JSON body, and whether it was replayed."""

    status: int
    body: Any
    replayed: bool


def idempotency_key_parse(value: str | None) -> str | None:
    """The key carried by an Idempotency-Key header value; None when there is no header.

    The draft's form, a quoted string ("abc"), is the same key as abc. Raises
    InvalidIdempotencyKeyError (400) when the key is empty, longer than 255 characters, or holds
    anything but printable ASCII (or starts or ends with a space).
    """
    if value is None:
        return None
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value:
        raise InvalidIdempotencyKeyError(f"The {HEADER} header is empty.")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKeyError(
            f"The {HEADER} header is {len(value)} characters long; the limit is {MAX_KEY_LENGTH}."
        )
    if not KEY_PATTERN.fullmatch(value):
        raise InvalidIdempotencyKeyError(
            f"The {HEADER} header may hold printable ASCII characters only."
        )
    return value


def request_fingerprint(*, operation: str, payload: Any) -> str:
    """sha256 (hex) of the operation (e.g. "POST /api/v1/orders/") and its input as canonical JSON.

    Canonical: keys sorted, no whitespace, so the same document sent with its keys in another
    order or differently spaced is the same request.
    """
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(f"{operation}\n{canonical}".encode()).hexdigest()


def idempotent_call(
    *,
    user: User,
    key: str | None,
    operation: str,
    payload: Any,
    call: Callable[[], tuple[int, Any]],
) -> Outcome:
    """Run `call` (which returns a status and a JSON body) once per user and key.

    Without a key, `call` simply runs. With one seen before (same operation and payload, not
    expired), the stored answer comes back with replayed=True and `call` does not run. Raises
    IdempotencyKeyReusedError (422) when the key was used for another operation or payload.
    Whatever `call` raises propagates and stores nothing; nor is a status of 400 or more stored.

    The key's row is written before `call` runs, in the transaction `call` writes in: a
    concurrent request with the same key waits on the unique index until that transaction
    ends, then replays the answer (or, if it rolled back, claims the key itself).
    """
    if key is None:
        status_code, body = call()
        return Outcome(status_code, body, replayed=False)
    fingerprint = request_fingerprint(operation=operation, payload=payload)
    now = timezone.now()
    with transaction.atomic():
        stored = idempotency_key_live(user=user, key=key, now=now)
        if stored is None:
            record = _claim(user=user, key=key, fingerprint=fingerprint, now=now)
            if record is not None:
                return _run_and_store(record, call)
            # The insert waited on the unique index for a concurrent request's transaction,
            # which committed its answer: read it (a new statement sees the committed row).
            stored = IdempotencyKey.objects.get(user=user, key=key)
        return _replay(stored, fingerprint=fingerprint)


def _claim(*, user: User, key: str, fingerprint: str, now: datetime) -> IdempotencyKey | None:
    """Take the key: its new record, or None when a concurrent request committed it first."""
    # An expired record of this key is a new key's: make room for it. Only an expired one: a
    # live record committed since the lookup must be replayed, not deleted.
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=idempotency_key_cutoff(now=now)
    ).delete()
    try:
        with transaction.atomic():  # a savepoint: the outer transaction survives a conflict
            return IdempotencyKey.objects.create(
                user=user, key=key, request_fingerprint=fingerprint, created_at=now
            )
    except IntegrityError:
        return None


def _run_and_store(record: IdempotencyKey, call: Callable[[], tuple[int, Any]]) -> Outcome:
    status_code, body = call()
    if status_code >= status.HTTP_400_BAD_REQUEST:
        # Refused: nothing to replay. The claim goes with the rest of the transaction.
        transaction.set_rollback(True)
        return Outcome(status_code, body, replayed=False)
    record.response_status = status_code
    record.response_body = body
    record.save(update_fields=["response_status", "response_body"])
    return Outcome(status_code, body, replayed=False)


def _replay(record: IdempotencyKey, *, fingerprint: str) -> Outcome:
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            f"This {HEADER} was used with another request; send a new key for a new request."
        )
    if record.response_status is None:  # cannot happen (see the model); never replay nothing
        raise RuntimeError(f"idempotency key {record.pk} has no stored answer")
    return Outcome(record.response_status, record.response_body, replayed=True)


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete the keys older than IDEMPOTENCY_KEY_HOURS (lookups ignore them already).

    Returns how many. Safe to run at any time and twice.
    """
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=idempotency_key_cutoff(now=now)
    ).delete()
    if deleted:
        logger.info(
            "idempotency keys purged", extra={"event": "idempotency_keys_purged", "count": deleted}
        )
    return deleted

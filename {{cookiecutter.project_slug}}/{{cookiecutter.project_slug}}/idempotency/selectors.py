"""Reads of idempotency keys."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from {{ cookiecutter.project_slug }}.users.models import User

from .models import IdempotencyKey


def idempotency_key_cutoff(*, now: datetime | None = None) -> datetime:
    """Keys created before this instant have expired (IDEMPOTENCY_KEY_HOURS ago)."""
    return (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotency_key_live(
    *, user: User, key: str, now: datetime | None = None
) -> IdempotencyKey | None:
    """The user's record of `key`, unless it has expired (an expired key is a new key)."""
    return IdempotencyKey.objects.filter(
        user=user, key=key, created_at__gte=idempotency_key_cutoff(now=now)
    ).first()

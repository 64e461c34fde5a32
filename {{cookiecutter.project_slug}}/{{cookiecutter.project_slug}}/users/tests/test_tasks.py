"""The periodic clean-up of expired refresh tokens and their blacklist entries."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from ..tasks import flush_expired_tokens
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def outstanding(*, expires_in: timedelta, jti: str) -> OutstandingToken:
    now = timezone.now()
    return OutstandingToken.objects.create(
        user=UserFactory.create(),
        jti=jti,
        token=f"token-{jti}",
        created_at=now - timedelta(days=8),
        expires_at=now + expires_in,
    )


def test_expired_refresh_tokens_and_their_blacklist_entries_are_deleted() -> None:
    expired = outstanding(expires_in=-timedelta(hours=1), jti="expired")
    BlacklistedToken.objects.create(token=expired)
    alive = outstanding(expires_in=timedelta(days=1), jti="alive")
    BlacklistedToken.objects.create(token=alive)
    flush_expired_tokens.apply().get()
    flush_expired_tokens.apply().get()  # idempotent
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["alive"]
    assert BlacklistedToken.objects.get().token_id == alive.pk

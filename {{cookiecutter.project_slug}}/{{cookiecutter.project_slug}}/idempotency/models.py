"""A client's Idempotency-Key and the answer its first request got (see services.py)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    # CASCADE: a key means nothing without its user, and holds no record anyone must keep.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    # sha256 (hex) of the operation and its canonical JSON input: the same key with another
    # request is refused, not answered with the first one's result.
    request_fingerprint = models.CharField(max_length=64)
    # Empty only inside the transaction that claims the key: it commits with the answer, or
    # rolls back with the failed request, so no other transaction ever sees it empty.
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One live claim per user and key: a concurrent second request waits on this index
            # until the first commits, then finds its answer.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]
        indexes = [
            # The purge: every key older than IDEMPOTENCY_KEY_HOURS.
            models.Index(fields=["created_at"], name="idempotency_key_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"

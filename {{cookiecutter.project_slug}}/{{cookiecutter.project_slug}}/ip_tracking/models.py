"""What IP tracking keeps in the database: the record of each block, request counts per window."""

from django.db import models
from django.db.models import Q

from {{ cookiecutter.project_slug }}.core.models import TimeStampedModel


class BlockedIP(TimeStampedModel):
    """The record of a block. Redis enforces it on the hot path; this row explains and audits it."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        AUTOMATIC = "automatic", "Automatic"

    # An IPv4 address, or the first address of an IPv6 /64 (see core.client_ip).
    ip = models.GenericIPAddressField()
    source = models.CharField(max_length=16, choices=Source.choices)
    reason = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until unblocked.")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "blocked IP"
        ordering = ["-created_at"]
        constraints = [
            # One open block per address: a new ban extends it instead of stacking rows.
            models.UniqueConstraint(
                fields=["ip"], condition=Q(lifted_at__isnull=True), name="blockedip_one_open_per_ip"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ip} ({self.source})"


class RequestLog(models.Model):
    """Requests per IP per window, aggregated in Redis and written in batches, never per request."""

    ip = models.GenericIPAddressField()
    window_start = models.DateTimeField()
    window_seconds = models.PositiveIntegerField()
    request_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-window_start", "-request_count"]
        constraints = [
            models.UniqueConstraint(
                fields=["ip", "window_start"], name="requestlog_one_row_per_window"
            ),
        ]
        indexes = [
            # Reports read recent windows; the retention purge deletes old ones.
            models.Index(fields=["window_start"], name="requestlog_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ip}: {self.request_count} at {self.window_start:%Y-%m-%d %H:%M}"


class SuspiciousIP(TimeStampedModel):
    """An address flagged by the hourly scan for a human to review; flagging blocks nothing."""

    ip = models.GenericIPAddressField()
    hour_start = models.DateTimeField(help_text="The hour the requests were made in.")
    request_count = models.PositiveIntegerField()
    reviewed = models.BooleanField(default=False)

    class Meta:
        verbose_name = "suspicious IP"
        ordering = ["-hour_start", "-request_count"]
        constraints = [
            # One flag per address per hour: rescanning an hour changes nothing.
            models.UniqueConstraint(fields=["ip", "hour_start"], name="suspiciousip_one_per_hour"),
        ]
        indexes = [
            # The review queue: unreviewed flags, newest first.
            models.Index(
                fields=["-hour_start"],
                condition=Q(reviewed=False),
                name="suspiciousip_unreviewed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ip}: {self.request_count} in the hour from {self.hour_start:%Y-%m-%d %H:%M}"

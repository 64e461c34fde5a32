from django.db import models


class TimeStampedModel(models.Model):
    """Creation and update times on every row: the first questions in any incident."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

"""Model pieces every app shares: creation and update times, and the largest primary key."""

from django.db import models

# The largest primary key (BigAutoField, 64 bits). A larger number in a request is a 400: passed on,
# it overflows the database driver (a 500 on SQLite).
MAX_ID = 2**63 - 1


class TimeStampedModel(models.Model):
    """Creation and update times on every row: the first questions in any incident."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

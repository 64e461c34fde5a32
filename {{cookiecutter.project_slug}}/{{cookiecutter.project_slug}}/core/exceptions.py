"""The errors services raise when a business rule refuses a request.

Services raise them without knowing who called: each API layer (the REST exception handler in
core/api/exceptions.py, and any other) turns them into a clear 4xx answer.
"""

from typing import Any

from rest_framework import status


class ApplicationError(Exception):
    """A business rule refused the request. Services raise it; the API turns it into a 4xx."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: str = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The request is valid but clashes with the current state (for example, more than is left)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"

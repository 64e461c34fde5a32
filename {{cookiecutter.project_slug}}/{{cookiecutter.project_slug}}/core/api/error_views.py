"""Errors Django answers itself, outside any DRF view: an unknown URL, a malformed request, a crash.

They get the API's error body, `{"detail": ..., "code": ...}`, as JSON rather than an HTML page an
API client cannot read, and never a stack trace or a settings value (DEBUG is off in production).
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse


def _error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return _error(400, "The request body is too large.", "too_large")
    # A disallowed Host header, a malformed cookie...: the client learns no more than that.
    return _error(400, "Bad request.", "bad_request")


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(403, "You do not have permission to perform this action.", "permission_denied")


def page_not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(404, "Not found.", "not_found")


def not_served(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """A route that exists for its name only (to be reversed), never to be answered."""
    return _error(404, "Not found.", "not_found")


def slash_missing(request: HttpRequest) -> JsonResponse:
    """A non-GET request to a path that exists only with a trailing slash (core/api/middleware.py)."""
    return _error(404, f"Not found. Did you mean {request.path}/ (with a slash)?", "not_found")


def server_error(request: HttpRequest) -> JsonResponse:
    return _error(500, "Server error.", "server_error")
